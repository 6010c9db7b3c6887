//! Meetings: invitations, updates and cancellations as iCalendar entries that an independent
//! parser reads (right METHOD, stable UID, rising SEQUENCE, UTC instants in winter and summer),
//! validation, RSVP, and 404 for everyone outside the community.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};
use crate::smtp::Mail;

pub(crate) struct Setup {
    pub facilitator: String,
    pub member: String,
    pub member_id: String,
    pub stranger: String,
}

pub(crate) async fn setup(app: &TestApp) -> Result<Setup> {
    let admin = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    let admin = app.token_for(&admin).await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities"))
        .bearer_auth(&admin)
        .json(&json!({"slug": "ontmoeten", "name": "Ontmoeten", "eligibility": {"require_member_or_participant": false}}))
        .send()
        .await?;
    ensure!(r.status() == 201, "community: {}", r.text().await?);
    let fac = app
        .create_user("fleur@vereniging.nl", "Fleur Facilitator", false)
        .await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/facilitators"))
        .bearer_auth(&admin)
        .json(&json!({"user_id": fac.id}))
        .send()
        .await?;
    ensure!(r.status() == 201);
    let facilitator = app.token_for(&fac).await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/members"))
        .bearer_auth(&facilitator)
        .json(&json!({"name": "Anna de Vries", "email": "anna@tiel.nl", "organisation_code": "GM0281"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "member: {}", r.text().await?);
    let member_id = r.json::<Value>().await?["user_id"]
        .as_str()
        .context("user_id")?
        .to_string();
    let member_user = kring::db::users::find(&app.db, &member_id)
        .await?
        .context("member")?;
    let member = app.token_for(&member_user).await?;
    let outsider = app
        .create_user("buiten@elders.nl", "Buitenstaander", false)
        .await?;
    let stranger = app.token_for(&outsider).await?;
    Ok(Setup {
        facilitator,
        member,
        member_id,
        stranger,
    })
}

/// The properties of the calendar (METHOD …) and of its one event, parsed by the `ical` crate.
/// Name and value of each property.
pub(crate) type Props = Vec<(String, String)>;

pub(crate) fn parse(doc: &str) -> Result<(Props, Props)> {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(doc.as_bytes()));
    let calendar = parser
        .next()
        .context("a calendar")?
        .map_err(|e| anyhow::anyhow!("parse: {e}"))?;
    let props = |list: &[ical::property::Property]| {
        list.iter()
            .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    ensure!(calendar.events.len() == 1, "one event");
    Ok((
        props(&calendar.properties),
        props(&calendar.events[0].properties),
    ))
}

pub(crate) fn value<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub(crate) async fn calendar_mail(
    app: &TestApp,
    to: &str,
    subject_start: &str,
    count: usize,
) -> Result<Mail> {
    let sink = app.smtp.as_ref().context("sink")?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let found: Vec<Mail> = sink
            .mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to) && m.subject().starts_with(subject_start))
            .collect();
        if found.len() >= count {
            return Ok(found[count - 1].clone());
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "no mail {subject_start:?} to {to}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn invitations_updates_and_cancellations_are_calendar_entries(
    backend: Backend,
) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    // 14:00 in Amsterdam in winter is 13:00 UTC.
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Eerste bijeenkomst", "kind": "online", "starts_at": "2027-01-19T14:00:00+01:00",
                      "ends_at": "2027-01-19T16:00:00+01:00", "online_url": "https://meet.example/groen"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "create: {}", r.text().await?);
    let meeting: Value = r.json().await?;
    let id = meeting["id"].as_str().context("id")?.to_string();
    ensure!(
        meeting["starts_at"] == "2027-01-19T14:00:00+01:00",
        "{meeting}"
    );
    let mail = calendar_mail(&app, "anna@tiel.nl", "Uitnodiging", 1).await?;
    ensure!(
        mail.text()
            .contains("dinsdag 19 januari 2027, 14.00–16.00 uur"),
        "Dutch time in the mail"
    );
    let (cal, event) = parse(&mail.part("text/calendar").context("calendar part")?)?;
    ensure!(value(&cal, "METHOD") == Some("REQUEST"), "{cal:?}");
    let uid = value(&event, "UID").context("UID")?.to_string();
    ensure!(value(&event, "SEQUENCE") == Some("0"));
    ensure!(
        value(&event, "DTSTART") == Some("20270119T130000Z"),
        "{event:?}"
    );
    ensure!(value(&event, "DTEND") == Some("20270119T150000Z"));
    ensure!(value(&event, "STATUS") == Some("CONFIRMED"));
    ensure!(value(&event, "LOCATION") == Some("https://meet.example/groen"));
    ensure!(value(&event, "ORGANIZER").is_some_and(|o| o.starts_with("mailto:")));
    ensure!(
        value(&event, "ATTENDEE") == Some("mailto:anna@tiel.nl"),
        "{event:?}"
    );
    ensure!(value(&event, "URL").is_some_and(|u| u.ends_with(&format!("/bijeenkomsten/{id}"))));
    calendar_mail(&app, "fleur@vereniging.nl", "Uitnodiging", 1).await?;

    // Moved to a site visit in summer: 14:00 is 12:00 UTC; same UID, higher SEQUENCE.
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/meetings/{id}")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Werkbezoek Tiel", "kind": "site_visit", "starts_at": "2027-06-15T14:00:00+02:00",
                      "ends_at": "2027-06-15T17:00:00+02:00",
                      "location": {"name": "Stadhuis", "address": "Kalverbos 1", "city": "Tiel"}}))
        .send()
        .await?;
    ensure!(r.status() == 200, "update: {}", r.text().await?);
    let mail = calendar_mail(&app, "anna@tiel.nl", "Gewijzigd", 1).await?;
    let (cal, event) = parse(&mail.part("text/calendar").context("calendar part")?)?;
    ensure!(value(&cal, "METHOD") == Some("REQUEST"));
    ensure!(value(&event, "UID") == Some(uid.as_str()), "stable UID");
    ensure!(value(&event, "SEQUENCE") == Some("1"));
    ensure!(
        value(&event, "DTSTART") == Some("20270615T120000Z"),
        "{event:?}"
    );
    ensure!(
        value(&event, "LOCATION") == Some("Stadhuis\\, Kalverbos 1\\, Tiel")
            || value(&event, "LOCATION") == Some("Stadhuis, Kalverbos 1, Tiel"),
        "{event:?}"
    );

    // Cancelled: METHOD:CANCEL, SEQUENCE 2, STATUS CANCELLED.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{id}/cancel")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"reason": "De zaal is niet beschikbaar"}))
        .send()
        .await?;
    ensure!(r.status() == 200, "cancel: {}", r.text().await?);
    let mail = calendar_mail(&app, "anna@tiel.nl", "Afgelast", 1).await?;
    ensure!(mail.text().contains("De zaal is niet beschikbaar"));
    let (cal, event) = parse(&mail.part("text/calendar").context("calendar part")?)?;
    ensure!(value(&cal, "METHOD") == Some("CANCEL"));
    ensure!(value(&event, "UID") == Some(uid.as_str()));
    ensure!(value(&event, "SEQUENCE") == Some("2"));
    ensure!(value(&event, "STATUS") == Some("CANCELLED"));

    // The .ics of the meeting, for members.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{id}/ics")))
        .bearer_auth(&s.member)
        .send()
        .await?;
    ensure!(
        r.status() == 200
            && r.headers()["content-type"]
                .to_str()?
                .starts_with("text/calendar")
    );
    let (_, event) = parse(&r.text().await?)?;
    ensure!(value(&event, "UID") == Some(uid.as_str()));
    app.stop().await;
    Ok(())
}

