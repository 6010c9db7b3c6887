//! kring's benchmark harness: builds kring in release, fills a fresh SQLite and/or PostgreSQL
//! database with `kring demo --scale N`, starts `kring serve` and measures cold start, throughput
//! and latency of the main routes at 64 connections, peak RSS, page weight and query counts.
//! See bench/README.md.

mod http;
mod kring;
mod load;
mod postgres;
mod report;
mod setup;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::http::{ACCEPT_ENCODING, Spec};
use crate::kring::Kring;
use crate::report::{Report, Route, Sizes, Target, kb, mb};
use crate::setup::Fixtures;

const USAGE: &str = "usage: kring-bench [--db sqlite|postgres|both] [--scale N] [--seconds S] \
[--connections C] [--cold-starts N] [--out DIR] [--no-build] [--keep] [--dir DIR] \
[--only ROUTE,...]";

/// The command line.
struct Options {
    databases: Vec<&'static str>,
    scale: u32,
    seconds: u64,
    connections: usize,
    cold_starts: u32,
    out: PathBuf,
    build: bool,
    keep: bool,
    /// Work in this directory (kept) instead of a fresh temp dir: a database left there by an
    /// earlier `--keep` run is migrated and reused (`kring demo` skips what it already added).
    dir: Option<PathBuf>,
    /// Measure only these routes (by the first word of their name); the floor is always measured.
    only: Vec<String>,
}

fn options(repo: &Path) -> Result<Options> {
    let mut o = Options {
        databases: vec!["sqlite"],
        scale: 1,
        seconds: 10,
        connections: 64,
        cold_starts: 5,
        out: repo.join("bench").join("results"),
        build: true,
        keep: false,
        dir: None,
        only: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--db" => {
                o.databases = match value()?.as_str() {
                    "sqlite" => vec!["sqlite"],
                    "postgres" => vec!["postgres"],
                    "both" => vec!["sqlite", "postgres"],
                    other => bail!("--db {other}: expected sqlite, postgres or both"),
                }
            }
            "--scale" => o.scale = value()?.parse().context("--scale")?,
            "--seconds" => o.seconds = value()?.parse().context("--seconds")?,
            "--connections" => o.connections = value()?.parse().context("--connections")?,
            "--cold-starts" => o.cold_starts = value()?.parse().context("--cold-starts")?,
            "--out" => o.out = PathBuf::from(value()?),
            "--no-build" => o.build = false,
            "--keep" => o.keep = true,
            "--dir" => o.dir = Some(PathBuf::from(value()?)),
            "--only" => {
                o.only = value()?
                    .split(',')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect();
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    Ok(o)
}

#[tokio::main]
async fn main() -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("bench/ has no parent")?
        .to_path_buf();
    let o = options(&repo)?;
    let binary = if o.build {
        kring::build(&repo)?
    } else {
        kring::release_binary(&repo)
    };
    for database in &o.databases {
        let report = run(&o, &repo, &binary, database).await?;
        println!("{}", report.markdown());
        eprintln!("== wrote {}", report.write(&o.out)?);
    }
    Ok(())
}

/// One full run on one database.
async fn run(o: &Options, repo: &Path, binary: &Path, database: &str) -> Result<Report> {
    let workdir = match &o.dir {
        Some(dir) => dir.join(database),
        None => std::env::temp_dir().join(format!("kring-bench-{database}-{}", std::process::id())),
    };
    std::fs::create_dir_all(&workdir)?;
    let postgres = if database == "postgres" {
        Some(postgres::Postgres::start()?)
    } else {
        None
    };
    let database_url = match &postgres {
        Some(pg) => pg.create_database().await?,
        None => "sqlite://kring.db".to_string(),
    };
    let kring = Kring {
        binary: binary.to_path_buf(),
        database_url,
        workdir: workdir.clone(),
    };
    let result = measure(o, repo, &kring, database).await;
    drop(postgres);
    if o.keep || o.dir.is_some() {
        eprintln!("== kept {}", workdir.display());
    } else {
        let _ = std::fs::remove_dir_all(&workdir);
    }
    result
}

