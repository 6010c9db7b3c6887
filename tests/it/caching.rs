//! What pages reuse (the community home, the public home, search results) is reused only while nothing was
//! written: two instances on one database, a write on one shows on the other at once, and what
//! depends on the time alone (a meeting that has ended) leaves without any write.

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::harness::{Backend, Options, TestApp, TestDb};
use crate::meetings::setup;

/// A page or API answer with the number of statements the server ran for it.
async fn counted(app: &TestApp, path: &str, token: Option<&str>) -> Result<(u32, String)> {
    crate::harness::counted(&app.client, app.url(path), token).await
}

fn titles(search: &str) -> Result<Vec<String>> {
    let v: Value = serde_json::from_str(search)?;
    Ok(v["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|i| i["title"].as_str().map(str::to_string))
        .collect())
}

pub async fn a_write_on_one_instance_shows_on_the_other_at_once(backend: Backend) -> Result<()> {
    let now = DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")?.with_timezone(&Utc);
    let clock = kring::clock::Clock::manual(now);
    let database = TestDb::create(&backend)?;
    let url = database.url.clone();
    let first = TestApp::start_on(
        database,
        Options {
            clock: Some(clock.clone()),
            ..Options::default()
        },
    )
    .await?;
    let second = TestApp::start_on(
        TestDb {
            url,
            dir: tempfile::tempdir()?,
        },
        Options::default(),
    )
    .await?;
    let s = setup(&first).await?;
    let r = first
        .client
        .post(first.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Ochtendsessie", "kind": "online",
                      "starts_at": "2027-03-01T11:00:00Z", "ends_at": "2027-03-01T12:00:00Z",
                      "online_url": "https://meet.example/ochtend"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "meeting: {}", r.text().await?);
    let member = kring::db::users::find(&first.db, &s.member_id)
        .await?
        .context("member")?;
    first.sign_in(&member).await?;

    // Read once, then reused: the repeat runs only the caller's lookup.
    let home = "/communities/ontmoeten";
    let (read, page) = counted(&first, home, None).await?;
    ensure!(page.contains("Ochtendsessie"), "the next meeting");
    let (reused, again) = counted(&first, home, None).await?;
    ensure!(
        reused == 1 && read > reused,
        "read with {read} statements, then {reused}"
    );
    ensure!(again == page, "the same page");
    let search = "/api/v1/search?q=regenton";
    let (read, found) = counted(&first, search, Some(&s.member)).await?;
    ensure!(titles(&found)?.is_empty(), "nothing yet: {found}");
    let (reused, _) = counted(&first, search, Some(&s.member)).await?;
    ensure!(
        reused == 1 && read > reused,
        "search: {read}, then {reused}"
    );

    // The member writes on the other instance; the first shows it on the next request.
    let r = second
        .client
        .post(second.url("/api/v1/communities/ontmoeten/notes"))
        .bearer_auth(&s.member)
        .json(&json!({"title": "Regenton bij de school", "body_markdown": "Een regenton voor het schoolplein."}))
        .send()
        .await?;
    ensure!(r.status() == 201, "note: {}", r.text().await?);
    let (_, page) = counted(&first, home, None).await?;
    ensure!(
        page.contains("Regenton bij de school"),
        "the new note on the first instance's home"
    );
    let (_, found) = counted(&first, search, Some(&s.member)).await?;
    ensure!(
        titles(&found)? == ["Regenton bij de school"],
        "the new note found on the first instance: {found}"
    );

    // A renamed member shows under the new name (a write to another table altogether).
    let r = second
        .client
        .patch(second.url("/api/v1/me"))
        .bearer_auth(&s.member)
        .json(&json!({"name": "Anna van Dijk"}))
        .send()
        .await?;
    ensure!(r.status() == 200, "rename: {}", r.text().await?);
    let (_, page) = counted(&first, home, None).await?;
    ensure!(
        page.contains("Anna van Dijk") && !page.contains("Anna de Vries"),
        "the new name"
    );

    // The public home: an anonymous visitor's repeat reads only the change count; a community
    // added on the other instance shows at once, and its card changes when registration opens.
    let admin = kring::db::users::find_by_email(
        &first.db,
        &kring::domain::Email::parse("beheer@vereniging.nl").map_err(anyhow::Error::msg)?,
    )
    .await?
    .context("admin")?;
    let admin = second.token_for(&admin).await?;
    let visitor = crate::harness::client();
    let public = |path: &'static str| crate::harness::counted(&visitor, first.url(path), None);
    let (read, _) = public("/").await?;
    let (reused, _) = public("/").await?;
    ensure!(
        reused == 1 && read > reused,
        "public home: {read}, then {reused}"
    );
    let r = second
        .client
        .post(second.url("/api/v1/communities"))
        .bearer_auth(&admin)
        .json(&json!({"slug": "later", "name": "Later open", "eligibility": {"require_member_or_participant": false},
                      "registration_opens_at": "2027-03-01T11:00:00Z"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "community: {}", r.text().await?);
    // Read ten seconds before registration opens, well within the longest reuse (30 s).
    let at = |t: &str| DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Utc));
    clock.set(at("2027-03-01T10:59:50Z")?);
    let (_, page) = public("/").await?;
    ensure!(
        page.contains("Later open") && page.contains("Aanmelden kan vanaf"),
        "the new community, not open yet: {}",
        page.split("Later open")
            .nth(1)
            .unwrap_or(&page)
            .chars()
            .take(600)
            .collect::<String>()
    );
    let (reused, _) = public("/").await?;
    ensure!(reused == 1, "reused until it opens");
    clock.set(at("2027-03-01T11:00:00Z")?);
    let (_, page) = public("/").await?;
    ensure!(
        !page.contains("Aanmelden kan vanaf"),
        "registration has opened without any write"
    );

    // Without any write, the meeting leaves the home once it has ended (read 15 s before).
    clock.set(at("2027-03-01T11:59:45Z")?);
    let (_, page) = counted(&first, home, None).await?;
    ensure!(page.contains("Ochtendsessie"), "still the next meeting");
    let (reused, _) = counted(&first, home, None).await?;
    ensure!(reused == 1, "reused until the meeting ends");
    clock.set(at("2027-03-01T12:00:00Z")?);
    let (_, page) = counted(&first, home, None).await?;
    ensure!(
        !page.contains("Ochtendsessie"),
        "an ended meeting is no longer the next"
    );
    second.stop().await;
    first.stop().await;
    Ok(())
}