pub async fn invalid_meetings_are_refused(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let post = |body: Value| {
        app.client
            .post(app.url("/api/v1/communities/ontmoeten/meetings"))
            .bearer_auth(&s.facilitator)
            .json(&body)
            .send()
    };
    let cases = [
        (
            json!({"title": "A", "kind": "online", "starts_at": "2027-01-19T14:00:00+01:00", "ends_at": "2027-01-19T16:00:00+01:00"}),
            "online_url",
        ),
        (
            json!({"title": "A", "kind": "site_visit", "starts_at": "2027-01-19T14:00:00+01:00", "ends_at": "2027-01-19T16:00:00+01:00", "location": {"name": "Stadhuis"}}),
            "location.address",
        ),
        (
            json!({"title": "A", "kind": "online", "online_url": "https://x.example", "starts_at": "2027-01-19T16:00:00+01:00", "ends_at": "2027-01-19T14:00:00+01:00"}),
            "ends_at",
        ),
    ];
    for (body, field) in cases {
        let r = post(body).await?;
        ensure!(r.status() == 422, "{field}: {}", r.status());
        let problem: Value = r.json().await?;
        ensure!(
            problem["code"] == "validation_failed" && problem["errors"][0]["field"] == field,
            "{problem}"
        );
    }
    let r = post(json!({"title": "A", "kind": "online", "online_url": "https://x.example", "starts_at": "gisteren", "ends_at": "2027-01-19T14:00:00+01:00"})).await?;
    ensure!(r.status() == 422, "malformed date");
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.member)
        .json(&json!({"title": "A", "kind": "online", "online_url": "https://x.example", "starts_at": "2027-01-19T14:00:00+01:00", "ends_at": "2027-01-19T15:00:00+01:00"}))
        .send()
        .await?;
    ensure!(r.status() == 403, "members do not plan meetings");
    app.stop().await;
    Ok(())
}

