//! Meetings of a community, with RSVPs and attendance. Reads are scoped by the caller's membership.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::{Error, Result};

/// A meeting.
#[derive(Clone, Debug, FromRow)]
pub struct Meeting {
    /// Id.
    pub id: String,
    /// Community.
    pub community_id: String,
    /// Community slug.
    pub community_slug: String,
    /// Community name.
    pub community_name: String,
    /// Title.
    pub title: String,
    /// `online`, `site_visit` or `hybrid`.
    pub kind: String,
    /// `scheduled`, `cancelled` or `held`.
    pub status: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Description.
    pub description: String,
    /// Join link.
    pub online_url: Option<String>,
    /// Venue name.
    pub location_name: Option<String>,
    /// Venue address.
    pub location_address: Option<String>,
    /// Venue city.
    pub location_city: Option<String>,
    /// Hosting municipality.
    pub host_organisation_code: Option<String>,
    /// Moderator.
    pub moderator_user_id: Option<String>,
    /// iCalendar sequence.
    pub sequence: i64,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
}

pub(crate) const SELECT: &str = "SELECT m.id, m.community_id, c.slug AS community_slug, c.name AS community_name, m.title, m.kind,
    m.status, m.starts_at, m.ends_at, m.description, m.online_url, m.location_name, m.location_address,
    m.location_city, m.host_organisation_code, m.moderator_user_id, m.sequence, m.cancel_reason
  FROM meetings m JOIN communities c ON c.id = m.community_id";

/// What a facilitator sets.
#[derive(Clone, Debug)]
pub struct Details {
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Description.
    pub description: String,
    /// Join link.
    pub online_url: Option<String>,
    /// Venue name.
    pub location_name: Option<String>,
    /// Venue address.
    pub location_address: Option<String>,
    /// Venue city.
    pub location_city: Option<String>,
    /// Hosting municipality.
    pub host_organisation_code: Option<String>,
    /// Moderator.
    pub moderator_user_id: Option<String>,
}

/// Stores a meeting.
pub async fn create(
    tx: &mut Tx,
    community_id: &str,
    d: &Details,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO meetings (id, community_id, title, kind, starts_at, ends_at, description, online_url,
               location_name, location_address, location_city, host_organisation_code, moderator_user_id,
               created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(&id)
        .bind(community_id)
        .bind(&d.title)
        .bind(&d.kind)
        .bind(d.starts_at)
        .bind(d.ends_at)
        .bind(&d.description)
        .bind(&d.online_url)
        .bind(&d.location_name)
        .bind(&d.location_address)
        .bind(&d.location_city)
        .bind(&d.host_organisation_code)
        .bind(&d.moderator_user_id)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(id)
}

/// Replaces the details; `bump` raises the iCalendar sequence (time or place changed).
pub async fn update(
    tx: &mut Tx,
    id: &str,
    d: &Details,
    bump: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE meetings SET title = $2, kind = $3, starts_at = $4, ends_at = $5, description = $6,
               online_url = $7, location_name = $8, location_address = $9, location_city = $10,
               host_organisation_code = $11, moderator_user_id = $12,
               sequence = sequence + CASE WHEN $13 THEN 1 ELSE 0 END, updated_at = $14
             WHERE id = $1",
        )
        .bind(id)
        .bind(&d.title)
        .bind(&d.kind)
        .bind(d.starts_at)
        .bind(d.ends_at)
        .bind(&d.description)
        .bind(&d.online_url)
        .bind(&d.location_name)
        .bind(&d.location_address)
        .bind(&d.location_city)
        .bind(&d.host_organisation_code)
        .bind(&d.moderator_user_id)
        .bind(bump)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Cancels a meeting (sequence + 1).
pub async fn cancel(tx: &mut Tx, id: &str, reason: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE meetings SET status = 'cancelled', cancel_reason = $2, sequence = sequence + 1, updated_at = $3
             WHERE id = $1",
        )
        .bind(id)
        .bind(reason)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A meeting with the caller's role in its community, if the caller may see it (members,
/// facilitators and admins); `None` for everyone else, exactly as for a missing id.
pub async fn visible(
    db: &Db,
    id: &str,
    user_id: &str,
    is_admin: bool,
) -> Result<Option<(Meeting, String)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        meeting: Meeting,
        my_role: Option<String>,
    }
    let sql = SELECT.replacen(
        " FROM meetings m",
        ", ms.role AS my_role FROM meetings m",
        1,
    );
    let sql = format!(
        "{sql} LEFT JOIN memberships ms ON ms.community_id = m.community_id AND ms.user_id = $2
         WHERE m.id = $1 AND (ms.user_id IS NOT NULL OR $3)"
    );
    let row = on_pool!(db, |c| {
        sqlx::query_as::<_, Row>(&sql)
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
            r.my_role.unwrap_or_else(|| "member".into())
        };
        (r.meeting, role)
    }))
}

