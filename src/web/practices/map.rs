//! The map of practice examples: `/map/practices.svg` (the SVG on its own) and
//! `/praktijkvoorbeelden/kaart` (the SVG inline, so its links and titles work, beside a text
//! list of the same municipalities as the accessible alternative, with a theme filter).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::api::practices::theme_filter;
use crate::app::AppState;
use crate::auth::MaybeUser;
use crate::db;
use crate::db::practices::Pin;
use crate::db::users::User;
use crate::domain::practice::Theme;
use crate::error::{Error, Result};
use crate::map;
use crate::practice;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/map/practices.svg", get(svg))
        .route("/praktijkvoorbeelden/kaart", get(page))
}

#[derive(Debug, Default, Deserialize)]
struct MapQuery {
    theme: Option<String>,
}

/// The visible examples (of a theme) and the map drawn from them.
async fn draw(
    state: &AppState,
    user: Option<&User>,
    theme: Option<Theme>,
) -> Result<(Vec<Pin>, String)> {
    let pins = db::practices::pins(&state.db, practice::reader(user), theme).await?;
    let base = map::base().map_err(|e| Error::Internal(anyhow::anyhow!("map: {e}")))?;
    let svg = map::render(base, &pins, theme.map(Theme::as_str))
        .map_err(|e| Error::Internal(e.into()))?;
    Ok((pins, svg))
}

/// The map as an SVG document: `image/svg+xml` under a policy that allows nothing to load or
/// run (it holds only paths, titles, links and circles).
async fn svg(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<MapQuery>,
) -> Result<Response> {
    let theme = theme_filter(q.theme.as_deref())?;
    let user = user.map(|u| u.user);
    let (_, svg) = draw(&state, user.as_ref(), theme).await?;
    let mut response = svg.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; sandbox"),
    );
    Ok(response)
}

/// A municipality (or other organisation) in the text list.
struct Entry {
    code: String,
    name: String,
    count: usize,
    on_map: bool,
}

#[derive(Template)]
#[template(path = "practices/map.html")]
struct MapPage {
    page: Page,
    svg: String,
    entries: Vec<Entry>,
    total: usize,
    themes: Vec<(&'static str, &'static str)>,
    theme: String,
    theme_label: &'static str,
}

impl MapPage {
    /// `&theme=…` for links that keep the filter.
    fn theme_query(&self) -> String {
        if self.theme.is_empty() {
            String::new()
        } else {
            format!("&theme={}", self.theme)
        }
    }
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<MapQuery>,
) -> Result<Response> {
    // An unknown theme shows every example, as the catalogue does.
    let theme = q.theme.as_deref().and_then(Theme::parse);
    let (pins, svg) = draw(&state, page.user.as_ref(), theme).await?;
    let base = map::base().map_err(|e| Error::Internal(anyhow::anyhow!("map: {e}")))?;
    let mut entries: Vec<Entry> = Vec::new();
    for pin in &pins {
        match entries.last_mut() {
            Some(last) if last.code == pin.organisation_code => last.count += 1,
            _ => entries.push(Entry {
                code: pin.organisation_code.clone(),
                name: pin.organisation_name.clone(),
                count: 1,
                on_map: base.shapes.iter().any(|s| s.code == pin.organisation_code),
            }),
        }
    }
    let view = MapPage {
        page,
        svg,
        total: pins.len(),
        entries,
        themes: Theme::all().map(|t| (t.as_str(), t.label_nl())).collect(),
        theme: theme.map_or("", Theme::as_str).to_string(),
        theme_label: theme.map_or("", Theme::label_nl),
    };
    render(StatusCode::OK, &view)
}
