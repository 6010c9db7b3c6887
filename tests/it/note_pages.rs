//! The note pages through the browser's eyes, without JavaScript: the empty list, the preview,
//! errors beside fields with the values kept, writing, commenting, uploading a file, editing,
//! deleting after a confirmation, the tag filter and "Oudere notities", and who sees which button.

use anyhow::{Context, Result, ensure};
use serde_json::json;

use crate::facilitator_pages::{get, post, sign_in_as};
use crate::harness::csrf_from;
use crate::notes::{world, write};
use crate::topics::call;

const LIST: &str = "/communities/ontmoeten/notities";

pub async fn note_pages_work_without_javascript(backend: crate::harness::Backend) -> Result<()> {
    let w = world(&backend).await?;
    let app = &w.app;
    sign_in_as(app, "anna@tiel.nl").await?;
    get(app, "/communities/ontmoeten")
        .await?
        .contains(&format!("href=\"{LIST}\""))?;
    let page = get(app, LIST).await?;
    page.page(200)?;
    page.contains("Nog geen notities")?;
    page.contains("Alle communities van het programma")?;

    // The preview shows the Markdown rendered and keeps what was typed.
    let fields = [
        ("title", "Groene schoolpleinen"),
        ("body_markdown", "## Aanpak\n\nMet **bomen** en @Bram"),
        ("tags", "hittestress, Bomen"),
        ("visibility", "programme"),
    ];
    let mut with = fields.to_vec();
    with.push(("actie", "voorbeeld"));
    let reply = post(app, LIST, LIST, &with).await?;
    reply.page(200)?;
    reply.contains("<h4>Aanpak</h4>")?;
    reply.contains("<strong>bomen</strong>")?;
    reply.contains(">## Aanpak\n\nMet **bomen** en @Bram</textarea>")?;
    reply.contains("value=\"hittestress, Bomen\"")?;
    reply
        .contains("id=\"visibility-programme\" name=\"visibility\" value=\"programme\" checked")?;

    let reply = post(
        app,
        LIST,
        LIST,
        &[
            ("title", " "),
            ("body_markdown", "Tekst blijft"),
            ("tags", "twee woorden!"),
        ],
    )
    .await?;
    reply.page(422)?;
    reply.contains("href=\"#title\"")?;
    reply.contains("id=\"title-fout\"")?;
    reply.contains("id=\"tags-fout\"")?;
    reply.contains(">Tekst blijft</textarea>")?;

    let reply = post(app, LIST, LIST, &fields).await?;
    reply.redirects("/notities/")?;
    let note_path = reply
        .location
        .split('?')
        .next()
        .context("path")?
        .to_string();
    let note_id = note_path.trim_start_matches("/notities/").to_string();
    let page = get(app, &reply.location).await?;
    page.page(200)?;
    page.contains("Je notitie is geplaatst.")?;
    page.contains("Anna de Vries, Tiel")?;
    page.contains("<h2>Aanpak</h2>")?;
    page.contains("?tag=bomen\">bomen</a>")?;
    page.contains("zichtbaar voor alle communities van het programma")?;
    page.contains("Notitie bewerken")?;

    // Comments: an empty one is refused beside the field; a real one appears with its anchor.
    let comments = format!("{note_path}/reacties");
    let reply = post(app, &comments, &note_path, &[("body_markdown", " ")]).await?;
    reply.page(422)?;
    reply.contains("id=\"body_markdown-fout\"")?;
    let reply = post(
        app,
        &comments,
        &note_path,
        &[("body_markdown", "Wij planten *linden*")],
    )
    .await?;
    reply.redirects(&format!("{note_path}?melding=gereageerd#reactie-"))?;
    let page = get(app, &reply.location).await?;
    page.page(200)?;
    page.contains("<em>linden</em>")?;
    page.contains("Reacties (1)")?;
    let comment = reply
        .location
        .rsplit("#reactie-")
        .next()
        .context("comment id")?
        .to_string();

    // The comment's author edits it and could delete it after a confirmation.
    let edit_comment = format!("{note_path}/reacties/{comment}/bewerken");
    get(app, &edit_comment).await?.page(200)?;
    let reply = post(app, &edit_comment, &edit_comment, &[("body_markdown", "")]).await?;
    reply.page(422)?;
    reply.contains("id=\"body_markdown-fout\"")?;
    let reply = post(
        app,
        &edit_comment,
        &edit_comment,
        &[("body_markdown", "Wij planten *lindes*")],
    )
    .await?;
    reply.redirects(&format!(
        "{note_path}?melding=reactie-opgeslagen#reactie-{comment}"
    ))?;
    let remove_comment = format!("{note_path}/reacties/{comment}/verwijderen");
    let confirm_comment = get(app, &remove_comment).await?;
    confirm_comment.page(200)?;
    confirm_comment.contains("Weet je zeker")?;
    let page = get(app, &note_path).await?;
    page.page(200)?;
    page.contains("<em>lindes</em>")?;

    // A file through the multipart form with the CSRF field first, then listed with a download link.
    let token = csrf_from(&page.html).context("csrf")?;
    let part = reqwest::multipart::Part::bytes(b"schets".to_vec())
        .file_name("Schets plein.pdf")
        .mime_str("application/pdf")?;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("file", part);
    let r = app
        .client
        .post(app.url(&format!("{note_path}/bestanden")))
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 303, "upload: {}", r.status());
    let page = get(app, &format!("{note_path}?melding=bestand")).await?;
    page.page(200)?;
    page.contains("Het bestand is toegevoegd.")?;
    page.contains(">Schets plein.pdf</a>")?;
    page.contains("href=\"/api/v1/attachments/")?;

    // Editing keeps the form's values on an error and saves otherwise.
    let edit = format!("{note_path}/bewerken");
    let form = get(app, &edit).await?;
    form.page(200)?;
    form.contains("value=\"hittestress, bomen\"")?;
    let reply = post(
        app,
        &edit,
        &edit,
        &[
            ("title", ""),
            ("body_markdown", "Nieuw"),
            ("tags", "bomen"),
            ("visibility", "community"),
        ],
    )
    .await?;
    reply.page(422)?;
    reply.contains(">Nieuw</textarea>")?;
    let reply = post(
        app,
        &edit,
        &edit,
        &[
            ("title", "Koele schoolpleinen"),
            ("body_markdown", "Nieuw"),
            ("tags", "bomen"),
            ("visibility", "community"),
        ],
    )
    .await?;
    reply.redirects(&format!("{note_path}?melding=opgeslagen"))?;
    get(app, &reply.location)
        .await?
        .contains("alleen voor deze community")?;

    // Tag filter and "Oudere notities" on the list.
    for i in 0..21 {
        write(&w, &w.bram, json!({"title": format!("Oud {i}"), "tags": if i == 0 { json!(["bomen"]) } else { json!([]) }})).await?;
    }
    let page = get(app, LIST).await?;
    page.page(200)?;
    page.contains("Oudere notities")?;
    page.check(
        !page.html.contains("Koele schoolpleinen"),
        "the first note is on page two",
    )?;
    let at = page.html.find("rel=\"next\"").context("older link")?;
    let href_at = page.html[..at].rfind("href=\"").context("href")? + 6;
    let older = page.html[href_at..]
        .split('"')
        .next()
        .context("older")?
        .replace("&amp;", "&");
    let page = get(app, &older).await?;
    page.page(200)?;
    page.contains("Koele schoolpleinen")?;
    page.contains("Nieuwste notities")?;
    let page = get(app, &format!("{LIST}?tag=bomen")).await?;
    page.page(200)?;
    page.contains("Notities met de tag bomen")?;
    page.contains("Koele schoolpleinen")?;
    page.contains("Oud 0")?;
    page.check(!page.html.contains("Oud 1<"), "only tagged notes")?;

    // Another member comments but sees no edit links, and may not open the edit form.
    sign_in_as(app, "bram@tiel.nl").await?;
    let page = get(app, &note_path).await?;
    page.page(200)?;
    page.check(
        !page.html.contains("Notitie bewerken"),
        "no edit link for others",
    )?;
    get(app, &edit).await?.page(403)?;
    let (status, _) = call(
        app,
        &w.stranger,
        "GET",
        &format!("/api/v1/notes/{note_id}"),
        None,
    )
    .await?;
    ensure!(status == 404);

    // The author deletes after a confirmation step.
    sign_in_as(app, "anna@tiel.nl").await?;
    let confirm = format!("{note_path}/verwijderen");
    let page = get(app, &confirm).await?;
    page.page(200)?;
    page.contains("Weet je zeker")?;
    let reply = post(app, &confirm, &confirm, &[]).await?;
    reply.redirects(&format!("{LIST}?melding=verwijderd"))?;
    get(app, &note_path).await?.page(404)?;
    w.app.stop().await;
    Ok(())
}