pub async fn meetings_are_for_members_only(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Online", "kind": "online", "online_url": "https://x.example", "starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"}))
        .send()
        .await?;
    let id = r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    // The member answers; counts and the own answer show.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{id}/rsvp")))
        .bearer_auth(&s.member)
        .json(&json!({"response": "yes"}))
        .send()
        .await?;
    ensure!(r.status() == 204);
    let r = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{id}/rsvp")))
        .bearer_auth(&s.member)
        .json(&json!({"response": "misschien"}))
        .send()
        .await?;
    ensure!(r.status() == 422);
    let detail: Value = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{id}")))
        .bearer_auth(&s.member)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        detail["rsvp_counts"] == json!({"yes": 1, "no": 0, "maybe": 0})
            && detail["my_rsvp"] == "yes",
        "{detail}"
    );
    let list: Value = app
        .client
        .get(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.member)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        list["items"].as_array().is_some_and(|i| i.len() == 1),
        "{list}"
    );
    // Attendance by the facilitator, members only.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{id}/attendance")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"user_ids": [s.member_id]}))
        .send()
        .await?;
    ensure!(r.status() == 204);
    let r = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{id}/attendance")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"user_ids": ["onbekend"]}))
        .send()
        .await?;
    ensure!(r.status() == 422);
    let r = app.client.patch(app.url(&format!("/api/v1/meetings/{id}"))).bearer_auth(&s.member).json(&json!({"title": "X", "kind": "online", "online_url": "https://x.example", "starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"})).send().await?;
    ensure!(r.status() == 403, "a member may read but not change");
    // Someone outside the community: every route is 404, the .ics included.
    for (method, path) in [
        ("GET", format!("/api/v1/meetings/{id}")),
        ("GET", format!("/api/v1/meetings/{id}/ics")),
        ("PUT", format!("/api/v1/meetings/{id}/rsvp")),
        ("PUT", format!("/api/v1/meetings/{id}/attendance")),
        ("PATCH", format!("/api/v1/meetings/{id}")),
        ("POST", format!("/api/v1/meetings/{id}/cancel")),
        ("GET", "/api/v1/communities/ontmoeten/meetings".to_string()),
        ("POST", "/api/v1/communities/ontmoeten/meetings".to_string()),
    ] {
        let body = json!({"response": "yes", "user_ids": [], "title": "X", "kind": "online", "online_url": "https://x.example",
                          "starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"});
        let mut request = app
            .client
            .request(method.parse()?, app.url(&path))
            .bearer_auth(&s.stranger);
        if method != "GET" {
            // Each endpoint refuses fields it does not know, so send what it takes.
            let body = match path.rsplit('/').next() {
                Some("rsvp") => json!({"response": "yes"}),
                Some("attendance") => json!({"user_ids": []}),
                Some("cancel") => json!({}),
                _ => {
                    let mut b = body.clone();
                    b.as_object_mut().unwrap().remove("response");
                    b.as_object_mut().unwrap().remove("user_ids");
                    b
                }
            };
            request = request.json(&body);
        }
        let r = request.send().await?;
        ensure!(r.status() == 404, "{method} {path}: {}", r.status());
    }
    app.stop().await;
    Ok(())
}

