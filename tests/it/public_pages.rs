//! The public side of registration: home and programme pages, the registration form with every
//! refusal beside its field, the organisation picker with and without JavaScript, enrolment, demo.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, Options, TestApp, TestDb};

/// A programme with a small (≤ 49,999) and a large community; returns an admin token.
async fn setup(app: &TestApp, capacity: i64) -> Result<String> {
    let admin = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    let token = app.token_for(&admin).await?;
    let post = |path: &str, body: Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let r = post(
        "/api/v1/programmes",
        json!({"slug": "gsc", "name": "Groene Stad Challenge", "contact_name": "Fleur Facilitator", "contact_email": "fleur@vereniging.nl"}),
    )
    .await?;
    ensure!(r.status() == 201, "programme: {}", r.text().await?);
    for (slug, name, min, max) in [
        ("gsc-klein", "Kleine gemeenten", None, Some(49_999)),
        ("gsc-groot", "Grote gemeenten", Some(50_000), None),
    ] {
        let r = post(
            "/api/v1/communities",
            json!({"slug": slug, "name": name, "programme": "gsc", "capacity": capacity, "max_per_organisation": 2,
                   "registration_deadline": "2099-02-20T23:59:59+01:00",
                   "eligibility": {"min_population": min, "max_population": max}}),
        )
        .await?;
        ensure!(r.status() == 201, "community: {}", r.text().await?);
    }
    for code in ["GM0088", "GM0363", "GM0014"] {
        let r = app
            .client
            .patch(app.url(&format!("/api/v1/organisations/{code}")))
            .bearer_auth(&token)
            .json(&json!({"association_member": true}))
            .send()
            .await?;
        ensure!(r.status() == 200);
    }
    Ok(token)
}

async fn submit(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Result<(u16, String)> {
    let r = app.post_form(path, path, fields).await?;
    Ok((r.status().as_u16(), r.text().await?))
}

fn field_error<'a>(html: &'a str, field: &str) -> Option<&'a str> {
    let marker = format!("id=\"{field}-fout\">");
    let at = html.find(&marker)? + marker.len();
    html[at..].split('<').next()
}

