//! A community's page: the community home for its members (the next meeting, the year plan,
//! latest notes, upcoming meetings, top topics, open action items, members), a public summary
//! with the registration button for everyone else.
//!
//! The home is the page members land on and kring's busiest: every list on it is one bounded
//! query, so it runs the same number of statements for a community with ten notes or ten thousand
//! (a test counts them).

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

/// How many items each list on the home shows.
const LATEST_NOTES: i64 = 5;
const UPCOMING_MEETINGS: i64 = 3;
const TOP_TOPICS: i64 = 5;

struct NoteLine {
    id: String,
    title: String,
    author: String,
    date: String,
    excerpt: String,
    comments: i64,
    shared_from: Option<String>,
}

struct TopicLine {
    title: String,
    votes: i64,
    id: String,
}

struct ActionLine {
    text: String,
    owner: Option<String>,
    due: Option<String>,
    meeting_id: String,
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
    later: Vec<MeetingView>,
    notes: Vec<NoteLine>,
    topics: Vec<TopicLine>,
    actions: Vec<ActionLine>,
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
    match (role, &page.user) {
        (Some(role), Some(user)) => {
            let home = home(&state, &page, user, community, programme, &role).await?;
            render(StatusCode::OK, &home)
        }
        _ => {
            let c = card(&state, &community);
            render(StatusCode::OK, &Summary { page, c, programme })
        }
    }
}

/// The member's view: a fixed number of bounded queries, whatever the community's size.
async fn home(
    state: &AppState,
    page: &Page,
    user: &db::users::User,
    community: Community,
    programme: Option<Programme>,
    role: &str,
) -> Result<Home> {
    let tz = state.config.timezone;
    let now = state.clock.now();
    let reader = db::notes::Reader {
        user_id: &user.id,
        is_admin: user.is_admin,
    };
    let notes = db::notes::of_community(
        &state.db,
        &community.id,
        reader,
        &db::notes::ListQuery {
            tag: None,
            after: None,
            limit: LATEST_NOTES,
        },
    )
    .await?;
    let mut meetings = db::meetings::upcoming(&state.db, &community.id, now, UPCOMING_MEETINGS)
        .await?
        .into_iter()
        .map(|m| view(&m, tz));
    let next = meetings.next();
    let later = meetings.collect();
    let topics = db::topics::top_open(
        &state.db,
        &community.id,
        &user.id,
        user.is_admin,
        TOP_TOPICS,
    )
    .await?;
    let actions = db::minutes::open_before(&state.db, &community.id, now).await?;
    let members = db::communities::members(&state.db, &community.id).await?;
    let (meetings_planned, site_visits_planned) =
        crate::meeting::year_counts(state, &community.id).await?;
    let names: std::collections::HashMap<&str, &str> = members
        .iter()
        .map(|m| (m.user_id.as_str(), m.name.as_str()))
        .collect();
    let actions = actions
        .into_iter()
        .map(|a| ActionLine {
            owner: a
                .owner_user_id
                .as_deref()
                .and_then(|id| names.get(id).map(|n| (*n).to_string()))
                .or(a.owner_name),
            due: a.due_date,
            text: a.text,
            meeting_id: a.meeting_id,
        })
        .collect();
    let own = community.id.clone();
    Ok(Home {
        page: page.clone(),
        is_facilitator: role == "facilitator",
        notes: notes
            .into_iter()
            .map(|n| NoteLine {
                date: crate::format::date_nl(&n.created_at, tz),
                excerpt: crate::domain::note::excerpt(&n.body_markdown, 160),
                author: match (n.author_name, n.author_organisation) {
                    (Some(name), Some(org)) => format!("{name}, {org}"),
                    (Some(name), None) => name,
                    _ => "Oud-lid".to_string(),
                },
                shared_from: (n.community_id != own).then_some(n.community_name),
                comments: n.comment_count,
                id: n.id,
                title: n.title,
            })
            .collect(),
        topics: topics
            .into_iter()
            .map(|t| TopicLine {
                title: t.title,
                votes: t.votes,
                id: t.id,
            })
            .collect(),
        actions,
        members,
        community,
        programme,
        meetings_planned,
        site_visits_planned,
        next,
        later,
    })
}
