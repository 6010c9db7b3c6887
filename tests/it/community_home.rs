//! The community home: what a member lands on (next meeting, year plan, latest notes, top topics,
//! open actions, members), built with the same number of SQL statements for a community with 10
//! notes and with 10,000 (counted by the server: `X-Kring-Db-Statements`).

use anyhow::{Context, Result, ensure};
use serde_json::json;

use crate::harness::{Backend, TestApp};
use crate::meetings::setup;

async fn statements(app: &TestApp, path: &str) -> Result<(u32, String)> {
    crate::harness::counted(&app.client, app.url(path), None).await
}

pub async fn home_query_count_does_not_grow_with_notes(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    for i in 1..=10 {
        let r = app
            .client
            .post(app.url("/api/v1/communities/ontmoeten/notes"))
            .bearer_auth(&s.member)
            .json(&json!({"title": format!("Notitie {i}"), "body_markdown": format!("Tekst over **wadi** {i}.")}))
            .send()
            .await?;
        ensure!(r.status() == 201, "note: {}", r.text().await?);
    }
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/topics"))
        .bearer_auth(&s.member)
        .json(&json!({"title": "Beheer van wadi's"}))
        .send()
        .await?;
    ensure!(r.status() == 201);
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Voorjaarsbijeenkomst", "kind": "online",
                      "starts_at": "2099-03-16T14:00:00+01:00", "ends_at": "2099-03-16T16:00:00+01:00",
                      "online_url": "https://meet.example/voorjaar"}))
        .send()
        .await?;
    ensure!(r.status() == 201);
    let member = kring::db::users::find(&app.db, &s.member_id)
        .await?
        .context("member")?;
    app.sign_in(&member).await?;
    let (small, html) = statements(&app, "/communities/ontmoeten").await?;
    ensure!(html.contains("Voorjaarsbijeenkomst"), "next meeting shown");
    ensure!(html.contains("Beheer van wadi"), "top topic shown");
    ensure!(
        html.contains("Notitie 10") && !html.contains("Notitie 5<"),
        "the five latest notes"
    );
    ensure!(
        html.matches("href=\"/notities/").count() == 5,
        "five notes listed"
    );

    // 9,990 more notes, written straight into the database in one transaction.
    let community: String = {
        let mut tx = app.db.begin().await?;
        let id = kring::db::communities::find(&app.db, "ontmoeten")
            .await?
            .context("community")?
            .id;
        let text =
            kring::domain::note::NoteText::parse("Oudere notitie", "Tekst.", &[], "community")
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let old = chrono::Utc::now() - chrono::Duration::days(400);
        for i in 0..9_990 {
            kring::db::notes::create(
                &mut tx,
                &id,
                &s.member_id,
                &text,
                "<p>Tekst.</p>",
                old + chrono::Duration::seconds(i),
            )
            .await?;
        }
        tx.commit().await?;
        id
    };
    let (large, html) = statements(&app, "/communities/ontmoeten").await?;
    ensure!(
        small == large,
        "statements with 10 notes: {small}, with 10,000: {large}"
    );
    ensure!(html.contains("Notitie 10"), "still the newest first");
    ensure!(html.matches("href=\"/notities/").count() == 5, "still five");
    ensure!(small <= 12, "a small, fixed number of statements: {small}");
    let total: i64 = match &app.db {
        kring::db::Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT COUNT(*) FROM notes WHERE community_id = $1")
                .bind(&community)
                .fetch_one(read)
                .await?
        }
        kring::db::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM notes WHERE community_id = $1")
                .bind(&community)
                .fetch_one(pool)
                .await?
        }
    };
    ensure!(total == 10_000, "{total} notes");
    app.stop().await;
    Ok(())
}
