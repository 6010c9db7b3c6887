//! HTML pages: one file per resource, over the same db and domain functions as the API.

mod account;
mod admin;
mod assets;
mod beheer;
pub(crate) mod communities;
mod guest;
mod home;
mod meetings;
mod members;
mod notes;
mod pages;
mod polls;
mod practices;
pub(crate) mod programmes;
mod register;
mod registrations;
mod search;
mod signin;
mod topics;

use askama::Template;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::app::{AppState, problem_for_status};
use crate::auth::{self, CsrfToken, MaybeUser};
use crate::db::users::User;
use crate::error::{Error, FieldError, Problem};

pub use assets::asset_version;

/// Every HTML route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(signin::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(beheer::router())
        .merge(pages::router())
        .merge(polls::router())
        .merge(programmes::router())
        .merge(register::router())
        .merge(communities::router())
        .merge(registrations::router())
        .merge(members::router())
        .merge(meetings::router())
        .merge(guest::router())
        .merge(search::router())
        .merge(topics::router())
        .merge(practices::router())
        .merge(notes::router())
        .merge(assets::router())
}

/// What the layout needs on every page: the signed-in user (for the navigation), the CSRF token
/// for forms, and the asset version for cache-busting URLs.
#[derive(Clone, Debug)]
pub struct Page {
    /// The signed-in user.
    pub user: Option<User>,
    /// CSRF token for forms on this page.
    pub csrf: String,
    /// Version query of asset URLs.
    pub v: &'static str,
}

impl Page {
    /// True when an administrator is signed in.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_admin)
    }
}

impl<S> FromRequestParts<S> for Page
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        let CsrfToken(csrf) = CsrfToken::from_request_parts(parts, state).await?;
        Ok(Self {
            user: user.map(|u| u.user),
            csrf,
            v: asset_version(),
        })
    }
}

/// Form errors shown in the error summary and beside each field.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    /// Adds an error for a field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, "invalid", message));
    }

    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// True when a field has an error.
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// True when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    title: String,
    detail: String,
}

/// Middleware: every error response of a page becomes a Dutch HTML page (a `401` becomes a redirect
/// to the sign-in page); every error response of the API becomes problem+json with a stable `code`.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let cookies = request.headers().get(header::COOKIE).cloned();
    let csrf = request
        .extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let rendered = response.extensions().get::<Problem>().cloned();
    let is_problem = rendered.is_some();
    let problem = rendered.or_else(|| {
        // tower-http's cross-origin check rejects with a bare 403 that carries this marker.
        response
            .extensions()
            .get::<tower_http::csrf::ProtectionError>()
            .map(|_| Error::Csrf.problem())
    });
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    if path.starts_with("/api/") {
        if is_problem {
            return response;
        }
        let problem = problem.unwrap_or_else(|| problem_for_status(status));
        return with_retry_after(problem.into_response(), retry_after);
    }
    let own_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if path == "/healthz" || path == "/metrics" || (problem.is_none() && own_page) {
        // A handler that rendered its own page (a form with errors, a refused link) keeps it.
        return response;
    }
    let problem = problem.unwrap_or_else(|| problem_for_status(status));
    if status == StatusCode::UNAUTHORIZED {
        let mut next_path = path;
        if let Some(q) = query {
            next_path.push('?');
            next_path.push_str(&q);
        }
        let target = format!(
            "/inloggen?volgende={}",
            url::form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
        );
        return Redirect::to(&target).into_response();
    }
    let mut headers = HeaderMap::new();
    if let Some(c) = cookies {
        headers.insert(header::COOKIE, c);
    }
    let user = user_from_cookies(&state, &headers).await;
    let page = ErrorPage {
        page: Page {
            user,
            csrf,
            v: asset_version(),
        },
        status: status.as_u16(),
        title: problem.title,
        detail: problem.detail,
    };
    let html = page
        .render()
        .unwrap_or_else(|_| "Er ging iets mis.".to_string());
    with_retry_after((status, Html(html)).into_response(), retry_after)
}

fn with_retry_after(mut response: Response, retry_after: Option<HeaderValue>) -> Response {
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

async fn user_from_cookies(state: &AppState, headers: &HeaderMap) -> Option<User> {
    let jar = CookieJar::from_headers(headers);
    let session = jar.get(auth::SESSION_COOKIE)?;
    crate::db::sessions::session_user(&state.db, &auth::hash_secret(session.value()))
        .await
        .ok()
        .flatten()
        .map(|s| s.user)
}

/// Renders a template into a response with a status, mapping a template failure to a 500.
pub fn render(status: StatusCode, template: &impl Template) -> Result<Response, Error> {
    let html = template.render().map_err(|e| Error::Internal(e.into()))?;
    Ok((status, Html(html)).into_response())
}

/// A local path to go to after signing in; anything else (another host, `//evil`) becomes `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Only printable ASCII without backslashes: browsers drop tabs and read `\` as `/`,
        // which would turn `/<TAB>/evil` or `/\evil` into another host.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_paths_stay_on_this_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/a\\b")), "/");
        assert_eq!(safe_next(Some("/\u{1}")), "/");
        assert_eq!(safe_next(Some("/account?x=1")), "/account?x=1");
    }
}
