//! The application: shared state, the router with its middleware, and serving on a bound listener.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::cache::Cache;
use crate::config::Config;
use crate::db::Db;
use crate::error::{Error, Problem};
use crate::{api, auth, jobs, mail, web};

/// State shared by every request handler and background task.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub config: Arc<Config>,
    /// Wakes the background worker when work was queued on this instance.
    pub worker_wake: Arc<Notify>,
    /// Prometheus exposition of the process's metrics.
    pub metrics: PrometheusHandle,
    /// The time source (settable in tests of deadlines).
    pub clock: crate::clock::Clock,
    /// Attachment storage.
    pub storage: crate::storage::Storage,
    /// Generous per-client limit for public forms (abuse protection; per-address limits are in the database).
    pub client_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// What pages reuse until the database changes.
    pub(crate) caches: Arc<Caches>,
}

/// Data read from the database that pages reuse while the change count stays the same
/// ([`crate::cache`]).
pub(crate) struct Caches {
    /// The member's view of a community, by slug.
    pub(crate) community_home: Cache<String, web::communities::HomeData>,
    /// The programmes and communities on the home page.
    pub(crate) overview: Cache<(), web::programmes::Overview>,
    /// A signed-in caller's search results.
    pub(crate) search: Cache<crate::search::Key, Vec<crate::search::Found>>,
}

impl Caches {
    fn new() -> Self {
        Self {
            // A few kilobytes each; more communities than any instance hosts.
            community_home: Cache::new(1_000),
            overview: Cache::new(1),
            // Up to 50 results of a few hundred bytes each: at most a few megabytes.
            search: Cache::new(500),
        }
    }
}

impl AppState {
    /// Builds the state around a connected, migrated database; fails when the file storage
    /// cannot be opened.
    pub fn new(config: Config, db: Db) -> anyhow::Result<Self> {
        let storage = crate::storage::Storage::open(&config)?;
        let per_minute =
            NonZeroU32::new(config.forms_per_client_per_minute).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            db,
            storage,
            config: Arc::new(config),
            worker_wake: Arc::new(Notify::new()),
            metrics: metrics_handle(),
            clock: crate::clock::Clock::system(),
            client_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            caches: Arc::new(Caches::new()),
        })
    }

    /// Tells the local worker that there is new work.
    pub fn wake_worker(&self) {
        self.worker_wake.notify_one();
    }

    /// Values every e-mail template may use.
    pub fn mail_context(&self) -> mail::MailContext {
        mail::MailContext {
            base_url: self.config.base_url.clone(),
        }
    }

    /// Checks the per-client limit; `429` when exceeded.
    pub fn check_client_limit(&self, client: Option<IpAddr>) -> Result<(), Error> {
        match client {
            Some(ip) if self.client_limiter.check_key(&ip).is_err() => {
                Err(Error::RateLimited { retry_after: 60 })
            }
            _ => Ok(()),
        }
    }
}

/// The metrics recorder is process-wide in the `metrics` crate; install it once and share the handle.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ])
                .expect("static buckets are valid")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (several apps in one test process): keep going.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Largest request body of ordinary forms and JSON; upload routes set their own, larger limit.
pub const BODY_LIMIT: usize = 256 * 1024;

