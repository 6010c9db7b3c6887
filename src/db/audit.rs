//! The audit log: sign-ins, role changes, exports, erasures, deletions.

use chrono::Utc;

use super::{Tx, new_id, on_tx};
use crate::error::Result;

/// Appends an event in the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    actor_id: Option<&str>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO audit_events (id, at, actor_id, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id())
            .bind(Utc::now())
            .bind(actor_id)
            .bind(action)
            .bind(subject)
            .bind(detail)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}
