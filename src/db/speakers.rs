//! Guest speakers of meetings and their personal guest links.
//!
//! A guest link is valid until a week after its meeting ends; the validity is computed from the
//! meeting's current end, so moving the meeting moves the link's end with it.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::meetings::{Meeting, SELECT};
use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::{Error, Result};

/// How long after its meeting a guest link keeps working.
pub const GUEST_LINK_DAYS_AFTER: i64 = 7;

/// A guest speaker.
#[derive(Clone, Debug, FromRow)]
pub struct Speaker {
    /// Id.
    pub id: String,
    /// Meeting.
    pub meeting_id: String,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Short biography.
    pub bio: String,
}

/// A new speaker.
#[derive(Clone, Debug)]
pub struct NewSpeaker<'a> {
    /// Name.
    pub name: &'a str,
    /// E-mail address (normalised).
    pub email: &'a str,
    /// Organisation.
    pub organisation: Option<&'a str>,
    /// Short biography.
    pub bio: &'a str,
}

/// Adds a speaker with the hash of their guest-link secret; `409 duplicate_speaker` when the
/// address is already a speaker of this meeting.
pub async fn create(
    tx: &mut Tx,
    meeting_id: &str,
    speaker: &NewSpeaker<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO speakers (id, meeting_id, name, email, organisation, bio, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&id)
    .bind(meeting_id)
    .bind(speaker.name)
    .bind(speaker.email)
    .bind(speaker.organisation)
    .bind(speaker.bio)
    .bind(token_hash)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(|e| {
        crate::error::on_unique(e, || {
            Error::refused(
                axum::http::StatusCode::CONFLICT,
                "duplicate_speaker",
                "Dit e-mailadres is al uitgenodigd als spreker bij deze bijeenkomst.",
            )
        })
    })?;
    Ok(id)
}

/// The speakers of a meeting, in the order they were invited.
pub async fn of_meeting(db: &Db, meeting_id: &str) -> Result<Vec<Speaker>> {
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Speaker>(
        "SELECT id, meeting_id, name, email, organisation, bio FROM speakers
         WHERE meeting_id = $1 ORDER BY created_at, id"
    )
    .bind(meeting_id)
    .fetch_all(c)
    .await?))
}

/// A speaker of a meeting, inside a write transaction.
pub async fn find_tx(tx: &mut Tx, meeting_id: &str, id: &str) -> Result<Option<Speaker>> {
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Speaker>(
        "SELECT id, meeting_id, name, email, organisation, bio FROM speakers
         WHERE id = $1 AND meeting_id = $2"
    )
    .bind(id)
    .bind(meeting_id)
    .fetch_optional(c)
    .await?))
}

/// The speakers of a meeting inside a write transaction, in the order they were invited.
pub async fn of_meeting_tx(tx: &mut Tx, meeting_id: &str) -> Result<Vec<Speaker>> {
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Speaker>(
        "SELECT id, meeting_id, name, email, organisation, bio FROM speakers
         WHERE meeting_id = $1 ORDER BY created_at, id"
    )
    .bind(meeting_id)
    .fetch_all(c)
    .await?))
}

/// Removes a speaker (their guest link stops working at once) and takes them off the agenda
/// items they were to speak at (`agenda_items.speaker_id` has no foreign key).
pub async fn delete(tx: &mut Tx, id: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE agenda_items SET speaker_id = NULL WHERE speaker_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ())?);
    on_tx!(tx, |c| sqlx::query("DELETE FROM speakers WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The speaker whose guest link has this secret hash, if the link still works at `now`.
pub async fn by_token(db: &Db, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Speaker>> {
    let valid_from_end = now - Duration::days(GUEST_LINK_DAYS_AFTER);
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Speaker>(
        "SELECT s.id, s.meeting_id, s.name, s.email, s.organisation, s.bio
         FROM speakers s JOIN meetings m ON m.id = s.meeting_id
         WHERE s.token_hash = $1 AND m.ends_at > $2"
    )
    .bind(token_hash)
    .bind(valid_from_end)
    .fetch_optional(c)
    .await?))
}

/// The meeting `meeting_id` if `speaker_id` speaks at it: a guest's only meeting.
pub async fn guest_meeting(db: &Db, meeting_id: &str, speaker_id: &str) -> Result<Option<Meeting>> {
    let sql =
        format!("{SELECT} JOIN speakers s ON s.meeting_id = m.id WHERE m.id = $1 AND s.id = $2");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Meeting>(&sql)
        .bind(meeting_id)
        .bind(speaker_id)
        .fetch_optional(c)
        .await?))
}
