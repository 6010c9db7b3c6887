//! `/api/v1/registrations`: registering for a community, and the facilitator's decisions and exports.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiQuery, ListPage};
use crate::app::AppState;
use crate::auth::{CurrentUser, Member};
use crate::db;
use crate::db::registrations::{Listed, Registration};
use crate::domain::WorkDomain;
use crate::error::{Error, Problem, Result};
use crate::registration::{self, Actor, RegistrationInput};

/// A registration request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Organisation code (`GM0363`).
    #[serde(default)]
    pub organisation_code: String,
    /// Community slug; or
    pub community: Option<String>,
    /// programme slug: kring picks the community whose eligibility fits the organisation.
    pub programme: Option<String>,
    /// Work domains.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Motivation.
    pub motivation: Option<String>,
    /// Consent with the privacy statement (must be true).
    #[serde(default)]
    pub consent: bool,
}

/// The answer to a registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationCreated {
    /// Registration id.
    pub id: String,
    /// `accepted`, `pending` or `waitlisted`.
    pub status: String,
    /// Community slug.
    pub community: String,
    /// Place on the waitlist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<i64>,
}

/// Registers for a community (public). Refusals: 422 `consent_required`, `invalid_email`,
/// `unknown_organisation`, `not_eligible`, `no_matching_community`, `validation_failed`,
/// `organisation_limit_reached`, `registration_closed`; 409 `duplicate_registration`.
#[utoipa::path(post, path = "/api/v1/registrations", tag = "registrations", security(()), request_body = NewRegistration,
    responses((status = 201, description = "Accepted, pending or waitlisted", body = RegistrationCreated),
              (status = 409, description = "Already registered (`duplicate_registration`)", body = Problem),
              (status = 422, description = "Refused; see the problem code", body = Problem),
              (status = 429, description = "Too many registrations for this address", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewRegistration>,
) -> Result<Response> {
    let input = RegistrationInput {
        name: body.name,
        email: body.email,
        organisation_code: body.organisation_code,
        community: body.community,
        programme: body.programme,
        domains: body.domains,
        motivation: body.motivation.unwrap_or_default(),
        consent: body.consent,
    };
    let outcome = registration::register(&state, &input).await?;
    let created = RegistrationCreated {
        id: outcome.registration.id,
        status: outcome.registration.status,
        community: outcome.community,
        waitlist_position: outcome.waitlist_position,
    };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// A registration as the facilitator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationOut {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Organisation code.
    pub organisation_code: String,
    /// Organisation name.
    pub organisation: String,
    /// `pending`, `accepted`, `waitlisted`, `declined` or `withdrawn`.
    pub status: String,
    /// Place on the waitlist.
    pub waitlist_position: Option<i64>,
    /// Work domains.
    pub domains: Vec<WorkDomain>,
    /// Motivation.
    pub motivation: String,
    /// Reason given when declined.
    pub decline_reason: Option<String>,
    /// Submitted.
    pub created_at: DateTime<Utc>,
}

impl From<Listed> for RegistrationOut {
    fn from(l: Listed) -> Self {
        let mut out = Self::from(l.registration);
        out.waitlist_position = l.waitlist_position;
        out
    }
}

impl From<Registration> for RegistrationOut {
    fn from(r: Registration) -> Self {
        Self {
            domains: WorkDomain::split(&r.domains),
            id: r.id,
            name: r.name,
            email: r.email,
            organisation_code: r.organisation_code,
            organisation: r.organisation,
            status: r.status,
            waitlist_position: None,
            motivation: r.motivation,
            decline_reason: r.decline_reason,
            created_at: r.created_at,
        }
    }
}

/// Filter by status.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusFilter {
    /// `pending`, `accepted`, `waitlisted`, `declined` or `withdrawn`.
    pub status: Option<String>,
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// The registrations of a community: pending, then the waitlist in order, then the rest (facilitator).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/registrations", tag = "registrations", params(("slug" = String, Path, description = "Community slug"), StatusFilter),
    responses((status = 200, description = "OK", body = ListPage<RegistrationOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> Result<Json<ListPage<RegistrationOut>>> {
    member.require_facilitator()?;
    let status = filter.status.filter(|s| !s.is_empty());
    if status.as_deref().is_some_and(|s| {
        !matches!(
            s,
            "pending" | "accepted" | "waitlisted" | "declined" | "withdrawn"
        )
    }) {
        return Err(Error::field(
            "validation_failed",
            "status",
            "Kies pending, accepted, waitlisted, declined of withdrawn.",
        ));
    }
    let items = db::registrations::list(&state.db, &member.community_id, status.as_deref())
        .await?
        .into_iter()
        .map(RegistrationOut::from)
        .collect();
    let paging = super::Paging {
        limit: filter.limit,
        cursor: filter.cursor,
    };
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// The accepted members as rows: name, e-mail, organisation, code, domains, registered.
pub async fn export_rows(state: &AppState, community_id: &str) -> Result<Vec<[String; 6]>> {
    Ok(
        db::registrations::list(&state.db, community_id, Some("accepted"))
            .await?
            .into_iter()
            .map(|l| {
                let r = l.registration;
                let domains = WorkDomain::split(&r.domains)
                    .iter()
                    .map(|d| d.label())
                    .collect::<Vec<_>>()
                    .join(", ");
                let at = crate::format::date_nl(&r.created_at, state.config.timezone);
                [
                    r.name,
                    r.email,
                    r.organisation,
                    r.organisation_code,
                    domains,
                    at,
                ]
            })
            .collect(),
    )
}

/// Column headers of the exports.
pub const EXPORT_HEADER: [&str; 6] = [
    "Naam",
    "E-mailadres",
    "Organisatie",
    "Code",
    "Werkvelden",
    "Aangemeld",
];

fn attachment(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Writes the accepted members as CSV (UTF-8 with BOM, so spreadsheet programs read the accents).
pub fn to_csv(rows: &[[String; 6]]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    writer
        .write_record(EXPORT_HEADER)
        .map_err(|e| Error::Internal(e.into()))?;
    for row in rows {
        // A leading =, +, - or @ would be read as a formula by spreadsheet programs.
        let safe: Vec<String> = row
            .iter()
            .map(|v| {
                if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    format!("'{v}")
                } else {
                    v.clone()
                }
            })
            .collect();
        writer
            .write_record(&safe)
            .map_err(|e| Error::Internal(e.into()))?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))
}

/// Writes the accepted members as an Excel workbook.
pub fn to_xlsx(rows: &[[String; 6]]) -> Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
    sheet.set_name("Leden").map_err(xlsx)?;
    for (col, title) in (0u16..).zip(EXPORT_HEADER) {
        sheet
            .write_string_with_format(0, col, title, &bold)
            .map_err(xlsx)?;
    }
    for (row, values) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(values) {
            sheet.write_string(row, col, value).map_err(xlsx)?;
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(xlsx)
}

/// The accepted members as CSV (facilitator).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/registrations.csv", tag = "registrations",
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 200, description = "CSV of the accepted members", content_type = "text/csv"),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn export_csv(State(state): State<AppState>, member: Member) -> Result<Response> {
    member.require_facilitator()?;
    let rows = export_rows(&state, &member.community_id).await?;
    audit_export(&state, &member, "csv").await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("{}-leden.csv", member.slug),
        to_csv(&rows)?,
    ))
}

