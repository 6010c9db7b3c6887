//! The files of a meeting on its page `/bijeenkomsten/{id}`: the list with download links for
//! every member; uploading for facilitators (a multipart form with its CSRF field first), and
//! removing a file for its uploader or a facilitator.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;

use super::detail;
use crate::app::AppState;
use crate::attachments::{self, Uploader};
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::attachments::Reader;
use crate::db::meetings::Meeting;
use crate::db::users::User;
use crate::error::{Error, Result};
use crate::format::{bytes_nl, date_nl};
use crate::meeting;
use crate::web::{Page, render};

/// Uploading and removing files.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/bijeenkomsten/{id}/bestanden",
            // The storage counts the bytes and refuses a file over the limit itself.
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/bijeenkomsten/{id}/bestanden/{file}/verwijderen",
            post(remove),
        )
}

/// A file as the meeting page lists it.
pub struct FileView {
    /// Id (the download is `/api/v1/attachments/{id}`).
    pub id: String,
    /// File name.
    pub filename: String,
    /// "3,4 MB".
    pub size: String,
    /// Who uploaded it: a member's or a guest speaker's name.
    pub uploader: String,
    /// "dinsdag 16 maart 2027".
    pub date: String,
    /// The viewer may remove it (its uploader or a facilitator).
    pub may_remove: bool,
}

/// The files section of the meeting page.
pub struct Section {
    /// Files, oldest first.
    pub files: Vec<FileView>,
    /// Largest upload in MB.
    pub max_mb: usize,
}

/// The files of `m` as `me` sees them.
pub async fn section(
    state: &AppState,
    me: &User,
    m: &Meeting,
    facilitator: bool,
) -> Result<Section> {
    let tz = state.config.timezone;
    let files = db::attachments::of_parent_with_uploader(&state.db, "meeting", &m.id)
        .await?
        .into_iter()
        .map(|(a, uploader)| FileView {
            may_remove: facilitator || a.user_id.as_deref() == Some(me.id.as_str()),
            size: bytes_nl(a.size),
            uploader: uploader.unwrap_or_else(|| "onbekend".into()),
            date: date_nl(&a.created_at, tz),
            id: a.id,
            filename: a.filename,
        })
        .collect();
    Ok(Section {
        files,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
    })
}

async fn upload(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let parent = ("meeting", m.id.as_str());
    let uploader = Uploader::User(&me.user.id);
    let error = match attachments::receive(&state, form, parent, uploader, Some(&page.csrf)).await {
        Ok(_) => return Ok(detail::back(&m.id, "bestand")),
        Err(Error::PayloadTooLarge) => attachments::too_large(state.config.max_upload_bytes as u64),
        Err(error) => error,
    };
    // Beside the file field, with the status of the refusal (413 for a file over the limit).
    let message = match &error {
        Error::Validation { errors, .. } => errors.first().map_or_else(
            || "Het bestand kon niet worden opgeslagen.".into(),
            |e| e.message.clone(),
        ),
        Error::Refused { detail, .. } => detail.clone(),
        _ => return Err(error),
    };
    let status = error.status();
    let mut view = detail::load(&state, page, &me.user, m, true).await?;
    view.errors.add("upload_file", message);
    render(status, &view)
}

/// A form of one button: nothing but the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Button {}

async fn remove(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, file)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Button>,
) -> Result<Response> {
    let (m, _) = meeting::visible(&state, &me.user, &id).await?;
    let reader = Reader {
        user_id: Some(&me.user.id),
        is_admin: me.user.is_admin,
        speaker_id: None,
    };
    let (file, facilitates) = db::attachments::visible(&state.db, &file, reader)
        .await?
        .filter(|(a, _)| a.parent_kind == "meeting" && a.parent_id == m.id)
        .ok_or(Error::NotFound)?;
    if !(facilitates || file.user_id.as_deref() == Some(me.user.id.as_str())) {
        return Err(Error::Forbidden);
    }
    attachments::remove(&state, &file).await?;
    Ok(detail::back(&m.id, "bestand-verwijderd"))
}
