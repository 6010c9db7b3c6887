//! The files of a practice example: uploading on its card (a multipart form with its CSRF field
//! first) and removing for whoever may change the example, and the thumbnails of its photos for
//! whoever may see it.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::{Button, back, load};
use crate::app::AppState;
use crate::attachments;
use crate::auth::{CsrfForm, CurrentUser, MaybeUser};
use crate::db;
use crate::db::users::User;
use crate::error::{Error, Result};
use crate::practice;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/praktijkvoorbeelden/{id}/bestanden",
            // The storage counts the bytes and refuses a file over the limit itself.
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/praktijkvoorbeelden/{id}/bestanden/{file}/verwijderen",
            post(remove_file),
        )
        .route("/praktijkvoorbeelden/{id}/fotos/{file}", get(photo))
}

async fn upload(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    let error = match practice::attach(&state, &me.user, &p, form, Some(&page.csrf)).await {
        Ok(_) => return Ok(back(&p.id, "bestand")),
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
    let mut view = load(&state, page, p).await?;
    view.errors.add("upload_file", message);
    render(status, &view)
}

/// The attachment `file` of the example `id`, if the caller may see the example.
async fn file_of(
    state: &AppState,
    user: Option<&User>,
    id: &str,
    file: &str,
) -> Result<(db::attachments::Attachment, bool)> {
    let reader = db::attachments::Reader {
        user_id: user.map(|u| u.id.as_str()),
        is_admin: user.is_some_and(|u| u.is_admin),
        speaker_id: None,
    };
    db::attachments::visible(&state.db, file, reader)
        .await?
        .filter(|(a, _)| a.parent_kind == "practice" && a.parent_id == id)
        .ok_or(Error::NotFound)
}

async fn remove_file(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, file)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Button>,
) -> Result<Response> {
    let (file, may_change) = file_of(&state, Some(&me.user), &id, &file).await?;
    if !may_change {
        return Err(Error::Forbidden);
    }
    attachments::remove(&state, &file).await?;
    Ok(back(&id, "bestand-verwijderd"))
}

/// `/praktijkvoorbeelden/{id}/fotos/{file}.jpg`: the thumbnail kring made of a photo, for whoever
/// may see the example.
async fn photo(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    let file = file.strip_suffix(".jpg").ok_or(Error::NotFound)?;
    let user = user.map(|u| u.user);
    let (attachment, _) = file_of(&state, user.as_ref(), &id, file).await?;
    crate::thumbnails::serve(&state, &attachment).await
}
