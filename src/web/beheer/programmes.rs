//! `/beheer/programmas`: creating a programme, its participants and approving enrolments.

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Notice, ProgrammeForm, load_overview};
use crate::api::programmes::{CreateProgramme, create_programme};
use crate::app::AppState;
use crate::auth::{AdminUser, CsrfForm};
use crate::db;
use crate::db::communities::Community;
use crate::db::organisations::{OrgQuery, Organisation};
use crate::db::programmes::{Enrolment, Programme};
use crate::domain::{OrgCode, OrgKind};
use crate::error::{Error, FieldError, Result};
use crate::format::date_nl;
use crate::web::{FormErrors, Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/programmas", post(create))
        .route("/beheer/programmas/{slug}", get(show))
        .route(
            "/beheer/programmas/{slug}/deelnemers",
            post(add_participant),
        )
        .route(
            "/beheer/programmas/{slug}/inschrijvingen/{id}/goedkeuren",
            post(approve),
        )
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    AdminUser(admin): AdminUser,
    CsrfForm(form): CsrfForm<ProgrammeForm>,
) -> Result<Response> {
    let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let body = CreateProgramme {
        slug: form.slug.trim().to_string(),
        name: form.name.clone(),
        description: optional(&form.description),
        contact_name: optional(&form.contact_name),
        contact_email: optional(&form.contact_email),
    };
    let errors = match create_programme(&state, &admin.user.id, body).await {
        Ok(p) => {
            let to = format!("/beheer/programmas/{}?melding=aangemaakt", p.slug);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(Error::Validation { errors, .. }) => FormErrors(errors),
        Err(Error::Refused { code, detail, .. }) if code == "programme_exists" => {
            FormErrors(vec![FieldError::new("slug", code, detail)])
        }
        Err(e) => return Err(e),
    };
    let mut overview = load_overview(&state, page).await?;
    overview.form = form;
    overview.errors = errors;
    render(StatusCode::UNPROCESSABLE_ENTITY, &overview)
}

/// A pending enrolment with its organisation's name.
struct PendingEnrolment {
    enrolment: Enrolment,
    organisation: String,
}

#[derive(Template)]
#[template(path = "beheer/programme.html")]
struct ProgrammePage {
    page: Page,
    programme: Programme,
    communities: Vec<Community>,
    participants: Vec<Organisation>,
    candidates: Vec<Organisation>,
    pending: Vec<PendingEnrolment>,
    selected: String,
    errors: FormErrors,
    notice: Option<&'static str>,
    tz: chrono_tz::Tz,
}

impl ProgrammePage {
    fn day(&self, at: &DateTime<Utc>) -> String {
        date_nl(at, self.tz)
    }
}

async fn find(state: &AppState, slug: &str) -> Result<Programme> {
    db::programmes::find(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)
}

/// Municipalities and provinces, by name.
async fn municipalities_and_provinces(state: &AppState) -> Result<Vec<Organisation>> {
    let mut all = Vec::new();
    for kind in [OrgKind::Municipality, OrgKind::Province] {
        let query = OrgQuery {
            kind: Some(kind),
            limit: 500,
            ..OrgQuery::default()
        };
        all.extend(db::organisations::search(&state.db, &query).await?);
    }
    all.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    Ok(all)
}

async fn load(state: &AppState, page: Page, programme: Programme) -> Result<ProgrammePage> {
    let participants = db::programmes::participants(&state.db, &programme.id).await?;
    let taken: HashSet<&str> = participants.iter().map(|o| o.code.as_str()).collect();
    let all = municipalities_and_provinces(state).await?;
    let candidates = all
        .iter()
        .filter(|o| !taken.contains(o.code.as_str()))
        .cloned()
        .collect();
    let pending = db::programmes::enrolments(&state.db, &programme.id)
        .await?
        .into_iter()
        .filter(|e| e.status == "pending")
        .map(|enrolment| PendingEnrolment {
            organisation: all
                .iter()
                .find(|o| o.code == enrolment.organisation_code)
                .map_or_else(|| enrolment.organisation_code.clone(), |o| o.name.clone()),
            enrolment,
        })
        .collect();
    Ok(ProgrammePage {
        page,
        communities: db::communities::of_programme(&state.db, &programme.id).await?,
        programme,
        participants,
        candidates,
        pending,
        selected: String::new(),
        errors: FormErrors::default(),
        notice: None,
        tz: state.config.timezone,
    })
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
    Path(slug): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let programme = find(&state, &slug).await?;
    let mut view = load(&state, page, programme).await?;
    view.notice = match q.melding.as_deref() {
        Some("aangemaakt") => Some("Het programma is aangemaakt."),
        Some("deelnemer") => Some("De organisatie neemt nu deel aan het programma."),
        Some("goedgekeurd") => {
            Some("De inschrijving is goedgekeurd; de organisatie neemt nu deel aan het programma.")
        }
        _ => None,
    };
    render(StatusCode::OK, &view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ParticipantForm {
    organisation_code: String,
}

async fn add_participant(
    State(state): State<AppState>,
    page: Page,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ParticipantForm>,
) -> Result<Response> {
    let programme = find(&state, &slug).await?;
    let code = OrgCode::parse(&form.organisation_code).ok();
    let org = match &code {
        Some(code) => db::organisations::find(&state.db, code).await?,
        None => None,
    };
    let (Some(code), Some(_)) = (code, org) else {
        let mut view = load(&state, page, programme).await?;
        view.selected = form.organisation_code;
        view.errors.add(
            "organisation_code",
            "Kies een gemeente of provincie uit de lijst.",
        );
        return render(StatusCode::UNPROCESSABLE_ENTITY, &view);
    };
    let mut tx = state.db.begin().await?;
    db::programmes::add_participant(&mut tx, &programme.id, &code).await?;
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "participant_added",
        &programme.slug,
        code.as_str(),
    )
    .await?;
    tx.commit().await?;
    let to = format!("/beheer/programmas/{}?melding=deelnemer", programme.slug);
    Ok(Redirect::to(&to).into_response())
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn approve(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let programme = find(&state, &slug).await?;
    // Only an enrolment of this programme, so the page we return to shows the result.
    let ours = db::programmes::enrolments(&state.db, &programme.id)
        .await?
        .iter()
        .any(|e| e.id == id);
    if !ours {
        return Err(Error::NotFound);
    }
    let mut tx = state.db.begin().await?;
    let enrolment = db::programmes::approve_enrolment(&mut tx, &id).await?;
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "enrolment_approved",
        &enrolment.id,
        &enrolment.organisation_code,
    )
    .await?;
    tx.commit().await?;
    let to = format!("/beheer/programmas/{}?melding=goedgekeurd", programme.slug);
    Ok(Redirect::to(&to).into_response())
}
