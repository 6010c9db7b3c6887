//! `/communities/{slug}/aanmeldingen`: the facilitator's registrations by status with accept,
//! decline (with a reason) and withdraw, the waitlist in order, adding a member directly, and
//! links to the member exports.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, Member};
use crate::db;
use crate::db::organisations::OrgQuery;
use crate::db::registrations::{Listed, Registration};
use crate::domain::{Email, OrgCode, OrgKind, PersonName, WorkDomain};
use crate::error::{Error, Result};
use crate::registration;

/// Longest decline reason kept (it goes into an e-mail).
const MAX_REASON: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communities/{slug}/aanmeldingen", get(show))
        .route(
            "/communities/{slug}/aanmeldingen/{id}/accepteren",
            post(accept),
        )
        .route(
            "/communities/{slug}/aanmeldingen/{id}/afwijzen",
            post(decline),
        )
        .route(
            "/communities/{slug}/aanmeldingen/{id}/intrekken",
            post(withdraw),
        )
        .route("/communities/{slug}/leden/toevoegen", post(add_member))
}

/// The statuses in the order of the filter links, with their Dutch labels and badge modifiers.
const STATUSES: [(&str, &str, &str); 5] = [
    ("pending", "In behandeling", "warning"),
    ("waitlisted", "Wachtlijst", "neutral"),
    ("accepted", "Geaccepteerd", "success"),
    ("declined", "Afgewezen", "danger"),
    ("withdrawn", "Ingetrokken", "inactive"),
];

/// A known status filter, or `""` for all.
fn known_status(value: Option<&str>) -> &'static str {
    value
        .and_then(|v| STATUSES.iter().find(|(s, _, _)| *s == v))
        .map_or("", |(s, _, _)| s)
}

/// One filter link.
struct Filter {
    value: &'static str,
    label: &'static str,
    count: usize,
}

/// One registration as a table row.
struct Row {
    id: String,
    name: String,
    organisation: String,
    email: String,
    domains: String,
    motivation: String,
    status: String,
    status_label: &'static str,
    badge: &'static str,
    position: Option<i64>,
    decline_reason: Option<String>,
    date: String,
    /// The decline reason as typed, when the page comes back with an error.
    reason: String,
}

impl Row {
    /// Only pending registrations are accepted by hand; the waitlist moves up by itself, in order.
    fn can_accept(&self) -> bool {
        self.status == "pending"
    }

    fn can_decline(&self) -> bool {
        matches!(self.status.as_str(), "pending" | "waitlisted")
    }

    fn can_withdraw(&self) -> bool {
        self.status == "accepted"
    }
}

/// A group of organisations in the select.
struct OrgGroup {
    label: &'static str,
    options: Vec<(String, String)>,
}

/// What was typed into "Lid direct toevoegen".
#[derive(Default, Deserialize)]
struct AddInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation_code: String,
}

#[derive(Template)]
#[template(path = "registrations/list.html")]
struct RegistrationsPage {
    page: Page,
    slug: String,
    name: String,
    status: &'static str,
    filters: Vec<Filter>,
    total: usize,
    rows: Vec<Row>,
    seats_taken: i64,
    capacity: i64,
    waitlist_length: i64,
    notice: Option<&'static str>,
    problem: Option<String>,
    errors: FormErrors,
    added: AddInput,
    organisations: Vec<OrgGroup>,
}

impl RegistrationsPage {
    fn status_label(&self) -> &'static str {
        STATUSES
            .iter()
            .find(|(s, _, _)| *s == self.status)
            .map_or("", |(_, l, _)| l)
    }
}

fn row(listed: Listed, tz: chrono_tz::Tz) -> Row {
    let r = listed.registration;
    let (status_label, badge) = STATUSES
        .iter()
        .find(|(s, _, _)| *s == r.status)
        .map_or(("Onbekend", "neutral"), |(_, l, b)| (*l, *b));
    let domains = WorkDomain::split(&r.domains)
        .iter()
        .map(|d| d.label())
        .collect::<Vec<_>>()
        .join(", ");
    Row {
        date: crate::format::date_nl(&r.created_at, tz),
        id: r.id,
        name: r.name,
        organisation: r.organisation,
        email: r.email,
        domains,
        motivation: r.motivation,
        status: r.status,
        status_label,
        badge,
        position: listed.waitlist_position,
        decline_reason: r.decline_reason,
        reason: String::new(),
    }
}

