//! The search index. Whatever is searchable writes its document here in the transaction that
//! changes it ([`put`], [`remove`]); [`search`] matches stemmed query terms and filters on the
//! caller's memberships inside the query, so nothing invisible ever leaves the database.
//!
//! The text is stemmed in the application (`domain::stem`); SQLite indexes the stems with FTS5,
//! PostgreSQL with a `tsvector('simple', …)` over the same stems, so both match the same
//! documents. Terms of three or more letters match as prefixes too (Dutch compounds). Results are
//! newest first by when they were first indexed (the document id, which an update keeps): on
//! SQLite FTS5 walks its matches in that order and the visibility check stops at the limit, so a
//! common word costs about the same as a rare one. The same order on both databases.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, on_pool, on_tx};
use crate::domain::stem;
use crate::error::Result;

/// A searchable document.
#[derive(Clone, Debug)]
pub struct Doc<'a> {
    /// `note`, `comment`, `practice`, `minutes`, `topic` or `meeting`.
    pub kind: &'a str,
    /// The id of the thing itself.
    pub ref_id: &'a str,
    /// Its community (`None` for a practice example without one).
    pub community_id: Option<&'a str>,
    /// The programme, for programme-wide visibility.
    pub programme_id: Option<&'a str>,
    /// `community` (members of `community_id`), `programme` (members of any community of
    /// `programme_id`, and of `community_id`) or `public` (everyone, also anonymous).
    pub visibility: &'a str,
    /// Title shown in results.
    pub title: &'a str,
    /// Text searched and used for the snippet (Markdown source is fine).
    pub body: &'a str,
    /// Local URL of the result.
    pub url: &'a str,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// Adds or replaces a document.
pub async fn put(tx: &mut Tx, doc: &Doc<'_>) -> Result<()> {
    let mut text = String::with_capacity(doc.title.len() + doc.body.len() + 1);
    text.push_str(doc.title);
    text.push(' ');
    text.push_str(doc.body);
    let stems = stem::stem_text(&text);
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO search_docs (kind, ref_id, community_id, programme_id, visibility, title, body, url, stems, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (kind, ref_id) DO UPDATE SET community_id = excluded.community_id,
           programme_id = excluded.programme_id, visibility = excluded.visibility, title = excluded.title,
           body = excluded.body, url = excluded.url, stems = excluded.stems
         RETURNING id"
    )
    .bind(doc.kind)
    .bind(doc.ref_id)
    .bind(doc.community_id)
    .bind(doc.programme_id)
    .bind(doc.visibility)
    .bind(doc.title)
    .bind(doc.body)
    .bind(doc.url)
    .bind(&stems)
    .bind(doc.created_at)
    .fetch_one(c)
    .await?
    });
    if let Tx::Sqlite(t) = tx {
        sqlx::query("DELETE FROM search_fts WHERE rowid = $1")
            .bind(id)
            .execute(&mut **t)
            .await?;
        sqlx::query("INSERT INTO search_fts (rowid, stems) VALUES ($1, $2)")
            .bind(id)
            .bind(&stems)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Removes a document (when its thing is deleted, or stops being searchable).
pub async fn remove(tx: &mut Tx, kind: &str, ref_id: &str) -> Result<()> {
    let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2 RETURNING id"
    )
    .bind(kind)
    .bind(ref_id)
    .fetch_optional(c)
    .await?);
    if let (Some(id), Tx::Sqlite(t)) = (id, tx) {
        sqlx::query("DELETE FROM search_fts WHERE rowid = $1")
            .bind(id)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// A search result.
#[derive(Clone, Debug, FromRow)]
pub struct Hit {
    /// The document's id (newer documents have larger ids).
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Id of the thing.
    pub ref_id: String,
    /// Title.
    pub title: String,
    /// Text (for the snippet).
    pub body: String,
    /// Local URL.
    pub url: String,
    /// Community slug, if any.
    pub community: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// Who searches, and what they narrow to.
#[derive(Clone, Copy, Debug)]
pub struct Query<'a> {
    /// Stemmed terms (`domain::stem::query_terms`); every one must match.
    pub terms: &'a [String],
    /// The caller (`None`: anonymous, public documents only).
    pub user_id: Option<&'a str>,
    /// Admins see everything.
    pub is_admin: bool,
    /// Only this community (by slug).
    pub community: Option<&'a str>,
    /// Only this kind.
    pub kind: Option<&'a str>,
    /// At most this many.
    pub limit: i64,
}

const VISIBLE: &str = "($3 OR d.visibility = 'public'
      OR d.community_id IN (SELECT ms.community_id FROM memberships ms WHERE ms.user_id = $2)
      OR (d.visibility = 'programme' AND d.programme_id IN (
            SELECT pc.programme_id FROM memberships ms JOIN communities pc ON pc.id = ms.community_id
            WHERE ms.user_id = $2)))
  AND ($4 IS NULL OR c.slug = $4)
  AND ($5 IS NULL OR d.kind = $5)";

