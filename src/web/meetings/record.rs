//! The minutes and the open action items as the meeting page `/bijeenkomsten/{id}` shows them
//! (a draft to facilitators only), and `/bijeenkomsten/{id}/acties/{action}`: marking an action
//! item done or open again (facilitators and the action's owner).

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::meetings::Meeting;
use crate::db::minutes::Action;
use crate::db::users::User;
use crate::domain::markdown;
use crate::error::Result;
use crate::format::{date_nl, datetime_nl};
use crate::meeting::{self, minutes};

/// The action item button.
pub fn router() -> Router<AppState> {
    Router::new().route("/bijeenkomsten/{id}/acties/{action}", post(action_done))
}

/// An action item as shown.
pub struct ActionView {
    /// Id.
    pub id: String,
    /// What to do.
    pub text: String,
    /// Who does it (a member's name or the name entered), empty when nobody.
    pub owner: String,
    /// "vrijdag 28 februari 2027", empty without a due date.
    pub due: String,
    /// Done.
    pub done: bool,
    /// The viewer may mark it done or open (facilitators and the owner).
    pub may_close: bool,
}

/// Minutes as the meeting page shows them.
pub struct MinutesView {
    /// Not published: facilitators only.
    pub draft: bool,
    /// "dinsdag 16 maart 2027, 17.05 uur".
    pub published: Option<String>,
    /// Sanitised HTML, headings from `<h3>` down.
    pub body_html: String,
    /// Decisions.
    pub decisions: Vec<String>,
    /// The action items agreed at this meeting.
    pub actions: Vec<ActionView>,
}

/// What the meeting page shows of the minutes.
pub struct Record {
    /// The minutes: published ones for everyone, a draft for facilitators only.
    pub minutes: Option<MinutesView>,
    /// Open action items from the community's earlier meetings.
    pub open_actions: Vec<ActionView>,
}

fn due_nl(due: Option<&str>, tz: chrono_tz::Tz) -> String {
    due.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map_or_else(String::new, |d| date_nl(&d.and_utc(), tz))
}

fn action_view(
    a: Action,
    me: &User,
    facilitator: bool,
    names: &HashMap<String, String>,
    tz: chrono_tz::Tz,
) -> ActionView {
    let owner = a
        .owner_user_id
        .as_ref()
        .and_then(|u| names.get(u).cloned())
        .or_else(|| a.owner_name.clone())
        .unwrap_or_default();
    ActionView {
        may_close: minutes::may_close(&a, me, facilitator),
        due: due_nl(a.due_date.as_deref(), tz),
        owner,
        id: a.id,
        text: a.text,
        done: a.done,
    }
}

/// The minutes of `m` and the open action items from earlier meetings, as `me` may see them.
pub async fn record(state: &AppState, me: &User, m: &Meeting, facilitator: bool) -> Result<Record> {
    let tz = state.config.timezone;
    let names: HashMap<String, String> = db::communities::members(&state.db, &m.community_id)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.name))
        .collect();
    let stored = db::minutes::get(&state.db, &m.id)
        .await?
        .filter(|s| facilitator || s.status == "published");
    let minutes = match stored {
        Some(s) => Some(MinutesView {
            draft: s.status != "published",
            published: s.published_at.map(|at| datetime_nl(&at, tz)),
            body_html: markdown::render_nested(&s.body_markdown, 3).into_string(),
            decisions: minutes::decisions(&s),
            actions: db::minutes::actions_of(&state.db, &m.id)
                .await?
                .into_iter()
                .map(|a| action_view(a, me, facilitator, &names, tz))
                .collect(),
        }),
        None => None,
    };
    let open_actions = db::minutes::open_before(&state.db, &m.community_id, m.starts_at)
        .await?
        .into_iter()
        .map(|a| action_view(a, me, facilitator, &names, tz))
        .collect();
    Ok(Record {
        minutes,
        open_actions,
    })
}

/// The action item button: `done` is `ja` or `nee`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneForm {
    done: String,
}

async fn action_done(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DoneForm>,
) -> Result<Response> {
    let (m, _) = meeting::visible(&state, &me.user, &id).await?;
    let done = form.done != "nee";
    let action = minutes::set_done(&state, &me.user, &action, done).await?;
    let to = format!("/bijeenkomsten/{}?melding=actie#actie-{}", m.id, action.id);
    Ok(Redirect::to(&to).into_response())
}
