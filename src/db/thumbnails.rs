//! Thumbnails of image attachments: kring's own re-encoding of an uploaded photo, the only form
//! in which an upload is ever shown inline. The file sits beside the original in the storage
//! ([`storage_key`]); this table says that it exists and how large it is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::practices::placeholders;
use super::{Db, Tx, on_pool, on_tx};
use crate::error::Result;

/// A stored thumbnail.
#[derive(Clone, Debug, FromRow)]
pub struct Thumbnail {
    /// The attachment it shows.
    pub attachment_id: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Size of the JPEG in bytes.
    pub size: i64,
    /// Made at.
    pub created_at: DateTime<Utc>,
}

/// Where the thumbnail of the file stored under `attachment_key` is kept.
pub fn storage_key(attachment_key: &str) -> String {
    format!("{attachment_key}.thumb.jpg")
}

/// Records a thumbnail that was stored.
pub async fn create(tx: &mut Tx, t: &Thumbnail) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO attachment_thumbnails (attachment_id, width, height, size, created_at)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&t.attachment_id)
    .bind(t.width)
    .bind(t.height)
    .bind(t.size)
    .bind(t.created_at)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// The thumbnails of the attachments of one parent (the caller may see the parent), by
/// attachment id.
pub async fn of_parent(
    db: &Db,
    parent_kind: &str,
    parent_id: &str,
) -> Result<HashMap<String, Thumbnail>> {
    let rows: Vec<Thumbnail> = on_pool!(db, |c| sqlx::query_as::<_, Thumbnail>(
        "SELECT t.attachment_id, t.width, t.height, t.size, t.created_at
         FROM attachment_thumbnails t JOIN attachments a ON a.id = t.attachment_id
         WHERE a.parent_kind = $1 AND a.parent_id = $2"
    )
    .bind(parent_kind)
    .bind(parent_id)
    .fetch_all(c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|t| (t.attachment_id.clone(), t))
        .collect())
}

/// The first (oldest) thumbnail of each of `parent_ids` (the caller may see them all), by
/// parent id: one query for a page of cards.
pub async fn first_of_parents(
    db: &Db,
    parent_kind: &str,
    parent_ids: &[&str],
) -> Result<HashMap<String, Thumbnail>> {
    if parent_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT a.parent_id, t.attachment_id, t.width, t.height, t.size, t.created_at
         FROM attachment_thumbnails t JOIN attachments a ON a.id = t.attachment_id
         WHERE a.parent_kind = $1 AND a.parent_id IN ({})
         ORDER BY a.created_at, a.id",
        placeholders(2, parent_ids.len())
    );
    #[derive(FromRow)]
    struct Row {
        parent_id: String,
        #[sqlx(flatten)]
        thumbnail: Thumbnail,
    }
    let rows: Vec<Row> = on_pool!(db, |c| {
        let mut q = sqlx::query_as::<_, Row>(&sql).bind(parent_kind);
        for id in parent_ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await?
    });
    let mut first = HashMap::new();
    for row in rows {
        first.entry(row.parent_id).or_insert(row.thumbnail);
    }
    Ok(first)
}

/// The thumbnail of one attachment.
pub async fn of_attachment(db: &Db, attachment_id: &str) -> Result<Option<Thumbnail>> {
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Thumbnail>(
        "SELECT attachment_id, width, height, size, created_at FROM attachment_thumbnails
         WHERE attachment_id = $1"
    )
    .bind(attachment_id)
    .fetch_optional(c)
    .await?))
}
