//! `/communities/{slug}/onderwerpen`: the content agenda. Members propose topics and vote with
//! plain forms (no JavaScript needed); facilitators close and reopen topics.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, Member, Role};
use crate::db::topics::Topic;
use crate::domain::markdown;
use crate::domain::topic::TopicStatus;
use crate::error::{Error, Result};
use crate::topic::{self, Change};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communities/{slug}/onderwerpen", get(list).post(propose))
        .route("/communities/{slug}/onderwerpen/{id}/stemmen", post(vote))
        .route(
            "/communities/{slug}/onderwerpen/{id}/stem-intrekken",
            post(withdraw),
        )
        .route(
            "/communities/{slug}/onderwerpen/{id}/status",
            post(set_status),
        )
}

/// A topic as listed.
struct TopicView {
    id: String,
    title: String,
    description_html: String,
    status_label: &'static str,
    badge: &'static str,
    votes_label: String,
    voted_by_me: bool,
    is_open: bool,
    is_closed: bool,
    author: String,
    proposed: String,
}

fn view(t: &Topic, tz: chrono_tz::Tz) -> TopicView {
    let status = TopicStatus::parse(&t.status).unwrap_or(TopicStatus::Open);
    TopicView {
        id: t.id.clone(),
        title: t.title.clone(),
        description_html: markdown::render(&t.description).into_string(),
        status_label: status.label_nl(),
        badge: match status {
            TopicStatus::Open => "neutral",
            TopicStatus::Scheduled => "safe",
            TopicStatus::Discussed => "success",
            TopicStatus::Closed => "inactive",
        },
        votes_label: if t.votes == 1 {
            "1 stem".to_string()
        } else {
            format!("{} stemmen", t.votes)
        },
        voted_by_me: t.voted_by_me,
        is_open: status == TopicStatus::Open,
        is_closed: status == TopicStatus::Closed,
        author: t
            .author_name
            .clone()
            .unwrap_or_else(|| "een oud-lid".to_string()),
        proposed: crate::format::date_nl(&t.created_at, tz),
    }
}

/// A link of the status filter.
struct Filter {
    value: &'static str,
    label: &'static str,
    count: usize,
}

/// The proposal form as typed, so it can be shown again.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct ProposeForm {
    title: String,
    description: String,
}

/// A vote, withdrawal or status change; `filter` keeps the list's filter across the redirect.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    filter: String,
    status: String,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    melding: Option<String>,
}

#[derive(Template)]
#[template(path = "topics/list.html")]
struct ListPage {
    page: Page,
    slug: String,
    name: String,
    is_facilitator: bool,
    topics: Vec<TopicView>,
    filters: Vec<Filter>,
    total: usize,
    filter: &'static str,
    filter_label: &'static str,
    notice: Option<&'static str>,
    problem: Option<String>,
    errors: FormErrors,
    form: ProposeForm,
}

async fn load(
    state: &AppState,
    page: Page,
    member: &Member,
    filter: Option<TopicStatus>,
) -> Result<ListPage> {
    let all = topic::ranked(state, &member.user.user, &member.community_id, None).await?;
    let filters = TopicStatus::ALL
        .into_iter()
        .map(|s| Filter {
            value: s.as_str(),
            label: s.label_nl(),
            count: all.iter().filter(|t| t.status == s.as_str()).count(),
        })
        .collect();
    let tz = state.config.timezone;
    let topics = all
        .iter()
        .filter(|t| filter.is_none_or(|f| t.status == f.as_str()))
        .map(|t| view(t, tz))
        .collect();
    Ok(ListPage {
        page,
        slug: member.slug.clone(),
        name: member.name.clone(),
        is_facilitator: member.role == Role::Facilitator,
        topics,
        filters,
        total: all.len(),
        filter: filter.map_or("", TopicStatus::as_str),
        filter_label: filter.map_or("", TopicStatus::label_nl),
        notice: None,
        problem: None,
        errors: FormErrors::default(),
        form: ProposeForm::default(),
    })
}

