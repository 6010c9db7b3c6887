//! The facilitator's pages and the member list, through the browser's eyes: registrations by
//! status with accept / decline / withdraw, the waitlist in order, adding a member directly, who may
//! see which page, the domain filter, and CSRF on every form.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};
use crate::registration::{
    Caller, admin_token, create_community, facilitator, mail_to, open_community, person,
};

/// A page or redirect as the browser got it.
pub(crate) struct Answer {
    pub what: String,
    pub status: u16,
    pub location: String,
    pub html: String,
}

impl Answer {
    pub(crate) async fn from(what: String, response: reqwest::Response) -> Result<Self> {
        let status = response.status().as_u16();
        let location = response.headers().get("location");
        let location = location.and_then(|v| v.to_str().ok()).unwrap_or_default();
        let location = location.to_string();
        let html = response.text().await?;
        Ok(Self {
            what,
            status,
            location,
            html,
        })
    }

    pub fn check(&self, ok: bool, message: &str) -> Result<()> {
        ensure!(
            ok,
            "{}: {message} ({} {})\n{}",
            self.what,
            self.status,
            self.location,
            self.html
        );
        Ok(())
    }

    /// A page with this status that passes [`check_page`].
    pub fn page(&self, status: u16) -> Result<&str> {
        self.check(self.status == status, &format!("expected {status}"))?;
        self.check(
            check_page(&self.html).is_ok(),
            &format!("{:?}", check_page(&self.html)),
        )?;
        Ok(&self.html)
    }

    /// A 303 to a location starting with `prefix`.
    pub fn redirects(&self, prefix: &str) -> Result<()> {
        let ok = self.status == 303 && self.location.starts_with(prefix);
        self.check(ok, &format!("a 303 to {prefix}…"))
    }

    pub fn contains(&self, needle: &str) -> Result<()> {
        self.check(
            self.html.contains(needle),
            &format!("should contain {needle:?}"),
        )
    }
}

/// The opening tags `<name …>` in `html`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let (mut out, mut rest) = (Vec::new(), html);
    while let Some(at) = rest.find(&open) {
        let tag = &rest[at..];
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        let next = tag.as_bytes().get(open.len()).copied().unwrap_or(b'>');
        if next.is_ascii_whitespace() || next == b'>' {
            out.push(&tag[..end]);
        }
        rest = &tag[end..];
    }
    out
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let value = &tag[tag.find(&needle)? + needle.len()..];
    Some(&value[..value.find('"')?])
}

/// One `<h1>`, headings without skipped levels, a label for every field, tables with a caption
/// and scoped header cells, nothing inline, and `aria-invalid` fields that name their error.
pub(crate) fn check_page(html: &str) -> Result<()> {
    ensure!(html.contains("<html lang=\"nl\""), "Dutch");
    ensure!(tags(html, "h1").len() == 1, "one <h1>");
    let mut level = 0;
    for (at, _) in html.match_indices("<h") {
        let Some(n) = html[at + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        ensure!(n <= level + 1, "heading h{n} after h{level}");
        level = n;
    }
    let scripts = tags(html, "script")
        .into_iter()
        .all(|s| attr(s, "src").is_some());
    ensure!(
        scripts && !html.contains(" style=") && tags(html, "style").is_empty(),
        "inline"
    );
    let labels: Vec<&str> = tags(html, "label")
        .into_iter()
        .filter_map(|l| attr(l, "for"))
        .collect();
    let fields = tags(html, "input")
        .into_iter()
        .filter(|t| attr(t, "type") != Some("hidden"));
    for field in fields
        .chain(tags(html, "select"))
        .chain(tags(html, "textarea"))
    {
        let id = attr(field, "id").unwrap_or_default();
        ensure!(
            !id.is_empty() && labels.contains(&id),
            "no label for {field}"
        );
        if field.contains("aria-invalid=\"true\"") {
            let described = attr(field, "aria-describedby").unwrap_or_default();
            ensure!(
                described.contains("-fout")
                    && described
                        .split_whitespace()
                        .all(|id| html.contains(&format!("id=\"{id}\""))),
                "no error text for {field}"
            );
        }
    }
    let tables = tags(html, "table").len();
    ensure!(tags(html, "caption").len() == tables, "a caption per table");
    for th in tags(html, "th") {
        ensure!(attr(th, "scope").is_some(), "no scope on {th}");
    }
    Ok(())
}

pub(crate) async fn get(app: &TestApp, path: &str) -> Result<Answer> {
    Answer::from(format!("GET {path}"), app.get(path).await?).await
}

/// Posts a form from `form_page` with its CSRF token.
pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    form_page: &str,
    fields: &[(&str, &str)],
) -> Result<Answer> {
    let response = app.post_form(path, form_page, fields).await?;
    Answer::from(format!("POST {path}"), response).await
}

