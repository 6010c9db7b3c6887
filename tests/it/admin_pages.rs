//! The admin pages under `/beheer`: programmes, communities (local dates and times across summer
//! time), facilitators, organisation flags and enrolments, each through its HTML form and checked
//! through the JSON API; and nobody but an admin gets in.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{self, Backend, TestApp};

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

/// The value of attribute `name` in one tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let value = &tag[tag.find(&needle)? + needle.len()..];
    Some(&value[..value.find('"')?])
}

/// The `<name>` tag with this id.
fn by_id<'a>(html: &'a str, name: &str, id: &str) -> Option<&'a str> {
    tags(html, name)
        .into_iter()
        .find(|t| attr(t, "id") == Some(id))
}

/// A page or redirect as the browser got it.
struct Answer {
    what: String,
    status: u16,
    location: String,
    html: String,
}

impl Answer {
    async fn from(what: String, response: reqwest::Response) -> Result<Self> {
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let status = response.status().as_u16();
        let html = response.text().await?;
        Ok(Self {
            what,
            status,
            location,
            html,
        })
    }

    fn check(&self, ok: bool, message: &str) -> Result<()> {
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

    fn redirects(&self, location: &str) -> Result<()> {
        self.check(
            self.status == 303 && self.location == location,
            &format!("303 to {location}"),
        )
    }

    /// A page with this status: one `<h1>`, no inline script or style, a label for every field.
    fn page(&self, status: u16) -> Result<&str> {
        self.check(self.status == status, &format!("expected {status}"))?;
        let html = self.html.as_str();
        self.check(tags(html, "h1").len() == 1, "exactly one <h1>")?;
        let inline = tags(html, "script")
            .iter()
            .any(|s| attr(s, "src").is_none())
            || !tags(html, "style").is_empty()
            || html.contains(" style=");
        self.check(!inline, "no inline script or style")?;
        let labels: Vec<&str> = tags(html, "label")
            .into_iter()
            .filter_map(|l| attr(l, "for"))
            .collect();
        let fields = tags(html, "input")
            .into_iter()
            .filter(|t| attr(t, "type") != Some("hidden"))
            .chain(tags(html, "select"))
            .chain(tags(html, "textarea"));
        for field in fields {
            let id = attr(field, "id").unwrap_or_default();
            self.check(
                !id.is_empty() && labels.contains(&id),
                &format!("a label for {field}"),
            )?;
        }
        Ok(html)
    }

    /// A 422 page whose error summary links to each field, each marked `aria-invalid`.
    fn refuses(&self, fields: &[&str]) -> Result<&str> {
        let html = self.page(422)?;
        let summary = html
            .find("class=\"kring-error-summary\"")
            .map(|at| &html[at..])
            .unwrap_or_default();
        for field in fields {
            self.check(
                summary.contains(&format!("href=\"#{field}\"")),
                &format!("an error summary linking to #{field}"),
            )?;
            let invalid = tags(html, "input")
                .into_iter()
                .chain(tags(html, "select"))
                .find(|t| attr(t, "id") == Some(field))
                .and_then(|t| attr(t, "aria-invalid"));
            self.check(
                invalid == Some("true"),
                &format!("aria-invalid on #{field}"),
            )?;
        }
        Ok(html)
    }

    /// The `value` of the input with this id.
    fn value(&self, id: &str) -> Option<&str> {
        by_id(&self.html, "input", id).and_then(|t| attr(t, "value"))
    }
}

async fn get(app: &TestApp, path: &str) -> Result<Answer> {
    Answer::from(format!("GET {path}"), app.get(path).await?).await
}

/// Posts a form with the CSRF token of `form_page`.
async fn post(
    app: &TestApp,
    path: &str,
    form_page: &str,
    fields: &[(&str, &str)],
) -> Result<Answer> {
    let response = app.post_form(path, form_page, fields).await?;
    Answer::from(format!("POST {path}"), response).await
}

/// `GET` on the API with this app's session: the status and the JSON body.
async fn api(app: &TestApp, path: &str) -> Result<(u16, Value)> {
    let response = app.get(path).await?;
    let status = response.status().as_u16();
    Ok((
        status,
        serde_json::from_str(&response.text().await?).unwrap_or(Value::Null),
    ))
}

async fn signed_in_admin(backend: &Backend) -> Result<TestApp> {
    let app = TestApp::start(backend).await?;
    let admin = app
        .create_user("beheer@vereniging.nl", "Bea Beheer", true)
        .await?;
    app.sign_in(&admin).await?;
    Ok(app)
}

async fn create_programme(app: &TestApp, slug: &str) -> Result<()> {
    let fields = [
        ("slug", slug),
        ("name", "Groene Stad Challenge 2027"),
        ("description", "De editie van 2027."),
        ("contact_name", "Carla Contact"),
        ("contact_email", "carla@vereniging.nl"),
    ];
    post(app, "/beheer/programmas", "/beheer", &fields)
        .await?
        .redirects(&format!("/beheer/programmas/{slug}?melding=aangemaakt"))
}

/// Every field of the community form, with values that pass.
fn community_fields<'a>(slug: &'a str, programme: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", slug),
        ("name", "Kleine gemeenten"),
        ("description", "Voor gemeenten tot 50.000 inwoners."),
        ("programme", programme),
        ("capacity", "30"),
        ("max_per_organisation", "3"),
        ("opens_date", "2027-01-10"),
        ("opens_time", "09:00"),
        ("deadline_date", "2027-02-20"),
        ("deadline_time", "23:59"),
        ("approval", "manual"),
        ("kinds", "municipality"),
        ("kinds", "province"),
        ("min_population", ""),
        ("max_population", "49.999"),
        ("meetings_per_year", "4"),
        ("site_visits_per_year", "2"),
    ]
}

