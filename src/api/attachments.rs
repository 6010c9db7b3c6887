//! Attachments: uploading files to a meeting, listing them, downloading and removing one.
//! A file is visible exactly to those who see its parent.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::attachments::{self, Uploader};
use crate::auth::{Caller, Viewer};
use crate::db::attachments::{Attachment, Reader};
use crate::db::{self};
use crate::error::{Error, Problem, Result};
use crate::meeting::speakers::{self, Access};

/// A multipart upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file (at most `KRING_MAX_UPLOAD_MB`).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A stored file.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    /// Id.
    pub id: String,
    /// File name.
    pub filename: String,
    /// Media type as uploaded (always served as a download).
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Uploaded at.
    pub created_at: DateTime<FixedOffset>,
    /// Where to download it.
    pub url: String,
}

impl AttachmentOut {
    /// The JSON form.
    pub fn new(state: &AppState, a: Attachment) -> Self {
        Self {
            url: format!("/api/v1/attachments/{}", a.id),
            created_at: a
                .created_at
                .with_timezone(&state.config.timezone)
                .fixed_offset(),
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
        }
    }
}

/// Uploads a file to a meeting, e.g. a speaker's slides (facilitators, and the meeting's guest
/// speakers). Multipart with the file in the field `file`.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/attachments", tag = "attachments",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 201, description = "Stored", body = AttachmentOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator or speaker", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 413, description = "`file_too_large`", body = Problem),
              (status = 422, description = "`file_required` or `file_empty`", body = Problem)))]
pub async fn upload_to_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let (meeting, access) = speakers::viewed(&state, &viewer, &id).await?;
    let uploader = match (&viewer, access) {
        (Viewer::User(user), Access::Facilitator) => Uploader::User(&user.user.id),
        (Viewer::Guest(guest), Access::Speaker) => Uploader::Speaker(&guest.speaker.id),
        _ => return Err(Error::Forbidden),
    };
    let stored =
        attachments::receive(&state, form, ("meeting", &meeting.id), uploader, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentOut::new(&state, stored)),
    )
        .into_response())
}

/// The files of a meeting (members; a guest speaker sees their own uploads).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/attachments", tag = "attachments",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "OK", body = Vec<AttachmentOut>), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn of_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttachmentOut>>> {
    let (meeting, _) = speakers::viewed(&state, &viewer, &id).await?;
    let files = db::attachments::of_parent(&state.db, "meeting", &meeting.id).await?;
    let guest = match &viewer {
        Viewer::Guest(guest) => Some(guest.speaker.id.as_str()),
        Viewer::User(_) => None,
    };
    Ok(Json(
        files
            .into_iter()
            .filter(|a| guest.is_none_or(|g| a.speaker_id.as_deref() == Some(g)))
            .map(|a| AttachmentOut::new(&state, a))
            .collect(),
    ))
}

fn reader(viewer: &Viewer) -> Reader<'_> {
    match viewer {
        Viewer::User(user) => Reader {
            user_id: Some(&user.user.id),
            is_admin: user.user.is_admin,
            speaker_id: None,
        },
        Viewer::Guest(guest) => Reader {
            user_id: None,
            is_admin: false,
            speaker_id: Some(&guest.speaker.id),
        },
    }
}

/// Downloads a file: always `Content-Disposition: attachment` with `X-Content-Type-Options:
/// nosniff`, never shown inline (whoever may see its parent). Files of public practice examples
/// need no sign-in; for any other file an anonymous caller gets `401`.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments", security((), ("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream"),
              (status = 401, description = "Not signed in (and not a file of a public practice example)", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let reader = match &caller {
        Caller::User(user) => Reader {
            user_id: Some(&user.user.id),
            is_admin: user.user.is_admin,
            speaker_id: None,
        },
        Caller::Guest(guest) => Reader {
            user_id: None,
            is_admin: false,
            speaker_id: Some(&guest.speaker.id),
        },
        Caller::Anonymous => Reader {
            user_id: None,
            is_admin: false,
            speaker_id: None,
        },
    };
    let Some((attachment, _)) = db::attachments::visible(&state.db, &id, reader).await? else {
        // Signing in may help an anonymous caller; to everyone else the file does not exist.
        return Err(match caller {
            Caller::Anonymous => Error::Unauthorized,
            _ => Error::NotFound,
        });
    };
    attachments::download(&state, &attachment).await
}

/// Removes a file (its uploader, or a facilitator of the parent's community).
#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "attachments",
    params(("id" = String, Path, description = "Attachment id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not the uploader or a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let (attachment, facilitates) = db::attachments::visible(&state.db, &id, reader(&viewer))
        .await?
        .ok_or(Error::NotFound)?;
    let own = match &viewer {
        Viewer::User(user) => attachment.user_id.as_deref() == Some(user.user.id.as_str()),
        Viewer::Guest(guest) => attachment.speaker_id.as_deref() == Some(guest.speaker.id.as_str()),
    };
    if !(own || facilitates) {
        return Err(Error::Forbidden);
    }
    attachments::remove(&state, &attachment).await?;
    Ok(StatusCode::NO_CONTENT)
}