async fn measure(o: &Options, repo: &Path, kring: &Kring, database: &str) -> Result<Report> {
    eprintln!(
        "== {database}: kring migrate, kring demo --scale {}",
        o.scale
    );
    kring.run(&["migrate"])?;
    let demo_started = Instant::now();
    let demo_summary = kring.run(&["demo", "--scale", &o.scale.to_string()])?;
    let demo_seconds = demo_started.elapsed().as_secs_f64();

    eprintln!("== cold start ({} restarts)", o.cold_starts);
    let cold_start = kring.cold_start(o.cold_starts).await?;
    let server = kring.serve().await?;
    let addr = server.addr;
    let fixtures = setup::prepare(kring, addr).await?;
    eprintln!(
        "== community {}, meeting {}, member {}",
        fixtures.community, fixtures.meeting, fixtures.member
    );

    let mut routes = Vec::new();
    let mut floor = None;
    for (name, path, auth) in route_list(&fixtures) {
        let key = name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_end_matches(',');
        if !o.only.is_empty() && name != FLOOR && !o.only.iter().any(|r| r == key) {
            continue;
        }
        let mut spec = spec(&path, auth, &fixtures)?;
        if name == SEARCH_NEW {
            spec = spec.rotating(search_paths());
        }
        let statements = |r: &http::Response| {
            r.header("x-kring-db-statements")
                .and_then(|v| v.parse::<u32>().ok())
        };
        let probe = http::once(addr, &spec).await?;
        if probe.status != 200 {
            bail!("{path} answered {} before the load", probe.status);
        }
        let db_statements = statements(&probe);
        let db_statements_again = statements(&http::once(addr, &spec).await?);
        eprintln!("== load: {name} {path}");
        let warm_up = Duration::from_secs(o.seconds.clamp(1, 2));
        load::run(addr, &spec, o.connections, warm_up).await?;
        let outcome = load::run(addr, &spec, o.connections, Duration::from_secs(o.seconds)).await?;
        let rate = outcome.rate();
        let floor_rate = *floor.get_or_insert(rate);
        routes.push(Route {
            name: name.to_string(),
            path,
            auth: auth.to_string(),
            requests: outcome.ok,
            errors: outcome.errors,
            requests_per_second: rate,
            p50_ms: outcome.millis(0.50),
            p95_ms: outcome.millis(0.95),
            p99_ms: outcome.millis(0.99),
            ratio_to_floor: rate / floor_rate,
            db_statements,
            db_statements_again,
        });
    }
    let (peak_rss, rss_after) = server.memory()?;
    let sizes = sizes(addr, &fixtures).await?;
    server.stop().await?;

    let mut report = Report {
        date: report::today(),
        database: if database == "sqlite" {
            "SQLite"
        } else {
            "PostgreSQL"
        }
        .to_string(),
        scale: o.scale,
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        connections: o.connections,
        seconds_per_route: o.seconds,
        kring_commit: commit(repo),
        demo_seconds,
        demo_summary: demo_summary.lines().last().unwrap_or_default().to_string(),
        cold_start_ms: cold_start.as_secs_f64() * 1000.0,
        peak_rss_bytes: peak_rss,
        rss_after_load_bytes: rss_after,
        community_home: sizes,
        routes,
        targets: Vec::new(),
    };
    report.targets = targets(&report);
    Ok(report)
}

/// The route that asks a different search every time, so that no answer can be reused.
const SEARCH_NEW: &str = "search, a new query each time (API)";

/// Words of the demo texts (`kring demo --scale`), as people would search them.
const SEARCH_WORDS: [&str; 48] = [
    "wadi",
    "regen",
    "groen",
    "dak",
    "bomen",
    "straat",
    "hittestress",
    "ontharding",
    "tegelwippen",
    "schoolplein",
    "regenwater",
    "afkoppelen",
    "biodiversiteit",
    "plantsoen",
    "bloemrijk",
    "berm",
    "natuurinclusief",
    "bouwen",
    "droogte",
    "park",
    "waterberging",
    "gevelgroen",
    "koele",
    "route",
    "insecten",
    "bomenbeleid",
    "maaibeheer",
    "klimaat",
    "wijk",
    "regenton",
    "bewoners",
    "boomspiegel",
    "stadsbos",
    "hittekaart",
    "ervaring",
    "budget",
    "onderhoud",
    "monitoring",
    "subsidie",
    "beleid",
    "resultaten",
    "binnenstad",
    "scholen",
    "bedrijventerrein",
    "nieuwbouw",
    "centrum",
    "station",
    "dorp",
];

/// Every word alone and every ordered pair: 2,304 different searches, more than kring keeps.
fn search_paths() -> Vec<String> {
    let mut paths: Vec<String> = SEARCH_WORDS
        .iter()
        .map(|w| format!("/api/v1/search?q={w}"))
        .collect();
    for a in SEARCH_WORDS {
        for b in SEARCH_WORDS {
            if a != b {
                paths.push(format!("/api/v1/search?q={a}+{b}"));
            }
        }
    }
    paths
}

/// The floor's route name.
const FLOOR: &str = "static asset (floor)";

