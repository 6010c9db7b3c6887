//! Sign-in by e-mailed one-time link: single use, expiry, rate limits, CSRF, cookies.

use std::time::Duration;

use anyhow::{Result, ensure};

use crate::harness::{Backend, Options, TestApp, client, set_cookies};

fn link_in(text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|w| w.contains("/inloggen/"))
        .map(str::to_string)
}

pub async fn link_from_email_works_once(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    app.create_user("Anna@Gemeente.nl", "Anna de Vries", false)
        .await?;
    let response = app
        .post_form("/inloggen", "/inloggen", &[("email", "anna@gemeente.nl")])
        .await?;
    ensure!(response.status() == 303, "status {}", response.status());
    let sent = response.headers()["location"].to_str()?.to_string();
    ensure!(
        sent.starts_with("/inloggen/verstuurd"),
        "redirect to {sent}"
    );
    let mails = app
        .smtp
        .as_ref()
        .unwrap()
        .wait_for(1, Duration::from_secs(10))
        .await;
    ensure!(mails.len() == 1, "expected one mail, got {}", mails.len());
    let mail = &mails[0];
    ensure!(
        mail.to == vec!["Anna@Gemeente.nl".to_string()],
        "recipient {:?}",
        mail.to
    );
    ensure!(
        mail.subject() == "Je inloglink voor kring",
        "subject {}",
        mail.subject()
    );
    let link = link_in(&mail.text()).expect("link in text part");
    ensure!(
        mail.html().unwrap_or_default().contains(&link),
        "link in HTML part"
    );
    let path = link
        .strip_prefix(&app.base)
        .expect("link on this server")
        .to_string();

    // Opening the link shows a confirmation button and does not use it up.
    let page = app.get(&path).await?;
    ensure!(page.status() == 200);
    let body = page.text().await?;
    ensure!(body.contains("Anna de Vries"), "greets the user");
    let response = app.post_form(&path, &path, &[]).await?;
    ensure!(response.status() == 303, "first use: {}", response.status());
    let account = app.get("/account").await?;
    ensure!(account.status() == 200, "signed in: {}", account.status());
    ensure!(
        account.text().await?.contains("Anna@Gemeente.nl"),
        "account page shows the address"
    );

    // A second use, from another browser, is refused with a clear page.
    let other = client();
    let page = other.get(app.url(&path)).send().await?;
    ensure!(page.status() == 410, "second open: {}", page.status());
    let html = page.text().await?;
    ensure!(
        html.contains("al gebruikt"),
        "explains the link was used: {html}"
    );
    let form = other.get(app.url("/inloggen")).send().await?.text().await?;
    let token = crate::harness::csrf_from(&form).expect("csrf token of the sign-in form");
    let second = other
        .post(app.url(&path))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(second.status() == 410, "second use: {}", second.status());
    ensure!(second.text().await?.contains("al gebruikt"));
    app.stop().await;
    Ok(())
}

/// Moves every sign-in link `minutes` into the past, keeping its validity period.
async fn age_links(app: &TestApp, minutes: i64) -> Result<()> {
    let shift = chrono::Duration::minutes(minutes);
    let sql = "SELECT token_hash, created_at, expires_at FROM signin_links";
    let update = "UPDATE signin_links SET created_at = $2, expires_at = $3 WHERE token_hash = $1";
    type Row = (
        String,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    );
    match &app.db {
        kring::db::Db::Sqlite { write, .. } => {
            for (hash, created, expires) in sqlx::query_as::<_, Row>(sql).fetch_all(write).await? {
                sqlx::query(update)
                    .bind(hash)
                    .bind(created - shift)
                    .bind(expires - shift)
                    .execute(write)
                    .await?;
            }
        }
        kring::db::Db::Postgres(pool) => {
            for (hash, created, expires) in sqlx::query_as::<_, Row>(sql).fetch_all(pool).await? {
                sqlx::query(update)
                    .bind(hash)
                    .bind(created - shift)
                    .bind(expires - shift)
                    .execute(pool)
                    .await?;
            }
        }
    }
    Ok(())
}

pub async fn expired_link_is_refused(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let user = app.create_user("jan@gemeente.nl", "Jan", false).await?;
    // A link made 14 minutes ago still works.
    let fresh = app.link_for(&user).await?;
    age_links(&app, 14).await?;
    let fresh_path = fresh.strip_prefix(&app.base).unwrap().to_string();
    let other = client();
    let html = other.get(app.url(&fresh_path)).send().await?.text().await?;
    let token = crate::harness::csrf_from(&html).expect("confirm form");
    let response = other
        .post(app.url(&fresh_path))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(
        response.status() == 303,
        "14 minutes old: {}",
        response.status()
    );
    // One made 16 minutes ago does not.
    let link = app.link_for(&user).await?;
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    age_links(&app, 16).await?;
    let page = app.get(&path).await?;
    ensure!(page.status() == 410, "open expired: {}", page.status());
    ensure!(page.text().await?.contains("verlopen"));
    let response = app.post_form(&path, "/inloggen", &[]).await?;
    ensure!(
        response.status() == 410,
        "use expired: {}",
        response.status()
    );
    ensure!(
        app.get("/api/v1/me").await?.status() == 401,
        "not signed in"
    );
    app.stop().await;
    Ok(())
}

