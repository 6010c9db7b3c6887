//! The JSON API under `/api/v1`: one file per resource, over the same db and domain functions as the pages.

pub mod agenda;
pub mod attachments;
pub mod comments;
pub mod communities;
pub mod me;
pub mod meetings;
pub mod minutes;
pub mod notes;
mod openapi;
pub mod organisations;
pub mod polls;
pub mod practices;
pub mod programmes;
pub mod registrations;
pub mod search;
pub mod speakers;
pub mod topics;
pub mod users;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::{Error, FieldError};

pub use openapi::ApiDoc;

/// The API routes, with the method and path of each, so a test can compare them with the OpenAPI document.
pub struct ApiRoutes {
    router: Router<AppState>,
    routes: Vec<(Method, &'static str)>,
}

impl ApiRoutes {
    fn new() -> Self {
        Self {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.routes.push((method, path));
        self.router = self.router.route(path, route);
        self
    }

    fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, get(handler))
    }

    fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, post(handler))
    }

    fn patch<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PATCH, path, patch(handler))
    }

    fn put<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, put(handler))
    }

    /// A POST that receives a file: the general body limit is lifted, and the upload itself is
    /// counted against `KRING_MAX_UPLOAD_MB` while it streams to storage.
    fn upload<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(
            Method::POST,
            path,
            post(handler).layer(axum::extract::DefaultBodyLimit::disable()),
        )
    }

    fn delete<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, delete(handler))
    }

    /// Every (method, path) the router serves under `/api/v1`.
    pub fn list(&self) -> &[(Method, &'static str)] {
        &self.routes
    }

    /// The axum router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Every API route.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .get("/api/v1/openapi.json", openapi::document)
        .get("/api/v1/search", search::search)
        .get("/api/v1/me", me::get_me)
        .patch("/api/v1/me", me::patch_me)
        .get("/api/v1/me/tokens", me::list_tokens)
        .post("/api/v1/me/tokens", me::create_token)
        .delete("/api/v1/me/tokens/{id}", me::delete_token)
        .post("/api/v1/users", users::create_user)
        .get("/api/v1/organisations", organisations::list)
        .post("/api/v1/organisations", organisations::create)
        .get("/api/v1/organisations/{code}", organisations::get_one)
        .patch("/api/v1/organisations/{code}", organisations::update)
        .post("/api/v1/programmes", programmes::create)
        .get("/api/v1/programmes", programmes::list)
        .get("/api/v1/programmes/{slug}", programmes::get_one)
        .post(
            "/api/v1/programmes/{slug}/participants",
            programmes::add_participant,
        )
        .get(
            "/api/v1/programmes/{slug}/participants",
            programmes::participants,
        )
        .post("/api/v1/programmes/{slug}/enrolments", programmes::enrol)
        .get(
            "/api/v1/programmes/{slug}/enrolments",
            programmes::enrolments,
        )
        .post(
            "/api/v1/enrolments/{id}/approve",
            programmes::approve_enrolment,
        )
        .post("/api/v1/communities", communities::create)
        .get("/api/v1/communities", communities::list)
        .get("/api/v1/communities/{slug}", communities::get_one)
        .patch("/api/v1/communities/{slug}", communities::update)
        .post(
            "/api/v1/communities/{slug}/facilitators",
            communities::add_facilitator,
        )
        .get("/api/v1/communities/{slug}/members", communities::members)
        .post(
            "/api/v1/communities/{slug}/members",
            communities::add_member,
        )
        .delete(
            "/api/v1/communities/{slug}/members/{user_id}",
            communities::remove_member,
        )
        .post("/api/v1/registrations", registrations::create)
        .get(
            "/api/v1/communities/{slug}/registrations",
            registrations::list,
        )
        .get(
            "/api/v1/communities/{slug}/registrations.csv",
            registrations::export_csv,
        )
        .get(
            "/api/v1/communities/{slug}/registrations.xlsx",
            registrations::export_xlsx,
        )
        .post("/api/v1/registrations/{id}/approve", registrations::approve)
        .post("/api/v1/registrations/{id}/decline", registrations::decline)
        .post(
            "/api/v1/registrations/{id}/withdraw",
            registrations::withdraw,
        )
        .post("/api/v1/communities/{slug}/meetings", meetings::create)
        .get("/api/v1/communities/{slug}/meetings", meetings::list)
        .get("/api/v1/meetings/{id}", meetings::get_one)
        .patch("/api/v1/meetings/{id}", meetings::update)
        .post("/api/v1/meetings/{id}/cancel", meetings::cancel)
        .get("/api/v1/meetings/{id}/ics", meetings::ics)
        .put("/api/v1/meetings/{id}/rsvp", meetings::rsvp)
        .put("/api/v1/meetings/{id}/attendance", meetings::attendance)
        .post("/api/v1/meetings/{id}/speakers", speakers::create)
        .delete(
            "/api/v1/meetings/{id}/speakers/{speaker_id}",
            speakers::delete,
        )
        .upload(
            "/api/v1/meetings/{id}/attachments",
            attachments::upload_to_meeting,
        )
        .get("/api/v1/meetings/{id}/attachments", attachments::of_meeting)
        .get("/api/v1/attachments/{id}", attachments::download)
        .delete("/api/v1/attachments/{id}", attachments::delete)
        .post("/api/v1/communities/{slug}/polls", polls::create)
        .get("/api/v1/polls/{id}", polls::get_one)
        .put("/api/v1/polls/{id}/answers", polls::answer)
        .post("/api/v1/polls/{id}/decide", polls::decide)
        .post("/api/v1/meetings/{id}/agenda-items", agenda::add)
        .patch("/api/v1/agenda-items/{id}", agenda::update)
        .delete("/api/v1/agenda-items/{id}", agenda::remove)
        .put("/api/v1/meetings/{id}/agenda-order", agenda::reorder)
        .post("/api/v1/meetings/{id}/agenda/publish", agenda::publish)
        .get("/api/v1/meetings/{id}/minutes", minutes::get)
        .put("/api/v1/meetings/{id}/minutes", minutes::save)
        .post("/api/v1/meetings/{id}/minutes/template", minutes::template)
        .post("/api/v1/meetings/{id}/minutes/publish", minutes::publish)
        .patch("/api/v1/actions/{id}", minutes::set_done)
        .post("/api/v1/communities/{slug}/topics", topics::create)
        .get("/api/v1/communities/{slug}/topics", topics::list)
        .get("/api/v1/topics/{id}", topics::get_one)
        .patch("/api/v1/topics/{id}", topics::update)
        .put("/api/v1/topics/{id}/vote", topics::vote)
        .delete("/api/v1/topics/{id}/vote", topics::unvote)
        .post("/api/v1/practices", practices::create)
        .get("/api/v1/practices", practices::list)
        .get("/api/v1/practices/{id}", practices::get_one)
        .patch("/api/v1/practices/{id}", practices::update)
        .delete("/api/v1/practices/{id}", practices::delete)
        .upload("/api/v1/practices/{id}/attachments", practices::upload)
        .get("/api/v1/practices/{id}/attachments", practices::files)
        .add(
            Method::POST,
            "/api/v1/communities/{slug}/notes",
            post(notes::create).layer(notes::body_limit()),
        )
        .get("/api/v1/communities/{slug}/notes", notes::list)
        .get("/api/v1/notes/{id}", notes::get_one)
        .add(
            Method::PATCH,
            "/api/v1/notes/{id}",
            patch(notes::update).layer(notes::body_limit()),
        )
        .delete("/api/v1/notes/{id}", notes::delete)
        .upload("/api/v1/notes/{id}/attachments", notes::upload)
        .post("/api/v1/notes/{id}/comments", comments::create)
        .get("/api/v1/notes/{id}/comments", comments::list)
        .patch("/api/v1/comments/{id}", comments::update)
        .delete("/api/v1/comments/{id}", comments::delete)
}

