//! A throwaway PostgreSQL cluster for the integration tests.
//!
//! [`PgCluster::start`] either uses the server named by `KRING_TEST_POSTGRES_URL`, or
//! `initdb`s a fresh, fast, trust-auth cluster in a temp dir listening only on
//! 127.0.0.1 on a free port, or reports that there is no PostgreSQL here (`Ok(None)`).
//!
//! A local cluster is guarded by a small `sh` watchdog in its own process group: when the
//! test process is gone (killed, or exited through `std::process::exit` without dropping
//! the cluster), the watchdog stops the server (`pg_ctl stop -m immediate`) and removes the
//! temp dir within about a second. [`PgCluster::stop`] (also run on drop) kills the
//! watchdog first and then does the same itself.
//!
//! As root (`initdb` refuses to run as root), every server binary runs as the `postgres`
//! system user through `runuser -u postgres --`, and the temp dir is handed to that user.
#![allow(dead_code)]

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

/// Environment variable naming an existing server to use instead of a local cluster.
pub const URL_ENV: &str = "KRING_TEST_POSTGRES_URL";

const READY_TIMEOUT: Duration = Duration::from_secs(30);

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Runs until the test process (`$1`) is gone, then stops the server in data dir `$3` with
/// pg_ctl `$2` (as the postgres user when `$5` is 1) and removes the temp dir `$4`.
/// A zombie test process (not yet reaped) counts as gone.
const WATCHDOG: &str = r#"trap '' HUP INT
while kill -0 "$1" 2>/dev/null; do
  if [ -r "/proc/$1/stat" ]; then
    st=$(cat "/proc/$1/stat" 2>/dev/null)
    case "${st##*) }" in Z*|X*) break ;; esac
  fi
  sleep 1
done
if [ -f "$3/postmaster.pid" ]; then
  pid=$(head -n 1 "$3/postmaster.pid")
  if [ "$5" = 1 ]; then
    runuser -u postgres -- "$2" stop -D "$3" -m immediate -w -t 20 >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null
  else
    "$2" stop -D "$3" -m immediate -w -t 20 >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null
  fi
fi
rm -rf "$4"
"#;

/// How the suite reaches PostgreSQL: a local throwaway cluster or an external server.
pub struct PgCluster {
    kind: Kind,
}

enum Kind {
    External { url: String },
    Local(Local),
}

struct Local {
    /// `None` once removed.
    dir: Option<tempfile::TempDir>,
    root: PathBuf,
    data: PathBuf,
    bindir: PathBuf,
    port: u16,
    /// Running as root: server binaries run as the `postgres` user.
    as_postgres: bool,
    watchdog: Option<Child>,
}

impl PgCluster {
    /// Resolves how to reach PostgreSQL for the suite:
    /// 1. `KRING_TEST_POSTGRES_URL` set (non-empty): use that server, start nothing;
    /// 2. PostgreSQL server binaries found (`pg_config --bindir`, then the highest
    ///    `/usr/lib/postgresql/*/bin`, then `PATH`): start a fresh local cluster;
    /// 3. otherwise `Ok(None)`.
    pub fn start() -> Result<Option<PgCluster>> {
        if let Ok(url) = std::env::var(URL_ENV) {
            let url = url.trim();
            if !url.is_empty() {
                let url = url.to_string();
                return Ok(Some(PgCluster {
                    kind: Kind::External { url },
                }));
            }
        }
        let Some(bindir) = find_bindir() else {
            return Ok(None);
        };
        let local = Local::start(bindir)?;
        Ok(Some(PgCluster {
            kind: Kind::Local(local),
        }))
    }

    /// Base URL for an admin connection: `postgres://postgres@127.0.0.1:PORT` for a local
    /// cluster, the `KRING_TEST_POSTGRES_URL` value unchanged for an external server.
    pub fn admin_url(&self) -> String {
        match &self.kind {
            Kind::External { url } => url.clone(),
            Kind::Local(l) => format!("postgres://postgres@127.0.0.1:{}", l.port),
        }
    }

