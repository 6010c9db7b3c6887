//! Minutes (beknopt gespreksverslag): a template from agenda and attendance, drafts that only
//! facilitators see, publication that e-mails the members, and action items that stay open.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::meetings::Meeting;
use crate::db::minutes::NewAction;
use crate::domain::markdown;
use crate::error::{Error, FieldError, Problem, Result};
use crate::mail::{self, MinutesMail};

/// An action item.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActionOut {
    /// Id.
    pub id: String,
    /// What to do.
    pub text: String,
    /// Owner, a member.
    pub owner_user_id: Option<String>,
    /// Owner, by name.
    pub owner_name: Option<String>,
    /// Due date.
    pub due_date: Option<String>,
    /// Done.
    pub done: bool,
    /// The meeting it was agreed at.
    pub meeting_id: String,
}

impl From<db::minutes::Action> for ActionOut {
    fn from(a: db::minutes::Action) -> Self {
        Self {
            id: a.id,
            text: a.text,
            owner_user_id: a.owner_user_id,
            owner_name: a.owner_name,
            due_date: a.due_date,
            done: a.done,
            meeting_id: a.meeting_id,
        }
    }
}

/// Minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinutesOut {
    /// Markdown.
    pub body_markdown: String,
    /// Sanitised HTML of the Markdown.
    pub body_html: String,
    /// Decisions.
    pub decisions: Vec<String>,
    /// Action items.
    pub actions: Vec<ActionOut>,
    /// `draft` or `published`.
    pub status: String,
    /// Publication.
    pub published_at: Option<DateTime<FixedOffset>>,
}

async fn minutes_out(state: &AppState, meeting: &Meeting) -> Result<Option<MinutesOut>> {
    let Some(m) = db::minutes::get(&state.db, &meeting.id).await? else {
        return Ok(None);
    };
    let actions = db::minutes::actions_of(&state.db, &meeting.id)
        .await?
        .into_iter()
        .map(ActionOut::from)
        .collect();
    Ok(Some(MinutesOut {
        body_html: markdown::render(&m.body_markdown).into_string(),
        decisions: serde_json::from_str(&m.decisions).unwrap_or_default(),
        actions,
        status: m.status,
        published_at: m
            .published_at
            .map(|p| p.with_timezone(&state.config.timezone).fixed_offset()),
        body_markdown: m.body_markdown,
    }))
}

/// The minutes: facilitators always, members once published (a draft is `404` to them).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/minutes", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "OK", body = MinutesOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 404, description = "Not found, not visible, or a draft for a member", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<MinutesOut>> {
    let (meeting, facilitator) = super::meetings::visible(&state, &me.user, &id).await?;
    let minutes = minutes_out(&state, &meeting)
        .await?
        .ok_or(Error::NotFound)?;
    if minutes.status != "published" && !facilitator {
        return Err(Error::NotFound);
    }
    Ok(Json(minutes))
}

/// A drafted text.
#[derive(Debug, Serialize, ToSchema)]
pub struct Template {
    /// Markdown drafted from the agenda and the attendance.
    pub body_markdown: String,
}

/// Drafts minutes from the agenda and the attendance (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/template", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "A draft text", body = Template), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn template(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Template>> {
    let (meeting, facilitator) = super::meetings::visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    let agenda = db::agenda::of_meeting(&state.db, &meeting.id).await?;
    let present = db::meetings::attendance(&state.db, &meeting.id).await?;
    let members = db::communities::members(&state.db, &meeting.community_id).await?;
    let names: Vec<String> = members
        .iter()
        .filter(|m| present.contains(&m.user_id))
        .map(|m| match &m.organisation {
            Some(org) => format!("{} ({org})", m.name),
            None => m.name.clone(),
        })
        .collect();
    let open =
        db::minutes::open_before(&state.db, &meeting.community_id, meeting.starts_at).await?;
    let mut body = format!(
        "# Verslag: {}\n\n{} · {}\n\n## Aanwezig\n\n",
        meeting.title,
        crate::meeting::when_nl(&meeting, state.config.timezone),
        crate::meeting::place(&meeting)
    );
    if names.is_empty() {
        body.push_str("_Nog niet vastgelegd._\n");
    } else {
        for n in &names {
            body.push_str(&format!("- {n}\n"));
        }
    }
    if !open.is_empty() {
        body.push_str("\n## Openstaande actiepunten\n\n");
        for a in &open {
            body.push_str(&format!("- {}\n", a.text));
        }
    }
    for (i, item) in agenda.iter().enumerate() {
        body.push_str(&format!("\n## {}. {}\n\n", i + 1, item.title));
    }
    if agenda.is_empty() {
        body.push_str("\n## Besproken\n\n");
    }
    body.push_str("\n## Afspraken\n\n");
    Ok(Json(Template {
        body_markdown: body,
    }))
}

/// An action item to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// What to do.
    pub text: String,
    /// Owner, a member.
    pub owner_user_id: Option<String>,
    /// Owner, by name.
    pub owner_name: Option<String>,
    /// Due date (YYYY-MM-DD).
    pub due_date: Option<String>,
}

