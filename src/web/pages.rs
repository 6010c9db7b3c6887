//! Fixed pages: the privacy statement and the accessibility statement.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::{Page, render};
use crate::app::AppState;
use crate::error::Result;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(privacy))
        .route("/toegankelijkheid", get(accessibility))
}

#[derive(Template)]
#[template(path = "pages/privacy.html")]
struct Privacy {
    page: Page,
}

#[derive(Template)]
#[template(path = "pages/toegankelijkheid.html")]
struct Accessibility {
    page: Page,
}

async fn privacy(page: Page) -> Result<Response> {
    render(StatusCode::OK, &Privacy { page })
}

async fn accessibility(page: Page) -> Result<Response> {
    render(StatusCode::OK, &Accessibility { page })
}
