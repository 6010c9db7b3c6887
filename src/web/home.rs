//! The public home page.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use std::sync::Arc;

use super::programmes::{Overview, overview};
use super::{Page, render};
use crate::app::AppState;
use crate::auth::Caller;
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
    o: Arc<Overview>,
}

async fn home(State(state): State<AppState>, page: Page, caller: Caller) -> Result<Response> {
    let (memberships, changes) = match &caller {
        Caller::User(a) => (
            db::users::memberships(&state.db, &a.user.id).await?,
            a.changes,
        ),
        // Anonymous visitors (and guests, who see the public page) read the count alone.
        _ => (Vec::new(), db::changes(&state.db).await?),
    };
    let o = overview(&state, changes).await?;
    render(
        StatusCode::OK,
        &Home {
            page,
            memberships,
            o,
        },
    )
}
