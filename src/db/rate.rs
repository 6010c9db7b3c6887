//! Per-key rate limits counted in the database, so every instance on one database shares them.

use chrono::{Duration, Utc};

use super::{Tx, on_tx};
use crate::error::Result;

/// Counts a request for `key` in `bucket` and tells whether it is within `limit` per `window`.
/// Call inside the transaction of the request, so a refused request leaves nothing behind but its count.
pub async fn hit(
    tx: &mut Tx,
    bucket: &str,
    key: &str,
    limit: u32,
    window: Duration,
) -> Result<bool> {
    let now = Utc::now();
    if let Tx::Postgres(t) = tx {
        // READ COMMITTED would let parallel requests all count below the limit; serialise per key.
        // (SQLite write transactions are already serial: BEGIN IMMEDIATE.)
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("{bucket}:{key}"))
            .execute(&mut **t)
            .await?;
    }
    let recent: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND key = $2 AND at > $3",
        )
        .bind(bucket)
        .bind(key)
        .bind(now - window)
        .fetch_one(&mut *c)
        .await?
    });
    if recent >= i64::from(limit) {
        return Ok(false);
    }
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO rate_events (bucket, key, at) VALUES ($1, $2, $3)")
            .bind(bucket)
            .bind(key)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(true)
}

/// Drops counts older than a day.
pub async fn purge(tx: &mut Tx) -> Result<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("DELETE FROM rate_events WHERE at < $1")
            .bind(Utc::now() - Duration::days(1))
            .execute(c)
            .await?
            .rows_affected()
    }))
}