pub async fn registration_form_shows_refusals_beside_fields(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    setup(&app, 1).await?;
    let form = "/programmas/gsc/aanmelden";
    let page = app.get(form).await?.text().await?;
    ensure!(
        page.contains("Schiermonnikoog") && page.contains("name=\"organisation_code\""),
        "the picker lists municipalities"
    );
    let base = [
        ("name", "Anna de Vries"),
        ("email", "anna@ameland.nl"),
        ("organisation_code", "GM0088"),
        ("consent", "ja"),
    ];
    let with = |changes: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        let mut fields: Vec<_> = base
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .copied()
            .collect();
        fields.extend(changes.iter().filter(|(_, v)| !v.is_empty()).copied());
        fields
    };
    // consent_required
    let (status, html) = submit(&app, form, &with(&[("consent", "")])).await?;
    ensure!(
        status == 422 && field_error(&html, "consent").is_some_and(|m| m.contains("toestemming")),
        "consent: {status}"
    );
    ensure!(
        html.contains("kring-error-summary") && html.contains("href=\"#consent\""),
        "summary links to the field"
    );
    ensure!(
        html.contains("value=\"Anna de Vries\""),
        "entered values are kept"
    );
    // invalid_email
    let (status, html) = submit(&app, form, &with(&[("email", "anna-at-ameland")])).await?;
    ensure!(
        status == 422 && field_error(&html, "email").is_some_and(|m| m.contains("e-mailadres")),
        "email: {status}"
    );
    // validation_failed (name)
    let (status, html) = submit(&app, form, &with(&[("name", " ")])).await?;
    ensure!(
        status == 422 && field_error(&html, "name").is_some(),
        "name: {status}"
    );
    // unknown_organisation
    let (status, html) = submit(&app, form, &with(&[("organisation_code", "GM9999")])).await?;
    ensure!(
        status == 422
            && field_error(&html, "organisation_code").is_some_and(|m| m.contains("Kies")),
        "org: {status}"
    );
    // not_eligible names the contact person
    let (status, html) = submit(&app, form, &with(&[("organisation_code", "GM0096")])).await?;
    ensure!(
        status == 422
            && field_error(&html, "organisation_code")
                .is_some_and(|m| m.contains("Fleur Facilitator")),
        "not eligible: {status} {:?}",
        field_error(&html, "organisation_code")
    );
    // no_matching_community: a province that is a member, but the communities are for municipalities
    let admin = app
        .create_user("tweede@vereniging.nl", "Tweede", true)
        .await?;
    let token = app.token_for(&admin).await?;
    app.client
        .patch(app.url("/api/v1/organisations/PV27"))
        .bearer_auth(&token)
        .json(&json!({"association_member": true}))
        .send()
        .await?;
    let (status, html) = submit(&app, form, &with(&[("organisation_code", "PV27")])).await?;
    ensure!(
        status == 422
            && field_error(&html, "organisation_code")
                .is_some_and(|m| m.contains("geen community")),
        "no match: {status}"
    );
    // accepted, then duplicate_registration
    let (status, html) = submit(&app, form, &base).await?;
    ensure!(
        status == 201 && html.contains("Welkom bij Kleine gemeenten"),
        "accepted: {status}"
    );
    let (status, html) = submit(&app, form, &with(&[("email", "ANNA@ameland.nl")])).await?;
    ensure!(
        status == 409
            && field_error(&html, "email").is_some_and(|m| m.contains("al een aanmelding")),
        "duplicate: {status}"
    );
    // waitlisted with position (capacity 1)
    let (status, html) = submit(&app, form, &with(&[("email", "bram@ameland.nl")])).await?;
    ensure!(
        status == 201 && html.contains("plaats 1 van de wachtlijst"),
        "waitlisted: {status}"
    );
    // organisation_limit_reached (2 per organisation)
    let (status, html) = submit(&app, form, &with(&[("email", "cor@ameland.nl")])).await?;
    ensure!(
        status == 422
            && field_error(&html, "organisation_code").is_some_and(|m| m.contains("meer kan niet")),
        "limit: {status}"
    );
    // registration_closed: shown as an alert at the top
    let r = app
        .client
        .patch(app.url("/api/v1/communities/gsc-groot"))
        .bearer_auth(&token)
        .json(&json!({"registration_opens_at": "2000-01-01T00:00:00Z", "registration_deadline": "2001-01-01T00:00:00Z"}))
        .send()
        .await?;
    ensure!(r.status() == 200, "closing: {}", r.text().await?);
    let (status, html) = submit(
        &app,
        "/communities/gsc-groot/aanmelden",
        &with(&[("organisation_code", "GM0363"), ("email", "a@amsterdam.nl")]),
    )
    .await?;
    ensure!(
        status == 422 && html.contains("utrecht-alert--error") && html.contains("kon tot en met"),
        "closed: {status}"
    );
    app.stop().await;
    Ok(())
}

pub async fn organisation_picker_works_without_javascript(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    setup(&app, 25).await?;
    let form = "/programmas/gsc/aanmelden";
    let (status, html) = submit(
        &app,
        form,
        &[
            ("name", "Sjoukje"),
            ("zoek", "sudwest"),
            ("actie", "zoeken"),
        ],
    )
    .await?;
    ensure!(status == 200, "search: {status}");
    let options = html.matches("<option value=\"GM").count();
    ensure!(
        options == 1 && html.contains("Súdwest-Fryslân"),
        "{options} options"
    );
    ensure!(
        html.contains("value=\"Sjoukje\""),
        "name kept while searching"
    );
    // With htmx, the same list arrives as a fragment.
    let fragment = app
        .get("/organisaties/opties?zoek=gravenhage")
        .await?
        .text()
        .await?;
    ensure!(
        fragment.contains("value=\"GM0518\"") && !fragment.contains("<html"),
        "{fragment}"
    );
    let none = app
        .get("/organisaties/opties?zoek=qqqq")
        .await?
        .text()
        .await?;
    ensure!(none.contains("Geen gemeente of provincie gevonden"));
    app.stop().await;
    Ok(())
}

