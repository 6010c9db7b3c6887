//! Registration seen from the rules and the facilitator: every refusal code, the deadline to the
//! second, exports with exactly the accepted members, who may read the member list, and manual
//! approval with decline.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Utc};
use kring::clock::Clock;
use serde_json::{Value, json};

use crate::harness::{Backend, Options, TestApp, eventually};
use crate::registration::{
    COMMUNITIES, Caller, REGISTRATIONS, admin_token, create_community, create_programme,
    facilitator, mail_to, open_community, person, user_token,
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn every_refusal_code(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    let public = Caller::new(&app, None);
    create_programme(&admin, "regels-2027").await?;
    let rules = json!({"slug": "regels", "name": "Regels", "programme": "regels-2027",
        "max_per_organisation": 2});
    create_community(&admin, rules).await?;
    let mut closed = open_community("dicht", 25);
    closed["registration_deadline"] = json!("2020-01-31T23:59:59+01:00");
    create_community(&admin, closed).await?;
    let mut later = open_community("later", 25);
    later["registration_opens_at"] = json!("2099-01-01T09:00:00+01:00");
    create_community(&admin, later).await?;
    for code in ["GM0363", "PV27"] {
        let path = format!("/api/v1/organisations/{code}");
        let reply = admin
            .patch(&path, &json!({"association_member": true}))
            .await?;
        reply.expect(200)?;
    }

    let base = json!({"name": "Anna de Boer", "email": "anna@amsterdam.nl",
        "organisation_code": "GM0363", "community": "regels", "consent": true});
    let with = |changes: Value| {
        let mut body = base.clone();
        for (key, value) in changes.as_object().expect("changes") {
            match value {
                Value::Null => body.as_object_mut().expect("body").remove(key),
                _ => body
                    .as_object_mut()
                    .expect("body")
                    .insert(key.clone(), value.clone()),
            };
        }
        body
    };
    // (changes, code, the field named first)
    let cases = [
        (
            json!({"consent": false}),
            "consent_required",
            Some("consent"),
        ),
        (
            json!({"consent": null}),
            "consent_required",
            Some("consent"),
        ),
        (
            json!({"email": "geen-adres"}),
            "invalid_email",
            Some("email"),
        ),
        (
            json!({"organisation_code": "GM9999"}),
            "unknown_organisation",
            Some("organisation_code"),
        ),
        (json!({"organisation_code": "GM0344"}), "not_eligible", None),
        (json!({"name": "   "}), "validation_failed", Some("name")),
        (json!({"community": null}), "validation_failed", None),
        (
            json!({"community": null, "programme": "regels-2027", "organisation_code": "PV27"}),
            "no_matching_community",
            None,
        ),
        (json!({"community": "dicht"}), "registration_closed", None),
        (json!({"community": "later"}), "registration_closed", None),
    ];
    for (n, (changes, code, field)) in cases.into_iter().enumerate() {
        // Each case from its own address, clear of the per-address limit.
        let mut body = with(changes.clone());
        if changes.get("email").is_none() {
            body["email"] = json!(format!("geval{n}@amsterdam.nl"));
        }
        let reply = public.post(REGISTRATIONS, &body).await?;
        match field {
            Some(field) => reply.invalid(code, field)?,
            None => drop(reply.problem(422, code)?),
        }
        let dutch = reply.body["detail"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty());
        reply.check(dutch, &format!("a detail for {changes}"))?;
    }
    let reply = public
        .post(REGISTRATIONS, &with(json!({"organisation_code": "GM0344"})))
        .await?;
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    reply.check(
        detail.contains("Marieke de Vries"),
        "names the contact person",
    )?;
    let shown = public.community("regels").await?;
    ensure!(shown["seats_taken"] == 0, "refusals take no seat: {shown}");
    ensure!(
        admin.registrations("regels", "accepted").await?.is_empty(),
        "nothing stored"
    );
    for slug in ["dicht", "later"] {
        let shown = public.community(slug).await?;
        ensure!(
            shown["registration_open"] == false,
            "{slug} is closed: {shown}"
        );
    }

    // Duplicates (case-insensitive) and the cap of two per organisation.
    let anna = public.register(&base).await?;
    ensure!(anna["status"] == "accepted", "anna: {anna}");
    let shouting = with(json!({"email": "ANNA@Amsterdam.NL", "name": "Anna"}));
    let reply = public.post(REGISTRATIONS, &shouting).await?;
    reply.problem(409, "duplicate_registration")?;
    public
        .register(&with(json!({"email": "bob@amsterdam.nl", "name": "Bob"})))
        .await?;
    let cor = with(json!({"email": "cor@amsterdam.nl", "name": "Cor"}));
    let reply = public.post(REGISTRATIONS, &cor).await?;
    reply.problem(422, "organisation_limit_reached")?;
    // Once withdrawn, a registration no longer counts: Anna may register again.
    admin.withdraw(&anna["id"]).await?;
    let again = public.register(&shouting).await?;
    ensure!(again["status"] == "accepted", "anna again: {again}");
    let reply = public.post(REGISTRATIONS, &cor).await?;
    reply.problem(422, "organisation_limit_reached")?;
    app.stop().await;
    Ok(())
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a test instant")
        .with_timezone(&Utc)
}

pub async fn deadline_to_the_second_across_dst(backend: Backend) -> Result<()> {
    let clock = Clock::manual(at("2027-02-01T12:00:00Z"));
    let options = Options {
        clock: Some(clock.clone()),
        ..Options::default()
    };
    let app = TestApp::start_with(&backend, options).await?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    let public = Caller::new(&app, None);
    let mut body = open_community("voorjaar", 25);
    // Opens at 09:00 CET; closes at 03:30 CEST, half an hour after the clocks jumped.
    body["registration_opens_at"] = json!("2027-03-01T08:00:00Z");
    body["registration_deadline"] = json!("2027-03-28T03:30:00+02:00");
    let created = create_community(&admin, body).await?;
    let shown = public.community("voorjaar").await?;
    for community in [&created, &shown] {
        ensure!(
            community["registration_deadline"] == "2027-03-28T03:30:00+02:00"
                && community["registration_opens_at"] == "2027-03-01T09:00:00+01:00",
            "instants in Europe/Amsterdam: {community}"
        );
    }
    let listed = public.get(COMMUNITIES).await?.items()?;
    let listed = listed
        .iter()
        .find(|c| c["slug"] == "voorjaar")
        .context("listed")?;
    ensure!(
        listed["registration_deadline"] == "2027-03-28T03:30:00+02:00",
        "the list: {listed}"
    );

    let steps = [
        ("2027-03-01T07:59:59Z", false),
        ("2027-03-01T08:00:00Z", true),
        ("2027-03-28T00:59:59Z", true),
        ("2027-03-28T01:29:59Z", true),
        ("2027-03-28T01:30:00Z", true),
        ("2027-03-28T01:30:01Z", false),
        ("2027-03-28T02:30:00Z", false),
    ];
    for (n, (now, open)) in steps.into_iter().enumerate() {
        clock.set(at(now));
        let shown = public.community("voorjaar").await?;
        ensure!(
            shown["registration_open"] == open,
            "open at {now} should be {open}: {shown}"
        );
        let reply = public
            .post(REGISTRATIONS, &person(n, "GM0363", "voorjaar"))
            .await?;
        if open {
            reply.has(201, json!({"status": "accepted", "community": "voorjaar"}))?;
        } else {
            reply.problem(422, "registration_closed")?;
        }
    }
    // Moving the deadline (any offset in the request) reopens it.
    let patch = json!({"registration_deadline": "2027-03-28T01:00:00-02:00"});
    let reply = admin
        .patch(&format!("{COMMUNITIES}/voorjaar"), &patch)
        .await?;
    let moved = json!({"registration_deadline": "2027-03-28T05:00:00+02:00"});
    reply.has(200, moved)?;
    let reply = public
        .post(REGISTRATIONS, &person(99, "GM0363", "voorjaar"))
        .await?;
    reply.has(201, json!({"status": "accepted"}))?;
    app.stop().await;
    Ok(())
}

/// The rows of the first worksheet of an .xlsx file, read with Python's standard library.
async fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    const READER: &str = r#"
import json, sys, zipfile, xml.etree.ElementTree as ET
M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None, 'a corrupt member'
names = z.namelist()
for part in ['[Content_Types].xml', 'xl/workbook.xml']:
    assert part in names, 'missing ' + part
shared = []
if 'xl/sharedStrings.xml' in names:
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).iter(M + 'si'):
        shared.append(''.join(t.text or '' for t in si.iter(M + 't')))
