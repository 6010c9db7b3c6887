//! Registration for communities: seats under concurrency (one and two instances), the FIFO
//! waitlist and assignment by population within a programme.
//! The helpers here are shared with `registration_admin.rs`.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Options, TestApp, TestDb, eventually};
use crate::smtp::{Mail, SmtpSink};

pub const PROGRAMMES: &str = "/api/v1/programmes";
pub const COMMUNITIES: &str = "/api/v1/communities";
pub const REGISTRATIONS: &str = "/api/v1/registrations";

/// Real municipalities (CBS codes) for the registrants.
pub const CODES: [&str; 8] = [
    "GM0363", "GM0344", "GM0518", "GM0599", "GM0014", "GM0080", "GM0106", "GM0153",
];

/// One API answer, with the body kept as text for failure messages.
pub struct Reply {
    pub what: String,
    pub status: u16,
    pub content_type: String,
    pub text: String,
    pub body: Value,
}

impl Reply {
    /// Fails with `message` and the answer unless `ok`.
    pub fn check(&self, ok: bool, message: &str) -> Result<()> {
        ensure!(
            ok,
            "{}: {message}: {} {}",
            self.what,
            self.status,
            self.text
        );
        Ok(())
    }

    /// The body, after checking the status.
    pub fn expect(&self, status: u16) -> Result<&Value> {
        self.check(self.status == status, &format!("expected {status}"))?;
        Ok(&self.body)
    }

    /// Checks the status and that the body has these fields with these values.
    pub fn has(&self, status: u16, fields: Value) -> Result<&Value> {
        let body = self.expect(status)?;
        for (key, value) in fields.as_object().context("fields")? {
            self.check(body[key] == *value, &format!("{key} should be {value}"))?;
        }
        Ok(body)
    }

    /// The problem document, after checking status, media type and code.
    pub fn problem(&self, status: u16, code: &str) -> Result<&Value> {
        let body = self.has(status, json!({"status": status, "code": code}))?;
        let media = self.content_type.starts_with("application/problem+json");
        self.check(media, &format!("a problem as {:?}", self.content_type))?;
        Ok(body)
    }

    /// A 422 problem with this code whose first field error names `field`.
    pub fn invalid(&self, code: &str, field: &str) -> Result<()> {
        let body = self.problem(422, code)?;
        self.check(
            body["errors"][0]["field"] == field,
            &format!("an error on {field}"),
        )
    }

    /// The `items` of a list answer.
    pub fn items(&self) -> Result<Vec<Value>> {
        let items = self.expect(200)?["items"].as_array();
        Ok(items
            .with_context(|| format!("no items: {}", self.text))?
            .clone())
    }
}

/// A caller: anonymous or with a bearer token.
pub struct Caller<'a> {
    pub app: &'a TestApp,
    pub token: Option<String>,
}

impl<'a> Caller<'a> {
    pub fn new(app: &'a TestApp, token: Option<&str>) -> Self {
        Self {
            app,
            token: token.map(str::to_string),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.app.client.request(method, self.app.url(path));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let what = format!("{method} {path}");
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.with_context(|| what.clone())?;
        let content_type = response.headers().get("content-type");
        let content_type = content_type
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let content_type = content_type.to_string();
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            what,
            status,
            content_type,
            text,
            body,
        })
    }

    /// A GET whose body is kept as bytes: (status, content type, body).
    pub async fn bytes(&self, path: &str) -> Result<(u16, String, Vec<u8>)> {
        let response = self.request(Method::GET, path).send().await?;
        let content_type = response.headers().get("content-type");
        let content_type = content_type
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let content_type = content_type.to_string();
        let status = response.status().as_u16();
        Ok((status, content_type, response.bytes().await?.to_vec()))
    }

    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<Reply> {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Reply> {
        self.call(Method::DELETE, path, None).await
    }

    /// Registers through the public API and expects `201`.
    pub async fn register(&self, body: &Value) -> Result<Value> {
        let reply = self.post(REGISTRATIONS, body).await?;
        Ok(reply.expect(201)?.clone())
    }

    /// Withdraws a registration and expects `200` with status `withdrawn`.
    pub async fn withdraw(&self, id: &Value) -> Result<Value> {
        let id = id.as_str().context("registration id")?;
        let reply = self
            .post(&format!("{REGISTRATIONS}/{id}/withdraw"), &json!({}))
            .await?;
        Ok(reply.has(200, json!({"status": "withdrawn"}))?.clone())
    }

    /// Every registration of a community with this status, through all pages.
    pub async fn registrations(&self, slug: &str, status: &str) -> Result<Vec<Value>> {
        let base = format!("{COMMUNITIES}/{slug}/registrations?status={status}&limit=100");
        let (mut all, mut path) = (Vec::new(), base.clone());
        for _ in 0..20 {
            let reply = self.get(&path).await?;
            all.extend(reply.items()?);
            match reply.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("{base}&cursor={cursor}"),
                None => return Ok(all),
            }
        }
        anyhow::bail!("paging through {base} does not end")
    }

    /// The public view of a community.
    pub async fn community(&self, slug: &str) -> Result<Value> {
        let reply = self.get(&format!("{COMMUNITIES}/{slug}")).await?;
        Ok(reply.expect(200)?.clone())
    }
}

