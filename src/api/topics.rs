//! `/api/v1/…/topics`: the content agenda. Members propose topics and vote (one vote each, which
//! they can withdraw); facilitators close or reopen them; agendas and minutes move them along.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiQuery, ListPage, Paging};
use crate::app::AppState;
use crate::auth::{CurrentUser, Member};
use crate::db::topics::Topic;
use crate::domain::markdown;
use crate::error::{Problem, Result};
use crate::topic::{self, Change};

/// Who proposed a topic.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorOut {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A topic of the content agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopicOut {
    /// Id.
    pub id: String,
    /// Community slug.
    pub community: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Sanitised HTML of the description.
    pub description_html: String,
    /// `open`, `scheduled` (on a meeting's agenda), `discussed` (its minutes are published) or `closed`.
    pub status: String,
    /// Number of votes.
    pub votes: i64,
    /// True when the caller voted for it.
    pub voted_by_me: bool,
    /// Who proposed it; `null` once that account is gone.
    pub author: Option<AuthorOut>,
    /// Proposed at (in KRING_TIMEZONE).
    pub created_at: DateTime<FixedOffset>,
    /// Last change of title, description or status by a person.
    pub updated_at: DateTime<FixedOffset>,
}

/// The JSON form of a topic.
pub fn topic_out(state: &AppState, t: Topic) -> TopicOut {
    let tz = state.config.timezone;
    let author = match (t.author_id, t.author_name) {
        (Some(id), Some(name)) => Some(AuthorOut { id, name }),
        _ => None,
    };
    TopicOut {
        description_html: markdown::render(&t.description).into_string(),
        created_at: t.created_at.with_timezone(&tz).fixed_offset(),
        updated_at: t.updated_at.with_timezone(&tz).fixed_offset(),
        id: t.id,
        community: t.community_slug,
        title: t.title,
        description: t.description,
        status: t.status,
        votes: t.votes,
        voted_by_me: t.voted_by_me,
        author,
    }
}

/// A proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicIn {
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// Description (Markdown, at most 10,000 characters).
    pub description: Option<String>,
}

/// Proposes a topic for the content agenda (members).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/topics", tag = "topics", request_body = TopicIn,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 201, description = "Proposed (status `open`, no votes)", body = TopicOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 404, description = "Not found or not a member", body = Problem),
              (status = 422, description = "Invalid topic", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<TopicIn>,
) -> Result<Response> {
    let created = topic::propose(
        &state,
        &member.user.user,
        &member.community_id,
        &body.title,
        body.description.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(topic_out(&state, created))).into_response())
}

/// `?status=&limit=&cursor=` of the topic list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicQuery {
    /// Only topics with this status: `open`, `scheduled`, `discussed` or `closed`.
    pub status: Option<String>,
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// The topics of a community, most votes first, then the oldest (members).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/topics", tag = "topics",
    params(("slug" = String, Path, description = "Community slug"), TopicQuery),
    responses((status = 200, description = "OK", body = ListPage<TopicOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem), (status = 422, description = "Unknown status", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(q): ApiQuery<TopicQuery>,
) -> Result<Json<ListPage<TopicOut>>> {
    let status = topic::status_filter(q.status.as_deref())?;
    let items = topic::ranked(&state, &member.user.user, &member.community_id, status)
        .await?
        .into_iter()
        .map(|t| topic_out(&state, t))
        .collect();
    let paging = Paging {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(ListPage::paged(items, &paging)?))
}

/// A topic (members of its community).
#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "topics",
    params(("id" = String, Path, description = "Topic id")),
    responses((status = 200, description = "OK", body = TopicOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<TopicOut>> {
    let t = topic::visible(&state, &me.user, &id).await?;
    Ok(Json(topic_out(&state, t)))
}

/// Changes to a topic; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicPatch {
    /// `open`, `discussed` or `closed` (facilitators). `scheduled` follows from linking the topic
    /// to an agenda item and cannot be set here.
    pub status: Option<String>,
    /// Title (the author while the topic is open, or a facilitator).
    pub title: Option<String>,
    /// Description (the author while the topic is open, or a facilitator).
    pub description: Option<String>,
}

/// Changes a topic: facilitators set the status (e.g. `closed`) and may edit; the author edits
/// title and description while the topic is open.
#[utoipa::path(patch, path = "/api/v1/topics/{id}", tag = "topics", request_body = TopicPatch,
    params(("id" = String, Path, description = "Topic id")),
    responses((status = 200, description = "OK", body = TopicOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither facilitator nor (while open) author", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem), (status = 422, description = "Invalid change", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TopicPatch>,
) -> Result<Json<TopicOut>> {
    let t = topic::visible(&state, &me.user, &id).await?;
    let change = Change {
        status: body.status,
        title: body.title,
        description: body.description,
    };
    let changed = topic::change(&state, &me.user, &t, &change).await?;
    Ok(Json(topic_out(&state, changed)))
}

/// Votes for a topic; voting again changes nothing (members, while the topic is open).
#[utoipa::path(put, path = "/api/v1/topics/{id}/vote", tag = "topics",
    params(("id" = String, Path, description = "Topic id")),
    responses((status = 200, description = "The topic with the vote counted", body = TopicOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem),
              (status = 409, description = "`topic_not_open`: the topic is no longer open", body = Problem)))]
pub async fn vote(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<TopicOut>> {
    let t = topic::visible(&state, &me.user, &id).await?;
    let voted = topic::set_vote(&state, &me.user, &t, true).await?;
    Ok(Json(topic_out(&state, voted)))
}

/// Withdraws the caller's vote; without a vote it changes nothing (members, while the topic is open).
#[utoipa::path(delete, path = "/api/v1/topics/{id}/vote", tag = "topics",
    params(("id" = String, Path, description = "Topic id")),
    responses((status = 200, description = "The topic without the caller's vote", body = TopicOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem),
              (status = 409, description = "`topic_not_open`: the topic is no longer open", body = Problem)))]
pub async fn unvote(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<TopicOut>> {
    let t = topic::visible(&state, &me.user, &id).await?;
    let withdrawn = topic::set_vote(&state, &me.user, &t, false).await?;
    Ok(Json(topic_out(&state, withdrawn)))
}
