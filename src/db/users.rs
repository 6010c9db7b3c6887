//! User accounts.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::{Email, NotificationFrequency, PersonName, WorkDomain};
use crate::error::{Error, Result};

/// A user as stored.
#[derive(Clone, Debug, FromRow)]
pub struct User {
    /// Opaque id.
    pub id: String,
    /// E-mail address as entered.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Platform administrator.
    pub is_admin: bool,
    /// Organisation code, if known.
    pub organisation_code: Option<String>,
    /// Comma-separated work domains.
    pub domains: String,
    /// `instant`, `daily`, `weekly` or `off`.
    pub notification_frequency: String,
    /// Account creation.
    pub created_at: DateTime<Utc>,
    /// Last successful sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl User {
    /// Work domains as values.
    pub fn domain_list(&self) -> Vec<WorkDomain> {
        WorkDomain::split(&self.domains)
    }

    /// Notification preference as a value.
    pub fn frequency(&self) -> NotificationFrequency {
        NotificationFrequency::parse(&self.notification_frequency).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, email, name, is_admin, organisation_code, domains, notification_frequency, created_at, last_sign_in_at";

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Address.
    pub email: Email,
    /// Name.
    pub name: PersonName,
    /// Administrator.
    pub is_admin: bool,
    /// Organisation.
    pub organisation_code: Option<String>,
}

/// Creates a user; `409 user_exists` when the address is taken (case-insensitive).
pub async fn create(tx: &mut Tx, user: &NewUser) -> Result<User> {
    let sql = format!(
        "INSERT INTO users (id, email, email_normalized, name, is_admin, organisation_code, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| {
        sqlx::query_as::<_, User>(&sql)
            .bind(new_id())
            .bind(user.email.as_str())
            .bind(user.email.normalized())
            .bind(user.name.as_str())
            .bind(user.is_admin)
            .bind(&user.organisation_code)
            .bind(Utc::now())
            .fetch_one(c)
            .await
    })
    .map_err(|e| {
        crate::error::on_unique(e, || {
            Error::refused(
                axum::http::StatusCode::CONFLICT,
                "user_exists",
                format!("Er bestaat al een account met e-mailadres {}.", user.email),
            )
        })
    })
}

/// A user by id.
pub async fn find(db: &Db, id: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A user by e-mail address (case-insensitive).
pub async fn find_by_email(db: &Db, email: &Email) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email_normalized = $1");
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, User>(&sql)
            .bind(email.normalized())
            .fetch_optional(c)
            .await?
    }))
}

/// The same look-up inside a write transaction.
pub async fn find_by_email_tx(tx: &mut Tx, email: &Email) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email_normalized = $1");
    Ok(on_tx!(tx, |c| {
        sqlx::query_as::<_, User>(&sql)
            .bind(email.normalized())
            .fetch_optional(c)
            .await?
    }))
}

/// Number of users.
pub async fn count(db: &Db) -> Result<i64> {
    Ok(on_pool!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await?))
}

/// The administrator that has never signed in, if every administrator is such a one
/// (a fresh installation whose first sign-in link may have expired).
pub async fn unclaimed_admin(db: &Db) -> Result<Option<User>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE is_admin
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.is_admin AND u.last_sign_in_at IS NOT NULL)
         ORDER BY created_at LIMIT 1"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, User>(&sql)
        .fetch_optional(c)
        .await?))
}

/// Profile changes a user makes themself.
#[derive(Clone, Debug, Default)]
pub struct ProfilePatch {
    /// New name.
    pub name: Option<PersonName>,
    /// New domains.
    pub domains: Option<Vec<WorkDomain>>,
    /// New notification preference.
    pub notification_frequency: Option<NotificationFrequency>,
}

/// Applies a profile patch and returns the user as it is now.
pub async fn update_profile(tx: &mut Tx, id: &str, patch: &ProfilePatch) -> Result<User> {
    let sql = format!(
        "UPDATE users SET name = COALESCE($2, name), domains = COALESCE($3, domains),
           notification_frequency = COALESCE($4, notification_frequency)
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let name = patch.name.as_ref().map(|n| n.as_str().to_string());
    let domains = patch.domains.as_deref().map(WorkDomain::join);
    let frequency = patch.notification_frequency.map(|f| f.as_str());
    on_tx!(tx, |c| {
        sqlx::query_as::<_, User>(&sql)
            .bind(id)
            .bind(&name)
            .bind(&domains)
            .bind(frequency)
            .fetch_optional(c)
            .await?
    })
    .ok_or(Error::NotFound)
}

/// Records a successful sign-in.
pub async fn touch_sign_in(tx: &mut Tx, id: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE users SET last_sign_in_at = $2 WHERE id = $1")
            .bind(id)
            .bind(Utc::now())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// A community the user belongs to, with their role.
#[derive(Clone, Debug, FromRow)]
pub struct MembershipSummary {
    /// Community slug.
    pub slug: String,
    /// Community name.
    pub name: String,
    /// `member` or `facilitator`.
    pub role: String,
}

/// The communities of a user, by name.
pub async fn memberships(db: &Db, user_id: &str) -> Result<Vec<MembershipSummary>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, MembershipSummary>(
            "SELECT c.slug, c.name, m.role FROM memberships m
             JOIN communities c ON c.id = m.community_id
             WHERE m.user_id = $1 ORDER BY c.name",
        )
        .bind(user_id)
        .fetch_all(c)
        .await?
    }))
}

/// (community id, role) of every membership of a user.
pub async fn memberships_by_id(db: &Db, user_id: &str) -> Result<Vec<(String, String)>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as("SELECT community_id, role FROM memberships WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(c)
            .await?
    }))
}

/// The same inside a write transaction.
pub async fn memberships_by_id_tx(tx: &mut Tx, user_id: &str) -> Result<Vec<(String, String)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as("SELECT community_id, role FROM memberships WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(c)
            .await?
    }))
}