    /// Creates a fresh empty database with a unique name and returns its full URL.
    pub fn create_database(&self) -> Result<String> {
        let n = DB_COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
        let pid = std::process::id();
        let (name, admin, psql) = match &self.kind {
            Kind::Local(l) => (
                format!("kring_test_{n}_{pid}"),
                format!("{}/postgres", self.admin_url()),
                tool(Some(&l.bindir), "psql"),
            ),
            Kind::External { url } => {
                // A shared server may hold databases of earlier runs: add the time.
                let secs = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let bindir = find_bindir();
                (
                    format!("kring_test_{n}_{pid}_{secs}"),
                    url.clone(),
                    tool(bindir.as_deref(), "psql"),
                )
            }
        };
        let sql = format!("CREATE DATABASE \"{name}\"");
        let mut last = String::new();
        for attempt in 0..4 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(250 * attempt));
            }
            let out = Command::new(&psql)
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
                .arg(&admin)
                .arg("-c")
                .arg(&sql)
                .env("PGCONNECT_TIMEOUT", "10")
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", psql.display()))?;
            if out.status.success() {
                return Ok(match &self.kind {
                    Kind::Local(l) => format!("postgres://postgres@127.0.0.1:{}/{name}", l.port),
                    Kind::External { url } => with_database(url, &name),
                });
            }
            last = output_text(&out);
            if last.contains("already exists") {
                break;
            }
        }
        bail!("CREATE DATABASE {name} failed: {last}")
    }

    /// Stops the cluster (`pg_ctl stop -m immediate`, else kill -9) and removes the temp
    /// dir. Idempotent; a no-op for an external server.
    pub fn stop(&mut self) {
        if let Kind::Local(l) = &mut self.kind {
            l.stop();
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop()
    }
}

impl Local {
    fn start(bindir: PathBuf) -> Result<Local> {
        let as_postgres = is_root();
        if as_postgres {
            if !command_ok(Command::new("id").args(["-u", "postgres"])) {
                bail!(
                    "running as root, but there is no `postgres` system user to run initdb/pg_ctl as \
                     (create one, run the tests as a normal user, or set {URL_ENV})"
                );
            }
            if !command_ok(Command::new("runuser").arg("--version")) {
                bail!("running as root, but `runuser` (util-linux) is not available");
            }
        }
        // As root, TMPDIR may point somewhere the postgres user cannot reach.
        let parent = if as_postgres {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("kring-pg-")
            .tempdir_in(&parent)
            .with_context(|| format!("creating a temp dir in {}", parent.display()))?;
        let root = dir.path().to_path_buf();
        let data = root.join("data");
        let sock = root.join("sock");
        fs::create_dir(&sock).context("creating the socket dir")?;
        if as_postgres {
            run(Command::new("chown").arg("-R").arg("postgres:").arg(&root))?;
        }
        // From here on, dropping `local` cleans up whatever was started.
        let mut local = Local {
            dir: Some(dir),
            root,
            data,
            bindir,
            port: 0,
            as_postgres,
            watchdog: None,
        };
        local.spawn_watchdog()?;
        local.initdb()?;
        local.start_server(&sock)?;
        Ok(local)
    }

    /// A command for a server binary, run as the postgres user when we are root.
    fn cmd(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        // The postgres user may not be able to read the caller's working directory.
        cmd.current_dir(&self.root).stdin(Stdio::null());
        cmd
    }

    fn spawn_watchdog(&mut self) -> Result<()> {
        use std::os::unix::process::CommandExt as _;
        let child = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("kring-pg-watchdog")
            .arg(std::process::id().to_string())
            .arg(self.bindir.join("pg_ctl"))
            .arg(&self.data)
            .arg(&self.root)
            .arg(if self.as_postgres { "1" } else { "0" })
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Own process group: a Ctrl-C to the test's group must not kill the watchdog.
            .process_group(0)
            .spawn()
            .context("spawning the postgres watchdog (sh)")?;
        self.watchdog = Some(child);
        Ok(())
    }

    fn initdb(&self) -> Result<()> {
        let mut errors = Vec::new();
        // C.UTF-8 gives proper case mapping of non-ASCII text; fall back to C.
        for locale in ["C.UTF-8", "C"] {
            let out = self
                .cmd("initdb")
                .arg("-D")
                .arg(&self.data)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
                .arg(format!("--locale={locale}"))
                .output()
                .context("running initdb")?;
            if out.status.success() {
                return Ok(());
            }
            errors.push(format!("--locale={locale}: {}", output_text(&out)));
            let _ = fs::remove_dir_all(&self.data);
        }
        bail!("initdb failed: {}", errors.join("; "))
    }

    fn start_server(&mut self, sock: &Path) -> Result<()> {
        let log = self.root.join("postgres.log");
        let mut last = String::new();
        // The free port is only free until someone else takes it: retry on a new one.
        for _ in 0..3 {
            self.port = free_port()?;
            let conf = format!(
                "\n# kring test cluster\n\
                 listen_addresses = '127.0.0.1'\n\
                 port = {}\n\
                 unix_socket_directories = '{}'\n\
                 fsync = off\n\
                 synchronous_commit = off\n\
                 full_page_writes = off\n\
                 max_connections = 300\n\
                 shared_buffers = 32MB\n",
                self.port,
                sock.display()
            );
            OpenOptions::new()
                .append(true)
                .open(self.data.join("postgresql.conf"))
                .and_then(|mut f| f.write_all(conf.as_bytes()))
                .context("writing postgresql.conf")?;
            let out = self
                .cmd("pg_ctl")
                .arg("start")
                .arg("-D")
                .arg(&self.data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "30", "-s"])
                .output()
                .context("running pg_ctl start")?;
            if out.status.success() && self.wait_ready() {
                return Ok(());
            }
            let log_tail = fs::read_to_string(&log)
                .map(|s| tail(&s, 15))
                .unwrap_or_default();
            last = format!(
                "pg_ctl start on port {}: {}\n{log_tail}",
                self.port,
                output_text(&out)
            );
            self.stop_server();
        }
        bail!("could not start PostgreSQL: {last}")
    }

