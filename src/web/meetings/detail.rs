//! `/bijeenkomsten/{id}`: one meeting for the members of its community, with the answer form;
//! for facilitators also attendance, changing and cancelling.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::form::{self, KINDS, MeetingForm, form_errors};
use super::{MeetingView, Notice, view};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::meetings::Meeting;
use crate::db::users::User;
use crate::domain::OrgCode;
use crate::error::{Error, Result};
use crate::meeting;
use crate::web::{FormErrors, Page, render};

/// Longest cancellation reason kept (it goes into an e-mail).
const MAX_REASON: usize = 1000;

/// The answers as radio buttons: value and Dutch label.
const ANSWERS: [(&str, &str); 3] = [("yes", "Ja"), ("no", "Nee"), ("maybe", "Misschien")];

/// A member in the attendance form.
struct Attendee {
    id: String,
    name: String,
    said_yes: bool,
    present: bool,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
pub(super) struct ShowPage {
    page: Page,
    m: MeetingView,
    slug: String,
    community: String,
    description: String,
    online_url: Option<String>,
    host: Option<String>,
    cancel_reason: Option<String>,
    is_scheduled: bool,
    is_cancelled: bool,
    is_upcoming: bool,
    is_facilitator: bool,
    yes: i64,
    no: i64,
    maybe: i64,
    mine: String,
    answers: [(&'static str, &'static str); 3],
    notice: Option<&'static str>,
    pub(super) problem: Option<String>,
    pub(super) errors: FormErrors,
    form: MeetingForm,
    kinds: [(&'static str, &'static str); 3],
    hosts: Vec<(String, String)>,
    reason: String,
    attendees: Vec<Attendee>,
    recorded: bool,
    agenda: super::agenda::Summary,
    record: super::record::Record,
    pub(super) speakers: super::speakers::Section,
    files: super::files::Section,
}

impl ShowPage {
    fn answer_label(&self) -> &'static str {
        ANSWERS
            .iter()
            .find(|(v, _)| *v == self.mine)
            .map_or("", |(_, l)| l)
    }
}

/// The meeting page of `m` for `me`.
pub(super) async fn load(
    state: &AppState,
    page: Page,
    me: &User,
    m: Meeting,
    is_facilitator: bool,
) -> Result<ShowPage> {
    let tz = state.config.timezone;
    let ((yes, no, maybe), mine) = db::meetings::rsvps(&state.db, &m.id, &me.id).await?;
    let host = match m.host_organisation_code.as_deref().map(OrgCode::parse) {
        Some(Ok(code)) => db::organisations::find(&state.db, &code)
            .await?
            .map(|o| o.name),
        _ => None,
    };
    let (attendees, recorded, hosts) = if is_facilitator {
        let recorded = db::meetings::attendance(&state.db, &m.id).await?;
        let said_yes = db::meetings::answered_yes(&state.db, &m.id).await?;
        let present = if recorded.is_empty() {
            &said_yes
        } else {
            &recorded
        };
        let attendees = db::communities::members(&state.db, &m.community_id)
            .await?
            .into_iter()
            .map(|r| Attendee {
                said_yes: said_yes.contains(&r.user_id),
                present: present.contains(&r.user_id),
                id: r.user_id,
                name: r.name,
            })
            .collect();
        (attendees, !recorded.is_empty(), form::hosts(state).await?)
    } else {
        (Vec::new(), false, Vec::new())
    };
    let agenda = super::agenda::summary(state, &m).await?;
    let record = super::record::record(state, me, &m, is_facilitator).await?;
    let speakers = super::speakers::section(state, &m, is_facilitator).await?;
    let files = super::files::section(state, me, &m, is_facilitator).await?;
    Ok(ShowPage {
        page,
        m: view(&m, tz),
        form: MeetingForm::of(&m, tz),
        slug: m.community_slug.clone(),
        community: m.community_name.clone(),
        is_scheduled: m.status == "scheduled",
        is_cancelled: m.status == "cancelled",
        is_upcoming: m.ends_at > state.clock.now(),
        description: m.description,
        online_url: m.online_url,
        host,
        cancel_reason: m.cancel_reason,
        is_facilitator,
        yes,
        no,
        maybe,
        mine: mine.unwrap_or_default(),
        answers: ANSWERS,
        notice: None,
        problem: None,
        errors: FormErrors::default(),
        kinds: KINDS,
        hosts,
        reason: String::new(),
        attendees,
        recorded,
        agenda,
        record,
        speakers,
        files,
    })
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "antwoord" => "Je antwoord is opgeslagen.",
        "gewijzigd" => {
            "De bijeenkomst is gewijzigd. Bij een nieuwe tijd of plaats krijgen de leden een bijgewerkte uitnodiging voor hun agenda."
        }
        "afgelast" => {
            "De bijeenkomst is afgelast. De leden krijgen een e-mail die de afspraak uit hun agenda haalt."
        }
        "aanwezigheid" => "De aanwezigheid is opgeslagen.",
        "verslag" => "Het verslag is gepubliceerd. Alle leden krijgen een e-mail.",
        "actie" => "Het actiepunt is bijgewerkt.",
        "spreker" => {
            "De spreker is uitgenodigd en krijgt een e-mail met een persoonlijke gastlink."
        }
        "spreker-verwijderd" => "De spreker is verwijderd. De gastlink werkt niet meer.",
        "bestand" => "Het bestand is toegevoegd. Alle leden kunnen het nu downloaden.",
        "bestand-verwijderd" => "Het bestand is verwijderd.",
        _ => return None,
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let (m, facilitator) = crate::meeting::visible(&state, &me.user, &id).await?;
    let mut view = load(&state, page, &me.user, m, facilitator).await?;
    view.notice = notice(q.melding.as_deref());
    render(StatusCode::OK, &view)
}

