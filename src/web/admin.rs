//! Administration pages: the e-mail outbox.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{Page, render};
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::db::{self, outbox::Mail};
use crate::error::{Error, Result};
use crate::format::datetime_nl;

const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(outbox))
        .route("/admin/outbox/{id}", get(outbox_mail))
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct Outbox {
    page: Page,
    mails: Vec<Mail>,
    status: String,
    counts: (i64, i64, i64),
    page_number: i64,
    has_next: bool,
    smtp_configured: bool,
    tz: chrono_tz::Tz,
}

impl Outbox {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        datetime_nl(at, self.tz)
    }
}

#[derive(Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    pagina: Option<i64>,
}

async fn outbox(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
    Query(q): Query<OutboxQuery>,
) -> Result<Response> {
    let status = q
        .status
        .filter(|s| matches!(s.as_str(), "pending" | "sent" | "failed"))
        .unwrap_or_default();
    let page_number = q.pagina.unwrap_or(1).clamp(1, 10_000);
    let mut mails = db::outbox::list(
        &state.db,
        Some(status.as_str()).filter(|s| !s.is_empty()),
        PAGE_SIZE + 1,
        (page_number - 1) * PAGE_SIZE,
    )
    .await?;
    let has_next = mails.len() > usize::try_from(PAGE_SIZE).unwrap_or(50);
    mails.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
    let counts = db::outbox::counts(&state.db).await?;
    render(
        StatusCode::OK,
        &Outbox {
            page,
            mails,
            status,
            counts,
            page_number,
            has_next,
            smtp_configured: state.config.smtp_url.is_some(),
            tz: state.config.timezone,
        },
    )
}

#[derive(Template)]
#[template(path = "admin/outbox_mail.html")]
struct OutboxMail {
    page: Page,
    mail: Mail,
    created: String,
    sent: Option<String>,
    next_attempt: String,
}

async fn outbox_mail(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let mail = db::outbox::find(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let tz = state.config.timezone;
    render(
        StatusCode::OK,
        &OutboxMail {
            created: datetime_nl(&mail.created_at, tz),
            sent: mail.sent_at.as_ref().map(|t| datetime_nl(t, tz)),
            next_attempt: datetime_nl(&mail.next_attempt_at, tz),
            page,
            mail,
        },
    )
}
