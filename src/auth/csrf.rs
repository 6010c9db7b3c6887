//! CSRF protection for forms and cookie-authenticated API calls: a per-browser token in an
//! `HttpOnly` cookie that every state-changing request repeats.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;

use super::{CSRF_COOKIE, new_secret};
use crate::app::AppState;
use crate::error::{Error, Result};

/// Compares two secrets without an early exit.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The CSRF token of this browser, to put in forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("csrf middleware missing")))
    }
}

/// The CSRF cookie. `Lax`, not `Strict`: with `Strict`, arriving from a link in a webmail tab
/// would not send the cookie, a new one would be issued, and forms open in other tabs would fail.
pub fn csrf_cookie_for(token: String, https: bool) -> Cookie<'static> {
    Cookie::build((CSRF_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .build()
}

/// Middleware: makes sure every browser has a CSRF cookie and exposes its value as [`CsrfToken`].
pub async fn csrf_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32);
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (new_secret(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let https = state.config.is_https();
    let mut response = next.run(request).await;
    if fresh && let Ok(value) = csrf_cookie_for(token, https).to_string().parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A url-encoded form whose `csrf_token` field must match the browser's CSRF cookie.
/// Repeated fields (checkboxes) deserialise into `Vec`s.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let cookie = CookieJar::from_headers(request.headers())
            .get(CSRF_COOKIE)
            .map(|c| c.value().to_string());
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge
                } else {
                    Error::Csrf
                }
            })?;
        let field: CsrfField = serde_html_form::from_bytes(&bytes).map_err(|_| Error::Csrf)?;
        match (cookie, field.csrf_token) {
            (Some(c), Some(f)) if constant_time_eq(&c, &f) => {}
            _ => return Err(Error::Csrf),
        }
        // PostgreSQL cannot store U+0000 in text: refused here, the same on both databases.
        if bytes.windows(3).any(|w| w == b"%00") {
            return Err(Error::field(
                "validation_failed",
                "form",
                "De tekst bevat een ongeldig teken (U+0000).",
            ));
        }
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| {
                Error::field(
                    "validation_failed",
                    "form",
                    format!("Het formulier is niet volledig: {e}"),
                )
            })
    }
}
