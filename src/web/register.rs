//! The public registration form for a community or a programme, with the organisation picker
//! (a plain select filtered on the server, and live filtering with htmx).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::CsrfForm;
use crate::db;
use crate::db::organisations::{OrgQuery, Organisation};
use crate::domain::WorkDomain;
use crate::error::{Error, FieldError, Result};
use crate::registration::{self, RegistrationInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmas/{slug}/aanmelden",
            get(programme_form).post(programme_submit),
        )
        .route(
            "/communities/{slug}/aanmelden",
            get(community_form).post(community_submit),
        )
        .route("/organisaties/opties", get(options))
}

/// What the form is for.
#[derive(Clone, Debug)]
struct Target {
    /// `programmas` or `communities`.
    kind: &'static str,
    slug: String,
    name: String,
    /// "Vragen? …" line.
    contact: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct FormInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation_code: String,
    #[serde(default)]
    zoek: String,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    motivation: String,
    consent: Option<String>,
    actie: Option<String>,
}

#[derive(Template)]
#[template(path = "register/form.html")]
struct Form {
    page: Page,
    target: Target,
    form: FormInput,
    organisations: Vec<Organisation>,
    domains: Vec<(WorkDomain, bool)>,
    errors: FormErrors,
    general: Vec<String>,
}

#[derive(Template)]
#[template(path = "register/done.html")]
struct Done {
    page: Page,
    status: String,
    community_name: String,
    community_slug: String,
    position: Option<i64>,
    email: String,
}

/// Municipalities and provinces whose name matches `q` (all when empty), by name.
async fn organisations(state: &AppState, q: &str) -> Result<Vec<Organisation>> {
    let q = q.trim();
    let mut list = db::organisations::search(
        &state.db,
        &OrgQuery {
            q: (!q.is_empty()).then(|| q.to_string()),
            kind: None,
            offset: 0,
            limit: 1000,
        },
    )
    .await?;
    list.retain(|o| o.kind == "municipality" || o.kind == "province");
    if q.is_empty() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(list)
}

async fn target(state: &AppState, kind: &'static str, slug: &str) -> Result<Target> {
    let (name, programme_id) = if kind == "programmas" {
        let p = db::programmes::find(&state.db, slug)
            .await?
            .ok_or(Error::NotFound)?;
        (p.name, Some(p.id))
    } else {
        let c = db::communities::find(&state.db, slug)
            .await?
            .ok_or(Error::NotFound)?;
        (c.name, c.programme_id)
    };
    let contact = match programme_id {
        Some(id) => db::programmes::find_by_id(&state.db, &id)
            .await?
            .and_then(|p| p.contact()),
        None => None,
    };
    Ok(Target {
        kind,
        slug: slug.to_string(),
        name,
        contact,
    })
}

async fn form_view(
    state: &AppState,
    page: Page,
    target: Target,
    form: FormInput,
    errors: FormErrors,
) -> Result<Form> {
    let organisations = organisations(state, &form.zoek).await?;
    let domains = WorkDomain::ALL
        .iter()
        .map(|d| (*d, form.domains.iter().any(|x| x == d.as_str())))
        .collect();
    let general = errors
        .0
        .iter()
        .filter(|e| matches!(e.field.as_str(), "community" | "programme" | "form"))
        .map(|e| e.message.clone())
        .collect();
    Ok(Form {
        page,
        target,
        form,
        organisations,
        domains,
        errors,
        general,
    })
}

async fn show_form(
    state: AppState,
    page: Page,
    kind: &'static str,
    slug: String,
) -> Result<Response> {
    let target = target(&state, kind, &slug).await?;
    let view = form_view(
        &state,
        page,
        target,
        FormInput::default(),
        FormErrors::default(),
    )
    .await?;
    render(StatusCode::OK, &view)
}

async fn programme_form(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
) -> Result<Response> {
    show_form(state, page, "programmas", slug).await
}

async fn community_form(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
) -> Result<Response> {
    show_form(state, page, "communities", slug).await
}

async fn submit(
    state: AppState,
    page: Page,
    kind: &'static str,
    slug: String,
    form: FormInput,
) -> Result<Response> {
    let target = target(&state, kind, &slug).await?;
    if form.actie.as_deref() == Some("zoeken") {
        // The search button of the organisation picker (without JavaScript): show the matches.
        let view = form_view(&state, page, target, form, FormErrors::default()).await?;
        return render(StatusCode::OK, &view);
    }
    let input = RegistrationInput {
        name: form.name.clone(),
        email: form.email.clone(),
        organisation_code: form.organisation_code.clone(),
        community: (kind == "communities").then(|| slug.clone()),
        programme: (kind == "programmas").then(|| slug.clone()),
        domains: form.domains.clone(),
        motivation: form.motivation.clone(),
        consent: form.consent.is_some(),
    };
    let errors = match registration::register(&state, &input).await {
        Ok(outcome) => {
            let community = db::communities::find(&state.db, &outcome.community)
                .await?
                .ok_or(Error::NotFound)?;
            let done = Done {
                page,
                status: outcome.registration.status,
                community_name: community.name,
                community_slug: community.slug,
                position: outcome.waitlist_position,
                email: outcome.registration.email,
            };
            return render(StatusCode::CREATED, &done);
        }
        Err(Error::Validation { errors, .. }) => errors,
        Err(Error::Refused {
            code: "duplicate_registration",
            detail,
            ..
        }) => {
            vec![FieldError::new("email", "duplicate_registration", detail)]
        }
        Err(Error::Refused { status, detail, .. }) if status.is_client_error() => {
            vec![FieldError::new("form", "refused", detail)]
        }
        Err(other) => return Err(other),
    };
    let status = if errors.iter().any(|e| e.code == "duplicate_registration") {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = form_view(&state, page, target, form, FormErrors(errors)).await?;
    render(status, &view)
}

async fn programme_submit(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<FormInput>,
) -> Result<Response> {
    submit(state, page, "programmas", slug, form).await
}

async fn community_submit(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<FormInput>,
) -> Result<Response> {
    submit(state, page, "communities", slug, form).await
}

#[derive(Template)]
#[template(path = "register/options.html")]
struct Options {
    organisations: Vec<Organisation>,
    selected: String,
}

#[derive(Deserialize)]
struct OptionsQuery {
    #[serde(default)]
    zoek: String,
    #[serde(default)]
    organisation_code: String,
}

/// The `<option>`s of the organisation picker for a search, for htmx to swap in.
async fn options(State(state): State<AppState>, Query(q): Query<OptionsQuery>) -> Result<Response> {
    let organisations = organisations(&state, &q.zoek).await?;
    render(
        StatusCode::OK,
        &Options {
            organisations,
            selected: q.organisation_code,
        },
    )
}
