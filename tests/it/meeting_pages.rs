//! The meeting pages through the browser's eyes: the facilitator plans a site visit with local
//! times, form errors keep the values, members answer, attendance is pre-filled from the yes
//! answers, a cancellation reaches the calendar, the year plan counts, and who sees what.

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::facilitator_pages::{get, post, sign_in_as};
use crate::harness::{Backend, Options, TestApp};
use crate::meetings::{calendar_mail, parse, setup, value};

const LIST: &str = "/communities/ontmoeten/bijeenkomsten";

/// The app with its clock on 1 March 2027, so a summer meeting is this year and still to come.
async fn start(backend: &Backend) -> Result<TestApp> {
    let now = DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")?.with_timezone(&Utc);
    let options = Options {
        clock: Some(kring::clock::Clock::manual(now)),
        ..Options::default()
    };
    TestApp::start_with(backend, options).await
}

async fn api(app: &TestApp, token: &str, path: &str) -> Result<Value> {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await?;
    ensure!(r.status() == 200, "{path}: {}", r.status());
    Ok(r.json().await?)
}

const SITE_VISIT: [(&str, &str); 10] = [
    ("title", "Werkbezoek Tiel"),
    ("kind", "site_visit"),
    ("starts_date", "2027-06-15"),
    ("starts_time", "14:00"),
    ("ends_time", "17:00"),
    ("description", "Rondleiding langs de nieuwe wadi's."),
    ("location_name", "Stadhuis"),
    ("location_address", "Kalverbos 1"),
    ("location_city", "Tiel"),
    ("host_organisation_code", "GM0281"),
];