/// Signs the app's browser in as the account of `address`.
pub(crate) async fn sign_in_as(app: &TestApp, address: &str) -> Result<()> {
    let email = kring::domain::Email::parse(address).map_err(anyhow::Error::msg)?;
    let user = kring::db::users::find_by_email(&app.db, &email).await?;
    app.sign_in(&user.with_context(|| format!("an account for {address}"))?)
        .await
}

/// The registration id of `address` among a community's registrations with this status.
async fn id_of(fac: &Caller<'_>, slug: &str, status: &str, address: &str) -> Result<String> {
    let list = fac.registrations(slug, status).await?;
    let found = list.iter().find(|r| r["email"] == address);
    let id = found.and_then(|r| r["id"].as_str());
    Ok(id
        .with_context(|| format!("{address} {status}: {list:?}"))?
        .to_string())
}

fn address(n: usize) -> String {
    format!("deelnemer{n}@gemeente.nl")
}

pub async fn facilitator_decides_on_registrations(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let sink = app.smtp.as_ref().context("a sink")?;
    let admin = Caller::new(&app, Some(&admin_token(&app).await?));
    let public = Caller::new(&app, None);
    // Two seats, manual approval: pending registrations hold a seat until decided.
    let mut body = open_community("beslis", 2);
    body["approval"] = json!("manual");
    create_community(&admin, body).await?;
    create_community(&admin, open_community("elders", 5)).await?;
    let fac = Caller::new(&app, Some(&facilitator(&app, &admin, "beslis").await?));
    for n in 0..2 {
        public.register(&person(n, "GM0363", "beslis")).await?;
    }
    sign_in_as(&app, "facilitator@vereniging.nl").await?;
    let list = "/communities/beslis/aanmeldingen";
    let page = get(&app, list).await?;
    page.page(200)?;
    page.contains("In behandeling (2)")?;
    page.contains("Download ledenlijst (CSV)")?;
    page.contains("href=\"/api/v1/communities/beslis/registrations.xlsx\"")?;
    page.contains("Reden (de aanmelder ziet deze)")?;
    // The export links work with the browser's session.
    for (ext, kind) in [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats"),
    ] {
        let response = app
            .get(&format!("/api/v1/communities/beslis/registrations.{ext}"))
            .await?;
        let media = response.headers().get("content-type");
        let media = media.and_then(|v| v.to_str().ok()).unwrap_or_default();
        ensure!(
            response.status() == 200 && media.starts_with(kind),
            "{ext} export: {} {media}",
            response.status()
        );
    }

    // Accept the first: it takes the one seat.
    let first = id_of(&fac, "beslis", "pending", &address(0)).await?;
    let action = |id: &str, what: &str| format!("{list}/{id}/{what}");
    let reply = post(&app, &action(&first, "accepteren"), list, &[("status", "")]).await?;
    reply.redirects(&format!("{list}?melding=geaccepteerd"))?;
    get(&app, &reply.location)
        .await?
        .contains("is geaccepteerd")?;
    id_of(&fac, "beslis", "accepted", &address(0)).await?;
    mail_to(sink, &address(0), "/inloggen/").await?;

    let second = id_of(&fac, "beslis", "pending", &address(1)).await?;
    // Both seats are held (one member, one pending): two more wait in line; the waitlist shows
    // them in order, after the pending one.
    for n in 2..4 {
        let reg = public.register(&person(n, "GM0344", "beslis")).await?;
        ensure!(reg["status"] == "waitlisted", "{reg}");
    }
    let page = get(&app, &format!("{list}?status=waitlisted")).await?;
    let html = page.page(200)?;
    let at = |needle: &str| {
        html.find(needle)
            .with_context(|| format!("{needle} on the page"))
    };
    ensure!(at("Deelnemer 2")? < at("Deelnemer 3")?, "in line order");
    ensure!(
        at("1e op de wachtlijst")? < at("2e op de wachtlijst")?,
        "positions"
    );
    ensure!(
        !html.contains("Deelnemer 1<"),
        "the pending one is not in this filter"
    );
    ensure!(
        !html.contains("/accepteren"),
        "the waitlist is not accepted by hand"
    );
    // Accepting someone on the waitlist past the line is refused, and the list says why.
    let in_line = id_of(&fac, "beslis", "waitlisted", &address(2)).await?;
    let reply = post(&app, &action(&in_line, "accepteren"), list, &[]).await?;
    reply.page(409)?;
    reply.contains("schuift vanzelf op volgorde door")?;
    let all = get(&app, list).await?;
    let html = all.page(200)?;
    let at = |needle: &str| {
        html.find(needle)
            .with_context(|| format!("{needle} on the page"))
    };
    ensure!(
        at("Deelnemer 1")? < at("Deelnemer 2")?,
        "pending before the waitlist"
    );

    // A reason that is too long is refused beside its field and kept.
    let long = "x".repeat(1001);
    let field = format!("reden-{second}");
    let reply = post(
        &app,
        &action(&second, "afwijzen"),
        list,
        &[("reason", &long)],
    )
    .await?;
    reply.page(422)?;
    reply.contains(&format!("href=\"#{field}\""))?;
    reply.contains(&format!(
        "id=\"{field}\" name=\"reason\" rows=\"2\" aria-invalid=\"true\""
    ))?;
    reply.contains(&long)?;
    // Decline with a reason: the registrant reads it in the e-mail.
    let reason = [
        ("reason", "De community zit helaas vol"),
        ("status", "pending"),
    ];
    let reply = post(&app, &action(&second, "afwijzen"), list, &reason).await?;
    reply.redirects(&format!("{list}?status=pending&melding=afgewezen"))?;
    id_of(&fac, "beslis", "declined", &address(1)).await?;
    mail_to(sink, &address(1), "De community zit helaas vol").await?;
    let declined = get(&app, &format!("{list}?status=declined")).await?;
    declined.page(200)?;
    declined.contains("Reden: De community zit helaas vol")?;

    // The declined one's seat went to the first in line (pending, under manual approval).
    id_of(&fac, "beslis", "pending", &address(2)).await?;
    // Withdraw the member: the next in line is promoted too.
    let reply = post(&app, &action(&first, "intrekken"), list, &[]).await?;
    reply.redirects(&format!("{list}?melding=ingetrokken"))?;
    id_of(&fac, "beslis", "withdrawn", &address(0)).await?;
    id_of(&fac, "beslis", "pending", &address(3)).await?;
    let waiting = fac.registrations("beslis", "waitlisted").await?;
    ensure!(waiting.is_empty(), "{waiting:?}");
    let reply = post(&app, &action(&first, "intrekken"), list, &[]).await?;
    reply.page(409)?;

    // A registration of another community is not found through this one.
    let other = public.register(&person(9, "GM0363", "elders")).await?;
    let other = other["id"].as_str().context("id")?;
    let reply = post(&app, &action(other, "intrekken"), list, &[]).await?;
    reply.check(reply.status == 404, "another community's registration")?;
    app.stop().await;
    Ok(())
}

