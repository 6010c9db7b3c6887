//! `/api/v1/communities`: settings, facilitators and members.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiQuery, ListPage};
use crate::app::AppState;
use crate::auth::{AdminUser, Member};
use crate::db;
use crate::db::communities::{Community, Settings};
use crate::domain::{Email, OrgCode, OrgKind, PersonName, Slug, WorkDomain};
use crate::error::{Error, FieldError, Problem, Result};

/// Who may join.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityOut {
    /// Organisation kinds.
    pub organisation_kinds: Vec<OrgKind>,
    /// Fewest inhabitants (inclusive).
    pub min_population: Option<i64>,
    /// Most inhabitants (inclusive).
    pub max_population: Option<i64>,
    /// Only association members and programme participants.
    pub require_member_or_participant: bool,
}

/// The year's meetings against the target (members only).
#[derive(Debug, Serialize, ToSchema)]
pub struct YearPlan {
    /// Meetings planned this year.
    pub meetings_planned: i64,
    /// Target.
    pub meetings_target: i64,
    /// Site visits planned this year.
    pub site_visits_planned: i64,
    /// Target.
    pub site_visits_target: i64,
}

/// A community.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityOut {
    /// URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Programme slug.
    pub programme: Option<String>,
    /// Seats (persons).
    pub capacity: i64,
    /// Seats per organisation.
    pub max_per_organisation: Option<i64>,
    /// Registration opens (RFC 3339, in KRING_TIMEZONE).
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    /// Last instant to register (inclusive).
    pub registration_deadline: Option<DateTime<FixedOffset>>,
    /// `automatic` or `manual`.
    pub approval: String,
    /// Who may join.
    pub eligibility: EligibilityOut,
    /// Meetings a year.
    pub meetings_per_year: i64,
    /// Site visits a year.
    pub site_visits_per_year: i64,
    /// Accepted members.
    pub seats_taken: i64,
    /// Registrations on the waitlist.
    pub waitlist_length: i64,
    /// Registration is open now.
    pub registration_open: bool,
    /// The year plan (members only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_plan: Option<YearPlan>,
}

/// Converts an instant to the display time zone's offset.
pub fn local(state: &AppState, at: Option<DateTime<Utc>>) -> Option<DateTime<FixedOffset>> {
    at.map(|t| t.with_timezone(&state.config.timezone).fixed_offset())
}

/// The JSON form of a community.
pub fn out(state: &AppState, c: Community, with_plan: bool) -> CommunityOut {
    let registration_open = c.rules().is_open(state.clock.now());
    CommunityOut {
        eligibility: EligibilityOut {
            organisation_kinds: c.kinds(),
            min_population: c.min_population,
            max_population: c.max_population,
            require_member_or_participant: c.require_member_or_participant,
        },
        year_plan: with_plan.then_some(YearPlan {
            meetings_planned: 0,
            meetings_target: c.meetings_per_year,
            site_visits_planned: 0,
            site_visits_target: c.site_visits_per_year,
        }),
        registration_opens_at: local(state, c.registration_opens_at),
        registration_deadline: local(state, c.registration_deadline),
        slug: c.slug,
        name: c.name,
        description: c.description,
        programme: c.programme_slug,
        capacity: c.capacity,
        max_per_organisation: c.max_per_organisation,
        approval: c.approval,
        meetings_per_year: c.meetings_per_year,
        site_visits_per_year: c.site_visits_per_year,
        seats_taken: c.seats_taken,
        waitlist_length: c.waitlist_length,
        registration_open,
    }
}

fn some<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Eligibility settings.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityIn {
    /// Kinds that may join (default `["municipality"]`).
    pub organisation_kinds: Option<Vec<OrgKind>>,
    /// Fewest inhabitants (inclusive); `null` for none.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub min_population: Option<Option<i64>>,
    /// Most inhabitants (inclusive); `null` for none.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub max_population: Option<Option<i64>>,
    /// Only association members and programme participants (default true).
    pub require_member_or_participant: Option<bool>,
}

