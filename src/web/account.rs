//! `/account`: name, work domains, notification preference, communities and personal API tokens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db::sessions::ApiToken;
use crate::db::users::{MembershipSummary, ProfilePatch, User};
use crate::domain::{NotificationFrequency, PersonName, WorkDomain};
use crate::error::Result;
use crate::{api, db};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(save_profile))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/intrekken", post(revoke_token))
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct Account {
    page: Page,
    user: User,
    name: String,
    domains: Vec<(WorkDomain, bool)>,
    frequencies: Vec<(NotificationFrequency, bool)>,
    memberships: Vec<MembershipSummary>,
    tokens: Vec<ApiToken>,
    errors: FormErrors,
    notice: Option<&'static str>,
    new_token: Option<String>,
    tz: chrono_tz::Tz,
}

#[derive(Deserialize)]
struct Notice {
    melding: Option<String>,
}

async fn load(state: &AppState, page: Page, user: User) -> Result<Account> {
    let memberships = db::users::memberships(&state.db, &user.id).await?;
    let tokens = db::sessions::list_tokens(&state.db, &user.id).await?;
    let domains = WorkDomain::ALL
        .iter()
        .map(|d| (*d, user.domain_list().contains(d)))
        .collect();
    let frequency = user.frequency();
    let frequencies = NotificationFrequency::ALL
        .iter()
        .map(|f| (*f, *f == frequency))
        .collect();
    Ok(Account {
        page,
        name: user.name.clone(),
        user,
        domains,
        frequencies,
        memberships,
        tokens,
        errors: FormErrors::default(),
        notice: None,
        new_token: None,
        tz: state.config.timezone,
    })
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let mut account = load(&state, page, me.user).await?;
    account.notice = match q.melding.as_deref() {
        Some("opgeslagen") => Some("Je gegevens zijn opgeslagen."),
        Some("ingetrokken") => Some(
            "De sleutel is ingetrokken. Programma's die hem gebruikten, hebben geen toegang meer.",
        ),
        _ => None,
    };
    render(StatusCode::OK, &account)
}

#[derive(Deserialize)]
struct ProfileInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    domains: Vec<String>,
    notification_frequency: Option<String>,
}

async fn save_profile(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    CsrfForm(input): CsrfForm<ProfileInput>,
) -> Result<Response> {
    let mut errors = FormErrors::default();
    let name = PersonName::parse(&input.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let domains: Vec<WorkDomain> = input
        .domains
        .iter()
        .filter_map(|d| WorkDomain::parse(d))
        .collect();
    let frequency = input
        .notification_frequency
        .as_deref()
        .and_then(NotificationFrequency::parse);
    if input.notification_frequency.is_some() && frequency.is_none() {
        errors.add(
            "notification_frequency",
            "Kies hoe vaak je e-mail wilt ontvangen.",
        );
    }
    if !errors.is_empty() {
        let mut account = load(&state, page, me.user).await?;
        account.name = input.name;
        account.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &account);
    }
    let patch = ProfilePatch {
        name,
        domains: Some(domains),
        notification_frequency: frequency,
    };
    let mut tx = state.db.begin().await?;
    db::users::update_profile(&mut tx, &me.user.id, &patch).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?melding=opgeslagen").into_response())
}

#[derive(Deserialize)]
struct TokenInput {
    #[serde(default)]
    label: String,
}

async fn create_token(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    CsrfForm(input): CsrfForm<TokenInput>,
) -> Result<Response> {
    let label = match api::me::parse_label(&input.label) {
        Ok(label) => label,
        Err(message) => {
            let mut account = load(&state, page, me.user).await?;
            account.errors.add("label", message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &account);
        }
    };
    let (_, token) = api::me::issue_token(&state, &me.user.id, &label).await?;
    let mut account = load(&state, page, me.user).await?;
    account.new_token = Some(token);
    render(StatusCode::CREATED, &account)
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    db::sessions::delete_token(&mut tx, &me.user.id, &id).await?;
    db::audit::record(&mut tx, Some(&me.user.id), "token_revoked", &id, "").await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?melding=ingetrokken").into_response())
}
