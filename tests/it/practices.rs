//! Practice examples through the API: sharing, changing and deleting with who may do what,
//! visibility (anonymous callers see public ones; a member of another programme sees neither
//! community nor programme ones; invisible is 404), the search index that follows every change,
//! the theme, organisation and community filters, and validation. Photos are in
//! `practice_files`, the map in `practice_map`, the pages in `practice_pages`.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, client};
use crate::topics::call;

/// A programme with two communities, a community in another programme, and their people.
pub(crate) struct World {
    pub app: TestApp,
    pub admin: String,
    /// Facilitator of `klein`.
    pub fleur: String,
    /// Member of `klein`.
    pub anna: String,
    /// Member of `groot` (same programme as `klein`).
    pub bram: String,
    /// Member of `elders` (another programme).
    pub carla: String,
    /// Signed in, but in no community.
    pub stranger: String,
}

/// The tokens of the people of a member added by the admin.
async fn member(app: &TestApp, admin: &str, slug: &str, name: &str, email: &str) -> Result<String> {
    let (status, body) = call(
        app,
        admin,
        "POST",
        &format!("/api/v1/communities/{slug}/members"),
        Some(json!({"name": name, "email": email, "organisation_code": "GM0599"})),
    )
    .await?;
    ensure!(status == 201, "member {email}: {status} {body}");
    let id = body["user_id"].as_str().context("user_id")?;
    let user = kring::db::users::find(&app.db, id).await?.context("user")?;
    app.token_for(&user).await
}

pub(crate) async fn world(backend: &Backend) -> Result<World> {
    let app = TestApp::start(backend).await?;
    let admin_user = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    let admin = app.token_for(&admin_user).await?;
    for (slug, name) in [("groene-stad", "Groene Stad"), ("ander", "Ander programma")] {
        let (status, body) = call(
            &app,
            &admin,
            "POST",
            "/api/v1/programmes",
            Some(json!({"slug": slug, "name": name})),
        )
        .await?;
        ensure!(status == 201, "programme: {body}");
    }
    for (slug, programme) in [
        ("klein", "groene-stad"),
        ("groot", "groene-stad"),
        ("elders", "ander"),
    ] {
        let (status, body) = call(
            &app,
            &admin,
            "POST",
            "/api/v1/communities",
            Some(
                json!({"slug": slug, "name": format!("Community {slug}"), "programme": programme,
                "eligibility": {"require_member_or_participant": false}}),
            ),
        )
        .await?;
        ensure!(status == 201, "community: {body}");
    }
    let fac = app
        .create_user("fleur@vereniging.nl", "Fleur Facilitator", false)
        .await?;
    let (status, _) = call(
        &app,
        &admin,
        "POST",
        "/api/v1/communities/klein/facilitators",
        Some(json!({"user_id": fac.id})),
    )
    .await?;
    ensure!(status == 201);
    let fleur = app.token_for(&fac).await?;
    let anna = member(&app, &admin, "klein", "Anna de Vries", "anna@tiel.nl").await?;
    let bram = member(&app, &admin, "groot", "Bram Bakker", "bram@utrecht.nl").await?;
    let carla = member(&app, &admin, "elders", "Carla Smit", "carla@zwolle.nl").await?;
    let outsider = app
        .create_user("buiten@elders.nl", "Buitenstaander", false)
        .await?;
    let stranger = app.token_for(&outsider).await?;
    Ok(World {
        app,
        admin,
        fleur,
        anna,
        bram,
        carla,
        stranger,
    })
}

/// Shares an example; its id.
pub(crate) async fn share(w: &World, token: &str, body: Value) -> Result<String> {
    let (status, out) = call(&w.app, token, "POST", "/api/v1/practices", Some(body)).await?;
    ensure!(status == 201, "share: {status} {out}");
    Ok(out["id"].as_str().context("id")?.to_string())
}

/// A valid example in `organisation`, with `visibility` in `klein` (public ones without community).
pub(crate) fn example(title: &str, organisation: &str, visibility: &str, themes: &[&str]) -> Value {
    let mut body = json!({"title": title, "organisation_code": organisation, "themes": themes,
        "summary": format!("Samenvatting van {title}"), "body_markdown": "Wat we deden.",
        "visibility": visibility});
    if visibility != "public" {
        body["community"] = json!("klein");
    }
    body
}

