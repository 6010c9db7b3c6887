//! The guest speakers on the meeting page `/bijeenkomsten/{id}`: who speaks, for every member;
//! for facilitators also their addresses, the invitation form and removing a speaker.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;

use super::detail;
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::meetings::Meeting;
use crate::error::{Error, FieldError, Result};
use crate::meeting::{self, speakers};
use crate::web::{FormErrors, Page, render};

/// Inviting and removing speakers.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bijeenkomsten/{id}/sprekers", post(invite))
        .route(
            "/bijeenkomsten/{id}/sprekers/{speaker}/verwijderen",
            post(remove),
        )
}

/// A speaker as the meeting page shows them.
pub struct SpeakerView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Short biography.
    pub bio: String,
    /// E-mail address (facilitators only).
    pub email: Option<String>,
}

/// The invitation form as the browser sends it, kept as typed. The field names carry a prefix
/// so that they do not clash with the meeting form on the same page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    /// Name.
    pub speaker_name: String,
    /// E-mail address.
    pub speaker_email: String,
    /// Organisation.
    pub speaker_organisation: String,
    /// Short biography.
    pub speaker_bio: String,
}

/// The speakers section of the meeting page.
pub struct Section {
    /// The meeting's speakers in the order they were invited.
    pub speakers: Vec<SpeakerView>,
    /// The invitation form (facilitators).
    pub form: InviteForm,
}

/// The speakers of `m`; addresses only for facilitators.
pub async fn section(state: &AppState, m: &Meeting, is_facilitator: bool) -> Result<Section> {
    let speakers = db::speakers::of_meeting(&state.db, &m.id)
        .await?
        .into_iter()
        .map(|s| SpeakerView {
            id: s.id,
            name: s.name,
            organisation: s.organisation,
            bio: s.bio,
            email: is_facilitator.then_some(s.email),
        })
        .collect();
    Ok(Section {
        speakers,
        form: InviteForm::default(),
    })
}

async fn invite(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let input = speakers::SpeakerInput {
        name: form.speaker_name.clone(),
        email: form.speaker_email.clone(),
        organisation: Some(form.speaker_organisation.clone()),
        bio: Some(form.speaker_bio.clone()),
    };
    let error = match speakers::invite(&state, &m, &me.user, &input).await {
        Ok(_) => return Ok(detail::back(&m.id, "spreker")),
        Err(error) => error,
    };
    let status = error.status();
    let (errors, problem) = match error {
        Error::Validation { errors, .. } => (
            errors
                .into_iter()
                .map(|e| FieldError::new(&format!("speaker_{}", e.field), &e.code, e.message))
                .collect(),
            None,
        ),
        Error::Refused {
            code: "duplicate_speaker",
            detail,
            ..
        } => (
            vec![FieldError::new(
                "speaker_email",
                "duplicate_speaker",
                detail,
            )],
            None,
        ),
        Error::Refused { detail, .. } => (Vec::new(), Some(detail)),
        other => return Err(other),
    };
    let mut view = detail::load(&state, page, &me.user, m, true).await?;
    view.errors = FormErrors(errors);
    view.problem = problem;
    view.speakers.form = form;
    render(status, &view)
}

/// A form of one button: nothing but the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Button {}

async fn remove(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, speaker)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Button>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    speakers::remove(&state, &m, &speaker).await?;
    Ok(detail::back(&m.id, "spreker-verwijderd"))
}
