//! A community's page: the community home for its members (year plan, next meeting, members),
//! a public summary with the registration button for everyone else.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::meetings::{MeetingView, view};
use super::programmes::{CommunityCard, card};
use super::{Page, render};
use crate::app::AppState;
use crate::db;
use crate::db::communities::{Community, MemberRow};
use crate::db::programmes::Programme;
use crate::error::{Error, Result};

pub fn router() -> Router<AppState> {
    Router::new().route("/communities/{slug}", get(show))
}

#[derive(Template)]
#[template(path = "communities/home.html")]
struct Home {
    page: Page,
    community: Community,
    programme: Option<Programme>,
    members: Vec<MemberRow>,
    is_facilitator: bool,
    meetings_planned: i64,
    site_visits_planned: i64,
    next: Option<MeetingView>,
}

#[derive(Template)]
#[template(path = "communities/summary.html")]
struct Summary {
    page: Page,
    c: CommunityCard,
    programme: Option<Programme>,
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    caller: crate::auth::Caller,
    Path(slug): Path<String>,
) -> Result<Response> {
    // A guest speaker sees their meeting and nothing else, not even public summaries.
    if matches!(caller, crate::auth::Caller::Guest(_)) {
        return Err(Error::NotFound);
    }
    let community = db::communities::find(&state.db, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    let programme = match &community.programme_id {
        Some(id) => db::programmes::find_by_id(&state.db, id).await?,
        None => None,
    };
    let role = match &page.user {
        Some(u) if u.is_admin => Some("facilitator".to_string()),
        Some(u) => db::users::memberships_by_id(&state.db, &u.id)
            .await?
            .into_iter()
            .find(|(c, _)| *c == community.id)
            .map(|(_, r)| r),
        None => None,
    };
    match role {
        Some(role) => {
            let members = db::communities::members(&state.db, &community.id).await?;
            let (meetings_planned, site_visits_planned) =
                crate::meeting::year_counts(&state, &community.id).await?;
            let next = db::meetings::next_of_community(&state.db, &community.id, state.clock.now())
                .await?
                .map(|m| view(&m, state.config.timezone));
            render(
                StatusCode::OK,
                &Home {
                    page,
                    is_facilitator: role == "facilitator",
                    members,
                    community,
                    programme,
                    meetings_planned,
                    site_visits_planned,
                    next,
                },
            )
        }
        None => {
            let c = card(&state, &community);
            render(StatusCode::OK, &Summary { page, c, programme })
        }
    }
}