pub async fn public_pages_show_seats_deadline_and_contact(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    setup(&app, 25).await?;
    let home = app.get("/").await?.text().await?;
    ensure!(
        home.contains("Groene Stad Challenge")
            && home.contains("Nog <strong>25</strong> van 25 plaatsen vrij"),
        "home lists seats"
    );
    ensure!(
        home.contains("Aanmelden kan tot en met vrijdag 20 februari 2099"),
        "deadline in Dutch"
    );
    ensure!(home.contains("Fleur Facilitator"), "contact person");
    let programme = app.get("/programmas/gsc").await?.text().await?;
    ensure!(
        programme.contains("Grote gemeenten") && programme.contains("mailto:fleur@vereniging.nl")
    );
    let summary = app.get("/communities/gsc-klein").await?.text().await?;
    ensure!(
        summary.contains("/communities/gsc-klein/aanmelden") && !summary.contains("Jaarplan"),
        "public summary"
    );
    ensure!(app.get("/communities/bestaat-niet").await?.status() == 404);

    // A member sees the community home with the year plan and the member list.
    let r = app
        .client
        .post(app.url("/api/v1/registrations"))
        .json(&json!({"name": "Anna de Vries", "email": "anna@ameland.nl", "organisation_code": "GM0088", "programme": "gsc", "consent": true}))
        .send()
        .await?;
    ensure!(r.status() == 201);
    let user = kring::db::users::find_by_email(
        &app.db,
        &kring::domain::Email::parse("anna@ameland.nl").unwrap(),
    )
    .await?
    .context("account created")?;
    app.sign_in(&user).await?;
    let home = app.get("/communities/gsc-klein").await?.text().await?;
    ensure!(
        home.contains("Jaarplan")
            && home.contains("0 van 3")
            && home.contains("Anna de Vries, Schiermonnikoog"),
        "member home"
    );
    let other = app.get("/communities/gsc-groot").await?.text().await?;
    ensure!(
        !other.contains("Jaarplan"),
        "another community shows its summary"
    );
    app.stop().await;
    Ok(())
}