/// A meeting by id inside a write transaction.
pub async fn find_tx(tx: &mut Tx, id: &str) -> Result<Meeting> {
    let sql = format!("{SELECT} WHERE m.id = $1");
    on_tx!(tx, |c| sqlx::query_as::<_, Meeting>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?)
    .ok_or(Error::NotFound)
}

/// The meetings of a community between two instants, by start.
pub async fn of_community(
    db: &Db,
    community_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Meeting>> {
    let sql = format!(
        "{SELECT} WHERE m.community_id = $1 AND m.starts_at >= $2 AND m.starts_at < $3 ORDER BY m.starts_at"
    );
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Meeting>(&sql)
            .bind(community_id)
            .bind(from)
            .bind(to)
            .fetch_all(c)
            .await?
    }))
}

/// Everyone to invite: members and facilitators (address, name).
pub async fn invitees(tx: &mut Tx, community_id: &str) -> Result<Vec<(String, String)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.community_id = $1 ORDER BY u.name",
        )
        .bind(community_id)
        .fetch_all(c)
        .await?
    }))
}

/// Sets a member's answer.
pub async fn set_rsvp(
    tx: &mut Tx,
    meeting_id: &str,
    user_id: &str,
    response: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO meeting_rsvps (meeting_id, user_id, response, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (meeting_id, user_id) DO UPDATE SET response = excluded.response, updated_at = excluded.updated_at",
        )
        .bind(meeting_id)
        .bind(user_id)
        .bind(response)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// (yes, no, maybe) counts and the caller's answer.
pub async fn rsvps(
    db: &Db,
    meeting_id: &str,
    user_id: &str,
) -> Result<((i64, i64, i64), Option<String>)> {
    let rows: Vec<(String, String)> = on_pool!(db, |c| {
        sqlx::query_as("SELECT user_id, response FROM meeting_rsvps WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_all(c)
            .await?
    });
    let count = |r: &str| i64::try_from(rows.iter().filter(|(_, x)| x == r).count()).unwrap_or(0);
    let mine = rows
        .iter()
        .find(|(u, _)| u == user_id)
        .map(|(_, r)| r.clone());
    Ok(((count("yes"), count("no"), count("maybe")), mine))
}

/// Replaces who attended.
pub async fn set_attendance(tx: &mut Tx, meeting_id: &str, user_ids: &[String]) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    for user_id in user_ids {
        on_tx!(tx, |c| {
            sqlx::query("INSERT INTO meeting_attendance (meeting_id, user_id) VALUES ($1, $2)")
                .bind(meeting_id)
                .bind(user_id)
                .execute(c)
                .await?
                .rows_affected()
        });
    }
    Ok(())
}

/// Who attended.
pub async fn attendance(db: &Db, meeting_id: &str) -> Result<Vec<String>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_scalar(
            "SELECT user_id FROM meeting_attendance WHERE meeting_id = $1 ORDER BY user_id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await?
    }))
}

/// Who answered yes.
pub async fn answered_yes(db: &Db, meeting_id: &str) -> Result<Vec<String>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_scalar(
            "SELECT user_id FROM meeting_rsvps WHERE meeting_id = $1 AND response = 'yes' ORDER BY user_id",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await?
    }))
}

/// The next meeting of a community that is still to come or under way and not cancelled.
pub async fn next_of_community(
    db: &Db,
    community_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Meeting>> {
    let sql = format!(
        "{SELECT} WHERE m.community_id = $1 AND m.ends_at > $2 AND m.status = 'scheduled'
         ORDER BY m.starts_at LIMIT 1"
    );
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Meeting>(&sql)
            .bind(community_id)
            .bind(now)
            .fetch_optional(c)
            .await?
    }))
}

/// The next `limit` scheduled meetings of a community that have not ended yet, soonest first.
pub async fn upcoming(
    db: &Db,
    community_id: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Meeting>> {
    let sql = format!(
        "{SELECT} WHERE m.community_id = $1 AND m.ends_at > $2 AND m.status = 'scheduled'
         ORDER BY m.starts_at LIMIT $3"
    );
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Meeting>(&sql)
            .bind(community_id)
            .bind(now)
            .bind(limit)
            .fetch_all(c)
            .await?
    }))
}

/// Meetings (scheduled or held, not cancelled) starting between two instants, and how many of
/// them are site visits: the year plan's counts.
pub async fn year_counts(
    db: &Db,
    community_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64)> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN kind = 'site_visit' THEN 1 ELSE 0 END), 0)
             FROM meetings
             WHERE community_id = $1 AND status IN ('scheduled', 'held')
               AND starts_at >= $2 AND starts_at < $3",
        )
        .bind(community_id)
        .bind(from)
        .bind(to)
        .fetch_one(c)
        .await?
    }))
}
