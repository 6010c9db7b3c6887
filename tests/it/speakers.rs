//! Guest speakers: the invitation e-mail with a personal guest link that shows one meeting
//! (details, agenda, join link) and nothing else, slide uploads, and the link's end a week after
//! the meeting. Attachments on meetings: downloads with safe headers, 404 outside, 413 oversize.

use anyhow::{Context, Result, ensure};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::harness::{Backend, Options, TestApp, client, csrf_from};
use crate::meetings::{calendar_mail, setup};

struct World {
    app: TestApp,
    facilitator: String,
    member: String,
    stranger: String,
    own: String,
    other: String,
    elsewhere: String,
}

async fn meeting(app: &TestApp, token: &str, slug: &str, title: &str, day: u32) -> Result<String> {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/communities/{slug}/meetings")))
        .bearer_auth(token)
        .json(&json!({"title": title, "kind": "online",
                      "starts_at": format!("2027-03-{day:02}T14:00:00+01:00"),
                      "ends_at": format!("2027-03-{day:02}T16:00:00+01:00"),
                      "online_url": "https://meet.example/kring-groen"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "meeting: {}", r.text().await?);
    Ok(r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string())
}

/// Two meetings in "ontmoeten" and one in a second community "elders".
async fn world(backend: &Backend, clock: Option<kring::clock::Clock>) -> Result<World> {
    let app = TestApp::start_with(
        backend,
        Options {
            clock,
            ..Options::default()
        },
    )
    .await?;
    let s = setup(&app).await?;
    let own = meeting(
        &app,
        &s.facilitator,
        "ontmoeten",
        "Hittestress in de wijk",
        16,
    )
    .await?;
    let other = meeting(&app, &s.facilitator, "ontmoeten", "Besloten overleg", 23).await?;
    let root = app.create_user("root@vereniging.nl", "Root", true).await?;
    let root = app.token_for(&root).await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities"))
        .bearer_auth(&root)
        .json(&json!({"slug": "elders", "name": "Elders", "eligibility": {"require_member_or_participant": false}}))
        .send()
        .await?;
    ensure!(r.status() == 201, "community: {}", r.text().await?);
    let elsewhere = meeting(&app, &root, "elders", "Elders overleg", 17).await?;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{own}/agenda-items")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Koele schoolpleinen in Tiel", "duration_minutes": 30}))
        .send()
        .await?;
    ensure!(r.status() == 201, "agenda: {}", r.text().await?);
    Ok(World {
        app,
        facilitator: s.facilitator,
        member: s.member,
        stranger: s.stranger,
        own,
        other,
        elsewhere,
    })
}

async fn invite(w: &World, email: &str) -> Result<reqwest::Response> {
    Ok(w.app
        .client
        .post(w.app.url(&format!("/api/v1/meetings/{}/speakers", w.own)))
        .bearer_auth(&w.facilitator)
        .json(&json!({"name": "Sanne Spreker", "email": email, "organisation": "Hogeschool", "bio": "Onderzoekt hitte."}))
        .send()
        .await?)
}