/// Back to the meeting page with a confirmation.
pub(super) fn back(id: &str, melding: &str) -> Response {
    Redirect::to(&format!("/bijeenkomsten/{id}?melding={melding}")).into_response()
}

/// The page again with a refusal (409) or field errors (422).
async fn again(
    state: &AppState,
    page: Page,
    me: &User,
    m: (Meeting, bool),
    error: Error,
    change: impl FnOnce(&mut ShowPage),
) -> Result<Response> {
    let status = error.status();
    let mut view = load(state, page, me, m.0, m.1).await?;
    match error {
        Error::Refused { detail, .. } => view.problem = Some(detail),
        Error::Validation { errors, .. } => view.errors = FormErrors(errors),
        other => return Err(other),
    }
    change(&mut view);
    render(status, &view)
}

/// The answer form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RsvpForm {
    response: String,
}

pub async fn rsvp(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<RsvpForm>,
) -> Result<Response> {
    let (m, facilitator) = crate::meeting::visible(&state, &me.user, &id).await?;
    if m.status == "cancelled" {
        let refused = Error::refused(
            StatusCode::CONFLICT,
            "meeting_cancelled",
            "Deze bijeenkomst is afgelast.",
        );
        return again(&state, page, &me.user, (m, facilitator), refused, |_| {}).await;
    }
    if !ANSWERS.iter().any(|(v, _)| *v == input.response) {
        let mut view = load(&state, page, &me.user, m, facilitator).await?;
        view.errors.add("rsvp-yes", "Kies ja, nee of misschien.");
        return render(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let mut tx = state.db.begin().await?;
    let now = state.clock.now();
    db::meetings::set_rsvp(&mut tx, &m.id, &me.user.id, &input.response, now).await?;
    tx.commit().await?;
    Ok(back(&m.id, "antwoord"))
}

/// The meeting `id` for one of its facilitators: `404` outside the community, `403` for members.
async fn facilitated(state: &AppState, me: &User, id: &str) -> Result<Meeting> {
    match crate::meeting::visible(state, me, id).await? {
        (m, true) => Ok(m),
        _ => Err(Error::Forbidden),
    }
}

pub async fn update(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<MeetingForm>,
) -> Result<Response> {
    let m = facilitated(&state, &me.user, &id).await?;
    if m.status == "cancelled" {
        let refused = Error::refused(
            StatusCode::CONFLICT,
            "meeting_cancelled",
            "Een afgelaste bijeenkomst verandert niet meer.",
        );
        return again(&state, page, &me.user, (m, true), refused, |_| {}).await;
    }
    let hosts = form::hosts(&state).await?;
    let errors = match input.check(state.config.timezone, &hosts) {
        Ok(mut checked) => {
            // The form does not show the moderator: keep the one there is.
            checked.moderator_user_id.clone_from(&m.moderator_user_id);
            match meeting::update(&state, &m, &checked).await {
                Ok(_) => return Ok(back(&m.id, "gewijzigd")),
                Err(e) => form_errors(e)?,
            }
        }
        Err(errors) => errors,
    };
    let mut view = load(&state, page, &me.user, m, true).await?;
    view.errors = errors;
    view.form = input;
    render(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

/// The cancellation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<CancelForm>,
) -> Result<Response> {
    let m = facilitated(&state, &me.user, &id).await?;
    let reason = input.reason;
    if reason.trim().chars().count() > MAX_REASON {
        let too_long = Error::field(
            "validation_failed",
            "reason",
            format!("Een reden heeft hoogstens {MAX_REASON} tekens."),
        );
        return again(&state, page, &me.user, (m, true), too_long, |v| {
            v.reason = reason
        })
        .await;
    }
    match meeting::cancel(&state, &m, Some(&reason)).await {
        Ok(_) => Ok(back(&m.id, "afgelast")),
        Err(e) => again(&state, page, &me.user, (m, true), e, |v| v.reason = reason).await,
    }
}

/// The attendance form: the user ids of the checked members.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    present: Vec<String>,
}

pub async fn attendance(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<AttendanceForm>,
) -> Result<Response> {
    let m = facilitated(&state, &me.user, &id).await?;
    let members: Vec<String> = db::communities::members(&state.db, &m.community_id)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    if input.present.iter().any(|u| !members.contains(u)) {
        return Err(Error::field(
            "validation_failed",
            "present",
            "Alleen leden van deze community kunnen aanwezig zijn.",
        ));
    }
    let mut present = input.present;
    present.sort();
    present.dedup();
    let mut tx = state.db.begin().await?;
    db::meetings::set_attendance(&mut tx, &m.id, &present).await?;
    tx.commit().await?;
    Ok(back(&m.id, "aanwezigheid"))
}
