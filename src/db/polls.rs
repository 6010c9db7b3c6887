//! Date polls: slots and answers. Reads are scoped by the caller's membership.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::poll::Tally;
use crate::error::{Error, Result};

/// A poll.
#[derive(Clone, Debug, FromRow)]
pub struct Poll {
    /// Id.
    pub id: String,
    /// Community.
    pub community_id: String,
    /// Title.
    pub title: String,
    /// `open` or `decided`.
    pub status: String,
    /// When answering closes.
    pub closes_at: Option<DateTime<Utc>>,
    /// The meeting the decision created.
    pub meeting_id: Option<String>,
}

/// Stores a poll with its slots; returns the poll id and the option ids in slot order.
pub async fn create(
    tx: &mut Tx,
    community_id: &str,
    title: &str,
    closes_at: Option<DateTime<Utc>>,
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<(String, Vec<String>)> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO polls (id, community_id, title, closes_at, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(community_id)
            .bind(title)
            .bind(closes_at)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    let mut options = Vec::with_capacity(slots.len());
    for (starts, ends) in slots {
        let option = new_id();
        on_tx!(tx, |c| {
            sqlx::query("INSERT INTO poll_options (id, poll_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)")
                .bind(&option)
                .bind(&id)
                .bind(starts)
                .bind(ends)
                .execute(c)
                .await?
                .rows_affected()
        });
        options.push(option);
    }
    Ok((id, options))
}

#[derive(FromRow)]
struct VisibleRow {
    id: String,
    community_id: String,
    title: String,
    status: String,
    closes_at: Option<DateTime<Utc>>,
    meeting_id: Option<String>,
    role: Option<String>,
}

/// A poll the caller may see (members, facilitators, admins) and the caller's role; `None` otherwise.
pub async fn visible(
    db: &Db,
    id: &str,
    user_id: &str,
    is_admin: bool,
) -> Result<Option<(Poll, String)>> {
    let row: Option<VisibleRow> = on_pool!(db, |c| {
        sqlx::query_as(
            "SELECT p.id, p.community_id, p.title, p.status, p.closes_at, p.meeting_id, ms.role
             FROM polls p LEFT JOIN memberships ms ON ms.community_id = p.community_id AND ms.user_id = $2
             WHERE p.id = $1 AND (ms.user_id IS NOT NULL OR $3)",
        )
        .bind(id)
        .bind(user_id)
        .bind(is_admin)
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(|r| {
        let role = if is_admin {
            "facilitator".to_string()
        } else {
            r.role.unwrap_or_else(|| "member".into())
        };
        let poll = Poll {
            id: r.id,
            community_id: r.community_id,
            title: r.title,
            status: r.status,
            closes_at: r.closes_at,
            meeting_id: r.meeting_id,
        };
        (poll, role)
    }))
}

/// A slot.
#[derive(Clone, Debug, FromRow)]
pub struct OptionRow {
    /// Id.
    pub id: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// The slots, earliest first, with their tallies.
pub async fn tallies(db: &Db, poll_id: &str) -> Result<Vec<(OptionRow, Tally)>> {
    let options: Vec<OptionRow> = on_pool!(db, |c| {
        sqlx::query_as("SELECT id, starts_at, ends_at FROM poll_options WHERE poll_id = $1 ORDER BY starts_at, id")
            .bind(poll_id)
            .fetch_all(c)
            .await?
    });
    let answers: Vec<(String, String)> = on_pool!(db, |c| {
        sqlx::query_as(
            "SELECT a.option_id, a.answer FROM poll_answers a JOIN poll_options o ON o.id = a.option_id
             WHERE o.poll_id = $1",
        )
        .bind(poll_id)
        .fetch_all(c)
        .await?
    });
    Ok(options
        .into_iter()
        .map(|o| {
            let count = |kind: &str| {
                i64::try_from(
                    answers
                        .iter()
                        .filter(|(id, a)| *id == o.id && a == kind)
                        .count(),
                )
                .unwrap_or(0)
            };
            let tally = Tally {
                id: o.id.clone(),
                starts_at: o.starts_at,
                yes: count("yes"),
                maybe: count("maybe"),
                no: count("no"),
            };
            (o, tally)
        })
        .collect())
}

/// The caller's answers (option id, answer).
pub async fn answers_of(db: &Db, poll_id: &str, user_id: &str) -> Result<Vec<(String, String)>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as(
            "SELECT a.option_id, a.answer FROM poll_answers a JOIN poll_options o ON o.id = a.option_id
             WHERE o.poll_id = $1 AND a.user_id = $2 ORDER BY o.starts_at",
        )
        .bind(poll_id)
        .bind(user_id)
        .fetch_all(c)
        .await?
    }))
}

/// Replaces a member's answers.
pub async fn replace_answers(
    tx: &mut Tx,
    poll_id: &str,
    user_id: &str,
    answers: &[(String, String)],
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "DELETE FROM poll_answers WHERE user_id = $2 AND option_id IN (SELECT id FROM poll_options WHERE poll_id = $1)",
        )
        .bind(poll_id)
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    for (option, answer) in answers {
        on_tx!(tx, |c| {
            sqlx::query("INSERT INTO poll_answers (option_id, user_id, answer) VALUES ($1, $2, $3)")
                .bind(option)
                .bind(user_id)
                .bind(answer)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    Ok(())
}

/// Closes a poll with the meeting it became; `409 poll_closed` if it was decided already.
pub async fn decide(tx: &mut Tx, poll_id: &str, meeting_id: &str) -> Result<()> {
    let affected = on_tx!(tx, |c| {
        sqlx::query("UPDATE polls SET status = 'decided', meeting_id = $2 WHERE id = $1 AND status = 'open'")
            .bind(poll_id)
            .bind(meeting_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    if affected == 0 {
        return Err(Error::refused(
            axum::http::StatusCode::CONFLICT,
            "poll_closed",
            "Over deze datumprikker is al besloten.",
        ));
    }
    Ok(())
}

/// Everyone to ask: members and facilitators (address, name).
pub async fn askees(tx: &mut Tx, community_id: &str) -> Result<Vec<(String, String)>> {
    super::meetings::invitees(tx, community_id).await
}
