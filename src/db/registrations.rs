//! Registrations (aanmeldingen): one row per request for a seat, with its status and, on the
//! waitlist, its place in line. Seat decisions happen in `crate::registration` under a community lock.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::error::Result;

/// A registration.
#[derive(Clone, Debug, FromRow)]
pub struct Registration {
    /// Id.
    pub id: String,
    /// Community.
    pub community_id: String,
    /// The account, once there is one.
    pub user_id: Option<String>,
    /// Name as entered.
    pub name: String,
    /// Address as entered.
    pub email: String,
    /// Organisation code.
    pub organisation_code: String,
    /// Organisation name.
    pub organisation: String,
    /// Comma-separated work domains.
    pub domains: String,
    /// Motivation.
    pub motivation: String,
    /// `pending`, `accepted`, `waitlisted`, `declined` or `withdrawn`.
    pub status: String,
    /// Order on the waitlist (lower is earlier).
    pub waitlist_seq: Option<i64>,
    /// Reason given when declined.
    pub decline_reason: Option<String>,
    /// Submitted.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT r.id, r.community_id, r.user_id, r.name, r.email, r.organisation_code,
    o.name AS organisation, r.domains, r.motivation, r.status, r.waitlist_seq, r.decline_reason,
    r.created_at, r.updated_at
  FROM registrations r JOIN organisations o ON o.code = r.organisation_code";

/// A registration to store.
#[derive(Clone, Debug)]
pub struct NewRegistration<'a> {
    /// Community.
    pub community_id: &'a str,
    /// Account, if known.
    pub user_id: Option<&'a str>,
    /// Name.
    pub name: &'a str,
    /// Address.
    pub email: &'a str,
    /// Lower-cased address.
    pub email_normalized: &'a str,
    /// Organisation code.
    pub organisation_code: &'a str,
    /// Work domains, comma-separated.
    pub domains: &'a str,
    /// Motivation.
    pub motivation: &'a str,
    /// Initial status.
    pub status: &'a str,
    /// Waitlist order, for `waitlisted`.
    pub waitlist_seq: Option<i64>,
}

/// Stores a registration.
pub async fn insert(tx: &mut Tx, r: &NewRegistration<'_>, now: DateTime<Utc>) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO registrations (id, community_id, user_id, name, email, email_normalized, organisation_code,
               domains, motivation, status, waitlist_seq, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(&id)
        .bind(r.community_id)
        .bind(r.user_id)
        .bind(r.name)
        .bind(r.email)
        .bind(r.email_normalized)
        .bind(r.organisation_code)
        .bind(r.domains)
        .bind(r.motivation)
        .bind(r.status)
        .bind(r.waitlist_seq)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(id)
}

/// A registration by id.
pub async fn find(db: &Db, id: &str) -> Result<Option<Registration>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Registration>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A registration by id, inside a transaction.
pub async fn find_tx(tx: &mut Tx, id: &str) -> Result<Option<Registration>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Registration>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// True when the address has a pending, accepted or waitlisted registration for the community.
pub async fn has_active(tx: &mut Tx, community_id: &str, email_normalized: &str) -> Result<bool> {
    let found: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM registrations WHERE community_id = $1 AND email_normalized = $2
               AND status IN ('pending', 'accepted', 'waitlisted')",
        )
        .bind(community_id)
        .bind(email_normalized)
        .fetch_optional(c)
        .await?
    });
    Ok(found.is_some())
}

/// Active registrations of one organisation in a community.
pub async fn count_active_for_organisation(
    tx: &mut Tx,
    community_id: &str,
    code: &str,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM registrations WHERE community_id = $1 AND organisation_code = $2
               AND status IN ('pending', 'accepted', 'waitlisted')",
        )
        .bind(community_id)
        .bind(code)
        .fetch_one(c)
        .await?
    }))
}

/// The next place at the end of the waitlist.
pub async fn next_waitlist_seq(tx: &mut Tx, community_id: &str) -> Result<i64> {
    let max: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT MAX(waitlist_seq) FROM registrations WHERE community_id = $1")
            .bind(community_id)
            .fetch_one(c)
            .await?
    });
    Ok(max.unwrap_or(0) + 1)
}

/// 1-based position of a waitlist place among those still waiting.
pub async fn position(tx: &mut Tx, community_id: &str, seq: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM registrations WHERE community_id = $1 AND status = 'waitlisted' AND waitlist_seq <= $2",
        )
        .bind(community_id)
        .bind(seq)
        .fetch_one(c)
        .await?
    }))
}

/// The first one waiting, if any.
pub async fn first_waitlisted(tx: &mut Tx, community_id: &str) -> Result<Option<Registration>> {
    let sql = format!(
        "{SELECT} WHERE r.community_id = $1 AND r.status = 'waitlisted' ORDER BY r.waitlist_seq LIMIT 1"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Registration>(&sql)
        .bind(community_id)
        .fetch_optional(c)
        .await?))
}

/// The accepted registration of a user in a community, if any.
pub async fn accepted_of_user(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
) -> Result<Option<Registration>> {
    let sql = format!(
        "{SELECT} WHERE r.community_id = $1 AND r.user_id = $2 AND r.status = 'accepted' ORDER BY r.created_at LIMIT 1"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as::<_, Registration>(&sql)
            .bind(community_id)
            .bind(user_id)
            .fetch_optional(c)
            .await?
    }))
}

/// Changes the status (and account, and reason when declining).
pub async fn set_status(
    tx: &mut Tx,
    id: &str,
    status: &str,
    user_id: Option<&str>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE registrations SET status = $2, user_id = COALESCE($3, user_id),
               decline_reason = COALESCE($4, decline_reason), updated_at = $5
             WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(user_id)
        .bind(reason)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A registration with its place on the waitlist.
#[derive(Clone, Debug)]
pub struct Listed {
    /// The registration.
    pub registration: Registration,
    /// 1-based position, for waitlisted ones.
    pub waitlist_position: Option<i64>,
}

/// The registrations of a community, optionally of one status: waitlisted ones in line order
/// (with their positions), the others oldest first.
pub async fn list(db: &Db, community_id: &str, status: Option<&str>) -> Result<Vec<Listed>> {
    let sql = format!(
        "{SELECT} WHERE r.community_id = $1 AND ($2 = '' OR r.status = $2)
         ORDER BY CASE r.status WHEN 'pending' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'accepted' THEN 2 ELSE 3 END,
                  CASE WHEN r.status = 'waitlisted' THEN r.waitlist_seq ELSE 0 END, r.created_at, r.id"
    );
    let rows = on_pool!(db, |c| {
        sqlx::query_as::<_, Registration>(&sql)
            .bind(community_id)
            .bind(status.unwrap_or(""))
            .fetch_all(c)
            .await?
    });
    let mut position = 0;
    Ok(rows
        .into_iter()
        .map(|registration| {
            let waitlist_position = (registration.status == "waitlisted").then(|| {
                position += 1;
                position
            });
            Listed {
                registration,
                waitlist_position,
            }
        })
        .collect())
}
