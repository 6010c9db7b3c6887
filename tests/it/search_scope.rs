//! With 1,000 notes spread over three communities in two programmes, plus comments, published
//! minutes and files, nobody's search or listing returns a note, comment, file or minutes of a
//! community they are not in (programme-wide notes only within their programme).

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, client};
use crate::notes::world;
use crate::topics::call;

async fn user_of(w: &crate::notes::World, token: &str) -> Result<kring::db::users::User> {
    let (status, me) = call(&w.app, token, "GET", "/api/v1/me", None).await?;
    ensure!(status == 200, "me: {me}");
    let id = me["id"].as_str().context("id")?;
    kring::db::users::find(&w.app.db, id).await?.context("user")
}

async fn search(w: &crate::notes::World, token: &str, q: &str, kind: &str) -> Result<Vec<Value>> {
    let path = format!("/api/v1/search?q={q}&kind={kind}&limit=50");
    let (status, body) = call(&w.app, token, "GET", &path, None).await?;
    ensure!(status == 200, "search: {body}");
    Ok(body["items"].as_array().context("items")?.clone())
}

pub async fn nobody_finds_what_they_may_not_see(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let state = w.app.state();
    let communities = [
        ("ontmoeten", &w.anna),
        ("buren", &w.sanne),
        ("elders", &w.olga),
    ];
    let mut authors = Vec::new();
    for (slug, token) in communities {
        let id = kring::db::communities::find(&w.app.db, slug)
            .await?
            .context("community")?
            .id;
        authors.push((slug, id, user_of(&w, token).await?));
    }
    let mut notes: Vec<(usize, kring::db::notes::Note)> = Vec::new();
    for i in 0..1_000 {
        let (_, community_id, author) = &authors[i % 3];
        let draft = kring::note::Draft {
            title: format!("Wadi notitie {i}"),
            body_markdown: format!("Ervaringen met wadi's en groene daken, nummer {i}."),
            tags: vec!["wadi".into()],
            visibility: Some(if i % 5 == 0 { "programme" } else { "community" }.into()),
        };
        let note = kring::note::create(state, author, community_id, &draft).await?;
        if i % 10 == 0 {
            kring::note::comments::add(state, author, &note, "Een wadi reactie.").await?;
        }
        notes.push((i % 3, note));
    }
    // A file on a note of `buren`, and published minutes in `buren`.
    let (_, buren_note) = notes
        .iter()
        .find(|(c, _)| *c == 1)
        .context("a buren note")?;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"wadi".to_vec()).file_name("wadi.pdf"),
    );
    let r = client()
        .post(
            w.app
                .url(&format!("/api/v1/notes/{}/attachments", buren_note.id)),
        )
        .bearer_auth(&w.sanne)
        .multipart(form)
        .send()
        .await?;
    ensure!(r.status() == 201, "attachment: {}", r.status());
    let file: Value = r.json().await?;
    let (status, meeting) = call(
        &w.app,
        &w.admin,
        "POST",
        "/api/v1/communities/buren/meetings",
        Some(json!({
        "title": "Wadi-overleg", "kind": "online", "starts_at": "2026-03-01T14:00:00+01:00",
        "ends_at": "2026-03-01T16:00:00+01:00", "online_url": "https://meet.example/wadi"})),
    )
    .await?;
    ensure!(status == 201, "meeting: {meeting}");
    let meeting = meeting["id"].as_str().context("id")?.to_string();
    let path = format!("/api/v1/meetings/{meeting}/minutes");
    let (status, _) = call(
        &w.app,
        &w.admin,
        "PUT",
        &path,
        Some(json!({
        "body_markdown": "We spraken over wadi's.", "decisions": ["Wadi's eerst"], "actions": []})),
    )
    .await?;
    ensure!(status == 200, "minutes: {status}");
    let (status, _) = call(&w.app, &w.admin, "POST", &format!("{path}/publish"), None).await?;
    ensure!(status == 200 || status == 204, "publish: {status}");

    // Olga (elders, another programme) finds only elders.
    for kind in ["note", "comment", "minutes", ""] {
        let items = search(&w, &w.olga, "wadi", kind).await?;
        if kind != "minutes" {
            ensure!(!items.is_empty(), "olga finds her own {kind}");
        }
        for item in &items {
            ensure!(item["community"] == "elders", "olga found {item}");
        }
    }
    // Anna (ontmoeten) finds her community and the programme-wide notes of buren, never elders,
    // and everything she finds opens for her.
    let mut buren_seen = false;
    for kind in ["note", "comment", "minutes"] {
        for item in search(&w, &w.anna, "wadi", kind).await? {
            ensure!(item["community"] != "elders", "anna found {item}");
            buren_seen |= item["community"] == "buren";
            if kind == "note" {
                let id = item["id"].as_str().context("id")?;
                let (status, note) =
                    call(&w.app, &w.anna, "GET", &format!("/api/v1/notes/{id}"), None).await?;
                ensure!(status == 200, "anna may open what she finds: {item}");
                ensure!(
                    item["community"] == "ontmoeten" || note["visibility"] == "programme",
                    "a buren note anna finds is programme-wide: {note}"
                );
            }
            ensure!(kind != "minutes", "anna found minutes of buren: {item}");
        }
    }
    ensure!(
        buren_seen,
        "programme-wide notes of buren are found by anna"
    );
    // Someone in no community finds nothing.
    ensure!(search(&w, &w.stranger, "wadi", "").await?.is_empty());

    // Listings and direct reads outside one's communities are 404.
    for slug in ["ontmoeten", "buren"] {
        let (status, _) = call(
            &w.app,
            &w.olga,
            "GET",
            &format!("/api/v1/communities/{slug}/notes"),
            None,
        )
        .await?;
        ensure!(status == 404, "olga lists {slug}: {status}");
    }
    let (status, page) = call(
        &w.app,
        &w.olga,
        "GET",
        "/api/v1/communities/elders/notes?limit=100",
        None,
    )
    .await?;
    ensure!(status == 200);
    for item in page["items"].as_array().context("items")? {
        ensure!(item["community"] == "elders", "elders list holds {item}");
    }
    for (community, note) in notes.iter().filter(|(c, _)| *c != 2).take(40) {
        for path in [
            format!("/api/v1/notes/{}", note.id),
            format!("/api/v1/notes/{}/comments", note.id),
        ] {
            let (status, _) = call(&w.app, &w.olga, "GET", &path, None).await?;
            ensure!(
                status == 404,
                "olga reads {path} of community {community}: {status}"
            );
        }
    }
    let file_path = format!("/api/v1/attachments/{}", file["id"].as_str().context("id")?);
    let (status, _) = call(&w.app, &w.olga, "GET", &file_path, None).await?;
    ensure!(status == 404, "olga downloads a buren file: {status}");
    let (status, _) = call(&w.app, &w.anna, "GET", &path, None).await?;
    ensure!(status == 404, "anna reads buren's minutes: {status}");
    let (status, _) = call(&w.app, &w.sanne, "GET", &path, None).await?;
    ensure!(status == 200, "sanne reads her own minutes: {status}");
    w.app.stop().await;
    Ok(())
}