/// The guest link from the invitation e-mail, and its secret.
async fn guest_link(w: &World, email: &str) -> Result<(String, String)> {
    let mail = calendar_mail(&w.app, email, "Uitnodiging als spreker", 1).await?;
    let text = mail.text();
    let at = text.find("/gast/").context("guest link in the mail")?;
    let token: String = text[at + "/gast/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    ensure!(token.len() >= 40, "a long secret: {token}");
    ensure!(
        mail.html()
            .is_some_and(|h| h.contains(&format!("/gast/{token}"))),
        "the HTML part has the link too"
    );
    Ok((format!("/gast/{token}"), token))
}

pub async fn guest_link_shows_one_meeting_only(backend: Backend) -> Result<()> {
    let w = world(&backend, None).await?;
    let app = &w.app;
    let r = invite(&w, "sanne@hogeschool.nl").await?;
    ensure!(r.status() == 201, "invite: {}", r.text().await?);
    let speaker: Value = r.json().await?;
    ensure!(speaker["id"].as_str().is_some(), "{speaker}");
    let (path, token) = guest_link(&w, "sanne@hogeschool.nl").await?;

    // The guest opens the link in their own browser.
    let guest = client();
    let r = guest.get(app.url(&path)).send().await?;
    ensure!(r.status() == 200, "guest page: {}", r.status());
    let cookies = crate::harness::set_cookies(r.headers());
    ensure!(
        cookies
            .iter()
            .any(|c| c.starts_with("kring_guest=") && c.contains("HttpOnly")),
        "guest cookie: {cookies:?}"
    );
    let html = r.text().await?;
    for expected in [
        "Hittestress in de wijk",
        "dinsdag 16 maart 2027, 14.00–16.00 uur",
        "Koele schoolpleinen in Tiel",
        "14.00 uur",
        "https://meet.example/kring-groen",
        "Sanne Spreker",
    ] {
        ensure!(html.contains(expected), "guest page lacks {expected:?}");
    }
    ensure!(!html.contains("Besloten overleg"), "no other meeting");

    // Their meeting through the API, with the cookie and with the link's secret as a token.
    let r = guest
        .get(app.url(&format!("/api/v1/meetings/{}", w.own)))
        .send()
        .await?;
    ensure!(r.status() == 200, "own meeting by cookie: {}", r.status());
    let body: Value = r.json().await?;
    ensure!(body["online_url"] == "https://meet.example/kring-groen");
    ensure!(body["agenda"][0]["title"] == "Koele schoolpleinen in Tiel");
    ensure!(body["speakers"][0]["name"] == "Sanne Spreker", "{body}");
    ensure!(
        body["speakers"][0].get("email").is_none(),
        "no addresses for guests"
    );
    ensure!(
        body.get("rsvp_counts").is_none() && body.get("open_actions").is_none(),
        "{body}"
    );
    let bearer = client();
    let r = bearer
        .get(app.url(&format!("/api/v1/meetings/{}/ics", w.own)))
        .bearer_auth(&token)
        .send()
        .await?;
    ensure!(r.status() == 200, "ics by token: {}", r.status());

    // Every other community and meeting URL is 404 for them, by cookie and by token.
    let community_urls = [
        format!("/bijeenkomsten/{}", w.other),
        format!("/bijeenkomsten/{}", w.elsewhere),
        format!("/bijeenkomsten/{}", w.own),
        "/communities/ontmoeten".to_string(),
        "/communities/ontmoeten/bijeenkomsten".to_string(),
        "/communities/ontmoeten/leden".to_string(),
        "/communities/elders".to_string(),
        "/communities/elders/bijeenkomsten".to_string(),
        format!("/api/v1/meetings/{}", w.other),
        format!("/api/v1/meetings/{}", w.elsewhere),
        format!("/api/v1/meetings/{}/ics", w.other),
        format!("/api/v1/meetings/{}/ics", w.elsewhere),
        format!("/api/v1/meetings/{}/minutes", w.own),
        format!("/api/v1/meetings/{}/attachments", w.other),
        "/api/v1/communities/ontmoeten".to_string(),
        "/api/v1/communities/ontmoeten/meetings".to_string(),
        "/api/v1/communities/elders/meetings".to_string(),
    ];
    for url in &community_urls {
        let r = guest.get(app.url(url)).send().await?;
        ensure!(r.status() == 404, "{url} by cookie: {}", r.status());
        let r = bearer.get(app.url(url)).bearer_auth(&token).send().await?;
        ensure!(r.status() == 404, "{url} by token: {}", r.status());
    }
    // Writes on their own meeting are not theirs either.
    let r = bearer
        .put(app.url(&format!("/api/v1/meetings/{}/rsvp", w.own)))
        .bearer_auth(&token)
        .json(&json!({"response": "yes"}))
        .send()
        .await?;
    ensure!(r.status() == 404, "rsvp: {}", r.status());
    let r = bearer
        .post(app.url(&format!("/api/v1/meetings/{}/speakers", w.own)))
        .bearer_auth(&token)
        .json(&json!({"name": "X", "email": "x@example.nl"}))
        .send()
        .await?;
    ensure!(r.status() == 404, "invite as guest: {}", r.status());

    // Members see the speaker; facilitators also their address.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{}", w.own)))
        .bearer_auth(&w.member)
        .send()
        .await?;
    let body: Value = r.json().await?;
    ensure!(
        body["speakers"][0]["name"] == "Sanne Spreker"
            && body["speakers"][0].get("email").is_none()
    );
    let r = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{}", w.own)))
        .bearer_auth(&w.facilitator)
        .send()
        .await?;
    let body: Value = r.json().await?;
    ensure!(
        body["speakers"][0]["email"] == "sanne@hogeschool.nl",
        "{body}"
    );

    // Removing the speaker ends the link at once.
    let id = speaker["id"].as_str().context("id")?;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/meetings/{}/speakers/{id}", w.own)))
        .bearer_auth(&w.facilitator)
        .send()
        .await?;
    ensure!(r.status() == 204, "remove: {}", r.status());
    let r = guest.get(app.url(&path)).send().await?;
    ensure!(r.status() == 404, "removed speaker's page: {}", r.status());
    ensure!(r.text().await?.contains("Deze gastlink werkt niet"));
    let r = bearer
        .get(app.url(&format!("/api/v1/meetings/{}", w.own)))
        .bearer_auth(&token)
        .send()
        .await?;
    ensure!(r.status() == 401, "removed speaker's token: {}", r.status());
    w.app.stop().await;
    Ok(())
}

pub async fn speaker_invitations_are_checked(backend: Backend) -> Result<()> {
    let w = world(&backend, None).await?;
    let app = &w.app;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{}/speakers", w.own)))
        .bearer_auth(&w.facilitator)
        .json(&json!({"name": "", "email": "geen-adres"}))
        .send()
        .await?;
    ensure!(r.status() == 422, "invalid: {}", r.status());
    let body: Value = r.json().await?;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .context("errors")?
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    ensure!(
        fields.contains(&"name") && fields.contains(&"email"),
        "{body}"
    );
    ensure!(invite(&w, "Sanne@Hogeschool.nl").await?.status() == 201);
    let r = invite(&w, "sanne@hogeschool.nl").await?;
    ensure!(r.status() == 409, "duplicate: {}", r.status());
    ensure!(r.json::<Value>().await?["code"] == "duplicate_speaker");
    for (token, status) in [(&w.member, 403), (&w.stranger, 404)] {
        let r = app
            .client
            .post(app.url(&format!("/api/v1/meetings/{}/speakers", w.own)))
            .bearer_auth(token)
            .json(&json!({"name": "Piet", "email": "piet@example.nl"}))
            .send()
            .await?;
        ensure!(
            r.status() == status,
            "expected {status}, got {}",
            r.status()
        );
    }
    w.app.stop().await;
    Ok(())
}

fn part(name: &str, bytes: Vec<u8>, mime: &str) -> Result<reqwest::multipart::Part> {
    Ok(reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)?)
}

