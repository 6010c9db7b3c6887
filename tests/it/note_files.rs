//! Notes through the API, continued: `@name` mentions e-mail exactly the mentioned members who can
//! see the note, and files on notes are downloads for exactly those who see the note.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::Backend;
use crate::notes::{World, id, world, write};
use crate::topics::call;

/// The mention e-mails received so far: (recipient, subject).
fn mentions(w: &World) -> Result<Vec<(String, String)>> {
    let sink = w.app.smtp.as_ref().context("a sink")?;
    Ok(sink
        .mails()
        .into_iter()
        .filter(|m| m.subject().contains("noemde je"))
        .map(|m| (m.to.join(","), m.subject()))
        .collect())
}

pub async fn mentions_email_the_mentioned_member_only(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    // Bram by full name, Olga (another programme), Sanne (sibling, but the note is for this
    // community only) and Anna herself: only Bram is told.
    let note = write(&w, &w.anna, json!({"title": "Boomspiegels",
        "body_markdown": "Vraag aan @bram bakker, @Olga, @Sanne Smit en @Anna de Vries: wat kost een boomspiegel?"})).await?;
    let n = id(&note)?;
    let sink = w.app.smtp.as_ref().context("a sink")?;
    crate::harness::eventually(Duration::from_secs(10), "a mention", || async {
        Ok(!mentions(&w)?.is_empty())
    })
    .await?;
    let mail = sink
        .mails()
        .into_iter()
        .find(|m| m.subject().contains("noemde je"))
        .context("mail")?;
    ensure!(mail.to == ["bram@tiel.nl"], "{:?}", mail.to);
    ensure!(
        mail.subject() == "Anna de Vries noemde je in \u{201c}Boomspiegels\u{201d}",
        "{}",
        mail.subject()
    );
    let unsubscribe = mail.header("List-Unsubscribe").unwrap_or_default();
    ensure!(
        unsubscribe == format!("<{}/account>", w.app.base),
        "{unsubscribe}"
    );
    ensure!(
        mail.text()
            .contains(&format!("{}/notities/{n}", w.app.base))
            && mail.text().contains("wat kost een boomspiegel?"),
        "{}",
        mail.text()
    );
    ensure!(
        mail.html().is_some_and(|h| h.contains("/account")),
        "preferences link"
    );

    // A comment with a unique first name reaches Anna; an edit mails only who is new (Fleur).
    let path = format!("/api/v1/notes/{n}/comments");
    let (status, _) = call(
        &w.app,
        &w.bram,
        "POST",
        &path,
        Some(json!({"body_markdown": "@anna: zo'n 800 euro"})),
    )
    .await?;
    ensure!(status == 201);
    let body = "Vraag aan @bram bakker en @Fleur: wat kost een boomspiegel?";
    let (status, _) = call(
        &w.app,
        &w.anna,
        "PATCH",
        &format!("/api/v1/notes/{n}"),
        Some(json!({"body_markdown": body})),
    )
    .await?;
    ensure!(status == 200);
    // Members who turned notifications off are not mailed.
    let (status, _) = call(
        &w.app,
        &w.fleur,
        "PATCH",
        "/api/v1/me",
        Some(json!({"notification_frequency": "off"})),
    )
    .await?;
    ensure!(status == 200);
    let (status, _) = call(
        &w.app,
        &w.bram,
        "POST",
        &path,
        Some(json!({"body_markdown": "Dank @Fleur Facilitator"})),
    )
    .await?;
    ensure!(status == 201);
    crate::harness::eventually(Duration::from_secs(10), "three mentions", || async {
        Ok(mentions(&w)?.len() >= 3)
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let got = mentions(&w)?;
    let to: Vec<&str> = got.iter().map(|(to, _)| to.as_str()).collect();
    ensure!(
        to.len() == 3
            && to.contains(&"bram@tiel.nl")
            && to.contains(&"anna@tiel.nl")
            && to.contains(&"fleur@vereniging.nl"),
        "{got:?}"
    );
    ensure!(
        got.iter()
            .any(|(to, s)| to == "anna@tiel.nl" && s.starts_with("Bram Bakker noemde je")),
        "{got:?}"
    );
    w.app.stop().await;
    Ok(())
}

fn file(name: &str, bytes: Vec<u8>) -> Result<reqwest::multipart::Form> {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/pdf")?;
    Ok(reqwest::multipart::Form::new().part("file", part))
}

async fn upload(
    w: &World,
    token: &str,
    note: &str,
    form: reqwest::multipart::Form,
) -> Result<(u16, Value)> {
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/api/v1/notes/{note}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

async fn download(w: &World, token: &str, file: &str) -> Result<reqwest::Response> {
    Ok(w.app
        .client
        .get(w.app.url(&format!("/api/v1/attachments/{file}")))
        .bearer_auth(token)
        .send()
        .await?)
}

pub async fn note_files_are_downloads_for_viewers_only(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let n = id(&write(
        &w,
        &w.anna,
        json!({"title": "Plan", "body_markdown": "Zie bijlage"}),
    )
    .await?)?;
    let bytes = b"%PDF-1.4 plan voor de wadi".to_vec();
    let (status, stored) = upload(&w, &w.anna, &n, file("Plan wadi.pdf", bytes.clone())?).await?;
    ensure!(
        status == 201
            && stored["filename"] == "Plan wadi.pdf"
            && stored["size"] == bytes.len()
            && stored["content_type"] == "application/pdf"
            && stored["sha256"].as_str().is_some_and(|s| s.len() == 64),
        "{stored}"
    );
    let f = id(&stored)?;
    let (_, note) = call(&w.app, &w.bram, "GET", &format!("/api/v1/notes/{n}"), None).await?;
    ensure!(note["attachments"][0]["id"] == f.as_str(), "{note}");

    let r = download(&w, &w.bram, &f).await?;
    ensure!(r.status() == 200, "member: {}", r.status());
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    ensure!(
        header("content-disposition").starts_with("attachment;")
            && header("x-content-type-options") == "nosniff",
        "{} {}",
        header("content-disposition"),
        header("x-content-type-options")
    );
    ensure!(r.bytes().await?.as_ref() == bytes.as_slice());
    for token in [&w.stranger, &w.sanne, &w.olga] {
        ensure!(download(&w, token, &f).await?.status() == 404);
    }
    // Shared with the programme, the sibling community's member downloads it too.
    call(
        &w.app,
        &w.anna,
        "PATCH",
        &format!("/api/v1/notes/{n}"),
        Some(json!({"visibility": "programme"})),
    )
    .await?;
    ensure!(download(&w, &w.sanne, &f).await?.status() == 200);
    ensure!(download(&w, &w.olga, &f).await?.status() == 404);

    ensure!(
        upload(&w, &w.bram, &n, file("b.pdf", b"b".to_vec())?)
            .await?
            .0
            == 403,
        "only author or facilitator"
    );
    ensure!(
        upload(&w, &w.fleur, &n, file("f.pdf", b"f".to_vec())?)
            .await?
            .0
            == 201
    );
    let (status, problem) = upload(
        &w,
        &w.anna,
        &n,
        file("groot.pdf", vec![b'x'; 1024 * 1024 + 1])?,
    )
    .await?;
    ensure!(
        status == 413 && problem["code"] == "file_too_large",
        "{status} {problem}"
    );

    // A deleted note's files are gone.
    ensure!(
        call(
            &w.app,
            &w.anna,
            "DELETE",
            &format!("/api/v1/notes/{n}"),
            None
        )
        .await?
        .0 == 204
    );
    ensure!(download(&w, &w.anna, &f).await?.status() == 404);
    ensure!(download(&w, &w.admin, &f).await?.status() == 404);
    w.app.stop().await;
    Ok(())
}
