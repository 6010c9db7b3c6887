//! Starts the real kring on a random port against a fresh database (a temp SQLite file, or a new
//! database in the throwaway PostgreSQL cluster), with a real SMTP sink on loopback.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use kring::app::{self, Running};
use kring::config::{Config, Secret};
use kring::db::Db;
use reqwest::header::HeaderMap;
use tokio::net::TcpListener;

use crate::pg::PgCluster;
use crate::smtp::SmtpSink;

/// Which database a test runs on.
#[derive(Clone)]
pub enum Backend {
    Sqlite,
    Postgres(Arc<PgCluster>),
}

/// A fresh database for one test; the temp dir lives as long as this value.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub fn create(backend: &Backend) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("kring.db").display()),
            Backend::Postgres(cluster) => cluster.create_database()?,
        };
        Ok(Self { url, dir })
    }
}

/// Settings a test may change before the app starts.
#[derive(Default)]
pub struct Options {
    /// SMTP: `Some(url)` to use that relay, `None` to start a sink.
    pub smtp_url: Option<String>,
    /// No SMTP at all: mails stay in the outbox.
    pub no_smtp: bool,
    pub base_url: Option<String>,
    /// A manual clock for tests of registration windows.
    pub clock: Option<kring::clock::Clock>,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub smtp: Option<SmtpSink>,
    pub running: Option<Running>,
    pub database: TestDb,
}

pub fn test_config(db_url: &str, base_url: &str, smtp_url: Option<&str>) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("default config");
    config.database_url = Secret::new(db_url);
    config.base_url = base_url.to_string();
    config.smtp_url = smtp_url.map(Secret::new);
    config.mail_retry_base = Duration::from_millis(100);
    config.mail_retry_max = Duration::from_millis(500);
    config.worker_poll = Duration::from_millis(100);
    config.data_dir = std::env::temp_dir().display().to_string();
    config.storage_url = format!("file://{}", config.data_dir);
    config.max_upload_bytes = 1024 * 1024;
    config.query_count_header = true;
    config
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

impl TestApp {
    pub async fn start(backend: &Backend) -> Result<Self> {
        Self::start_with(backend, Options::default()).await
    }

    pub async fn start_with(backend: &Backend, options: Options) -> Result<Self> {
        let database = TestDb::create(backend)?;
        Self::start_on(database, options).await
    }

    /// Starts an app on an existing test database (used for a second instance on one database).
    pub async fn start_on(database: TestDb, options: Options) -> Result<Self> {
        let smtp = if options.no_smtp || options.smtp_url.is_some() {
            None
        } else {
            Some(SmtpSink::start().await)
        };
        let smtp_url = options
            .smtp_url
            .clone()
            .or_else(|| smtp.as_ref().map(SmtpSink::url));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let config = test_config(
            &database.url,
            options.base_url.as_deref().unwrap_or(&base),
            smtp_url.as_deref(),
        );
        let db = Db::connect(&database.url, 5).await?;
        db.migrate().await?;
        let mut config = config;
        let files = database.dir.path().join("files");
        config.data_dir = files.display().to_string();
        config.storage_url = format!("file://{}", config.data_dir);
        let mut state = app::AppState::new(config, db)?;
        if let Some(clock) = options.clock {
            state.clock = clock;
        }
        let running = app::start_with_state(state, listener, std::future::pending())?;
        let db = Db::connect(&database.url, 3).await?;
        Ok(Self {
            base,
            client: client(),
            db,
            smtp,
            running: Some(running),
            database,
        })
    }

    pub fn state(&self) -> &kring::app::AppState {
        &self.running.as_ref().expect("running").state
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Result<reqwest::Response> {
        Ok(self.client.get(self.url(path)).send().await?)
    }

    /// The CSRF token from a form on the page at `path`.
    pub async fn csrf(&self, path: &str) -> Result<String> {
        let html = self.get(path).await?.text().await?;
        csrf_from(&html).ok_or_else(|| anyhow!("no csrf_token on {path}"))
    }

    /// Posts a form with the page's CSRF token added.
    pub async fn post_form(
        &self,
        path: &str,
        form_page: &str,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::Response> {
        let token = self.csrf(form_page).await?;
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        body.extend_from_slice(fields);
        Ok(self.client.post(self.url(path)).form(&body).send().await?)
    }

    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        admin: bool,
    ) -> Result<kring::db::users::User> {
        let mut tx = self.db.begin().await?;
        let user = kring::db::users::create(
            &mut tx,
            &kring::db::users::NewUser {
                email: kring::domain::Email::parse(email).map_err(|e| anyhow!(e))?,
                name: kring::domain::PersonName::parse(name).map_err(|e| anyhow!(e))?,
                is_admin: admin,
                organisation_code: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// A sign-in link made directly in the database (no e-mail involved).
    pub async fn link_for(&self, user: &kring::db::users::User) -> Result<String> {
        let mut tx = self.db.begin().await?;
        let link = kring::auth::create_link(&mut tx, &self.base, user).await?;
        tx.commit().await?;
        Ok(link)
    }

    /// Signs this app's client in as `user` through the real sign-in pages.
    pub async fn sign_in(&self, user: &kring::db::users::User) -> Result<()> {
        let link = self.link_for(user).await?;
        let path = link
            .strip_prefix(&self.base)
            .context("link on this app")?
            .to_string();
        let response = self.post_form(&path, &path, &[]).await?;
        anyhow::ensure!(
            response.status() == 303,
            "sign-in answered {}",
            response.status()
        );
        Ok(())
    }

    pub async fn token_for(&self, user: &kring::db::users::User) -> Result<String> {
        let (_, token) = kring::api::me::issue_token(self.state(), &user.id, "test").await?;
        Ok(token)
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        self.db.close().await;
    }
}

pub fn csrf_from(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_string())
}

pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

/// Waits until `check` holds, polling; fails after `timeout`.
pub async fn eventually<F, Fut>(timeout: Duration, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await? {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// GETs `url` with `client` (and a bearer token, if given), expects 200, and returns the number of
/// database statements the server ran for it (`X-Kring-Db-Statements`) with the body.
pub async fn counted(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
) -> Result<(u32, String)> {
    let mut request = client.get(&url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await?;
    anyhow::ensure!(r.status() == 200, "{url}: {}", r.status());
    let n = r
        .headers()
        .get("x-kring-db-statements")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{url}: no statement count header"))?;
    Ok((n, r.text().await?))
}
