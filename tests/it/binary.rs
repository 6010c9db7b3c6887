//! The `kring` binary itself: first start, and the command-line tools.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::harness::{Backend, TestDb, client, csrf_from};

const BIN: &str = env!("CARGO_BIN_EXE_kring");

pub async fn first_start_prints_a_working_link(_backend: Backend) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env("KRING_BIND", "127.0.0.1:0")
        .env_remove("KRING_DATABASE_URL")
        .env_remove("KRING_BASE_URL")
        .env_remove("KRING_SMTP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let (mut link, mut base) = (None, None);
    while link.is_none() || base.is_none() {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await??
            .context("stdout ended")?;
        if line.contains("/inloggen/") {
            link = Some(line.trim().to_string());
        } else if let Some(url) = line.strip_prefix("kring is listening on ") {
            base = Some(url.trim().to_string());
        }
    }
    let (link, base) = (link.unwrap(), base.unwrap());
    let http = client();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            break;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(5),
            "no healthy answer"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ready = started.elapsed();
    ensure!(
        ready < Duration::from_secs(1),
        "/healthz answered after {ready:?}"
    );
    ensure!(
        dir.path().join("kring.db").exists(),
        "kring.db created in the working directory"
    );
    ensure!(link.starts_with(&base), "link {link} on {base}");

    // The link works once…
    let html = http.get(&link).send().await?.text().await?;
    let token = csrf_from(&html).context("confirm form")?;
    let response = http
        .post(&link)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(response.status() == 303, "first use: {}", response.status());
    let me = http.get(format!("{base}/account")).send().await?;
    ensure!(
        me.status() == 200,
        "signed in as the first admin: {}",
        me.status()
    );
    ensure!(me.text().await?.contains("Beheer"), "admin navigation");
    // …and a second use is refused with a clear page.
    let other = client();
    let html = other
        .get(format!("{base}/inloggen"))
        .send()
        .await?
        .text()
        .await?;
    let token = csrf_from(&html).context("sign-in form")?;
    let again = other
        .post(&link)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await?;
    ensure!(again.status() == 410, "second use: {}", again.status());
    ensure!(again.text().await?.contains("al gebruikt"));
    child.kill().await?;

    // A restart after the admin signed in prints no new link.
    let output = tokio::time::timeout(
        Duration::from_secs(10),
        Command::new(BIN)
            .current_dir(dir.path())
            .arg("migrate")
            .output(),
    )
    .await??;
    ensure!(output.status.success());
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env("KRING_BIND", "127.0.0.1:0")
        .env_remove("KRING_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await??
        .unwrap_or_default();
    ensure!(
        first.starts_with("kring is listening on"),
        "no new link after the admin signed in: {first}"
    );
    child.kill().await?;
    Ok(())
}

async fn kring(db: &TestDb, args: &[&str]) -> Result<std::process::Output> {
    Ok(tokio::time::timeout(
        Duration::from_secs(30),
        Command::new(BIN)
            .args(args)
            .env("KRING_DATABASE_URL", &db.url)
            .current_dir(db.dir.path())
            .output(),
    )
    .await??)
}

pub async fn cli_commands_work(backend: Backend) -> Result<()> {
    let db = TestDb::create(&backend)?;
    let out = kring(&db, &["migrate"]).await?;
    ensure!(
        out.status.success(),
        "migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = kring(
        &db,
        &[
            "user",
            "add",
            "--email",
            "Fenna@Gemeente.nl",
            "--name",
            "Fenna Bakker",
        ],
    )
    .await?;
    ensure!(
        out.status.success(),
        "user add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kring(
        &db,
        &[
            "user",
            "add",
            "--email",
            "fenna@gemeente.nl",
            "--name",
            "Fenna",
        ],
    )
    .await?;
    ensure!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("already exists"),
        "user exists"
    );
    let out = kring(
        &db,
        &["user", "add", "--email", "geen-adres", "--name", "X"],
    )
    .await?;
    ensure!(out.status.code() == Some(1), "bad address exits 1");

    let out = kring(
        &db,
        &[
            "token",
            "create",
            "--email",
            "fenna@gemeente.nl",
            "--label",
            "script",
        ],
    )
    .await?;
    ensure!(
        out.status.success(),
        "token create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout)?;
    let token = stdout.trim();
    ensure!(
        stdout.lines().count() == 1 && token.starts_with("kring_"),
        "only the token: {stdout:?}"
    );
    let out = kring(&db, &["token", "create", "--email", "niemand@gemeente.nl"]).await?;
    ensure!(out.status.code() == Some(1), "unknown user exits 1");

    let csv = db.dir.path().join("orgs.csv");
    std::fs::write(
        &csv,
        "code,name,kind,province,population\nWS0155,Waterschap Aa en Maas,water_board,Noord-Brabant,\nGM0363,Amsterdam,municipality,Noord-Holland,950000\n",
    )?;
    let out = kring(&db, &["organisations", "import", csv.to_str().unwrap()]).await?;
    ensure!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(String::from_utf8_lossy(&out.stdout).contains("Imported 2 organisations"));
    let bad = db.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "code,name,kind,province,population\nWS0160,Goed,water_board,,\nXX,Fout,water_board,,\n",
    )?;
    let out = kring(&db, &["organisations", "import", bad.to_str().unwrap()]).await?;
    ensure!(out.status.code() == Some(1), "bad file exits 1");
    ensure!(
        String::from_utf8_lossy(&out.stderr).contains("line 3"),
        "names the line: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kring(&db, &["frobnicate"]).await?;
    ensure!(out.status.code() == Some(2), "usage error exits 2");

    // The token works against a server on the same database, and the import is visible.
    let app = crate::harness::TestApp::start_on(
        db,
        crate::harness::Options {
            no_smtp: true,
            ..Default::default()
        },
    )
    .await?;
    let me: serde_json::Value = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    ensure!(me["name"] == "Fenna Bakker", "{me}");
    let org: serde_json::Value = app
        .get("/api/v1/organisations/WS0155")
        .await?
        .json()
        .await?;
    ensure!(
        org["kind"] == "water_board" && org["population"].is_null(),
        "{org}"
    );
    let ams: serde_json::Value = app
        .get("/api/v1/organisations/GM0363")
        .await?
        .json()
        .await?;
    ensure!(ams["population"] == 950000, "{ams}");
    ensure!(
        app.get("/api/v1/organisations/WS0160").await?.status() == 404,
        "nothing of a failed import is written"
    );
    app.stop().await;
    Ok(())
}
