//! Agendas: ordered items with durations; planned start times follow from the meeting's start.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::agenda::ItemInput;
use crate::db::meetings::Meeting;
use crate::error::{Error, Problem, Result};
use crate::meeting::{self, agenda};

/// An agenda item with its planned start.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemOut {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Length.
    pub duration_minutes: i64,
    /// Description.
    pub description: String,
    /// Speaker.
    pub speaker_id: Option<String>,
    /// The topic it comes from.
    pub topic_id: Option<String>,
    /// When it starts, from the meeting's start and the items before it.
    pub planned_start: DateTime<FixedOffset>,
}

/// The agenda of a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaOut {
    /// Items in order.
    pub items: Vec<AgendaItemOut>,
    /// Minutes the agenda outlasts the meeting (0 when it fits).
    pub agenda_overrun_minutes: i64,
    /// When the agenda was last e-mailed to the members (`null`: not yet).
    pub published_at: Option<DateTime<FixedOffset>>,
}

fn out(state: &AppState, agenda: agenda::Agenda) -> AgendaOut {
    let tz = state.config.timezone;
    AgendaOut {
        items: agenda
            .items
            .into_iter()
            .map(|p| AgendaItemOut {
                id: p.item.id,
                title: p.item.title,
                duration_minutes: p.item.duration_minutes,
                description: p.item.description,
                speaker_id: p.item.speaker_id,
                topic_id: p.item.topic_id,
                planned_start: p.starts_at.with_timezone(&tz).fixed_offset(),
            })
            .collect(),
        agenda_overrun_minutes: agenda.overrun_minutes,
        published_at: agenda
            .published_at
            .map(|at| at.with_timezone(&tz).fixed_offset()),
    }
}

/// The agenda with planned starts.
pub async fn agenda_of(state: &AppState, meeting: &Meeting) -> Result<AgendaOut> {
    Ok(out(state, agenda::load(state, meeting).await?))
}

/// An item to add, or changes (fields left out stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemIn {
    /// Title.
    pub title: Option<String>,
    /// Length in minutes (1–600).
    pub duration_minutes: Option<i64>,
    /// Description.
    pub description: Option<String>,
    /// A guest speaker of this meeting (another meeting's speaker: `422` on `speaker_id`).
    pub speaker_id: Option<String>,
    /// The topic it comes from.
    pub topic_id: Option<String>,
}

/// Adds an item at the end of the agenda (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda-items", tag = "meetings", request_body = AgendaItemIn,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 201, description = "Added; the whole agenda with planned starts", body = AgendaOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 422, description = "Invalid item", body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgendaItemIn>,
) -> Result<Response> {
    let meeting = meeting::facilitated(&state, &me.user, &id).await?;
    let input = ItemInput {
        title: body.title.unwrap_or_default(),
        duration_minutes: body.duration_minutes.unwrap_or(0),
        description: body.description.unwrap_or_default(),
        speaker_id: body.speaker_id,
        topic_id: body.topic_id,
    };
    agenda::add(&state, &meeting, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(agenda_of(&state, &meeting).await?),
    )
        .into_response())
}

async fn item_and_meeting(
    state: &AppState,
    user: &db::users::User,
    item_id: &str,
) -> Result<(db::agenda::Item, Meeting)> {
    let item = db::agenda::find(&state.db, item_id)
        .await?
        .ok_or(Error::NotFound)?;
    let meeting = meeting::facilitated(state, user, &item.meeting_id).await?;
    Ok((item, meeting))
}

/// Changes an item (facilitator).
#[utoipa::path(patch, path = "/api/v1/agenda-items/{id}", tag = "meetings", request_body = AgendaItemIn,
    params(("id" = String, Path, description = "Agenda item id")),
    responses((status = 200, description = "The whole agenda", body = AgendaOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid item", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgendaItemIn>,
) -> Result<Json<AgendaOut>> {
    let (item, meeting) = item_and_meeting(&state, &me.user, &id).await?;
    let input = ItemInput {
        title: body.title.unwrap_or_else(|| item.title.clone()),
        duration_minutes: body.duration_minutes.unwrap_or(item.duration_minutes),
        description: body.description.unwrap_or_else(|| item.description.clone()),
        speaker_id: body.speaker_id.or_else(|| item.speaker_id.clone()),
        topic_id: body.topic_id.or_else(|| item.topic_id.clone()),
    };
    agenda::update(&state, &item, input).await?;
    Ok(Json(agenda_of(&state, &meeting).await?))
}

/// Removes an item (facilitator).
#[utoipa::path(delete, path = "/api/v1/agenda-items/{id}", tag = "meetings",
    params(("id" = String, Path, description = "Agenda item id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let (item, _) = item_and_meeting(&state, &me.user, &id).await?;
    agenda::remove(&state, &item).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// Every item id of the agenda, once, in the new order.
    pub item_ids: Vec<String>,
}

/// Reorders the agenda (facilitator).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/agenda-order", tag = "meetings", request_body = Order,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "The whole agenda", body = AgendaOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Not exactly the agenda's items", body = Problem)))]
pub async fn reorder(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Order>,
) -> Result<Json<AgendaOut>> {
    let meeting = meeting::facilitated(&state, &me.user, &id).await?;
    agenda::reorder(&state, &meeting, &body.item_ids).await?;
    Ok(Json(agenda_of(&state, &meeting).await?))
}

/// E-mails the agenda with its planned times to every member; a later publication is sent as
/// "Bijgewerkte agenda" (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda/publish", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "Published; the agenda with `published_at`", body = AgendaOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 409, description = "The meeting is cancelled", body = Problem),
              (status = 422, description = "The agenda is empty", body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<AgendaOut>> {
    let meeting = meeting::facilitated(&state, &me.user, &id).await?;
    let published = agenda::publish(&state, &meeting, &me.user.id).await?;
    Ok(Json(out(&state, published)))
}