/// Minutes to save as a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesIn {
    /// Markdown.
    pub body_markdown: String,
    /// Decisions.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// Action items (replace the earlier ones of this meeting).
    #[serde(default)]
    pub actions: Vec<ActionIn>,
}

/// Saves the minutes as a draft, visible to facilitators only (facilitator).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/minutes", tag = "meetings", request_body = MinutesIn,
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "Saved as draft", body = MinutesOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "Not found", body = Problem),
              (status = 422, description = "Invalid minutes", body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MinutesIn>,
) -> Result<Json<MinutesOut>> {
    let (meeting, facilitator) = super::meetings::visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    let mut errors = Vec::new();
    if body.body_markdown.len() > 100_000 {
        errors.push(FieldError::new(
            "body_markdown",
            "invalid",
            "Een verslag is hoogstens 100.000 tekens lang.",
        ));
    }
    let members: Vec<String> = db::communities::members(&state.db, &meeting.community_id)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut actions = Vec::new();
    for (i, a) in body.actions.iter().enumerate() {
        if a.text.trim().is_empty() {
            errors.push(FieldError::new(
                &format!("actions[{i}].text"),
                "required",
                "Beschrijf het actiepunt.",
            ));
        }
        if a.owner_user_id
            .as_ref()
            .is_some_and(|u| !members.contains(u))
        {
            errors.push(FieldError::new(
                &format!("actions[{i}].owner_user_id"),
                "invalid",
                "De eigenaar is geen lid van deze community.",
            ));
        }
        if a.due_date
            .as_deref()
            .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err())
        {
            errors.push(FieldError::new(
                &format!("actions[{i}].due_date"),
                "invalid",
                "Een datum schrijf je als JJJJ-MM-DD.",
            ));
        }
        actions.push(NewAction {
            text: a.text.trim().to_string(),
            owner_user_id: a.owner_user_id.clone(),
            owner_name: a
                .owner_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            due_date: a.due_date.clone(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    }
    let decisions: Vec<String> = body
        .decisions
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    let decisions_json =
        serde_json::to_string(&decisions).map_err(|e| Error::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    db::minutes::save_draft(
        &mut tx,
        &meeting.id,
        &meeting.community_id,
        &body.body_markdown,
        &decisions_json,
        &actions,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    minutes_out(&state, &meeting)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

/// Publishes the minutes and e-mails the members (facilitator).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes/publish", tag = "meetings",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, description = "Published", body = MinutesOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Not a facilitator", body = Problem), (status = 404, description = "No minutes yet", body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<MinutesOut>> {
    let (meeting, facilitator) = super::meetings::visible(&state, &me.user, &id).await?;
    if !facilitator {
        return Err(Error::Forbidden);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !db::minutes::publish(&mut tx, &meeting.id, now).await? {
        return Err(Error::NotFound);
    }
    let decisions: Vec<String> = db::minutes::get(&state.db, &meeting.id)
        .await?
        .and_then(|m| serde_json::from_str(&m.decisions).ok())
        .unwrap_or_default();
    let url = format!("{}/bijeenkomsten/{}", state.config.base_url, meeting.id);
    for (email, name) in db::meetings::invitees(&mut tx, &meeting.community_id).await? {
        let content = MinutesMail {
            name,
            community: meeting.community_name.clone(),
            title: meeting.title.clone(),
            when: crate::meeting::when_nl(&meeting, state.config.timezone),
            url: url.clone(),
            decisions: decisions.clone(),
        };
        let mail = mail::render(&email, &content, &state.mail_context())?;
        db::outbox::enqueue(&mut tx, &mail).await?;
    }
    db::audit::record(
        &mut tx,
        Some(&me.user.id),
        "minutes_published",
        &meeting.id,
        "",
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    minutes_out(&state, &meeting)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

/// A change to an action item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    /// Done.
    pub done: bool,
}

/// Marks an action item done or open (facilitators, and the member who owns it).
#[utoipa::path(patch, path = "/api/v1/actions/{id}", tag = "meetings", request_body = ActionPatch,
    params(("id" = String, Path, description = "Action item id")),
    responses((status = 200, description = "OK", body = ActionOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither facilitator nor owner", body = Problem), (status = 404, description = "Not found", body = Problem)))]
pub async fn set_done(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionPatch>,
) -> Result<Json<ActionOut>> {
    let action = db::minutes::action(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let (_, facilitator) = super::meetings::visible(&state, &me.user, &action.meeting_id).await?;
    if !facilitator && action.owner_user_id.as_deref() != Some(me.user.id.as_str()) {
        return Err(Error::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::minutes::set_done(&mut tx, &id, body.done).await?;
    tx.commit().await?;
    Ok(Json(
        db::minutes::action(&state.db, &id)
            .await?
            .ok_or(Error::NotFound)?
            .into(),
    ))
}

/// Open action items from earlier meetings, for a meeting's detail view.
pub async fn open_for(state: &AppState, meeting: &Meeting) -> Result<Vec<ActionOut>> {
    Ok(
        db::minutes::open_before(&state.db, &meeting.community_id, meeting.starts_at)
            .await?
            .into_iter()
            .map(ActionOut::from)
            .collect(),
    )
}
