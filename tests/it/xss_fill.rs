//! Fills one kring with a text per slot in every user text field, through the API, and records
//! which pages show them. The XSS test fills one instance with payloads and, side by side, a
//! second one with harmless text, creating exactly what the first one accepted, so the pages of
//! the two can be compared element by element.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, ensure};
use chrono::{Duration, Utc};
use kring::db::Db;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::harness::{TestApp, client, csrf_from};
use crate::html_check;
use crate::topics::call;
use crate::xss::Problems;

/// Who looks at a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Anonymous,
    /// Fleur, facilitator of the three communities.
    Facilitator,
    Admin,
    /// Willem, who changes his own name and tokens.
    Account,
}

/// A page to load once everything is written.
pub struct Visit {
    pub who: Who,
    pub path: String,
    /// Follow `rel="next"` links.
    pub follow: bool,
    /// Compare with the same page of the harmless instance (not for search results and the
    /// organisation picker, whose matches depend on the words, nor for the outbox).
    pub compare: bool,
}

/// One filled instance.
pub struct Site {
    pub app: TestApp,
    pub fleur: reqwest::Client,
    pub admin: reqwest::Client,
    pub account: reqwest::Client,
    pub anonymous: reqwest::Client,
    /// Fleur's API token.
    pub fleur_token: String,
    /// What the API accepted, as `kind:slot`.
    pub accepted: BTreeSet<String>,
    /// Pages by a key that is the same on both instances.
    pub visits: BTreeMap<String, Visit>,
    /// Pages already loaded while filling (the account page changes with every name).
    pub captured: BTreeMap<String, (String, String)>,
    /// Meeting titles by meeting id, for the calendar files in the mail.
    pub meeting_titles: BTreeMap<String, String>,
}

impl Site {
    pub fn browser(&self, who: Who) -> &reqwest::Client {
        match who {
            Who::Anonymous => &self.anonymous,
            Who::Facilitator => &self.fleur,
            Who::Admin => &self.admin,
            Who::Account => &self.account,
        }
    }

    pub(crate) fn visit(&mut self, key: impl Into<String>, who: Who, path: impl Into<String>) {
        let visit = Visit {
            who,
            path: path.into(),
            follow: false,
            compare: true,
        };
        self.visits.insert(key.into(), visit);
    }

    /// Loads a page, which must answer 200.
    pub async fn page(&self, who: Who, path: &str) -> Result<String> {
        let response = self.browser(who).get(self.app.url(path)).send().await?;
        let status = response.status();
        let html = response.text().await?;
        ensure!(status == 200, "GET {path} as {who:?}: {status}");
        Ok(html)
    }
}

/// A browser signed in as `user` through the real sign-in pages.
async fn browser(app: &TestApp, user: &kring::db::users::User) -> Result<reqwest::Client> {
    let browser = client();
    let link = app.link_for(user).await?;
    let html = browser.get(&link).send().await?.text().await?;
    let token = csrf_from(&html).context("a CSRF token on the sign-in page")?;
    let r = browser
        .post(&link)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(r.status() == 303, "sign-in: {}", r.status());
    Ok(browser)
}

/// Municipality codes, enough for one organisation per slot.
async fn municipalities(db: &Db) -> Result<Vec<String>> {
    let sql = "SELECT code FROM organisations WHERE kind = 'municipality' ORDER BY code";
    Ok(match db {
        Db::Sqlite { read, .. } => sqlx::query_scalar(sql).fetch_all(read).await?,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await?,
    })
}

/// The people and the communities every instance starts with, all in programme `prog`: `xss`
/// for content, `leden` for registrations that are accepted at once, `wacht` for registrations
/// that wait for the facilitator (and are declined with a reason).
pub(crate) struct People {
    pub(crate) admin: String,
    pub(crate) fleur: String,
    pub(crate) anna: String,
    pub(crate) willem: String,
    users: [kring::db::users::User; 3],
}

async fn people(app: &TestApp) -> Result<People> {
    let admin_user = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    let admin = app.token_for(&admin_user).await?;
    let body = json!({"slug": "prog", "name": "Programma", "contact_name": "Piet", "contact_email": "piet@vereniging.nl"});
    let (status, out) = call(app, &admin, "POST", "/api/v1/programmes", Some(body)).await?;
    ensure!(status == 201, "programme: {out}");
    for (slug, approval) in [
        ("xss", "automatic"),
        ("leden", "automatic"),
        ("wacht", "manual"),
    ] {
        let body = json!({"slug": slug, "name": format!("Community {slug}"), "programme": "prog",
            "capacity": 1000, "approval": approval,
            "eligibility": {"require_member_or_participant": false}});
        let (status, out) = call(app, &admin, "POST", "/api/v1/communities", Some(body)).await?;
        ensure!(status == 201, "community: {out}");
    }
    let fleur_user = app
        .create_user("fleur@vereniging.nl", "Fleur Facilitator", false)
        .await?;
    for slug in ["xss", "leden", "wacht"] {
        let path = format!("/api/v1/communities/{slug}/facilitators");
        let body = json!({"user_id": fleur_user.id});
        let (status, out) = call(app, &admin, "POST", &path, Some(body)).await?;
        ensure!(status == 201, "facilitator: {out}");
    }
    let fleur = app.token_for(&fleur_user).await?;
    let body =
        json!({"name": "Anna de Vries", "email": "anna@tiel.nl", "organisation_code": "GM0281"});
    let path = "/api/v1/communities/xss/members";
    let (status, out) = call(app, &admin, "POST", path, Some(body)).await?;
    ensure!(status == 201, "member: {out}");
    let id = out["user_id"].as_str().context("user_id")?;
    let anna_user = kring::db::users::find(&app.db, id).await?.context("Anna")?;
    let anna = app.token_for(&anna_user).await?;
    let willem_user = app
        .create_user("willem@tiel.nl", "Willem Wisselaar", false)
        .await?;
    let willem = app.token_for(&willem_user).await?;
    Ok(People {
        admin,
        fleur,
        anna,
        willem,
        users: [admin_user, fleur_user, willem_user],
    })
}

