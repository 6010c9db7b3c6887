//! The JSON API: organisations, the caller's profile and tokens, and users created by admins.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};

const ORGS: &str = "/api/v1/organisations";
const ME: &str = "/api/v1/me";
const TOKENS: &str = "/api/v1/me/tokens";
const USERS: &str = "/api/v1/users";

/// One API answer, with the body kept as text for failure messages.
struct Reply {
    what: String,
    status: u16,
    content_type: String,
    challenge: String,
    text: String,
    body: Value,
}

impl Reply {
    /// Fails with `message` and the answer unless `ok`.
    fn check(&self, ok: bool, message: &str) -> Result<()> {
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
    fn expect(&self, status: u16) -> Result<&Value> {
        self.check(self.status == status, &format!("expected {status}"))?;
        Ok(&self.body)
    }

    /// Checks the status and that the body has these fields with these values.
    fn has(&self, status: u16, fields: Value) -> Result<&Value> {
        let body = self.expect(status)?;
        for (key, value) in fields.as_object().context("fields")? {
            self.check(body[key] == *value, &format!("{key} should be {value}"))?;
        }
        Ok(body)
    }

    /// The problem document, after checking status, media type and code.
    fn problem(&self, status: u16, code: &str) -> Result<&Value> {
        let body = self.has(status, json!({"status": status, "code": code}))?;
        let media = self.content_type.starts_with("application/problem+json");
        self.check(media, &format!("a problem as {:?}", self.content_type))?;
        Ok(body)
    }

    /// A validation problem whose first error names `field`.
    fn invalid(&self, code: &str, field: &str) -> Result<()> {
        let body = self.problem(422, code)?;
        self.check(
            body["errors"][0]["field"] == field,
            &format!("an error on {field}"),
        )
    }

    /// The codes of a list page's items.
    fn codes(&self) -> Result<Vec<String>> {
        let items = self.expect(200)?["items"].as_array();
        let items = items.with_context(|| format!("no items: {}", self.text))?;
        Ok(items
            .iter()
            .filter_map(|o| o["code"].as_str().map(str::to_string))
            .collect())
    }
}

/// A caller: anonymous or with a bearer token.
struct Caller<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl<'a> Caller<'a> {
    fn new(app: &'a TestApp, token: Option<&str>) -> Self {
        Self {
            app,
            token: token.map(str::to_string),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let what = format!("{method} {path}");
        let mut request = self.app.client.request(method, self.app.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.with_context(|| what.clone())?;
        let header = |name: &str| {
            let value = response.headers().get(name).and_then(|v| v.to_str().ok());
            value.unwrap_or_default().to_string()
        };
        let (content_type, challenge) = (header("content-type"), header("www-authenticate"));
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            what,
            status,
            content_type,
            challenge,
            text,
            body,
        })
    }

    async fn get(&self, path: &str) -> Result<Reply> {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: &Value) -> Result<Reply> {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Result<Reply> {
        self.call(Method::DELETE, path, None).await
    }
}

/// An app with an administrator and an ordinary member, each with a token.
async fn app_with_admin(backend: &Backend) -> Result<(TestApp, String, String)> {
    let app = TestApp::start(backend).await?;
    let admin = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    let member = app.create_user("lid@gemeente.nl", "Lid", false).await?;
    let (admin, member) = (app.token_for(&admin).await?, app.token_for(&member).await?);
    Ok((app, admin, member))
}

fn orgs(rest: &str) -> String {
    format!("{ORGS}{rest}")
}

async fn find_user(app: &TestApp, address: &str) -> Result<Option<kring::db::users::User>> {
    let email = kring::domain::Email::parse(address).map_err(anyhow::Error::msg)?;
    Ok(kring::db::users::find_by_email(&app.db, &email).await?)
}

pub async fn organisations_search_is_accent_insensitive(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let public = Caller::new(&app, None);
    let searches = [
        ("sudwest", "GM1900"),
        ("S%C3%BAdwest-Frysl%C3%A2n", "GM1900"),
        ("gravenhage", "GM0518"),
        ("%27S-GRAVENHAGE", "GM0518"),
        ("sgravenhage", "GM0518"),
    ];
    for (q, code) in searches {
        let reply = public.get(&format!("{ORGS}?q={q}")).await?;
        let found = reply.codes()?.contains(&code.to_string());
        reply.check(found, &format!("should find {code}"))?;
    }

    // The names in data/gemeenten.csv with a word starting with "den", Den Helder first; Leiden,
    // Woerden and Heusden contain "den" but not at the start of a word.
    let reply = public.get(&format!("{ORGS}?q=den")).await?;
    let den = ["GM0400", "GM0484", "GM0502", "GM0542"];
    reply.check(reply.codes()? == den, "only word starts")?;

    let reply = public.get(&orgs("?kind=province&limit=100")).await?;
    let provinces = reply.codes()?;
    let ok = provinces.len() == 12 && provinces.iter().all(|c| c.starts_with("PV"));
    reply.check(ok && reply.body["next_cursor"].is_null(), "12 provinces")?;
    let reply = public.get(&format!("{ORGS}?kind=bogus")).await?;
    reply.invalid("validation_failed", "kind")?;

    let reply = public.get(&format!("{ORGS}?limit=5")).await?;
    reply.check(reply.codes()?.len() == 5, "5 items")?;
    reply.check(reply.body["next_cursor"].is_string(), "a next page")?;

    let (mut seen, mut pages) = (BTreeSet::new(), 0);
    let mut path = format!("{ORGS}?kind=province&limit=5");
    loop {
        pages += 1;
        ensure!(pages <= 5, "paging does not end");
        let reply = public.get(&path).await?;
        let codes = reply.codes()?;
        reply.check(codes.len() <= 5, "no more items than the limit")?;
        for code in codes {
            ensure!(seen.insert(code.clone()), "{code} on two pages");
        }
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("{ORGS}?kind=province&limit=5&cursor={cursor}"),
            None => break,
        }
    }
    ensure!(pages == 3 && seen.len() == 12, "{pages} pages: {seen:?}");
    let reply = public.get(&format!("{ORGS}?cursor=garbage")).await?;
    reply.invalid("validation_failed", "cursor")?;