/// An administrator's bearer token.
pub async fn admin_token(app: &TestApp) -> Result<String> {
    let admin = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    app.token_for(&admin).await
}

/// A user with a token; the user is created unless the address already has an account.
pub async fn user_token(app: &TestApp, address: &str, name: &str) -> Result<(String, String)> {
    let email = kring::domain::Email::parse(address).map_err(anyhow::Error::msg)?;
    let user = match kring::db::users::find_by_email(&app.db, &email).await? {
        Some(user) => user,
        None => app.create_user(address, name, false).await?,
    };
    let token = app.token_for(&user).await?;
    Ok((user.id, token))
}

/// Creates a programme with a contact person and expects `201`.
pub async fn create_programme(admin: &Caller<'_>, slug: &str) -> Result<Value> {
    let body = json!({"slug": slug, "name": "Groene Stad Challenge 2027",
        "description": "De editie 2027", "contact_name": "Marieke de Vries",
        "contact_email": "marieke@vereniging.nl"});
    let reply = admin.post(PROGRAMMES, &body).await?;
    Ok(reply.has(201, body)?.clone())
}

/// Creates a community from `body` and expects `201` with the given fields echoed.
pub async fn create_community(admin: &Caller<'_>, body: Value) -> Result<Value> {
    let reply = admin.post(COMMUNITIES, &body).await?;
    let created = reply.expect(201)?.clone();
    for key in [
        "slug",
        "name",
        "capacity",
        "max_per_organisation",
        "approval",
    ] {
        if let Some(value) = body.get(key) {
            reply.check(created[key] == *value, &format!("{key} should be {value}"))?;
        }
    }
    Ok(created)
}

/// An open community for anyone from a municipality: no member-or-participant rule.
pub fn open_community(slug: &str, capacity: u32) -> Value {
    json!({"slug": slug, "name": format!("Community {slug}"), "capacity": capacity,
        "eligibility": {"require_member_or_participant": false}})
}

/// A registration for `community` with consent.
pub fn person(n: usize, code: &str, community: &str) -> Value {
    json!({"name": format!("Deelnemer {n}"), "email": format!("deelnemer{n}@gemeente.nl"),
        "organisation_code": code, "community": community, "consent": true,
        "domains": ["beleid"], "motivation": "Kennis delen"})
}

/// Appoints a new user as facilitator of `slug`; returns the facilitator's token.
pub async fn facilitator(app: &TestApp, admin: &Caller<'_>, slug: &str) -> Result<String> {
    let (id, token) = user_token(app, "facilitator@vereniging.nl", "Fien Facilitator").await?;
    let path = format!("{COMMUNITIES}/{slug}/facilitators");
    admin
        .post(&path, &json!({"user_id": id}))
        .await?
        .expect(201)?;
    Ok(token)
}

/// Waits for a mail to `to` whose text or HTML contains `needle`.
pub async fn mail_to(sink: &SmtpSink, to: &str, needle: &str) -> Result<Mail> {
    let find = || {
        sink.mails().into_iter().find(|m| {
            let body = format!("{}\n{}", m.text(), m.html().unwrap_or_default());
            m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && body.contains(needle)
        })
    };
    let wait = eventually(Duration::from_secs(15), "the mail", || async {
        Ok(find().is_some())
    });
    if wait.await.is_err() {
        let seen: Vec<_> = sink
            .mails()
            .iter()
            .map(|m| (m.to.clone(), m.text()))
            .collect();
        anyhow::bail!("no mail to {to} containing {needle:?}; mails: {seen:#?}");
    }
    find().context("the mail")
}