/// What the API of the leading instance accepted: after how many slots, and `kind:slot` of each
/// accepted write.
pub type Progress = (usize, BTreeSet<String>);

/// The part an instance plays while two are filled side by side.
pub enum Role {
    /// Writes every text and checks every answer; publishes what was accepted after each slot.
    Lead(watch::Sender<Progress>),
    /// Writes, slot by slot, exactly what the leading instance accepted; checks nothing.
    Follow(watch::Receiver<Progress>),
}

/// Fills `app` with `texts`: slot `i` puts `texts[i]` in every field (see [`Role`]); leading,
/// every answer is checked (`*_html` fields sanitised, plain text returned as given) into
/// `problems`.
pub async fn fill(
    app: TestApp,
    texts: &[String],
    mut role: Role,
    problems: &mut Problems,
) -> Result<Site> {
    let p = people(&app).await?;
    let [admin_user, fleur_user, willem_user] = &p.users;
    let mut site = Site {
        fleur: browser(&app, fleur_user).await?,
        admin: browser(&app, admin_user).await?,
        account: browser(&app, willem_user).await?,
        anonymous: client(),
        fleur_token: p.fleur.clone(),
        app,
        accepted: BTreeSet::new(),
        visits: BTreeMap::new(),
        captured: BTreeMap::new(),
        meeting_titles: BTreeMap::new(),
    };
    let codes = municipalities(&site.app.db).await?;
    ensure!(codes.len() > texts.len(), "enough municipalities");
    let mut f = Filler {
        site: &mut site,
        only: None,
        problems,
        check: matches!(role, Role::Lead(_)),
    };
    let start = Utc::now() + Duration::days(30);
    for (i, t) in texts.iter().enumerate() {
        if let Role::Follow(progress) = &mut role {
            let (_, accepted) = &*progress
                .wait_for(|(done, _)| *done > i)
                .await
                .context("the leading instance stopped")?;
            f.only = Some(accepted.clone());
        }
        let t = t.as_str();
        f.topic(&p, i, t).await?;
        f.note(&p, i, t).await?;
        f.practice(&p, i, t, &codes[i]).await?;
        let starts = start + Duration::days(i64::try_from(i)?);
        f.meeting(&p, i, t, starts).await?;
        f.poll(&p, i, t, starts).await?;
        f.people(&p, i, t, &codes[i]).await?;
        if let Role::Lead(progress) = &role {
            progress.send_replace((i + 1, f.site.accepted.clone()));
        }
    }
    f.leden_meeting(&p, start).await?;
    f.lists();
    Ok(site)
}

/// Writes the texts of slots, and checks the answers when leading.
pub(crate) struct Filler<'a> {
    pub(crate) site: &'a mut Site,
    only: Option<BTreeSet<String>>,
    pub(crate) problems: &'a mut Problems,
    pub(crate) check: bool,
}