/// A new community, or changes to one (every field optional when changing; `slug` only when creating).
/// Population bounds are inclusive: a "fewer than 50,000" community has `max_population` 49999.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityIn {
    /// URL name (create only).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Programme slug; `null` for none.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub programme: Option<Option<String>>,
    /// Seats (default 25).
    pub capacity: Option<i64>,
    /// Seats per organisation; `null` for no cap.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub max_per_organisation: Option<Option<i64>>,
    /// Registration opens (RFC 3339, any offset); `null` for at once.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_opens_at: Option<Option<DateTime<FixedOffset>>>,
    /// Last instant to register (RFC 3339, any offset; inclusive); `null` for none.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_deadline: Option<Option<DateTime<FixedOffset>>>,
    /// `automatic` (default) or `manual`.
    pub approval: Option<String>,
    /// Who may join.
    pub eligibility: Option<EligibilityIn>,
    /// Meetings a year (default 3).
    pub meetings_per_year: Option<i64>,
    /// Site visits a year (default 1).
    pub site_visits_per_year: Option<i64>,
}

fn defaults() -> Settings {
    Settings {
        name: String::new(),
        description: String::new(),
        programme_id: None,
        capacity: 25,
        max_per_organisation: None,
        registration_opens_at: None,
        registration_deadline: None,
        approval: "automatic".into(),
        organisation_kinds: vec![OrgKind::Municipality],
        min_population: None,
        max_population: None,
        require_member_or_participant: true,
        meetings_per_year: 3,
        site_visits_per_year: 1,
    }
}

/// Applies input to settings, collecting field errors (shared by the API and the admin pages).
pub async fn apply(state: &AppState, mut s: Settings, input: CommunityIn) -> Result<Settings> {
    let mut errors = Vec::new();
    if let Some(name) = input.name {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(FieldError::new(
                "name",
                "invalid",
                "Vul een naam in van hoogstens 200 tekens.",
            ));
        }
        s.name = name;
    }
    if let Some(d) = input.description {
        s.description = d.trim().to_string();
    }
    if let Some(programme) = input.programme {
        s.programme_id = match programme.filter(|p| !p.is_empty()) {
            None => None,
            Some(slug) => match db::programmes::find(&state.db, &slug).await? {
                Some(p) => Some(p.id),
                None => {
                    errors.push(FieldError::new(
                        "programme",
                        "invalid",
                        "Dit programma bestaat niet.",
                    ));
                    None
                }
            },
        };
    }
    if let Some(capacity) = input.capacity {
        if !(1..=10_000).contains(&capacity) {
            errors.push(FieldError::new(
                "capacity",
                "invalid",
                "Het aantal plaatsen ligt tussen 1 en 10.000.",
            ));
        }
        s.capacity = capacity;
    }
    if let Some(max) = input.max_per_organisation {
        if max.is_some_and(|m| m < 1) {
            errors.push(FieldError::new(
                "max_per_organisation",
                "invalid",
                "Het maximum per organisatie is minstens 1.",
            ));
        }
        s.max_per_organisation = max;
    }
    if let Some(opens) = input.registration_opens_at {
        s.registration_opens_at = opens.map(|t| t.with_timezone(&Utc));
    }
    if let Some(deadline) = input.registration_deadline {
        s.registration_deadline = deadline.map(|t| t.with_timezone(&Utc));
    }
    if let (Some(o), Some(d)) = (s.registration_opens_at, s.registration_deadline)
        && o >= d
    {
        errors.push(FieldError::new(
            "registration_deadline",
            "invalid",
            "De deadline ligt na de opening van de aanmelding.",
        ));
    }
    if let Some(approval) = input.approval {
        if !matches!(approval.as_str(), "automatic" | "manual") {
            errors.push(FieldError::new(
                "approval",
                "invalid",
                "Kies automatic of manual.",
            ));
        }
        s.approval = approval;
    }
    if let Some(e) = input.eligibility {
        if let Some(kinds) = e.organisation_kinds {
            if kinds.is_empty() {
                errors.push(FieldError::new(
                    "eligibility.organisation_kinds",
                    "invalid",
                    "Kies minstens één soort organisatie.",
                ));
            }
            s.organisation_kinds = kinds;
        }
        if let Some(min) = e.min_population {
            s.min_population = min;
        }
        if let Some(max) = e.max_population {
            s.max_population = max;
        }
        if let Some(r) = e.require_member_or_participant {
            s.require_member_or_participant = r;
        }
    }
    if let (Some(min), Some(max)) = (s.min_population, s.max_population)
        && min > max
    {
        errors.push(FieldError::new(
            "eligibility.max_population",
            "invalid",
            "Het maximum inwonertal is kleiner dan het minimum.",
        ));
    }
    if let Some(n) = input.meetings_per_year {
        s.meetings_per_year = n.clamp(0, 52);
    }
    if let Some(n) = input.site_visits_per_year {
        s.site_visits_per_year = n.clamp(0, 52);
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(Error::Validation {
            code: "validation_failed",
            errors,
        })
    }
}

