//! Topics of the content agenda: proposing, voting and changing, shared by the API and the pages.
//! Who may do what: members propose and vote; the author edits while the topic is open;
//! facilitators edit, close and reopen. Scheduling and discussing follow from agendas and minutes.

use crate::app::AppState;
use crate::db;
use crate::db::topics::Topic;
use crate::db::users::User;
use crate::domain::topic::{TopicStatus, TopicText};
use crate::error::{Error, FieldError, Result};

/// A change to a topic; fields left out stay as they are.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// New status (`open`, `discussed` or `closed`; facilitators).
    pub status: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New description (Markdown).
    pub description: Option<String>,
}

fn invalid(errors: Vec<(&'static str, &'static str)>) -> Error {
    Error::Validation {
        code: "validation_failed",
        errors: errors
            .into_iter()
            .map(|(field, message)| FieldError::new(field, "invalid", message))
            .collect(),
    }
}

/// The topic `id` as `user` sees it; `NotFound` outside its community, exactly as for a missing id.
pub async fn visible(state: &AppState, user: &User, id: &str) -> Result<Topic> {
    db::topics::visible(&state.db, id, &user.id, user.is_admin)
        .await?
        .ok_or(Error::NotFound)
}

/// The topics of a community `user` belongs to, most votes first, then the oldest.
pub async fn ranked(
    state: &AppState,
    user: &User,
    community_id: &str,
    status: Option<TopicStatus>,
) -> Result<Vec<Topic>> {
    db::topics::of_community(&state.db, community_id, &user.id, user.is_admin, status).await
}

/// Parses a status filter; `422` on `status` for anything else than the four statuses.
pub fn status_filter(value: Option<&str>) -> Result<Option<TopicStatus>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => TopicStatus::parse(v).map(Some).ok_or_else(|| {
            Error::field(
                "validation_failed",
                "status",
                "Kies open, scheduled, discussed of closed.",
            )
        }),
    }
}

/// Keeps a topic's search document in step, in the transaction that changes it.
async fn index(
    tx: &mut db::Tx,
    id: &str,
    community_id: &str,
    text: &TopicText,
    created_at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let slug: String = db::on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT slug FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_one(c)
    .await?);
    let url = format!("/communities/{slug}/onderwerpen#onderwerp-{id}");
    db::search::put(
        tx,
        &db::search::Doc {
            kind: "topic",
            ref_id: id,
            community_id: Some(community_id),
            programme_id: None,
            visibility: "community",
            title: &text.title,
            body: &text.description,
            url: &url,
            created_at,
        },
    )
    .await
}

/// Stores a proposal by `user` in a community the caller belongs to (the caller checked that).
pub async fn propose(
    state: &AppState,
    user: &User,
    community_id: &str,
    title: &str,
    description: &str,
) -> Result<Topic> {
    let text = TopicText::parse(title, description).map_err(invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = db::topics::create(&mut tx, community_id, &user.id, &text, now).await?;
    index(&mut tx, &id, community_id, &text, now).await?;
    tx.commit().await?;
    visible(state, user, &id).await
}

/// Casts (`on`) or withdraws `user`'s vote; repeating either changes nothing. `409 topic_not_open`
/// once the topic is no longer open.
pub async fn set_vote(state: &AppState, user: &User, topic: &Topic, on: bool) -> Result<Topic> {
    let mut tx = state.db.begin().await?;
    if on {
        db::topics::vote(&mut tx, &topic.id, &user.id, state.clock.now()).await?;
    } else {
        db::topics::withdraw(&mut tx, &topic.id, &user.id).await?;
    }
    tx.commit().await?;
    visible(state, user, &topic.id).await
}

/// Applies a change: `403` unless a facilitator changes the status, or the author or a
/// facilitator the text (the author only while the topic is open); `422` with field errors for
/// what does not parse.
pub async fn change(
    state: &AppState,
    user: &User,
    topic: &Topic,
    change: &Change,
) -> Result<Topic> {
    let current = TopicStatus::parse(&topic.status).unwrap_or(TopicStatus::Open);
    let new_status = change.status.as_deref().map(str::trim);
    let status_changes = new_status.is_some_and(|s| s != current.as_str());
    let text_changes = change.title.is_some() || change.description.is_some();
    let is_author = topic.author_id.as_deref() == Some(user.id.as_str());
    if (status_changes && !topic.facilitator)
        || (text_changes && !(topic.facilitator || (is_author && current == TopicStatus::Open)))
    {
        return Err(Error::Forbidden);
    }
    let mut errors = Vec::new();
    let status = match new_status {
        Some(s) if status_changes => match TopicStatus::parse(s) {
            Some(parsed) if parsed.settable_by_hand() => parsed,
            Some(_) => {
                errors.push((
                    "status",
                    "Een onderwerp wordt ingepland door het aan een agendapunt van een bijeenkomst te koppelen.",
                ));
                current
            }
            None => {
                errors.push(("status", "Kies open, discussed of closed."));
                current
            }
        },
        _ => current,
    };
    let title = change.title.as_deref().unwrap_or(&topic.title);
    let description = change.description.as_deref().unwrap_or(&topic.description);
    let text = match TopicText::parse(title, description) {
        Ok(text) if errors.is_empty() => text,
        Ok(_) => return Err(invalid(errors)),
        Err(more) => {
            errors.extend(more);
            return Err(invalid(errors));
        }
    };
    let mut tx = state.db.begin().await?;
    db::topics::update(&mut tx, &topic.id, &text, status, state.clock.now()).await?;
    index(
        &mut tx,
        &topic.id,
        &topic.community_id,
        &text,
        topic.created_at,
    )
    .await?;
    tx.commit().await?;
    visible(state, user, &topic.id).await
}