pub async fn sixth_request_in_a_minute_is_limited(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    app.create_user("piet@gemeente.nl", "Piet", false).await?;
    for attempt in 1..=5 {
        let response = app
            .post_form("/inloggen", "/inloggen", &[("email", "Piet@gemeente.nl")])
            .await?;
        ensure!(
            response.status() == 303,
            "attempt {attempt}: {}",
            response.status()
        );
    }
    let response = app
        .post_form("/inloggen", "/inloggen", &[("email", "piet@gemeente.nl")])
        .await?;
    ensure!(response.status() == 429, "sixth: {}", response.status());
    ensure!(
        response.headers().contains_key("retry-after"),
        "Retry-After present"
    );
    ensure!(
        response.text().await?.contains("Te veel verzoeken"),
        "Dutch explanation"
    );
    // Colleagues on the same network, with other addresses, are not locked out.
    let response = app
        .post_form(
            "/inloggen",
            "/inloggen",
            &[("email", "collega@gemeente.nl")],
        )
        .await?;
    ensure!(
        response.status() == 303,
        "other address: {}",
        response.status()
    );
    app.stop().await;
    Ok(())
}

pub async fn forms_without_csrf_token_are_refused(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let user = app.create_user("kees@gemeente.nl", "Kees", false).await?;
    app.get("/inloggen").await?; // the browser has a CSRF cookie now
    let response = app
        .client
        .post(app.url("/inloggen"))
        .form(&[("email", "kees@gemeente.nl")])
        .send()
        .await?;
    ensure!(
        response.status() == 403,
        "without token: {}",
        response.status()
    );
    let response = app
        .client
        .post(app.url("/inloggen"))
        .form(&[("email", "kees@gemeente.nl"), ("csrf_token", "vervalst")])
        .send()
        .await?;
    ensure!(
        response.status() == 403,
        "wrong token: {}",
        response.status()
    );
    ensure!(response.text().await?.contains("Formulier verlopen"));

    app.sign_in(&user).await?;
    let response = app
        .client
        .post(app.url("/account"))
        .form(&[("name", "Gehackt")])
        .send()
        .await?;
    ensure!(
        response.status() == 403,
        "account without token: {}",
        response.status()
    );
    let stored = kring::db::users::find(&app.db, &user.id).await?.unwrap();
    ensure!(stored.name == "Kees", "nothing changed");

    // A cross-site browser request is refused even with a token.
    let token = app.csrf("/account").await?;
    let response = app
        .client
        .post(app.url("/account"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "Gehackt"), ("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(
        response.status() == 403,
        "cross-site: {}",
        response.status()
    );
    ensure!(
        response.text().await?.contains("Formulier verlopen"),
        "Dutch page for a cross-site post"
    );
    let response = app
        .client
        .patch(app.url("/api/v1/me"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({"name": "Gehackt"}))
        .send()
        .await?;
    ensure!(
        response.status() == 403,
        "cross-site api: {}",
        response.status()
    );
    ensure!(response.headers()["content-type"] == "application/problem+json");
    let problem: serde_json::Value = response.json().await?;
    ensure!(problem["code"] == "csrf_failed", "{problem}");

    // The API with the session cookie needs the token in a header.
    let response = app
        .client
        .patch(app.url("/api/v1/me"))
        .json(&serde_json::json!({"name": "X"}))
        .send()
        .await?;
    ensure!(
        response.status() == 403,
        "api without header: {}",
        response.status()
    );
    let problem: serde_json::Value = response.json().await?;
    ensure!(problem["code"] == "csrf_failed", "{problem}");
    let response = app
        .client
        .patch(app.url("/api/v1/me"))
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({"name": "Kees Jansen"}))
        .send()
        .await?;
    ensure!(
        response.status() == 200,
        "api with header: {}",
        response.status()
    );
    app.stop().await;
    Ok(())
}

pub async fn cookie_flags_and_rotation(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let user = app.create_user("els@gemeente.nl", "Els", false).await?;
    app.sign_in(&user).await?;
    let link = app.link_for(&user).await?;
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let token = app.csrf(&path).await?;
    let before = app.state().db.clone();
    let response = app
        .client
        .post(app.url(&path))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(response.status() == 303);
    let cookies = set_cookies(response.headers());
    let session = cookies
        .iter()
        .find(|c| c.starts_with("kring_session="))
        .expect("session cookie set");
    ensure!(session.contains("HttpOnly"), "{session}");
    ensure!(session.contains("SameSite=Lax"), "{session}");
    ensure!(session.contains("Path=/"), "{session}");
    ensure!(
        !session.contains("Secure"),
        "no Secure over http: {session}"
    );
    // Rotation: signing in again replaced the earlier session; only one remains.
    let count: i64 = match &before {
        kring::db::Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
                .bind(&user.id)
                .fetch_one(read)
                .await?
        }
        kring::db::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
                .bind(&user.id)
                .fetch_one(pool)
                .await?
        }
    };
    ensure!(count == 1, "old session ended at sign-in, {count} left");
    app.stop().await;

    // Under https the cookie is Secure and responses carry HSTS.
    let app = TestApp::start_with(
        &backend,
        Options {
            base_url: Some("https://kring.example".into()),
            ..Options::default()
        },
    )
    .await?;
    let user = app.create_user("els@gemeente.nl", "Els", false).await?;
    let link = app.link_for(&user).await?;
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let page = app.get(&path).await?;
    ensure!(
        page.headers().get("strict-transport-security").is_some(),
        "HSTS under https"
    );
    let csrf_cookie = set_cookies(page.headers())
        .into_iter()
        .find(|c| c.starts_with("kring_csrf="))
        .unwrap();
    ensure!(csrf_cookie.contains("Secure"), "{csrf_cookie}");
    let token = crate::harness::csrf_from(&page.text().await?).unwrap();
    // The test talks plain http, so it sends the Secure cookie itself.
    let response = client()
        .post(app.url(&path))
        .header("cookie", format!("kring_csrf={token}"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(
        response.status() == 303,
        "https sign-in: {}",
        response.status()
    );
    let cookies = set_cookies(response.headers());
    let session = cookies
        .iter()
        .find(|c| c.starts_with("kring_session="))
        .expect("session cookie");
    ensure!(
        session.contains("Secure")
            && session.contains("HttpOnly")
            && session.contains("SameSite=Lax"),
        "{session}"
    );
    app.stop().await;
    Ok(())
}

pub async fn sign_out_ends_the_session(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let user = app.create_user("mo@gemeente.nl", "Mo", false).await?;
    app.sign_in(&user).await?;
    ensure!(app.get("/account").await?.status() == 200);
    let response = app.post_form("/uitloggen", "/account", &[]).await?;
    ensure!(response.status() == 303);
    let response = app.get("/account").await?;
    ensure!(
        response.status() == 303,
        "signed out: {}",
        response.status()
    );
    ensure!(response.headers()["location"] == "/inloggen?volgende=%2Faccount");
    app.stop().await;
    Ok(())
}

pub async fn parallel_requests_respect_the_limit(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Options::default()
        },
    )
    .await?;
    app.create_user("druk@gemeente.nl", "Druk", false).await?;
    let token = app.csrf("/inloggen").await?;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let client = app.client.clone();
        let url = app.url("/inloggen");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let form = [
                ("csrf_token", token.as_str()),
                ("email", "druk@gemeente.nl"),
            ];
            client
                .post(url)
                .form(&form)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await??);
    }
    statuses.sort_unstable();
    ensure!(
        statuses == [303, 303, 303, 303, 303, 429, 429, 429, 429, 429],
        "{statuses:?}"
    );
    let queued = kring::db::outbox::list(&app.db, None, 100, 0).await?;
    ensure!(queued.len() == 5, "{} mails queued", queued.len());
    app.stop().await;
    Ok(())
}

