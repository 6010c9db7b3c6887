//! `/beheer/communities`: creating and changing a community's settings, appointing facilitators.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Notice;
use super::form::{CommunityForm, KINDS, form_errors, settings_of};
use crate::api::communities::{apply, create_community};
use crate::app::AppState;
use crate::auth::{AdminUser, CsrfForm};
use crate::db;
use crate::db::communities::{Community, MemberRow};
use crate::db::programmes::Programme;
use crate::domain::{Email, OrgKind};
use crate::error::{Error, Result};
use crate::format::datetime_nl;
use crate::web::{FormErrors, Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/communities/nieuw", get(new).post(create))
        .route("/beheer/communities/{slug}", get(edit).post(save))
        .route(
            "/beheer/communities/{slug}/facilitatoren",
            post(appoint_facilitator),
        )
}

#[derive(Template)]
#[template(path = "beheer/community_new.html")]
struct NewCommunity {
    page: Page,
    form: CommunityForm,
    programmes: Vec<Programme>,
    kinds: [OrgKind; 4],
    errors: FormErrors,
}

async fn new_page(
    state: &AppState,
    page: Page,
    form: CommunityForm,
    errors: FormErrors,
) -> Result<NewCommunity> {
    Ok(NewCommunity {
        page,
        form,
        programmes: db::programmes::list(&state.db).await?,
        kinds: KINDS,
        errors,
    })
}

async fn new(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
) -> Result<Response> {
    let view = new_page(
        &state,
        page,
        CommunityForm::new_community(),
        FormErrors::default(),
    )
    .await?;
    render(StatusCode::OK, &view)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    AdminUser(admin): AdminUser,
    CsrfForm(form): CsrfForm<CommunityForm>,
) -> Result<Response> {
    let mut errors = FormErrors::default();
    let input = form.to_input(state.config.timezone, &mut errors);
    if errors.is_empty() {
        match create_community(&state, &admin.user.id, input).await {
            Ok(c) => {
                let to = format!("/beheer/communities/{}?melding=aangemaakt", c.slug);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => errors = form_errors(e)?,
        }
    }
    let view = new_page(&state, page, form, errors).await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

#[derive(Template)]
#[template(path = "beheer/community_edit.html")]
struct EditCommunity {
    page: Page,
    community: Community,
    form: CommunityForm,
    programmes: Vec<Programme>,
    kinds: [OrgKind; 4],
    facilitators: Vec<MemberRow>,
    facilitator_email: String,
    errors: FormErrors,
    notice: Option<&'static str>,
    deadline: Option<String>,
}

async fn find(state: &AppState, slug: &str) -> Result<Community> {
    db::communities::find(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)
}

async fn edit_page(state: &AppState, page: Page, community: Community) -> Result<EditCommunity> {
    let tz = state.config.timezone;
    let facilitators = db::communities::members(&state.db, &community.id)
        .await?
        .into_iter()
        .filter(|m| m.role == "facilitator")
        .collect();
    Ok(EditCommunity {
        page,
        form: CommunityForm::of(&community, tz),
        deadline: community
            .registration_deadline
            .as_ref()
            .map(|d| datetime_nl(d, tz)),
        community,
        programmes: db::programmes::list(&state.db).await?,
        kinds: KINDS,
        facilitators,
        facilitator_email: String::new(),
        errors: FormErrors::default(),
        notice: None,
    })
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
    Path(slug): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let community = find(&state, &slug).await?;
    let mut view = edit_page(&state, page, community).await?;
    view.notice = match q.melding.as_deref() {
        Some("aangemaakt") => Some("De community is aangemaakt."),
        Some("opgeslagen") => Some("De instellingen zijn opgeslagen."),
        Some("facilitator") => Some("De facilitator is aangesteld."),
        _ => None,
    };
    render(StatusCode::OK, &view)
}

async fn save(
    State(state): State<AppState>,
    page: Page,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    CsrfForm(mut form): CsrfForm<CommunityForm>,
) -> Result<Response> {
    let current = find(&state, &slug).await?;
    // The short name is fixed once created; whatever the form says, keep it.
    form.slug.clone_from(&current.slug);
    let mut errors = FormErrors::default();
    let mut input = form.to_input(state.config.timezone, &mut errors);
    input.slug = None;
    if errors.is_empty() {
        match apply(&state, settings_of(&current), input).await {
            Ok(settings) => {
                crate::registration::save_settings(
                    &state,
                    &current.id,
                    &current.slug,
                    &settings,
                    &admin.user.id,
                )
                .await?;
                let to = format!("/beheer/communities/{}?melding=opgeslagen", current.slug);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => errors = form_errors(e)?,
        }
    }
    let mut view = edit_page(&state, page, current).await?;
    view.form = form;
    view.errors = errors;
    render(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FacilitatorForm {
    facilitator_email: String,
}

async fn appoint_facilitator(
    State(state): State<AppState>,
    page: Page,
    AdminUser(admin): AdminUser,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<FacilitatorForm>,
) -> Result<Response> {
    let community = find(&state, &slug).await?;
    let user = match Email::parse(form.facilitator_email.trim()) {
        Ok(email) => db::users::find_by_email(&state.db, &email)
            .await?
            .ok_or("Er is geen account met dit e-mailadres; maak het eerst aan met kring user add of via de API."),
        Err(message) => Err(message),
    };
    let user = match user {
        Ok(user) => user,
        Err(message) => {
            let mut view = edit_page(&state, page, community).await?;
            view.facilitator_email = form.facilitator_email;
            view.errors.add("facilitator_email", message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    crate::registration::appoint_facilitator(
        &state,
        &community.id,
        &community.slug,
        &user.id,
        &admin.user.id,
    )
    .await?;
    let to = format!("/beheer/communities/{}?melding=facilitator", community.slug);
    Ok(Redirect::to(&to).into_response())
}
