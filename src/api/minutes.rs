//! Minutes (beknopt gespreksverslag): a template from agenda and attendance, drafts that only
//! facilitators see, publication that e-mails the members, and action items that stay open.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::meetings::Meeting;
use crate::domain::markdown;
use crate::error::{Error, Problem, Result};
use crate::meeting::{self, minutes};

/// An action item.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActionOut {
    /// Id.
    pub id: String,
    /// What to do.
    pub text: String,
    /// Owner, a member.
    pub owner_user_id: Option<String>,
    /// Owner, by name.
    pub owner_name: Option<String>,
    /// Due date.
    pub due_date: Option<String>,
    /// Done.
    pub done: bool,
    /// The meeting it was agreed at.
    pub meeting_id: String,
}

impl From<db::minutes::Action> for ActionOut {
    fn from(a: db::minutes::Action) -> Self {
        Self {
            id: a.id,
            text: a.text,
            owner_user_id: a.owner_user_id,
            owner_name: a.owner_name,
            due_date: a.due_date,
            done: a.done,
            meeting_id: a.meeting_id,
        }
    }
}

/// Minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinutesOut {
    /// Markdown.
    pub body_markdown: String,
    /// Sanitised HTML of the Markdown.
    pub body_html: String,
    /// Decisions.
    pub decisions: Vec<String>,
    /// Action items.
    pub actions: Vec<ActionOut>,
    /// `draft` or `published`.
    pub status: String,
    /// Publication.
    pub published_at: Option<DateTime<FixedOffset>>,
}

async fn minutes_out(state: &AppState, meeting: &Meeting) -> Result<Option<MinutesOut>> {
    let Some(m) = db::minutes::get(&state.db, &meeting.id).await? else {
        return Ok(None);
    };
    let actions = db::minutes::actions_of(&state.db, &meeting.id)
        .await?
        .into_iter()
        .map(ActionOut::from)
        .collect();
    Ok(Some(MinutesOut {
        body_html: markdown::render(&m.body_markdown).into_string(),
        decisions: minutes::decisions(&m),
        actions,
        status: m.status,
        published_at: m
            .published_at
            .map(|p| p.with_timezone(&state.config.timezone).fixed_offset()),
        body_markdown: m.body_markdown,
    }))
}

/// The minutes: facilitators always, members once published (a draft is `404` to them).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/minutes", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "OK", body = MinutesOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found, not visible, or a draft for a member", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<MinutesOut>> {
    let (meeting, facilitator) = crate::meeting::visible(&state, &me.user, &id).await?;
    let minutes = minutes_out(&state, &meeting)
        .await?
        .ok_or(Error::NotFound)?;
    if minutes.status != "published" && !facilitator {
        return Err(Error::NotFound);
    }
    Ok(Json(minutes))
}

/// A drafted text.
#[derive(Debug, Serialize, ToSchema)]
pub struct Template {
    /// Markdown drafted from the agenda and the attendance.
    pub body_markdown: String,
}

/// Drafts minutes from the agenda and the attendance (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/template", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "A draft text", body = Template), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn template(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Template>> {
    let meeting = meeting::facilitated(&state, &me.user, &id).await?;
    let body = minutes::template(&state, &meeting).await?;
    Ok(Json(Template {
        body_markdown: body,
    }))
}

/// An action item to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// What to do.
    pub text: String,
    /// Owner, a member.
    pub owner_user_id: Option<String>,
    /// Owner, by name.
    pub owner_name: Option<String>,
    /// Due date (YYYY-MM-DD).
    pub due_date: Option<String>,
}

/// Minutes to save as a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesIn {
    /// Markdown.
    pub body_markdown: String,
    /// Decisions.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Action items (replace the earlier ones of this meeting).
    #[serde(default)]
    pub actions: Vec<ActionIn>,
}

/// Saves the minutes as a draft, visible to facilitators only (facilitator).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/minutes", tag = "meetings", request_body = MinutesIn,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "Saved as draft", body = MinutesOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid minutes", body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MinutesIn>,
) -> Result<Json<MinutesOut>> {
    let meeting = meeting::facilitated(&state, &me.user, &id).await?;
    let actions: Vec<minutes::ActionInput> = body
        .actions
        .into_iter()
        .map(|a| minutes::ActionInput {
            text: a.text,
            owner_user_id: a.owner_user_id,
            owner_name: a.owner_name,
            due_date: a.due_date,
        })
        .collect();
    minutes::save(
        &state,
        &meeting,
        &body.body_markdown,
        &body.decisions,
        &actions,
    )
    .await?;
    minutes_out(&state, &meeting)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

/// Publishes the minutes and e-mails the members (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/publish", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "Published", body = MinutesOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "No minutes yet", body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<MinutesOut>> {
    let meeting = meeting::facilitated(&state, &me.user, &id).await?;
    minutes::publish(&state, &meeting, &me.user.id).await?;
    minutes_out(&state, &meeting)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

/// A change to an action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    /// Done.
    pub done: bool,
}

/// Marks an action item done or open (facilitators, and the member who owns it).
#[utoipa::path(patch, path = "/api/v1/actions/{id}", tag = "meetings", request_body = ActionPatch,
    params(("id" = String, Path, description = "Action item id")),
    responses((status = 200, description = "OK", body = ActionOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither facilitator nor owner", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn set_done(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionPatch>,
) -> Result<Json<ActionOut>> {
    let action = minutes::set_done(&state, &me.user, &id, body.done).await?;
    Ok(Json(action.into()))
}

/// Open action items from earlier meetings, for a meeting's detail view.
pub async fn open_for(state: &AppState, meeting: &Meeting) -> Result<Vec<ActionOut>> {
    Ok(
        db::minutes::open_before(&state.db, &meeting.community_id, meeting.starts_at)
            .await?
            .into_iter()
            .map(ActionOut::from)
            .collect(),
    )
}
