//! `GET /api/v1/search`: one search over everything the caller may see.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiQuery;
use crate::app::AppState;
use crate::auth::MaybeUser;
use crate::error::{Problem, Result};
use crate::search::{self, Request};

/// Search parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words; Dutch word forms match ("groene daken" finds "groen dak"). Every word must occur.
    #[serde(default)]
    pub q: String,
    /// Only this community (slug).
    pub community: Option<String>,
    /// Only this kind: `note`, `comment`, `practice`, `minutes`, `topic` or `meeting`.
    pub kind: Option<String>,
    /// At most this many results: default 20, at most 50.
    pub limit: Option<i64>,
}

/// A result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchItem {
    /// `note`, `comment`, `practice`, `minutes`, `topic` or `meeting`.
    pub kind: String,
    /// Id of the thing found (for minutes: the meeting's id).
    pub id: String,
    /// Title.
    pub title: String,
    /// HTML: the text around the first match, escaped, with matches in `<mark>`.
    pub snippet: String,
    /// Where it is (a page path).
    pub url: String,
    /// Community slug, if it belongs to one.
    pub community: Option<String>,
    /// When it was written (for meetings and minutes: when the meeting starts).
    pub created_at: DateTime<FixedOffset>,
}

/// Results, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    /// Matches.
    pub items: Vec<SearchItem>,
}

/// Searches notes, comments, practice examples, published minutes, topics and meetings that the
/// caller may see (anonymous callers: public practice examples). Results are newest first and
/// identical on SQLite and PostgreSQL.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, description = "OK", body = SearchResults),
              (status = 422, description = "`invalid_query` (over 200 characters) or `invalid_kind`", body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchResults>> {
    let found = search::run(
        &state,
        user.as_ref(),
        Request {
            q: &params.q,
            community: params.community.as_deref(),
            kind: params.kind.as_deref(),
            limit: params.limit.unwrap_or(20),
        },
    )
    .await?;
    let tz = state.config.timezone;
    Ok(Json(SearchResults {
        items: found
            .iter()
            .map(|f| SearchItem {
                created_at: f.created_at.with_timezone(&tz).fixed_offset(),
                kind: f.kind.clone(),
                id: f.id.clone(),
                title: f.title.clone(),
                snippet: f.snippet.clone(),
                url: f.url.clone(),
                community: f.community.clone(),
            })
            .collect(),
    }))
}