/// Follows the sign-in link in `mail` with a fresh client; returns `/api/v1/me` for the session.
pub async fn signed_in_by(app: &TestApp, mail: &Mail) -> Result<Value> {
    let text = mail.text();
    let at = text.find("/inloggen/").context("a sign-in link")?;
    let start = text[..at].rfind("http").context("an absolute link")?;
    let link = text[start..]
        .split_whitespace()
        .next()
        .context("the link")?;
    let path = link.strip_prefix(&app.base).context("a link to this app")?;
    let client = crate::harness::client();
    let page = client.get(app.url(path)).send().await?.text().await?;
    let token = crate::harness::csrf_from(&page).context("a form on the link's page")?;
    let form = [("csrf_token", token.as_str())];
    let response = client.post(app.url(path)).form(&form).send().await?;
    ensure!(response.status() == 303, "sign-in: {}", response.status());
    let me = client.get(app.url("/api/v1/me")).send().await?;
    ensure!(me.status() == 200, "me: {}", me.status());
    Ok(me.json().await?)
}

/// Sends 200 registrations at once, spread over `apps`; every answer must be `201`.
async fn register_200(apps: &[&TestApp], slug: &str) -> Result<Vec<Value>> {
    let (mut tasks, started) = (Vec::new(), std::time::Instant::now());
    for n in 0..200 {
        let app = apps[n % apps.len()];
        let (client, url) = (app.client.clone(), app.url(REGISTRATIONS));
        let body = person(n, CODES[n % CODES.len()], slug);
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).json(&body).send().await?;
            let status = response.status().as_u16();
            anyhow::Ok((n, status, response.text().await?))
        }));
    }
    let (mut replies, mut failures) = (Vec::new(), Vec::new());
    for task in tasks {
        let (n, status, text) = task.await??;
        match status {
            201 => replies.push(serde_json::from_str::<Value>(&text)?),
            _ => failures.push(format!("registration {n}: {status} {text}")),
        }
    }
    ensure!(
        failures.is_empty(),
        "{} of 200 registrations failed after {:?}; the first: {}",
        failures.len(),
        started.elapsed(),
        failures[..failures.len().min(3)].join("\n")
    );
    Ok(replies)
}

/// 25 accepted, 175 waitlisted with positions 1–175, in the answers and as kring reports them.
async fn check_the_seats(admin: &Caller<'_>, slug: &str, replies: &[Value]) -> Result<()> {
    let status = |s: &str| replies.iter().filter(|r| r["status"] == s).count();
    let (accepted, waitlisted) = (status("accepted"), status("waitlisted"));
    ensure!(
        (accepted, waitlisted) == (25, 175),
        "{accepted} accepted, {waitlisted} waitlisted; others: {:?}",
        replies
            .iter()
            .filter(|r| r["status"] != "accepted" && r["status"] != "waitlisted")
            .collect::<Vec<_>>()
    );
    ensure!(
        replies.iter().all(|r| r["community"] == slug),
        "all in {slug}"
    );
    let waiting = replies.iter().filter(|r| r["status"] == "waitlisted");
    let positions: Vec<i64> = waiting
        .filter_map(|r| r["waitlist_position"].as_i64())
        .collect();
    let distinct: BTreeSet<i64> = positions.iter().copied().collect();
    ensure!(
        positions.len() == 175 && distinct == (1..=175).collect(),
        "positions in the answers: {positions:?}"
    );
    let shown = admin.community(slug).await?;
    let counts = (&shown["seats_taken"], &shown["waitlist_length"]);
    ensure!(counts == (&json!(25), &json!(175)), "community: {shown}");
    ensure!(shown["capacity"] == 25, "capacity: {shown}");

    let listed = admin.registrations(slug, "accepted").await?;
    ensure!(listed.len() == 25, "{} accepted listed", listed.len());
    let members = admin
        .get(&format!("{COMMUNITIES}/{slug}/members?limit=100"))
        .await?;
    let members = members.items()?;
    ensure!(members.len() == 25, "{} members", members.len());
    let queue = admin.registrations(slug, "waitlisted").await?;
    let order: Vec<i64> = queue
        .iter()
        .filter_map(|r| r["waitlist_position"].as_i64())
        .collect();
    ensure!(
        order == (1..=175).collect::<Vec<_>>(),
        "waitlist order: {order:?}"
    );
    for reply in replies.iter().filter(|r| r["status"] == "waitlisted") {
        let position = reply["waitlist_position"].as_i64().context("position")?;
        let listed = &queue[(position - 1) as usize];
        ensure!(
            listed["id"] == reply["id"],
            "#{position}: {listed} is not {reply}"
        );
    }
    Ok(())
}

