//! Comments on notes. A comment is visible exactly to those who see its note: every read joins
//! the note, its community and the caller's memberships ([`super::notes::VISIBLE`]).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::notes::{Cursor, Reader, VISIBLE};
use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::Result;

/// A comment as one caller sees it.
#[derive(Clone, Debug, FromRow)]
pub struct Comment {
    /// Id.
    pub id: String,
    /// The note.
    pub note_id: String,
    /// Author (`None` once the account is gone).
    pub author_id: Option<String>,
    /// Author's name.
    pub author_name: Option<String>,
    /// Author's organisation (its name).
    pub author_organisation: Option<String>,
    /// As written.
    pub body_markdown: String,
    /// Sanitised HTML (rendered on write).
    pub body_html: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub updated_at: DateTime<Utc>,
    /// The caller's role in the note's community (`None`: not a member of it).
    pub my_role: Option<String>,
}

impl Comment {
    /// True when `reader` may change or delete it: its author, a facilitator of the note's
    /// community, or an admin.
    pub fn may_change(&self, reader: Reader<'_>) -> bool {
        reader.is_admin
            || self.my_role.as_deref() == Some("facilitator")
            || self.author_id.as_deref() == Some(reader.user_id)
    }
}

/// `$1` is the reader, `$2` the admin flag.
const SELECT: &str = "SELECT k.id, k.note_id, k.author_id, u.name AS author_name,
    o.name AS author_organisation, k.body_markdown, k.body_html, k.created_at, k.updated_at,
    ms.role AS my_role
  FROM comments k
  JOIN notes n ON n.id = k.note_id
  JOIN communities c ON c.id = n.community_id
  LEFT JOIN users u ON u.id = k.author_id
  LEFT JOIN organisations o ON o.code = u.organisation_code
  LEFT JOIN memberships ms ON ms.community_id = n.community_id AND ms.user_id = $1";

/// The comments of a note the reader may see, oldest first, after `after`, at most `limit`.
pub async fn of_note(
    db: &Db,
    note_id: &str,
    reader: Reader<'_>,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<Comment>> {
    let keyset = if after.is_some() {
        "AND (k.created_at > $5 OR (k.created_at = $5 AND k.id > $6))"
    } else {
        ""
    };
    let sql = format!(
        "{SELECT} WHERE k.note_id = $3 AND {VISIBLE} {keyset}
         ORDER BY k.created_at, k.id LIMIT $4"
    );
    Ok(on_pool!(db, |c| {
        let mut q = sqlx::query_as::<_, Comment>(&sql)
            .bind(reader.user_id)
            .bind(reader.is_admin)
            .bind(note_id)
            .bind(limit);
        if let Some(after) = after {
            q = q.bind(after.at).bind(&after.id);
        }
        q.fetch_all(c).await?
    }))
}

/// A comment the reader may see; `None` for a missing id and an invisible one alike.
pub async fn visible(db: &Db, id: &str, reader: Reader<'_>) -> Result<Option<Comment>> {
    let sql = format!("{SELECT} WHERE k.id = $3 AND {VISIBLE}");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Comment>(&sql)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Stores a comment; returns its id.
pub async fn create(
    tx: &mut Tx,
    note_id: &str,
    author_id: &str,
    body: &str,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO comments (id, note_id, author_id, body_markdown, body_html, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)"
    )
    .bind(&id)
    .bind(note_id)
    .bind(author_id)
    .bind(body)
    .bind(body_html)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?
    });
    Ok(id)
}

/// Replaces the text of a comment.
pub async fn update(
    tx: &mut Tx,
    id: &str,
    body: &str,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE comments SET body_markdown = $2, body_html = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(body)
    .bind(body_html)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Deletes a comment.
pub async fn delete(tx: &mut Tx, id: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query("DELETE FROM comments WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A comment's search document fields, read inside a write transaction.
#[derive(Clone, Debug, FromRow)]
pub struct Indexed {
    /// Id.
    pub id: String,
    /// Text.
    pub body_markdown: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
}

/// Every comment of a note (for re-indexing or removing them with the note).
pub async fn all_of_note(tx: &mut Tx, note_id: &str) -> Result<Vec<Indexed>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as::<_, Indexed>(
        "SELECT id, body_markdown, created_at FROM comments WHERE note_id = $1 ORDER BY created_at, id"
    )
    .bind(note_id)
    .fetch_all(c)
    .await?
    }))
}