/// `fields` with `key` set to `value` (removed when `value` is `None`).
fn with<'a>(
    fields: &[(&'a str, &'a str)],
    key: &'a str,
    value: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<_> = fields.iter().filter(|(k, _)| *k != key).copied().collect();
    if let Some(v) = value {
        out.push((key, v));
    }
    out
}

const NEW: &str = "/beheer/communities/nieuw";

pub async fn programme_and_community_through_the_forms(backend: Backend) -> Result<()> {
    let app = signed_in_admin(&backend).await?;
    let overview = get(&app, "/beheer").await?;
    let html = overview.page(200)?;
    overview.check(
        html.contains("href=\"/admin/outbox\""),
        "a link to the outbox",
    )?;
    overview.check(
        html.contains("href=\"/beheer\">Beheer</a>"),
        "Beheer in the menu",
    )?;
    overview.check(
        by_id(html, "input", "contact_email").is_some(),
        "the programme form",
    )?;

    create_programme(&app, "gsc-2027").await?;
    let shown = get(&app, "/beheer/programmas/gsc-2027?melding=aangemaakt").await?;
    let html = shown.page(200)?;
    shown.check(
        html.contains("Het programma is aangemaakt."),
        "a confirmation",
    )?;
    shown.check(html.contains("Carla Contact"), "the contact person")?;
    let (status, p) = api(&app, "/api/v1/programmes/gsc-2027").await?;
    ensure!(
        status == 200
            && p["contact_email"] == "carla@vereniging.nl"
            && p["name"] == "Groene Stad Challenge 2027",
        "programme in the API: {status} {p}"
    );

    let bad = [
        ("slug", "gsc-2028"),
        ("name", " "),
        ("contact_email", "geen-adres"),
    ];
    let refused = post(&app, "/beheer/programmas", "/beheer", &bad).await?;
    refused.refuses(&["name", "contact_email"])?;
    refused.check(refused.value("slug") == Some("gsc-2028"), "the slug kept")?;
    refused.check(
        refused.value("contact_email") == Some("geen-adres"),
        "the e-mail kept",
    )?;
    let (status, _) = api(&app, "/api/v1/programmes/gsc-2028").await?;
    ensure!(
        status == 404,
        "a refused programme is not created: {status}"
    );
    let taken = [("slug", "gsc-2027"), ("name", "Nog een")];
    let refused = post(&app, "/beheer/programmas", "/beheer", &taken).await?;
    let html = refused.refuses(&["slug"])?;
    refused.check(html.contains("Er bestaat al een programma"), "slug taken")?;

    let form = get(&app, NEW).await?;
    let html = form.page(200)?;
    form.check(
        form.value("capacity") == Some("25"),
        "capacity 25 by default",
    )?;
    form.check(form.value("meetings_per_year") == Some("3"), "3 meetings")?;
    form.check(
        form.value("site_visits_per_year") == Some("1"),
        "1 site visit",
    )?;
    let checked = |id: &str| by_id(html, "input", id).is_some_and(|t| t.contains(" checked"));
    form.check(checked("restricted"), "the member-or-participant rule on")?;
    form.check(checked("approval-automatic"), "automatic approval")?;
    form.check(
        checked("kind-municipality") && !checked("kind-province"),
        "municipalities",
    )?;
    for id in ["opens_date", "deadline_date"] {
        let date = by_id(html, "input", id).and_then(|t| attr(t, "type"));
        form.check(date == Some("date"), &format!("{id} a date input"))?;
    }
    let option = tags(html, "option")
        .into_iter()
        .any(|o| attr(o, "value") == Some("gsc-2027"));
    form.check(option, "the programme to choose")?;

    let fields = community_fields("gsc-klein", "gsc-2027");
    post(&app, NEW, NEW, &fields)
        .await?
        .redirects("/beheer/communities/gsc-klein?melding=aangemaakt")?;
    let (status, c) = api(&app, "/api/v1/communities/gsc-klein").await?;
    ensure!(status == 200, "community in the API: {status} {c}");
    let expected = json!({
        "slug": "gsc-klein", "name": "Kleine gemeenten", "programme": "gsc-2027",
        "description": "Voor gemeenten tot 50.000 inwoners.",
        "capacity": 30, "max_per_organisation": 3, "approval": "manual",
        "registration_opens_at": "2027-01-10T09:00:00+01:00",
        "registration_deadline": "2027-02-20T23:59:00+01:00",
        "eligibility": {"organisation_kinds": ["municipality", "province"], "min_population": null,
            "max_population": 49_999, "require_member_or_participant": false},
        "meetings_per_year": 4, "site_visits_per_year": 2,
    });
    for (key, value) in expected.as_object().context("object")? {
        ensure!(c[key] == *value, "{key}: expected {value}, got {}", c[key]);
    }

    let summer = [
        ("slug", "gsc-groot"),
        ("name", "Grote gemeenten"),
        ("programme", "gsc-2027"),
        ("capacity", "25"),
        ("deadline_date", "2027-06-30"),
        ("deadline_time", "17:00"),
        ("approval", "automatic"),
        ("kinds", "municipality"),
        ("min_population", "50000"),
        ("restricted", "on"),
        ("meetings_per_year", "3"),
        ("site_visits_per_year", "1"),
    ];
    post(&app, NEW, NEW, &summer)
        .await?
        .redirects("/beheer/communities/gsc-groot?melding=aangemaakt")?;
    let (_, c) = api(&app, "/api/v1/communities/gsc-groot").await?;
    ensure!(
        c["registration_deadline"] == "2027-06-30T17:00:00+02:00"
            && c["registration_opens_at"].is_null()
            && c["eligibility"]["require_member_or_participant"] == true
            && c["eligibility"]["min_population"] == 50_000,
        "summer deadline: {c}"
    );

    let overview = get(&app, "/beheer").await?;
    let html = overview.page(200)?;
    for text in [
        "href=\"/beheer/communities/gsc-klein\"",
        "0 van 30",
        "zaterdag 20 februari 2027, 23.59 uur",
        "woensdag 30 juni 2027, 17.00 uur",
        "href=\"/beheer/programmas/gsc-2027\"",
    ] {
        overview.check(html.contains(text), text)?;
    }
    let page = get(&app, "/beheer/programmas/gsc-2027").await?;
    page.check(
        page.page(200)?
            .contains("href=\"/beheer/communities/gsc-groot\""),
        "its communities",
    )?;
    app.stop().await;
    Ok(())
}

