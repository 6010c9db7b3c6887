//! Guest speakers of a meeting: inviting (a personal guest link by e-mail) and removing them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::speakers::Speaker;
use crate::error::{Problem, Result};
use crate::meeting::{self, speakers};

/// A speaker to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerIn {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// E-mail address: the guest link goes here.
    #[serde(default)]
    pub email: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Short biography.
    pub bio: Option<String>,
}

/// The new speaker's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpeakerCreated {
    /// Id (use it as `speaker_id` on agenda items).
    pub id: String,
}

/// A speaker of a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpeakerOut {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Short biography.
    pub bio: String,
    /// E-mail address (facilitators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl SpeakerOut {
    /// The JSON form; the address only for facilitators.
    pub fn new(s: Speaker, with_email: bool) -> Self {
        Self {
            id: s.id,
            name: s.name,
            organisation: s.organisation,
            bio: s.bio,
            email: with_email.then_some(s.email),
        }
    }
}

/// Invites a guest speaker, who gets an e-mail with a personal guest link that shows this meeting
/// only (details, agenda, join link) and lets them upload slides; the link works until a week
/// after the meeting (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/speakers", tag = "meetings", request_body = SpeakerIn,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 201, description = "Invited; the e-mail is queued", body = SpeakerCreated),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a facilitator", body = Problem),
              (status = 404, description = "Not found", body = Problem),
              (status = 409, description = "`duplicate_speaker` (address already invited) or `meeting_cancelled`", body = Problem),
              (status = 422, description = "Invalid name or address", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SpeakerIn>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let input = speakers::SpeakerInput {
        name: body.name,
        email: body.email,
        organisation: body.organisation,
        bio: body.bio,
    };
    let id = speakers::invite(&state, &m, &me.user, &input).await?;
    Ok((StatusCode::CREATED, Json(SpeakerCreated { id })).into_response())
}

/// Removes a speaker; their guest link stops working at once (facilitator).
#[utoipa::path(delete, path = "/api/v1/meetings/{id}/speakers/{speaker_id}", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id"), ("speaker_id" = String, Path, description = "Speaker id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, speaker_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    speakers::remove(&state, &m, &speaker_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
