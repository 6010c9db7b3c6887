//! The practice example pages without JavaScript: the public catalogue with its sign-in hint and
//! filters, sharing through the form (errors beside the fields, values kept, Dutch numbers),
//! the card with euros and m², editing, a photo upload and deleting.

use anyhow::{Context, Result, ensure};

use crate::facilitator_pages::{Answer, get, post, sign_in_as};
use crate::harness::{Backend, client};
use crate::practice_files::png;
use crate::practices::{example, share, world};

pub async fn practice_pages_work_without_javascript(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let app = &w.app;
    share(
        &w,
        &w.anna,
        example(
            "Wadi bij de sporthal",
            "GM0193",
            "public",
            &["wateroverlast"],
        ),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example("Geheime tuin", "GM0193", "community", &["vergroening"]),
    )
    .await?;

    // Anonymous: the public catalogue, a hint to sign in, no way to share.
    let list = get(app, "/praktijkvoorbeelden").await?;
    let html = list.page(200)?;
    list.check(
        html.contains("Wadi bij de sporthal") && !html.contains("Geheime tuin"),
        "public only",
    )?;
    list.check(
        html.contains("Log in</a> om ook de voorbeelden"),
        "sign-in hint",
    )?;
    list.check(
        !html.contains("/praktijkvoorbeelden/nieuw"),
        "no share button",
    )?;
    list.check(
        html.contains("href=\"/praktijkvoorbeelden\">Praktijkvoorbeelden</a>"),
        "in the navigation",
    )?;
    let empty = get(app, "/praktijkvoorbeelden?theme=groene-daken").await?;
    empty.page(200)?;
    empty.contains("Er zijn geen praktijkvoorbeelden die bij dit filter passen.")?;
    get(app, "/praktijkvoorbeelden/kaart").await?.page(200)?;
    let r = get(app, "/praktijkvoorbeelden/nieuw").await?;
    r.check(
        r.status == 303 && r.location.starts_with("/inloggen"),
        "sign in to share",
    )?;

    // A member shares through the form; errors appear beside the fields with the values kept.
    sign_in_as(app, "anna@tiel.nl").await?;
    let list = get(app, "/praktijkvoorbeelden").await?;
    list.page(200)?;
    list.check(
        list.html.contains("Geheime tuin") && list.html.contains("/praktijkvoorbeelden/nieuw"),
        "member view",
    )?;
    let form = get(app, "/praktijkvoorbeelden/nieuw").await?;
    form.page(200)?;
    form.contains("value=\"klein\" selected")?;
    let wrong = post(
        app,
        "/praktijkvoorbeelden/nieuw",
        "/praktijkvoorbeelden/nieuw",
        &[
            ("title", ""),
            ("organisation_code", "GM0599"),
            ("summary", "Sedum op 800 m²"),
            ("cost_eur", "twaalf"),
            ("lat", "51,92"),
            ("community", "klein"),
            ("visibility", "community"),
        ],
    )
    .await?;
    wrong.page(422)?;
    for message in [
        "Geef het praktijkvoorbeeld een titel.",
        "Kies minstens één thema.",
        "Vul een heel getal in",
        "Vul ook de lengtegraad in",
    ] {
        wrong.contains(message)?;
    }
    wrong.contains("Sedum op 800 m²</textarea>")?;
    wrong.contains("value=\"51,92\"")?;
    wrong.contains("value=\"GM0599\" selected")?;
    let shared = post(
        app,
        "/praktijkvoorbeelden/nieuw",
        "/praktijkvoorbeelden/nieuw",
        &[
            ("title", "Groen dak op de bibliotheek"),
            ("organisation_code", "GM0599"),
            ("themes", "groene-daken"),
            ("themes", "biodiversiteit"),
            ("summary", "Sedum op 800 m²"),
            ("body_markdown", "# Aanpak\n\nMet **bewoners**."),
            ("lessons_learned", "Plan het onderhoud vooraf."),
            ("year", "2024"),
            ("cost_eur", "€ 12.500"),
            ("area_m2", "800"),
            ("lat", "51,92"),
            ("lon", "4,48"),
            ("community", "klein"),
            ("visibility", "programme"),
        ],
    )
    .await?;
    shared.redirects("/praktijkvoorbeelden/")?;
    let path = shared
        .location
        .split('?')
        .next()
        .context("path")?
        .to_string();
    let card = get(app, &shared.location).await?;
    let html = card.page(200)?;
    for needle in [
        "Je praktijkvoorbeeld is gedeeld.",
        "€ 12.500",
        "800 m²",
        "Groene daken",
        "Biodiversiteit",
        "51,92000 N, 4,48000 O",
        "<h3>Aanpak</h3>",
        "<strong>bewoners</strong>",
        "Plan het onderhoud vooraf.",
        "De communities van het programma van Community klein",
        ">Bewerken</a>",
    ] {
        card.check(html.contains(needle), needle)?;
    }
    let (status, body) = crate::topics::call(
        app,
        &w.bram,
        "GET",
        &format!(
            "/api/v1{}",
            path.replace("praktijkvoorbeelden", "practices")
        ),
        None,
    )
    .await?;
    ensure!(
        status == 200 && body["cost_eur"] == 12500 && body["location"]["lon"] == 4.48,
        "{status} {body}"
    );

    // Editing keeps what is typed; a photo becomes a thumbnail on the card.
    let edit = get(app, &format!("{path}/bewerken")).await?;
    edit.page(200)?;
    edit.contains("value=\"12500\"")?;
    edit.contains("value=\"groene-daken\" checked")?;
    let saved = post(
        app,
        &format!("{path}/bewerken"),
        &format!("{path}/bewerken"),
        &[
            ("title", "Groen dak op de centrale bibliotheek"),
            ("organisation_code", "GM0599"),
            ("themes", "groene-daken"),
            ("summary", "Sedum"),
            ("year", ""),
            ("cost_eur", ""),
            ("area_m2", "800"),
            ("lat", ""),
            ("lon", ""),
            ("community", "klein"),
            ("visibility", "public"),
        ],
    )
    .await?;
    saved.redirects(&path)?;
    let card = get(app, &path).await?;
    card.page(200)?;
    card.check(
        card.html.contains("Groen dak op de centrale bibliotheek") && !card.html.contains("€"),
        "saved",
    )?;
    let token = app.csrf(&path).await?;
    let part = reqwest::multipart::Part::bytes(png(600, 600)?)
        .file_name("dak.png")
        .mime_str("image/png")?;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("file", part);
    let r = app
        .client
        .post(app.url(&format!("{path}/bestanden")))
        .multipart(form)
        .send()
        .await?;
    Answer::from("upload".into(), r).await?.redirects(&path)?;
    let card = get(app, &path).await?;
    card.page(200)?;
    card.check(
        card.html.contains("/fotos/")
            && card
                .html
                .contains("alt=\"Foto bij Groen dak op de centrale bibliotheek: dak.png\""),
        "photo",
    )?;
    // Now public: also on the anonymous catalogue, with its photo.
    let anonymous = client()
        .get(app.url("/praktijkvoorbeelden?organisation=GM0599"))
        .send()
        .await?
        .text()
        .await?;
    ensure!(
        anonymous.contains("Groen dak op de centrale bibliotheek") && anonymous.contains("/fotos/"),
        "public card"
    );

    // Someone who may only read sees no edit buttons and gets 403 on the form.
    sign_in_as(app, "bram@utrecht.nl").await?;
    let seen = get(app, &path).await?;
    seen.page(200)?;
    seen.check(!seen.html.contains("/bewerken"), "no edit link")?;
    ensure!(get(app, &format!("{path}/bewerken")).await?.status == 403);

    // The author deletes it.
    sign_in_as(app, "anna@tiel.nl").await?;
    let deleted = post(app, &format!("{path}/verwijderen"), &path, &[]).await?;
    deleted.redirects("/praktijkvoorbeelden?melding=verwijderd")?;
    ensure!(get(app, &path).await?.status == 404);
    w.app.stop().await;
    Ok(())
}