    /// Polls TCP connect plus `pg_isready` (when present) until ready or timed out.
    fn wait_ready(&self) -> bool {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let isready = self.bindir.join("pg_isready");
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok();
            let ready = tcp
                && (!isready.exists()
                    || command_ok(
                        Command::new(&isready)
                            .args(["-q", "-h", "127.0.0.1", "-U", "postgres", "-t", "2"])
                            .arg("-p")
                            .arg(self.port.to_string()),
                    ));
            if ready {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Stops the server if its pid file is there: pg_ctl first, kill -9 as the fallback.
    fn stop_server(&self) {
        let pid_file = self.data.join("postmaster.pid");
        let Ok(pid_text) = fs::read_to_string(&pid_file) else {
            return;
        };
        let stopped = command_ok(
            self.cmd("pg_ctl")
                .arg("stop")
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "-t", "20", "-s"]),
        );
        if !stopped && let Some(pid) = pid_text.lines().next().map(str::trim) {
            let _ = Command::new("kill").args(["-9", pid]).output();
        }
    }

    fn stop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        if let Some(dir) = self.dir.take() {
            self.stop_server();
            let _ = dir.close();
        }
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        self.stop()
    }
}

/// The directory holding `initdb` and `pg_ctl`, searched in the documented order.
fn find_bindir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !dir.is_empty() {
            candidates.push(PathBuf::from(dir));
        }
    }
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
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    candidates
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
}

/// `program` from `bindir` when it is there, else by name from `PATH`.
fn tool(bindir: Option<&Path>, program: &str) -> PathBuf {
    match bindir.map(|d| d.join(program)) {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from(program),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

fn command_ok(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", output_text(&out));
    }
    Ok(())
}

fn output_text(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.trim().is_empty() {
        text.push('\n');
        text.push_str(stdout.trim());
    }
    format!("[{}] {text}", out.status)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `url` with its database (path) replaced by `db`, keeping user, host and query.
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
