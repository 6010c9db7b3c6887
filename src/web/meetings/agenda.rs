//! `/bijeenkomsten/{id}/agenda`: the facilitator's agenda. Items in order with planned starts;
//! adding, changing and removing items, moving them with up and down buttons (plain forms), and
//! publishing the agenda to the members. Also the agenda as the meeting page shows it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{MeetingView, view};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::agenda::{Item, ItemInput};
use crate::db::meetings::Meeting;
use crate::error::{Error, Result};
use crate::format::{datetime_nl, time_nl};
use crate::meeting::{self, agenda};
use crate::web::{FormErrors, Page, render};

/// The agenda pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bijeenkomsten/{id}/agenda", get(show).post(add))
        .route("/bijeenkomsten/{id}/agenda/publiceren", post(publish))
        .route("/bijeenkomsten/{id}/agenda/{item}", get(edit).post(save))
        .route("/bijeenkomsten/{id}/agenda/{item}/verplaatsen", post(shift))
        .route(
            "/bijeenkomsten/{id}/agenda/{item}/verwijderen",
            post(remove),
        )
}

/// An agenda item as shown.
pub struct ItemView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Length in minutes.
    pub minutes: i64,
    /// Description.
    pub description: String,
    /// The guest speaker's name.
    pub speaker: Option<String>,
    /// Planned start, "14.00 uur".
    pub at: String,
    /// First item (no "up" button).
    pub first: bool,
    /// Last item (no "down" button).
    pub last: bool,
}

/// The agenda of a meeting as shown on its pages.
pub struct Summary {
    /// Items in order.
    pub items: Vec<ItemView>,
    /// Minutes the agenda outlasts the meeting.
    pub overrun: i64,
    /// "dinsdag 16 maart 2027, 10.05 uur" when it was last sent to the members.
    pub published: Option<String>,
}

/// The agenda of `m` with planned starts in the display time zone.
pub async fn summary(state: &AppState, m: &Meeting) -> Result<Summary> {
    let tz = state.config.timezone;
    let loaded = agenda::load(state, m).await?;
    let speakers = speakers_of(state, m).await?;
    let count = loaded.items.len();
    Ok(Summary {
        items: loaded
            .items
            .into_iter()
            .enumerate()
            .map(|(i, p)| ItemView {
                at: time_nl(&p.starts_at, tz),
                id: p.item.id,
                title: p.item.title,
                minutes: p.item.duration_minutes,
                description: p.item.description,
                speaker: p.item.speaker_id.and_then(|id| {
                    speakers
                        .iter()
                        .find(|(s, _)| *s == id)
                        .map(|(_, name)| name.clone())
                }),
                first: i == 0,
                last: i + 1 == count,
            })
            .collect(),
        overrun: loaded.overrun_minutes,
        published: loaded.published_at.map(|at| datetime_nl(&at, tz)),
    })
}