/// The measured routes: the static asset (the floor) first.
fn route_list(f: &Fixtures) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (FLOOR, "/assets/kring.css".into(), "none"),
        ("public home", "/".into(), "none"),
        (
            "community home",
            format!("/communities/{}", f.community),
            "session",
        ),
        (
            "notes list (API)",
            format!("/api/v1/communities/{}/notes", f.community),
            "token",
        ),
        ("search (API)", "/api/v1/search?q=wadi".into(), "token"),
        (SEARCH_NEW, "/api/v1/search?q=…".into(), "token"),
        (
            "meeting page",
            format!("/bijeenkomsten/{}", f.meeting),
            "session",
        ),
    ]
}

fn spec(path: &str, auth: &str, f: &Fixtures) -> Result<Spec> {
    let bearer = format!("Bearer {}", f.token);
    let mut headers = vec![("accept-encoding", ACCEPT_ENCODING)];
    match auth {
        "session" => headers.push(("cookie", &f.cookie)),
        "token" => headers.push(("authorization", &bearer)),
        _ => {}
    }
    Spec::get(path, &headers)
}

/// The community home's compressed size, and that of a first visit (HTML + its CSS and JS).
async fn sizes(addr: SocketAddr, f: &Fixtures) -> Result<Sizes> {
    let path = format!("/communities/{}", f.community);
    let plain = http::once(addr, &Spec::get(&path, &[("cookie", &f.cookie)])?).await?;
    let compressed = http::once(addr, &spec(&path, "session", f)?).await?;
    let html = String::from_utf8_lossy(&plain.body);
    let mut assets = Vec::new();
    for asset in referenced_assets(&html) {
        let response = http::once(addr, &spec(&asset, "none", f)?).await?;
        if response.status != 200 {
            bail!("{asset} answered {}", response.status);
        }
        assets.push((asset, response.body.len()));
    }
    Ok(Sizes {
        html_bytes: plain.body.len(),
        html_compressed_bytes: compressed.body.len(),
        encoding: compressed
            .header("content-encoding")
            .unwrap_or("identity")
            .to_string(),
        first_visit_compressed_bytes: compressed.body.len()
            + assets.iter().map(|(_, n)| n).sum::<usize>(),
        assets,
    })
}

/// Local CSS and JS files in `href="…"` and `src="…"` attributes.
fn referenced_assets(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for piece in html.split(attr).skip(1) {
            let url = piece
                .split('"')
                .next()
                .unwrap_or_default()
                .replace("&amp;", "&");
            let file = url.split(['?', '#']).next().unwrap_or_default();
            let local = url.starts_with('/') && !url.starts_with("//");
            if local && (file.ends_with(".css") || file.ends_with(".js")) && !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

fn targets(r: &Report) -> Vec<Target> {
    let route = |name: &str| r.routes.iter().find(|x| x.name == name);
    let mut t = Vec::new();
    let mut add = |what: &str, target: &str, measured: String, met: bool| {
        t.push(Target {
            what: what.into(),
            target: target.into(),
            measured,
            met,
        });
    };
    let sqlite = if r.database == "SQLite" {
        ""
    } else {
        " (SQLite target)"
    };
    if let Some(home) = route("community home") {
        add(
            &format!("community home req/s{sqlite}"),
            "≥ 5,000",
            format!("{:.0}", home.requests_per_second),
            home.requests_per_second >= 5000.0,
        );
        add(
            &format!("community home p99{sqlite}"),
            "≤ 25 ms",
            format!("{:.1} ms", home.p99_ms),
            home.p99_ms <= 25.0,
        );
    }
    if let Some(search) = route("search (API)") {
        add(
            "search p95",
            "≤ 15 ms",
            format!("{:.1} ms", search.p95_ms),
            search.p95_ms <= 15.0,
        );
    }
    add(
        "peak RSS of kring (VmHWM)",
        "≤ 100 MB",
        format!("{:.1} MB", mb(r.peak_rss_bytes)),
        r.peak_rss_bytes <= 100_000_000,
    );
    add(
        "cold start (to first 200 of /healthz)",
        "≤ 300 ms",
        format!("{:.0} ms", r.cold_start_ms),
        r.cold_start_ms <= 300.0,
    );
    let s = &r.community_home;
    add(
        "community home HTML, compressed",
        "≤ 20 KB",
        format!(
            "{:.1} KB {} ({:.1} KB plain)",
            kb(s.html_compressed_bytes),
            s.encoding,
            kb(s.html_bytes)
        ),
        s.html_compressed_bytes <= 20_000,
    );
    add(
        "first visit (HTML + CSS + JS), compressed",
        "≤ 80 KB",
        format!("{:.1} KB", kb(s.first_visit_compressed_bytes)),
        s.first_visit_compressed_bytes <= 80_000,
    );
    t
}

/// The commit of the kring tree measured (read-only), with `+` when it has local changes.
fn commit(repo: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(repo)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty { format!("{head}+") } else { head }
}