pub async fn speakers_upload_slides_and_members_download_them(backend: Backend) -> Result<()> {
    let w = world(&backend, None).await?;
    let app = &w.app;
    ensure!(invite(&w, "sanne@hogeschool.nl").await?.status() == 201);
    let (path, token) = guest_link(&w, "sanne@hogeschool.nl").await?;
    let guest = client();
    let html = guest.get(app.url(&path)).send().await?.text().await?;
    let csrf = csrf_from(&html).context("csrf on the guest page")?;

    // Through the page's form: the file arrives and the page lists it.
    let slides = b"%PDF-1.4 dia's over hitte".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .part(
            "file",
            part("Hitte in Tiel.pdf", slides.clone(), "application/pdf")?,
        );
    let r = guest
        .post(app.url(&format!("{path}/dia")))
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 303, "upload: {}", r.status());
    let back = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("redirect")?
        .to_string();
    ensure!(back.starts_with(&path), "back to the guest page: {back}");
    let html = guest.get(app.url(&back)).send().await?.text().await?;
    ensure!(html.contains("Hitte in Tiel.pdf") && html.contains("Je bestand is opgeslagen"));

    // Without the form's token nothing is stored.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", "fout")
        .part("file", part("x.pdf", b"x".to_vec(), "application/pdf")?);
    let r = guest
        .post(app.url(&format!("{path}/dia")))
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 403, "forged upload: {}", r.status());

    // Through the API with the link's secret: an HTML file is kept, but only as a download.
    let form = reqwest::multipart::Form::new().part(
        "file",
        part(
            "evil.html",
            b"<script>alert(1)</script>".to_vec(),
            "text/html",
        )?,
    );
    let r = client()
        .post(app.url(&format!("/api/v1/meetings/{}/attachments", w.own)))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 201, "api upload: {}", r.status());
    let html_file: Value = r.json().await?;

    // The facilitator lists both files and a member downloads the slides.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{}/attachments", w.own)))
        .bearer_auth(&w.facilitator)
        .send()
        .await?;
    let files: Value = r.json().await?;
    let files = files.as_array().context("list")?;
    ensure!(files.len() == 2, "{files:?}");
    let pdf = files
        .iter()
        .find(|f| f["filename"] == "Hitte in Tiel.pdf")
        .context("slides listed")?;
    ensure!(pdf["size"] == slides.len() && pdf["content_type"] == "application/pdf");
    let id = pdf["id"].as_str().context("id")?;
    let r = app
        .client
        .get(app.url(&format!("/api/v1/attachments/{id}")))
        .bearer_auth(&w.member)
        .send()
        .await?;
    ensure!(r.status() == 200, "member download: {}", r.status());
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    ensure!(
        header("content-disposition").starts_with("attachment;"),
        "{}",
        header("content-disposition")
    );
    ensure!(header("content-disposition").contains("Hitte%20in%20Tiel.pdf"));
    ensure!(header("x-content-type-options") == "nosniff");
    ensure!(r.bytes().await?.as_ref() == slides.as_slice(), "same bytes");
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/attachments/{}",
            html_file["id"].as_str().context("id")?
        )))
        .bearer_auth(&w.member)
        .send()
        .await?;
    ensure!(r.status() == 200);
    ensure!(
        r.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment;")),
        "HTML is never inline"
    );
    ensure!(
        r.headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("sandbox")),
        "sandboxed"
    );

    // Outside the community: 404, as for a missing file.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/attachments/{id}")))
        .bearer_auth(&w.stranger)
        .send()
        .await?;
    ensure!(r.status() == 404, "stranger: {}", r.status());
    let r = client()
        .get(app.url(&format!("/api/v1/attachments/{id}")))
        .send()
        .await?;
    ensure!(r.status() == 401, "anonymous: {}", r.status());

    // A member may not upload to a meeting; oversize files are refused and leave nothing.
    let form = reqwest::multipart::Form::new()
        .part("file", part("a.pdf", b"a".to_vec(), "application/pdf")?);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{}/attachments", w.own)))
        .bearer_auth(&w.member)
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 403, "member upload: {}", r.status());
    let big = vec![b'x'; 1024 * 1024 + 1];
    let form =
        reqwest::multipart::Form::new().part("file", part("groot.pdf", big, "application/pdf")?);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{}/attachments", w.own)))
        .bearer_auth(&w.facilitator)
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 413, "oversize: {}", r.status());
    ensure!(r.json::<Value>().await?["code"] == "file_too_large");
    let r = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{}/attachments", w.own)))
        .bearer_auth(&w.facilitator)
        .send()
        .await?;
    ensure!(
        r.json::<Value>().await?.as_array().map(Vec::len) == Some(2),
        "nothing half-stored"
    );

    // Deleting: the uploader (guest) may, a member may not; afterwards it is 404.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/attachments/{id}")))
        .bearer_auth(&w.member)
        .send()
        .await?;
    ensure!(r.status() == 403, "member delete: {}", r.status());
    let r = client()
        .delete(app.url(&format!("/api/v1/attachments/{id}")))
        .bearer_auth(&token)
        .send()
        .await?;
    ensure!(r.status() == 204, "guest delete: {}", r.status());
    let r = app
        .client
        .get(app.url(&format!("/api/v1/attachments/{id}")))
        .bearer_auth(&w.facilitator)
        .send()
        .await?;
    ensure!(r.status() == 404, "deleted: {}", r.status());
    w.app.stop().await;
    Ok(())
}

