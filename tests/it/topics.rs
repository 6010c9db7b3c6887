//! Topics of the content agenda through the API: proposing, ranking by votes then age, one vote
//! each that can be withdrawn, who may change what, 404 outside the community, agenda items that
//! schedule a topic (only of the meeting's own community), and published minutes that mark it
//! discussed.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::facilitator_pages::{get, sign_in_as};
use crate::harness::{Backend, TestApp};
use crate::meetings::setup;

pub(crate) const PAGE: &str = "/communities/ontmoeten/onderwerpen";

/// A request with a bearer token; the status and the JSON body (`null` when there is none).
pub(crate) async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value)> {
    let mut request = app
        .client
        .request(method.parse()?, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Proposes a topic in `ontmoeten`; its id.
async fn propose(app: &TestApp, token: &str, title: &str) -> Result<String> {
    let (status, body) = call(
        app,
        token,
        "POST",
        "/api/v1/communities/ontmoeten/topics",
        Some(json!({"title": title})),
    )
    .await?;
    ensure!(status == 201, "propose {title}: {status} {body}");
    Ok(body["id"].as_str().context("id")?.to_string())
}

/// The titles of the list as `token` sees it, with `voted_by_me` and `votes`.
pub(crate) async fn ranking(
    app: &TestApp,
    token: &str,
    query: &str,
) -> Result<Vec<(String, bool, i64)>> {
    let path = format!("/api/v1/communities/ontmoeten/topics{query}");
    let (status, body) = call(app, token, "GET", &path, None).await?;
    ensure!(status == 200, "list: {status} {body}");
    Ok(body["items"]
        .as_array()
        .context("items")?
        .iter()
        .map(|t| {
            let title = t["title"].as_str().unwrap_or_default().to_string();
            (
                title,
                t["voted_by_me"] == true,
                t["votes"].as_i64().unwrap_or(-1),
            )
        })
        .collect())
}

/// A second member of `ontmoeten`; their API token.
async fn second_member(app: &TestApp, facilitator: &str) -> Result<String> {
    let (status, body) = call(
        app,
        facilitator,
        "POST",
        "/api/v1/communities/ontmoeten/members",
        Some(
            json!({"name": "Bram Bakker", "email": "bram@buren.nl", "organisation_code": "GM0214"}),
        ),
    )
    .await?;
    ensure!(status == 201, "member: {status} {body}");
    let user = kring::db::users::find(&app.db, body["user_id"].as_str().context("user_id")?)
        .await?
        .context("bram")?;
    app.token_for(&user).await
}

pub(crate) fn row(title: &str, mine: bool, votes: i64) -> (String, bool, i64) {
    (title.to_string(), mine, votes)
}

pub async fn topics_are_proposed_ranked_and_voted(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let bram = second_member(&app, &s.facilitator).await?;
    let (status, created) = call(&app, &s.member, "POST", "/api/v1/communities/ontmoeten/topics",
        Some(json!({"title": "  Hittestress in schoolpleinen ", "description": "**Schaduw** <script>alert(1)</script>"}))).await?;
    ensure!(status == 201, "{created}");
    let html = created["description_html"].as_str().context("html")?;
    ensure!(
        created["title"] == "Hittestress in schoolpleinen"
            && created["status"] == "open"
            && created["votes"] == 0
            && created["voted_by_me"] == false
            && created["author"]["id"] == s.member_id.as_str()
            && created["author"]["name"] == "Anna de Vries"
            && created["community"] == "ontmoeten"
            && html.contains("<strong>Schaduw</strong>")
            && !html.contains("<script"),
        "{created}"
    );
    let a = created["id"].as_str().context("id")?.to_string();

    // Empty and too long titles, unknown fields: 422 with the field named.
    for (body, field, code) in [
        (json!({"title": "   "}), "title", "validation_failed"),
        (
            json!({"description": "zonder titel"}),
            "title",
            "validation_failed",
        ),
        (
            json!({"title": "x".repeat(201)}),
            "title",
            "validation_failed",
        ),
        (
            json!({"title": "Wadi's", "votes": 10}),
            "votes",
            "unknown_field",
        ),
    ] {
        let (status, problem) = call(
            &app,
            &s.member,
            "POST",
            "/api/v1/communities/ontmoeten/topics",
            Some(body),
        )
        .await?;
        ensure!(
            status == 422 && problem["code"] == code && problem["errors"][0]["field"] == field,
            "{status} {problem}"
        );
    }

    let b = propose(&app, &bram, "Beheer van wadi's").await?;
    let c = propose(&app, &s.facilitator, "Subsidies voor groene daken").await?;
    let d = propose(&app, &s.member, "Geveltuinen").await?;
    let vote = |token: &str, id: &str, method: &str| {
        let path = format!("/api/v1/topics/{id}/vote");
        let token = token.to_string();
        let method = method.to_string();
        let app = &app;
        async move { call(app, &token, &method, &path, None).await }
    };
    for (token, id) in [
        (&s.member, &c),
        (&bram, &c),
        (&s.member, &b),
        (&s.facilitator, &a),
    ] {
        let (status, body) = vote(token, id, "PUT").await?;
        ensure!(status == 200 && body["voted_by_me"] == true, "{body}");
    }
    // Voting twice counts once.
    let (status, again) = vote(&s.member, &c, "PUT").await?;
    ensure!(
        status == 200 && again["votes"] == 2 && again["voted_by_me"] == true,
        "{again}"
    );
    // Most votes first; A and B tie with one vote each, so the older A comes first.
    let expected = [
        row("Subsidies voor groene daken", true, 2),
        row("Hittestress in schoolpleinen", false, 1),
        row("Beheer van wadi's", true, 1),
        row("Geveltuinen", false, 0),
    ];
    ensure!(
        ranking(&app, &s.member, "").await? == expected,
        "{:?}",
        ranking(&app, &s.member, "").await?
    );
    let bram_view = ranking(&app, &bram, "").await?;
    ensure!(
        bram_view[0] == row("Subsidies voor groene daken", true, 2) && !bram_view[2].1,
        "{bram_view:?}"
    );

    // Withdrawing, twice: the second changes nothing. Now all three tie and age decides.
    for _ in 0..2 {
        let (status, body) = vote(&s.member, &c, "DELETE").await?;
        ensure!(
            status == 200 && body["votes"] == 1 && body["voted_by_me"] == false,
            "{body}"
        );
    }
    let titles: Vec<String> = ranking(&app, &s.member, "")
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    ensure!(
        titles
            == [
                "Hittestress in schoolpleinen",
                "Beheer van wadi's",
                "Subsidies voor groene daken",
                "Geveltuinen"
            ],
        "{titles:?}"
    );
    let (status, one) = call(&app, &bram, "GET", &format!("/api/v1/topics/{b}"), None).await?;
    ensure!(
        status == 200
            && one["votes"] == 1
            && one["voted_by_me"] == false
            && one["author"]["name"] == "Bram Bakker",
        "{one}"
    );
    let (status, paged) = call(
        &app,
        &s.member,
        "GET",
        "/api/v1/communities/ontmoeten/topics?limit=3",
        None,
    )
    .await?;
    ensure!(
        status == 200
            && paged["items"].as_array().map(Vec::len) == Some(3)
            && paged["next_cursor"].is_string(),
        "{paged}"
    );

    // Who may change what.
    let patch = |token: &str, id: &str, body: Value| {
        let path = format!("/api/v1/topics/{id}");
        let token = token.to_string();
        let app = &app;
        async move { call(app, &token, "PATCH", &path, Some(body)).await }
    };
    let (status, _) = patch(&bram, &a, json!({"title": "Overgenomen"})).await?;
    ensure!(status == 403, "not the author: {status}");
    let (status, _) = patch(&s.member, &a, json!({"status": "closed"})).await?;
    ensure!(status == 403, "members do not close: {status}");
    let (status, edited) = patch(
        &bram,
        &b,
        json!({"title": "Beheer en onderhoud van wadi's", "description": "Na *vijf* jaar"}),
    )
    .await?;
    ensure!(
        status == 200
            && edited["title"] == "Beheer en onderhoud van wadi's"
            && edited["votes"] == 1,
        "{edited}"
    );
    let (status, problem) = patch(&bram, &b, json!({"title": ""})).await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "title",
        "{problem}"
    );
    let (status, problem) = patch(&s.facilitator, &d, json!({"status": "scheduled"})).await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "status",
        "{problem}"
    );
    let (status, problem) = patch(&s.facilitator, &d, json!({"status": "gepland"})).await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "status",
        "{problem}"
    );
    let (status, closed) = patch(&s.facilitator, &d, json!({"status": "closed"})).await?;
    ensure!(status == 200 && closed["status"] == "closed", "{closed}");
    let (status, problem) = vote(&bram, &d, "PUT").await?;
    ensure!(
        status == 409 && problem["code"] == "topic_not_open",
        "{problem}"
    );
    let (status, _) = patch(&s.member, &d, json!({"description": "Toch nog"})).await?;
    ensure!(status == 403, "the author edits only while open: {status}");
    ensure!(ranking(&app, &s.member, "?status=closed").await? == [row("Geveltuinen", false, 0)]);
    ensure!(ranking(&app, &s.member, "?status=open").await?.len() == 3);
    let (status, problem) = call(
        &app,
        &s.member,
        "GET",
        "/api/v1/communities/ontmoeten/topics?status=gepland",
        None,
    )
    .await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "status",
        "{problem}"
    );
    let (status, reopened) = patch(&s.facilitator, &d, json!({"status": "open"})).await?;
    ensure!(status == 200 && reopened["status"] == "open", "{reopened}");
    app.stop().await;
    Ok(())
}

