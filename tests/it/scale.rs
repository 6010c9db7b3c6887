//! `kring demo --scale N` at a hundredth of the size: counts, idempotency per unit, the vote
//! counters, the search index, and that a member of a generated community can use it.

use anyhow::{Context, Result, ensure};
use indicatif::ProgressBar;
use kring::demo::scale::{self, ScaleSize};

use crate::harness::{Backend, TestApp};

async fn count(app: &TestApp, sql: &str) -> Result<i64> {
    Ok(match &app.db {
        kring::db::Db::Sqlite { read, .. } => sqlx::query_scalar(sql).fetch_one(read).await?,
        kring::db::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
    })
}

async fn text(app: &TestApp, sql: &str) -> Result<String> {
    Ok(match &app.db {
        kring::db::Db::Sqlite { read, .. } => sqlx::query_scalar(sql).fetch_one(read).await?,
        kring::db::Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
    })
}

const TABLES: [&str; 12] = [
    "communities",
    "users",
    "memberships",
    "notes",
    "comments",
    "meetings",
    "agenda_items",
    "minutes",
    "practices",
    "topics",
    "topic_votes",
    "search_docs",
];

async fn counts(app: &TestApp) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for table in TABLES {
        out.push(count(app, &format!("SELECT COUNT(*) FROM {table}")).await?);
    }
    Ok(out)
}

pub async fn scale_data_is_complete_searchable_and_idempotent(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let state = app.state();
    let size = ScaleSize::TINY;
    let hidden = ProgressBar::hidden();
    let made = scale::generate(state, 1, size, &hidden).await?;
    ensure!(made.units == 1 && made.rows > 5_000, "{made:?}");
    let one = counts(&app).await?;
    let generated = [
        ("communities WHERE slug LIKE 'schaal-1-%'", 4),
        ("notes", 1_000),
        ("meetings", 20),
        ("practices", 100),
        ("topics", 40),
        ("users WHERE email LIKE '%.1-%'", 160),
    ];
    for (what, n) in generated {
        let got = count(&app, &format!("SELECT COUNT(*) FROM {what}")).await?;
        ensure!(got == n, "{what}: {got}, expected {n}");
    }
    let comments = count(&app, "SELECT COUNT(*) FROM comments").await?;
    ensure!((1_500..=2_500).contains(&comments), "{comments} comments");
    let minutes = count(
        &app,
        "SELECT COUNT(*) FROM minutes WHERE status = 'published'",
    )
    .await?;
    ensure!(minutes > 5, "{minutes} published minutes");
    let agenda = count(&app, "SELECT COUNT(*) FROM agenda_items").await?;
    ensure!((60..=120).contains(&agenda), "{agenda} agenda items");
    // Again: nothing changes.
    let again = scale::generate(state, 1, size, &hidden).await?;
    ensure!(again.units == 0, "{again:?}");
    ensure!(counts(&app).await? == one, "a second run changed rows");
    // A second unit adds only itself.
    let two = scale::generate(state, 2, size, &hidden).await?;
    ensure!(two.units == 1, "{two:?}");
    ensure!(count(&app, "SELECT COUNT(*) FROM notes").await? == 2_000);
    ensure!(
        count(
            &app,
            "SELECT COUNT(*) FROM communities WHERE slug LIKE 'schaal-2-%'"
        )
        .await?
            == 4
    );
    // Counters and the index.
    let wrong_votes = count(
        &app,
        "SELECT COUNT(*) FROM topics t WHERE t.votes <> (SELECT COUNT(*) FROM topic_votes v WHERE v.topic_id = t.id)",
    )
    .await?;
    ensure!(
        wrong_votes == 0,
        "{wrong_votes} topics with a wrong vote count"
    );
    ensure!(count(&app, "SELECT COUNT(*) FROM topic_votes").await? > 500);
    for kind in ["note", "comment", "practice", "topic", "meeting"] {
        let table = match kind {
            "note" => "notes",
            "comment" => "comments",
            "practice" => "practices",
            "topic" => "topics",
            _ => "meetings",
        };
        let missing = count(
            &app,
            &format!("SELECT COUNT(*) FROM {table} x WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.kind = '{kind}' AND d.ref_id = x.id)"),
        )
        .await?;
        ensure!(missing == 0, "{missing} {table} not in the search index");
    }
    if matches!(app.db, kring::db::Db::Sqlite { .. }) {
        let docs = count(&app, "SELECT COUNT(*) FROM search_docs").await?;
        let fts = count(
            &app,
            "SELECT COUNT(*) FROM search_fts f JOIN search_docs d ON d.id = f.rowid",
        )
        .await?;
        ensure!(docs == fts, "{docs} documents, {fts} indexed");
    }
    // A member of the largest community signs in, opens its home and searches.
    let email = text(
        &app,
        "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id
         JOIN communities c ON c.id = m.community_id
         WHERE c.slug = 'schaal-1-gemeenschap-1' AND m.role = 'member' ORDER BY u.email LIMIT 1",
    )
    .await?;
    let email = kring::domain::Email::parse(&email).map_err(anyhow::Error::msg)?;
    let user = kring::db::users::find_by_email(&app.db, &email)
        .await?
        .context("member")?;
    app.sign_in(&user).await?;
    let home = app.get("/communities/schaal-1-gemeenschap-1").await?;
    ensure!(home.status() == 200, "community home: {}", home.status());
    let html = home.text().await?;
    ensure!(html.contains("/notities/"), "the home lists notes");
    let search = app.get("/zoeken?q=wadi").await?;
    ensure!(search.status() == 200, "search: {}", search.status());
    let html = search.text().await?;
    // Newest first over every kind: coming meetings and recent notes, examples and topics.
    let hits = html.matches("<h2 class=\"utrecht-heading-3\"><a").count();
    ensure!(hits >= 5, "search finds {hits} results");
    app.stop().await;
    Ok(())
}