pub async fn community_form_errors_keep_values(backend: Backend) -> Result<()> {
    let app = signed_in_admin(&backend).await?;
    let fields = community_fields("fouten", "");
    let bad = with(
        &with(&fields, "name", Some("")),
        "min_population",
        Some("50000"),
    );
    let bad = with(&bad, "max_population", Some("1000"));
    let refused = post(&app, NEW, NEW, &bad).await?;
    let html = refused.refuses(&["name", "max_population"])?;
    refused.check(
        html.contains("Het maximum inwonertal is kleiner dan het minimum."),
        "the population message",
    )?;
    for (id, value) in [
        ("slug", "fouten"),
        ("min_population", "50000"),
        ("max_population", "1000"),
        ("capacity", "30"),
        ("deadline_time", "23:59"),
    ] {
        refused.check(
            refused.value(id) == Some(value),
            &format!("{id} kept as {value}"),
        )?;
    }
    let manual = by_id(html, "input", "approval-manual").is_some_and(|t| t.contains(" checked"));
    refused.check(manual, "manual approval kept")?;
    let province = by_id(html, "input", "kind-province").is_some_and(|t| t.contains(" checked"));
    refused.check(province, "province kept")?;
    let (status, _) = api(&app, "/api/v1/communities/fouten").await?;
    ensure!(status == 404, "a refused form creates nothing: {status}");

    let gap = with(&fields, "deadline_date", Some("2027-03-28"));
    let gap = with(&gap, "deadline_time", Some("02:30"));
    let refused = post(&app, NEW, NEW, &gap).await?;
    let html = refused.refuses(&["deadline_time"])?;
    refused.check(
        html.contains("Dit tijdstip bestaat niet door de overgang naar zomertijd"),
        "the summer-time message",
    )?;
    refused.check(
        refused.value("deadline_date") == Some("2027-03-28"),
        "date kept",
    )?;
    let (status, _) = api(&app, "/api/v1/communities/fouten").await?;
    ensure!(status == 404, "the gap creates nothing: {status}");

    let typo = with(&with(&fields, "capacity", Some("veel")), "kinds", None);
    let refused = post(&app, NEW, NEW, &typo).await?;
    refused.refuses(&["capacity"])?;
    refused.check(refused.value("capacity") == Some("veel"), "the typo kept")?;
    let no_kinds = with(&fields, "kinds", None);
    let refused = post(&app, NEW, NEW, &no_kinds).await?;
    let html = refused.refuses(&["kind-municipality"])?;
    refused.check(
        html.contains("Kies minstens één soort organisatie."),
        "kinds message",
    )?;
    let bad_slug = with(&fields, "slug", Some("Met Spaties"));
    post(&app, NEW, NEW, &bad_slug).await?.refuses(&["slug"])?;

    // When summer time ends, 02:30 happens twice: the earlier one (still summer time) counts.
    let fold = with(&fields, "deadline_date", Some("2027-10-31"));
    let fold = with(&fold, "deadline_time", Some("02:30"));
    post(&app, NEW, NEW, &fold)
        .await?
        .redirects("/beheer/communities/fouten?melding=aangemaakt")?;
    let (_, c) = api(&app, "/api/v1/communities/fouten").await?;
    ensure!(
        c["registration_deadline"] == "2027-10-31T02:30:00+02:00",
        "fold: {c}"
    );
    let taken = post(&app, NEW, NEW, &fields).await?;
    let html = taken.refuses(&["slug"])?;
    taken.check(html.contains("Er bestaat al een community"), "slug taken")?;
    app.stop().await;
    Ok(())
}

