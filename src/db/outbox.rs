//! The e-mail outbox: mail rows written in the caller's transaction and drained by the worker.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::Result;

/// A rendered e-mail ready to be queued.
#[derive(Clone, Debug)]
pub struct NewMail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Holds a secret (a sign-in link): the bodies are blanked once delivered.
    pub sensitive: bool,
    /// An iCalendar document sent along (`METHOD`, document).
    pub calendar: Option<(String, String)>,
    /// For notifications: where to stop them, sent as `List-Unsubscribe: <url>`.
    pub list_unsubscribe: Option<String>,
}

/// A queued or sent e-mail.
#[derive(Clone, Debug, FromRow)]
pub struct Mail {
    /// Id.
    pub id: String,
    /// Recipient address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub body_text: String,
    /// HTML.
    pub body_html: String,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Next attempt.
    pub next_attempt_at: DateTime<Utc>,
    /// First delivery attempt; retrying stops 48 hours after it.
    pub first_attempt_at: Option<DateTime<Utc>>,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// Delivered at.
    pub sent_at: Option<DateTime<Utc>>,
    /// iCalendar document sent along.
    pub calendar: Option<String>,
    /// Its `METHOD` (`REQUEST`, `CANCEL`).
    pub calendar_method: Option<String>,
    /// `List-Unsubscribe` URL of a notification.
    pub list_unsubscribe: Option<String>,
}

const COLUMNS: &str = "id, recipient, subject, body_text, body_html, created_at, status, attempts, next_attempt_at, first_attempt_at, last_error, sent_at, calendar, calendar_method, list_unsubscribe";

/// What stays of a delivered mail that held a secret.
const REDACTED: &str =
    "(De inhoud is na verzending verwijderd, omdat het bericht een inloglink bevatte.)";

/// Queues an e-mail in the caller's transaction: it is sent only if the transaction commits.
pub async fn enqueue(tx: &mut Tx, mail: &NewMail) -> Result<String> {
    let id = new_id();
    let now = Utc::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO outbox (id, recipient, subject, body_text, body_html, sensitive, created_at, next_attempt_at,
               calendar, calendar_method, list_unsubscribe)
             VALUES ($1, $2, $3, $4, $5, $7, $6, $6, $8, $9, $10)",
        )
        .bind(&id)
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(now)
        .bind(mail.sensitive)
        .bind(mail.calendar.as_ref().map(|(_, ics)| ics.as_str()))
        .bind(mail.calendar.as_ref().map(|(method, _)| method.as_str()))
        .bind(mail.list_unsubscribe.as_deref())
        .execute(c)
        .await?
            .rows_affected()
    });
    Ok(id)
}

/// Claims up to `limit` due e-mails for this worker for `lease`. On PostgreSQL, rows locked by another
/// instance are skipped (`FOR UPDATE SKIP LOCKED`), and the lease keeps them from being claimed twice;
/// SQLite has one writer, so the same statement without the lock clause is enough.
pub async fn claim_due(db: &Db, worker: &str, limit: i64, lease: Duration) -> Result<Vec<Mail>> {
    let now = Utc::now();
    let lock = match db {
        Db::Sqlite { .. } => "",
        Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE outbox SET locked_until = $2, locked_by = $3
         WHERE id IN (SELECT id FROM outbox
                      WHERE status = 'pending' AND next_attempt_at <= $1
                        AND (locked_until IS NULL OR locked_until < $1)
                      ORDER BY next_attempt_at LIMIT $4 {lock})
         RETURNING {COLUMNS}"
    );
    let mut tx = db.begin().await?;
    let mut mails = on_tx!(&mut tx, |c| {
        sqlx::query_as::<_, Mail>(&sql)
            .bind(now)
            .bind(now + lease)
            .bind(worker)
            .bind(limit)
            .fetch_all(c)
            .await?
    });
    tx.commit_unseen().await?;
    mails.sort_by_key(|m| m.next_attempt_at);
    Ok(mails)
}

/// Extends this worker's claim on a mail just before sending it; false when the claim was lost
/// (its lease ran out and another worker took it), in which case the mail must not be sent here.
pub async fn renew(db: &Db, id: &str, worker: &str, lease: Duration) -> Result<bool> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let renewed = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE outbox SET locked_until = $3
             WHERE id = $1 AND locked_by = $2 AND status = 'pending'",
        )
        .bind(id)
        .bind(worker)
        .bind(now + lease)
        .execute(c)
        .await?
        .rows_affected()
    });
    tx.commit_unseen().await?;
    Ok(renewed == 1)
}

/// Records a delivery; a mail that held a secret keeps only its subject and recipient.
pub async fn mark_sent(db: &Db, id: &str, worker: &str) -> Result<bool> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let affected = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1,
               first_attempt_at = COALESCE(first_attempt_at, $2),
               body_text = CASE WHEN sensitive THEN $4 ELSE body_text END,
               body_html = CASE WHEN sensitive THEN $4 ELSE body_html END,
               locked_until = NULL, locked_by = NULL, last_error = NULL
             WHERE id = $1 AND locked_by = $3",
        )
        .bind(id)
        .bind(now)
        .bind(worker)
        .bind(REDACTED)
        .execute(c)
        .await?
        .rows_affected()
    });
    tx.commit_unseen().await?;
    Ok(affected == 1)
}

/// Records a failed attempt: retried at `retry_at`, or marked `failed` when `give_up` is set.
pub async fn mark_failed(
    db: &Db,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: DateTime<Utc>,
    give_up: bool,
) -> Result<bool> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let affected = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
               first_attempt_at = COALESCE(first_attempt_at, $6),
               status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
               locked_until = NULL, locked_by = NULL
             WHERE id = $1 AND locked_by = $5",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at)
        .bind(give_up)
        .bind(worker)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    tx.commit_unseen().await?;
    Ok(affected == 1)
}

/// The newest e-mails first, for `/admin/outbox`.
pub async fn list(db: &Db, status: Option<&str>, limit: i64, offset: i64) -> Result<Vec<Mail>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE ($1 = '' OR status = $1)
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    );
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Mail>(&sql)
            .bind(status.unwrap_or(""))
            .bind(limit)
            .bind(offset)
            .fetch_all(c)
            .await?
    }))
}

/// One e-mail.
pub async fn find(db: &Db, id: &str) -> Result<Option<Mail>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Mail>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Counts per status: (pending, sent, failed).
pub async fn counts(db: &Db) -> Result<(i64, i64, i64)> {
    let rows: Vec<(String, i64)> = on_pool!(db, |c| {
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status")
            .fetch_all(c)
            .await?
    });
    let get = |s: &str| rows.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok((get("pending"), get("sent"), get("failed")))
}