/// An anonymous request; status and JSON.
pub(crate) async fn anonymous(app: &TestApp, path: &str) -> Result<(u16, Value)> {
    let response = client().get(app.url(path)).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// The titles of the catalogue as the caller (`None`: anonymous) sees it.
async fn titles(app: &TestApp, token: Option<&str>, query: &str) -> Result<BTreeSet<String>> {
    let path = format!("/api/v1/practices{query}");
    let (status, body) = match token {
        Some(t) => call(app, t, "GET", &path, None).await?,
        None => anonymous(app, &path).await?,
    };
    ensure!(status == 200, "list {query}: {status} {body}");
    Ok(body["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|p| p["title"].as_str().map(str::to_string))
        .collect())
}

pub(crate) fn set(titles: &[&str]) -> BTreeSet<String> {
    titles.iter().map(|t| (*t).to_string()).collect()
}

/// The search documents of practice examples: (id, visibility).
async fn indexed(app: &TestApp) -> Result<BTreeSet<(String, String)>> {
    let sql = "SELECT ref_id, visibility FROM search_docs WHERE kind = 'practice'";
    let rows: Vec<(String, String)> = match &app.db {
        kring::db::Db::Sqlite { read, .. } => sqlx::query_as(sql).fetch_all(read).await?,
        kring::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
    };
    Ok(rows.into_iter().collect())
}

pub async fn practices_are_shared_changed_and_seen_by_the_right_people(
    backend: Backend,
) -> Result<()> {
    let w = world(&backend).await?;
    let app = &w.app;
    let (status, created) = call(app, &w.anna, "POST", "/api/v1/practices", Some(json!({
        "title": "  Groen dak op het stadskantoor ", "organisation_code": "gm0599",
        "themes": ["groene-daken", "biodiversiteit", "groene-daken"],
        "summary": "Sedum en kruiden op 800 m².", "body_markdown": "**Sedum** <script>alert(1)</script>",
        "lessons_learned": "- Begin met een *draagkrachtonderzoek*",
        "year": 2023, "cost_eur": 12500, "area_m2": 800, "location": {"lat": 51.9225, "lon": 4.4792},
        "community": "klein", "visibility": "community"}))).await?;
    ensure!(status == 201, "{created}");
    let body_html = created["body_html"].as_str().context("html")?;
    ensure!(
        created["title"] == "Groen dak op het stadskantoor"
            && created["organisation_code"] == "GM0599"
            && created["organisation_name"] == "Rotterdam"
            && created["themes"] == json!(["biodiversiteit", "groene-daken"])
            && created["community"] == "klein"
            && created["visibility"] == "community"
            && created["location"]["lat"] == 51.9225
            && created["cost_eur"] == 12500
            && created["author"]["name"] == "Anna de Vries"
            && created["can_edit"] == true
            && body_html.contains("<strong>Sedum</strong>")
            && !body_html.contains("<script")
            && created["lessons_learned_html"]
                .as_str()
                .is_some_and(|h| h.contains("<em>draagkrachtonderzoek</em>")),
        "{created}"
    );
    let community = created["id"].as_str().context("id")?.to_string();
    let programme = share(
        &w,
        &w.anna,
        example(
            "Wadi bij de school",
            "GM0193",
            "programme",
            &["wateroverlast"],
        ),
    )
    .await?;
    let public = share(
        &w,
        &w.anna,
        example("Tegelwippen", "GM0307", "public", &["ontharding"]),
    )
    .await?;
    // Without a community an example is public by default.
    let (_, plain) = call(
        app,
        &w.anna,
        "GET",
        &format!("/api/v1/practices/{public}"),
        None,
    )
    .await?;
    ensure!(
        plain["community"].is_null() && plain["visibility"] == "public",
        "{plain}"
    );

    // Who sees what, in the list and one by one; invisible is 404 like a missing id.
    let all = [
        "Groen dak op het stadskantoor",
        "Wadi bij de school",
        "Tegelwippen",
    ];
    ensure!(
        titles(app, None, "").await? == set(&["Tegelwippen"]),
        "anonymous"
    );
    ensure!(
        titles(app, Some(&w.stranger), "").await? == set(&["Tegelwippen"]),
        "stranger"
    );
    ensure!(
        titles(app, Some(&w.carla), "").await? == set(&["Tegelwippen"]),
        "other programme"
    );
    ensure!(
        titles(app, Some(&w.bram), "").await? == set(&["Wadi bij de school", "Tegelwippen"]),
        "same programme"
    );
    for token in [&w.anna, &w.fleur, &w.admin] {
        ensure!(
            titles(app, Some(token), "").await? == set(&all),
            "member, facilitator, admin"
        );
    }
    for (token, id, expected) in [
        (None, &community, 404),
        (None, &programme, 404),
        (None, &public, 200),
        (Some(&w.carla), &community, 404),
        (Some(&w.carla), &programme, 404),
        (Some(&w.bram), &community, 404),
        (Some(&w.bram), &programme, 200),
    ] {
        let path = format!("/api/v1/practices/{id}");
        let (status, _) = match token {
            Some(t) => call(app, t, "GET", &path, None).await?,
            None => anonymous(app, &path).await?,
        };
        ensure!(status == expected, "{path}: {status}, expected {expected}");
    }
    let (status, _) = call(app, &w.anna, "GET", "/api/v1/practices/bestaat-niet", None).await?;
    ensure!(status == 404);

    // Sharing needs a community membership; a community one must be a member of.
    let (status, _) = call(
        app,
        &w.stranger,
        "POST",
        "/api/v1/practices",
        Some(example(
            "Van een buitenstaander",
            "GM0599",
            "public",
            &["beleid"],
        )),
    )
    .await?;
    ensure!(status == 403, "stranger shares: {status}");
    let mut elsewhere = example("Elders", "GM0599", "community", &["beleid"]);
    elsewhere["community"] = json!("elders");
    let (status, problem) =
        call(app, &w.anna, "POST", "/api/v1/practices", Some(elsewhere)).await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "community",
        "{problem}"
    );
    let mut orphan = example("Zonder community", "GM0599", "community", &["beleid"]);
    orphan
        .as_object_mut()
        .context("object")?
        .remove("community");
    let (status, problem) = call(app, &w.anna, "POST", "/api/v1/practices", Some(orphan)).await?;
    ensure!(
        status == 422 && problem["errors"][0]["code"] == "community_required",
        "{problem}"
    );

    // Changing: the author and the community's facilitator may; others who see it get 403.
    let path = format!("/api/v1/practices/{public}");
    let (status, _) = call(
        app,
        &w.bram,
        "PATCH",
        &path,
        Some(json!({"title": "Van Bram"})),
    )
    .await?;
    ensure!(status == 403, "bram changes: {status}");
    let (status, seen) = call(app, &w.bram, "GET", &path, None).await?;
    ensure!(status == 200 && seen["can_edit"] == false, "{seen}");
    let (status, _) = call(
        app,
        &w.carla,
        "PATCH",
        &format!("/api/v1/practices/{community}"),
        Some(json!({"title": "Van Carla"})),
    )
    .await?;
    ensure!(status == 404, "carla changes an invisible one: {status}");
    let (status, changed) = call(
        app,
        &w.fleur,
        "PATCH",
        &format!("/api/v1/practices/{community}"),
        Some(json!({"title": "Groen dak op het stadhuis", "cost_eur": null, "location": null})),
    )
    .await?;
    ensure!(
        status == 200
            && changed["title"] == "Groen dak op het stadhuis"
            && changed["cost_eur"].is_null()
            && changed["location"].is_null()
            && changed["area_m2"] == 800
            && changed["themes"] == json!(["biodiversiteit", "groene-daken"]),
        "{changed}"
    );
    let (status, changed) = call(
        app,
        &w.anna,
        "PATCH",
        &format!("/api/v1/practices/{programme}"),
        Some(json!({"visibility": "public", "community": null})),
    )
    .await?;
    ensure!(
        status == 200 && changed["visibility"] == "public" && changed["community"].is_null(),
        "{changed}"
    );
    let (status, problem) = call(
        app,
        &w.anna,
        "PATCH",
        &format!("/api/v1/practices/{programme}"),
        Some(json!({"visibility": "community"})),
    )
    .await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "community",
        "{problem}"
    );
    ensure!(titles(app, Some(&w.carla), "").await? == set(&["Wadi bij de school", "Tegelwippen"]));

    // The search index follows every change in the same transaction.
    let docs = indexed(app).await?;
    ensure!(
        docs == [
            (community.clone(), "community".to_string()),
            (programme.clone(), "public".into()),
            (public.clone(), "public".into())
        ]
        .into_iter()
        .collect(),
        "{docs:?}"
    );

    // Deleting: not by someone who only sees it; by the author; then it is gone.
    let (status, _) = call(app, &w.bram, "DELETE", &path, None).await?;
    ensure!(status == 403, "bram deletes: {status}");
    let (status, _) = call(app, &w.anna, "DELETE", &path, None).await?;
    ensure!(status == 204, "anna deletes: {status}");
    let (status, _) = call(app, &w.anna, "GET", &path, None).await?;
    ensure!(status == 404);
    ensure!(indexed(app).await?.len() == 2, "removed from the index");
    w.app.stop().await;
    Ok(())
}