/// The speakers of `m` for the speaker select: id and name.
async fn speakers_of(state: &AppState, m: &Meeting) -> Result<Vec<(String, String)>> {
    Ok(db::speakers::of_meeting(&state.db, &m.id)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The item form as the browser sends it, kept as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    title: String,
    duration_minutes: String,
    description: String,
    /// A speaker id of the meeting, empty for none.
    speaker_id: String,
}

impl ItemForm {
    fn of(item: &Item) -> Self {
        Self {
            title: item.title.clone(),
            duration_minutes: item.duration_minutes.to_string(),
            description: item.description.clone(),
            speaker_id: item.speaker_id.clone().unwrap_or_default(),
        }
    }

    /// The use case's input; a length that is not a whole number counts as 0 minutes, which the
    /// check refuses with its own message. The topic stays as it is.
    fn input(&self, item: Option<&Item>) -> ItemInput {
        let speaker = self.speaker_id.trim();
        ItemInput {
            title: self.title.clone(),
            duration_minutes: self.duration_minutes.trim().parse().unwrap_or(0),
            description: self.description.clone(),
            speaker_id: (!speaker.is_empty()).then(|| speaker.to_string()),
            topic_id: item.and_then(|i| i.topic_id.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "meetings/agenda.html")]
struct AgendaPage {
    page: Page,
    m: MeetingView,
    agenda: Summary,
    ends: String,
    is_cancelled: bool,
    notice: Option<&'static str>,
    problem: Option<String>,
    errors: FormErrors,
    form: ItemForm,
    /// The meeting's speakers for the select: id and name.
    speakers: Vec<(String, String)>,
    /// The item just moved, and the button that gets focus again.
    moved: Option<(String, &'static str)>,
}

impl AgendaPage {
    fn autofocus(&self, item: &ItemView, button: &str) -> bool {
        let Some((id, way)) = &self.moved else {
            return false;
        };
        let usable = |b: &str| match b {
            "omhoog" => !item.first,
            _ => !item.last,
        };
        let wanted = if usable(way) { *way } else { "" };
        let fallback = if way == &"omhoog" { "omlaag" } else { "omhoog" };
        *id == item.id && (button == wanted || (wanted.is_empty() && button == fallback))
    }
}

#[derive(Template)]
#[template(path = "meetings/agenda_item.html")]
struct ItemPage {
    page: Page,
    m: MeetingView,
    item_id: String,
    errors: FormErrors,
    form: ItemForm,
    speakers: Vec<(String, String)>,
}

/// `?melding=`, and `?verplaatst=&richting=` after a move.
#[derive(Debug, Default, Deserialize)]
pub struct AgendaQuery {
    melding: Option<String>,
    verplaatst: Option<String>,
    richting: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "toegevoegd" => "Het agendapunt is toegevoegd.",
        "gewijzigd" => "Het agendapunt is gewijzigd.",
        "verwijderd" => "Het agendapunt is verwijderd.",
        "gepubliceerd" => "De agenda is gepubliceerd. Alle leden krijgen hem per e-mail.",
        _ => return None,
    })
}

async fn load(state: &AppState, page: Page, m: &Meeting) -> Result<AgendaPage> {
    let tz = state.config.timezone;
    Ok(AgendaPage {
        page,
        m: view(m, tz),
        agenda: summary(state, m).await?,
        ends: time_nl(&m.ends_at, tz),
        is_cancelled: m.status == "cancelled",
        notice: None,
        problem: None,
        errors: FormErrors::default(),
        form: ItemForm {
            duration_minutes: "15".into(),
            ..ItemForm::default()
        },
        speakers: speakers_of(state, m).await?,
        moved: None,
    })
}

fn to_agenda(id: &str, melding: &str) -> Response {
    Redirect::to(&format!("/bijeenkomsten/{id}/agenda?melding={melding}")).into_response()
}

/// Field errors of the use case, or any other error passed on.
fn field_errors(error: Error) -> Result<FormErrors> {
    match error {
        Error::Validation { errors, .. } => Ok(FormErrors(errors)),
        other => Err(other),
    }
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<AgendaQuery>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let mut view = load(&state, page, &m).await?;
    view.notice = notice(q.melding.as_deref());
    view.moved = q.verplaatst.zip(match q.richting.as_deref() {
        Some("omhoog") => Some("omhoog"),
        Some("omlaag") => Some("omlaag"),
        _ => None,
    });
    render(StatusCode::OK, &view)
}

async fn add(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    match agenda::add(&state, &m, form.input(None)).await {
        Ok(item) => Ok(Redirect::to(&format!(
            "/bijeenkomsten/{}/agenda?melding=toegevoegd#punt-{item}",
            m.id
        ))
        .into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            let mut view = load(&state, page, &m).await?;
            view.errors = errors;
            view.form = form;
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path((id, item)): Path<(String, String)>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let item = agenda::item_of(&state, &m, &item).await?;
    let view = ItemPage {
        page,
        m: view(&m, state.config.timezone),
        form: ItemForm::of(&item),
        item_id: item.id,
        errors: FormErrors::default(),
        speakers: speakers_of(&state, &m).await?,
    };
    render(StatusCode::OK, &view)
}

async fn save(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path((id, item)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let item = agenda::item_of(&state, &m, &item).await?;
    match agenda::update(&state, &item, form.input(Some(&item))).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/bijeenkomsten/{}/agenda?melding=gewijzigd#punt-{}",
            m.id, item.id
        ))
        .into_response()),
        Err(e) => {
            let view = ItemPage {
                page,
                m: view(&m, state.config.timezone),
                item_id: item.id,
                errors: field_errors(e)?,
                form,
                speakers: speakers_of(&state, &m).await?,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}

/// A form of buttons only (remove, publish): nothing but the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Buttons {}

/// The move buttons: `richting` is `omhoog` or `omlaag`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShiftForm {
    richting: String,
}

async fn shift(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, item)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ShiftForm>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let item = agenda::item_of(&state, &m, &item).await?;
    let (direction, way) = match form.richting.as_str() {
        "omhoog" => (agenda::Direction::Up, "omhoog"),
        "omlaag" => (agenda::Direction::Down, "omlaag"),
        _ => {
            return Err(Error::field(
                "validation_failed",
                "richting",
                "Kies omhoog of omlaag.",
            ));
        }
    };
    agenda::shift(&state, &item, direction).await?;
    // Back to the moved item, with focus on the button that moved it, so that pressing it
    // again moves the item further.
    Ok(Redirect::to(&format!(
        "/bijeenkomsten/{}/agenda?verplaatst={}&richting={way}#punt-{}",
        m.id, item.id, item.id
    ))
    .into_response())
}

async fn remove(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, item)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Buttons>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let item = agenda::item_of(&state, &m, &item).await?;
    agenda::remove(&state, &item).await?;
    Ok(to_agenda(&m.id, "verwijderd"))
}

async fn publish(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Buttons>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    match agenda::publish(&state, &m, &me.user.id).await {
        Ok(_) => Ok(to_agenda(&m.id, "gepubliceerd")),
        Err(Error::Refused { status, detail, .. }) => {
            let mut view = load(&state, page, &m).await?;
            view.problem = Some(detail);
            render(status, &view)
        }
        Err(other) => Err(other),
    }
}
