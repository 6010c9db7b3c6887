//! `/api/v1/programmes`: programme editions, their participants and enrolment requests.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::organisations::OrganisationOut;
use super::{ApiJson, ApiQuery, ListPage};
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::db;
use crate::db::programmes::{NewProgramme, Programme};
use crate::domain::{Email, OrgCode, PersonName, Slug};
use crate::error::{Error, FieldError, Problem, Result};

/// A programme.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeOut {
    /// URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Contact person for questions.
    pub contact_name: Option<String>,
    /// Contact address.
    pub contact_email: Option<String>,
    /// Slugs of its communities.
    pub communities: Vec<String>,
}

async fn out(state: &AppState, p: Programme) -> Result<ProgrammeOut> {
    let communities = db::communities::of_programme(&state.db, &p.id)
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    Ok(ProgrammeOut {
        slug: p.slug,
        name: p.name,
        description: p.description,
        contact_name: p.contact_name,
        contact_email: p.contact_email,
        communities,
    })
}

/// A programme to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProgramme {
    /// URL name, `[a-z0-9-]{2,64}`.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact address.
    pub contact_email: Option<String>,
}

/// Creates a programme (admin).
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", request_body = CreateProgramme,
    responses((status = 201, description = "Created", body = ProgrammeOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not an admin", body = Problem),
              (status = 409, description = "Slug taken (`programme_exists`)", body = Problem), (status = 422, description = "Invalid input", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(body): ApiJson<CreateProgramme>,
) -> Result<Response> {
    let programme = create_programme(&state, &admin.user.id, body).await?;
    Ok((StatusCode::CREATED, Json(out(&state, programme).await?)).into_response())
}

/// Validates and creates a programme, with an audit record (shared with the admin pages).
pub async fn create_programme(
    state: &AppState,
    admin_id: &str,
    body: CreateProgramme,
) -> Result<Programme> {
    let mut errors = Vec::new();
    let slug = Slug::parse(&body.slug)
        .map_err(|m| errors.push(FieldError::new("slug", "invalid", m)))
        .ok();
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "invalid",
            "Vul een naam in van hoogstens 200 tekens.",
        ));
    }
    let contact_name = match body
        .contact_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(n) => PersonName::parse(n)
            .map_err(|m| errors.push(FieldError::new("contact_name", "invalid", m)))
            .ok()
            .map(|n| n.as_str().to_string()),
        None => None,
    };
    let contact_email = match body
        .contact_email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(e) => Email::parse(e)
            .map_err(|m| errors.push(FieldError::new("contact_email", "invalid_email", m)))
            .ok()
            .map(|e| e.to_string()),
        None => None,
    };
    let Some(slug) = slug.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    };
    let mut tx = state.db.begin().await?;
    let programme = db::programmes::create(
        &mut tx,
        &NewProgramme {
            slug,
            name,
            description: body.description.unwrap_or_default().trim().to_string(),
            contact_name,
            contact_email,
        },
    )
    .await?;
    db::audit::record(
        &mut tx,
        Some(admin_id),
        "programme_created",
        &programme.slug,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(programme)
}

/// Every programme (public).
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", security(()), params(super::Paging),
    responses((status = 200, description = "OK", body = ListPage<ProgrammeOut>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(paging): ApiQuery<super::Paging>,
) -> Result<Json<ListPage<ProgrammeOut>>> {
    let mut items = Vec::new();
    for p in db::programmes::list(&state.db).await? {
        items.push(out(&state, p).await?);
    }
    Ok(Json(ListPage::paged(items, &paging)?))
}

async fn find(state: &AppState, slug: &str) -> Result<Programme> {
    db::programmes::find(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)
}

/// One programme (public).
#[utoipa::path(get, path = "/api/v1/programmes/{slug}", tag = "programmes", security(()),
    params(("slug" = String, Path, description = "Programme slug")),
    responses((status = 200, description = "OK", body = ProgrammeOut), (status = 404, description = "Not found", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProgrammeOut>> {
    let p = find(&state, &slug).await?;
    Ok(Json(out(&state, p).await?))
}

/// An organisation to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewParticipant {
    /// Organisation code.
    pub organisation_code: String,
}

/// Adds a participating organisation (admin).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/participants", tag = "programmes", request_body = NewParticipant,
    params(("slug" = String, Path, description = "Programme slug")),
    responses((status = 201, description = "Added", body = OrganisationOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not an admin", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Unknown organisation (`unknown_organisation`)", body = Problem)))]
pub async fn add_participant(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<NewParticipant>,
) -> Result<Response> {
    let programme = find(&state, &slug).await?;
    let unknown = || {
        Error::field(
            "unknown_organisation",
            "organisation_code",
            "Deze organisatie is onbekend.",
        )
    };
    let code = OrgCode::parse(&body.organisation_code).map_err(|_| unknown())?;
    let org = db::organisations::find(&state.db, &code)
        .await?
        .ok_or_else(unknown)?;
    let mut tx = state.db.begin().await?;
    db::programmes::add_participant(&mut tx, &programme.id, &code).await?;
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "participant_added",
        &programme.slug,
        code.as_str(),
    )
    .await?;
    tx.commit().await?;
    let mut out = OrganisationOut::from(org);
    out.programmes = db::programmes::slugs_of(&state.db, code.as_str()).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The participating organisations (public).
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/participants", tag = "programmes", security(()),
    params(("slug" = String, Path, description = "Programme slug"), super::Paging),
    responses((status = 200, description = "OK", body = ListPage<OrganisationOut>), (status = 404, description = "Not found", body = Problem)))]