pub async fn facilitator_adds_a_member_directly(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let sink = app.smtp.as_ref().context("a sink")?;
    let admin = Caller::new(&app, Some(&admin_token(&app).await?));
    create_community(&admin, open_community("direct", 5)).await?;
    facilitator(&app, &admin, "direct").await?;
    sign_in_as(&app, "facilitator@vereniging.nl").await?;
    let list = "/communities/direct/aanmeldingen";
    let add = "/communities/direct/leden/toevoegen";
    let page = get(&app, list).await?;
    page.contains("<option value=\"GM0344\">Utrecht</option>")?;
    page.contains("<option value=\"PV26\">Utrecht</option>")?;

    let wrong = [("name", " "), ("email", "bert@"), ("organisation_code", "")];
    let reply = post(&app, add, list, &wrong).await?;
    reply.page(422)?;
    for field in ["name", "email", "organisation_code"] {
        reply.contains(&format!("href=\"#{field}\""))?;
        reply.contains(&format!("id=\"{field}-fout\""))?;
    }
    reply.contains("value=\"bert@\"")?;

    let bert = [
        ("name", "Bert Direct"),
        ("email", "bert@utrecht.nl"),
        ("organisation_code", "GM0344"),
    ];
    let reply = post(&app, add, list, &bert).await?;
    reply.redirects(&format!("{list}?melding=toegevoegd"))?;
    mail_to(sink, "bert@utrecht.nl", "/inloggen/").await?;
    let members = get(&app, "/communities/direct/leden").await?;
    members.page(200)?;
    members.contains("Bert Direct")?;
    members.contains("Utrecht")?;

    // Adding him again is refused, with the values kept.
    let reply = post(&app, add, list, &bert).await?;
    reply.page(409)?;
    reply.contains("is al lid van")?;
    reply.contains("value=\"bert@utrecht.nl\"")?;
    reply.contains("<option value=\"GM0344\" selected>")?;
    app.stop().await;
    Ok(())
}