pub async fn date_poll_ranks_and_becomes_a_meeting(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let second_member = {
        let r = app
            .client
            .post(app.url("/api/v1/communities/ontmoeten/members"))
            .bearer_auth(&s.facilitator)
            .json(&json!({"name": "Bram Bakker", "email": "bram@tiel.nl", "organisation_code": "GM0281"}))
            .send()
            .await?;
        let id = r.json::<Value>().await?["user_id"]
            .as_str()
            .context("id")?
            .to_string();
        let user = kring::db::users::find(&app.db, &id)
            .await?
            .context("user")?;
        app.token_for(&user).await?
    };
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/polls"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Eerste online bijeenkomst", "options": [
            {"starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"},
            {"starts_at": "2027-03-23T14:00:00+01:00", "ends_at": "2027-03-23T16:00:00+01:00"},
            {"starts_at": "2027-04-06T10:00:00+02:00", "ends_at": "2027-04-06T12:00:00+02:00"}]}))
        .send()
        .await?;
    ensure!(r.status() == 201, "poll: {}", r.text().await?);
    let poll: Value = r.json().await?;
    let id = poll["id"].as_str().context("id")?.to_string();
    let options: Vec<String> = poll["options"]
        .as_array()
        .context("options")?
        .iter()
        .map(|o| o["id"].as_str().unwrap_or_default().to_string())
        .collect();
    ensure!(options.len() == 3);
    calendar_mail(&app, "anna@tiel.nl", "Datumprikker", 1).await?;
    let answer = |token: &str, answers: Value| {
        app.client
            .put(app.url(&format!("/api/v1/polls/{id}/answers")))
            .bearer_auth(token)
            .json(&json!({"answers": answers}))
            .send()
    };
    // Slots 1 and 3 tie on yes and maybe, so the earlier (slot 1) wins; then a maybe for slot 3
    // makes slot 3 win.
    let r = answer(&s.member, json!([{"option_id": options[0], "answer": "yes"}, {"option_id": options[1], "answer": "no"}, {"option_id": options[2], "answer": "yes"}])).await?;
    ensure!(r.status() == 200, "answer: {}", r.text().await?);
    answer(&second_member, json!([{"option_id": options[0], "answer": "yes"}, {"option_id": options[2], "answer": "yes"}])).await?;
    let get = || {
        app.client
            .get(app.url(&format!("/api/v1/polls/{id}")))
            .bearer_auth(&s.member)
            .send()
    };
    let state: Value = get().await?.json().await?;
    ensure!(
        state["best_option_id"] == options[0],
        "tie on yes and maybe: earliest wins: {state}"
    );
    ensure!(
        state["options"][0]["yes"] == 2 && state["options"][1]["no"] == 1,
        "{state}"
    );
    ensure!(state["my_answers"].as_array().is_some_and(|a| a.len() == 3));
    // The facilitator's maybe for slot 3 breaks the tie; answers are replaced, not added.
    answer(
        &s.facilitator,
        json!([{"option_id": options[2], "answer": "maybe"}]),
    )
    .await?;
    answer(
        &s.facilitator,
        json!([{"option_id": options[2], "answer": "maybe"}]),
    )
    .await?;
    let state: Value = get().await?.json().await?;
    ensure!(
        state["best_option_id"] == options[2] && state["options"][2]["maybe"] == 1,
        "{state}"
    );
    let r = answer(
        &s.member,
        json!([{"option_id": "onbekend", "answer": "yes"}]),
    )
    .await?;
    ensure!(r.status() == 422);
    // Outsiders see nothing.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/polls/{id}")))
        .bearer_auth(&s.stranger)
        .send()
        .await?;
    ensure!(r.status() == 404);
    // Deciding creates the meeting at the chosen slot (10:00 summer time is 08:00 UTC) and invites.
    let decide = json!({"option_id": options[2], "meeting": {"kind": "online", "online_url": "https://meet.example/start"}});
    let r = app
        .client
        .post(app.url(&format!("/api/v1/polls/{id}/decide")))
        .bearer_auth(&s.member)
        .json(&decide)
        .send()
        .await?;
    ensure!(r.status() == 403, "members do not decide");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/polls/{id}/decide")))
        .bearer_auth(&s.facilitator)
        .json(&decide)
        .send()
        .await?;
    ensure!(r.status() == 201, "decide: {}", r.text().await?);
    let created: Value = r.json().await?;
    ensure!(
        created["starts_at"] == "2027-04-06T10:00:00+02:00"
            && created["title"] == "Eerste online bijeenkomst",
        "{created}"
    );
    let mail = calendar_mail(&app, "bram@tiel.nl", "Uitnodiging", 1).await?;
    let (_, event) = parse(&mail.part("text/calendar").context("calendar")?)?;
    ensure!(
        value(&event, "DTSTART") == Some("20270406T080000Z"),
        "{event:?}"
    );
    let state: Value = get().await?.json().await?;
    ensure!(
        state["status"] == "decided" && state["meeting_id"] == created["id"],
        "{state}"
    );
    let r = app
        .client
        .post(app.url(&format!("/api/v1/polls/{id}/decide")))
        .bearer_auth(&s.facilitator)
        .json(&decide)
        .send()
        .await?;
    ensure!(r.status() == 409);
    let r = answer(&s.member, json!([])).await?;
    ensure!(r.status() == 409, "closed after the decision");
    app.stop().await;
    Ok(())
}

