//! Minutes of meetings (draft, then published) and their action items, which stay open on the
//! community's later meetings until they are done.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::Result;

/// Minutes as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Minutes {
    /// Markdown.
    pub body_markdown: String,
    /// JSON array of decision texts.
    pub decisions: String,
    /// `draft` or `published`.
    pub status: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Publication.
    pub published_at: Option<DateTime<Utc>>,
}

/// An action item.
#[derive(Clone, Debug, FromRow)]
pub struct Action {
    /// Id.
    pub id: String,
    /// The meeting it was agreed at.
    pub meeting_id: String,
    /// Community.
    pub community_id: String,
    /// What to do.
    pub text: String,
    /// Owner, a member.
    pub owner_user_id: Option<String>,
    /// Owner, by name (someone outside kring).
    pub owner_name: Option<String>,
    /// Due date (YYYY-MM-DD).
    pub due_date: Option<String>,
    /// Done.
    pub done: bool,
}

/// A new action item.
#[derive(Clone, Debug)]
pub struct NewAction {
    /// What to do.
    pub text: String,
    /// Owner, a member.
    pub owner_user_id: Option<String>,
    /// Owner, by name.
    pub owner_name: Option<String>,
    /// Due date (YYYY-MM-DD).
    pub due_date: Option<String>,
}

/// The minutes of a meeting.
pub async fn get(db: &Db, meeting_id: &str) -> Result<Option<Minutes>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Minutes>(
            "SELECT body_markdown, decisions, status, updated_at, published_at FROM minutes WHERE meeting_id = $1",
        )
        .bind(meeting_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Saves the minutes as a draft and replaces the meeting's action items.
pub async fn save_draft(
    tx: &mut Tx,
    meeting_id: &str,
    community_id: &str,
    body: &str,
    decisions_json: &str,
    actions: &[NewAction],
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO minutes (meeting_id, body_markdown, decisions, status, updated_at) VALUES ($1, $2, $3, 'draft', $4)
             ON CONFLICT (meeting_id) DO UPDATE SET body_markdown = excluded.body_markdown,
               decisions = excluded.decisions, status = 'draft', updated_at = excluded.updated_at",
        )
        .bind(meeting_id)
        .bind(body)
        .bind(decisions_json)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM actions WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    for (position, a) in (1i64..).zip(actions) {
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO actions (id, meeting_id, community_id, text, owner_user_id, owner_name, due_date, position)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(meeting_id)
            .bind(community_id)
            .bind(&a.text)
            .bind(&a.owner_user_id)
            .bind(&a.owner_name)
            .bind(&a.due_date)
            .bind(position)
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    Ok(())
}

/// Publishes the minutes; false when there are none. The topics on the meeting's agenda become
/// `discussed` in the same transaction.
pub async fn publish(tx: &mut Tx, meeting_id: &str, now: DateTime<Utc>) -> Result<bool> {
    let affected = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE minutes SET status = 'published', published_at = $2 WHERE meeting_id = $1",
        )
        .bind(meeting_id)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    if affected == 1 {
        super::topics::mark_discussed(tx, meeting_id).await?;
    }
    Ok(affected == 1)
}

const ACTION_COLUMNS: &str =
    "a.id, a.meeting_id, a.community_id, a.text, a.owner_user_id, a.owner_name, a.due_date, a.done";

/// The action items agreed at a meeting, in order.
pub async fn actions_of(db: &Db, meeting_id: &str) -> Result<Vec<Action>> {
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM actions a WHERE a.meeting_id = $1 ORDER BY a.position"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Action>(&sql)
        .bind(meeting_id)
        .fetch_all(c)
        .await?))
}

/// Open action items from the community's earlier meetings whose minutes are published.
pub async fn open_before(
    db: &Db,
    community_id: &str,
    before: DateTime<Utc>,
) -> Result<Vec<Action>> {
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM actions a
         JOIN meetings m ON m.id = a.meeting_id
         JOIN minutes mi ON mi.meeting_id = a.meeting_id AND mi.status = 'published'
         WHERE a.community_id = $1 AND NOT a.done AND m.starts_at < $2
         ORDER BY m.starts_at, a.position"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Action>(&sql)
        .bind(community_id)
        .bind(before)
        .fetch_all(c)
        .await?))
}

/// An action item by id.
pub async fn action(db: &Db, id: &str) -> Result<Option<Action>> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM actions a WHERE a.id = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Action>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Marks an action item done or open.
pub async fn set_done(tx: &mut Tx, id: &str, done: bool) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE actions SET done = $2 WHERE id = $1")
            .bind(id)
            .bind(done)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}