/// Back to the list after a change (303), with the filter, a confirmation and the topic in view.
fn back(slug: &str, filter: &str, melding: &str, topic_id: Option<&str>) -> Response {
    let mut to = format!("/communities/{slug}/onderwerpen?");
    if let Some(s) = TopicStatus::parse(filter) {
        to.push_str("status=");
        to.push_str(s.as_str());
        to.push('&');
    }
    to.push_str("melding=");
    to.push_str(melding);
    if let Some(id) = topic_id {
        to.push_str("#onderwerp-");
        to.push_str(id);
    }
    Redirect::to(&to).into_response()
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let filter = q.status.as_deref().and_then(TopicStatus::parse);
    let mut view = load(&state, page, &member, filter).await?;
    view.notice = match q.melding.as_deref() {
        Some("voorgesteld") => {
            Some("Je onderwerp is voorgesteld. Andere leden kunnen er nu op stemmen.")
        }
        Some("gestemd") => Some("Je stem is geteld."),
        Some("ingetrokken") => Some("Je stem is ingetrokken."),
        Some("gesloten") => Some("Het onderwerp is gesloten."),
        Some("heropend") => Some("Het onderwerp staat weer open."),
        _ => None,
    };
    render(StatusCode::OK, &view)
}

async fn propose(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    CsrfForm(form): CsrfForm<ProposeForm>,
) -> Result<Response> {
    let proposed = topic::propose(
        &state,
        &member.user.user,
        &member.community_id,
        &form.title,
        &form.description,
    )
    .await;
    match proposed {
        Ok(t) => Ok(back(&member.slug, "", "voorgesteld", Some(&t.id))),
        Err(Error::Validation { errors, .. }) => {
            let mut view = load(&state, page, &member, None).await?;
            view.errors = FormErrors(errors);
            view.form = form;
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

/// The topic `id` of this community; `404` for a topic of another community.
async fn topic_here(state: &AppState, member: &Member, id: &str) -> Result<Topic> {
    let t = topic::visible(state, &member.user.user, id).await?;
    if t.community_id == member.community_id {
        Ok(t)
    } else {
        Err(Error::NotFound)
    }
}

/// Shows the list again with the reason a refused change did not happen.
async fn refused(
    state: &AppState,
    page: Page,
    member: &Member,
    filter: &str,
    error: Error,
) -> Result<Response> {
    let (status, message) = match error {
        Error::Refused { status, detail, .. } => (status, detail),
        Error::Validation { errors, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => return Err(other),
    };
    let mut view = load(state, page, member, TopicStatus::parse(filter)).await?;
    view.problem = Some(message);
    render(status, &view)
}

async fn cast(
    state: AppState,
    page: Page,
    member: Member,
    id: &str,
    form: ActionForm,
    on: bool,
) -> Result<Response> {
    let t = topic_here(&state, &member, id).await?;
    match topic::set_vote(&state, &member.user.user, &t, on).await {
        Ok(_) => {
            let melding = if on { "gestemd" } else { "ingetrokken" };
            Ok(back(&member.slug, &form.filter, melding, Some(&t.id)))
        }
        Err(e) => refused(&state, page, &member, &form.filter, e).await,
    }
}

async fn vote(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response> {
    cast(state, page, member, &id, form, true).await
}

async fn withdraw(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response> {
    cast(state, page, member, &id, form, false).await
}

async fn set_status(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response> {
    member.require_facilitator()?;
    let t = topic_here(&state, &member, &id).await?;
    let change = Change {
        status: Some(form.status.clone()),
        ..Change::default()
    };
    match topic::change(&state, &member.user.user, &t, &change).await {
        Ok(changed) => {
            let melding = if changed.status == "closed" {
                "gesloten"
            } else {
                "heropend"
            };
            Ok(back(&member.slug, &form.filter, melding, Some(&t.id)))
        }
        Err(e) => refused(&state, page, &member, &form.filter, e).await,
    }
}
