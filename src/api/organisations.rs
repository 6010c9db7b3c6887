//! `/api/v1/organisations`: municipalities, provinces and other bodies.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiQuery, ListPage, Paging};
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::db;
use crate::db::organisations::{OrgInput, OrgPatch, OrgQuery, Organisation};
use crate::domain::{OrgCode, OrgKind};
use crate::error::{Error, FieldError, Problem, Result};

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    /// CBS-style code (`GM0363`, `PV27`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Province name.
    pub province: Option<String>,
    /// Inhabitants.
    pub population: Option<i64>,
    /// Member of the facilitating association.
    pub association_member: bool,
    /// Slugs of the programmes it participates in.
    pub programmes: Vec<String>,
}

impl From<Organisation> for OrganisationOut {
    fn from(o: Organisation) -> Self {
        Self {
            kind: OrgKind::parse(&o.kind).unwrap_or(OrgKind::Other),
            code: o.code,
            name: o.name,
            province: o.province,
            population: o.population,
            association_member: o.association_member,
            programmes: Vec::new(),
        }
    }
}

/// Search filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgFilter {
    /// Matches name prefixes and words, case- and accent-insensitively (`sudwest` finds Súdwest-Fryslân).
    pub q: Option<String>,
    /// `municipality`, `province`, `water_board` or `other`.
    pub kind: Option<String>,
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

async fn with_programmes(state: &AppState, org: Organisation) -> Result<OrganisationOut> {
    let programmes = db::programmes::slugs_of(&state.db, &org.code).await?;
    let mut out = OrganisationOut::from(org);
    out.programmes = programmes;
    Ok(out)
}

fn parse_code(code: &str) -> Result<OrgCode> {
    OrgCode::parse(code).map_err(|_| Error::NotFound)
}

/// Lists or searches organisations (public).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(OrgFilter), security(()),
    responses((status = 200, description = "OK", body = ListPage<OrganisationOut>), (status = 422, description = "Invalid input (`validation_failed`, `unknown_field`, or a specific code)", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<OrgFilter>,
) -> Result<Json<ListPage<OrganisationOut>>> {
    let (limit, offset) = Paging {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .resolve()?;
    let kind = match filter.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(OrgKind::parse(k).ok_or_else(|| {
            Error::field(
                "validation_failed",
                "kind",
                "Kies municipality, province, water_board of other.",
            )
        })?),
    };
    let rows = db::organisations::search(
        &state.db,
        &OrgQuery {
            q: filter.q.clone(),
            kind,
            offset,
            limit: limit + 1,
        },
    )
    .await?;
    let participations = db::programmes::participations(&state.db).await?;
    let items = rows
        .into_iter()
        .map(|o| {
            let mut out = OrganisationOut::from(o);
            out.programmes = participations
                .iter()
                .filter(|(code, _)| *code == out.code)
                .map(|(_, slug)| slug.clone())
                .collect();
            out
        })
        .collect();
    Ok(Json(ListPage::from_rows(items, limit, offset)))
}

/// One organisation (public).
#[utoipa::path(get, path = "/api/v1/organisations/{code}", tag = "organisations", security(()),
    params(("code" = String, Path, description = "Organisation code")),
    responses((status = 200, description = "OK", body = OrganisationOut), (status = 404, description = "Not found, or not visible to the caller (`not_found`)", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<OrganisationOut>> {
    let code = parse_code(&code)?;
    let org = db::organisations::find(&state.db, &code)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(with_programmes(&state, org).await?))
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    /// Code: two letters and two to six digits.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Province name.
    pub province: Option<String>,
    /// Inhabitants.
    pub population: Option<i64>,
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "invalid",
            "Vul een naam in van hoogstens 200 tekens.",
        ));
        None
    } else {
        Some(name.to_string())
    }
}

fn check_population(population: Option<i64>, errors: &mut Vec<FieldError>) {
    if population.is_some_and(|p| p < 0) {
        errors.push(FieldError::new(
            "population",
            "invalid",
            "Het inwonertal kan niet negatief zijn.",
        ));
    }
}

/// Creates an organisation (admin only).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = CreateOrganisation,
    responses((status = 201, description = "Created", body = OrganisationOut), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem), (status = 403, description = "Not allowed (`forbidden`, or `csrf_failed` for a cookie request without X-CSRF-Token)", body = Problem),
              (status = 409, description = "Conflict (see the problem code)", body = Problem), (status = 422, description = "Invalid input (`validation_failed`, `unknown_field`, or a specific code)", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(body): ApiJson<CreateOrganisation>,
) -> Result<Response> {
    let mut errors = Vec::new();
    let code = OrgCode::parse(&body.code)
        .map_err(|m| errors.push(FieldError::new("code", "invalid", m)))
        .ok();
    let name = check_name(&body.name, &mut errors);
    check_population(body.population, &mut errors);
    let (Some(code), Some(name), true) = (code, name, errors.is_empty()) else {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    };
    let input = OrgInput {
        code: code.clone(),
        name,
        kind: body.kind,
        province: body.province,
        population: body.population,
    };
    let mut tx = state.db.begin().await?;
    db::organisations::create(&mut tx, &input).await?;
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "organisation_created",
        code.as_str(),
        &input.name,
    )
    .await?;
    tx.commit().await?;
    let org = db::organisations::find(&state.db, &code)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(with_programmes(&state, org).await?),
    )
        .into_response())
}

/// Changes to an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisation {
    /// Member of the facilitating association.
    pub association_member: Option<bool>,
    /// Inhabitants.
    pub population: Option<i64>,
    /// Name.
    pub name: Option<String>,
}

/// Updates an organisation (admin only).
#[utoipa::path(patch, path = "/api/v1/organisations/{code}", tag = "organisations", request_body = UpdateOrganisation,
    params(("code" = String, Path, description = "Organisation code")),
    responses((status = 200, description = "OK", body = OrganisationOut), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem), (status = 403, description = "Not allowed (`forbidden`, or `csrf_failed` for a cookie request without X-CSRF-Token)", body = Problem),
              (status = 404, description = "Not found, or not visible to the caller (`not_found`)", body = Problem), (status = 422, description = "Invalid input (`validation_failed`, `unknown_field`, or a specific code)", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<UpdateOrganisation>,
) -> Result<Json<OrganisationOut>> {
    let code = parse_code(&code)?;
    let mut errors = Vec::new();
    let name = body
        .name
        .as_deref()
        .and_then(|n| check_name(n, &mut errors));
    check_population(body.population, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    }
    let patch = OrgPatch {
        name,
        population: body.population,
        association_member: body.association_member,
    };
    let mut tx = state.db.begin().await?;
    db::organisations::update(&mut tx, &code, &patch).await?;
    let detail = format!("{patch:?}");
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "organisation_updated",
        code.as_str(),
        &detail,
    )
    .await?;
    tx.commit().await?;
    let org = db::organisations::find(&state.db, &code)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(with_programmes(&state, org).await?))
}