pub async fn practices_are_filtered_and_checked(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let app = &w.app;
    share(
        &w,
        &w.anna,
        example(
            "Groen dak Rotterdam",
            "GM0599",
            "public",
            &["groene-daken", "hittestress"],
        ),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example("Wadi Zwolle", "GM0193", "public", &["wateroverlast"]),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example("Groen dak Zwolle", "GM0193", "community", &["groene-daken"]),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example(
            "Schoolplein Utrecht",
            "GM0344",
            "programme",
            &["hittestress", "vergroening"],
        ),
    )
    .await?;
    let anna = Some(w.anna.as_str());
    ensure!(
        titles(app, anna, "?theme=groene-daken").await?
            == set(&["Groen dak Rotterdam", "Groen dak Zwolle"])
    );
    ensure!(titles(app, None, "?theme=groene-daken").await? == set(&["Groen dak Rotterdam"]));
    ensure!(
        titles(app, anna, "?organisation=GM0193").await?
            == set(&["Wadi Zwolle", "Groen dak Zwolle"])
    );
    ensure!(
        titles(app, anna, "?organisation=gm0193&theme=groene-daken").await?
            == set(&["Groen dak Zwolle"])
    );
    ensure!(
        titles(app, anna, "?community=klein").await?
            == set(&["Groen dak Zwolle", "Schoolplein Utrecht"])
    );
    ensure!(titles(app, anna, "?theme=beleid").await?.is_empty());
    for query in ["?theme=tuinieren", "?organisation=Rotterdam"] {
        let (status, problem) = call(
            app,
            &w.anna,
            "GET",
            &format!("/api/v1/practices{query}"),
            None,
        )
        .await?;
        ensure!(status == 422, "{query}: {status} {problem}");
    }
    // Newest first, in pages.
    let (_, page) = call(app, &w.anna, "GET", "/api/v1/practices?limit=3", None).await?;
    ensure!(
        page["items"][0]["title"] == "Schoolplein Utrecht"
            && page["items"].as_array().map(Vec::len) == Some(3),
        "{page}"
    );
    let cursor = page["next_cursor"].as_str().context("a second page")?;
    let (_, rest) = call(
        app,
        &w.anna,
        "GET",
        &format!("/api/v1/practices?limit=3&cursor={cursor}"),
        None,
    )
    .await?;
    ensure!(
        rest["items"][0]["title"] == "Groen dak Rotterdam" && rest["next_cursor"].is_null(),
        "{rest}"
    );

    // Every field is checked, with the field named.
    let valid = example("Geldig", "GM0599", "public", &["beleid"]);
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    for (body, field, code) in [
        (with("title", json!("  ")), "title", "invalid"),
        (with("title", json!("x".repeat(201))), "title", "invalid"),
        (with("themes", json!([])), "themes", "invalid"),
        (with("themes", json!(["tuinieren"])), "themes", "invalid"),
        (
            with("organisation_code", json!("GM9999")),
            "organisation_code",
            "unknown_organisation",
        ),
        (
            with("organisation_code", json!("Rotterdam")),
            "organisation_code",
            "invalid",
        ),
        (with("year", json!(1989)), "year", "invalid"),
        (with("year", json!(2101)), "year", "invalid"),
        (with("cost_eur", json!(-1)), "cost_eur", "invalid"),
        (with("area_m2", json!(-5)), "area_m2", "invalid"),
        (
            with("location", json!({"lat": 48.85, "lon": 4.5})),
            "lat",
            "invalid",
        ),
        (
            with("location", json!({"lat": 52.0, "lon": 8.0})),
            "lon",
            "invalid",
        ),
        (with("visibility", json!("geheim")), "visibility", "invalid"),
        (with("votes", json!(3)), "votes", "unknown_field"),
        (
            with("location", json!({"lat": 52.0, "lon": 5.0, "alt": 3})),
            "alt",
            "unknown_field",
        ),
    ] {
        let (status, problem) = call(app, &w.anna, "POST", "/api/v1/practices", Some(body)).await?;
        let named = problem["errors"].as_array().is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code)
        });
        ensure!(status == 422 && named, "{field}/{code}: {status} {problem}");
    }
    let (status, _) = call(
        app,
        &w.anna,
        "POST",
        "/api/v1/practices",
        Some(with("year", json!("twee"))),
    )
    .await?;
    ensure!(status == 422, "a year that is no number");
    ensure!(
        titles(app, anna, "").await?.len() == 4,
        "nothing half-stored"
    );
    w.app.stop().await;
    Ok(())
}
