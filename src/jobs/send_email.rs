//! Delivers queued e-mail over SMTP with retries: a few seconds at first, doubling up to five
//! minutes between attempts, for 48 hours; then the mail is marked failed and stays visible to admins.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::app::AppState;
use crate::db::outbox;
use crate::mail::{DeliveryError, Transport};

/// Mails claimed per round.
const BATCH: i64 = 5;
/// How long a claim keeps other workers away; longer than a batch of slow deliveries.
const LEASE_SECONDS: i64 = 300;

/// Longest time one delivery may take; well inside the lease.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

async fn record_failure(
    state: &AppState,
    mail: &outbox::Mail,
    worker: &str,
    error: &DeliveryError,
) {
    let delay = backoff(
        mail.attempts,
        state.config.mail_retry_base,
        state.config.mail_retry_max,
    );
    let now = Utc::now();
    // Retrying lasts from the first attempt, not from queueing: mail that waited for an SMTP
    // configuration still gets its full 48 hours.
    let age = (now - mail.first_attempt_at.unwrap_or(now))
        .to_std()
        .unwrap_or_default();
    let give_up = error.permanent || age >= state.config.mail_give_up_after;
    let retry_at =
        now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(300));
    if give_up {
        tracing::error!(mail = %mail.id, attempt = mail.attempts + 1, permanent = error.permanent, error = %error.message, "e-mail delivery failed for good");
    } else {
        tracing::warn!(mail = %mail.id, attempt = mail.attempts + 1, retry_in = ?delay, error = %error.message, "e-mail delivery failed; will retry");
    }
    metrics::counter!("kring_mail_failed_attempts_total").increment(1);
    match outbox::mark_failed(
        &state.db,
        &mail.id,
        worker,
        &error.message,
        retry_at,
        give_up,
    )
    .await
    {
        Ok(true) => {}
        Ok(false) => tracing::warn!(mail = %mail.id, "a failed attempt, but the claim was lost"),
        Err(e) => {
            tracing::error!(mail = %mail.id, error = %e, "recording a failed delivery failed")
        }
    }
}

/// The delay before attempt `attempts + 1`, given `attempts` failures so far.
pub fn backoff(attempts: i64, base: Duration, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(u32::try_from(attempts.clamp(0, 20)).unwrap_or(20));
    base.saturating_mul(factor).min(max)
}

/// Sends every due e-mail, batch by batch, until none is due or shutdown is requested.
pub async fn drain(
    state: &AppState,
    transport: &Transport,
    worker: &str,
    shutdown: &watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        let mails = match outbox::claim_due(
            &state.db,
            worker,
            BATCH,
            chrono::Duration::seconds(LEASE_SECONDS),
        )
        .await
        {
            Ok(mails) => mails,
            Err(error) => {
                tracing::warn!(error = %error, "claiming e-mail from the outbox failed");
                return;
            }
        };
        if mails.is_empty() {
            return;
        }
        let mut delivered_any = false;
        let lease = chrono::Duration::seconds(LEASE_SECONDS);
        for mail in &mails {
            // The lease may have run out during a slow batch; never send a mail another worker owns.
            match outbox::renew(&state.db, &mail.id, worker, lease).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => {
                    tracing::warn!(mail = %mail.id, error = %error, "renewing an outbox claim failed");
                    continue;
                }
            }
            let outcome = match tokio::time::timeout(SEND_TIMEOUT, transport.send(mail)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(DeliveryError {
                    message: "SMTP delivery timed out".into(),
                    permanent: false,
                }),
            };
            match outcome {
                Ok(()) => {
                    delivered_any = true;
                    tracing::info!(mail = %mail.id, attempt = mail.attempts + 1, "e-mail delivered");
                    metrics::counter!("kring_mail_delivered_total").increment(1);
                    match outbox::mark_sent(&state.db, &mail.id, worker).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(mail = %mail.id, "delivered, but the claim was lost")
                        }
                        Err(error) => {
                            tracing::error!(mail = %mail.id, error = %error, "recording a delivery failed")
                        }
                    }
                }
                Err(error) => record_failure(state, mail, worker, &error).await,
            }
        }
        if !delivered_any {
            // The relay is probably down; the failed mails wait for their retry time.
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(300);
        assert_eq!(backoff(0, base, max), Duration::from_secs(5));
        assert_eq!(backoff(1, base, max), Duration::from_secs(10));
        assert_eq!(backoff(3, base, max), Duration::from_secs(40));
        assert_eq!(backoff(10, base, max), max);
        assert_eq!(backoff(1000, base, max), max);
    }
}
