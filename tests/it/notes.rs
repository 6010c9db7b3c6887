//! Notes through the API: writing, listing newest first with keyset cursors and a tag filter,
//! who may change what (author, facilitator, other member 403, outsiders 404 on every route),
//! programme-wide notes, and the search index kept in step. Mentions and files: `note_files.rs`.

use anyhow::{Context, Result, ensure};
use kring::db::Db;
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};
use crate::topics::call;

/// Two communities of one programme (`ontmoeten` with facilitator Fleur and members Anna and
/// Bram, `buren` with Sanne), one of another programme (`elders`, Olga), someone in no
/// community, and an administrator who is in none either. API tokens of each.
pub(crate) struct World {
    pub app: TestApp,
    pub admin: String,
    pub fleur: String,
    pub anna: String,
    pub bram: String,
    pub sanne: String,
    pub olga: String,
    pub stranger: String,
}

async fn member(app: &TestApp, admin: &str, slug: &str, name: &str, email: &str) -> Result<String> {
    let body = json!({"name": name, "email": email, "organisation_code": "GM0281"});
    let path = format!("/api/v1/communities/{slug}/members");
    let (status, added) = call(app, admin, "POST", &path, Some(body)).await?;
    ensure!(status == 201, "member {email}: {status} {added}");
    let id = added["user_id"].as_str().context("user_id")?;
    let user = kring::db::users::find(&app.db, id).await?.context("user")?;
    app.token_for(&user).await
}

pub(crate) async fn world(backend: &Backend) -> Result<World> {
    let app = TestApp::start(backend).await?;
    let admin = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    let admin = app.token_for(&admin).await?;
    for p in ["groen", "ander"] {
        let body = json!({"slug": p, "name": format!("Programma {p}")});
        let (status, body) = call(&app, &admin, "POST", "/api/v1/programmes", Some(body)).await?;
        ensure!(status == 201, "programme: {body}");
    }
    for (slug, programme) in [
        ("ontmoeten", "groen"),
        ("buren", "groen"),
        ("elders", "ander"),
    ] {
        let body = json!({"slug": slug, "name": format!("Community {slug}"), "programme": programme,
            "eligibility": {"require_member_or_participant": false}});
        let (status, body) = call(&app, &admin, "POST", "/api/v1/communities", Some(body)).await?;
        ensure!(status == 201, "community: {body}");
    }
    let fleur = app
        .create_user("fleur@vereniging.nl", "Fleur Facilitator", false)
        .await?;
    let path = "/api/v1/communities/ontmoeten/facilitators";
    let (status, _) = call(
        &app,
        &admin,
        "POST",
        path,
        Some(json!({"user_id": fleur.id})),
    )
    .await?;
    ensure!(status == 201, "facilitator");
    let fleur = app.token_for(&fleur).await?;
    let anna = member(&app, &admin, "ontmoeten", "Anna de Vries", "anna@tiel.nl").await?;
    let bram = member(&app, &admin, "ontmoeten", "Bram Bakker", "bram@tiel.nl").await?;
    let sanne = member(&app, &admin, "buren", "Sanne Smit", "sanne@tiel.nl").await?;
    let olga = member(&app, &admin, "elders", "Olga Peters", "olga@tiel.nl").await?;
    let stranger = app
        .create_user("buiten@elders.nl", "Buitenstaander", false)
        .await?;
    let stranger = app.token_for(&stranger).await?;
    Ok(World {
        app,
        admin,
        fleur,
        anna,
        bram,
        sanne,
        olga,
        stranger,
    })
}

/// Writes a note in `ontmoeten`; its JSON.
pub(crate) async fn write(w: &World, token: &str, body: Value) -> Result<Value> {
    let path = "/api/v1/communities/ontmoeten/notes";
    let (status, note) = call(&w.app, token, "POST", path, Some(body)).await?;
    ensure!(status == 201, "write: {status} {note}");
    Ok(note)
}