/// Every organisation for the select, grouped by kind and sorted by name.
async fn organisation_groups(state: &AppState) -> Result<Vec<OrgGroup>> {
    let query = OrgQuery {
        kind: None,
        q: None,
        offset: 0,
        limit: 500,
    };
    let mut all = db::organisations::search(&state.db, &query).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    let groups = [
        (OrgKind::Municipality, "Gemeenten"),
        (OrgKind::Province, "Provincies"),
        (OrgKind::WaterBoard, "Waterschappen"),
        (OrgKind::Other, "Overige organisaties"),
    ];
    Ok(groups
        .into_iter()
        .map(|(kind, label)| OrgGroup {
            label,
            options: all
                .iter()
                .filter(|o| OrgKind::parse(&o.kind).unwrap_or(OrgKind::Other) == kind)
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect())
}

async fn load(
    state: &AppState,
    page: Page,
    member: &Member,
    status: &'static str,
) -> Result<RegistrationsPage> {
    let community = db::communities::find(&state.db, &member.slug)
        .await?
        .ok_or(Error::NotFound)?;
    let all = db::registrations::list(&state.db, &member.community_id, None).await?;
    let filters = STATUSES
        .iter()
        .map(|(value, label, _)| Filter {
            value,
            label,
            count: all
                .iter()
                .filter(|l| l.registration.status == *value)
                .count(),
        })
        .collect();
    let total = all.len();
    let tz = state.config.timezone;
    let rows = all
        .into_iter()
        .filter(|l| status.is_empty() || l.registration.status == status)
        .map(|l| row(l, tz))
        .collect();
    Ok(RegistrationsPage {
        page,
        slug: member.slug.clone(),
        name: member.name.clone(),
        status,
        filters,
        total,
        rows,
        seats_taken: community.seats_taken,
        capacity: community.capacity,
        waitlist_length: community.waitlist_length,
        notice: None,
        problem: None,
        errors: FormErrors::default(),
        added: AddInput::default(),
        organisations: organisation_groups(state).await?,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    melding: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "geaccepteerd" => {
            "De aanmelding is geaccepteerd. De aanmelder krijgt een e-mail met een inloglink."
        }
        "afgewezen" => "De aanmelding is afgewezen. De aanmelder krijgt hierover een e-mail.",
        "ingetrokken" => {
            "De aanmelding is ingetrokken. Een vrijgekomen plaats gaat naar de eerste op de wachtlijst."
        }
        "toegevoegd" => "Het lid is toegevoegd en krijgt een e-mail met een inloglink.",
        _ => return None,
    })
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    member.require_facilitator()?;
    let status = known_status(q.status.as_deref());
    let mut view = load(&state, page, &member, status).await?;
    view.notice = notice(q.melding.as_deref());
    render(StatusCode::OK, &view)
}

/// The fields of the per-row forms.
#[derive(Deserialize)]
struct ActionInput {
    /// The status filter the form was on, to return to it.
    status: Option<String>,
    /// The decline reason.
    reason: Option<String>,
}

/// The registration `id` of this community, for a facilitator; `404` for another community's.
async fn registration_of(state: &AppState, member: &Member, id: &str) -> Result<Registration> {
    member.require_facilitator()?;
    db::registrations::find(&state.db, id)
        .await?
        .filter(|r| r.community_id == member.community_id)
        .ok_or(Error::NotFound)
}

fn back(member: &Member, status: &str, melding: &str) -> Response {
    let filter = if status.is_empty() {
        String::new()
    } else {
        format!("status={status}&")
    };
    Redirect::to(&format!(
        "/communities/{}/aanmeldingen?{filter}melding={melding}",
        member.slug
    ))
    .into_response()
}

/// After an action: back to the list with a confirmation, or the list again with the refusal.
async fn outcome<T>(
    state: &AppState,
    page: Page,
    member: &Member,
    status: &'static str,
    result: Result<T>,
    melding: &str,
) -> Result<Response> {
    match result {
        Ok(_) => Ok(back(member, status, melding)),
        Err(e @ (Error::Refused { .. } | Error::Validation { .. })) => {
            let mut view = load(state, page, member, status).await?;
            view.problem = Some(e.problem().detail);
            render(e.status(), &view)
        }
        Err(e) => Err(e),
    }
}

async fn accept(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<ActionInput>,
) -> Result<Response> {
    let r = registration_of(&state, &member, &id).await?;
    let status = known_status(input.status.as_deref());
    let result = registration::approve(&state, &r).await;
    outcome(&state, page, &member, status, result, "geaccepteerd").await
}

async fn decline(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<ActionInput>,
) -> Result<Response> {
    let r = registration_of(&state, &member, &id).await?;
    let status = known_status(input.status.as_deref());
    let reason = input.reason.unwrap_or_default();
    if reason.trim().chars().count() > MAX_REASON {
        let mut view = load(&state, page, &member, status).await?;
        let field = format!("reden-{id}");
        view.errors.add(
            &field,
            format!("Een reden heeft hoogstens {MAX_REASON} tekens."),
        );
        if let Some(row) = view.rows.iter_mut().find(|row| row.id == id) {
            row.reason = reason;
        }
        return render(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let result = registration::end(&state, &r, true, Some(&reason)).await;
    outcome(&state, page, &member, status, result, "afgewezen").await
}

async fn withdraw(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<ActionInput>,
) -> Result<Response> {
    let r = registration_of(&state, &member, &id).await?;
    let status = known_status(input.status.as_deref());
    let result = registration::end(&state, &r, false, None).await;
    outcome(&state, page, &member, status, result, "ingetrokken").await
}

async fn add_member(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    CsrfForm(input): CsrfForm<AddInput>,
) -> Result<Response> {
    member.require_facilitator()?;
    let mut errors = FormErrors::default();
    let name = PersonName::parse(&input.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let email = Email::parse(&input.email)
        .map_err(|m| errors.add("email", m))
        .ok();
    let org = match OrgCode::parse(&input.organisation_code) {
        Ok(code) => db::organisations::find(&state.db, &code).await?,
        Err(_) => None,
    };
    if org.is_none() {
        errors.add("organisation_code", "Kies een organisatie uit de lijst.");
    }
    let (Some(name), Some(email), Some(org), true) = (name, email, org, errors.is_empty()) else {
        let mut view = load(&state, page, &member, "").await?;
        view.errors = errors;
        view.added = input;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &view);
    };
    let result =
        registration::add_member_directly(&state, &member.community_id, &email, &name, &org.code)
            .await;
    match result {
        Ok(_) => Ok(back(&member, "", "toegevoegd")),
        Err(e @ (Error::Refused { .. } | Error::Validation { .. })) => {
            let mut view = load(&state, page, &member, "").await?;
            view.problem = Some(e.problem().detail);
            view.added = input;
            render(e.status(), &view)
        }
        Err(e) => Err(e),
    }
}
