//! Runtime configuration, read once from the environment and passed around in `AppState`.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};

/// A secret string that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is handed to a client library.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// All settings of a kring instance. See the README for the environment variables.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: Secret,
    /// Connections to the database: PostgreSQL's pool, or SQLite's readers (SQLite has one writer
    /// besides). `KRING_DATABASE_CONNECTIONS`; `None` picks [`Config::connections`]' default.
    pub database_connections: Option<u32>,
    /// Listen address for `serve`.
    pub bind: SocketAddr,
    /// Public URL without trailing slash, used in e-mail links.
    pub base_url: String,
    /// True when `KRING_BASE_URL` was given; otherwise `serve` derives it from the bound address.
    pub base_url_explicit: bool,
    /// SMTP relay; `None` keeps mail in the outbox.
    pub smtp_url: Option<Secret>,
    /// Sender address of every e-mail.
    pub mail_from: String,
    /// Directory for attachments.
    pub data_dir: String,
    /// Adds `X-Kring-Db-Statements` (database statements run for the request) to every response
    /// (`KRING_QUERY_COUNT_HEADER=1`; for tests and benchmarks).
    pub query_count_header: bool,
    /// Where attachments are stored: `file://DIR` (default: `KRING_DATA_DIR`) or `s3://bucket/prefix`.
    pub storage_url: String,
    /// Display time zone.
    pub timezone: chrono_tz::Tz,
    /// Largest attachment in bytes.
    pub max_upload_bytes: usize,
    /// Address the first administrator is created with on an empty database.
    pub admin_email: String,
    /// First retry delay of a failed e-mail; doubles per attempt up to `mail_retry_max`.
    pub mail_retry_base: Duration,
    /// Longest delay between two delivery attempts.
    pub mail_retry_max: Duration,
    /// How long a failing e-mail is retried before it is marked failed.
    pub mail_give_up_after: Duration,
    /// How often the worker looks for due jobs when nothing woke it.
    pub worker_poll: Duration,
    /// Sign-in link requests per e-mail address per minute.
    pub signin_per_email_per_minute: u32,
    /// Requests to rate-limited public forms per client address per minute.
    pub forms_per_client_per_minute: u32,
}

impl Config {
    /// Connections to open: `KRING_DATABASE_CONNECTIONS`, or by default 10 for PostgreSQL (whose
    /// queries wait on the network) and one reader per core, at least two, for SQLite. SQLite's
    /// queries run on this machine's cores, so more readers only take turns, and each is a
    /// thread with its own page cache and search buffers: under uncached search on 2 cores, 4
    /// readers peaked at 95 MB and 2 at 74 MB, at the same throughput.
    pub fn connections(&self) -> u32 {
        self.database_connections.unwrap_or_else(|| {
            if self.database_url.expose().starts_with("sqlite:") {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                u32::try_from(cores).unwrap_or(u32::MAX).clamp(2, 16)
            } else {
                10
            }
        })
    }

    /// Reads the configuration from `KRING_*` environment variables, with the documented defaults.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.is_empty()))
    }

    /// Builds the configuration from any key lookup (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let bind: SocketAddr = get("KRING_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("KRING_BIND must be an address like 127.0.0.1:8080")?;
        let base_url_explicit = get("KRING_BASE_URL").is_some();
        let base_url = get("KRING_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            bail!("KRING_BASE_URL must start with http:// or https://");
        }
        let data_dir = get("KRING_DATA_DIR").unwrap_or_else(|| "./kring-data".into());
        let storage_url = get("KRING_STORAGE_URL").unwrap_or_else(|| format!("file://{data_dir}"));
        if !(storage_url.starts_with("file://") || storage_url.starts_with("s3://")) {
            bail!("KRING_STORAGE_URL must start with file:// or s3://");
        }
        let timezone = get("KRING_TIMEZONE")
            .unwrap_or_else(|| "Europe/Amsterdam".into())
            .parse()
            .map_err(|_| anyhow::anyhow!("KRING_TIMEZONE is not a known time zone"))?;
        let max_upload_mb: usize = get("KRING_MAX_UPLOAD_MB")
            .unwrap_or_else(|| "25".into())
            .parse()
            .context("KRING_MAX_UPLOAD_MB must be a whole number")?;
        let database_connections = get("KRING_DATABASE_CONNECTIONS")
            .map(|v| v.parse::<u32>().ok().filter(|n| (1..=1000).contains(n)))
            .map(|n| n.context("KRING_DATABASE_CONNECTIONS must be a whole number from 1 to 1000"))
            .transpose()?;
        let smtp_url = get("KRING_SMTP_URL").map(Secret::new);
        if let Some(url) = &smtp_url {
            let scheme = url.expose().split("://").next().unwrap_or_default();
            if !matches!(scheme, "smtp" | "smtp+starttls" | "smtps") {
                bail!("KRING_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://");
            }
        }
        Ok(Self {
            database_url: Secret::new(
                get("KRING_DATABASE_URL").unwrap_or_else(|| "sqlite://kring.db".into()),
            ),
            database_connections,
            bind,
            base_url,
            base_url_explicit,
            smtp_url,
            mail_from: get("KRING_MAIL_FROM").unwrap_or_else(|| "kring <noreply@localhost>".into()),
            data_dir,
            storage_url,
            query_count_header: get("KRING_QUERY_COUNT_HEADER").is_some_and(|v| v == "1"),
            timezone,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
            admin_email: get("KRING_ADMIN_EMAIL").unwrap_or_else(|| "admin@localhost".into()),
            mail_retry_base: Duration::from_secs(5),
            mail_retry_max: Duration::from_secs(300),
            mail_give_up_after: Duration::from_secs(48 * 3600),
            worker_poll: Duration::from_secs(5),
            signin_per_email_per_minute: 5,
            forms_per_client_per_minute: 60,
        })
    }

    /// True when kring is served over https, so cookies get `Secure` and responses HSTS.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.base_url, "http://127.0.0.1:8080");
        assert_eq!(config.database_url.expose(), "sqlite://kring.db");
        assert!(config.smtp_url.is_none());
        assert_eq!(config.max_upload_bytes, 25 * 1024 * 1024);
        assert!(!config.is_https());
    }

    #[test]
    fn connections_default_by_database_and_can_be_set() {
        let with = |url: &'static str, n: Option<&'static str>| {
            Config::from_lookup(move |k| match k {
                "KRING_DATABASE_URL" => Some(url.to_string()),
                "KRING_DATABASE_CONNECTIONS" => n.map(str::to_string),
                _ => None,
            })
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let sqlite = with("sqlite://kring.db", None).unwrap().connections();
        assert_eq!(sqlite, u32::try_from(cores.clamp(2, 16)).unwrap());
        assert_eq!(with("postgres://db/kring", None).unwrap().connections(), 10);
        assert_eq!(
            with("postgres://db/kring", Some("25"))
                .unwrap()
                .connections(),
            25
        );
        assert_eq!(
            with("sqlite://kring.db", Some("3")).unwrap().connections(),
            3
        );
        for bad in ["0", "-1", "veel", "1001"] {
            let err = with("sqlite://kring.db", Some(bad))
                .unwrap_err()
                .to_string();
            assert!(err.contains("KRING_DATABASE_CONNECTIONS"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_unknown_smtp_scheme_and_hides_secrets() {
        let err = Config::from_lookup(|k| (k == "KRING_SMTP_URL").then(|| "http://x".into()));
        assert!(err.is_err());
        let config = Config::from_lookup(|k| {
            (k == "KRING_SMTP_URL").then(|| "smtps://u:hunter2@mail:465".into())
        })
        .unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