impl Filler<'_> {
    /// Whether to create `kind` for slot `i`.
    fn wanted(&self, kind: &str, i: usize) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.contains(&format!("{kind}:{i}")))
    }

    /// Sends a request that creates or changes something from slot `i`; the answer when it
    /// succeeded. A clean refusal (4xx problem) is fine; anything else is a problem.
    pub(crate) async fn send(
        &mut self,
        kind: &str,
        i: usize,
        token: &str,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<Option<Value>> {
        if !self.wanted(kind, i) {
            return Ok(None);
        }
        let (status, out) = if token.is_empty() {
            let response = client()
                .request(method.parse()?, self.site.app.url(path))
                .json(&body)
                .send()
                .await?;
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        } else {
            call(&self.site.app, token, method, path, Some(body)).await?
        };
        if (200..300).contains(&status) {
            self.site.accepted.insert(format!("{kind}:{i}"));
            if self.check {
                self.problems
                    .json(&format!("{kind} {i}: {method} {path}"), &out);
            }
            return Ok(Some(out));
        }
        let clean = matches!(status, 400 | 409 | 413 | 422) && out["code"].is_string();
        if self.check && !clean {
            self.problems.push(
                &format!("{kind} {i}"),
                format!("{method} {path} answered {status}: {out}"),
            );
        }
        Ok(None)
    }

    /// Checks that each named plain-text field of `out` is `text` as given (trimmed).
    pub(crate) fn same(&mut self, what: &str, out: &Value, fields: &[&str], text: &str) {
        if !self.check {
            return;
        }
        for field in fields {
            let got = field
                .split('.')
                .fold(out, |v, part| match part.parse::<usize>() {
                    Ok(n) => &v[n],
                    Err(_) => &v[part],
                });
            if got.as_str().map(str::trim) != Some(text.trim()) {
                self.problems.push(
                    what,
                    format!("{field} came back as {got} instead of the text as given"),
                );
            }
        }
    }

    /// The pages that list many slots at once.
    fn lists(&mut self) {
        let s = &mut *self.site;
        for (key, who, path) in [
            ("home xss", Who::Facilitator, "/communities/xss"),
            ("topics", Who::Facilitator, "/communities/xss/onderwerpen"),
            (
                "meetings",
                Who::Facilitator,
                "/communities/xss/bijeenkomsten",
            ),
            ("members xss", Who::Facilitator, "/communities/xss/leden"),
            ("home leden", Who::Facilitator, "/communities/leden"),
            (
                "members leden",
                Who::Facilitator,
                "/communities/leden/leden",
            ),
            (
                "registrations",
                Who::Facilitator,
                "/communities/leden/aanmeldingen",
            ),
            (
                "declined registrations",
                Who::Facilitator,
                "/communities/wacht/aanmeldingen",
            ),
            ("home xss public", Who::Anonymous, "/communities/xss"),
            ("public home", Who::Anonymous, "/"),
            ("programme", Who::Anonymous, "/programmas/prog"),
            ("map", Who::Facilitator, "/praktijkvoorbeelden/kaart"),
            ("map svg", Who::Facilitator, "/map/practices.svg"),
            ("map public", Who::Anonymous, "/praktijkvoorbeelden/kaart"),
            ("map svg public", Who::Anonymous, "/map/practices.svg"),
            ("account tokens", Who::Account, "/account"),
            ("beheer", Who::Admin, "/beheer"),
            ("beheer programme", Who::Admin, "/beheer/programmas/prog"),
            ("beheer organisations", Who::Admin, "/beheer/organisaties"),
        ] {
            s.visit(key, who, path);
        }
        for (key, who, path) in [
            ("notes", Who::Facilitator, "/communities/xss/notities"),
            ("practices", Who::Facilitator, "/praktijkvoorbeelden"),
            ("practices public", Who::Anonymous, "/praktijkvoorbeelden"),
        ] {
            s.visits.insert(
                key.into(),
                Visit {
                    who,
                    path: path.into(),
                    follow: true,
                    compare: true,
                },
            );
        }
        for q in ["alert", "script", "javascript", "onerror", "titel", "anna"] {
            s.visits.insert(
                format!("search {q}"),
                Visit {
                    who: Who::Facilitator,
                    path: format!("/zoeken?q={q}"),
                    follow: false,
                    compare: false,
                },
            );
            // The organisation picker of the registration form, over the renamed organisations.
            s.visits.insert(
                format!("organisation options {q}"),
                Visit {
                    who: Who::Anonymous,
                    path: format!("/organisaties/opties?zoek={q}"),
                    follow: false,
                    compare: false,
                },
            );
        }
        s.visits.insert(
            "outbox".into(),
            Visit {
                who: Who::Admin,
                path: "/admin/outbox".into(),
                follow: true,
                compare: false,
            },
        );
    }
}

/// The guest pages of the invited speakers, by slot, from the invitations in the outbox.
pub async fn guest_pages(site: &mut Site) -> Result<()> {
    let mails = kring::db::outbox::list(&site.app.db, None, 100_000, 0).await?;
    for mail in mails {
        let Some(slot) = mail
            .recipient
            .strip_prefix("spreker")
            .and_then(|r| r.strip_suffix("@example.nl"))
        else {
            continue;
        };
        let Some(at) = mail.body_text.find("/gast/") else {
            continue;
        };
        let token: String = mail.body_text[at + "/gast/".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let path = format!("/gast/{token}");
        let html = client()
            .get(site.app.url(&path))
            .send()
            .await?
            .text()
            .await?;
        site.captured.insert(format!("guest {slot}"), (path, html));
    }
    Ok(())
}

/// Checks one search through the API: every snippet is harmless.
pub async fn api_search(site: &Site, q: &str, problems: &mut Problems) -> Result<()> {
    let path = format!("/api/v1/search?q={q}&limit=100");
    let (status, out) = call(&site.app, &site.fleur_token, "GET", &path, None).await?;
    ensure!(status == 200, "search {q}: {status} {out}");
    for item in out["items"].as_array().into_iter().flatten() {
        let snippet = item["snippet"].as_str().unwrap_or("");
        for problem in html_check::check_content(snippet) {
            problems.push(&format!("search {q} snippet"), problem);
        }
    }
    Ok(())
}