/// Terms this long or longer also match as a prefix, so that a word finds the compounds it starts
/// ("school" finds "schoolpleinen"); FTS5's `"term"*` and PostgreSQL's `term:*` match the same
/// tokens.
const PREFIX_FROM: usize = 3;

/// How many of the newest documents PostgreSQL walks in order before it asks its index.
const RECENT_WINDOW: i64 = 2_000;

/// The documents matching every term that the caller may see, newest first.
pub async fn search(db: &Db, q: Query<'_>) -> Result<Vec<Hit>> {
    if q.terms.is_empty() {
        return Ok(Vec::new());
    }
    super::queries::count();
    // Terms are ASCII letters and digits (domain::stem), so they are safe in both query syntaxes.
    let hits = match db {
        Db::Sqlite { read, .. } => {
            let fts = q
                .terms
                .iter()
                .map(|t| {
                    if t.len() >= PREFIX_FROM {
                        format!("\"{t}\"*")
                    } else {
                        format!("\"{t}\"")
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            let sql = format!(
                "SELECT d.id, d.kind, d.ref_id, d.title, d.body, d.url, c.slug AS community, d.created_at
                 FROM search_fts f JOIN search_docs d ON d.id = f.rowid
                 LEFT JOIN communities c ON c.id = d.community_id
                 WHERE search_fts MATCH $1 AND {VISIBLE}
                 ORDER BY f.rowid DESC LIMIT $6"
            );
            sqlx::query_as::<_, Hit>(&sql)
                .bind(fts)
                .bind(q.user_id)
                .bind(q.is_admin)
                .bind(q.community)
                .bind(q.kind)
                .bind(q.limit)
                .fetch_all(read)
                .await?
        }
        Db::Postgres(pool) => {
            let tsquery = q
                .terms
                .iter()
                .map(|t| {
                    if t.len() >= PREFIX_FROM {
                        format!("{t}:*")
                    } else {
                        t.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" & ");
            // The GIN index finds every match, but the newest `limit` visible ones are wanted:
            // for words in many documents (most searches) the planner would fetch and sort all
            // of them (140 ms for "groen dak" on the scale-1 demo). So first walk the newest
            // documents in order and stop at the limit; only when that window has too few, ask
            // the index for the older rest (cheap then: few matches, or few visible ones).
            let select = "SELECT d.id, d.kind, d.ref_id, d.title, d.body, d.url,
                 c.slug AS community, d.created_at";
            let recent = format!(
                "{select}
                 FROM (SELECT * FROM search_docs ORDER BY id DESC LIMIT {RECENT_WINDOW}) d
                 LEFT JOIN communities c ON c.id = d.community_id
                 WHERE d.tsv @@ to_tsquery('simple', $1) AND {VISIBLE}
                 ORDER BY d.id DESC LIMIT $6"
            );
            let older = format!(
                "{select}
                 FROM search_docs d
                 LEFT JOIN communities c ON c.id = d.community_id
                 WHERE d.tsv @@ to_tsquery('simple', $1) AND {VISIBLE}
                   AND d.id < (SELECT w.id FROM search_docs w ORDER BY w.id DESC
                               LIMIT 1 OFFSET {RECENT_WINDOW} - 1)
                 ORDER BY d.id DESC LIMIT $6"
            );
            let run = |sql: String, limit: i64| {
                let tsquery = tsquery.clone();
                async move {
                    sqlx::query_as::<_, Hit>(&sql)
                        .bind(tsquery)
                        .bind(q.user_id)
                        .bind(q.is_admin)
                        .bind(q.community)
                        .bind(q.kind)
                        .bind(limit)
                        .fetch_all(pool)
                        .await
                }
            };
            let mut hits = run(recent, q.limit).await?;
            let missing = q.limit - i64::try_from(hits.len()).unwrap_or(q.limit);
            if missing > 0 {
                super::queries::count();
                // A document indexed between the two statements moves the window: skip what
                // the first already has.
                let last = hits.last().map_or(i64::MAX, |h| h.id);
                hits.extend(
                    run(older, missing)
                        .await?
                        .into_iter()
                        .filter(|h| h.id < last),
                );
            }
            hits
        }
    };
    Ok(hits)
}

/// Number of indexed documents (for tests and metrics).
pub async fn count(db: &Db) -> Result<i64> {
    Ok(on_pool!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM search_docs"
    )
    .fetch_one(c)
    .await?))
}
