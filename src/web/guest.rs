//! `/gast/{token}`: a guest speaker's page. The personal link from the invitation shows that one
//! meeting (details, agenda, join link) and lets the speaker upload slides; it works until a week
//! after the meeting. Opening it also sets a guest cookie, under which every other community and
//! meeting URL is `404`.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{Page, render};
use crate::app::AppState;
use crate::attachments::{self, Uploader};
use crate::auth::{self, CsrfForm};
use crate::db::attachments::Attachment;
use crate::db::meetings::Meeting;
use crate::db::speakers::Speaker;
use crate::db::{self};
use crate::error::{Error, Result};
use crate::meeting::{self, speakers};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/gast/{token}", get(show))
        .route(
            "/gast/{token}/dia",
            post(upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/gast/{token}/bestanden/{id}", get(download))
        .route("/gast/{token}/bestanden/{id}/verwijderen", post(remove))
}

struct AgendaRow {
    at: String,
    title: String,
    minutes: i64,
    speaker: Option<String>,
}

struct FileRow {
    id: String,
    filename: String,
    size: String,
}

#[derive(Template)]
#[template(path = "guest/show.html")]
struct Show {
    page: Page,
    token: String,
    speaker: Speaker,
    meeting: Meeting,
    when: String,
    place: String,
    agenda: Vec<AgendaRow>,
    files: Vec<FileRow>,
    valid_until: String,
    notice: Option<&'static str>,
    problem: Option<String>,
    max_mb: usize,
}

#[derive(Template)]
#[template(path = "guest/unknown.html")]
struct Unknown {
    page: Page,
}

#[derive(Deserialize)]
struct Notice {
    melding: Option<String>,
}

/// The speaker and meeting of a guest link, or the Dutch "unknown or expired" page.
async fn resolve(
    state: &AppState,
    page: &Page,
    token: &str,
) -> std::result::Result<(Speaker, Meeting), Response> {
    let found = async {
        let speaker =
            db::speakers::by_token(&state.db, &auth::hash_secret(token), state.clock.now())
                .await?
                .ok_or(Error::NotFound)?;
        let meeting = speakers::guest_meeting(state, &speaker, &speaker.meeting_id).await?;
        Ok::<_, Error>((speaker, meeting))
    }
    .await;
    match found {
        Ok(found) => Ok(found),
        Err(Error::NotFound) => Err(
            render(StatusCode::NOT_FOUND, &Unknown { page: page.clone() })
                .unwrap_or_else(IntoResponse::into_response),
        ),
        Err(err) => Err(err.into_response()),
    }
}

fn own_files(files: Vec<Attachment>, speaker: &Speaker) -> Vec<FileRow> {
    files
        .into_iter()
        .filter(|a| a.speaker_id.as_deref() == Some(speaker.id.as_str()))
        .map(|a| FileRow {
            size: crate::format::bytes_nl(a.size),
            id: a.id,
            filename: a.filename,
        })
        .collect()
}

async fn page_for(
    state: &AppState,
    page: Page,
    token: String,
    (speaker, meeting): (Speaker, Meeting),
    notice: Option<&'static str>,
    problem: Option<String>,
) -> Result<Show> {
    use chrono::Timelike;
    let tz = state.config.timezone;
    let agenda = meeting::agenda::load(state, &meeting).await?;
    let names: std::collections::HashMap<String, String> =
        db::speakers::of_meeting(&state.db, &meeting.id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
    let agenda = agenda
        .items
        .into_iter()
        .map(|p| {
            let at = p.starts_at.with_timezone(&tz);
            AgendaRow {
                at: format!("{}.{:02}", at.hour(), at.minute()),
                speaker: p
                    .item
                    .speaker_id
                    .as_ref()
                    .and_then(|id| names.get(id).cloned()),
                title: p.item.title,
                minutes: p.item.duration_minutes,
            }
        })
        .collect();
    let files = own_files(
        db::attachments::of_parent(&state.db, "meeting", &meeting.id).await?,
        &speaker,
    );
    Ok(Show {
        page,
        token,
        when: meeting::when_nl(&meeting, tz),
        place: meeting::place(&meeting),
        valid_until: crate::format::date_nl(&speakers::link_valid_until(&meeting), tz),
        speaker,
        meeting,
        agenda,
        files,
        notice,
        problem,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
    })
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let found = match resolve(&state, &page, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let until = speakers::link_valid_until(&found.1);
    let notice = match q.melding.as_deref() {
        Some("geupload") => Some("Je bestand is opgeslagen. De organisator kan het nu downloaden."),
        Some("verwijderd") => Some("Het bestand is verwijderd."),
        _ => None,
    };
    let view = page_for(&state, page, token.clone(), found, notice, None).await?;
    let cookie = auth::guest_cookie(token, state.config.is_https(), until, state.clock.now());
    Ok((CookieJar::new().add(cookie), render(StatusCode::OK, &view)?).into_response())
}

async fn upload(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let found = match resolve(&state, &page, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let parent = ("meeting", found.1.id.as_str());
    let result = attachments::receive(
        &state,
        form,
        parent,
        Uploader::Speaker(&found.0.id),
        Some(&page.csrf),
    )
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/gast/{token}?melding=geupload")).into_response()),
        Err(err @ (Error::Validation { .. } | Error::Refused { .. } | Error::PayloadTooLarge)) => {
            let status = err.status();
            let message = match &err {
                Error::Validation { errors, .. } => errors.first().map_or_else(
                    || "Het bestand kon niet worden opgeslagen.".into(),
                    |e| e.message.clone(),
                ),
                Error::Refused { detail, .. } => detail.clone(),
                _ => "Het bestand is te groot.".into(),
            };
            let view = page_for(&state, page, token, found, None, Some(message)).await?;
            render(status, &view)
        }
        Err(err) => Err(err),
    }
}

async fn own_file(
    state: &AppState,
    speaker: &Speaker,
    meeting: &Meeting,
    id: &str,
) -> Result<Attachment> {
    db::attachments::of_parent(&state.db, "meeting", &meeting.id)
        .await?
        .into_iter()
        .find(|a| a.id == id && a.speaker_id.as_deref() == Some(speaker.id.as_str()))
        .ok_or(Error::NotFound)
}

async fn download(
    State(state): State<AppState>,
    page: Page,
    Path((token, id)): Path<(String, String)>,
) -> Result<Response> {
    let (speaker, meeting) = match resolve(&state, &page, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let file = own_file(&state, &speaker, &meeting, &id).await?;
    attachments::download(&state, &file).await
}

#[derive(Deserialize)]
struct Empty {}

async fn remove(
    State(state): State<AppState>,
    page: Page,
    Path((token, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let (speaker, meeting) = match resolve(&state, &page, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let file = own_file(&state, &speaker, &meeting, &id).await?;
    attachments::remove(&state, &file).await?;
    Ok(Redirect::to(&format!("/gast/{token}?melding=verwijderd")).into_response())
}