pub async fn organisations_enrol_through_the_programme_page(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    let token = setup(&app, 25).await?;
    let page = "/programmas/gsc";
    let (status, html) = submit(
        &app,
        page,
        &[
            ("organisation_code", "GM0193"),
            ("contact_name", "Jan"),
            ("contact_email", "jan@zwolle.nl"),
        ],
    )
    .await?;
    ensure!(
        status == 422 && field_error(&html, "consent").is_some(),
        "consent needed: {status}"
    );
    let (status, html) = submit(
        &app,
        page,
        &[
            ("organisation_code", "GM0193"),
            ("contact_name", "Jan"),
            ("contact_email", "jan@zwolle.nl"),
            ("consent", "ja"),
        ],
    )
    .await?;
    ensure!(
        status == 201 && html.contains("De inschrijving van Zwolle is ontvangen"),
        "enrolled: {status}"
    );
    let list: Value = app
        .client
        .get(app.url("/api/v1/programmes/gsc/enrolments"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let id = list["items"][0]["id"]
        .as_str()
        .context("enrolment listed")?
        .to_string();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/enrolments/{id}/approve")))
        .bearer_auth(&token)
        .send()
        .await?;
    ensure!(r.status() == 200);
    let org: Value = app
        .get("/api/v1/organisations/GM0193")
        .await?
        .json()
        .await?;
    ensure!(org["programmes"] == json!(["gsc"]), "{org}");
    app.stop().await;
    Ok(())
}

pub async fn demo_fills_and_is_idempotent(backend: Backend) -> Result<()> {
    let db = TestDb::create(&backend)?;
    let run = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_kring"))
            .arg("demo")
            .env("KRING_DATABASE_URL", &db.url)
            .current_dir(db.dir.path())
            .output()
    };
    let first = tokio::time::timeout(Duration::from_secs(60), run()).await??;
    ensure!(
        first.status.success(),
        "demo: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = tokio::time::timeout(Duration::from_secs(60), run()).await??;
    ensure!(String::from_utf8_lossy(&second.stdout).contains("nothing changed"));
    let app = TestApp::start_on(
        db,
        Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    let list: Value = app.get("/api/v1/communities").await?.json().await?;
    let items = list["items"].as_array().context("items")?;
    ensure!(items.len() == 2, "two communities");
    let small = items
        .iter()
        .find(|c| c["slug"] == "groene-stad-challenge-klein")
        .context("small")?;
    let large = items
        .iter()
        .find(|c| c["slug"] == "groene-stad-challenge-groot")
        .context("large")?;
    ensure!(
        small["seats_taken"] == 14 && small["eligibility"]["max_population"] == 49_999,
        "{small}"
    );
    ensure!(
        large["seats_taken"] == 25 && large["waitlist_length"] == 3,
        "{large}"
    );
    // A held meeting with published minutes, an upcoming site visit with an agenda, an open poll.
    let community = kring::db::communities::find(&app.db, "groene-stad-challenge-klein")
        .await?
        .context("small")?;
    let from = chrono::Utc::now() - chrono::Duration::days(365);
    let to = chrono::Utc::now() + chrono::Duration::days(365);
    let meetings = kring::db::meetings::of_community(&app.db, &community.id, from, to).await?;
    ensure!(meetings.len() == 2, "{} meetings", meetings.len());
    let held = meetings
        .iter()
        .find(|m| m.starts_at < chrono::Utc::now())
        .context("a held meeting")?;
    let minutes = kring::db::minutes::get(&app.db, &held.id)
        .await?
        .context("minutes")?;
    ensure!(minutes.status == "published");
    let visit = meetings
        .iter()
        .find(|m| m.kind == "site_visit")
        .context("a site visit")?;
    let items = kring::db::agenda::of_meeting(&app.db, &visit.id).await?;
    ensure!(visit.starts_at > chrono::Utc::now() && items.len() == 5);
    // The site visit has one guest speaker, who speaks at one of its agenda items.
    let speakers = kring::db::speakers::of_meeting(&app.db, &visit.id).await?;
    ensure!(
        speakers.len() == 1
            && speakers[0].organisation.as_deref() == Some("Waterschap Rivierenland")
            && !speakers[0].bio.is_empty(),
        "{speakers:?}"
    );
    let speaking: Vec<&str> = items
        .iter()
        .filter(|i| i.speaker_id.as_deref() == Some(speakers[0].id.as_str()))
        .map(|i| i.title.as_str())
        .collect();
    ensure!(speaking.len() == 1, "{items:?}");
    // Topics with votes in both communities; the one on the site visit's agenda is scheduled.
    let topics = kring::db::topics::of_community(&app.db, &community.id, "", true, None).await?;
    ensure!(
        topics.len() == 6
            && topics[0].title == "Hittestress in schoolpleinen"
            && topics[0].votes == 7
            && topics
                .iter()
                .any(|t| t.status == "scheduled" && t.title.starts_with("Ontharding")),
        "{topics:?}"
    );
    let large = kring::db::communities::find(&app.db, "groene-stad-challenge-groot")
        .await?
        .context("large")?;
    let large = kring::db::topics::of_community(&app.db, &large.id, "", true, None).await?;
    ensure!(large.len() == 4 && large[0].votes == 9, "{large:?}");
    // Some twenty practice examples, once; anonymous visitors see the public ones on the map.
    ensure!(
        kring::db::practices::count(&app.db).await? == 21,
        "practice examples"
    );
    let public: Value = app.get("/api/v1/practices?limit=100").await?.json().await?;
    let public = public["items"].as_array().context("items")?;
    ensure!(
        public.len() == 12 && public.iter().all(|p| p["visibility"] == "public"),
        "{} public examples",
        public.len()
    );
    let map = app.get("/map/practices.svg").await?.text().await?;
    ensure!(
        map.matches("kring-kaart__gemeente--met").count() == 12,
        "marked on the map"
    );
    app.stop().await;
    Ok(())
}

pub async fn seats_freed_by_settings_go_to_the_waitlist(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    let token = setup(&app, 1).await?;
    for code in ["GM0093", "GM0096"] {
        app.client
            .patch(app.url(&format!("/api/v1/organisations/{code}")))
            .bearer_auth(&token)
            .json(&json!({"association_member": true}))
            .send()
            .await?;
    }
    let register = |name: &'static str, email: &'static str, code: &'static str| {
        app.client
            .post(app.url("/api/v1/registrations"))
            .json(&json!({"name": name, "email": email, "organisation_code": code, "community": "gsc-klein", "consent": true}))
            .send()
    };
    let a: Value = register("Anna", "anna@ameland.nl", "GM0088")
        .await?
        .json()
        .await?;
    let b: Value = register("Bram", "bram@terschelling.nl", "GM0093")
        .await?
        .json()
        .await?;
    let c: Value = register("Cor", "cor@vlieland.nl", "GM0096")
        .await?
        .json()
        .await?;
    ensure!(
        a["status"] == "accepted" && b["waitlist_position"] == 1 && c["waitlist_position"] == 2,
        "{a} {b} {c}"
    );
    let status = |id: Value| {
        let token = token.clone();
        let app = &app;
        async move {
            let list: Value = app
                .client
                .get(app.url("/api/v1/communities/gsc-klein/registrations?limit=100"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            let item = list["items"]
                .as_array()
                .and_then(|items| items.iter().find(|r| r["id"] == id).cloned());
            anyhow::Ok(item.context("listed")?)
        }
    };
    // Raising the capacity gives the new seat to the first in line, not to a newcomer.
    let r = app
        .client
        .patch(app.url("/api/v1/communities/gsc-klein"))
        .bearer_auth(&token)
        .json(&json!({"capacity": 2}))
        .send()
        .await?;
    ensure!(r.status() == 200, "{}", r.text().await?);
    ensure!(
        status(b["id"].clone()).await?["status"] == "accepted",
        "first in line promoted"
    );
    let c_now = status(c["id"].clone()).await?;
    ensure!(
        c_now["status"] == "waitlisted" && c_now["waitlist_position"] == 1,
        "{c_now}"
    );
    // A member appointed facilitator gives up the seat: it goes to the next in line.
    let anna = kring::db::users::find_by_email(
        &app.db,
        &kring::domain::Email::parse("anna@ameland.nl").unwrap(),
    )
    .await?
    .context("account")?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/gsc-klein/facilitators"))
        .bearer_auth(&token)
        .json(&json!({"user_id": anna.id}))
        .send()
        .await?;
    ensure!(r.status() == 201, "{}", r.text().await?);
    ensure!(
        status(c["id"].clone()).await?["status"] == "accepted",
        "next in line promoted"
    );
    ensure!(
        status(a["id"].clone()).await?["status"] == "withdrawn",
        "the facilitator holds no seat"
    );
    let community: Value = app
        .get("/api/v1/communities/gsc-klein")
        .await?
        .json()
        .await?;
    ensure!(
        community["seats_taken"] == 2 && community["waitlist_length"] == 0,
        "{community}"
    );
    let csv = app
        .client
        .get(app.url("/api/v1/communities/gsc-klein/registrations.csv"))
        .bearer_auth(&token)
        .send()
        .await?
        .text()
        .await?;
    ensure!(
        csv.lines().count() == 3 && !csv.contains("anna@ameland.nl"),
        "export holds the two members: {csv}"
    );
    app.stop().await;
    Ok(())
}

pub async fn registration_actions_are_scoped_to_the_community(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    let token = setup(&app, 5).await?;
    let register = |email: &'static str, code: &'static str| {
        app.client
            .post(app.url("/api/v1/registrations"))
            .json(&json!({"name": "Iemand", "email": email, "organisation_code": code, "programme": "gsc", "consent": true}))
            .send()
    };
    let member: Value = register("lid@ameland.nl", "GM0088").await?.json().await?;
    let other: Value = register("ander@ameland.nl", "GM0088").await?.json().await?;
    ensure!(member["community"] == "gsc-klein" && other["status"] == "accepted");
    // A facilitator of the other community, and a plain member of this one.
    let elsewhere = app
        .create_user("elders@vereniging.nl", "Elders", false)
        .await?;
    let r = app
        .client
        .post(app.url("/api/v1/communities/gsc-groot/facilitators"))
        .bearer_auth(&token)
        .json(&json!({"user_id": elsewhere.id}))
        .send()
        .await?;
    ensure!(r.status() == 201);
    let elsewhere_token = app.token_for(&elsewhere).await?;
    let lid = kring::db::users::find_by_email(
        &app.db,
        &kring::domain::Email::parse("lid@ameland.nl").unwrap(),
    )
    .await?
    .context("account")?;
    let lid_token = app.token_for(&lid).await?;
    let id = other["id"].as_str().context("id")?;
    for action in ["approve", "decline", "withdraw"] {
        let url = app.url(&format!("/api/v1/registrations/{id}/{action}"));
        let r = app
            .client
            .post(&url)
            .bearer_auth(&elsewhere_token)
            .send()
            .await?;
        ensure!(
            r.status() == 404,
            "{action} by another community's facilitator: {}",
            r.status()
        );
        let r = app.client.post(&url).bearer_auth(&lid_token).send().await?;
        ensure!(
            r.status() == 403,
            "{action} by a plain member: {}",
            r.status()
        );
    }
    let list = app
        .client
        .get(app.url("/api/v1/communities/gsc-klein/registrations"))
        .bearer_auth(&elsewhere_token)
        .send()
        .await?;
    ensure!(list.status() == 404, "another community's list");
    // The registrant may withdraw their own registration.
    let own = app
        .client
        .post(app.url(&format!(
            "/api/v1/registrations/{}/withdraw",
            member["id"].as_str().unwrap()
        )))
        .bearer_auth(&lid_token)
        .send()
        .await?;
    ensure!(own.status() == 200, "own withdrawal: {}", own.status());
    app.stop().await;
    Ok(())
}
