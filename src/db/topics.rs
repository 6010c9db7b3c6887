//! Topics of a community's content agenda and their votes. Every read joins the caller's
//! membership; the `votes` counter changes in the transaction that adds or removes a vote.
//! Agenda items and minutes move a topic along (`scheduled`, `discussed`) through the functions
//! at the end, inside their own transactions.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::topic::{TopicStatus, TopicText};
use crate::error::{Error, FieldError, Result};

/// A topic as one caller sees it.
#[derive(Clone, Debug)]
pub struct Topic {
    /// Id.
    pub id: String,
    /// Community.
    pub community_id: String,
    /// Community slug.
    pub community_slug: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// Who proposed it (`None` once that account is gone).
    pub author_id: Option<String>,
    /// The proposer's name.
    pub author_name: Option<String>,
    /// `open`, `scheduled`, `discussed` or `closed`.
    pub status: String,
    /// Number of votes.
    pub votes: i64,
    /// True when the caller voted for it.
    pub voted_by_me: bool,
    /// True when the caller facilitates its community (or is an administrator).
    pub facilitator: bool,
    /// Proposed at.
    pub created_at: DateTime<Utc>,
    /// Last change of title, description or status by a person.
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    community_id: String,
    community_slug: String,
    title: String,
    description: String,
    author_id: Option<String>,
    author_name: Option<String>,
    status: String,
    votes: i64,
    my_vote: Option<String>,
    my_role: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn into_topic(self, is_admin: bool) -> Topic {
        Topic {
            id: self.id,
            community_id: self.community_id,
            community_slug: self.community_slug,
            title: self.title,
            description: self.description,
            author_id: self.author_id,
            author_name: self.author_name,
            status: self.status,
            votes: self.votes,
            voted_by_me: self.my_vote.is_some(),
            facilitator: is_admin || self.my_role.as_deref() == Some("facilitator"),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `$1` is the caller, `$2` whether the caller is an administrator; the WHERE clause must keep
/// `(ms.user_id IS NOT NULL OR $2)` so only members (and administrators) see a topic.
const SELECT: &str = "SELECT t.id, t.community_id, c.slug AS community_slug, t.title, t.description,
    t.author_id, u.name AS author_name, t.status, t.votes, mv.user_id AS my_vote, ms.role AS my_role,
    t.created_at, t.updated_at
  FROM topics t
  JOIN communities c ON c.id = t.community_id
  LEFT JOIN users u ON u.id = t.author_id
  LEFT JOIN topic_votes mv ON mv.topic_id = t.id AND mv.user_id = $1
  LEFT JOIN memberships ms ON ms.community_id = t.community_id AND ms.user_id = $1";

/// Most votes first, then the oldest; the id keeps equal timestamps in a stable order.
const RANK: &str = "ORDER BY t.votes DESC, t.created_at, t.id";

/// The topics of a community the caller belongs to, ranked, optionally of one status; empty for
/// anyone outside the community.
pub async fn of_community(
    db: &Db,
    community_id: &str,
    user_id: &str,
    is_admin: bool,
    status: Option<TopicStatus>,
) -> Result<Vec<Topic>> {
    let filter = if status.is_some() {
        "AND t.status = $4"
    } else {
        ""
    };
    let sql = format!(
        "{SELECT} WHERE t.community_id = $3 AND (ms.user_id IS NOT NULL OR $2) {filter} {RANK}"
    );
    let rows: Vec<Row> = on_pool!(db, |c| {
        let mut q = sqlx::query_as::<_, Row>(&sql)
            .bind(user_id)
            .bind(is_admin)
            .bind(community_id);
        if let Some(s) = status {
            q = q.bind(s.as_str());
        }
        q.fetch_all(c).await?
    });
    Ok(rows.into_iter().map(|r| r.into_topic(is_admin)).collect())
}

/// The `limit` open topics with the most votes (then the oldest) of a community the caller belongs
/// to: the community home's list, one index range however many topics there are.
pub async fn top_open(
    db: &Db,
    community_id: &str,
    user_id: &str,
    is_admin: bool,
    limit: i64,
) -> Result<Vec<Topic>> {
    let sql = format!(
        "{SELECT} WHERE t.community_id = $3 AND (ms.user_id IS NOT NULL OR $2) AND t.status = 'open' {RANK} LIMIT $4"
    );
    let rows: Vec<Row> = on_pool!(db, |c| {
        sqlx::query_as::<_, Row>(&sql)
            .bind(user_id)
            .bind(is_admin)
            .bind(community_id)
            .bind(limit)
            .fetch_all(c)
            .await?
    });
    Ok(rows.into_iter().map(|r| r.into_topic(is_admin)).collect())
}

/// A topic the caller may see (members of its community and administrators); `None` for everyone
/// else, exactly as for a missing id.
pub async fn visible(db: &Db, id: &str, user_id: &str, is_admin: bool) -> Result<Option<Topic>> {
    let sql = format!("{SELECT} WHERE t.id = $3 AND (ms.user_id IS NOT NULL OR $2)");
    let row: Option<Row> = on_pool!(db, |c| {
        sqlx::query_as::<_, Row>(&sql)
            .bind(user_id)
            .bind(is_admin)
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|r| r.into_topic(is_admin)))
}

/// Stores a proposal (status `open`, no votes); returns its id.
pub async fn create(
    tx: &mut Tx,
    community_id: &str,
    author_id: &str,
    text: &TopicText,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO topics (id, community_id, title, description, author_id, status, votes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'open', 0, $6, $6)",
        )
        .bind(&id)
        .bind(community_id)
        .bind(&text.title)
        .bind(&text.description)
        .bind(author_id)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(id)
}

/// Replaces title, description and status.
pub async fn update(
    tx: &mut Tx,
    id: &str,
    text: &TopicText,
    status: TopicStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let affected = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE topics SET title = $2, description = $3, status = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(&text.title)
        .bind(&text.description)
        .bind(status.as_str())
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    if affected == 0 {
        Err(Error::NotFound)
    } else {
        Ok(())
    }
}

/// `409 topic_not_open` unless the topic is open: votes count only while members still choose.
async fn require_open(tx: &mut Tx, id: &str) -> Result<()> {
    let status: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT status FROM topics WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    match status.as_deref() {
        None => Err(Error::NotFound),
        Some("open") => Ok(()),
        Some(_) => Err(Error::refused(
            StatusCode::CONFLICT,
            "topic_not_open",
            "Dit onderwerp staat niet meer open; stemmen kan alleen op open onderwerpen.",
        )),
    }
}

/// Adds the caller's vote; a second vote changes nothing.
pub async fn vote(tx: &mut Tx, id: &str, user_id: &str, now: DateTime<Utc>) -> Result<()> {
    require_open(tx, id).await?;
    let added = on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO topic_votes (topic_id, user_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (topic_id, user_id) DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    // `votes + 1`, not a recount: on PostgreSQL a concurrent vote's recount would miss this row.
    if added == 1 {
        on_tx!(tx, |c| {
            sqlx::query("UPDATE topics SET votes = votes + 1 WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    Ok(())
}

/// Withdraws the caller's vote; without one it changes nothing.
pub async fn withdraw(tx: &mut Tx, id: &str, user_id: &str) -> Result<()> {
    require_open(tx, id).await?;
    let removed = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM topic_votes WHERE topic_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    if removed == 1 {
        on_tx!(tx, |c| {
            sqlx::query("UPDATE topics SET votes = votes - 1 WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    Ok(())
}

/// Marks a topic `scheduled` for an agenda item of `meeting_id`; a `422` on `topic_id` unless the
/// topic belongs to the meeting's community.
pub async fn schedule(tx: &mut Tx, topic_id: &str, meeting_id: &str) -> Result<()> {
    let affected = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE topics SET status = 'scheduled'
             WHERE id = $1 AND community_id = (SELECT community_id FROM meetings WHERE id = $2)",
        )
        .bind(topic_id)
        .bind(meeting_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    if affected == 0 {
        return Err(Error::Validation {
            code: "validation_failed",
            errors: vec![FieldError::new(
                "topic_id",
                "unknown_topic",
                "Kies een onderwerp van de community van deze bijeenkomst.",
            )],
        });
    }
    Ok(())
}

/// Puts a scheduled topic back to `open` when no agenda item refers to it any more.
pub async fn unschedule_if_unlinked(tx: &mut Tx, topic_id: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE topics SET status = 'open'
             WHERE id = $1 AND status = 'scheduled'
               AND NOT EXISTS (SELECT 1 FROM agenda_items WHERE topic_id = $1)",
        )
        .bind(topic_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Marks every open or scheduled topic on the agenda of `meeting_id` as `discussed` (the meeting's
/// minutes are published); topics a facilitator closed stay closed.
pub async fn mark_discussed(tx: &mut Tx, meeting_id: &str) -> Result<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE topics SET status = 'discussed'
             WHERE status IN ('open', 'scheduled')
               AND id IN (SELECT topic_id FROM agenda_items WHERE meeting_id = $1 AND topic_id IS NOT NULL)
               AND community_id = (SELECT community_id FROM meetings WHERE id = $1)",
        )
        .bind(meeting_id)
        .execute(c)
        .await?
        .rows_affected()
    }))
}