/// A JSON body: `415` unless it is JSON, `413` when too large, `400 invalid_json` when it does not
/// parse, `422 unknown_field` for a field the endpoint does not know, `422 validation_failed` for
/// a value of the wrong type.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(Error::refused(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Stuur de gegevens als JSON met Content-Type: application/json.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge
                } else {
                    Error::refused(
                        StatusCode::BAD_REQUEST,
                        "invalid_body",
                        "De inhoud van het verzoek kon niet worden gelezen.",
                    )
                }
            })?;
        if has_nul(&bytes) {
            return Err(nul_refused());
        }
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| json_error(&e))
    }
}

/// Whether a JSON text holds U+0000 in a string: a `\u0000` escape whose backslash is not itself
/// escaped (JSON cannot carry a raw NUL byte). PostgreSQL cannot store it in text, so it is
/// refused at the edge, the same on both databases, instead of failing at the database.
fn has_nul(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(i, w)| {
        w == b"\\u0000"
            && json[..i]
                .iter()
                .rev()
                .take_while(|b| **b == b'\\')
                .count()
                .is_multiple_of(2)
    })
}

/// The refusal of a text with U+0000 in it.
pub(crate) fn nul_refused() -> Error {
    Error::field(
        "validation_failed",
        "body",
        "De tekst bevat een ongeldig teken (U+0000).",
    )
}

