//! The background worker: drains the e-mail outbox and does periodic housekeeping.

pub mod send_email;

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::app::AppState;
use crate::db;
use crate::mail::Transport;

/// Runs until `shutdown` turns true. Wakes on [`AppState::wake_worker`] or every `worker_poll`.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let transport = match &state.config.smtp_url {
        Some(url) => match Transport::from_url(url.expose(), &state.config.mail_from) {
            Ok(transport) => Some(transport),
            Err(error) => {
                tracing::error!(error = %error, "e-mail is not sent: the SMTP settings are unusable; mails stay in the outbox");
                None
            }
        },
        None => {
            tracing::info!(
                "KRING_SMTP_URL is not set: e-mails stay in the outbox, readable by admins at /admin/outbox"
            );
            None
        }
    };
    let worker_id = db::new_id();
    let mut last_housekeeping: Option<Instant> = None;
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Some(transport) = &transport {
            send_email::drain(&state, transport, &worker_id, &shutdown).await;
        }
        if last_housekeeping.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
            housekeeping(&state).await;
            last_housekeeping = Some(Instant::now());
        }
        tokio::select! {
            _ = shutdown.changed() => {},
            () = state.worker_wake.notified() => {},
            () = tokio::time::sleep(state.config.worker_poll) => {},
        }
    }
}

async fn housekeeping(state: &AppState) {
    state.client_limiter.retain_recent();
    if let Err(error) = db::sessions::purge_expired(&state.db).await {
        tracing::warn!(error = %error, "purging expired sessions failed");
    }
    let purge = async {
        let mut tx = state.db.begin().await?;
        db::rate::purge(&mut tx).await?;
        tx.commit_unseen().await?;
        Ok::<_, crate::error::Error>(())
    };
    if let Err(error) = purge.await {
        tracing::warn!(error = %error, "purging rate counts failed");
    }
}
