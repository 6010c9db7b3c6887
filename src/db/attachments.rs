//! Attachments: files on meetings, notes and practice examples. A file
//! is read only through a query that joins its parent and checks the caller's right to see that
//! parent, so it is visible exactly to those who see the parent.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, on_pool, on_tx};
use crate::error::Result;

/// A stored file's record.
#[derive(Clone, Debug, FromRow)]
pub struct Attachment {
    /// Id.
    pub id: String,
    /// `meeting`, `note` or `practice`.
    pub parent_kind: String,
    /// The parent's id.
    pub parent_id: String,
    /// File name as uploaded (cleaned).
    pub filename: String,
    /// Media type as declared by the uploader (only ever served as a download).
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Key in the file storage.
    pub storage_key: String,
    /// Uploading member.
    pub user_id: Option<String>,
    /// Uploading guest speaker.
    pub speaker_id: Option<String>,
    /// Uploaded at.
    pub created_at: DateTime<Utc>,
}

/// Who reads: a signed-in user, a guest speaker of one meeting, or nobody (both ids `None`: only
/// files of public practice examples).
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    /// The user's id (`None` for guests and anonymous callers).
    pub user_id: Option<&'a str>,
    /// Admins see every community.
    pub is_admin: bool,
    /// The guest speaker's id (`None` for users).
    pub speaker_id: Option<&'a str>,
}

const COLUMNS: &str = "a.id, a.parent_kind, a.parent_id, a.filename, a.content_type, a.size, a.sha256, \
     a.storage_key, a.user_id, a.speaker_id, a.created_at";

/// Records a stored file.
pub async fn create(tx: &mut Tx, a: &Attachment) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO attachments (id, parent_kind, parent_id, filename, content_type, size, sha256,
           storage_key, user_id, speaker_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(&a.id)
    .bind(&a.parent_kind)
    .bind(&a.parent_id)
    .bind(&a.filename)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(&a.sha256)
    .bind(&a.storage_key)
    .bind(&a.user_id)
    .bind(&a.speaker_id)
    .bind(a.created_at)
    .execute(c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The file `$1` of a note that reader `$2` (admin flag `$3`) may see: exactly those who see the
/// note (`notes::VISIBLE`, with the reader and admin flag as its `$1` and `$2`). Guests see none.
const NOTE_FILE: &str =
    "SELECT a.id, a.parent_kind, a.parent_id, a.filename, a.content_type, a.size,
       a.sha256, a.storage_key, a.user_id, a.speaker_id, a.created_at, ms.role
     FROM attachments a
     JOIN notes n ON a.parent_kind = 'note' AND n.id = a.parent_id
     JOIN communities c ON c.id = n.community_id
     LEFT JOIN memberships ms ON ms.community_id = n.community_id AND ms.user_id = $2
     WHERE a.id = $1 AND $2 IS NOT NULL AND ($3 OR EXISTS (SELECT 1 FROM memberships vm
       JOIN communities vc ON vc.id = vm.community_id
       WHERE vm.user_id = $2 AND (vc.id = n.community_id
         OR (n.visibility = 'programme' AND vc.programme_id = c.programme_id))))";

/// An attachment the reader may see (guest speakers: only their own uploads), with whether they facilitate the parent's community;
/// `None` for a missing id and for one they may not see alike.
pub async fn visible(db: &Db, id: &str, reader: Reader<'_>) -> Result<Option<(Attachment, bool)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        attachment: Attachment,
        role: Option<String>,
    }
    // One leg per parent kind, each joining its parent and the reader's right to see it.
    let sql = format!(
        "SELECT {COLUMNS}, ms.role FROM attachments a
         JOIN meetings m ON a.parent_kind = 'meeting' AND m.id = a.parent_id
         LEFT JOIN memberships ms ON ms.community_id = m.community_id AND ms.user_id = $2
         LEFT JOIN speakers sp ON sp.meeting_id = m.id AND sp.id = $4
         WHERE a.id = $1 AND (ms.user_id IS NOT NULL OR $3 OR a.speaker_id = sp.id)
         UNION ALL
         {NOTE_FILE}"
    );
    let row = on_pool!(db, |c| sqlx::query_as::<_, Row>(&sql)
        .bind(id)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .bind(reader.speaker_id)
        .fetch_optional(c)
        .await?);
    if let Some(r) = row {
        let facilitates = reader.user_id.is_some()
            && (reader.is_admin || r.role.as_deref() == Some("facilitator"));
        return Ok(Some((r.attachment, facilitates)));
    }
    visible_on_practice(db, id, reader).await
}

/// A file of a practice example the reader may see (anonymous readers: of public ones), with
/// whether they may change the example (its author, a facilitator of its community, an admin).
async fn visible_on_practice(
    db: &Db,
    id: &str,
    reader: Reader<'_>,
) -> Result<Option<(Attachment, bool)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        attachment: Attachment,
        role: Option<String>,
        author_id: Option<String>,
    }
    let sql = format!(
        "SELECT {COLUMNS}, ms.role, p.author_id FROM attachments a
         JOIN practices p ON a.parent_kind = 'practice' AND p.id = a.parent_id
         LEFT JOIN memberships ms ON ms.community_id = p.community_id AND ms.user_id = $2
         WHERE a.id = $1 AND {}",
        super::practices::visible_sql("p", "$2", "$3")
    );
    let row = on_pool!(db, |c| sqlx::query_as::<_, Row>(&sql)
        .bind(id)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .fetch_optional(c)
        .await?);
    Ok(row.map(|r| {
        let changes = reader.user_id.is_some()
            && (reader.is_admin
                || r.role.as_deref() == Some("facilitator")
                || r.author_id.as_deref() == reader.user_id);
        (r.attachment, changes)
    }))
}