pub(crate) fn json_error(e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let message = e.to_string();
    match e.classify() {
        Category::Data => {
            if let Some(rest) = message.strip_prefix("unknown field `") {
                let field = rest.split('`').next().unwrap_or_default();
                return Error::Validation {
                    code: "unknown_field",
                    errors: vec![FieldError::new(
                        field,
                        "unknown_field",
                        format!("Onbekend veld: {field}."),
                    )],
                };
            }
            let field = message
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
                .unwrap_or("body")
                .to_string();
            Error::Validation {
                code: "validation_failed",
                errors: vec![FieldError::new(
                    &field,
                    "invalid",
                    format!("Ongeldige waarde: {message}."),
                )],
            }
        }
        Category::Syntax | Category::Eof | Category::Io => Error::refused(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("Geen geldige JSON: {message}."),
        ),
    }
}

/// Query parameters; a value of the wrong type is `422 validation_failed`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query).map(ApiQuery).map_err(|e| {
            Error::field(
                "validation_failed",
                "query",
                format!("Ongeldige parameter: {e}."),
            )
        })
    }
}

/// `?limit=&cursor=` of list endpoints.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// Where the previous page ended (`next_cursor` of that page).
    pub cursor: Option<String>,
}

impl Paging {
    /// Limit and offset, validated.
    pub fn resolve(&self) -> Result<(i64, i64), Error> {
        let limit = self.limit.unwrap_or(20).clamp(1, 100);
        let offset = match &self.cursor {
            None => 0,
            Some(c) => decode_cursor(c).ok_or_else(|| {
                Error::field("validation_failed", "cursor", "Deze cursor is ongeldig.")
            })?,
        };
        Ok((limit, offset))
    }
}

/// Encodes a list position as an opaque cursor.
pub fn encode_cursor(offset: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("o:")?
        .parse()
        .ok()
        .filter(|n: &i64| *n >= 0)
}

/// A page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage<T: utoipa::ToSchema> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor for the next page, `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T: utoipa::ToSchema> ListPage<T> {
    /// One page of a list that is small enough to load whole (members, registrations, communities):
    /// positions and order are computed over the whole list, then the page is cut out of it.
    pub fn paged(items: Vec<T>, paging: &Paging) -> Result<Self, Error> {
        let (limit, offset) = paging.resolve()?;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(items.len());
        let rest: Vec<T> = items
            .into_iter()
            .skip(start)
            .take(usize::try_from(limit).unwrap_or(100) + 1)
            .collect();
        Ok(Self::from_rows(rest, limit, offset))
    }

    /// Builds a page from `limit + 1` fetched rows.
    pub fn from_rows(mut items: Vec<T>, limit: i64, offset: i64) -> Self {
        let limit_usize = usize::try_from(limit).unwrap_or(0);
        let next_cursor = (items.len() > limit_usize).then(|| encode_cursor(offset + limit));
        items.truncate(limit_usize);
        Self { items, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(40)), Some(40));
        assert_eq!(decode_cursor("!!"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("o:-1")), None);
    }

    #[test]
    fn unknown_fields_get_their_own_code() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body {
            name: String,
        }
        let err = serde_json::from_str::<Body>(r#"{"name":"a","evil":1}"#).unwrap_err();
        let problem = json_error(&err).problem();
        assert_eq!(problem.code, "unknown_field");
        assert_eq!(problem.errors.unwrap()[0].field, "evil");
        let err = serde_json::from_str::<Body>("{").unwrap_err();
        assert_eq!(json_error(&err).problem().code, "invalid_json");
    }

    #[test]
    fn nul_characters_are_found_but_not_escaped_backslashes() {
        assert!(has_nul(br#"{"title":"a\u0000b"}"#));
        assert!(has_nul(br#"{"title":"a\\\u0000b"}"#));
        assert!(!has_nul(br#"{"title":"a\\u0000b"}"#));
        assert!(!has_nul(br#"{"title":"a\u0001b"}"#));
    }
}