pub async fn topics_are_for_members_only(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let id = propose(&app, &s.member, "Hittestress in schoolpleinen").await?;
    let topic = format!("/api/v1/topics/{id}");
    let vote = format!("/api/v1/topics/{id}/vote");
    let list = "/api/v1/communities/ontmoeten/topics";
    let requests = [
        ("POST", list, Some(json!({"title": "Van buiten"}))),
        ("GET", list, None),
        ("GET", topic.as_str(), None),
        (
            "PATCH",
            topic.as_str(),
            Some(json!({"title": "Van buiten"})),
        ),
        ("PUT", vote.as_str(), None),
        ("DELETE", vote.as_str(), None),
    ];
    for (method, path, body) in requests.clone() {
        let (status, problem) = call(&app, &s.stranger, method, path, body).await?;
        ensure!(
            status == 404 && problem["code"] == "not_found",
            "{method} {path}: {status} {problem}"
        );
    }
    for (method, path, _) in requests {
        let response = app
            .client
            .request(method.parse()?, app.url(path))
            .send()
            .await?;
        ensure!(
            response.status() == 401,
            "{method} {path} anonymous: {}",
            response.status()
        );
    }
    let (_, still) = call(&app, &s.member, "GET", &topic, None).await?;
    ensure!(
        still["title"] == "Hittestress in schoolpleinen" && still["votes"] == 0,
        "{still}"
    );
    let (status, _) = call(
        &app,
        &s.stranger,
        "GET",
        "/api/v1/topics/bestaat-niet",
        None,
    )
    .await?;
    ensure!(status == 404);
    // The page is not there for outsiders either.
    sign_in_as(&app, "buiten@elders.nl").await?;
    get(&app, PAGE).await?.page(404)?;
    app.stop().await;
    Ok(())
}