/// The accepted members as Excel (facilitator).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/registrations.xlsx", tag = "registrations",
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 200, description = "Excel workbook of the accepted members", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn export_xlsx(State(state): State<AppState>, member: Member) -> Result<Response> {
    member.require_facilitator()?;
    let rows = export_rows(&state, &member.community_id).await?;
    audit_export(&state, &member, "xlsx").await?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}-leden.xlsx", member.slug),
        to_xlsx(&rows)?,
    ))
}

async fn audit_export(state: &AppState, member: &Member, format: &str) -> Result<()> {
    let mut tx = state.db.begin().await?;
    db::audit::record(
        &mut tx,
        Some(&member.user.user.id),
        "members_exported",
        &member.slug,
        format,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A reason for declining.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    /// Shown to the registrant.
    pub reason: Option<String>,
}

async fn facilitated(
    state: &AppState,
    user: &crate::db::users::User,
    id: &str,
) -> Result<Registration> {
    match registration::authorize(state, user, id).await? {
        (r, Actor::Facilitator) => Ok(r),
        (_, Actor::Registrant) => Err(Error::Forbidden),
    }
}

/// Accepts a pending (or waitlisted) registration (facilitator); `409 community_full` when full.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/approve", tag = "registrations",
    params(("id" = String, Path, description = "Registration id")),
    responses((status = 200, description = "Accepted", body = RegistrationOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 409, description = "Full (`community_full`) or not pending (`invalid_status`)", body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RegistrationOut>> {
    let r = facilitated(&state, &me.user, &id).await?;
    Ok(Json(registration::approve(&state, &r).await?.into()))
}

/// Declines a registration, with an optional reason (facilitator). A declined member's seat goes to the waitlist.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/decline", tag = "registrations", request_body = Decline,
    params(("id" = String, Path, description = "Registration id")),
    responses((status = 200, description = "Declined", body = RegistrationOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 409, description = "Already ended (`invalid_status`)", body = Problem)))]
pub async fn decline(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<RegistrationOut>> {
    let r = facilitated(&state, &me.user, &id).await?;
    // The body is optional: an empty request declines without a reason.
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<Decline>(&body)
            .map_err(|e| super::json_error(&e))?
            .reason
    };
    Ok(Json(
        registration::end(&state, &r, true, reason.as_deref())
            .await?
            .into(),
    ))
}

/// Withdraws a registration (facilitator, or the registrant); an accepted one frees its seat.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/withdraw", tag = "registrations",
    params(("id" = String, Path, description = "Registration id")),
    responses((status = 200, description = "Withdrawn", body = RegistrationOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "A member acting on someone else's registration", body = Problem), (status = 404, description = "Not found", body = Problem), (status = 409, description = "Already ended (`invalid_status`)", body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RegistrationOut>> {
    let (r, _) = registration::authorize(&state, &me.user, &id).await?;
    Ok(Json(
        registration::end(&state, &r, false, None).await?.into(),
    ))
}
