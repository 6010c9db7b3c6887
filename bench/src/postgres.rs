//! A PostgreSQL database for one run: on the server named by `KRING_BENCH_POSTGRES_URL`, or in a
//! throwaway cluster started from the system's binaries (as the `postgres` user when run as root,
//! since `initdb` refuses root) and removed when the run ends.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use sqlx::Connection as _;

use crate::kring::free_port;

/// Environment variable naming an existing server (an admin URL) to use instead of a local cluster.
pub const URL_ENV: &str = "KRING_BENCH_POSTGRES_URL";

/// A server to create the benchmark database on.
pub struct Postgres {
    admin_url: String,
    local: Option<Local>,
}

struct Local {
    root: PathBuf,
    data: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
}

impl Postgres {
    /// Uses `KRING_BENCH_POSTGRES_URL` or starts a local cluster.
    pub fn start() -> Result<Postgres> {
        if let Ok(url) = std::env::var(URL_ENV)
            && !url.trim().is_empty()
        {
            return Ok(Postgres {
                admin_url: url.trim().to_string(),
                local: None,
            });
        }
        let bindir = find_bindir().context(
            "no PostgreSQL server binaries (initdb, pg_ctl) found; install PostgreSQL or set \
             KRING_BENCH_POSTGRES_URL",
        )?;
        let as_postgres = is_root();
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
        // As root, TMPDIR may point where the postgres user cannot go.
        let parent = if as_postgres {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let root = parent.join(format!("kring-bench-pg-{}-{stamp}", std::process::id()));
        fs::create_dir_all(root.join("sock")).context("creating the cluster dir")?;
        let local = Local {
            data: root.join("data"),
            root,
            bindir,
            as_postgres,
        };
        if as_postgres {
            run(Command::new("chown")
                .arg("-R")
                .arg("postgres:")
                .arg(&local.root))?;
        }
        let port = free_port()?;
        // Dropping `postgres` from here on stops the server and removes the dir.
        let postgres = Postgres {
            admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            local: Some(local),
        };
        postgres.local.as_ref().expect("local").init(port)?;
        Ok(postgres)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub async fn create_database(&self) -> Result<String> {
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let name = format!("kring_bench_{stamp}");
        let mut conn = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .with_context(|| format!("connecting to {}", redact(&self.admin_url)))?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .context("CREATE DATABASE")?;
        conn.close().await?;
        Ok(with_database(&self.admin_url, &name))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(local) = self.local.take() {
            let _ = local
                .cmd("pg_ctl")
                .arg("stop")
                .arg("-D")
                .arg(&local.data)
                .args(["-m", "immediate", "-w", "-s"])
                .output();
            let _ = fs::remove_dir_all(&local.root);
        }
    }
}

impl Local {
    /// A server binary, run as the postgres user when we are root.
    fn cmd(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        cmd.current_dir(&self.root).stdin(Stdio::null());
        cmd
    }

    fn init(&self, port: u16) -> Result<()> {
        run(self
            .cmd("initdb")
            .arg("-D")
            .arg(&self.data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .arg("--locale=C.UTF-8"))?;
        // Server defaults otherwise (shared_buffers 128 MB); durability off because the cluster
        // is thrown away, which only speeds up loading the demo: the measured routes only read.
        let conf = format!(
            "\n# kring benchmark cluster\nlisten_addresses = '127.0.0.1'\nport = {port}\n\
             unix_socket_directories = '{}'\nfsync = off\nsynchronous_commit = off\n\
             full_page_writes = off\n",
            self.root.join("sock").display()
        );
        OpenOptions::new()
            .append(true)
            .open(self.data.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .context("writing postgresql.conf")?;
        run(self
            .cmd("pg_ctl")
            .arg("start")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.root.join("postgres.log"))
            .args(["-w", "-t", "60", "-s"]))
    }
}

/// The newest `/usr/lib/postgresql/*/bin`, else `pg_config --bindir`, else `PATH`.
fn find_bindir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        let mut versioned: Vec<(Vec<u32>, PathBuf)> = entries
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let version = name.split('.').map(|p| p.parse().unwrap_or(0)).collect();
                (version, e.path().join("bin"))
            })
            .collect();
        versioned.sort_by(|a, b| b.0.cmp(&a.0));
        candidates.extend(versioned.into_iter().map(|(_, dir)| dir));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        candidates.push(PathBuf::from(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ));
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates.into_iter().find(|dir| has_server(dir))
}

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", text(&out));
    }
    Ok(())
}

fn text(out: &Output) -> String {
    format!(
        "[{}] {} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim(),
        String::from_utf8_lossy(&out.stdout).trim()
    )
}

/// `url` with its database replaced by `db`, keeping user, host and query.
fn with_database(url: &str, db: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let after = &rest[authority_end..];
    let query_start = after.find(['?', '#']).unwrap_or(after.len());
    format!(
        "{}{}/{db}{}",
        &url[..scheme_end],
        &rest[..authority_end],
        &after[query_start..]
    )
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            let user = user.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..s + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}