pub async fn guest_link_ends_a_week_after_the_meeting(backend: Backend) -> Result<()> {
    let clock = kring::clock::Clock::manual(Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap());
    let w = world(&backend, Some(clock.clone())).await?;
    let app = &w.app;
    ensure!(invite(&w, "sanne@hogeschool.nl").await?.status() == 201);
    let (path, _) = guest_link(&w, "sanne@hogeschool.nl").await?;
    let mail = calendar_mail(app, "sanne@hogeschool.nl", "Uitnodiging als spreker", 1).await?;
    ensure!(
        mail.text().contains("dinsdag 23 maart 2027"),
        "validity in the mail"
    );
    // The meeting ends 16 March 2027 at 16:00 (15:00 UTC): the link works until a week later.
    clock.set(Utc.with_ymd_and_hms(2027, 3, 23, 14, 59, 0).unwrap());
    ensure!(client().get(app.url(&path)).send().await?.status() == 200);
    clock.set(Utc.with_ymd_and_hms(2027, 3, 23, 15, 1, 0).unwrap());
    let r = client().get(app.url(&path)).send().await?;
    ensure!(r.status() == 404, "expired: {}", r.status());
    ensure!(r.text().await?.contains("Deze gastlink werkt niet"));
    w.app.stop().await;
    Ok(())
}
