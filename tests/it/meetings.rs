//! Meetings: invitations, updates and cancellations as iCalendar entries that an independent
//! parser reads (right METHOD, stable UID, rising SEQUENCE, UTC instants in winter and summer),
//! validation, RSVP, and 404 for everyone outside the community.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};
use crate::smtp::Mail;

struct Setup {
    facilitator: String,
    member: String,
    member_id: String,
    stranger: String,
}

async fn setup(app: &TestApp) -> Result<Setup> {
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
type Props = Vec<(String, String)>;

fn parse(doc: &str) -> Result<(Props, Props)> {
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

fn value<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

async fn calendar_mail(app: &TestApp, to: &str, subject_start: &str, count: usize) -> Result<Mail> {
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
