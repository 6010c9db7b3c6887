//! `/api/v1/…/meetings`: planning meetings, calendar files, RSVP and attendance.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiQuery, ListPage};
use crate::app::AppState;
use crate::auth::{CurrentUser, Member, Viewer};
use crate::db;
use crate::db::meetings::Meeting;
use crate::error::{Error, Problem, Result};
use crate::meeting::speakers::{self, Access};
use crate::meeting::{self, Location, MeetingInput};

/// A meeting to plan, or changes (every field of the current meeting is sent again when changing).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// `online`, `site_visit` or `hybrid`.
    #[serde(default)]
    pub kind: String,
    /// Start (RFC 3339, any offset).
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// End.
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Description.
    pub description: Option<String>,
    /// Join link (online and hybrid; members only).
    pub online_url: Option<String>,
    /// Venue (site visits and hybrid).
    pub location: Option<Location>,
    /// Hosting municipality.
    pub host_organisation_code: Option<String>,
    /// Moderator (a user id).
    pub moderator_user_id: Option<String>,
}

impl From<MeetingIn> for MeetingInput {
    fn from(m: MeetingIn) -> Self {
        Self {
            title: m.title,
            kind: m.kind,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            description: m.description.unwrap_or_default(),
            online_url: m.online_url,
            location: m.location,
            host_organisation_code: m.host_organisation_code,
            moderator_user_id: m.moderator_user_id,
        }
    }
}

/// Answers so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct RsvpCounts {
    /// Coming.
    pub yes: i64,
    /// Not coming.
    pub no: i64,
    /// Maybe.
    pub maybe: i64,
}

/// A venue as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationOut {
    /// Venue name.
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
}

/// A meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    /// Id.
    pub id: String,
    /// Community slug.
    pub community: String,
    /// Title.
    pub title: String,
    /// `online`, `site_visit` or `hybrid`.
    pub kind: String,
    /// `scheduled`, `cancelled` or `held`.
    pub status: String,
    /// Start (in KRING_TIMEZONE).
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
    /// Description.
    pub description: String,
    /// Join link.
    pub online_url: Option<String>,
    /// Venue.
    pub location: Option<LocationOut>,
    /// Hosting municipality.
    pub host_organisation_code: Option<String>,
    /// Moderator.
    pub moderator_user_id: Option<String>,
    /// iCalendar sequence (rises with every change of time or place).
    pub sequence: i64,
    /// Answers so far (detail view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsvp_counts: Option<RsvpCounts>,
    /// The caller's answer (detail view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_rsvp: Option<String>,
    /// Who attended (facilitators, detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Vec<String>>,
    /// The agenda with planned starts (detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<Vec<super::agenda::AgendaItemOut>>,
    /// Minutes the agenda outlasts the meeting (detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda_overrun_minutes: Option<i64>,
    /// Guest speakers (detail view; addresses for facilitators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speakers: Option<Vec<super::speakers::SpeakerOut>>,
    /// Action items not done yet, from the community's earlier meetings (detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_actions: Option<Vec<super::minutes::ActionOut>>,
}

/// The JSON form of a meeting.
pub fn meeting_out(state: &AppState, m: Meeting) -> MeetingOut {
    out(state, m)
}

fn out(state: &AppState, m: Meeting) -> MeetingOut {
    let tz = state.config.timezone;
    let location =
        (m.location_address.is_some() || m.location_name.is_some()).then(|| LocationOut {
            name: m.location_name.clone(),
            address: m.location_address.clone(),
            city: m.location_city.clone(),
        });
    MeetingOut {
        starts_at: m.starts_at.with_timezone(&tz).fixed_offset(),
        ends_at: m.ends_at.with_timezone(&tz).fixed_offset(),
        id: m.id,
        community: m.community_slug,
        title: m.title,
        kind: m.kind,
        status: m.status,
        description: m.description,
        online_url: m.online_url,
        location,
        host_organisation_code: m.host_organisation_code,
        moderator_user_id: m.moderator_user_id,
        sequence: m.sequence,
        rsvp_counts: None,
        my_rsvp: None,
        attendance: None,
        agenda: None,
        agenda_overrun_minutes: None,
        speakers: None,
        open_actions: None,
    }
}

/// Plans a meeting and invites every member with a calendar entry (facilitator).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/meetings", tag = "meetings", request_body = MeetingIn,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 201, description = "Planned; invitations queued", body = MeetingOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 422, description = "Invalid meeting", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<MeetingIn>,
) -> Result<Response> {
    member.require_facilitator()?;
    let created = meeting::create(
        &state,
        &member.community_id,
        &member.user.user.id,
        &body.into(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(&state, created))).into_response())
}