/// The number of search documents of a kind.
pub(crate) async fn indexed(db: &Db, kind: &str) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM search_docs WHERE kind = $1";
    Ok(match db {
        Db::Sqlite { read, .. } => sqlx::query_scalar(sql).bind(kind).fetch_one(read).await?,
        Db::Postgres(pool) => sqlx::query_scalar(sql).bind(kind).fetch_one(pool).await?,
    })
}

pub(crate) fn id(v: &Value) -> Result<String> {
    Ok(v["id"].as_str().context("id")?.to_string())
}

/// The titles of every page of a list, following `next_cursor`, with the page sizes.
async fn all_pages(w: &World, token: &str, query: &str) -> Result<(Vec<String>, Vec<usize>)> {
    let (mut titles, mut sizes, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let mut path = format!("/api/v1/communities/ontmoeten/notes?limit=10{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = call(&w.app, token, "GET", &path, None).await?;
        ensure!(status == 200, "{path}: {status} {page}");
        let items = page["items"].as_array().context("items")?;
        sizes.push(items.len());
        titles.extend(
            items
                .iter()
                .map(|n| n["title"].as_str().unwrap_or("").to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return Ok((titles, sizes)),
        }
    }
}

pub async fn notes_are_written_listed_and_paged(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let note = write(&w, &w.anna, json!({"title": "  Wadi's na vijf jaar ",
        "body_markdown": "# Ervaringen\n\n**Verstopte** inlaten <script>alert(1)</script> [site](javascript:alert(1))",
        "tags": ["Wadi", "#hittestress", "wadi"]})).await?;
    let html = note["body_html"].as_str().context("html")?;
    ensure!(
        note["title"] == "Wadi's na vijf jaar"
            && note["tags"] == json!(["wadi", "hittestress"])
            && note["visibility"] == "community"
            && note["community"] == "ontmoeten"
            && note["author"]["name"] == "Anna de Vries"
            && note["author"]["organisation"] == "Tiel"
            && note["can_edit"] == true
            && note["comment_count"] == 0
            && html.contains("<h2>Ervaringen</h2>")
            && html.contains("<strong>Verstopte</strong>")
            && !html.contains("<script")
            && !html.contains("javascript:"),
        "{note}"
    );
    for (body, field, code) in [
        (
            json!({"title": " ", "body_markdown": "x"}),
            "title",
            "validation_failed",
        ),
        (
            json!({"title": "x".repeat(201)}),
            "title",
            "validation_failed",
        ),
        (
            json!({"title": "t", "body_markdown": "x".repeat(100_001)}),
            "body_markdown",
            "validation_failed",
        ),
        (
            json!({"title": "t", "tags": ["groene daken"]}),
            "tags",
            "validation_failed",
        ),
        (
            json!({"title": "t", "tags": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "tags",
            "validation_failed",
        ),
        (
            json!({"title": "t", "visibility": "iedereen"}),
            "visibility",
            "validation_failed",
        ),
        (
            json!({"title": "t", "pinned": true}),
            "pinned",
            "unknown_field",
        ),
    ] {
        let path = "/api/v1/communities/ontmoeten/notes";
        let (status, problem) = call(&w.app, &w.anna, "POST", path, Some(body)).await?;
        ensure!(
            status == 422 && problem["code"] == code && problem["errors"][0]["field"] == field,
            "{field}: {status} {problem}"
        );
    }

    // 25 more notes, every third tagged `bomen`: pages of 10, newest first, each once.
    for i in 1..=25 {
        let tags = if i % 3 == 0 {
            json!(["bomen"])
        } else {
            json!([])
        };
        write(
            &w,
            &w.bram,
            json!({"title": format!("Notitie {i:02}"), "body_markdown": "tekst", "tags": tags}),
        )
        .await?;
    }
    let (titles, sizes) = all_pages(&w, &w.anna, "").await?;
    ensure!(sizes == [10, 10, 6], "{sizes:?}");
    let mut expected: Vec<String> = (1..=25).rev().map(|i| format!("Notitie {i:02}")).collect();
    expected.push("Wadi's na vijf jaar".into());
    ensure!(titles == expected, "{titles:?}");
    let (titles, _) = all_pages(&w, &w.anna, "&tag=Bomen").await?;
    ensure!(
        titles
            == [
                "Notitie 24",
                "Notitie 21",
                "Notitie 18",
                "Notitie 15",
                "Notitie 12",
                "Notitie 09",
                "Notitie 06",
                "Notitie 03"
            ],
        "{titles:?}"
    );
    let (titles, _) = all_pages(&w, &w.anna, "&tag=hittestress").await?;
    ensure!(titles == ["Wadi's na vijf jaar"], "{titles:?}");
    for query in ["?cursor=rommel", "?tag=twee%20woorden"] {
        let path = format!("/api/v1/communities/ontmoeten/notes{query}");
        let (status, _) = call(&w.app, &w.anna, "GET", &path, None).await?;
        ensure!(status == 422, "{query}: {status}");
    }
    ensure!(
        indexed(&w.app.db, "note").await? == 26,
        "a search document per note"
    );
    w.app.stop().await;
    Ok(())
}

pub async fn note_rights_and_programme_visibility(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let note = write(
        &w,
        &w.anna,
        json!({"title": "Hitte", "body_markdown": "Schaduw"}),
    )
    .await?;
    let n = id(&note)?;
    let (status, c) = call(
        &w.app,
        &w.bram,
        "POST",
        &format!("/api/v1/notes/{n}/comments"),
        Some(json!({"body_markdown": "Goed idee"})),
    )
    .await?;
    ensure!(
        status == 201 && c["author"]["name"] == "Bram Bakker" && c["can_edit"] == true,
        "{c}"
    );
    let comment = id(&c)?;
    ensure!(indexed(&w.app.db, "comment").await? == 1);

    // Another member reads and comments but may not change; author and facilitator may.
    let patch = |t: &str| Some(json!({"title": t}));
    let note_path = format!("/api/v1/notes/{n}");
    let (status, seen) = call(&w.app, &w.bram, "GET", &note_path, None).await?;
    ensure!(
        status == 200 && seen["can_edit"] == false && seen["comment_count"] == 1,
        "{seen}"
    );
    ensure!(
        call(&w.app, &w.bram, "PATCH", &note_path, patch("Van Bram"))
            .await?
            .0
            == 403
    );
    ensure!(call(&w.app, &w.bram, "DELETE", &note_path, None).await?.0 == 403);
    let (status, changed) = call(
        &w.app,
        &w.fleur,
        "PATCH",
        &note_path,
        patch("Hitte in de wijk"),
    )
    .await?;
    ensure!(
        status == 200
            && changed["title"] == "Hitte in de wijk"
            && changed["body_markdown"] == "Schaduw",
        "{changed}"
    );
    ensure!(
        call(
            &w.app,
            &w.anna,
            "PATCH",
            &note_path,
            Some(json!({"tags": ["hitte"]}))
        )
        .await?
        .0 == 200
    );
    let comment_path = format!("/api/v1/comments/{comment}");
    let text = Some(json!({"body_markdown": "Anders"}));
    ensure!(
        call(&w.app, &w.anna, "PATCH", &comment_path, text.clone())
            .await?
            .0
            == 403,
        "note author is not comment author"
    );
    ensure!(
        call(&w.app, &w.fleur, "PATCH", &comment_path, text.clone())
            .await?
            .0
            == 200
    );
    ensure!(
        call(
            &w.app,
            &w.bram,
            "PATCH",
            &comment_path,
            Some(json!({"body_markdown": " "}))
        )
        .await?
        .0 == 422
    );

    // Outside the community every note route is 404, as for a missing note.
    let routes = [
        ("GET", note_path.clone()),
        ("PATCH", note_path.clone()),
        ("DELETE", note_path.clone()),
        ("GET", format!("{note_path}/comments")),
        ("POST", format!("{note_path}/comments")),
        ("PATCH", comment_path.clone()),
        ("DELETE", comment_path.clone()),
        ("GET", "/api/v1/communities/ontmoeten/notes".to_string()),
        ("POST", "/api/v1/communities/ontmoeten/notes".to_string()),
    ];
    for token in [&w.stranger, &w.sanne, &w.olga] {
        for (method, path) in &routes {
            let body = match (*method, path.contains("comment")) {
                ("GET" | "DELETE", _) => None,
                (_, true) => Some(json!({"body_markdown": "x"})),
                (_, false) => Some(json!({"title": "x"})),
            };
            let (status, _) = call(&w.app, token, method, path, body).await?;
            ensure!(status == 404, "{method} {path}: {status}");
        }
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.txt"),
        );
        let r = w
            .app
            .client
            .post(w.app.url(&format!("{note_path}/attachments")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?;
        ensure!(r.status() == 404, "upload: {}", r.status());
    }
    ensure!(
        call(&w.app, &w.admin, "GET", &note_path, None).await?.0 == 200,
        "admins see everything"
    );

    // Shared with the programme: Sanne of the sibling community reads, comments and finds it in
    // her community's list; Olga of another programme still gets 404.
    let (status, shared) = call(
        &w.app,
        &w.anna,
        "PATCH",
        &note_path,
        Some(json!({"visibility": "programme"})),
    )
    .await?;
    ensure!(
        status == 200 && shared["visibility"] == "programme",
        "{shared}"
    );
    let (status, seen) = call(&w.app, &w.sanne, "GET", &note_path, None).await?;
    ensure!(status == 200 && seen["can_edit"] == false, "{seen}");
    let (status, _) = call(
        &w.app,
        &w.sanne,
        "POST",
        &format!("{note_path}/comments"),
        Some(json!({"body_markdown": "Bij ons ook"})),
    )
    .await?;
    ensure!(status == 201);
    ensure!(
        call(&w.app, &w.sanne, "PATCH", &note_path, patch("x"))
            .await?
            .0
            == 403
    );
    let (_, list) = call(
        &w.app,
        &w.sanne,
        "GET",
        "/api/v1/communities/buren/notes",
        None,
    )
    .await?;
    ensure!(
        list["items"].as_array().is_some_and(|i| i.len() == 1)
            && list["items"][0]["community"] == "ontmoeten",
        "{list}"
    );
    let (_, list) = call(
        &w.app,
        &w.olga,
        "GET",
        "/api/v1/communities/elders/notes",
        None,
    )
    .await?;
    ensure!(list["items"] == json!([]), "{list}");
    ensure!(call(&w.app, &w.olga, "GET", &note_path, None).await?.0 == 404);
    let (_, comments) = call(
        &w.app,
        &w.sanne,
        "GET",
        &format!("{note_path}/comments?limit=1"),
        None,
    )
    .await?;
    let cursor = comments["next_cursor"].as_str().context("a second page")?;
    let (_, rest) = call(
        &w.app,
        &w.sanne,
        "GET",
        &format!("{note_path}/comments?limit=1&cursor={cursor}"),
        None,
    )
    .await?;
    ensure!(
        comments["items"][0]["body_markdown"] == "Anders"
            && rest["items"][0]["body_markdown"] == "Bij ons ook",
        "{comments} {rest}"
    );

    // Deleting: the comment author deletes a comment; the facilitator deletes the note, and its
    // comments and search documents go with it.
    ensure!(
        call(&w.app, &w.bram, "DELETE", &comment_path, None)
            .await?
            .0
            == 204
    );
    ensure!(indexed(&w.app.db, "comment").await? == 1 && indexed(&w.app.db, "note").await? == 1);
    ensure!(call(&w.app, &w.fleur, "DELETE", &note_path, None).await?.0 == 204);
    ensure!(call(&w.app, &w.anna, "GET", &note_path, None).await?.0 == 404);
    ensure!(indexed(&w.app.db, "comment").await? == 0 && indexed(&w.app.db, "note").await? == 0);
    w.app.stop().await;
    Ok(())
}
