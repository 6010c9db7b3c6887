//! The HTML pages: Dutch, accessible, CSP-clean, and the account form end to end.

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::harness::{self, Backend, TestApp};

/// The opening tags `<name …>` in `html`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let (mut out, mut rest) = (Vec::new(), html);
    while let Some(at) = rest.find(&open) {
        let tag = &rest[at..];
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        let next = tag.as_bytes().get(open.len()).copied().unwrap_or(b'>');
        if next.is_ascii_whitespace() || next == b'>' || next == b'/' {
            out.push(&tag[..end]);
        }
        rest = &tag[end..];
    }
    out
}

/// The value of attribute `name` in one tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let value = &tag[tag.find(&needle)? + needle.len()..];
    Some(&value[..value.find('"')?])
}

/// The `<name>` tag with this id.
fn by_id<'a>(html: &'a str, name: &str, id: &str) -> Option<&'a str> {
    tags(html, name)
        .into_iter()
        .find(|t| attr(t, "id") == Some(id))
}

/// What every page must have: Dutch, a skip link to the one `<main>`, labelled navigation, a
/// footer, one `<h1>`, nothing inline that the CSP forbids, and a label for every form field.
fn check_page(what: &str, html: &str) -> Result<()> {
    let main = tags(html, "main");
    let navs = tags(html, "nav");
    let skip = tags(html, "a")
        .into_iter()
        .any(|a| attr(a, "href") == Some("#inhoud"));
    let labelled = navs
        .iter()
        .all(|n| attr(n, "aria-label").is_some_and(|l| !l.is_empty()));
    let scripts = tags(html, "script")
        .into_iter()
        .all(|s| attr(s, "src").is_some());
    let checks = [
        (html.contains("<html lang=\"nl\""), "<html lang=\"nl\">"),
        (skip, "a skip link to #inhoud"),
        (main.len() == 1, "exactly one <main>"),
        (
            main.first().and_then(|m| attr(m, "id")) == Some("inhoud"),
            "<main id=\"inhoud\">",
        ),
        (
            !navs.is_empty() && labelled,
            "a <nav>, each with an aria-label",
        ),
        (!tags(html, "footer").is_empty(), "a <footer>"),
        (tags(html, "h1").len() == 1, "exactly one <h1>"),
        (scripts, "no inline <script> (every script has a src)"),
        (
            tags(html, "style").is_empty() && !html.contains(" style="),
            "no inline style",
        ),
    ];
    for (ok, expected) in checks {
        ensure!(ok, "{what}: expected {expected}\n{html}");
    }
    let labels: Vec<&str> = tags(html, "label")
        .into_iter()
        .filter_map(|l| attr(l, "for"))
        .collect();
    let inputs = tags(html, "input")
        .into_iter()
        .filter(|t| attr(t, "type") != Some("hidden"));
    for field in inputs
        .chain(tags(html, "select"))
        .chain(tags(html, "textarea"))
    {
        let id = attr(field, "id").unwrap_or_default();
        ensure!(
            !id.is_empty() && labels.contains(&id),
            "{what}: no label for {field}\n{html}"
        );
    }
    Ok(())
}

/// A page or redirect as the browser got it.
struct Answer {
    what: String,
    status: u16,
    location: String,
    content_type: String,
    html: String,
}

impl Answer {
    async fn from(what: String, response: reqwest::Response) -> Result<Self> {
        let header = |name: &str| {
            let value = response.headers().get(name).and_then(|v| v.to_str().ok());
            value.unwrap_or_default().to_string()
        };
        let (location, content_type) = (header("location"), header("content-type"));
        let status = response.status().as_u16();
        let html = response.text().await?;
        Ok(Self {
            what,
            status,
            location,
            content_type,
            html,
        })
    }

    /// Fails with `message` and the page unless `ok`.
    fn check(&self, ok: bool, message: &str) -> Result<()> {
        ensure!(
            ok,
            "{}: {message} ({} {})\n{}",
            self.what,
            self.status,
            self.location,
            self.html
        );
        Ok(())
    }

    /// A redirect to `location`.
    fn redirects(&self, location: &str) -> Result<()> {
        self.check(
            self.status == 303 && self.location == location,
            &format!("303 to {location}"),
        )
    }

    /// A page with this status that passes [`check_page`]; returns the HTML.
    fn page(&self, status: u16) -> Result<&str> {
        self.check(self.status == status, &format!("expected {status}"))?;
        self.check(self.content_type.starts_with("text/html"), "an HTML page")?;
        check_page(&self.what, &self.html)?;
        Ok(&self.html)
    }
}

async fn get(app: &TestApp, path: &str) -> Result<Answer> {
    Answer::from(format!("GET {path}"), app.get(path).await?).await
}