    let amsterdam = json!({"code": "GM0363", "name": "Amsterdam", "kind": "municipality",
        "population": 934_526, "province": "Noord-Holland", "association_member": false,
        "programmes": []});
    public.get(&orgs("/GM0363")).await?.has(200, amsterdam)?;
    let lower = public.get(&format!("{ORGS}/gm0363")).await?;
    lower.has(200, json!({"code": "GM0363"}))?;
    for code in ["GM9999", "onzin"] {
        let reply = public.get(&format!("{ORGS}/{code}")).await?;
        reply.problem(404, "not_found")?;
    }
    app.stop().await;
    Ok(())
}

pub async fn organisations_admin_changes(backend: Backend) -> Result<()> {
    let (app, admin, member) = app_with_admin(&backend).await?;
    let public = Caller::new(&app, None);
    let member = Caller::new(&app, Some(&member));
    let admin = Caller::new(&app, Some(&admin));
    let new = json!({"code": "WS0155", "name": "Hoogheemraadschap De Stichtse Rijnlanden",
        "kind": "water_board", "province": "Utrecht", "population": 0});

    for (who, status, code) in [(&public, 401, "unauthorized"), (&member, 403, "forbidden")] {
        who.post(ORGS, &new).await?.problem(status, code)?;
    }
    admin.post(ORGS, &new).await?.has(201, new.clone())?;
    let reply = public.get(&format!("{ORGS}?q=hoogheemraadschap")).await?;
    reply.check(reply.codes()? == ["WS0155"], "a new organisation")?;
    let stored = public.get(&format!("{ORGS}/WS0155")).await?;
    stored.has(200, new.clone())?;
    stored.has(200, json!({"association_member": false, "programmes": []}))?;
    let again = admin.post(ORGS, &new).await?;
    again.problem(409, "organisation_exists")?;

    let bad = json!({"code": "X1", "name": "Iets", "kind": "other"});
    let reply = admin.post(ORGS, &bad).await?;
    reply.invalid("validation_failed", "code")?;
    let extra = json!({"code": "OV0001", "name": "Iets", "kind": "other", "evil": true});
    let reply = admin.post(ORGS, &extra).await?;
    reply.invalid("unknown_field", "evil")?;
    let reply = public.get(&format!("{ORGS}/OV0001")).await?;
    reply.problem(404, "not_found")?;

    let patch = json!({"association_member": true});
    let path = format!("{ORGS}/GM0363");
    for (who, status, code) in [(&public, 401, "unauthorized"), (&member, 403, "forbidden")] {
        who.patch(&path, &patch).await?.problem(status, code)?;
    }
    admin.patch(&path, &patch).await?.has(200, patch.clone())?;
    let stored = json!({"association_member": true, "population": 934_526, "name": "Amsterdam"});
    public.get(&path).await?.has(200, stored)?;
    let reply = admin.patch(&path, &json!({"oops": 1})).await?;
    reply.invalid("unknown_field", "oops")?;
    let reply = admin.patch(&format!("{ORGS}/GM9999"), &patch).await?;
    reply.problem(404, "not_found")?;
    app.stop().await;
    Ok(())
}

pub async fn me_and_tokens(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let anna = app.create_user("anna@utrecht.nl", "Anna", false).await?;
    let user = Caller::new(&app, Some(&app.token_for(&anna).await?));

    let fresh = json!({"id": anna.id, "name": "Anna", "email": "anna@utrecht.nl",
        "is_admin": false, "domains": [], "notification_frequency": "weekly", "communities": []});
    user.get(ME).await?.has(200, fresh)?;

    let change = json!({"name": "Nieuwe Naam", "domains": ["beleid", "natuur"],
        "notification_frequency": "daily"});
    let reply = user.patch(ME, &change).await?;
    let me = reply.has(200, change.clone())?.clone();
    user.get(ME).await?.has(200, me.clone())?;

    let domain = json!({"name": "Anders", "domains": ["beleid", "astrologie"]});
    let frequency = json!({"notification_frequency": "hourly"});
    let refused = [("domains", domain), ("name", json!({"name": "  "}))];
    for (field, body) in refused
        .into_iter()
        .chain([("notification_frequency", frequency)])
    {
        let reply = user.patch(ME, &body).await?;
        reply.invalid("validation_failed", field)?;
    }
    let reply = user.patch(ME, &json!({"email": "x@y.nl"})).await?;
    reply.invalid("unknown_field", "email")?;
    user.get(ME).await?.has(200, me.clone())?;

    let reply = user.post(TOKENS, &json!({"label": "script"})).await?;
    let created = reply.expect(201)?;
    let id = created["id"].as_str().context("token id")?.to_string();
    let secret = created["token"].as_str().context("secret")?.to_string();
    reply.check(secret.starts_with("kring_"), "a kring_ token")?;
    let script = Caller::new(&app, Some(&secret));
    let reply = script.get(ME).await?;
    reply.has(200, json!({"id": anna.id, "name": "Nieuwe Naam"}))?;

    let reply = user.get(TOKENS).await?;
    let list = reply.expect(200)?.as_array().context("a list")?;
    let listed = list.iter().find(|t| t["id"] == id.as_str());
    let listed = listed.is_some_and(|t| t["label"] == "script" && t.get("token").is_none());
    reply.check(listed, "listed without its secret")?;
    let secretless = list.len() == 2 && !reply.text.contains(&secret);
    reply.check(secretless, "two tokens, no secrets")?;
    let reply = user.post(TOKENS, &json!({"label": " "})).await?;
    reply.invalid("validation_failed", "label")?;

    let bob = app.create_user("bob@utrecht.nl", "Bob", false).await?;
    let bob = Caller::new(&app, Some(&app.token_for(&bob).await?));
    let reply = bob.post(TOKENS, &json!({"label": "bob"})).await?;
    let bob_id = reply.expect(201)?["id"].as_str().context("id")?.to_string();
    let reply = user.delete(&format!("{TOKENS}/{bob_id}")).await?;
    reply.problem(404, "not_found")?;
    let reply = bob.get(TOKENS).await?;
    reply.check(reply.text.contains(&bob_id), "bob's token survives")?;

    let path = format!("{TOKENS}/{id}");
    user.delete(&path).await?.expect(204)?;
    script.get(ME).await?.problem(401, "unauthorized")?;
    user.delete(&path).await?.problem(404, "not_found")?;
    user.get(ME).await?.expect(200)?;

    for token in [Some("kring_garbage"), Some(""), None] {
        let reply = Caller::new(&app, token).get(ME).await?;
        reply.problem(401, "unauthorized")?;
        let challenge = reply.challenge.starts_with("Bearer");
        reply.check(challenge, "a WWW-Authenticate challenge")?;
    }
    app.stop().await;
    Ok(())
}

pub async fn users_are_created_by_admins(backend: Backend) -> Result<()> {
    let (app, admin, member) = app_with_admin(&backend).await?;
    let public = Caller::new(&app, None);
    let member = Caller::new(&app, Some(&member));
    let admin = Caller::new(&app, Some(&admin));

    let piet = json!({"name": "Piet Jansen", "email": "Piet.Jansen@Gemeente.nl"});
    let reply = admin.post(USERS, &piet).await?;
    let created = reply.has(201, piet.clone())?;
    reply.check(created["is_admin"] == false, "not an admin by default")?;
    let stored = find_user(&app, "piet.jansen@gemeente.nl")
        .await?
        .context("stored")?;
    reply.check(created["id"] == stored.id.as_str(), "the stored id")?;

    let again = json!({"name": "Piet", "email": "PIET.JANSEN@gemeente.NL"});
    let reply = admin.post(USERS, &again).await?;
    reply.problem(409, "user_exists")?;
    let bad = json!({"name": "Iemand", "email": "geen-adres"});
    let reply = admin.post(USERS, &bad).await?;
    reply.invalid("invalid_email", "email")?;
    let boss = json!({"name": "Baas", "email": "baas@vereniging.nl", "is_admin": true});
    admin.post(USERS, &boss).await?.has(201, boss.clone())?;

    let karin = json!({"name": "Karin", "email": "karin@gemeente.nl"});
    for (who, status, code) in [(&public, 401, "unauthorized"), (&member, 403, "forbidden")] {
        who.post(USERS, &karin).await?.problem(status, code)?;
    }
    let nobody = find_user(&app, "karin@gemeente.nl").await?;
    ensure!(nobody.is_none(), "a refused request creates nobody");
    app.stop().await;
    Ok(())
}