pub async fn member_list_and_who_sees_what(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let admin = Caller::new(&app, Some(&admin_token(&app).await?));
    let public = Caller::new(&app, None);
    create_community(&admin, open_community("leden", 2)).await?;
    facilitator(&app, &admin, "leden").await?;
    let people: [(usize, Value); 3] = [
        (0, json!(["beleid", "natuur"])),
        (1, json!(["gezondheid"])),
        (2, json!(["beleid"])),
    ];
    for (n, domains) in people {
        let mut body = person(n, "GM0363", "leden");
        body["domains"] = domains;
        public.register(&body).await?;
    }
    app.create_user("buiten@gemeente.nl", "Buitenstaander", false)
        .await?;
    let list = "/communities/leden/aanmeldingen";
    let members = "/communities/leden/leden";

    // Anonymous visitors are sent to sign in; outsiders see nothing.
    for path in [list, members] {
        get(&app, path).await?.redirects("/inloggen?volgende=")?;
    }
    sign_in_as(&app, "buiten@gemeente.nl").await?;
    for path in [list, members] {
        let page = get(&app, path).await?;
        page.check(page.status == 404, "an outsider gets 404")?;
    }

    // A member reads the list and filters it, but may not manage registrations.
    sign_in_as(&app, &address(0)).await?;
    get(&app, list).await?.page(403)?;
    let page = get(&app, members).await?;
    page.page(200)?;
    for needle in [
        "Deelnemer 0",
        "Deelnemer 1",
        "Fien Facilitator",
        "Amsterdam",
        "Beleid, Natuur",
    ] {
        page.contains(needle)?;
    }
    page.contains("Facilitator</span>")?;
    page.contains("Community verlaten")?;
    page.check(!page.html.contains("Verwijderen"), "no removal for members")?;
    page.check(
        !page.html.contains("Deelnemer 2"),
        "the waitlisted one is not a member",
    )?;
    let filtered = get(&app, &format!("{members}?werkveld=gezondheid")).await?;
    filtered.page(200)?;
    filtered.contains("Deelnemer 1")?;
    filtered.check(!filtered.html.contains("Deelnemer 0"), "filtered by domain")?;
    filtered.contains("<option value=\"gezondheid\" selected>")?;
    let none = get(&app, &format!("{members}?werkveld=uitvoering")).await?;
    none.page(200)?;
    none.contains("Er zijn geen leden met het werkveld Uitvoering en beheer.")?;

    // Forms without the CSRF token are refused.
    let reply = app
        .client
        .post(app.url(&format!("{members}/x/verwijderen")))
        .form(&[("a", "b")])
        .send()
        .await?;
    ensure!(reply.status() == 403, "no token: {}", reply.status());

    // The facilitator removes a member; the seat goes to the waitlist.
    sign_in_as(&app, "facilitator@vereniging.nl").await?;
    let page = get(&app, members).await?;
    page.contains("Verwijderen")?;
    page.contains("Aanmeldingen beheren")?;
    let email = kring::domain::Email::parse(&address(1)).map_err(anyhow::Error::msg)?;
    let one = kring::db::users::find_by_email(&app.db, &email)
        .await?
        .context("member 1")?;
    let reply = post(
        &app,
        &format!("{members}/{}/verwijderen", one.id),
        members,
        &[],
    )
    .await?;
    reply.redirects(&format!("{members}?melding=verwijderd"))?;
    let page = get(&app, &reply.location).await?;
    page.contains("Het lid is verwijderd")?;
    page.check(!page.html.contains("Deelnemer 1"), "removed")?;
    page.contains("Deelnemer 2")?;

    // A member may remove nobody else, but may leave.
    sign_in_as(&app, &address(0)).await?;
    let two = kring::domain::Email::parse(&address(2)).map_err(anyhow::Error::msg)?;
    let two = kring::db::users::find_by_email(&app.db, &two)
        .await?
        .context("member 2")?;
    let reply = post(
        &app,
        &format!("{members}/{}/verwijderen", two.id),
        members,
        &[],
    )
    .await?;
    reply.check(reply.status == 403, "a member removing another")?;
    let email = kring::domain::Email::parse(&address(0)).map_err(anyhow::Error::msg)?;
    let me = kring::db::users::find_by_email(&app.db, &email)
        .await?
        .context("member 0")?;
    let reply = post(
        &app,
        &format!("{members}/{}/verwijderen", me.id),
        members,
        &[],
    )
    .await?;
    reply.page(200)?;
    reply.contains("Je hebt Community leden verlaten")?;
    let page = get(&app, members).await?;
    page.check(page.status == 404, "no longer a member")?;
    app.stop().await;
    Ok(())
}