/// Posts a form from the account page, with its CSRF token.
async fn post(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Result<Answer> {
    Answer::from(
        format!("POST {path}"),
        app.post_form(path, "/account", fields).await?,
    )
    .await
}

/// `GET path` of the API with a bearer token: the status and the JSON body.
async fn api(app: &TestApp, path: &str, token: &str) -> Result<(u16, Value)> {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((
        status,
        serde_json::from_str(&response.text().await?).unwrap_or(Value::Null),
    ))
}

pub async fn pages_are_dutch_and_accessible(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    for path in ["/", "/inloggen", "/privacy", "/toegankelijkheid"] {
        get(&app, path).await?.page(200)?;
    }
    let signin = get(&app, "/inloggen").await?;
    signin.check(
        by_id(signin.page(200)?, "input", "email").is_some(),
        "an e-mail field",
    )?;
    let missing = get(&app, "/bestaat-niet").await?;
    missing.check(
        missing.page(404)?.contains("Niet gevonden"),
        "a Dutch 404 page",
    )?;

    let response = harness::client().get(app.url("/account")).send().await?;
    let anonymous = Answer::from("GET /account anonymously".into(), response).await?;
    anonymous.redirects("/inloggen?volgende=%2Faccount")?;

    let user = app
        .create_user("jan@gemeente.nl", "Jan Jansen", false)
        .await?;
    app.sign_in(&user).await?;
    let account = get(&app, "/account").await?;
    let html = account.page(200)?;
    let shows = html.contains("jan@gemeente.nl") && html.contains("value=\"Jan Jansen\"");
    account.check(shows, "the name and e-mail address")?;
    account.check(html.contains("action=\"/uitloggen\""), "a sign-out form")?;
    let home = get(&app, "/").await?;
    home.check(
        home.page(200)?.contains("href=\"/account\""),
        "a link to the account",
    )?;

    let admin = get(&app, "/admin/outbox").await?;
    let html = admin.page(403)?;
    admin.check(html.contains("Geen toegang"), "a Dutch 403 page")?;
    admin.check(!html.contains("Uitgaande e-mail"), "nothing of the outbox")?;
    app.stop().await;
    Ok(())
}

pub async fn account_form_saves_and_reports_errors(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let user = app.create_user("anna@gemeente.nl", "Anna", false).await?;
    app.sign_in(&user).await?;

    let fields = [
        ("name", "Anna de Vries"),
        ("domains", "beleid"),
        ("domains", "ecologie"),
        ("notification_frequency", "weekly"),
    ];
    post(&app, "/account", &fields)
        .await?
        .redirects("/account?melding=opgeslagen")?;
    let saved = get(&app, "/account?melding=opgeslagen").await?;
    let html = saved.page(200)?;
    saved.check(
        html.contains("Je gegevens zijn opgeslagen."),
        "a confirmation",
    )?;
    let name = by_id(html, "input", "name").and_then(|t| attr(t, "value"));
    saved.check(name == Some("Anna de Vries"), "the new name")?;
    for (domain, checked) in [("beleid", true), ("ecologie", true), ("natuur", false)] {
        let tag = by_id(html, "input", &format!("domain-{domain}")).unwrap_or_default();
        let ok = tag.contains("type=\"checkbox\"") && tag.contains(" checked") == checked;
        saved.check(ok, &format!("{domain} checked: {checked}"))?;
    }
    let weekly = tags(html, "option")
        .into_iter()
        .find(|o| attr(o, "value") == Some("weekly"));
    saved.check(
        weekly.is_some_and(|o| o.contains(" selected")),
        "weekly selected",
    )?;
    let stored = kring::db::users::find(&app.db, &user.id)
        .await?
        .context("user")?;
    let stored = (stored.name, stored.domains, stored.notification_frequency);
    let expected = (
        "Anna de Vries".to_string(),
        "beleid,ecologie".to_string(),
        "weekly".into(),
    );
    ensure!(stored == expected, "stored {stored:?}");

    let fields = [
        ("name", "   "),
        ("domains", "natuur"),
        ("notification_frequency", "daily"),
    ];
    let refused = post(&app, "/account", &fields).await?;
    let html = refused.page(422)?;
    let summary = html
        .find("class=\"kring-error-summary\"")
        .map(|at| &html[at..]);
    let links = summary.is_some_and(|s| s.contains("href=\"#name\""));
    refused.check(links, "an error summary that links to #name")?;
    let field = by_id(html, "input", "name").and_then(|t| attr(t, "aria-invalid"));
    refused.check(field == Some("true"), "aria-invalid on the name field")?;
    refused.check(
        !html.contains("Je gegevens zijn opgeslagen."),
        "no confirmation",
    )?;
    let after = kring::db::users::find(&app.db, &user.id)
        .await?
        .context("user")?;
    let after = (after.name, after.domains, after.notification_frequency);
    ensure!(
        after == expected,
        "a refused form changes nothing: {after:?}"
    );

    let created = post(&app, "/account/tokens", &[("label", "rapport")]).await?;
    let html = created.page(201)?;
    let code = by_id(html, "code", "nieuwe-sleutel").unwrap_or("<code>");
    let shown = html
        .split(code)
        .nth(1)
        .and_then(|rest| rest.split('<').next());
    let token = shown.unwrap_or_default().trim().to_string();
    created.check(
        token.starts_with("kring_") && token.len() > 20,
        "a new kring_ token",
    )?;
    let (status, me) = api(&app, "/api/v1/me", &token).await?;
    let works = status == 200 && me["id"] == user.id.as_str() && me["name"] == "Anna de Vries";
    ensure!(works, "the new token on /api/v1/me: {status} {me}");

    let (_, list) = api(&app, "/api/v1/me/tokens", &token).await?;
    let listed = list
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["label"] == "rapport");
    let id = listed
        .and_then(|t| t["id"].as_str())
        .with_context(|| format!("{list}"))?;
    let revoke = format!("/account/tokens/{id}/intrekken");
    let account = get(&app, "/account").await?;
    let html = account.page(200)?;
    account.check(!html.contains(&token), "the secret is shown only once")?;
    account.check(
        html.contains(&format!("action=\"{revoke}\"")),
        "a revoke form",
    )?;

    post(&app, &revoke, &[])
        .await?
        .redirects("/account?melding=ingetrokken")?;
    let (status, body) = api(&app, "/api/v1/me", &token).await?;
    ensure!(status == 401, "a revoked token answered {status}: {body}");
    let account = get(&app, "/account?melding=ingetrokken").await?;
    account.check(!account.page(200)?.contains(&revoke), "the token is gone")?;
    let again = post(&app, &revoke, &[]).await?;
    again.check(
        again.page(404)?.contains("Niet gevonden"),
        "revoking twice is 404",
    )?;
    app.stop().await;
    Ok(())
}