pub async fn community_settings_and_facilitators(backend: Backend) -> Result<()> {
    let app = signed_in_admin(&backend).await?;
    create_programme(&app, "gsc-2027").await?;
    post(&app, NEW, NEW, &community_fields("wijk", "gsc-2027"))
        .await?
        .redirects("/beheer/communities/wijk?melding=aangemaakt")?;
    let path = "/beheer/communities/wijk";
    let edit = get(&app, &format!("{path}?melding=aangemaakt")).await?;
    let html = edit.page(200)?;
    edit.check(
        html.contains("De community is aangemaakt."),
        "a confirmation",
    )?;
    for (id, value) in [
        ("name", "Kleine gemeenten"),
        ("deadline_date", "2027-02-20"),
        ("deadline_time", "23:59"),
        ("opens_time", "09:00"),
        ("max_population", "49999"),
        ("capacity", "30"),
    ] {
        edit.check(
            edit.value(id) == Some(value),
            &format!("{id} shows {value}"),
        )?;
    }
    edit.check(
        html.contains("Deze community heeft nog geen facilitator."),
        "no facilitator",
    )?;

    let fields = community_fields("", "gsc-2027");
    let changed = with(
        &with(&fields, "capacity", Some("12")),
        "deadline_time",
        Some(""),
    );
    let changed = with(&changed, "deadline_date", Some("2027-07-01"));
    let changed = with(&changed, "name", Some("Kleine gemeenten 2027"));
    post(&app, path, path, &changed)
        .await?
        .redirects("/beheer/communities/wijk?melding=opgeslagen")?;
    let (_, c) = api(&app, "/api/v1/communities/wijk").await?;
    ensure!(
        c["capacity"] == 12
            && c["name"] == "Kleine gemeenten 2027"
            && c["registration_deadline"] == "2027-07-01T23:59:59+02:00"
            && c["slug"] == "wijk",
        "changed: {c}"
    );
    let edit = get(&app, path).await?;
    edit.page(200)?;
    edit.check(
        edit.value("deadline_time") == Some("23:59:59"),
        "the full second shown",
    )?;

    let zero = with(&fields, "capacity", Some("0"));
    let refused = post(&app, path, path, &zero).await?;
    let html = refused.refuses(&["capacity"])?;
    refused.check(
        html.contains("Het aantal plaatsen ligt tussen 1 en 10.000."),
        "capacity message",
    )?;
    refused.check(refused.value("capacity") == Some("0"), "capacity kept")?;
    let (_, c) = api(&app, "/api/v1/communities/wijk").await?;
    ensure!(c["capacity"] == 12, "a refused change changes nothing: {c}");

    let appoint = format!("{path}/facilitatoren");
    let unknown = [("facilitator_email", "niemand@gemeente.nl")];
    let refused = post(&app, &appoint, path, &unknown).await?;
    let html = refused.refuses(&["facilitator_email"])?;
    refused.check(
        html.contains("Er is geen account met dit e-mailadres; maak het eerst aan met kring user add of via de API."),
        "the unknown-account message",
    )?;
    refused.check(
        refused.value("facilitator_email") == Some("niemand@gemeente.nl"),
        "kept",
    )?;

    let fien = app
        .create_user("fien@vereniging.nl", "Fien Facilitator", false)
        .await?;
    let known = [("facilitator_email", " Fien@Vereniging.nl ")];
    post(&app, &appoint, path, &known)
        .await?
        .redirects("/beheer/communities/wijk?melding=facilitator")?;
    let edit = get(&app, "/beheer/communities/wijk?melding=facilitator").await?;
    let html = edit.page(200)?;
    edit.check(
        html.contains("De facilitator is aangesteld."),
        "a confirmation",
    )?;
    edit.check(
        html.contains("Fien Facilitator (fien@vereniging.nl)"),
        "the facilitator listed",
    )?;
    let community = kring::db::communities::find(&app.db, "wijk")
        .await?
        .context("wijk")?;
    let members = kring::db::communities::members(&app.db, &community.id).await?;
    ensure!(
        members
            .iter()
            .any(|m| m.user_id == fien.id && m.role == "facilitator"),
        "fien is facilitator: {members:?}"
    );
    app.stop().await;
    Ok(())
}

