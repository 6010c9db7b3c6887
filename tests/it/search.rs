//! Search: Dutch word forms match ("groene daken" finds "groen dak", "bomen" finds "boom"), the
//! same fixed corpus gives the same results on SQLite and PostgreSQL (both run these tests against
//! one expected list), and nobody finds what they may not see.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};
use crate::meetings::setup;

async fn topic(app: &TestApp, token: &str, title: &str, description: &str) -> Result<()> {
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/topics"))
        .bearer_auth(token)
        .json(&json!({"title": title, "description": description}))
        .send()
        .await?;
    ensure!(r.status() == 201, "topic: {}", r.text().await?);
    Ok(())
}

async fn titles(app: &TestApp, token: Option<&str>, query: &str) -> Result<Vec<String>> {
    let mut request = app
        .client
        .get(app.url("/api/v1/search"))
        .query(&[("q", query)]);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await?;
    ensure!(r.status() == 200, "search {query}: {}", r.status());
    let body: Value = r.json().await?;
    Ok(body["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|i| i["title"].as_str().map(str::to_string))
        .collect())
}

pub async fn dutch_word_forms_match_the_same_on_both_databases(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    topic(
        &app,
        &s.member,
        "Een groen dak op het stadhuis",
        "Sedum en kruiden op het platte dak.",
    )
    .await?;
    topic(
        &app,
        &s.member,
        "Bomen in de binnenstad",
        "Welke boom past in een smalle straat?",
    )
    .await?;
    topic(
        &app,
        &s.member,
        "Wadi's onderhouden",
        "Maaien, snoeien en slib verwijderen.",
    )
    .await?;
    topic(
        &app,
        &s.member,
        "Hittestress op schoolpleinen",
        "Koele plekken voor kinderen.",
    )
    .await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Werkbezoek groene daken", "kind": "site_visit",
                      "starts_at": "2027-05-11T14:00:00+02:00", "ends_at": "2027-05-11T16:00:00+02:00",
                      "description": "We bekijken daktuinen.",
                      "location": {"name": "Stadhuis", "address": "Coolsingel 40", "city": "Rotterdam"}}))
        .send()
        .await?;
    ensure!(r.status() == 201, "meeting: {}", r.text().await?);

    // One expected list per query: both databases must produce exactly it (newest first; the
    // meeting counts from its start in 2027, after every topic).
    let expected: &[(&str, &[&str])] = &[
        (
            "groene daken",
            &["Werkbezoek groene daken", "Een groen dak op het stadhuis"],
        ),
        (
            "groen dak",
            &["Werkbezoek groene daken", "Een groen dak op het stadhuis"],
        ),
        ("bomen", &["Bomen in de binnenstad"]),
        ("boom", &["Bomen in de binnenstad"]),
        ("straten", &["Bomen in de binnenstad"]),
        ("wadi", &["Wadi's onderhouden"]),
        // Prefixes find compounds: "school" is the start of "schoolpleinen".
        ("school hittestress", &["Hittestress op schoolpleinen"]),
        ("plein", &[]),
        ("ROTTERDAM", &["Werkbezoek groene daken"]),
        ("dak bomen", &[]),
        ("onbekendwoord", &[]),
        ("", &[]),
        ("\" OR 1=1 --", &[]),
    ];
    for (query, want) in expected {
        let got = titles(&app, Some(&s.member), query).await?;
        ensure!(got == *want, "{query:?}: got {got:?}, want {want:?}");
    }

    // Snippets mark the matching word forms and are escaped.
    let r = app
        .client
        .get(app.url("/api/v1/search"))
        .query(&[("q", "bomen"), ("kind", "topic")])
        .bearer_auth(&s.member)
        .send()
        .await?;
    let body: Value = r.json().await?;
    let item = &body["items"][0];
    ensure!(
        item["kind"] == "topic" && item["community"] == "ontmoeten",
        "{body}"
    );
    ensure!(
        item["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>boom</mark>")),
        "{body}"
    );
    ensure!(
        item["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("/communities/ontmoeten/onderwerpen#")),
        "{body}"
    );
    let r = app
        .client
        .get(app.url("/api/v1/search"))
        .query(&[("q", "groene daken"), ("kind", "meeting")])
        .bearer_auth(&s.member)
        .send()
        .await?;
    let body: Value = r.json().await?;
    ensure!(body["items"].as_array().map(Vec::len) == Some(1), "{body}");
    let r = app
        .client
        .get(app.url("/api/v1/search"))
        .query(&[("q", "dak"), ("kind", "iets")])
        .bearer_auth(&s.member)
        .send()
        .await?;
    ensure!(r.status() == 422, "unknown kind: {}", r.status());

    // Outside the community nothing is found, signed in or not.
    ensure!(
        titles(&app, Some(&s.stranger), "groene daken")
            .await?
            .is_empty()
    );
    ensure!(titles(&app, None, "groene daken").await?.is_empty());
    app.stop().await;
    Ok(())
}