pub async fn participants(
    State(state): State<AppState>,
    ApiQuery(paging): ApiQuery<super::Paging>,
    Path(slug): Path<String>,
) -> Result<Json<ListPage<OrganisationOut>>> {
    let programme = find(&state, &slug).await?;
    let items = db::programmes::participants(&state.db, &programme.id)
        .await?
        .into_iter()
        .map(|o| {
            let mut out = OrganisationOut::from(o);
            out.programmes = vec![programme.slug.clone()];
            out
        })
        .collect();
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// A request to join the programme's next edition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    /// Municipality or province code.
    pub organisation_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact address.
    pub contact_email: String,
    /// Consent with the privacy statement.
    #[serde(default)]
    pub consent: bool,
}

/// An enrolment.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentOut {
    /// Id.
    pub id: String,
    /// `pending` or `approved`.
    pub status: String,
    /// Organisation code.
    pub organisation_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact address.
    pub contact_email: String,
    /// Submitted.
    pub created_at: DateTime<Utc>,
}

impl From<db::programmes::Enrolment> for EnrolmentOut {
    fn from(e: db::programmes::Enrolment) -> Self {
        Self {
            id: e.id,
            status: e.status,
            organisation_code: e.organisation_code,
            contact_name: e.contact_name,
            contact_email: e.contact_email,
            created_at: e.created_at,
        }
    }
}

/// Validates and stores an enrolment (shared with the web form).
pub async fn submit_enrolment(
    state: &AppState,
    programme: &Programme,
    body: &NewEnrolment,
) -> Result<db::programmes::Enrolment> {
    if !body.consent {
        return Err(Error::field(
            "consent_required",
            "consent",
            "Geef toestemming voor het gebruik van deze gegevens.",
        ));
    }
    let unknown = || {
        Error::field(
            "unknown_organisation",
            "organisation_code",
            "Kies een gemeente of provincie uit de lijst.",
        )
    };
    let code = OrgCode::parse(&body.organisation_code).map_err(|_| unknown())?;
    let org = db::organisations::find(&state.db, &code)
        .await?
        .ok_or_else(unknown)?;
    if !matches!(org.kind.as_str(), "municipality" | "province") {
        return Err(Error::field(
            "not_eligible",
            "organisation_code",
            "Alleen gemeenten en provincies kunnen zich voor het programma inschrijven.",
        ));
    }
    let name = PersonName::parse(&body.contact_name)
        .map_err(|m| Error::field("validation_failed", "contact_name", m))?;
    let email = Email::parse(&body.contact_email)
        .map_err(|m| Error::field("invalid_email", "contact_email", m))?;
    let mut tx = state.db.begin().await?;
    if !db::rate::hit(
        &mut tx,
        "enrolment",
        &email.normalized(),
        10,
        chrono::Duration::minutes(1),
    )
    .await?
    {
        tx.commit_unseen().await?;
        return Err(Error::RateLimited { retry_after: 60 });
    }
    let enrolment = db::programmes::create_enrolment(
        &mut tx,
        &programme.id,
        &code,
        name.as_str(),
        email.as_str(),
    )
    .await?;
    tx.commit().await?;
    Ok(enrolment)
}

/// Asks to join the programme's next edition (public).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/enrolments", tag = "programmes", security(()), request_body = NewEnrolment,
    params(("slug" = String, Path, description = "Programme slug")),
    responses((status = 201, description = "Received", body = EnrolmentOut), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid input", body = Problem)))]
pub async fn enrol(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<NewEnrolment>,
) -> Result<Response> {
    let programme = find(&state, &slug).await?;
    let enrolment = submit_enrolment(&state, &programme, &body).await?;
    Ok((StatusCode::CREATED, Json(EnrolmentOut::from(enrolment))).into_response())
}

/// The enrolments of a programme (admin).
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/enrolments", tag = "programmes",
    params(("slug" = String, Path, description = "Programme slug"), super::Paging),
    responses((status = 200, description = "OK", body = ListPage<EnrolmentOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not an admin", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn enrolments(
    State(state): State<AppState>,
    ApiQuery(paging): ApiQuery<super::Paging>,
    AdminUser(_): AdminUser,
    Path(slug): Path<String>,
) -> Result<Json<ListPage<EnrolmentOut>>> {
    let programme = find(&state, &slug).await?;
    let items = db::programmes::enrolments(&state.db, &programme.id)
        .await?
        .into_iter()
        .map(EnrolmentOut::from)
        .collect();
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// Approves an enrolment: the organisation becomes a participant (admin).
#[utoipa::path(post, path = "/api/v1/enrolments/{id}/approve", tag = "programmes",
    params(("id" = String, Path, description = "Enrolment id")),
    responses((status = 200, description = "Approved", body = EnrolmentOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not an admin", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn approve_enrolment(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<EnrolmentOut>> {
    let mut tx = state.db.begin().await?;
    let enrolment = db::programmes::approve_enrolment(&mut tx, &id).await?;
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "enrolment_approved",
        &enrolment.id,
        &enrolment.organisation_code,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(enrolment.into()))
}