pub async fn next_page_survives_sign_in(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    app.create_user("terug@gemeente.nl", "Terug", false).await?;
    let response = app.get("/account").await?;
    let form_path = response.headers()["location"].to_str()?.to_string();
    ensure!(form_path == "/inloggen?volgende=%2Faccount", "{form_path}");
    let html = app.get(&form_path).await?.text().await?;
    ensure!(
        html.contains("name=\"volgende\" value=\"/account\""),
        "the form carries the page"
    );
    let response = app
        .post_form(
            "/inloggen",
            &form_path,
            &[("email", "terug@gemeente.nl"), ("volgende", "/account")],
        )
        .await?;
    ensure!(response.status() == 303);
    let mails = app
        .smtp
        .as_ref()
        .unwrap()
        .wait_for(1, Duration::from_secs(10))
        .await;
    let link = link_in(&mails.first().expect("mail").text()).expect("link");
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let response = app.post_form(&path, &path, &[]).await?;
    ensure!(
        response.status() == 303 && response.headers()["location"] == "/account",
        "back to /account"
    );
    // The delivered mail no longer holds the link in the outbox.
    crate::harness::eventually(Duration::from_secs(5), "redacted", || async {
        let mails = kring::db::outbox::list(&app.db, Some("sent"), 10, 0).await?;
        Ok(mails.len() == 1
            && !mails[0].body_text.contains("/inloggen/")
            && !mails[0].body_html.contains("/inloggen/"))
    })
    .await?;
    // Signing out works from an error page too (its form carries a valid token).
    let page = app.get("/bestaat-niet").await?;
    ensure!(page.status() == 404);
    let html = page.text().await?;
    let token = crate::harness::csrf_from(&html).expect("sign-out form on the error page");
    let response = app
        .client
        .post(app.url("/uitloggen"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(
        response.status() == 303,
        "sign out from an error page: {}",
        response.status()
    );
    ensure!(app.get("/api/v1/me").await?.status() == 401);
    app.stop().await;
    Ok(())
}
