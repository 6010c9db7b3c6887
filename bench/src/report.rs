//! The results of one run: a Markdown table for people and a JSON file with the same numbers.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

/// Everything one run measured.
#[derive(Serialize)]
pub struct Report {
    pub date: String,
    pub database: String,
    pub scale: u32,
    pub cpus: usize,
    pub connections: usize,
    pub seconds_per_route: u64,
    pub kring_commit: String,
    pub demo_seconds: f64,
    pub demo_summary: String,
    pub cold_start_ms: f64,
    pub peak_rss_bytes: u64,
    pub rss_after_load_bytes: u64,
    pub community_home: Sizes,
    pub routes: Vec<Route>,
    pub targets: Vec<Target>,
}

/// Sizes of the community home and of a first visit to it.
#[derive(Serialize)]
pub struct Sizes {
    pub html_bytes: usize,
    pub html_compressed_bytes: usize,
    pub encoding: String,
    /// The HTML plus every CSS and JS file it references, each compressed.
    pub first_visit_compressed_bytes: usize,
    pub assets: Vec<(String, usize)>,
}

/// One route under load.
#[derive(Serialize)]
pub struct Route {
    pub name: String,
    pub path: String,
    pub auth: String,
    pub requests: u64,
    pub errors: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Requests/s of this route divided by requests/s of the static asset.
    pub ratio_to_floor: f64,
    /// Statements of the first request (nothing reused yet).
    pub db_statements: Option<u32>,
    /// Statements of the same request repeated, with nothing written in between.
    pub db_statements_again: Option<u32>,
}

/// One target of issue 6.
#[derive(Serialize)]
pub struct Target {
    pub what: String,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

impl Report {
    /// The Markdown table.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "## kring {}, scale {} ({}, kring {})\n\n{} CPUs, {} connections, {} s per route, load \
             generator on the same machine; `Accept-Encoding: br, gzip` on every request.\n",
            self.database,
            self.scale,
            self.date,
            self.kring_commit,
            self.cpus,
            self.connections,
            self.seconds_per_route
        );
        md.push_str(
            "| route | auth | req/s | p50 ms | p95 ms | p99 ms | × floor | DB statements (first / again) | errors |\n\
             | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for r in &self.routes {
            let _ = writeln!(
                md,
                "| {} `{}` | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.3} | {} / {} | {} |",
                r.name,
                r.path,
                r.auth,
                r.requests_per_second,
                r.p50_ms,
                r.p95_ms,
                r.p99_ms,
                r.ratio_to_floor,
                r.db_statements.map_or("–".to_string(), |n| n.to_string()),
                r.db_statements_again
                    .map_or("–".to_string(), |n| n.to_string()),
                r.errors
            );
        }
        md.push_str("\n| measure | value | target | met |\n| --- | ---: | ---: | --- |\n");
        for t in &self.targets {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                t.what,
                t.measured,
                t.target,
                if t.met { "yes" } else { "**no**" }
            );
        }
        let _ = writeln!(
            md,
            "\nDemo data: {} ({:.1} s). RSS after the load: {:.1} MB. First visit: {}.",
            self.demo_summary,
            self.demo_seconds,
            mb(self.rss_after_load_bytes),
            self.community_home
                .assets
                .iter()
                .map(|(path, bytes)| format!("`{path}` {:.1} KB", kb(*bytes)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        md
    }

    /// Writes `<dir>/<date>-<database>.md` and `.json`; returns the Markdown path.
    pub fn write(&self, dir: &Path) -> Result<String> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let stem = dir.join(format!("{}-{}", self.date, self.database.to_lowercase()));
        let md = stem.with_extension("md");
        std::fs::write(&md, self.markdown())?;
        std::fs::write(
            stem.with_extension("json"),
            serde_json::to_string_pretty(self)? + "\n",
        )?;
        Ok(md.display().to_string())
    }
}

/// Bytes as MB (10^6), as the targets are written.
#[allow(clippy::cast_precision_loss)]
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Bytes as KB (10^3).
#[allow(clippy::cast_precision_loss)]
pub fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1e3
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
