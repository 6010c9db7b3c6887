//! `/api/v1/notes/{id}/comments` and `/api/v1/comments/{id}`: comments on notes. Whoever sees a
//! note may comment; the comment's author, a facilitator of the note's community and admins
//! change or delete a comment. Outside the note's audience every route is `404`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::notes::{AuthorOut, author_out};
use super::{ApiJson, ApiQuery, ListPage, Paging};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::comments::Comment;
use crate::db::users::User;
use crate::error::{Problem, Result};
use crate::note::{self, comments};

/// A comment on a note.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    /// Id.
    pub id: String,
    /// The note.
    pub note_id: String,
    /// As written (Markdown).
    pub body_markdown: String,
    /// Sanitised HTML; its headings start at `<h4>`.
    pub body_html: String,
    /// Who wrote it; `null` once that account is gone.
    pub author: Option<AuthorOut>,
    /// True when the caller may change or delete it.
    pub can_edit: bool,
    /// Written at (in KRING_TIMEZONE).
    pub created_at: DateTime<FixedOffset>,
    /// Last edit.
    pub updated_at: DateTime<FixedOffset>,
}

/// The JSON form of a comment as `me` sees it.
pub fn comment_out(state: &AppState, me: &User, c: Comment) -> CommentOut {
    let tz = state.config.timezone;
    CommentOut {
        can_edit: c.may_change(note::reader(me)),
        created_at: c.created_at.with_timezone(&tz).fixed_offset(),
        updated_at: c.updated_at.with_timezone(&tz).fixed_offset(),
        author: author_out(c.author_id, c.author_name, c.author_organisation),
        id: c.id,
        note_id: c.note_id,
        body_markdown: c.body_markdown,
        body_html: c.body_html,
    }
}

/// A comment's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    /// Markdown, 1–10,000 characters. `@Name` e-mails that member, as in notes.
    #[serde(default)]
    pub body_markdown: String,
}

/// Comments on a note (whoever sees the note). Members mentioned with `@Name` are e-mailed.
#[utoipa::path(post, path = "/api/v1/notes/{id}/comments", tag = "notes", request_body = CommentIn,
    params(("id" = String, Path, description = "Note id")),
    responses((status = 201, description = "Written", body = CommentOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 404, description = "Not found or not visible", body = Problem),
              (status = 422, description = "Empty or too long", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentIn>,
) -> Result<Response> {
    let n = note::visible(&state, &me.user, &id).await?;
    let c = comments::add(&state, &me.user, &n, &body.body_markdown).await?;
    Ok((StatusCode::CREATED, Json(comment_out(&state, &me.user, c))).into_response())
}

/// The comments of a note, oldest first (whoever sees the note); keyset paging.
#[utoipa::path(get, path = "/api/v1/notes/{id}/comments", tag = "notes",
    params(("id" = String, Path, description = "Note id"), Paging),
    responses((status = 200, description = "OK", body = ListPage<CommentOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem), (status = 422, description = "Bad cursor", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<ListPage<CommentOut>>> {
    let n = note::visible(&state, &me.user, &id).await?;
    let (limit, after) = note::paging(q.limit, q.cursor.as_deref())?;
    let (items, next_cursor) = comments::list(&state, &me.user, &n, limit, after).await?;
    Ok(Json(ListPage {
        items: items
            .into_iter()
            .map(|c| comment_out(&state, &me.user, c))
            .collect(),
        next_cursor,
    }))
}

/// Changes a comment (its author, a facilitator of the note's community, an admin).
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "notes", request_body = CommentIn,
    params(("id" = String, Path, description = "Comment id")),
    responses((status = 200, description = "OK", body = CommentOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither author nor facilitator", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem), (status = 422, description = "Empty or too long", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentIn>,
) -> Result<Json<CommentOut>> {
    let c = comments::visible(&state, &me.user, &id).await?;
    let n = note::visible(&state, &me.user, &c.note_id).await?;
    let changed = comments::change(&state, &me.user, &n, &c, &body.body_markdown).await?;
    Ok(Json(comment_out(&state, &me.user, changed)))
}

/// Deletes a comment (its author, a facilitator of the note's community, an admin).
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "notes",
    params(("id" = String, Path, description = "Comment id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither author nor facilitator", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let c = comments::visible(&state, &me.user, &id).await?;
    comments::delete(&state, &me.user, &c).await?;
    Ok(StatusCode::NO_CONTENT)
}