/// A period.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// From (RFC 3339); default: the start of the current year.
    pub from: Option<DateTime<FixedOffset>>,
    /// Until (RFC 3339); default: no end.
    pub to: Option<DateTime<FixedOffset>>,
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// The meetings of a community (members).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/meetings", tag = "meetings",
    params(("slug" = String, Path, description = "Community slug"), Period),
    responses((status = 200, description = "OK", body = ListPage<MeetingOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<Json<ListPage<MeetingOut>>> {
    use chrono::Datelike;
    let now = state.clock.now();
    let from = period.from.map_or_else(
        || {
            chrono::NaiveDate::from_ymd_opt(now.year(), 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(now, |d| d.and_utc())
        },
        |f| f.with_timezone(&Utc),
    );
    // The end of year 9999, not DateTime::MAX_UTC: SQLite compares timestamps as text, and a
    // six-digit year with a sign would sort before every real date.
    let far = DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap_or(now);
    let to = period.to.map_or(far, |t| t.with_timezone(&Utc));
    let items = db::meetings::of_community(&state.db, &member.community_id, from, to)
        .await?
        .into_iter()
        .map(|m| out(&state, m))
        .collect();
    let paging = super::Paging {
        limit: period.limit,
        cursor: period.cursor,
    };
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// A meeting with its agenda, speakers and the answers so far (members; the meeting's guest speakers see details, agenda and speakers only).
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "OK", body = MeetingOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<MeetingOut>> {
    let (m, access) = speakers::viewed(&state, &viewer, &id).await?;
    let facilitator = access == Access::Facilitator;
    let agenda = super::agenda::agenda_of(&state, &m).await?;
    let speakers = db::speakers::of_meeting(&state.db, &m.id)
        .await?
        .into_iter()
        .map(|s| super::speakers::SpeakerOut::new(s, facilitator))
        .collect();
    let member = match &viewer {
        Viewer::User(me) => Some(me),
        Viewer::Guest(_) => None,
    };
    let mut member_view = None;
    if let Some(me) = member {
        let ((yes, no, maybe), mine) = db::meetings::rsvps(&state.db, &m.id, &me.user.id).await?;
        let attendance = if facilitator {
            Some(db::meetings::attendance(&state.db, &m.id).await?)
        } else {
            None
        };
        let open_actions = super::minutes::open_for(&state, &m).await?;
        member_view = Some((
            RsvpCounts { yes, no, maybe },
            mine,
            attendance,
            open_actions,
        ));
    }
    let mut body = out(&state, m);
    body.agenda = Some(agenda.items);
    body.agenda_overrun_minutes = Some(agenda.agenda_overrun_minutes);
    body.speakers = Some(speakers);
    if let Some((counts, mine, attendance, open_actions)) = member_view {
        body.rsvp_counts = Some(counts);
        body.my_rsvp = mine;
        body.attendance = attendance;
        body.open_actions = Some(open_actions);
    }
    Ok(Json(body))
}

/// Changes a meeting; a new time or place sends an update with the same UID and a higher SEQUENCE (facilitator).
#[utoipa::path(patch, path = "/api/v1/meetings/{id}", tag = "meetings", request_body = MeetingIn,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "OK", body = MeetingOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid meeting", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MeetingIn>,
) -> Result<Json<MeetingOut>> {
    let (m, facilitator) = meeting::visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    Ok(Json(out(
        &state,
        meeting::update(&state, &m, &body.into()).await?,
    )))
}

/// Why a meeting is cancelled.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// Shown to the members.
    pub reason: Option<String>,
}

/// Cancels a meeting; members get a cancellation (`METHOD:CANCEL`) (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings", request_body = Cancel,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "Cancelled", body = MeetingOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 409, description = "Already cancelled", body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<MeetingOut>> {
    let (m, facilitator) = meeting::visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<Cancel>(&body)
            .map_err(|e| super::json_error(&e))?
            .reason
    };
    Ok(Json(out(
        &state,
        meeting::cancel(&state, &m, reason.as_deref()).await?,
    )))
}

/// The meeting as an iCalendar file (members and the meeting's guest speakers).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/ics", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar"), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn ics(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response> {
    let (m, _) = speakers::viewed(&state, &viewer, &id).await?;
    let doc = crate::ical::document(&meeting::entry(&state, &m, None));
    let mut response = doc.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"bijeenkomst.ics\""),
    );
    Ok(response)
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rsvp {
    /// `yes`, `no` or `maybe`.
    pub response: String,
}

/// Says whether the caller comes (members).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/rsvp", tag = "meetings", request_body = Rsvp,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 204, description = "Saved"), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 422, description = "Invalid answer", body = Problem)))]
pub async fn rsvp(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Rsvp>,
) -> Result<StatusCode> {
    let (m, _) = meeting::visible(&state, &me.user, &id).await?;
    if !matches!(body.response.as_str(), "yes" | "no" | "maybe") {
        return Err(Error::field(
            "validation_failed",
            "response",
            "Kies yes, no of maybe.",
        ));
    }
    let mut tx = state.db.begin().await?;
    db::meetings::set_rsvp(
        &mut tx,
        &m.id,
        &me.user.id,
        &body.response,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who attended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// User ids of those present.
    pub user_ids: Vec<String>,
}

/// Records who attended (facilitator); only members of the community can be recorded.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "meetings", request_body = Attendance,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 204, description = "Saved"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Not a member", body = Problem)))]
pub async fn attendance(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Attendance>,
) -> Result<StatusCode> {
    let (m, facilitator) = meeting::visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    let members: Vec<String> = db::communities::members(&state.db, &m.community_id)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    if let Some(stranger) = body.user_ids.iter().find(|u| !members.contains(u)) {
        return Err(Error::field(
            "validation_failed",
            "user_ids",
            format!("{stranger} is geen lid van deze community."),
        ));
    }
    let mut tx = state.db.begin().await?;
    db::meetings::set_attendance(&mut tx, &m.id, &body.user_ids).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