pub async fn two_hundred_concurrent_registrations_fill_25_seats(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    create_programme(&admin, "groene-stad-2027").await?;
    let mut body = open_community("drukte", 25);
    body["programme"] = json!("groene-stad-2027");
    let created = create_community(&admin, body).await?;
    let fresh = json!({"programme": "groene-stad-2027", "seats_taken": 0, "waitlist_length": 0,
        "registration_open": true, "approval": "automatic"});
    for (key, value) in fresh.as_object().context("fields")? {
        ensure!(created[key] == *value, "{key} should be {value}: {created}");
    }
    let replies = register_200(&[&app], "drukte").await?;
    check_the_seats(&admin, "drukte", &replies).await?;
    app.stop().await;
    Ok(())
}

pub async fn two_instances_share_the_seats(backend: Backend) -> Result<()> {
    let database = TestDb::create(&backend)?;
    let url = database.url.clone();
    let first = TestApp::start_on(database, Options::default()).await?;
    let second_db = TestDb {
        url,
        dir: tempfile::tempdir()?,
    };
    let second = TestApp::start_on(second_db, Options::default()).await?;
    let token = admin_token(&first).await?;
    let admin = Caller::new(&first, Some(&token));
    create_community(&admin, open_community("gedeeld", 25)).await?;
    let replies = register_200(&[&first, &second], "gedeeld").await?;
    check_the_seats(&admin, "gedeeld", &replies).await?;
    let other = Caller::new(&second, Some(&token));
    let shown = other.community("gedeeld").await?;
    ensure!(shown["seats_taken"] == 25, "the second instance: {shown}");
    second.stop().await;
    first.stop().await;
    Ok(())
}

