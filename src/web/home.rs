//! The public home page.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::programmes::{CommunityCard, ProgrammeCard, overview};
use super::{Page, render};
use crate::app::AppState;
use crate::db::{self, users::MembershipSummary};
use crate::error::Result;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    memberships: Vec<MembershipSummary>,
    programmes: Vec<ProgrammeCard>,
    loose: Vec<CommunityCard>,
}

async fn home(State(state): State<AppState>, page: Page) -> Result<Response> {
    let memberships = match &page.user {
        Some(user) => db::users::memberships(&state.db, &user.id).await?,
        None => Vec::new(),
    };
    let (programmes, loose) = overview(&state).await?;
    render(
        StatusCode::OK,
        &Home {
            page,
            memberships,
            programmes,
            loose,
        },
    )
}