/// Creates a community from validated input (admin pages and API).
pub async fn create_community(
    state: &AppState,
    admin_id: &str,
    mut input: CommunityIn,
) -> Result<Community> {
    let slug = Slug::parse(input.slug.take().as_deref().unwrap_or_default())
        .map_err(|m| Error::field("validation_failed", "slug", m))?;
    if slug.as_str() == "nieuw" {
        // `/beheer/communities/nieuw` is the page that creates communities.
        return Err(Error::field(
            "validation_failed",
            "slug",
            "Deze korte naam is gereserveerd; kies een andere.",
        ));
    }
    if input.name.is_none() {
        return Err(Error::field(
            "validation_failed",
            "name",
            "Vul een naam in.",
        ));
    }
    let settings = apply(state, defaults(), input).await?;
    let mut tx = state.db.begin().await?;
    db::communities::create(&mut tx, &slug, &settings).await?;
    db::audit::record(
        &mut tx,
        Some(admin_id),
        "community_created",
        slug.as_str(),
        "",
    )
    .await?;
    tx.commit().await?;
    db::communities::find(&state.db, slug.as_str())
        .await?
        .ok_or(Error::NotFound)
}

/// Creates a community (admin).
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities", request_body = CommunityIn,
    responses((status = 201, description = "Created", body = CommunityOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not an admin", body = Problem), (status = 409, description = "Slug taken (`community_exists`)", body = Problem),
              (status = 422, description = "Invalid input", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(body): ApiJson<CommunityIn>,
) -> Result<Response> {
    let community = create_community(&state, &admin.user.id, body).await?;
    Ok((StatusCode::CREATED, Json(out(&state, community, true))).into_response())
}

/// Every community (public).
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities", security(()), params(super::Paging),
    responses((status = 200, description = "OK", body = ListPage<CommunityOut>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(paging): ApiQuery<super::Paging>,
) -> Result<Json<ListPage<CommunityOut>>> {
    let items = db::communities::list(&state.db)
        .await?
        .into_iter()
        .map(|c| out(&state, c, false))
        .collect();
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// One community: the public summary; members also get the year plan.
#[utoipa::path(get, path = "/api/v1/communities/{slug}", tag = "communities", security(()),
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 200, description = "OK", body = CommunityOut), (status = 404, description = "Not found", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    Path(slug): Path<String>,
) -> Result<Json<CommunityOut>> {
    // A guest speaker sees their meeting and nothing else, not even public summaries.
    let user = match caller {
        crate::auth::Caller::Guest(_) => return Err(Error::NotFound),
        crate::auth::Caller::User(user) => Some(user),
        crate::auth::Caller::Anonymous => None,
    };
    let community = db::communities::find(&state.db, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    let is_member = match &user {
        Some(u) if u.user.is_admin => true,
        Some(u) => db::users::memberships_by_id(&state.db, &u.user.id)
            .await?
            .iter()
            .any(|(c, _)| *c == community.id),
        None => false,
    };
    let id = community.id.clone();
    with_counts(&state, &id, out(&state, community, is_member)).await
}

/// Fills in the year plan's counts, when the answer has a year plan.
async fn with_counts(
    state: &AppState,
    community_id: &str,
    mut body: CommunityOut,
) -> Result<Json<CommunityOut>> {
    if let Some(plan) = body.year_plan.as_mut() {
        (plan.meetings_planned, plan.site_visits_planned) =
            crate::meeting::year_counts(state, community_id).await?;
    }
    Ok(Json(body))
}

/// Changes a community (admin or facilitator).
#[utoipa::path(patch, path = "/api/v1/communities/{slug}", tag = "communities", request_body = CommunityIn,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 200, description = "OK", body = CommunityOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid input", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<CommunityIn>,
) -> Result<Json<CommunityOut>> {
    member.require_facilitator()?;
    if body.slug.is_some() {
        return Err(Error::field(
            "validation_failed",
            "slug",
            "De korte naam van een community verandert niet.",
        ));
    }
    let current = db::communities::find(&state.db, &member.slug)
        .await?
        .ok_or(Error::NotFound)?;
    let settings = Settings {
        name: current.name.clone(),
        description: current.description.clone(),
        programme_id: current.programme_id.clone(),
        capacity: current.capacity,
        max_per_organisation: current.max_per_organisation,
        registration_opens_at: current.registration_opens_at,
        registration_deadline: current.registration_deadline,
        approval: current.approval.clone(),
        organisation_kinds: current.kinds(),
        min_population: current.min_population,
        max_population: current.max_population,
        require_member_or_participant: current.require_member_or_participant,
        meetings_per_year: current.meetings_per_year,
        site_visits_per_year: current.site_visits_per_year,
    };
    let settings = apply(&state, settings, body).await?;
    crate::registration::save_settings(
        &state,
        &current.id,
        &current.slug,
        &settings,
        &member.user.user.id,
    )
    .await?;
    let community = db::communities::find(&state.db, &member.slug)
        .await?
        .ok_or(Error::NotFound)?;
    let id = community.id.clone();
    with_counts(&state, &id, out(&state, community, true)).await
}

/// A user to appoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFacilitator {
    /// User id.
    pub user_id: String,
}

/// Appoints a facilitator (admin).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/facilitators", tag = "communities", request_body = NewFacilitator,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 201, description = "Appointed", body = MemberOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not an admin", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Unknown user", body = Problem)))]
pub async fn add_facilitator(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<NewFacilitator>,
) -> Result<Response> {
    let community = db::communities::find(&state.db, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    let user = db::users::find(&state.db, &body.user_id)
        .await?
        .ok_or_else(|| {
            Error::field(
                "validation_failed",
                "user_id",
                "Deze gebruiker bestaat niet.",
            )
        })?;
    crate::registration::appoint_facilitator(
        &state,
        &community.id,
        &community.slug,
        &user.id,
        &admin.user.id,
    )
    .await?;
    let member = db::communities::members(&state.db, &community.id)
        .await?
        .into_iter()
        .find(|m| m.user_id == user.id)
        .ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(MemberOut::from(member))).into_response())
}

/// A member or facilitator.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// User id.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// Organisation name.
    pub organisation: Option<String>,
    /// Work domains.
    pub domains: Vec<WorkDomain>,
    /// `member` or `facilitator`.
    pub role: String,
}

