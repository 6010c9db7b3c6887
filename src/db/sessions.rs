//! Sign-in links, browser sessions and personal API tokens. Only SHA-256 hashes of secrets are stored.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::users::User;
use super::{CHANGES, Db, Tx, new_id, on_pool, on_tx};
use crate::error::{Error, Result};

/// Why a sign-in link cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// No such link.
    Unknown,
    /// Used before.
    Used,
    /// Older than its validity.
    Expired,
}

/// Stores a sign-in link for a user.
pub async fn create_link(
    tx: &mut Tx,
    token_hash: &str,
    user_id: &str,
    valid_for: Duration,
    next_path: Option<&str>,
) -> Result<()> {
    let now = Utc::now();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO signin_links (token_hash, user_id, created_at, expires_at, next_path)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(now + valid_for)
        .bind(next_path)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

#[derive(FromRow)]
struct LinkRow {
    user_id: String,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

/// Checks a link without using it.
pub async fn check_link(db: &Db, token_hash: &str) -> Result<Result<String, LinkProblem>> {
    let row = on_pool!(db, |c| {
        sqlx::query_as::<_, LinkRow>(
            "SELECT user_id, expires_at, used_at FROM signin_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await?
    });
    Ok(classify(row))
}

fn classify(row: Option<LinkRow>) -> Result<String, LinkProblem> {
    match row {
        None => Err(LinkProblem::Unknown),
        Some(r) if r.used_at.is_some() => Err(LinkProblem::Used),
        Some(r) if r.expires_at <= Utc::now() => Err(LinkProblem::Expired),
        Some(r) => Ok(r.user_id),
    }
}

/// Marks a link used and returns its user; a link is used at most once, also under concurrency.
/// The user and the page to go to afterwards.
pub async fn use_link(
    tx: &mut Tx,
    token_hash: &str,
) -> Result<Result<(String, Option<String>), LinkProblem>> {
    let now = Utc::now();
    let claimed: Option<(String, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "UPDATE signin_links SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
             RETURNING user_id, next_path",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?
    });
    if let Some(used) = claimed {
        return Ok(Ok(used));
    }
    let row = on_tx!(tx, |c| {
        sqlx::query_as::<_, LinkRow>(
            "SELECT user_id, expires_at, used_at FROM signin_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await?
    });
    Ok(Err(classify(row).err().unwrap_or(LinkProblem::Used)))
}

/// Creates a browser session.
pub async fn create_session(
    tx: &mut Tx,
    token_hash: &str,
    user_id: &str,
    valid_for: Duration,
) -> Result<()> {
    let now = Utc::now();
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(now + valid_for)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// Deletes a session (sign-out, or rotation at sign-in).
pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.is_admin, u.organisation_code, u.domains, u.notification_frequency, u.created_at, u.last_sign_in_at";

/// A signed-in user, with the change count read in the same statement (see [`crate::db::changes`]).
#[derive(Clone, Debug, FromRow)]
pub struct SignedIn {
    /// The account.
    #[sqlx(flatten)]
    pub user: User,
    /// The database's change count when the caller was looked up.
    pub changes: i64,
}

/// The user of a live session.
pub async fn session_user(db: &Db, token_hash: &str) -> Result<Option<SignedIn>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, ({CHANGES}) AS changes FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    );
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, SignedIn>(&sql)
            .bind(token_hash)
            .bind(Utc::now())
            .fetch_optional(c)
            .await?
    }))
}

/// The user of an API token.
pub async fn token_user(db: &Db, token_hash: &str) -> Result<Option<SignedIn>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, ({CHANGES}) AS changes FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, SignedIn>(&sql)
        .bind(token_hash)
        .fetch_optional(c)
        .await?))
}

/// A personal API token as listed (never the secret).
#[derive(Clone, Debug, FromRow)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Label chosen by the user.
    pub label: String,
    /// Creation.
    pub created_at: DateTime<Utc>,
}

/// Stores a new API token and returns its id.
pub async fn create_token(
    tx: &mut Tx,
    user_id: &str,
    label: &str,
    token_hash: &str,
) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(user_id)
            .bind(label)
            .bind(token_hash)
            .bind(Utc::now())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(id)
}

/// The tokens of a user, newest first.
pub async fn list_tokens(db: &Db, user_id: &str) -> Result<Vec<ApiToken>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, ApiToken>(
            "SELECT id, label, created_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(c)
        .await?
    }))
}

/// Revokes one of the user's own tokens; another user's token is `NotFound`.
pub async fn delete_token(tx: &mut Tx, user_id: &str, id: &str) -> Result<()> {
    let affected = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    if affected == 0 {
        Err(Error::NotFound)
    } else {
        Ok(())
    }
}

/// Removes expired sessions and links older than a day.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let sessions = on_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
    });
    let links = on_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM signin_links WHERE expires_at < $1")
            .bind(now - Duration::days(1))
            .execute(c)
            .await?
            .rows_affected()
    });
    // Expired sessions and links are never cached: nothing to tell the caches.
    tx.commit_unseen().await?;
    Ok(sessions + links)
}
