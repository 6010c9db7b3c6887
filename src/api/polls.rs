//! `/api/v1/…/polls`: date polls (datumprikkers): slots, answers, ranking and the decision that
//! turns the chosen slot into a meeting.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::meetings::{MeetingOut, meeting_out};
use crate::app::AppState;
use crate::auth::{CurrentUser, Member};
use crate::db;
use crate::domain::poll;
use crate::error::{Error, FieldError, Problem, Result};
use crate::mail::{self, PollMail};
use crate::meeting::{self, Location, MeetingInput};

/// A slot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotIn {
    /// Start (RFC 3339, any offset).
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
}

/// A new poll.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollIn {
    /// What the date is for, e.g. "Eerste online bijeenkomst".
    pub title: String,
    /// Two to twenty slots.
    pub options: Vec<SlotIn>,
    /// When answering closes.
    pub closes_at: Option<DateTime<FixedOffset>>,
}

/// A slot with its answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotOut {
    /// Option id.
    pub id: String,
    /// Start (in KRING_TIMEZONE).
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
    /// "Yes" answers.
    pub yes: i64,
    /// "Maybe" answers.
    pub maybe: i64,
    /// "No" answers.
    pub no: i64,
}

/// An answer for one slot.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// Option id.
    pub option_id: String,
    /// `yes`, `maybe` or `no`.
    pub answer: String,
}

/// A poll with its ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct PollOut {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `open` or `decided`.
    pub status: String,
    /// When answering closes.
    pub closes_at: Option<DateTime<FixedOffset>>,
    /// The slots, earliest first.
    pub options: Vec<SlotOut>,
    /// The caller's answers.
    pub my_answers: Vec<AnswerIn>,
    /// Most yes, then most maybe, then earliest.
    pub best_option_id: Option<String>,
    /// The meeting the decision created.
    pub meeting_id: Option<String>,
}

async fn poll_out(state: &AppState, p: db::polls::Poll, user_id: &str) -> Result<PollOut> {
    let tz = state.config.timezone;
    let tallies = db::polls::tallies(&state.db, &p.id).await?;
    let best = poll::best(&tallies.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>())
        .map(|t| t.id.clone());
    let mine = db::polls::answers_of(&state.db, &p.id, user_id).await?;
    Ok(PollOut {
        options: tallies
            .into_iter()
            .map(|(o, t)| SlotOut {
                id: o.id,
                starts_at: o.starts_at.with_timezone(&tz).fixed_offset(),
                ends_at: o.ends_at.with_timezone(&tz).fixed_offset(),
                yes: t.yes,
                maybe: t.maybe,
                no: t.no,
            })
            .collect(),
        my_answers: mine
            .into_iter()
            .map(|(option_id, answer)| AnswerIn { option_id, answer })
            .collect(),
        best_option_id: best,
        closes_at: p.closes_at.map(|c| c.with_timezone(&tz).fixed_offset()),
        id: p.id,
        title: p.title,
        status: p.status,
        meeting_id: p.meeting_id,
    })
}

/// Opens a date poll and e-mails the members (facilitator).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/polls", tag = "polls", request_body = PollIn,
    params(("slug" = String, Path, description = "Community slug")),
    responses((status = 201, description = "Opened; members are e-mailed", body = PollOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid poll", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<PollIn>,
) -> Result<Response> {
    member.require_facilitator()?;
    let mut errors = Vec::new();
    let title = body.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "invalid",
            "Geef de datumprikker een titel van hoogstens 200 tekens.",
        ));
    }
    if !(1..=20).contains(&body.options.len()) {
        errors.push(FieldError::new(
            "options",
            "invalid",
            "Stel één tot twintig momenten voor.",
        ));
    }
    if body.options.iter().any(|o| o.ends_at <= o.starts_at) {
        errors.push(FieldError::new(
            "options",
            "invalid",
            "Elk moment eindigt na het begin.",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    }
    let slots: Vec<_> = body
        .options
        .iter()
        .map(|o| {
            (
                o.starts_at.with_timezone(&Utc),
                o.ends_at.with_timezone(&Utc),
            )
        })
        .collect();
    let closes = body.closes_at.map(|c| c.with_timezone(&Utc));
    let tz = state.config.timezone;
    let mut tx = state.db.begin().await?;
    let (id, _) = db::polls::create(
        &mut tx,
        &member.community_id,
        &title,
        closes,
        &slots,
        state.clock.now(),
    )
    .await?;
    let url = format!(
        "{}/communities/{}/datumprikkers/{id}",
        state.config.base_url, member.slug
    );
    let slot_text: Vec<String> = slots
        .iter()
        .map(|(s, e)| {
            use chrono::Timelike;
            let (ls, le) = (s.with_timezone(&tz), e.with_timezone(&tz));
            format!(
                "{}, {}.{:02}–{}.{:02} uur",
                crate::format::date_nl(s, tz),
                ls.hour(),
                ls.minute(),
                le.hour(),
                le.minute()
            )
        })
        .collect();
    for (email, name) in db::polls::askees(&mut tx, &member.community_id).await? {
        let content = PollMail {
            name,
            community: member.name.clone(),
            title: title.clone(),
            slots: slot_text.clone(),
            url: url.clone(),
            closes: closes.map(|c| crate::format::datetime_nl(&c, tz)),
        };
        let mail = mail::render(&email, &content, &state.mail_context())?;
        db::outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    state.wake_worker();
    let (p, _) = db::polls::visible(&state.db, &id, &member.user.user.id, true)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(poll_out(&state, p, &member.user.user.id).await?),
    )
        .into_response())
}

