//! Building kring and running its commands and its server as a child process.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::process::Child;

use crate::http::{self, Spec};

/// How long a starting server may take before the harness gives up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds kring in release (the package one directory above `bench/`) and returns its binary.
pub fn build(repo: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("== cargo build --release (kring)");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "kring"])
        .current_dir(repo)
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release failed: {status}");
    }
    let binary = release_binary(repo);
    if !binary.is_file() {
        bail!("built, but {} is not there", binary.display());
    }
    Ok(binary)
}

/// Where `cargo build --release` puts the binary (honouring `CARGO_TARGET_DIR`).
pub fn release_binary(repo: &Path) -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo.join("target"), PathBuf::from);
    let target = if target.is_absolute() {
        target
    } else {
        repo.join(target)
    };
    target.join("release").join("kring")
}

/// The kring binary with the environment of one benchmark database.
pub struct Kring {
    pub binary: PathBuf,
    pub database_url: String,
    /// Holds the data dir and the server logs.
    pub workdir: PathBuf,
}

impl Kring {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.current_dir(&self.workdir)
            .env("KRING_DATABASE_URL", &self.database_url)
            .env("KRING_DATA_DIR", self.workdir.join("data"))
            .env("KRING_QUERY_COUNT_HEADER", "1")
            .env_remove("KRING_SMTP_URL")
            .env_remove("KRING_BASE_URL")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs a command (`migrate`, `demo --scale 1`, …) and returns its standard output.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        let out = self
            .command()
            .args(args)
            .output()
            .with_context(|| format!("running kring {}", args.join(" ")))?;
        if !out.status.success() {
            bail!(
                "kring {} failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Starts `kring serve` on a free port; returns once `/healthz` answers 200.
    pub async fn serve(&self) -> Result<Server> {
        let port = free_port()?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let log = File::create(self.workdir.join("serve.log")).context("creating serve.log")?;
        let mut cmd = self.command();
        cmd.env("KRING_BIND", addr.to_string())
            .stdout(log.try_clone()?)
            .stderr(log);
        let started = Instant::now();
        let child = tokio::process::Command::from(cmd)
            .kill_on_drop(true)
            .spawn()
            .context("starting kring serve")?;
        let mut server = Server { child, addr };
        let health = Spec::get("/healthz", &[])?;
        loop {
            if let Ok(response) = http::once(addr, &health).await
                && response.status == 200
            {
                break;
            }
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "kring serve exited ({status}); see {}",
                    self.workdir.join("serve.log").display()
                );
            }
            if started.elapsed() > START_TIMEOUT {
                bail!("kring serve did not answer /healthz within {START_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(server)
    }

    /// Process start to the first 200 from `/healthz`, averaged over `runs` restarts.
    pub async fn cold_start(&self, runs: u32) -> Result<Duration> {
        let mut total = Duration::ZERO;
        for _ in 0..runs {
            let started = Instant::now();
            let server = self.serve().await?;
            total += started.elapsed();
            server.stop().await?;
        }
        Ok(total / runs.max(1))
    }
}

/// A running `kring serve`.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// The process id.
    pub fn pid(&self) -> Result<u32> {
        self.child.id().context("kring serve has exited")
    }

    /// Peak and current resident memory (`VmHWM`, `VmRSS`) in bytes.
    pub fn memory(&self) -> Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))
            .context("reading /proc/PID/status")?;
        let field = |name: &str| -> Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("no {name} in /proc/PID/status"))?;
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .context("no value")?
                .parse()?;
            Ok(kb * 1024)
        };
        Ok((field("VmHWM:")?, field("VmRSS:")?))
    }

    /// Stops the server gracefully (SIGTERM), killing it if it has not exited after 10 s.
    pub async fn stop(mut self) -> Result<()> {
        let pid = self.pid()?;
        // `kill` the command: the harness forbids unsafe code and needs no signal crate for this.
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        Ok(())
    }
}

/// A port that is free now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
