//! `/api/v1/…/notes`: notes of a community with tags, visibility and files. Members write; the
//! author, a facilitator of the note's community and admins change and delete. A note the caller
//! may not see is `404`, exactly like a missing one.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::attachments::AttachmentOut;
use super::{ApiJson, ApiQuery, ListPage};
use crate::app::AppState;
use crate::auth::{CurrentUser, Member};
use crate::db::notes::Note;
use crate::error::{Problem, Result};
use crate::note::{self, Change, Draft};

/// The body limit of writing a note: a body of 100,000 characters can take more than the general
/// limit once encoded.
pub fn body_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024)
}

/// Who wrote a note or comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorOut {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Name of their organisation, if known.
    pub organisation: Option<String>,
}

/// The author, `None` once the account is gone ("Voormalig deelnemer" on the pages).
pub fn author_out(
    id: Option<String>,
    name: Option<String>,
    organisation: Option<String>,
) -> Option<AuthorOut> {
    match (id, name) {
        (Some(id), Some(name)) => Some(AuthorOut {
            id,
            name,
            organisation,
        }),
        _ => None,
    }
}

/// A note.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    /// Id.
    pub id: String,
    /// Slug of the note's community.
    pub community: String,
    /// Title.
    pub title: String,
    /// Body as written (Markdown).
    pub body_markdown: String,
    /// Body as sanitised HTML; its headings start at `<h2>`.
    pub body_html: String,
    /// Tags (lower-case words).
    pub tags: Vec<String>,
    /// `community` (members of its community) or `programme` (members of every community of
    /// the community's programme).
    pub visibility: String,
    /// Who wrote it; `null` once that account is gone.
    pub author: Option<AuthorOut>,
    /// Number of comments.
    pub comment_count: i64,
    /// True when the caller may change or delete it (and attach files).
    pub can_edit: bool,
    /// Its files (on a single note; left out in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentOut>>,
    /// Written at (in KRING_TIMEZONE).
    pub created_at: DateTime<FixedOffset>,
    /// Last edit.
    pub updated_at: DateTime<FixedOffset>,
}

/// The JSON form of a note as `me` sees it.
pub fn note_out(state: &AppState, me: &crate::db::users::User, n: Note) -> NoteOut {
    let tz = state.config.timezone;
    NoteOut {
        can_edit: n.may_change(note::reader(me)),
        tags: n.tag_list(),
        created_at: n.created_at.with_timezone(&tz).fixed_offset(),
        updated_at: n.updated_at.with_timezone(&tz).fixed_offset(),
        author: author_out(n.author_id, n.author_name, n.author_organisation),
        id: n.id,
        community: n.community_slug,
        title: n.title,
        body_markdown: n.body_markdown,
        body_html: n.body_html,
        visibility: n.visibility,
        comment_count: n.comment_count,
        attachments: None,
    }
}

/// A new note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// Body (Markdown, at most 100,000 characters).
    #[serde(default)]
    pub body_markdown: String,
    /// At most 10 tags: words of letters, digits and hyphens (lower-cased, accents folded).
    #[serde(default)]
    pub tags: Vec<String>,
    /// `community` (default) or `programme`.
    pub visibility: Option<String>,
}