pub async fn organisation_flags_and_enrolments(backend: Backend) -> Result<()> {
    let app = signed_in_admin(&backend).await?;
    let list = get(&app, "/beheer/organisaties?q=amsterdam").await?;
    let html = list.page(200)?;
    list.check(
        html.contains("GM0363") && html.contains("gemeente"),
        "Amsterdam",
    )?;
    list.check(
        html.contains("action=\"/beheer/organisaties/GM0363/lid\""),
        "a toggle",
    )?;
    let (_, org) = api(&app, "/api/v1/organisations/GM0363").await?;
    ensure!(
        org["association_member"] == false,
        "not a member yet: {org}"
    );

    let on = [
        ("association_member", "on"),
        ("q", "amsterdam"),
        ("soort", ""),
    ];
    post(
        &app,
        "/beheer/organisaties/GM0363/lid",
        "/beheer/organisaties",
        &on,
    )
    .await?
    .redirects("/beheer/organisaties?q=amsterdam&soort=&melding=lid")?;
    let (_, org) = api(&app, "/api/v1/organisations/GM0363").await?;
    ensure!(org["association_member"] == true, "now a member: {org}");
    let list = get(&app, "/beheer/organisaties?q=amsterdam&soort=&melding=lid").await?;
    let html = list.page(200)?;
    list.check(
        html.contains("De organisatie is nu lid van de vereniging."),
        "a confirmation",
    )?;
    list.check(
        html.contains("name=\"association_member\" value=\"off\""),
        "the way back",
    )?;
    let off = [("association_member", "off")];
    post(
        &app,
        "/beheer/organisaties/GM0363/lid",
        "/beheer/organisaties",
        &off,
    )
    .await?
    .redirects("/beheer/organisaties?q=&soort=&melding=geen-lid")?;
    let (_, org) = api(&app, "/api/v1/organisations/GM0363").await?;
    ensure!(
        org["association_member"] == false,
        "no longer a member: {org}"
    );
    let provinces = get(&app, "/beheer/organisaties?soort=province").await?;
    let html = provinces.page(200)?;
    provinces.check(
        html.contains("PV27") && !html.contains("GM0363"),
        "only provinces",
    )?;

    create_programme(&app, "gsc-2027").await?;
    let enrolment = json!({"organisation_code": "GM0344", "contact_name": "Ursula Utrecht",
        "contact_email": "ursula@utrecht.nl", "consent": true});
    let response = harness::client()
        .post(app.url("/api/v1/programmes/gsc-2027/enrolments"))
        .json(&enrolment)
        .send()
        .await?;
    ensure!(response.status() == 201, "enrolment: {}", response.status());
    let id = response.json::<Value>().await?["id"]
        .as_str()
        .context("enrolment id")?
        .to_string();
    let path = "/beheer/programmas/gsc-2027";
    let programme = get(&app, path).await?;
    let html = programme.page(200)?;
    let approve = format!("{path}/inschrijvingen/{id}/goedkeuren");
    programme.check(
        html.contains(&format!("action=\"{approve}\"")),
        "a Goedkeuren form",
    )?;
    programme.check(html.contains("Ursula Utrecht"), "the contact person")?;
    let options: Vec<&str> = tags(html, "option")
        .into_iter()
        .filter_map(|o| attr(o, "value"))
        .collect();
    programme.check(
        options.contains(&"GM0363") && options.contains(&"PV27") && options.len() > 300,
        "every municipality and province to choose",
    )?;

    post(&app, &approve, path, &[])
        .await?
        .redirects("/beheer/programmas/gsc-2027?melding=goedgekeurd")?;
    let (_, listed) = api(&app, "/api/v1/programmes/gsc-2027/participants").await?;
    let codes = |listed: &Value| -> Vec<String> {
        listed["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["code"].as_str().map(str::to_string))
            .collect()
    };
    ensure!(
        codes(&listed) == ["GM0344"],
        "Utrecht participates: {listed}"
    );
    let programme = get(&app, "/beheer/programmas/gsc-2027?melding=goedgekeurd").await?;
    let html = programme.page(200)?;
    programme.check(
        html.contains("De inschrijving is goedgekeurd"),
        "a confirmation",
    )?;
    programme.check(
        html.contains("Er wachten geen inschrijvingen op goedkeuring."),
        "none left",
    )?;

    post(
        &app,
        &format!("{path}/deelnemers"),
        path,
        &[("organisation_code", "PV27")],
    )
    .await?
    .redirects("/beheer/programmas/gsc-2027?melding=deelnemer")?;
    let (_, listed) = api(&app, "/api/v1/programmes/gsc-2027/participants").await?;
    ensure!(
        codes(&listed) == ["PV27", "GM0344"],
        "Noord-Holland too: {listed}"
    );
    let refused = post(
        &app,
        &format!("{path}/deelnemers"),
        path,
        &[("organisation_code", "")],
    )
    .await?;
    refused.refuses(&["organisation_code"])?;

    let list = get(&app, "/beheer/organisaties?q=utrecht&soort=municipality").await?;
    let html = list.page(200)?;
    list.check(
        html.contains("Groene Stad Challenge 2027"),
        "the programme of Utrecht",
    )?;
    app.stop().await;
    Ok(())
}

pub async fn admin_pages_are_for_admins_only(backend: Backend) -> Result<()> {
    let app = signed_in_admin(&backend).await?;
    create_programme(&app, "gsc-2027").await?;
    post(&app, NEW, NEW, &community_fields("wijk", "gsc-2027"))
        .await?
        .redirects("/beheer/communities/wijk?melding=aangemaakt")?;
    let pages = [
        "/beheer",
        "/beheer/communities/nieuw",
        "/beheer/communities/wijk",
        "/beheer/programmas/gsc-2027",
        "/beheer/organisaties?q=amsterdam",
    ];
    let anonymous = harness::client();
    for path in pages {
        let response = anonymous.get(app.url(path)).send().await?;
        let answer = Answer::from(format!("GET {path} anonymously"), response).await?;
        answer.check(
            answer.status == 303 && answer.location.starts_with("/inloggen?volgende=%2Fbeheer"),
            "a redirect to the sign-in page",
        )?;
    }

    let user = app
        .create_user("jan@gemeente.nl", "Jan Jansen", false)
        .await?;
    let member = harness::client();
    let link = app.link_for(&user).await?;
    let html = member.get(&link).send().await?.text().await?;
    let token = harness::csrf_from(&html).context("csrf on the sign-in page")?;
    let signed = member
        .post(&link)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(signed.status() == 303, "sign-in: {}", signed.status());
    for path in pages {
        let answer = Answer::from(
            format!("GET {path} as a member"),
            member.get(app.url(path)).send().await?,
        )
        .await?;
        let html = answer.page(403)?;
        answer.check(html.contains("Geen toegang"), "a Dutch 403 page")?;
        answer.check(!html.contains("href=\"/beheer\""), "no Beheer in the menu")?;
    }
    let html = member.get(app.url("/account")).send().await?.text().await?;
    let token = harness::csrf_from(&html).context("csrf on /account")?;
    let posts: [(&str, &[(&str, &str)]); 6] = [
        (
            "/beheer/programmas",
            &[("slug", "stiekem"), ("name", "Stiekem")],
        ),
        (NEW, &[("slug", "stiekem"), ("name", "Stiekem")]),
        ("/beheer/communities/wijk", &[("name", "Stiekem")]),
        (
            "/beheer/communities/wijk/facilitatoren",
            &[("facilitator_email", "jan@gemeente.nl")],
        ),
        (
            "/beheer/programmas/gsc-2027/deelnemers",
            &[("organisation_code", "GM0363")],
        ),
        (
            "/beheer/organisaties/GM0363/lid",
            &[("association_member", "on")],
        ),
    ];
    for (path, fields) in posts {
        let mut body = vec![("csrf_token", token.as_str())];
        body.extend_from_slice(fields);
        let response = member.post(app.url(path)).form(&body).send().await?;
        ensure!(
            response.status() == 403,
            "POST {path} as a member: {}",
            response.status()
        );
    }
    let (_, c) = api(&app, "/api/v1/communities/wijk").await?;
    ensure!(c["name"] == "Kleine gemeenten", "unchanged: {c}");
    let (_, org) = api(&app, "/api/v1/organisations/GM0363").await?;
    ensure!(org["association_member"] == false, "unchanged: {org}");
    let (_, listed) = api(&app, "/api/v1/programmes/gsc-2027/participants").await?;
    ensure!(
        listed["items"].as_array().is_some_and(Vec::is_empty),
        "no participants: {listed}"
    );
    app.stop().await;
    Ok(())
}
