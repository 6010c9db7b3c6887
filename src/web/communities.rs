//! A community's page: the community home for its members (the next meeting, the year plan,
//! latest notes, upcoming meetings, top topics, open action items, members), a public summary
//! with the registration button for everyone else.
//!
//! The home is the page members land on and kring's busiest: every list on it is one bounded
//! query, so it runs the same number of statements for a community with ten notes or ten thousand
//! (a test counts them).

use std::sync::Arc;

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
    is_facilitator: bool,
    d: Arc<HomeData>,
}

/// What the member's view of a community shows: the same for every member, so it is read once
/// and reused until the database changes or a listed meeting ends (`crate::cache`).
pub struct HomeData {
    community: Community,
    programme: Option<Programme>,
    /// Members and facilitators; also who may see the page, and as what.
    members: Vec<MemberRow>,
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
    let signed_in = match &caller {
        // A guest speaker sees their meeting and nothing else, not even public summaries.
        crate::auth::Caller::Guest(_) => return Err(Error::NotFound),
        crate::auth::Caller::User(a) => Some(a),
        crate::auth::Caller::Anonymous => None,
    };
    let now = state.clock.now();
    let cached = signed_in.and_then(|a| state.caches.community_home.get(&slug, a.changes, now));
    let (a, data) = match (signed_in, cached) {
        (Some(a), Some(data)) => (a, data),
        _ => {
            let community = db::communities::find(&state.db, &slug)
                .await?
                .ok_or(Error::NotFound)?;
            let programme = match &community.programme_id {
                Some(id) => db::programmes::find_by_id(&state.db, id).await?,
                None => None,
            };
            let members = match signed_in {
                Some(_) => db::communities::members(&state.db, &community.id).await?,
                None => Vec::new(),
            };
            let Some(a) = signed_in.filter(|a| role_in(&members, &a.user).is_some()) else {
                return summary(&state, page, &community, programme);
            };
            let (data, until) = home(&state, &a.user, community, programme, members, now).await?;
            let data = state
                .caches
                .community_home
                .put(slug, a.changes, now, until, data);
            (a, data)
        }
    };
    match role_in(&data.members, &a.user) {
        Some(role) => render(
            StatusCode::OK,
            &Home {
                page,
                is_facilitator: role == "facilitator",
                d: Arc::clone(&data),
            },
        ),
        None => summary(&state, page, &data.community, data.programme.clone()),
    }
}

/// The public summary with the registration button, for everyone but members.
fn summary(
    state: &AppState,
    page: Page,
    community: &Community,
    programme: Option<Programme>,
) -> Result<Response> {
    let c = card(state, community);
    render(StatusCode::OK, &Summary { page, c, programme })
}

/// The user's role in a community with these members: facilitator for administrators, `None`
/// for non-members.
fn role_in<'a>(members: &'a [MemberRow], user: &db::users::User) -> Option<&'a str> {
    if user.is_admin {
        return Some("facilitator");
    }
    members
        .iter()
        .find(|m| m.user_id == user.id)
        .map(|m| m.role.as_str())
}

/// The member's view, read with a fixed number of bounded queries whatever the community's
/// size, and until when it holds if nothing is written: the end of the first listed meeting
/// (it then leaves the list), at most [`crate::cache::FRESH_FOR`] (the year plan depends on the date alone).
async fn home(
    state: &AppState,
    user: &db::users::User,
    community: Community,
    programme: Option<Programme>,
    members: Vec<MemberRow>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(HomeData, chrono::DateTime<chrono::Utc>)> {
    let tz = state.config.timezone;
    // Any member reads the same lists: the reader only decides whether they may see them.
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
    let upcoming = db::meetings::upcoming(&state.db, &community.id, now, UPCOMING_MEETINGS).await?;
    let until = upcoming
        .iter()
        .map(|m| m.ends_at)
        .fold(now + crate::cache::FRESH_FOR, std::cmp::min);
    let mut meetings = upcoming.iter().map(|m| view(m, tz));
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
    let data = HomeData {
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
    };
    Ok((data, until))
}