async fn visible(
    state: &AppState,
    user: &crate::db::users::User,
    id: &str,
) -> Result<(db::polls::Poll, bool)> {
    let (p, role) = db::polls::visible(&state.db, id, &user.id, user.is_admin)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((p, role == "facilitator"))
}

/// A poll with counts per slot, the caller's answers and the best slot (members).
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "polls",
    params(("id" = String, Path, description = "Poll id")),
    responses((status = 200, description = "OK", body = PollOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PollOut>> {
    let (p, _) = visible(&state, &me.user, &id).await?;
    Ok(Json(poll_out(&state, p, &me.user.id).await?))
}

/// The caller's answers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersIn {
    /// One answer per slot (slots left out count as not answered).
    pub answers: Vec<AnswerIn>,
}

/// Replaces the caller's answers (members); `409 poll_closed` once decided or closed.
#[utoipa::path(put, path = "/api/v1/polls/{id}/answers", tag = "polls", request_body = AnswersIn,
    params(("id" = String, Path, description = "Poll id")),
    responses((status = 200, description = "Saved", body = PollOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 409, description = "Closed (`poll_closed`)", body = Problem),
              (status = 422, description = "Unknown slot or answer", body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswersIn>,
) -> Result<Json<PollOut>> {
    let (p, _) = visible(&state, &me.user, &id).await?;
    if p.status != "open" || p.closes_at.is_some_and(|c| c < state.clock.now()) {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "poll_closed",
            "Deze datumprikker is gesloten.",
        ));
    }
    let options: Vec<String> = db::polls::tallies(&state.db, &p.id)
        .await?
        .into_iter()
        .map(|(o, _)| o.id)
        .collect();
    let mut answers = Vec::new();
    for a in &body.answers {
        if !options.contains(&a.option_id) {
            return Err(Error::field(
                "validation_failed",
                "answers",
                "Dit moment hoort niet bij deze datumprikker.",
            ));
        }
        if !matches!(a.answer.as_str(), "yes" | "maybe" | "no") {
            return Err(Error::field(
                "validation_failed",
                "answers",
                "Kies yes, maybe of no.",
            ));
        }
        if answers
            .iter()
            .any(|(o, _): &(String, String)| *o == a.option_id)
        {
            return Err(Error::field(
                "validation_failed",
                "answers",
                "Geef per moment één antwoord.",
            ));
        }
        answers.push((a.option_id.clone(), a.answer.clone()));
    }
    let mut tx = state.db.begin().await?;
    db::polls::replace_answers(&mut tx, &p.id, &me.user.id, &answers).await?;
    tx.commit().await?;
    Ok(Json(poll_out(&state, p, &me.user.id).await?))
}

/// The meeting a decision creates (its time comes from the chosen slot).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionMeeting {
    /// Title (default: the poll's).
    pub title: Option<String>,
    /// `online`, `site_visit` or `hybrid`.
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// Join link.
    pub online_url: Option<String>,
    /// Venue.
    pub location: Option<Location>,
    /// Hosting municipality.
    pub host_organisation_code: Option<String>,
    /// Moderator.
    pub moderator_user_id: Option<String>,
}

/// A decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decide {
    /// The chosen slot.
    pub option_id: String,
    /// The meeting.
    pub meeting: DecisionMeeting,
}

/// Turns the chosen slot into a meeting (invitations go out) and closes the poll (facilitator).
#[utoipa::path(post, path = "/api/v1/polls/{id}/decide", tag = "polls", request_body = Decide,
    params(("id" = String, Path, description = "Poll id")),
    responses((status = 201, description = "The meeting", body = MeetingOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 409, description = "Decided already (`poll_closed`)", body = Problem), (status = 422, description = "Invalid meeting or slot", body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Decide>,
) -> Result<Response> {
    let (p, facilitator) = visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    if p.status != "open" {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "poll_closed",
            "Over deze datumprikker is al besloten.",
        ));
    }
    let tz = state.config.timezone;
    let (slot, _) = db::polls::tallies(&state.db, &p.id)
        .await?
        .into_iter()
        .find(|(o, _)| o.id == body.option_id)
        .ok_or_else(|| {
            Error::field(
                "validation_failed",
                "option_id",
                "Dit moment hoort niet bij deze datumprikker.",
            )
        })?;
    let m = body.meeting;
    let input = MeetingInput {
        title: m.title.unwrap_or_else(|| p.title.clone()),
        kind: m.kind,
        starts_at: Some(slot.starts_at.with_timezone(&tz).fixed_offset()),
        ends_at: Some(slot.ends_at.with_timezone(&tz).fixed_offset()),
        description: m.description.unwrap_or_default(),
        online_url: m.online_url,
        location: m.location,
        host_organisation_code: m.host_organisation_code,
        moderator_user_id: m.moderator_user_id,
    };
    let created =
        meeting::create_from_poll(&state, &p.community_id, &me.user.id, &input, &p.id).await?;
    Ok((StatusCode::CREATED, Json(meeting_out(&state, created))).into_response())
}
