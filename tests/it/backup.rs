//! `kring backup` of a SQLite database that is being written to.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::process::Command;

use anyhow::{Result, ensure};

use crate::harness::{Backend, Options, TestApp};

pub async fn backup_of_a_live_database_is_consistent(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Options::default()
        },
    )
    .await?;
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let db = app.db.clone();
        let stop = stop.clone();
        let written = written.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let mut tx = db.begin().await?;
                for _ in 0..20 {
                    n += 1;
                    let mail = kring::db::outbox::NewMail {
                        to: format!("x{n}@gemeente.nl"),
                        subject: "s".repeat(200),
                        text: "t".repeat(2000),
                        html: "h".repeat(2000),
                        sensitive: false,
                        calendar: None,
                        list_unsubscribe: None,
                    };
                    kring::db::outbox::enqueue(&mut tx, &mail).await?;
                }
                tx.commit().await?;
                written.fetch_add(20, Ordering::Relaxed);
            }
            anyhow::Ok(())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let target = app.database.dir.path().join("kopie.db");
    let output = Command::new(env!("CARGO_BIN_EXE_kring"))
        .arg("backup")
        .arg(&target)
        .env("KRING_DATABASE_URL", &app.database.url)
        .output()
        .await?;
    let during = written.load(Ordering::Relaxed);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    writer.await??;
    ensure!(
        output.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    ensure!(during > 0, "writes were going on");

    let copy = kring::db::Db::connect(&format!("sqlite://{}", target.display()), 1).await?;
    let kring::db::Db::Sqlite { read, .. } = &copy else {
        unreachable!()
    };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(read)
        .await?;
    ensure!(check == "ok", "integrity_check: {check}");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(read)
        .await?;
    ensure!(
        rows > 0 && rows % 20 == 0,
        "the copy holds whole transactions only: {rows} rows"
    );
    let orgs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
        .fetch_one(read)
        .await?;
    ensure!(orgs >= 354, "reference data in the copy");
    copy.close().await;

    // An existing file is never overwritten.
    let again = Command::new(env!("CARGO_BIN_EXE_kring"))
        .arg("backup")
        .arg(&target)
        .env("KRING_DATABASE_URL", &app.database.url)
        .output()
        .await?;
    ensure!(again.status.code() == Some(1), "refuses to overwrite");
    ensure!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // PostgreSQL: told to use pg_dump.
    let pg = Command::new(env!("CARGO_BIN_EXE_kring"))
        .arg("backup")
        .arg(app.database.dir.path().join("pg.db"))
        .env("KRING_DATABASE_URL", "postgres://127.0.0.1:1/kring")
        .output()
        .await?;
    ensure!(
        String::from_utf8_lossy(&pg.stderr).contains("pg_dump"),
        "pg_dump hint"
    );
    let _ = backend;
    app.stop().await;
    Ok(())
}