pub async fn withdrawal_promotes_the_first_on_the_waitlist(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let sink = app.smtp.as_ref().context("a sink")?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    create_community(&admin, open_community("klein-rondje", 2)).await?;
    let fac = Caller::new(
        &app,
        Some(&facilitator(&app, &admin, "klein-rondje").await?),
    );
    let public = Caller::new(&app, None);
    let mut regs = Vec::new();
    for (n, code) in CODES.iter().take(5).enumerate() {
        regs.push(public.register(&person(n, code, "klein-rondje")).await?);
    }
    let statuses: Vec<_> = regs
        .iter()
        .map(|r| (&r["status"], &r["waitlist_position"]))
        .collect();
    let expected = [
        ("accepted", None),
        ("accepted", None),
        ("waitlisted", Some(1)),
        ("waitlisted", Some(2)),
        ("waitlisted", Some(3)),
    ];
    for (n, (reg, (status, position))) in regs.iter().zip(expected).enumerate() {
        let position_ok = match position {
            Some(p) => reg["waitlist_position"] == p,
            None => reg["waitlist_position"].is_null(),
        };
        ensure!(
            reg["status"] == status && position_ok,
            "registration {n}: {statuses:?}"
        );
    }
    mail_to(sink, "deelnemer0@gemeente.nl", "/inloggen/").await?;
    mail_to(sink, "deelnemer4@gemeente.nl", "3").await?;

    // The facilitator withdraws an accepted member: #1 gets the seat and a sign-in link.
    fac.withdraw(&regs[0]["id"]).await?;
    let promoted = mail_to(sink, "deelnemer2@gemeente.nl", "/inloggen/").await?;
    // The link in the promotion mail signs the promoted registrant in.
    let me = signed_in_by(&app, &promoted).await?;
    ensure!(me["email"] == "deelnemer2@gemeente.nl", "signed in as {me}");
    let mine = me["communities"].as_array().context("communities")?;
    ensure!(
        mine.iter()
            .any(|c| c["slug"] == "klein-rondje" && c["role"] == "member"),
        "a member now: {me}"
    );
    let accepted = fac.registrations("klein-rondje", "accepted").await?;
    let ids: BTreeSet<_> = accepted.iter().map(|r| r["id"].to_string()).collect();
    let want: BTreeSet<_> = [regs[1]["id"].to_string(), regs[2]["id"].to_string()].into();
    ensure!(ids == want, "accepted after the withdrawal: {accepted:?}");
    let queue = fac.registrations("klein-rondje", "waitlisted").await?;
    let queue: Vec<_> = queue
        .iter()
        .map(|r| (r["id"].clone(), r["waitlist_position"].clone()))
        .collect();
    let want = vec![
        (regs[3]["id"].clone(), json!(1)),
        (regs[4]["id"].clone(), json!(2)),
    ];
    ensure!(queue == want, "the waitlist moved up: {queue:?}");
    let shown = public.community("klein-rondje").await?;
    let counts = (&shown["seats_taken"], &shown["waitlist_length"]);
    ensure!(counts == (&json!(2), &json!(2)), "community: {shown}");

    // A member leaves by themself: the next one moves in.
    let (leaver, leaver_token) = user_token(&app, "deelnemer1@gemeente.nl", "Deelnemer 1").await?;
    let leaving = Caller::new(&app, Some(&leaver_token));
    let path = format!("{COMMUNITIES}/klein-rondje/members/{leaver}");
    leaving.delete(&path).await?.expect(204)?;
    mail_to(sink, "deelnemer3@gemeente.nl", "/inloggen/").await?;
    let accepted = fac.registrations("klein-rondje", "accepted").await?;
    let ids: BTreeSet<_> = accepted.iter().map(|r| r["id"].to_string()).collect();
    let want: BTreeSet<_> = [regs[2]["id"].to_string(), regs[3]["id"].to_string()].into();
    ensure!(ids == want, "accepted after leaving: {accepted:?}");
    let queue = fac.registrations("klein-rondje", "waitlisted").await?;
    ensure!(
        queue.len() == 1 && queue[0]["id"] == regs[4]["id"] && queue[0]["waitlist_position"] == 1,
        "the last one is #1: {queue:?}"
    );
    let members = fac
        .get(&format!("{COMMUNITIES}/klein-rondje/members"))
        .await?;
    let gone = members
        .items()?
        .iter()
        .all(|m| m["user_id"] != leaver.as_str());
    members.check(gone, "the leaver is no longer a member")?;

    // Declining an accepted registration frees its seat too; the reason reaches the registrant.
    let decline = format!(
        "{REGISTRATIONS}/{}/decline",
        regs[2]["id"].as_str().context("id")?
    );
    let reason = json!({"reason": "Dubbel aangemeld via collega"});
    let reply = fac.post(&decline, &reason).await?;
    reply.has(200, json!({"status": "declined"}))?;
    mail_to(
        sink,
        "deelnemer2@gemeente.nl",
        "Dubbel aangemeld via collega",
    )
    .await?;
    mail_to(sink, "deelnemer4@gemeente.nl", "/inloggen/").await?;
    let accepted = fac.registrations("klein-rondje", "accepted").await?;
    let ids: BTreeSet<_> = accepted.iter().map(|r| r["id"].to_string()).collect();
    let want: BTreeSet<_> = [regs[3]["id"].to_string(), regs[4]["id"].to_string()].into();
    ensure!(ids == want, "accepted after the decline: {accepted:?}");
    let shown = public.community("klein-rondje").await?;
    let counts = (&shown["seats_taken"], &shown["waitlist_length"]);
    ensure!(counts == (&json!(2), &json!(0)), "community: {shown}");
    let members = fac
        .get(&format!("{COMMUNITIES}/klein-rondje/members"))
        .await?;
    let names: Vec<_> = members
        .items()?
        .iter()
        .filter(|m| m["role"] == "member")
        .map(|m| m["name"].clone())
        .collect();
    let want = [json!("Deelnemer 3"), json!("Deelnemer 4")];
    members.check(
        names.len() == 2 && want.iter().all(|w| names.contains(w)),
        "members 3 and 4",
    )?;

    app.stop().await;
    Ok(())
}