/// The attachments of a parent the caller has already been allowed to see, oldest first.
pub async fn of_parent(db: &Db, parent_kind: &str, parent_id: &str) -> Result<Vec<Attachment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments a WHERE a.parent_kind = $1 AND a.parent_id = $2
         ORDER BY a.created_at, a.id"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Attachment>(&sql)
        .bind(parent_kind)
        .bind(parent_id)
        .fetch_all(c)
        .await?))
}

/// The attachments of a parent the caller has already been allowed to see, oldest first, each
/// with the name of who uploaded it (a member or a guest speaker; `None` once they are gone).
pub async fn of_parent_with_uploader(
    db: &Db,
    parent_kind: &str,
    parent_id: &str,
) -> Result<Vec<(Attachment, Option<String>)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        attachment: Attachment,
        uploader: Option<String>,
    }
    let sql = format!(
        "SELECT {COLUMNS}, COALESCE(u.name, sp.name) AS uploader FROM attachments a
         LEFT JOIN users u ON u.id = a.user_id
         LEFT JOIN speakers sp ON sp.id = a.speaker_id
         WHERE a.parent_kind = $1 AND a.parent_id = $2
         ORDER BY a.created_at, a.id"
    );
    let rows = on_pool!(db, |c| sqlx::query_as::<_, Row>(&sql)
        .bind(parent_kind)
        .bind(parent_id)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| (r.attachment, r.uploader))
        .collect())
}

/// Removes the record; returns the storage key of the file to remove after commit.
pub async fn delete(tx: &mut Tx, id: &str) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "DELETE FROM attachments WHERE id = $1 RETURNING storage_key"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// Removes the records of every file of a parent (the parent is being deleted); returns the
/// storage keys to remove after commit.
pub async fn delete_of_parent(
    tx: &mut Tx,
    parent_kind: &str,
    parent_id: &str,
) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "DELETE FROM attachments WHERE parent_kind = $1 AND parent_id = $2 RETURNING storage_key"
    )
    .bind(parent_kind)
    .bind(parent_id)
    .fetch_all(c)
    .await?))
}