sheets = sorted(n for n in names if n.startswith('xl/worksheets/') and n.endswith('.xml'))
rows = []
for row in ET.fromstring(z.read(sheets[0])).iter(M + 'row'):
    cells = []
    for c in row.iter(M + 'c'):
        v = c.find(M + 'v')
        if c.get('t') == 's':
            cells.append(shared[int(v.text)])
        elif c.get('t') == 'inlineStr':
            cells.append(''.join(t.text or '' for t in c.iter(M + 't')))
        else:
            cells.append(v.text if v is not None and v.text else '')
    rows.append(cells)
print(json.dumps(rows))
"#;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("leden.xlsx");
    std::fs::write(&file, bytes)?;
    let output = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(READER)
        .arg(&file)
        .output()
        .await
        .context("running python3")?;
    ensure!(
        output.status.success(),
        "the .xlsx does not read: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The cells that look like e-mail addresses, in rows after the header.
fn addresses(rows: &[Vec<String>]) -> BTreeSet<String> {
    let cells = rows.iter().skip(1).flatten();
    cells.filter(|c| c.contains('@')).cloned().collect()
}

pub async fn exports_hold_exactly_the_accepted_members(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    let public = Caller::new(&app, None);
    create_community(&admin, open_community("export", 3)).await?;
    let fac = Caller::new(&app, Some(&facilitator(&app, &admin, "export").await?));
    let mut regs = Vec::new();
    for n in 0..5 {
        regs.push(public.register(&person(n, "GM0363", "export")).await?);
    }
    let statuses: Vec<_> = regs.iter().map(|r| r["status"].clone()).collect();
    let want = [
        "accepted",
        "accepted",
        "accepted",
        "waitlisted",
        "waitlisted",
    ];
    ensure!(statuses == want, "statuses: {statuses:?}");
    fac.withdraw(&regs[4]["id"]).await?;
    let accepted: BTreeSet<String> = (0..3)
        .map(|n| format!("deelnemer{n}@gemeente.nl"))
        .collect();
    let path = format!("{COMMUNITIES}/export/registrations");

    let (status, content_type, csv) = fac.bytes(&format!("{path}.csv")).await?;
    let text = String::from_utf8_lossy(&csv).to_string();
    ensure!(status == 200, "csv: {status} {text}");
    ensure!(
        content_type.starts_with("text/csv"),
        "csv as {content_type}"
    );
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header = reader.headers()?.clone();
    ensure!(
        header.len() >= 3,
        "a header with name, e-mail, organisation: {text}"
    );
    let mut rows = vec![header.iter().map(str::to_string).collect::<Vec<_>>()];
    for record in reader.records() {
        rows.push(record?.iter().map(str::to_string).collect());
    }
    ensure!(rows.len() == 4, "a header and three members: {text}");
    ensure!(
        addresses(&rows) == accepted,
        "the accepted members in the csv: {text}"
    );
    let named = rows[1..].iter().all(|r| r.iter().any(|c| c == "Amsterdam"));
    ensure!(named, "each row names the organisation: {text}");

    let (status, content_type, xlsx) = fac.bytes(&format!("{path}.xlsx")).await?;
    ensure!(status == 200, "xlsx: {status}");
    ensure!(content_type == XLSX, "xlsx as {content_type}");
    ensure!(xlsx.starts_with(b"PK"), "a zip file");
    let rows = xlsx_rows(&xlsx).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    ensure!(rows.len() == 4, "a header and three members: {rows:?}");
    ensure!(
        addresses(&rows) == accepted,
        "the accepted members in the xlsx: {rows:?}"
    );
    let names = rows[1..]
        .iter()
        .all(|r| r.iter().any(|c| c.starts_with("Deelnemer ")));
    ensure!(names, "each row has the name: {rows:?}");

    // A member may not export; an outsider does not see the community's registrations.
    let (_, member) = user_token(&app, "deelnemer0@gemeente.nl", "Deelnemer 0").await?;
    let member = Caller::new(&app, Some(&member));
    let (_, outsider) = user_token(&app, "buiten@gemeente.nl", "Buitenstaander").await?;
    let outsider = Caller::new(&app, Some(&outsider));
    for ext in ["csv", "xlsx"] {
        let export = format!("{path}.{ext}");
        for (who, want) in [(&member, 403), (&outsider, 404), (&public, 401)] {
            let (status, _, body) = who.bytes(&export).await?;
            let body = String::from_utf8_lossy(&body);
            ensure!(
                status == want,
                "{export}: {status} instead of {want}: {body}"
            );
        }
    }
    app.stop().await;
    Ok(())
}

pub async fn member_list_is_for_members_only(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    let public = Caller::new(&app, None);
    create_community(&admin, open_community("kring-leden", 3)).await?;
    let fac = Caller::new(&app, Some(&facilitator(&app, &admin, "kring-leden").await?));
    let mut anna = person(0, "GM0363", "kring-leden");
    anna["domains"] = json!(["beleid", "natuur"]);
    let reg = public.register(&anna).await?;
    ensure!(reg["status"] == "accepted", "{reg}");
    let shown = public.community("kring-leden").await?;
    ensure!(shown["seats_taken"] == 1, "one seat taken: {shown}");
    ensure!(
        shown.get("year_plan").is_none_or(Value::is_null),
        "no plan for the public: {shown}"
    );

    let (anna_id, anna_token) = user_token(&app, "deelnemer0@gemeente.nl", "Deelnemer 0").await?;
    let member = Caller::new(&app, Some(&anna_token));
    let (outsider_id, outsider) = user_token(&app, "buiten@gemeente.nl", "Buitenstaander").await?;
    let outsider = Caller::new(&app, Some(&outsider));
    let path = format!("{COMMUNITIES}/kring-leden/members");
    public.get(&path).await?.problem(401, "unauthorized")?;
    outsider.get(&path).await?.problem(404, "not_found")?;

    let home = member.community("kring-leden").await?;
    let plan = &home["year_plan"];
    ensure!(
        plan["meetings_target"] == 3 && plan["site_visits_target"] == 1,
        "a year plan for members: {home}"
    );

    // The facilitator adds a colleague who registered by e-mail, and an existing user of
    // Rotterdam; then the community is full.
    let direct = json!({"name": "Bert Direct", "email": "bert@utrecht.nl",
        "organisation_code": "GM0344"});
    let reply = member.post(&path, &direct).await?;
    reply.problem(403, "forbidden")?;
    let reply = fac.post(&path, &direct).await?;
    let bert = reply.expect(201)?["user_id"]
        .as_str()
        .context("user_id")?
        .to_string();
    let carla = user_of(&app, "carla@rotterdam.nl", "Carla", "GM0599").await?;
    let reply = fac.post(&path, &json!({"user_id": carla})).await?;
    reply.has(201, json!({"user_id": carla}))?;
    let reply = fac.post(&path, &json!({"user_id": outsider_id})).await?;
    reply.problem(409, "community_full")?;
    let reply = fac
        .post(
            &path,
            &json!({"name": "Dirk", "email": "dirk@utrecht.nl",
        "organisation_code": "GM0344"}),
        )
        .await?;
    reply.problem(409, "community_full")?;
    outsider.get(&path).await?.problem(404, "not_found")?;

    let reply = member.get(&path).await?;
    let items = reply.items()?;
    let find = |id: &str| items.iter().find(|m| m["user_id"] == id).cloned();
    let anna = find(&anna_id).context("anna listed")?;
    let anna_ok = anna["name"] == "Deelnemer 0"
        && anna["organisation"] == "Amsterdam"
        && anna["domains"] == json!(["beleid", "natuur"])
        && anna["role"] == "member";
    reply.check(anna_ok, "anna as a member of Amsterdam")?;
    let bert = find(&bert).context("bert listed")?;
    let bert_ok = bert["organisation"] == "Utrecht" && bert["role"] == "member";
    reply.check(
        bert_ok && bert["name"] == "Bert Direct",
        "bert as a member of Utrecht",
    )?;
    let facilitators: Vec<_> = items
        .iter()
        .filter(|m| m["role"] == "facilitator")
        .collect();
    let fac_ok = facilitators.len() == 1
        && facilitators[0]["name"] == "Fien Facilitator"
        && facilitators[0]["organisation"].is_null();
    reply.check(fac_ok, "the facilitator with that role")?;
    let carla = find(&carla).context("carla listed")?;
    let carla_ok = carla["organisation"] == "Rotterdam" && carla["role"] == "member";
    reply.check(carla_ok, "carla as a member of Rotterdam")?;
    reply.check(items.len() == 4, "three members and the facilitator")?;
    fac.get(&path).await?.expect(200)?;

    // A member may not remove another; a facilitator may.
    let bert_path = format!("{path}/{}", bert["user_id"].as_str().context("id")?);
    member.delete(&bert_path).await?.problem(403, "forbidden")?;
    fac.delete(&bert_path).await?.expect(204)?;
    let items = member.get(&path).await?.items()?;
    ensure!(items.len() == 3, "bert removed: {items:?}");
    app.stop().await;
    Ok(())
}

/// A user of an organisation, made directly in the database; returns the id.
async fn user_of(app: &TestApp, address: &str, name: &str, code: &str) -> Result<String> {
    let mut tx = app.db.begin().await?;
    let user = kring::db::users::create(
        &mut tx,
        &kring::db::users::NewUser {
            email: kring::domain::Email::parse(address).map_err(anyhow::Error::msg)?,
            name: kring::domain::PersonName::parse(name).map_err(anyhow::Error::msg)?,
            is_admin: false,
            organisation_code: Some(code.to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user.id)
}

pub async fn manual_approval_and_decline(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let sink = app.smtp.as_ref().context("a sink")?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    let public = Caller::new(&app, None);
    let mut body = open_community("met-de-hand", 1);
    body["approval"] = json!("manual");
    create_community(&admin, body).await?;
    let fac = Caller::new(&app, Some(&facilitator(&app, &admin, "met-de-hand").await?));
    let action = |id: &Value, what: &str| {
        format!("{REGISTRATIONS}/{}/{what}", id.as_str().unwrap_or_default())
    };

    // Under manual approval a pending registration holds its seat: with one seat, the first is
    // pending and the second waits.
    let first = public.register(&person(1, "GM0363", "met-de-hand")).await?;
    ensure!(
        first["status"] == "pending",
        "pending until approved: {first}"
    );
    let second = public.register(&person(2, "GM0344", "met-de-hand")).await?;
    let waiting = second["status"] == "waitlisted" && second["waitlist_position"] == 1;
    ensure!(waiting, "the seat is held for the pending one: {second}");
    mail_to(sink, "deelnemer1@gemeente.nl", "").await?;
    let shown = public.community("met-de-hand").await?;
    ensure!(
        shown["seats_taken"] == 0,
        "pending is no member yet: {shown}"
    );
    let pending = fac.registrations("met-de-hand", "pending").await?;
    ensure!(pending.len() == 1, "one pending: {pending:?}");
    let stranger = public
        .post(&action(&first["id"], "approve"), &json!({}))
        .await?;
    stranger.problem(401, "unauthorized")?;

    let reply = fac
        .post(&action(&first["id"], "approve"), &json!({}))
        .await?;
    reply.has(200, json!({"status": "accepted"}))?;
    mail_to(sink, "deelnemer1@gemeente.nl", "/inloggen/").await?;
    // The waitlist is served in order; nobody is approved past it.
    let reply = fac
        .post(&action(&second["id"], "approve"), &json!({}))
        .await?;
    reply.problem(409, "invalid_status")?;
    let reason = json!({"reason": "De community zit vol"});
    let reply = fac.post(&action(&second["id"], "decline"), &reason).await?;
    reply.has(
        200,
        json!({"status": "declined", "decline_reason": "De community zit vol"}),
    )?;
    mail_to(sink, "deelnemer2@gemeente.nl", "De community zit vol").await?;
    let declined = fac.registrations("met-de-hand", "declined").await?;
    ensure!(
        declined.len() == 1 && declined[0]["id"] == second["id"],
        "{declined:?}"
    );

    // Full: the next goes on the waitlist; when the member withdraws, they become pending.
    let third = public.register(&person(3, "GM0518", "met-de-hand")).await?;
    let waiting = third["status"] == "waitlisted" && third["waitlist_position"] == 1;
    ensure!(waiting, "waitlisted as #1: {third}");
    mail_to(sink, "deelnemer3@gemeente.nl", "1").await?;
    let (_, own) = user_token(&app, "deelnemer1@gemeente.nl", "Deelnemer 1").await?;
    Caller::new(&app, Some(&own)).withdraw(&first["id"]).await?;
    let pending = fac.registrations("met-de-hand", "pending").await?;
    ensure!(
        pending.len() == 1 && pending[0]["id"] == third["id"],
        "promoted to pending: {pending:?}"
    );
    // A second mail to the third registrant: the promotion.
    eventually(Duration::from_secs(15), "the promotion mail", || async {
        let to_third = sink
            .mails()
            .into_iter()
            .filter(|m| m.to == ["deelnemer3@gemeente.nl"]);
        Ok(to_third.count() >= 2)
    })
    .await?;
    let reply = fac
        .post(&action(&third["id"], "approve"), &json!({}))
        .await?;
    reply.has(200, json!({"status": "accepted"}))?;
    let shown = public.community("met-de-hand").await?;
    let counts = (&shown["seats_taken"], &shown["waitlist_length"]);
    ensure!(counts == (&json!(1), &json!(0)), "community: {shown}");
    app.stop().await;
    Ok(())
}