pub async fn agenda_schedules_topics_and_minutes_mark_them_discussed(
    backend: Backend,
) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let (status, meeting) = call(&app, &s.facilitator, "POST", "/api/v1/communities/ontmoeten/meetings",
        Some(json!({"title": "Online overleg", "kind": "online", "online_url": "https://meet.example/x",
                    "starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"}))).await?;
    ensure!(status == 201, "{meeting}");
    let meeting = meeting["id"].as_str().context("id")?.to_string();
    let first = propose(&app, &s.member, "Hittestress in schoolpleinen").await?;
    let second = propose(&app, &s.member, "Beheer van wadi's").await?;
    // A topic of another community, proposed there by an administrator.
    let admin = kring::domain::Email::parse("beheer@vereniging.nl").map_err(anyhow::Error::msg)?;
    let admin = kring::db::users::find_by_email(&app.db, &admin)
        .await?
        .context("admin")?;
    let admin = app.token_for(&admin).await?;
    let (status, _) = call(&app, &admin, "POST", "/api/v1/communities",
        Some(json!({"slug": "elders", "name": "Elders", "eligibility": {"require_member_or_participant": false}}))).await?;
    ensure!(status == 201);
    let (status, other) = call(
        &app,
        &admin,
        "POST",
        "/api/v1/communities/elders/topics",
        Some(json!({"title": "Elders"})),
    )
    .await?;
    ensure!(status == 201, "{other}");
    let other = other["id"].as_str().context("id")?.to_string();

    let items = format!("/api/v1/meetings/{meeting}/agenda-items");
    let item = |title: &str, topic: &str| {
        Some(json!({"title": title, "duration_minutes": 30, "topic_id": topic}))
    };
    for topic in [other.as_str(), "bestaat-niet"] {
        let (status, problem) = call(
            &app,
            &s.facilitator,
            "POST",
            &items,
            item("Van elders", topic),
        )
        .await?;
        ensure!(
            status == 422 && problem["errors"][0]["field"] == "topic_id",
            "{topic}: {status} {problem}"
        );
    }
    let status_of = |token: &str, id: &str| {
        let (token, path) = (token.to_string(), format!("/api/v1/topics/{id}"));
        let app = &app;
        async move {
            Ok::<_, anyhow::Error>(call(app, &token, "GET", &path, None).await?.1["status"].clone())
        }
    };
    ensure!(status_of(&admin, &other).await? == "open", "untouched");
    let (_, agenda) = call(
        &app,
        &s.facilitator,
        "GET",
        &format!("/api/v1/meetings/{meeting}"),
        None,
    )
    .await?;
    ensure!(
        agenda["agenda"].as_array().is_some_and(Vec::is_empty),
        "nothing added: {agenda}"
    );

    let (status, agenda) = call(
        &app,
        &s.facilitator,
        "POST",
        &items,
        item("Hittestress", &first),
    )
    .await?;
    ensure!(
        status == 201 && agenda["items"][0]["topic_id"] == first.as_str(),
        "{agenda}"
    );
    ensure!(status_of(&s.member, &first).await? == "scheduled");
    let (status, problem) = call(
        &app,
        &s.member,
        "PUT",
        &format!("/api/v1/topics/{first}/vote"),
        None,
    )
    .await?;
    ensure!(
        status == 409 && problem["code"] == "topic_not_open",
        "votes stop once scheduled: {problem}"
    );
    let first_item = agenda["items"][0]["id"]
        .as_str()
        .context("item")?
        .to_string();
    let (status, problem) = call(
        &app,
        &s.facilitator,
        "PATCH",
        &format!("/api/v1/agenda-items/{first_item}"),
        Some(json!({"topic_id": other})),
    )
    .await?;
    ensure!(
        status == 422 && problem["errors"][0]["field"] == "topic_id",
        "{problem}"
    );
    ensure!(
        status_of(&s.member, &first).await? == "scheduled",
        "rolled back"
    );

    // A second item schedules the second topic; removing the item opens it again.
    let (_, agenda) = call(
        &app,
        &s.facilitator,
        "POST",
        &items,
        item("Wadi's", &second),
    )
    .await?;
    ensure!(status_of(&s.member, &second).await? == "scheduled");
    let second_item = agenda["items"][1]["id"]
        .as_str()
        .context("item")?
        .to_string();
    let (status, _) = call(
        &app,
        &s.facilitator,
        "DELETE",
        &format!("/api/v1/agenda-items/{second_item}"),
        None,
    )
    .await?;
    ensure!(status == 204);
    ensure!(status_of(&s.member, &second).await? == "open");

    let (status, saved) = call(
        &app,
        &s.facilitator,
        "PUT",
        &format!("/api/v1/meetings/{meeting}/minutes"),
        Some(json!({"body_markdown": "We bespraken hittestress."})),
    )
    .await?;
    ensure!(status == 200, "{saved}");
    ensure!(
        status_of(&s.member, &first).await? == "scheduled",
        "a draft changes nothing"
    );
    let (status, published) = call(
        &app,
        &s.facilitator,
        "POST",
        &format!("/api/v1/meetings/{meeting}/minutes/publish"),
        None,
    )
    .await?;
    ensure!(
        status == 200 && published["status"] == "published",
        "{published}"
    );
    ensure!(status_of(&s.member, &first).await? == "discussed");
    ensure!(
        status_of(&s.member, &second).await? == "open",
        "not on the agenda"
    );
    ensure!(
        status_of(&admin, &other).await? == "open",
        "another community"
    );
    let discussed = ranking(&app, &s.member, "?status=discussed").await?;
    ensure!(
        discussed == [row("Hittestress in schoolpleinen", false, 0)],
        "{discussed:?}"
    );
    app.stop().await;
    Ok(())
}
