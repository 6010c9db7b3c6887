//! `/communities/{slug}/leden`: the member list with organisation and work domains (filter by
//! domain), removing a member (facilitator) and leaving the community (the member themself).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, Member, Role};
use crate::db;
use crate::domain::WorkDomain;
use crate::error::Result;
use crate::registration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communities/{slug}/leden", get(show))
        .route(
            "/communities/{slug}/leden/{user_id}/verwijderen",
            post(remove),
        )
}

/// One person in the list.
struct Row {
    user_id: String,
    name: String,
    organisation: Option<String>,
    domains: String,
    is_facilitator: bool,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "members/list.html")]
struct MembersPage {
    page: Page,
    slug: String,
    name: String,
    is_facilitator: bool,
    /// The domain filter, if any.
    domain: Option<WorkDomain>,
    domains: Vec<WorkDomain>,
    total: usize,
    rows: Vec<Row>,
    notice: Option<&'static str>,
}

impl MembersPage {
    fn selected(&self, d: &WorkDomain) -> bool {
        self.domain == Some(*d)
    }

    /// A facilitator may remove members; facilitators are appointed by administrators.
    fn can_remove(&self, row: &Row) -> bool {
        self.is_facilitator && !row.is_facilitator && !row.is_me
    }
}

#[derive(Deserialize)]
struct ListQuery {
    werkveld: Option<String>,
    melding: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let domain = q.werkveld.as_deref().and_then(WorkDomain::parse);
    let all = db::communities::members(&state.db, &member.community_id).await?;
    let total = all.len();
    let me = member.user.user.id.as_str();
    let rows = all
        .into_iter()
        .filter(|m| domain.is_none_or(|d| m.domain_list().contains(&d)))
        .map(|m| Row {
            domains: m
                .domain_list()
                .iter()
                .map(|d| d.label())
                .collect::<Vec<_>>()
                .join(", "),
            is_facilitator: m.role == "facilitator",
            is_me: m.user_id == me,
            user_id: m.user_id,
            name: m.name,
            organisation: m.organisation,
        })
        .collect();
    let notice = match q.melding.as_deref() {
        Some("verwijderd") => Some(
            "Het lid is verwijderd. Een vrijgekomen plaats gaat naar de eerste op de wachtlijst.",
        ),
        _ => None,
    };
    let view = MembersPage {
        page,
        slug: member.slug,
        name: member.name,
        is_facilitator: member.role == Role::Facilitator,
        domain,
        domains: WorkDomain::ALL.to_vec(),
        total,
        rows,
        notice,
    };
    render(StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "members/left.html")]
struct LeftPage {
    page: Page,
    name: String,
}

#[derive(Deserialize)]
struct Empty {}

/// Removes a member (facilitator) or leaves (the member themself); the seat goes to the waitlist.
async fn remove(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, user_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let leaving = member.user.user.id == user_id;
    if !leaving {
        member.require_facilitator()?;
    }
    registration::remove_member(&state, &member.community_id, &user_id, !leaving).await?;
    if leaving {
        let view = LeftPage {
            page,
            name: member.name,
        };
        return render(StatusCode::OK, &view);
    }
    Ok(Redirect::to(&format!(
        "/communities/{}/leden?melding=verwijderd",
        member.slug
    ))
    .into_response())
}