/// Writes a note in a community (members). `@Name` in the body e-mails that member: their whole
/// display name, or a first name only one member who can see the note has, ignoring case.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/notes", tag = "notes", request_body = NoteIn,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 201, description = "Written", body = NoteOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 404, description = "Not found or not a member", body = Problem),
              (status = 422, description = "Invalid note (`validation_failed`, `unknown_field`)", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<NoteIn>,
) -> Result<Response> {
    let draft = Draft {
        title: body.title,
        body_markdown: body.body_markdown,
        tags: body.tags,
        visibility: body.visibility,
    };
    let me = &member.user.user;
    let created = note::create(&state, me, &member.community_id, &draft).await?;
    let mut out = note_out(&state, me, created);
    out.attachments = Some(Vec::new());
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `?tag=&limit=&cursor=` of the note list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoteQuery {
    /// Only notes with this tag.
    pub tag: Option<String>,
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The notes of a community, newest first (members): the community's own notes and the notes
/// that other communities of the same programme share with the whole programme (their
/// `community` tells them apart). Keyset paging: the cursor holds the last note's time and id, so
/// pages stay stable while new notes arrive.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/notes", tag = "notes",
    params(("slug" = String, Path, description = "Community slug"), NoteQuery),
    responses((status = 200, description = "OK", body = ListPage<NoteOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not a member", body = Problem), (status = 422, description = "Bad tag or cursor", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(q): ApiQuery<NoteQuery>,
) -> Result<Json<ListPage<NoteOut>>> {
    let me = &member.user.user;
    let (limit, after) = note::paging(q.limit, q.cursor.as_deref())?;
    let (notes, next_cursor) = note::list(
        &state,
        me,
        &member.community_id,
        q.tag.as_deref(),
        limit,
        after,
    )
    .await?;
    Ok(Json(ListPage {
        items: notes.into_iter().map(|n| note_out(&state, me, n)).collect(),
        next_cursor,
    }))
}

/// A note with its files (whoever may see it).
#[utoipa::path(get, path = "/api/v1/notes/{id}", tag = "notes",
    params(("id" = String, Path, description = "Note id")),
    responses((status = 200, description = "OK", body = NoteOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<NoteOut>> {
    let n = note::visible(&state, &me.user, &id).await?;
    let files = note::files(&state, &n).await?;
    let mut out = note_out(&state, &me.user, n);
    out.attachments = Some(
        files
            .into_iter()
            .map(|a| AttachmentOut::new(&state, a))
            .collect(),
    );
    Ok(Json(out))
}

/// Changes to a note; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotePatch {
    /// Title.
    pub title: Option<String>,
    /// Body (Markdown).
    pub body_markdown: Option<String>,
    /// Tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// `community` or `programme`.
    pub visibility: Option<String>,
}

/// Changes a note (its author, a facilitator of its community, an admin). Members mentioned for
/// the first time are e-mailed.
#[utoipa::path(patch, path = "/api/v1/notes/{id}", tag = "notes", request_body = NotePatch,
    params(("id" = String, Path, description = "Note id")),
    responses((status = 200, description = "OK", body = NoteOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither author nor facilitator", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem), (status = 422, description = "Invalid change", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NotePatch>,
) -> Result<Json<NoteOut>> {
    let n = note::visible(&state, &me.user, &id).await?;
    let change = Change {
        title: body.title,
        body_markdown: body.body_markdown,
        tags: body.tags,
        visibility: body.visibility,
    };
    let changed = note::change(&state, &me.user, &n, &change).await?;
    Ok(Json(note_out(&state, &me.user, changed)))
}

/// Deletes a note with its comments and files (its author, a facilitator of its community, an
/// admin); its files are `404` from then on.
#[utoipa::path(delete, path = "/api/v1/notes/{id}", tag = "notes",
    params(("id" = String, Path, description = "Note id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither author nor facilitator", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let n = note::visible(&state, &me.user, &id).await?;
    note::delete(&state, &me.user, &n).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attaches a file to a note (its author, a facilitator of its community, an admin). Multipart
/// with the file in the field `file`; it is visible exactly to those who see the note.
#[utoipa::path(post, path = "/api/v1/notes/{id}/attachments", tag = "notes",
    request_body(content = super::attachments::UploadForm, content_type = "multipart/form-data"),
    params(("id" = String, Path, description = "Note id")),
    responses((status = 201, description = "Stored", body = AttachmentOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Neither author nor facilitator", body = Problem),
              (status = 404, description = "Not found or not visible", body = Problem), (status = 413, description = "`file_too_large`", body = Problem),
              (status = 422, description = "`file_required` or `file_empty`", body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let n = note::visible(&state, &me.user, &id).await?;
    let stored = note::attach(&state, &me.user, &n, form, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentOut::new(&state, stored)),
    )
        .into_response())
}