pub async fn agenda_start_times_follow_adding_removing_and_reordering(
    backend: Backend,
) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Werkbezoek", "kind": "site_visit", "starts_at": "2027-03-16T14:00:00+01:00",
                      "ends_at": "2027-03-16T16:00:00+01:00", "location": {"address": "Kalverbos 1", "city": "Tiel"}}))
        .send()
        .await?;
    let id = r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let add = |title: &str, minutes: i64| {
        app.client
            .post(app.url(&format!("/api/v1/meetings/{id}/agenda-items")))
            .bearer_auth(&s.facilitator)
            .json(&json!({"title": title, "duration_minutes": minutes}))
            .send()
    };
    add("Welkom", 15).await?;
    add("Rondleiding", 60).await?;
    let r = add("Gesprek", 60).await?;
    ensure!(r.status() == 201);
    let agenda: Value = r.json().await?;
    let starts = |a: &Value| -> Vec<String> {
        a["items"]
            .as_array()
            .map(|i| {
                i.iter()
                    .map(|x| x["planned_start"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    ensure!(
        starts(&agenda)
            == [
                "2027-03-16T14:00:00+01:00",
                "2027-03-16T14:15:00+01:00",
                "2027-03-16T15:15:00+01:00"
            ],
        "{agenda}"
    );
    ensure!(
        agenda["agenda_overrun_minutes"] == 15,
        "15 minutes too long: {agenda}"
    );
    let ids: Vec<String> = agenda["items"]
        .as_array()
        .context("items")?
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect();
    // Reorder: Gesprek, Welkom, Rondleiding.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{id}/agenda-order")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"item_ids": [ids[2], ids[0], ids[1]]}))
        .send()
        .await?;
    let agenda: Value = r.json().await?;
    ensure!(
        agenda["items"][0]["title"] == "Gesprek"
            && starts(&agenda)[2] == "2027-03-16T15:15:00+01:00",
        "{agenda}"
    );
    let r = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{id}/agenda-order")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"item_ids": [ids[0]]}))
        .send()
        .await?;
    ensure!(r.status() == 422, "an incomplete order is refused");
    // Remove the long one: it fits again.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/agenda-items/{}", ids[1])))
        .bearer_auth(&s.facilitator)
        .send()
        .await?;
    ensure!(r.status() == 204);
    let detail: Value = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{id}")))
        .bearer_auth(&s.member)
        .send()
        .await?
        .json()
        .await?;
    let titles: Vec<&str> = detail["agenda"]
        .as_array()
        .context("agenda")?
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    ensure!(titles == ["Gesprek", "Welkom"], "{detail}");
    ensure!(
        detail["agenda"][1]["planned_start"] == "2027-03-16T15:00:00+01:00"
            && detail["agenda_overrun_minutes"] == 0,
        "{detail}"
    );
    // Changing a duration moves what follows.
    let first = detail["agenda"][0]["id"].as_str().context("id")?;
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/agenda-items/{first}")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"duration_minutes": 30}))
        .send()
        .await?;
    let agenda: Value = r.json().await?;
    ensure!(
        starts(&agenda)[1] == "2027-03-16T14:30:00+01:00",
        "{agenda}"
    );
    // Members read but do not change; outsiders get 404.
    let r = add("Nog iets", 10).await?;
    ensure!(r.status() == 201);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{id}/agenda-items")))
        .bearer_auth(&s.member)
        .json(&json!({"title": "X", "duration_minutes": 5}))
        .send()
        .await?;
    ensure!(r.status() == 403);
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/agenda-items/{first}")))
        .bearer_auth(&s.stranger)
        .json(&json!({"title": "X"}))
        .send()
        .await?;
    ensure!(r.status() == 404);
    app.stop().await;
    Ok(())
}

pub async fn minutes_are_drafted_published_and_actions_carry_over(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let plan = |title: &'static str, day: &'static str| {
        app.client
            .post(app.url("/api/v1/communities/ontmoeten/meetings"))
            .bearer_auth(&s.facilitator)
            .json(&json!({"title": title, "kind": "online", "online_url": "https://meet.example/x",
                          "starts_at": format!("2027-{day}T14:00:00+01:00"), "ends_at": format!("2027-{day}T16:00:00+01:00")}))
            .send()
    };
    let first = plan("Eerste", "01-19").await?.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let next = plan("Tweede", "03-16").await?.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let fac = |method: &str, path: String| {
        app.client
            .request(method.parse().unwrap(), app.url(&path))
            .bearer_auth(&s.facilitator)
    };
    fac("POST", format!("/api/v1/meetings/{first}/agenda-items"))
        .json(&json!({"title": "Groene daken", "duration_minutes": 30}))
        .send()
        .await?;
    fac("PUT", format!("/api/v1/meetings/{first}/attendance"))
        .json(&json!({"user_ids": [s.member_id]}))
        .send()
        .await?;
    let template: Value = fac("POST", format!("/api/v1/meetings/{first}/minutes/template"))
        .send()
        .await?
        .json()
        .await?;
    let body = template["body_markdown"].as_str().context("template")?;
    ensure!(
        body.contains("## 1. Groene daken") && body.contains("Anna de Vries"),
        "drafted from agenda and attendance: {body}"
    );
    let r = fac("PUT", format!("/api/v1/meetings/{first}/minutes"))
        .json(&json!({"body_markdown": format!("{body}\nWe bespraken <script>x</script> **groene daken**."),
                      "decisions": ["We delen subsidieregelingen"],
                      "actions": [{"text": "Overzicht subsidies maken", "owner_user_id": s.member_id, "due_date": "2027-02-28"}]}))
        .send()
        .await?;
    ensure!(r.status() == 200, "save: {}", r.text().await?);
    let saved: Value = r.json().await?;
    ensure!(
        saved["status"] == "draft"
            && !saved["body_html"]
                .as_str()
                .unwrap_or_default()
                .contains("<script"),
        "{saved}"
    );
    // The draft is for facilitators only.
    let member_get = || {
        app.client
            .get(app.url(&format!("/api/v1/meetings/{first}/minutes")))
            .bearer_auth(&s.member)
            .send()
    };
    ensure!(
        member_get().await?.status() == 404,
        "draft hidden from members"
    );
    ensure!(
        fac("GET", format!("/api/v1/meetings/{first}/minutes"))
            .send()
            .await?
            .status()
            == 200
    );
    ensure!(
        app.client
            .post(app.url(&format!("/api/v1/meetings/{first}/minutes/publish")))
            .bearer_auth(&s.member)
            .send()
            .await?
            .status()
            == 403
    );
    let r = fac("POST", format!("/api/v1/meetings/{first}/minutes/publish"))
        .send()
        .await?;
    ensure!(r.status() == 200, "publish: {}", r.text().await?);
    let published: Value = member_get().await?.json().await?;
    ensure!(
        published["status"] == "published"
            && published["decisions"] == json!(["We delen subsidieregelingen"]),
        "{published}"
    );
    let mail = calendar_mail(&app, "anna@tiel.nl", "Verslag", 1).await?;
    ensure!(mail.text().contains("We delen subsidieregelingen"));
    // The open action shows on the next meeting until it is done.
    let detail: Value = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{next}")))
        .bearer_auth(&s.member)
        .send()
        .await?
        .json()
        .await?;
    let open = detail["open_actions"].as_array().context("open actions")?;
    ensure!(
        open.len() == 1 && open[0]["text"] == "Overzicht subsidies maken",
        "{detail}"
    );
    let action = open[0]["id"].as_str().context("id")?.to_string();
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/actions/{action}")))
        .bearer_auth(&s.stranger)
        .json(&json!({"done": true}))
        .send()
        .await?;
    ensure!(r.status() == 404, "outsiders");
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/actions/{action}")))
        .bearer_auth(&s.member)
        .json(&json!({"done": true}))
        .send()
        .await?;
    ensure!(r.status() == 200, "the owner marks it done");
    let detail: Value = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{next}")))
        .bearer_auth(&s.member)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        detail["open_actions"].as_array().is_some_and(Vec::is_empty),
        "{detail}"
    );
    ensure!(
        app.client
            .get(app.url(&format!("/api/v1/meetings/{first}/minutes")))
            .bearer_auth(&s.stranger)
            .send()
            .await?
            .status()
            == 404
    );
    app.stop().await;
    Ok(())
}

pub async fn date_poll_page_takes_answers_and_a_decision(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    let poll: Value = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/polls"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Volgende bijeenkomst", "options": [
            {"starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"},
            {"starts_at": "2027-03-23T14:00:00+01:00", "ends_at": "2027-03-23T16:00:00+01:00"}]}))
        .send()
        .await?
        .json()
        .await?;
    let id = poll["id"].as_str().context("id")?.to_string();
    let second = poll["options"][1]["id"]
        .as_str()
        .context("option")?
        .to_string();
    let page = format!("/communities/ontmoeten/datumprikkers/{id}");
    // An outsider signed in through the pages gets 404.
    let outsider = kring::db::users::find_by_email(
        &app.db,
        &kring::domain::Email::parse("buiten@elders.nl").unwrap(),
    )
    .await?
    .context("outsider")?;
    app.sign_in(&outsider).await?;
    ensure!(app.get(&page).await?.status() == 404, "outsiders");
    // The member answers through the table.
    let anna = kring::db::users::find_by_email(
        &app.db,
        &kring::domain::Email::parse("anna@tiel.nl").unwrap(),
    )
    .await?
    .context("member")?;
    app.sign_in(&anna).await?;
    let html = app.get(&page).await?.text().await?;
    ensure!(
        html.contains("dinsdag 16 maart 2027, 14.00–16.00 uur")
            && html.contains("name=\"antwoord-"),
        "the table"
    );
    let field = format!("antwoord-{second}");
    let r = app
        .post_form(&page, &page, &[(field.as_str(), "yes")])
        .await?;
    ensure!(r.status() == 303, "answer: {}", r.status());
    let html = app
        .get(&format!("{page}?melding=opgeslagen"))
        .await?
        .text()
        .await?;
    ensure!(
        html.contains("Je beschikbaarheid is opgeslagen") && html.contains("Beste moment"),
        "saved and ranked"
    );
    ensure!(
        html.contains(&format!(
            "id=\"a-{second}-yes\" name=\"{field}\" value=\"yes\" checked"
        )),
        "own answer shown"
    );
    ensure!(!html.contains("Datum kiezen"), "members do not decide");
    // The facilitator decides on the page; the meeting is created at that slot.
    let fleur = kring::db::users::find_by_email(
        &app.db,
        &kring::domain::Email::parse("fleur@vereniging.nl").unwrap(),
    )
    .await?
    .context("fac")?;
    app.sign_in(&fleur).await?;
    let decide = format!("{page}/besluiten");
    let r = app
        .post_form(
            &decide,
            &page,
            &[("option_id", second.as_str()), ("kind", "online")],
        )
        .await?;
    ensure!(
        r.status() == 422,
        "online without a link is refused: {}",
        r.status()
    );
    let r = app
        .post_form(
            &decide,
            &page,
            &[
                ("option_id", second.as_str()),
                ("kind", "online"),
                ("online_url", "https://meet.example/x"),
            ],
        )
        .await?;
    ensure!(r.status() == 303, "decided: {}", r.status());
    let location = r.headers()["location"].to_str()?.to_string();
    let meeting_id = location.trim_start_matches("/bijeenkomsten/");
    let meeting: Value = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{meeting_id}")))
        .bearer_auth(&s.member)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        meeting["starts_at"] == "2027-03-23T14:00:00+01:00",
        "{meeting}"
    );
    app.stop().await;
    Ok(())
}
