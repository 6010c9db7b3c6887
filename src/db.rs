//! Storage: one `Db` over SQLite or PostgreSQL, migrations, and one module per table group.
//!
//! Query functions write their SQL once with `$1, $2 …` placeholders (both drivers accept them)
//! and run it through [`on_pool!`] or [`on_tx!`], which compile the same body for each backend.

pub mod agenda;
pub mod attachments;
pub mod audit;
pub mod comments;
pub mod communities;
pub mod meetings;
pub mod minutes;
pub mod notes;
pub mod organisations;
pub mod outbox;
pub mod polls;
pub mod practices;
pub mod programmes;
pub mod rate;
pub mod reference;
pub mod registrations;
pub mod search;
pub mod sessions;
pub mod speakers;
pub mod thumbnails;
pub mod topics;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Runs `$body` with `$c` bound to the backend's read pool (`&SqlitePool` or `&PgPool`).
macro_rules! on_pool {
    ($db:expr, |$c:ident| $body:expr) => {{
        $crate::db::queries::count();
        match $db {
            $crate::db::Db::Sqlite { read: $c, .. } => $body,
            $crate::db::Db::Postgres($c) => $body,
        }
    }};
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`); reborrow with `&mut *$c` to run several statements.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {{
        $crate::db::queries::count();
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    }};
}

pub(crate) use {on_pool, on_tx};

/// Counting the database round trips of a request (every `on_pool!`/`on_tx!` statement), so that
/// tests and the benchmark can check that a page's query count does not grow with the data.
pub mod queries {
    use std::cell::Cell;

    tokio::task_local! {
        static COUNT: Cell<u32>;
    }

    /// Counts one statement, when inside [`counted`].
    pub fn count() {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    }

    /// Runs `work` and returns its output with the number of statements it ran.
    pub async fn counted<F: Future>(work: F) -> (F::Output, u32) {
        COUNT
            .scope(Cell::new(0), async {
                let out = work.await;
                (out, COUNT.try_with(Cell::get).unwrap_or(0))
            })
            .await
    }
}

/// A connection pool on one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: many readers, one writer connection so write transactions queue in-process
    /// instead of failing with `SQLITE_BUSY`.
    Sqlite {
        /// Read-only work.
        read: SqlitePool,
        /// Write transactions (`BEGIN IMMEDIATE`).
        write: SqlitePool,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// A write transaction on either backend. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    /// On SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// On PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| "parsing KRING_DATABASE_URL as a SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory");
            // A file on this machine does not go away: pinging each connection before handing
            // it out (sqlx's default) only costs a round trip to its worker thread.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await
                .with_context(|| format!("opening SQLite database {url}"))?;
            let read = SqlitePoolOptions::new()
                .max_connections(max_connections.max(2))
                .test_before_acquire(false)
                .connect_with(options.read_only(true))
                .await
                .with_context(|| format!("opening SQLite database {url} for reading"))?;
            Ok(Self::Sqlite { read, write })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .context("parsing KRING_DATABASE_URL as a PostgreSQL URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Self::Postgres(pool))
        } else {
            anyhow::bail!("KRING_DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    /// Applies pending migrations, then loads or refreshes the reference data.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { write, .. } => sqlx::migrate!("migrations/sqlite").run(write).await,
            Self::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
        .context("applying migrations")?;
        reference::load(self)
            .await
            .context("loading reference data")
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite, so read-then-write is atomic).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Self::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// `sqlite` or `postgres`, for logs and metrics.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_pool!(self, |c| sqlx::query("SELECT 1").execute(c).await.is_ok())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Self::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// Moves the change count (see [`changes`]); the last statement of every write transaction.
const BUMP_CHANGES: &str = "UPDATE changes SET n = n + 1 WHERE id = 1";

impl Tx {
    /// Moves the change count and commits: whatever the transaction wrote becomes visible
    /// together with a new count, which tells every instance's caches that they are stale.
    pub async fn commit(self) -> sqlx::Result<()> {
        queries::count();
        match self {
            Self::Sqlite(mut t) => {
                sqlx::query(BUMP_CHANGES).execute(&mut *t).await?;
                t.commit().await
            }
            Self::Postgres(mut t) => {
                sqlx::query(BUMP_CHANGES).execute(&mut *t).await?;
                t.commit().await
            }
        }
    }
}

impl Tx {
    /// Commits without moving the change count: only for bookkeeping that nothing cached reads
    /// (mail delivery state, rate-limit counters), which the background worker writes every
    /// few seconds and would otherwise make every cache miss.
    pub async fn commit_unseen(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(t) => t.commit().await,
            Self::Postgres(t) => t.commit().await,
        }
    }
}

/// The change count: a number that every committed write transaction moves. Data read after
/// seeing count `n` is at least as new as the database was at `n`, so what a request computed
/// can be reused by later requests that see the same count (see `crate::cache`).
pub async fn changes(db: &Db) -> sqlx::Result<i64> {
    on_pool!(db, |c| sqlx::query_scalar(CHANGES).fetch_one(c).await)
}

/// The change count as a scalar subquery, to read it in the same statement as the caller.
pub const CHANGES: &str = "SELECT n FROM changes WHERE id = 1";

/// Writes a consistent copy of the SQLite database at `url` to `path` with `VACUUM INTO`, which
/// reads one snapshot, so it works while kring writes. It opens one read-only connection and
/// never takes the write lock, so it neither waits for nor blocks the running server.
pub async fn backup_sqlite(url: &str, path: &std::path::Path) -> anyhow::Result<()> {
    use sqlx::{ConnectOptions, Connection};
    let options = SqliteConnectOptions::from_str(url)
        .context("parsing KRING_DATABASE_URL as a SQLite URL")?
        .read_only(true)
        .busy_timeout(Duration::from_secs(30));
    let mut conn = options
        .connect()
        .await
        .with_context(|| format!("opening {url}"))?;
    let target = path
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .with_context(|| format!("writing backup to {}", path.display()))?;
    conn.close().await?;
    Ok(())
}

/// A new opaque id: a UUID v7 (time-ordered, so inserts stay at the end of indexes).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