pub async fn facilitator_plans_and_members_answer(backend: Backend) -> Result<()> {
    let app = start(&backend).await?;
    let s = setup(&app).await?;
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let home = get(&app, "/communities/ontmoeten").await?;
    home.page(200)?;
    home.contains("<dd>0 van 3</dd>")?;
    home.contains(&format!("href=\"{LIST}\""))?;
    let page = get(&app, LIST).await?;
    page.page(200)?;
    page.contains("Er zijn geen bijeenkomsten gepland.")?;
    page.contains("Nieuwe bijeenkomst")?;

    // Online without a link, ending before it starts: both beside their fields, values kept.
    let wrong = [
        ("title", "Online overleg"),
        ("kind", "online"),
        ("starts_date", "2027-06-15"),
        ("starts_time", "16:00"),
        ("ends_time", "14:00"),
        ("online_url", ""),
    ];
    let reply = post(&app, LIST, LIST, &wrong).await?;
    reply.page(422)?;
    for field in ["online_url", "ends_time"] {
        reply.contains(&format!("href=\"#{field}\""))?;
        reply.contains(&format!("id=\"{field}-fout\""))?;
    }
    reply.contains("Een online bijeenkomst heeft een deelnamelink.")?;
    reply.contains("id=\"ends_time\" name=\"ends_time\" value=\"14:00\"")?;
    reply.contains("value=\"Online overleg\"")?;
    reply.contains("value=\"2027-06-15\"")?;
    reply.contains("id=\"kind-online\" name=\"kind\" value=\"online\" checked")?;

    // The site visit at 14:00 in summer is 12:00 UTC.
    let reply = post(&app, LIST, LIST, &SITE_VISIT).await?;
    reply.redirects(&format!("{LIST}?melding=gepland"))?;
    let list = get(&app, &reply.location).await?;
    list.page(200)?;
    list.contains("is gepland")?;
    list.contains("Werkbezoek Tiel")?;
    list.contains("dinsdag 15 juni 2027, 14.00–17.00 uur")?;
    list.contains("Werkbezoek · Stadhuis, Kalverbos 1, Tiel")?;
    let listed = api(&app, &s.member, "/api/v1/communities/ontmoeten/meetings").await?;
    let meeting = &listed["items"][0];
    let id = meeting["id"].as_str().context("id")?.to_string();
    let starts = DateTime::parse_from_rfc3339(meeting["starts_at"].as_str().context("start")?)?;
    ensure!(
        starts.with_timezone(&Utc).to_rfc3339() == "2027-06-15T12:00:00+00:00"
            && meeting["kind"] == "site_visit"
            && meeting["host_organisation_code"] == "GM0281",
        "{meeting}"
    );
    let mail = calendar_mail(&app, "anna@tiel.nl", "Uitnodiging", 1).await?;
    let (cal, event) = parse(&mail.part("text/calendar").context("calendar part")?)?;
    ensure!(value(&cal, "METHOD") == Some("REQUEST"), "{cal:?}");
    ensure!(
        value(&event, "DTSTART") == Some("20270615T120000Z"),
        "{event:?}"
    );

    // The year plan counts it, and the home shows it as the next meeting.
    let home = get(&app, "/communities/ontmoeten").await?;
    home.page(200)?;
    home.contains("<dd>1 van 3</dd>")?;
    home.contains("<dd>1 van 1</dd>")?;
    home.contains(&format!("href=\"/bijeenkomsten/{id}\""))?;
    let community = api(&app, &s.member, "/api/v1/communities/ontmoeten").await?;
    ensure!(
        community["year_plan"]["meetings_planned"] == 1
            && community["year_plan"]["site_visits_planned"] == 1,
        "{community}"
    );
    let detail = format!("/bijeenkomsten/{id}");
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Bijeenkomst wijzigen")?;
    page.contains("id=\"starts_time\" name=\"starts_time\" value=\"14:00\"")?;
    page.contains("<dd>Tiel</dd>")?;
    page.contains(&format!("href=\"/api/v1/meetings/{id}/ics\""))?;

    // The member answers yes.
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.check(!page.html.contains("Bijeenkomst wijzigen"), "no edit form")?;
    page.check(!page.html.contains("Wie was er bij?"), "no attendance")?;
    let rsvp = format!("{detail}/aanwezigheid-doorgeven");
    let reply = post(&app, &rsvp, &detail, &[]).await?;
    reply.page(422)?;
    reply.contains("href=\"#rsvp-yes\"")?;
    let reply = post(&app, &rsvp, &detail, &[("response", "yes")]).await?;
    reply.redirects(&format!("{detail}?melding=antwoord"))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.contains("Je antwoord is opgeslagen.")?;
    page.contains("Jouw antwoord: <strong>Ja</strong>")?;
    page.contains("Ja: 1 · Nee: 0 · Misschien: 0")?;
    page.contains("id=\"rsvp-yes\" name=\"response\" value=\"yes\" checked")?;
    let ics = app.get(&format!("/api/v1/meetings/{id}/ics")).await?;
    ensure!(ics.status() == 200, "the .ics with the session");
    // A plain member changes nothing.
    for action in ["wijzigen", "afgelasten", "aanwezig"] {
        let reply = post(&app, &format!("{detail}/{action}"), &detail, &SITE_VISIT).await?;
        reply.check(reply.status == 403, "a member may not")?;
    }
    let reply = post(&app, LIST, LIST, &SITE_VISIT).await?;
    reply.check(reply.status == 403, "a member plans nothing")?;

    // Attendance is pre-filled from the yes answers, then as recorded.
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    let anna = format!(
        "id=\"aanwezig-{0}\" name=\"present\" value=\"{0}\" checked",
        s.member_id
    );
    page.contains(&anna)?;
    let boxes = page.html.matches("name=\"present\"").count();
    page.check(boxes == 2, "a checkbox per member, facilitator included")?;
    let reply = post(
        &app,
        &format!("{detail}/aanwezig"),
        &detail,
        &[("present", &s.member_id)],
    )
    .await?;
    reply.redirects(&format!("{detail}?melding=aanwezigheid"))?;
    let shown = api(&app, &s.facilitator, &format!("/api/v1/meetings/{id}")).await?;
    ensure!(shown["attendance"] == json!([s.member_id]), "{shown}");
    let page = get(&app, &reply.location).await?;
    page.contains("zoals die is vastgelegd")?;
    page.contains(&anna)?;

    // A later start sends an update; then the cancellation with its reason.
    let mut moved = SITE_VISIT;
    moved[3] = ("starts_time", "15:00");
    let reply = post(&app, &format!("{detail}/wijzigen"), &detail, &moved).await?;
    reply.redirects(&format!("{detail}?melding=gewijzigd"))?;
    let mail = calendar_mail(&app, "anna@tiel.nl", "Gewijzigd", 1).await?;
    let (_, event) = parse(&mail.part("text/calendar").context("calendar part")?)?;
    ensure!(value(&event, "DTSTART") == Some("20270615T130000Z"));
    ensure!(value(&event, "SEQUENCE") == Some("1"));
    let reason = "De zaal is niet beschikbaar";
    let reply = post(
        &app,
        &format!("{detail}/afgelasten"),
        &detail,
        &[("reason", reason)],
    )
    .await?;
    reply.redirects(&format!("{detail}?melding=afgelast"))?;
    let mail = calendar_mail(&app, "anna@tiel.nl", "Afgelast", 1).await?;
    ensure!(mail.text().contains(reason), "the reason in the mail");
    let (cal, _) = parse(&mail.part("text/calendar").context("calendar part")?)?;
    ensure!(value(&cal, "METHOD") == Some("CANCEL"), "{cal:?}");
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.contains("Afgelast</span>")?;
    page.contains(reason)?;
    let reply = post(&app, &format!("{detail}/afgelasten"), &detail, &[]).await?;
    reply.page(409)?;
    reply.contains("al afgelast")?;
    get(&app, LIST).await?.contains("Afgelast</span>")?;
    get(&app, "/communities/ontmoeten")
        .await?
        .contains("<dd>0 van 3</dd>")?;
    app.stop().await;
    Ok(())
}

pub async fn meeting_pages_are_for_members_only(backend: Backend) -> Result<()> {
    let app = start(&backend).await?;
    let s = setup(&app).await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(&json!({"title": "Online", "kind": "online", "online_url": "https://meet.example/x",
                      "starts_at": "2027-03-16T14:00:00+01:00", "ends_at": "2027-03-16T16:00:00+01:00"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "create: {}", r.text().await?);
    let id = r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string();
    let detail = format!("/bijeenkomsten/{id}");
    for path in [LIST, detail.as_str()] {
        get(&app, path).await?.redirects("/inloggen?volgende=")?;
    }
    sign_in_as(&app, "buiten@elders.nl").await?;
    for path in [LIST, detail.as_str()] {
        let page = get(&app, path).await?;
        page.check(page.status == 404, "an outsider gets 404")?;
    }
    let rsvp = format!("{detail}/aanwezigheid-doorgeven");
    let reply = post(&app, &rsvp, "/", &[("response", "yes")]).await?;
    reply.check(reply.status == 404, "an outsider answers nothing")?;
    // The member sees the join link and the meeting as the next one.
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("href=\"https://meet.example/x\"")?;
    page.contains("dinsdag 16 maart 2027, 14.00–16.00 uur")?;
    let list = get(&app, LIST).await?;
    list.page(200)?;
    list.contains("Volgende bijeenkomst")?;
    list.check(!list.html.contains("Nieuwe bijeenkomst"), "no form")?;
    app.stop().await;
    Ok(())
}
