//! `/zoeken`: one search box over everything the member may see. A plain GET form that works
//! without JavaScript; with htmx the results refresh while typing (the same handler answers an
//! htmx request with just the results).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{MaybeUser, Page, render};
use crate::app::AppState;
use crate::error::{Error, Result};
use crate::search::{self, Found, Request};

pub fn router() -> Router<AppState> {
    Router::new().route("/zoeken", get(show))
}

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    q: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    community: String,
}

struct Row {
    label: &'static str,
    title: String,
    url: String,
    snippet: String,
    community: Option<String>,
    date: String,
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct Results {
    q: String,
    rows: Vec<Row>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "search/page.html")]
struct SearchPage {
    page: Page,
    soort: String,
    kinds: Vec<(&'static str, &'static str)>,
    results: Results,
}

fn rows(state: &AppState, found: &[Found]) -> Vec<Row> {
    let tz = state.config.timezone;
    found
        .iter()
        .map(|f| Row {
            label: search::kind_label(&f.kind),
            date: crate::format::date_nl(&f.created_at, tz),
            title: f.title.clone(),
            url: f.url.clone(),
            snippet: f.snippet.clone(),
            community: f.community.clone(),
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    MaybeUser(caller): MaybeUser,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Result<Response> {
    let q = p.q.trim().to_string();
    let kind = Some(p.soort.as_str()).filter(|k| search::KINDS.contains(k));
    let community = Some(p.community.as_str()).filter(|c| !c.is_empty());
    let (found, problem) = if q.is_empty() {
        (Default::default(), None)
    } else {
        match search::run(
            &state,
            caller.as_ref(),
            Request {
                q: &q,
                community,
                kind,
                limit: 30,
            },
        )
        .await
        {
            Ok(found) => (found, None),
            Err(Error::Validation { errors, .. }) => (
                Default::default(),
                errors.into_iter().next().map(|e| e.message),
            ),
            Err(err) => return Err(err),
        }
    };
    let results = Results {
        rows: rows(&state, &found),
        q,
        problem,
    };
    if headers.contains_key("hx-request") {
        return render(StatusCode::OK, &results);
    }
    let mut kinds = vec![("", "Alles")];
    kinds.extend(search::KINDS.iter().map(|k| (*k, search::kind_label(k))));
    render(
        StatusCode::OK,
        &SearchPage {
            page,
            soort: kind.unwrap_or("").to_string(),
            kinds,
            results,
        },
    )
}
