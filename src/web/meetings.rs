//! `/communities/{slug}/bijeenkomsten` and `/bijeenkomsten/{id}`: a community's meetings for its
//! members; planning, changing, cancelling and recording attendance for its facilitators.

mod agenda;
mod detail;
mod files;
mod form;
mod minutes;
mod record;
mod speakers;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use self::form::{KINDS, MeetingForm, form_errors, kind_nl};
use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, Member};
use crate::db;
use crate::db::meetings::Meeting;
use crate::error::Result;
use crate::meeting;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communities/{slug}/bijeenkomsten", get(list).post(create))
        .route("/bijeenkomsten/{id}", get(detail::show))
        .route(
            "/bijeenkomsten/{id}/aanwezigheid-doorgeven",
            post(detail::rsvp),
        )
        .route("/bijeenkomsten/{id}/wijzigen", post(detail::update))
        .route("/bijeenkomsten/{id}/afgelasten", post(detail::cancel))
        .route("/bijeenkomsten/{id}/aanwezig", post(detail::attendance))
        .merge(agenda::router())
        .merge(minutes::router())
        .merge(record::router())
        .merge(speakers::router())
        .merge(files::router())
}

/// A meeting as listed: what, when, where and whether it goes ahead.
pub struct MeetingView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// "Online", "Werkbezoek" or "Hybride".
    pub kind: &'static str,
    /// "dinsdag 16 maart 2027, 14.00–16.00 uur".
    pub when: String,
    /// The address, "online", or both.
    pub place: String,
    /// Status label, empty while it is scheduled.
    pub status: &'static str,
    /// Status badge modifier.
    pub badge: &'static str,
}

/// The view of a meeting in the display time zone.
pub fn view(m: &Meeting, tz: chrono_tz::Tz) -> MeetingView {
    let (status, badge) = match m.status.as_str() {
        "cancelled" => ("Afgelast", "danger"),
        "held" => ("Gehouden", "success"),
        _ => ("", "neutral"),
    };
    MeetingView {
        id: m.id.clone(),
        title: m.title.clone(),
        kind: kind_nl(&m.kind),
        when: meeting::when_nl(m, tz),
        place: meeting::place(m),
        status,
        badge,
    }
}

/// `?melding=`: which confirmation to show after a redirect.
#[derive(Debug, Default, Deserialize)]
struct Notice {
    melding: Option<String>,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    page: Page,
    slug: String,
    name: String,
    is_facilitator: bool,
    next: Option<MeetingView>,
    later: Vec<MeetingView>,
    past: Vec<MeetingView>,
    notice: Option<&'static str>,
    errors: FormErrors,
    form: MeetingForm,
    kinds: [(&'static str, &'static str); 3],
    hosts: Vec<(String, String)>,
}

async fn load(state: &AppState, page: Page, member: &Member) -> Result<ListPage> {
    let now = state.clock.now();
    let tz = state.config.timezone;
    // Year 1970 to the end of year 9999: every meeting, with bounds SQLite compares as text.
    let (from, to) = (
        DateTime::<Utc>::from_timestamp(0, 0).unwrap_or(now),
        DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap_or(now),
    );
    let all = db::meetings::of_community(&state.db, &member.community_id, from, to).await?;
    let (mut later, mut past): (Vec<Meeting>, Vec<Meeting>) =
        all.into_iter().partition(|m| m.ends_at > now);
    past.reverse();
    let next = later
        .iter()
        .position(|m| m.status == "scheduled")
        .map(|at| later.remove(at));
    let is_facilitator = member.require_facilitator().is_ok();
    let hosts = if is_facilitator {
        form::hosts(state).await?
    } else {
        Vec::new()
    };
    Ok(ListPage {
        page,
        slug: member.slug.clone(),
        name: member.name.clone(),
        is_facilitator,
        next: next.as_ref().map(|m| view(m, tz)),
        later: later.iter().map(|m| view(m, tz)).collect(),
        past: past.iter().map(|m| view(m, tz)).collect(),
        notice: None,
        errors: FormErrors::default(),
        form: MeetingForm::new_meeting(),
        kinds: KINDS,
        hosts,
    })
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let mut view = load(&state, page, &member).await?;
    view.notice = match q.melding.as_deref() {
        Some("gepland") => {
            Some("De bijeenkomst is gepland. Alle leden krijgen een uitnodiging voor hun agenda.")
        }
        _ => None,
    };
    render(StatusCode::OK, &view)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    CsrfForm(input): CsrfForm<MeetingForm>,
) -> Result<Response> {
    member.require_facilitator()?;
    let hosts = form::hosts(&state).await?;
    let errors = match input.check(state.config.timezone, &hosts) {
        Ok(checked) => {
            let user = &member.user.user.id;
            match meeting::create(&state, &member.community_id, user, &checked).await {
                Ok(_) => {
                    let to = format!("/communities/{}/bijeenkomsten?melding=gepland", member.slug);
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => form_errors(e)?,
            }
        }
        Err(errors) => errors,
    };
    let mut view = load(&state, page, &member).await?;
    view.errors = errors;
    view.form = input;
    render(StatusCode::UNPROCESSABLE_ENTITY, &view)
}
