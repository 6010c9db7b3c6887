//! Agenda items of a meeting, kept in order by `position`.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::{Error, Result};

/// An agenda item.
#[derive(Clone, Debug, FromRow)]
pub struct Item {
    /// Id.
    pub id: String,
    /// Meeting.
    pub meeting_id: String,
    /// Order (1-based).
    pub position: i64,
    /// Title.
    pub title: String,
    /// Length.
    pub duration_minutes: i64,
    /// Description.
    pub description: String,
    /// Speaker (a speaker id, once speakers exist).
    pub speaker_id: Option<String>,
    /// The topic it comes from.
    pub topic_id: Option<String>,
}

const COLUMNS: &str =
    "id, meeting_id, position, title, duration_minutes, description, speaker_id, topic_id";

/// The items of a meeting, in order.
pub async fn of_meeting(db: &Db, meeting_id: &str) -> Result<Vec<Item>> {
    let sql =
        format!("SELECT {COLUMNS} FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Item>(&sql)
        .bind(meeting_id)
        .fetch_all(c)
        .await?))
}

/// The items inside a write transaction.
pub async fn of_meeting_tx(tx: &mut Tx, meeting_id: &str) -> Result<Vec<Item>> {
    let sql =
        format!("SELECT {COLUMNS} FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id");
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Item>(&sql)
        .bind(meeting_id)
        .fetch_all(c)
        .await?))
}

/// An item by id.
pub async fn find(db: &Db, id: &str) -> Result<Option<Item>> {
    let sql = format!("SELECT {COLUMNS} FROM agenda_items WHERE id = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Item>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// What an item holds.
#[derive(Clone, Debug)]
pub struct ItemInput {
    /// Title.
    pub title: String,
    /// Length in minutes.
    pub duration_minutes: i64,
    /// Description.
    pub description: String,
    /// Speaker.
    pub speaker_id: Option<String>,
    /// Topic.
    pub topic_id: Option<String>,
}

/// Appends an item at the end.
pub async fn append(tx: &mut Tx, meeting_id: &str, item: &ItemInput) -> Result<String> {
    let id = new_id();
    let last: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT MAX(position) FROM agenda_items WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_one(&mut *c)
            .await?
    });
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO agenda_items (id, meeting_id, position, title, duration_minutes, description, speaker_id, topic_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(meeting_id)
        .bind(last.unwrap_or(0) + 1)
        .bind(&item.title)
        .bind(item.duration_minutes)
        .bind(&item.description)
        .bind(&item.speaker_id)
        .bind(&item.topic_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    if let Some(topic) = &item.topic_id {
        super::topics::schedule(tx, topic, meeting_id).await?;
    }
    Ok(id)
}

/// Changes an item. A newly linked topic must belong to the meeting's community and becomes
/// `scheduled`; a topic no item links any more goes back to `open`.
pub async fn update(tx: &mut Tx, id: &str, item: &ItemInput) -> Result<()> {
    let before: Option<(String, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as("SELECT meeting_id, topic_id FROM agenda_items WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    let Some((meeting_id, old_topic)) = before else {
        return Err(Error::NotFound);
    };
    let affected = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE agenda_items SET title = $2, duration_minutes = $3, description = $4, speaker_id = $5, topic_id = $6
             WHERE id = $1",
        )
        .bind(id)
        .bind(&item.title)
        .bind(item.duration_minutes)
        .bind(&item.description)
        .bind(&item.speaker_id)
        .bind(&item.topic_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    if affected == 0 {
        return Err(Error::NotFound);
    }
    if item.topic_id != old_topic {
        if let Some(topic) = &item.topic_id {
            super::topics::schedule(tx, topic, &meeting_id).await?;
        }
        if let Some(old) = &old_topic {
            super::topics::unschedule_if_unlinked(tx, old).await?;
        }
    }
    Ok(())
}

/// Removes an item and closes the gap; its topic goes back to `open` if no other item links it.
pub async fn delete(tx: &mut Tx, id: &str, meeting_id: &str) -> Result<()> {
    let topic: Option<Option<String>> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT topic_id FROM agenda_items WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM agenda_items WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    if let Some(topic) = topic.flatten() {
        super::topics::unschedule_if_unlinked(tx, &topic).await?;
    }
    let ids: Vec<String> = of_meeting_tx(tx, meeting_id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    reorder(tx, &ids).await
}

/// Puts the items in this order (positions 1, 2, 3 …).
pub async fn reorder(tx: &mut Tx, ids: &[String]) -> Result<()> {
    for (position, id) in (1i64..).zip(ids) {
        on_tx!(tx, |c| {
            sqlx::query("UPDATE agenda_items SET position = $2 WHERE id = $1")
                .bind(id)
                .bind(position)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    Ok(())
}

/// When the agenda of a meeting was last e-mailed to the members, if ever.
pub async fn published_at(db: &Db, meeting_id: &str) -> Result<Option<DateTime<Utc>>> {
    let at: Option<Option<DateTime<Utc>>> = on_pool!(db, |c| {
        sqlx::query_scalar("SELECT agenda_published_at FROM meetings WHERE id = $1")
            .bind(meeting_id)
            .fetch_optional(c)
            .await?
    });
    Ok(at.flatten())
}

/// Records a publication of the agenda; returns the previous one, if any.
pub async fn mark_published(
    tx: &mut Tx,
    meeting_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let before: Option<Option<DateTime<Utc>>> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT agenda_published_at FROM meetings WHERE id = $1")
            .bind(meeting_id)
            .fetch_optional(&mut *c)
            .await?
    });
    let Some(before) = before else {
        return Err(Error::NotFound);
    };
    on_tx!(tx, |c| {
        sqlx::query("UPDATE meetings SET agenda_published_at = $2 WHERE id = $1")
            .bind(meeting_id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(before)
}