pub async fn search_page_works_with_and_without_htmx(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    topic(
        &app,
        &s.member,
        "Bomen in de binnenstad",
        "Welke boom <b>past</b> hier?",
    )
    .await?;
    let member = kring::db::users::find(&app.db, &s.member_id)
        .await?
        .context("member")?;
    app.sign_in(&member).await?;
    let r = app.get("/zoeken?q=bomen").await?;
    ensure!(r.status() == 200);
    let html = r.text().await?;
    ensure!(
        html.contains("<html") && html.contains("1 resultaat"),
        "full page"
    );
    ensure!(html.contains("<mark>boom</mark>"), "marked");
    ensure!(
        !html.contains("<b>past</b>"),
        "user text escaped in snippets"
    );
    ensure!(
        html.contains("href=\"/communities/ontmoeten/onderwerpen#onderwerp-"),
        "link"
    );
    let r = app
        .client
        .get(app.url("/zoeken?q=boom"))
        .header("HX-Request", "true")
        .send()
        .await?;
    let fragment = r.text().await?;
    ensure!(
        !fragment.contains("<html") && fragment.contains("id=\"resultaten\""),
        "{fragment}"
    );
    ensure!(fragment.contains("Bomen in de binnenstad"));
    let html = app.get("/zoeken?q=onbekendwoord").await?.text().await?;
    ensure!(html.contains("Niets gevonden"), "empty state");
    let html = app.get("/communities/ontmoeten").await?.text().await?;
    ensure!(
        html.contains("action=\"/zoeken\""),
        "search box on member pages"
    );
    app.stop().await;
    Ok(())
}

/// Matches older than the newest few thousand documents are found too, newest first, the same on
/// both databases (PostgreSQL walks the newest documents first and asks its index for the rest).
pub async fn older_matches_are_found_past_the_newest_documents(backend: Backend) -> Result<()> {
    use kring::db::search::{Doc, Query, put, search};
    let app = TestApp::start(&backend).await?;
    let at = chrono::Utc::now();
    let mut tx = app.db.begin().await?;
    // Ten that match, then 2,590 newer ones that do not.
    let docs: Vec<(String, String)> = (0..2_600)
        .map(|i| {
            let title = if i < 10 {
                format!("Zeldzame vondst {i}")
            } else {
                format!("Gewone notitie {i}")
            };
            (format!("doc-{i:05}"), title)
        })
        .collect();
    for (ref_id, title) in &docs {
        put(
            &mut tx,
            &Doc {
                kind: "practice",
                ref_id,
                community_id: None,
                programme_id: None,
                visibility: "public",
                title,
                body: "",
                url: "/praktijkvoorbeelden/x",
                created_at: at,
            },
        )
        .await?;
    }
    tx.commit().await?;
    let terms = kring::domain::stem::query_terms("zeldzame");
    let found = |limit: i64| {
        let (db, terms) = (&app.db, &terms);
        async move {
            let hits = search(
                db,
                Query {
                    terms,
                    user_id: None,
                    is_admin: false,
                    community: None,
                    kind: None,
                    limit,
                },
            )
            .await?;
            Ok::<_, anyhow::Error>(hits.into_iter().map(|h| h.title).collect::<Vec<_>>())
        }
    };
    let expected: Vec<String> = (0..10)
        .rev()
        .map(|i| format!("Zeldzame vondst {i}"))
        .collect();
    ensure!(found(20).await? == expected, "all ten, newest first");
    ensure!(found(4).await? == expected[..4], "the four newest");
    // The newest documents match too: both the recent window and the older rest contribute.
    let common = kring::domain::stem::query_terms("notitie");
    let hits = search(
        &app.db,
        Query {
            terms: &common,
            user_id: None,
            is_admin: false,
            community: None,
            kind: None,
            limit: 3,
        },
    )
    .await?;
    let titles: Vec<String> = hits.into_iter().map(|h| h.title).collect();
    ensure!(
        titles
            == [
                "Gewone notitie 2599",
                "Gewone notitie 2598",
                "Gewone notitie 2597"
            ],
        "{titles:?}"
    );
    app.stop().await;
    Ok(())
}