pub async fn programme_assigns_community_by_population(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let token = admin_token(&app).await?;
    let admin = Caller::new(&app, Some(&token));
    let public = Caller::new(&app, None);
    let programme = create_programme(&admin, "gsc-2027").await?;
    let listed = public.get(PROGRAMMES).await?.items()?;
    ensure!(
        listed.iter().any(|p| p["slug"] == "gsc-2027"),
        "listed: {listed:?}"
    );
    public
        .get(&format!("{PROGRAMMES}/gsc-2027"))
        .await?
        .has(200, programme)?;
    let small = json!({"slug": "gsc-klein", "name": "Kleine gemeenten", "programme": "gsc-2027",
        "eligibility": {"max_population": 49_999}});
    let large = json!({"slug": "gsc-groot", "name": "Grote gemeenten", "programme": "gsc-2027",
        "eligibility": {"min_population": 50_000}});
    let created = create_community(&admin, small).await?;
    let eligibility = &created["eligibility"];
    let defaults = eligibility["organisation_kinds"] == json!(["municipality"])
        && eligibility["require_member_or_participant"] == true
        && eligibility["max_population"] == 49_999
        && created["capacity"] == 25;
    ensure!(defaults, "the defaults: {created}");
    create_community(&admin, large).await?;

    // Members: Schiermonnikoog (971), Amsterdam, and two at the threshold (population set).
    let org = |code: &str| format!("/api/v1/organisations/{code}");
    for code in ["GM0088", "GM0363", "GM0171", "GM0243", "PV27"] {
        let reply = admin
            .patch(&org(code), &json!({"association_member": true}))
            .await?;
        reply.expect(200)?;
    }
    admin
        .patch(&org("GM0171"), &json!({"population": 49_999}))
        .await?
        .expect(200)?;
    admin
        .patch(&org("GM0243"), &json!({"population": 50_000}))
        .await?
        .expect(200)?;
    // A participant, not a member: Groningen.
    let participants = format!("{PROGRAMMES}/gsc-2027/participants");
    let reply = admin
        .post(&participants, &json!({"organisation_code": "GM0014"}))
        .await?;
    reply.expect(201)?;
    let listed = admin.get(&participants).await?.items()?;
    ensure!(
        listed.len() == 1 && listed[0]["code"] == "GM0014" && listed[0]["name"] == "Groningen",
        "participants: {listed:?}"
    );

    let cases = [
        ("GM0088", "gsc-klein"),
        ("GM0363", "gsc-groot"),
        ("GM0171", "gsc-klein"),
        ("GM0243", "gsc-groot"),
        ("GM0014", "gsc-groot"),
    ];
    for (n, (code, community)) in cases.into_iter().enumerate() {
        let body = json!({"name": format!("Inwoner {n}"), "email": format!("p{n}@gemeente.nl"),
            "organisation_code": code, "programme": "gsc-2027", "consent": true});
        let reg = public.register(&body).await?;
        ensure!(
            reg["community"] == community && reg["status"] == "accepted",
            "{code} should be in {community}: {reg}"
        );
    }
    // Utrecht is neither member nor participant: refused, naming whom to contact.
    let body = json!({"name": "Uta", "email": "uta@utrecht.nl", "organisation_code": "GM0344",
        "programme": "gsc-2027", "consent": true});
    let reply = public.post(REGISTRATIONS, &body).await?;
    let problem = reply.problem(422, "not_eligible")?;
    let named = problem["detail"]
        .as_str()
        .is_some_and(|d| d.contains("Marieke de Vries"));
    reply.check(named, "the detail names the contact person")?;
    // A province that is a member, but the communities are for municipalities.
    let body = json!({"name": "Piet", "email": "piet@noord-holland.nl",
        "organisation_code": "PV27", "programme": "gsc-2027", "consent": true});
    let reply = public.post(REGISTRATIONS, &body).await?;
    reply.problem(422, "no_matching_community")?;
    let small = public.community("gsc-klein").await?;
    ensure!(
        small["seats_taken"] == 2,
        "two in the small community: {small}"
    );
    app.stop().await;
    Ok(())
}
