//! `/communities/{slug}/datumprikkers/{id}`: a date poll. Members answer yes, maybe or no per slot
//! in a table that also works on a phone; facilitators turn the chosen slot into a meeting.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, Member};
use crate::db;
use crate::domain::poll;
use crate::error::{Error, Result};
use crate::meeting::{self, Location, MeetingInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/communities/{slug}/datumprikkers/{id}",
            get(show).post(answer),
        )
        .route(
            "/communities/{slug}/datumprikkers/{id}/besluiten",
            post(decide),
        )
}

/// A slot as shown.
struct Slot {
    id: String,
    when: String,
    yes: i64,
    maybe: i64,
    no: i64,
    mine: String,
    best: bool,
}

#[derive(Template)]
#[template(path = "polls/show.html")]
struct Show {
    page: Page,
    slug: String,
    community: String,
    poll: db::polls::Poll,
    slots: Vec<Slot>,
    facilitator: bool,
    notice: Option<&'static str>,
    problems: Vec<String>,
}

#[derive(Deserialize)]
struct Notice {
    melding: Option<String>,
}

async fn load(state: &AppState, member: &Member, id: &str) -> Result<db::polls::Poll> {
    let (poll, _) = db::polls::visible(
        &state.db,
        id,
        &member.user.user.id,
        member.user.user.is_admin,
    )
    .await?
    .filter(|(p, _)| p.community_id == member.community_id)
    .ok_or(Error::NotFound)?;
    Ok(poll)
}

async fn view(
    state: &AppState,
    page: Page,
    member: &Member,
    poll: db::polls::Poll,
) -> Result<Show> {
    use chrono::Timelike;
    let tz = state.config.timezone;
    let tallies = db::polls::tallies(&state.db, &poll.id).await?;
    let best = poll::best(&tallies.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>())
        .map(|t| t.id.clone());
    let mine: HashMap<String, String> =
        db::polls::answers_of(&state.db, &poll.id, &member.user.user.id)
            .await?
            .into_iter()
            .collect();
    let slots = tallies
        .into_iter()
        .map(|(o, t)| {
            let (s, e) = (o.starts_at.with_timezone(&tz), o.ends_at.with_timezone(&tz));
            Slot {
                when: format!(
                    "{}, {}.{:02}–{}.{:02} uur",
                    crate::format::date_nl(&o.starts_at, tz),
                    s.hour(),
                    s.minute(),
                    e.hour(),
                    e.minute()
                ),
                best: best.as_deref() == Some(o.id.as_str()) && (t.yes + t.maybe) > 0,
                mine: mine.get(&o.id).cloned().unwrap_or_default(),
                id: o.id,
                yes: t.yes,
                maybe: t.maybe,
                no: t.no,
            }
        })
        .collect();
    Ok(Show {
        page,
        slug: member.slug.clone(),
        community: member.name.clone(),
        poll,
        slots,
        facilitator: member.role == crate::auth::Role::Facilitator,
        notice: None,
        problems: Vec::new(),
    })
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let poll = load(&state, &member, &id).await?;
    let mut show = view(&state, page, &member, poll).await?;
    show.notice = match q.melding.as_deref() {
        Some("opgeslagen") => Some("Je beschikbaarheid is opgeslagen."),
        _ => None,
    };
    render(StatusCode::OK, &show)
}

async fn answer(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response> {
    let poll = load(&state, &member, &id).await?;
    if poll.status != "open" || poll.closes_at.is_some_and(|c| c < state.clock.now()) {
        let mut show = view(&state, page, &member, poll).await?;
        show.problems.push("Deze datumprikker is gesloten.".into());
        return render(StatusCode::CONFLICT, &show);
    }
    let options: Vec<String> = db::polls::tallies(&state.db, &poll.id)
        .await?
        .into_iter()
        .map(|(o, _)| o.id)
        .collect();
    let answers: Vec<(String, String)> = options
        .iter()
        .filter_map(|o| {
            let a = form.get(&format!("antwoord-{o}"))?;
            matches!(a.as_str(), "yes" | "maybe" | "no").then(|| (o.clone(), a.clone()))
        })
        .collect();
    let mut tx = state.db.begin().await?;
    db::polls::replace_answers(&mut tx, &poll.id, &member.user.user.id, &answers).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/communities/{}/datumprikkers/{}?melding=opgeslagen",
        member.slug, poll.id
    ))
    .into_response())
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    option_id: String,
    #[serde(default)]
    kind: String,
    online_url: Option<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    city: String,
}

async fn decide(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Result<Response> {
    member.require_facilitator()?;
    let poll = load(&state, &member, &id).await?;
    let tz = state.config.timezone;
    let slot = db::polls::tallies(&state.db, &poll.id)
        .await?
        .into_iter()
        .find(|(o, _)| o.id == form.option_id)
        .map(|(o, _)| o);
    let Some(slot) = slot.filter(|_| poll.status == "open") else {
        let mut show = view(&state, page, &member, poll).await?;
        show.problems.push("Kies een van de momenten; over een gesloten datumprikker kan niet meer worden besloten.".into());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &show);
    };
    let input = MeetingInput {
        title: poll.title.clone(),
        kind: form.kind,
        starts_at: Some(slot.starts_at.with_timezone(&tz).fixed_offset()),
        ends_at: Some(slot.ends_at.with_timezone(&tz).fixed_offset()),
        description: String::new(),
        online_url: form.online_url,
        location: Some(Location {
            name: String::new(),
            address: form.address,
            city: form.city,
        }),
        host_organisation_code: None,
        moderator_user_id: None,
    };
    match meeting::create_from_poll(
        &state,
        &member.community_id,
        &member.user.user.id,
        &input,
        &poll.id,
    )
    .await
    {
        Ok(created) => Ok(Redirect::to(&format!("/bijeenkomsten/{}", created.id)).into_response()),
        Err(Error::Validation { errors, .. }) => {
            let mut show = view(&state, page, &member, poll).await?;
            show.problems = errors.into_iter().map(|e| e.message).collect();
            render(StatusCode::UNPROCESSABLE_ENTITY, &show)
        }
        Err(other) => Err(other),
    }
}
