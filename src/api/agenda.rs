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
use crate::domain::agenda::plan;
use crate::error::{Error, Problem, Result};

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
}

/// The agenda with planned starts.
pub async fn agenda_of(state: &AppState, meeting: &Meeting) -> Result<AgendaOut> {
    let items = db::agenda::of_meeting(&state.db, &meeting.id).await?;
    let durations: Vec<i64> = items.iter().map(|i| i.duration_minutes).collect();
    let (starts, overrun) = plan(meeting.starts_at, meeting.ends_at, &durations);
    let tz = state.config.timezone;
    Ok(AgendaOut {
        items: items
            .into_iter()
            .zip(starts)
            .map(|(i, start)| AgendaItemOut {
                id: i.id,
                title: i.title,
                duration_minutes: i.duration_minutes,
                description: i.description,
                speaker_id: i.speaker_id,
                topic_id: i.topic_id,
                planned_start: start.with_timezone(&tz).fixed_offset(),
            })
            .collect(),
        agenda_overrun_minutes: overrun,
    })
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
    /// Speaker.
    pub speaker_id: Option<String>,
    /// The topic it comes from.
    pub topic_id: Option<String>,
}

fn check(input: &ItemInput) -> Result<()> {
    let mut errors = Vec::new();
    if input.title.trim().is_empty() || input.title.chars().count() > 200 {
        errors.push(crate::error::FieldError::new(
            "title",
            "invalid",
            "Geef het agendapunt een titel van hoogstens 200 tekens.",
        ));
    }
    if !(1..=600).contains(&input.duration_minutes) {
        errors.push(crate::error::FieldError::new(
            "duration_minutes",
            "invalid",
            "Een agendapunt duurt 1 tot 600 minuten.",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation {
            code: "validation_failed",
            errors,
        })
    }
}

async fn facilitated_meeting(
    state: &AppState,
    user: &crate::db::users::User,
    meeting_id: &str,
) -> Result<Meeting> {
    match super::meetings::visible(state, user, meeting_id).await? {
        (m, true) => Ok(m),
        (_, false) => Err(Error::Forbidden),
    }
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
    let meeting = facilitated_meeting(&state, &me.user, &id).await?;
    let input = ItemInput {
        title: body.title.unwrap_or_default().trim().to_string(),
        duration_minutes: body.duration_minutes.unwrap_or(0),
        description: body.description.unwrap_or_default().trim().to_string(),
        speaker_id: body.speaker_id,
        topic_id: body.topic_id,
    };
    check(&input)?;
    let mut tx = state.db.begin().await?;
    db::agenda::append(&mut tx, &meeting.id, &input).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(agenda_of(&state, &meeting).await?),
    )
        .into_response())
}

async fn item_and_meeting(
    state: &AppState,
    user: &crate::db::users::User,
    item_id: &str,
) -> Result<(db::agenda::Item, Meeting)> {
    let item = db::agenda::find(&state.db, item_id)
        .await?
        .ok_or(Error::NotFound)?;
    let meeting = facilitated_meeting(state, user, &item.meeting_id).await?;
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
        title: body.title.map_or(item.title, |t| t.trim().to_string()),
        duration_minutes: body.duration_minutes.unwrap_or(item.duration_minutes),
        description: body
            .description
            .map_or(item.description, |d| d.trim().to_string()),
        speaker_id: body.speaker_id.or(item.speaker_id),
        topic_id: body.topic_id.or(item.topic_id),
    };
    check(&input)?;
    let mut tx = state.db.begin().await?;
    db::agenda::update(&mut tx, &id, &input).await?;
    tx.commit().await?;
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
    let (item, meeting) = item_and_meeting(&state, &me.user, &id).await?;
    let mut tx = state.db.begin().await?;
    db::agenda::delete(&mut tx, &item.id, &meeting.id).await?;
    tx.commit().await?;
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
    let meeting = facilitated_meeting(&state, &me.user, &id).await?;
    let mut tx = state.db.begin().await?;
    let mut current: Vec<String> = db::agenda::of_meeting_tx(&mut tx, &meeting.id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut given = body.item_ids.clone();
    current.sort();
    given.sort();
    if current != given {
        return Err(Error::field(
            "validation_failed",
            "item_ids",
            "Geef alle agendapunten van deze bijeenkomst, elk één keer.",
        ));
    }
    db::agenda::reorder(&mut tx, &body.item_ids).await?;
    tx.commit().await?;
    Ok(Json(agenda_of(&state, &meeting).await?))
}
