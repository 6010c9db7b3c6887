//! Signing in with an e-mailed one-time link, and signing out.

use std::net::SocketAddr;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{FormErrors, Page, render, safe_next};
use crate::app::{AppState, client_ip};
use crate::auth::{self, CsrfForm};
use crate::db::sessions::LinkProblem;
use crate::domain::Email;
use crate::error::Result;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inloggen", get(form).post(submit))
        .route("/inloggen/verstuurd", get(sent))
        .route("/inloggen/{token}", get(confirm).post(use_link))
        .route("/uitloggen", post(sign_out))
}

#[derive(Template)]
#[template(path = "signin/form.html")]
struct SignInForm {
    page: Page,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct NextQuery {
    volgende: Option<String>,
}

async fn form(page: Page, Query(q): Query<NextQuery>) -> Result<Response> {
    if page.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.volgende.as_deref())).into_response());
    }
    let next = safe_next(q.volgende.as_deref());
    render(
        StatusCode::OK,
        &SignInForm {
            page,
            email: String::new(),
            next,
            errors: FormErrors::default(),
        },
    )
}

#[derive(Deserialize)]
struct SignInInput {
    #[serde(default)]
    email: String,
    volgende: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    page: Page,
    CsrfForm(input): CsrfForm<SignInInput>,
) -> Result<Response> {
    state.check_client_limit(client_ip(Some(&ConnectInfo(peer))))?;
    let next = safe_next(input.volgende.as_deref());
    let email = match Email::parse(&input.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FormErrors::default();
            errors.add("email", message);
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignInForm {
                    page,
                    email: input.email,
                    next,
                    errors,
                },
            );
        }
    };
    auth::request_sign_in(&state, &email, &next).await?;
    let target = format!(
        "/inloggen/verstuurd?email={}",
        url::form_urlencoded::byte_serialize(email.as_str().as_bytes()).collect::<String>()
    );
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template)]
#[template(path = "signin/sent.html")]
struct Sent {
    page: Page,
    email: String,
    minutes: i64,
}

#[derive(Deserialize)]
struct SentQuery {
    email: Option<String>,
}

async fn sent(page: Page, Query(q): Query<SentQuery>) -> Result<Response> {
    let email = q
        .email
        .and_then(|e| Email::parse(&e).ok())
        .map(|e| e.to_string())
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &Sent {
            page,
            email,
            minutes: auth::LINK_VALIDITY_MINUTES,
        },
    )
}

#[derive(Template)]
#[template(path = "signin/confirm.html")]
struct Confirm {
    page: Page,
    token: String,
    name: String,
}

#[derive(Template)]
#[template(path = "signin/invalid.html")]
struct Invalid {
    page: Page,
    problem: &'static str,
}

fn invalid(page: Page, problem: LinkProblem) -> Result<Response> {
    let (status, problem) = match problem {
        LinkProblem::Used => (StatusCode::GONE, "used"),
        LinkProblem::Expired => (StatusCode::GONE, "expired"),
        LinkProblem::Unknown => (StatusCode::NOT_FOUND, "unknown"),
    };
    render(status, &Invalid { page, problem })
}

/// Opening a link only shows a button: mail scanners that fetch links must not use them up.
async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response> {
    match crate::db::sessions::check_link(&state.db, &auth::hash_secret(&token)).await? {
        Ok(user_id) => {
            let name = crate::db::users::find(&state.db, &user_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            render(StatusCode::OK, &Confirm { page, token, name })
        }
        Err(problem) => invalid(page, problem),
    }
}

#[derive(Deserialize)]
struct UseLinkInput {
    volgende: Option<String>,
}

async fn use_link(
    State(state): State<AppState>,
    page: Page,
    jar: CookieJar,
    Path(token): Path<String>,
    CsrfForm(input): CsrfForm<UseLinkInput>,
) -> Result<Response> {
    let old = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_string());
    match auth::sign_in_with_link(&state.db, &token, old.as_deref()).await? {
        Ok((session, next)) => {
            let https = state.config.is_https();
            // A new session gets a new CSRF token too.
            let jar = jar
                .add(auth::session_cookie(session, https))
                .add(auth::csrf_cookie_for(auth::new_secret(), https));
            let next = safe_next(next.as_deref().or(input.volgende.as_deref()));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(problem) => invalid(page, problem),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    if let Some(session) = jar.get(auth::SESSION_COOKIE) {
        auth::sign_out(&state.db, session.value()).await?;
    }
    let jar = jar
        .add(auth::removal_cookie(auth::SESSION_COOKIE))
        .add(auth::csrf_cookie_for(
            auth::new_secret(),
            state.config.is_https(),
        ));
    Ok((jar, Redirect::to("/")).into_response())
}