/// The complete router with every middleware.
pub fn router(state: AppState) -> Router {
    let csrf_layer = tower_http::csrf::CsrfLayer::new()
        .add_trusted_origin(&state.config.base_url)
        .unwrap_or_else(|_| tower_http::csrf::CsrfLayer::new());
    Router::new()
        .merge(web::router())
        .merge(api::routes().into_router())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_page))
        .fallback(|| async { Error::NotFound })
        // Innermost first: each layer wraps the ones above it.
        .layer(csrf_layer)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_metrics,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_cookie,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            Error::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(
            // Pages and JSON are compressed per response, so cost counts more than the last
            // few hundred bytes: gzip level 1 takes a third of the time of brotli quality 4 on a
            // 13 KB page (29 µs against 82 µs; brotli's default, quality 11, takes milliseconds)
            // for a body about a quarter larger (2.1 KB against 1.6 KB). Static assets are
            // compressed once, with brotli at its best, and served as they are (web::assets).
            CompressionLayer::new()
                .no_br()
                .quality(tower_http::CompressionLevel::Precise(1)),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The route template, never the URI: paths carry sign-in tokens and addresses.
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("unmatched", MatchedPath::as_str);
                tracing::info_span!("request", method = %request.method(), route)
            }),
        )
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        axum::Json(serde_json::json!({"status": "ok"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response()
    }
}

async fn metrics_page(State(state): State<AppState>) -> Response {
    if let Ok((pending, sent, failed)) = crate::db::outbox::counts(&state.db).await {
        #[allow(clippy::cast_precision_loss)]
        {
            metrics::gauge!("kring_outbox_mails", "status" => "pending").set(pending as f64);
            metrics::gauge!("kring_outbox_mails", "status" => "sent").set(sent as f64);
            metrics::gauge!("kring_outbox_mails", "status" => "failed").set(failed as f64);
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// Requests between two upkeeps of the metrics recorder.
const UPKEEP_EVERY: u64 = 1024;

async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let (mut response, statements) = crate::db::queries::counted(next.run(request)).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::histogram!("kring_db_statements_per_request", "method" => method, "route" => route)
        .record(f64::from(statements));
    // The recorder keeps every histogram sample until upkeep folds it into the buckets; without
    // it memory grows by 16 bytes a request (peak RSS +14 MB over a benchmark run).
    static RECORDED: AtomicU64 = AtomicU64::new(0);
    if RECORDED.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
        state.metrics.run_upkeep();
    }
    if state.config.query_count_header {
        response
            .headers_mut()
            .insert("x-kring-db-statements", HeaderValue::from(statements));
    }
    response
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A handler may set a stricter policy (downloads are sandboxed).
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// The client address of a request, as seen by this server (a proxy's address behind a proxy).
pub fn client_ip(connect_info: Option<&ConnectInfo<SocketAddr>>) -> Option<IpAddr> {
    connect_info.map(|c| c.0.ip())
}

/// A running kring: its state, and handles to stop the server and the worker.
pub struct Running {
    /// Shared state (the database, settings).
    pub state: AppState,
    /// Address the server listens on.
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    worker: JoinHandle<()>,
}

impl Running {
    /// Stops accepting requests, finishes those in flight, stops the worker and closes the database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        let _ = self.worker.await;
        self.state.db.close().await;
    }

    /// Waits until the server ends (it ends on SIGINT/SIGTERM when started by `serve`).
    pub async fn wait(self) -> std::io::Result<()> {
        let result = match self.server.await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        };
        let _ = self.shutdown.send(true);
        let _ = self.worker.await;
        self.state.db.close().await;
        result
    }
}

/// Connects and migrates the database, then serves on `listener` and runs the background worker.
pub async fn start(
    config: Config,
    listener: TcpListener,
    stop_on: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let db = Db::connect(config.database_url.expose(), config.connections()).await?;
    db.migrate().await?;
    start_with_db(config, db, listener, stop_on)
}

/// Serves an already migrated database (used by `start` and by tests that prepare the database).
pub fn start_with_db(
    config: Config,
    db: Db,
    listener: TcpListener,
    stop_on: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    start_with_state(AppState::new(config, db)?, listener, stop_on)
}

/// Serves prepared state (tests use it to give the app a manual clock).
pub fn start_with_state(
    state: AppState,
    listener: TcpListener,
    stop_on: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (shutdown, mut shutdown_rx) = watch::channel(false);
    let worker = tokio::spawn(jobs::run(state.clone(), shutdown.subscribe()));
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let trigger = shutdown.clone();
    tokio::spawn(async move {
        stop_on.await;
        let _ = trigger.send(true);
    });
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = shutdown_rx.wait_for(|stop| *stop).await;
            })
            .await
    });
    Ok(Running {
        state,
        addr,
        shutdown,
        server,
        worker,
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Maps a bare error status (from a layer or axum itself) to kring's problem for it.
pub fn problem_for_status(status: StatusCode) -> Problem {
    let error = match status {
        StatusCode::NOT_FOUND => Error::NotFound,
        StatusCode::UNAUTHORIZED => Error::Unauthorized,
        StatusCode::FORBIDDEN => Error::Forbidden,
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
        StatusCode::METHOD_NOT_ALLOWED => Error::refused(
            status,
            "method_not_allowed",
            "Deze methode is hier niet toegestaan.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::refused(
            status,
            "unsupported_media_type",
            "Stuur de gegevens als application/json.",
        ),
        StatusCode::REQUEST_TIMEOUT => {
            Error::refused(status, "timeout", "Het verzoek duurde te lang.")
        }
        s if s.is_client_error() => Error::refused(s, "bad_request", "Het verzoek is niet geldig."),
        _ => Error::Internal(anyhow::anyhow!("status {status}")),
    };
    error.problem()
}