impl From<db::communities::MemberRow> for MemberOut {
    fn from(m: db::communities::MemberRow) -> Self {
        Self {
            domains: m.domain_list(),
            user_id: m.user_id,
            name: m.name,
            organisation: m.organisation,
            role: m.role,
        }
    }
}

/// The member list (members; others get 404).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members", tag = "communities",
    params(("slug" = String, Path, description = "Community slug"), super::Paging),
    responses((status = 200, description = "OK", body = ListPage<MemberOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem)))]
pub async fn members(
    State(state): State<AppState>,
    ApiQuery(paging): ApiQuery<super::Paging>,
    member: Member,
) -> Result<Json<ListPage<MemberOut>>> {
    let items = db::communities::members(&state.db, &member.community_id)
        .await?
        .into_iter()
        .map(MemberOut::from)
        .collect();
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// Someone to add directly: an existing user (`user_id`, plus `organisation_code` when the account
/// has no organisation yet), or name, e-mail and organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// An existing user.
    pub user_id: Option<String>,
    /// Name (new account).
    pub name: Option<String>,
    /// E-mail address (new account).
    pub email: Option<String>,
    /// Organisation code (new account).
    pub organisation_code: Option<String>,
}

/// Adds a member directly, creating the account if needed (facilitator); `409 community_full`.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members", tag = "communities", request_body = NewMember,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 201, description = "Added", body = MemberOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 409, description = "Full (`community_full`) or already a member", body = Problem), (status = 422, description = "Invalid input", body = Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NewMember>,
) -> Result<Response> {
    member.require_facilitator()?;
    // Say "full" before anything about the person; the seat itself is taken under the lock later.
    let community = db::communities::find(&state.db, &member.slug)
        .await?
        .ok_or(Error::NotFound)?;
    if community.seats_left() == 0 {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "community_full",
            format!("{} is vol.", community.name),
        ));
    }
    let (email, name, org) = match &body.user_id {
        Some(id) => {
            let user = db::users::find(&state.db, id).await?.ok_or_else(|| {
                Error::field(
                    "validation_failed",
                    "user_id",
                    "Deze gebruiker bestaat niet.",
                )
            })?;
            let memberships = db::users::memberships_by_id(&state.db, &user.id).await?;
            if memberships.iter().any(|(c, _)| *c == member.community_id) {
                return Err(Error::refused(
                    StatusCode::CONFLICT,
                    "already_member",
                    format!("{} is al lid van {}.", user.name, member.name),
                ));
            }
            // The account's organisation, or the one given with the request (accounts made by
            // an admin have none yet).
            let org = match (&user.organisation_code, body.organisation_code.as_deref()) {
                (Some(code), _) => code.clone(),
                (None, Some(given)) => {
                    let unknown = || {
                        Error::field(
                            "unknown_organisation",
                            "organisation_code",
                            "Kies een organisatie uit de lijst.",
                        )
                    };
                    let code = OrgCode::parse(given).map_err(|_| unknown())?;
                    db::organisations::find(&state.db, &code)
                        .await?
                        .ok_or_else(unknown)?
                        .code
                }
                (None, None) => {
                    return Err(Error::field(
                        "unknown_organisation",
                        "organisation_code",
                        "Van deze gebruiker is geen organisatie bekend; geef ook organisation_code mee.",
                    ));
                }
            };
            (
                Email::parse(&user.email).map_err(|m| Error::field("invalid_email", "email", m))?,
                PersonName::parse(&user.name)
                    .map_err(|m| Error::field("validation_failed", "name", m))?,
                org,
            )
        }
        None => {
            let email = Email::parse(body.email.as_deref().unwrap_or_default())
                .map_err(|m| Error::field("invalid_email", "email", m))?;
            let name = PersonName::parse(body.name.as_deref().unwrap_or_default())
                .map_err(|m| Error::field("validation_failed", "name", m))?;
            let unknown = || {
                Error::field(
                    "unknown_organisation",
                    "organisation_code",
                    "Kies een organisatie uit de lijst.",
                )
            };
            let code = OrgCode::parse(body.organisation_code.as_deref().unwrap_or_default())
                .map_err(|_| unknown())?;
            let org = db::organisations::find(&state.db, &code)
                .await?
                .ok_or_else(unknown)?;
            (email, name, org.code)
        }
    };
    let user =
        crate::registration::add_member_directly(&state, &member.community_id, &email, &name, &org)
            .await?;
    let added = db::communities::members(&state.db, &member.community_id)
        .await?
        .into_iter()
        .find(|m| m.user_id == user.id)
        .ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(MemberOut::from(added))).into_response())
}

/// Removes a member (facilitator) or leaves (the member themself); the seat goes to the waitlist.
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/members/{user_id}", tag = "communities",
    params(("slug" = String, Path, description = "Community slug"), ("user_id" = String, Path, description = "User id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn remove_member(
    State(state): State<AppState>,
    member: Member,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let leaving = member.user.user.id == user_id;
    if !leaving {
        member.require_facilitator()?;
    }
    crate::registration::remove_member(&state, &member.community_id, &user_id, !leaving).await?;
    Ok(StatusCode::NO_CONTENT)
}
