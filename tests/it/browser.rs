//! Accessibility in a real browser: axe-core (WCAG 2.1 A and AA) and keyboard basics on the main
//! pages (with the demo's meeting, agenda, minutes and date poll pages, and a guest speaker's
//! page), anonymous, as facilitator and as admin, through `tests/browser/axe.mjs` in the system
//! Chromium. Without Node, Chromium or `npm ci` in `tests/browser` the test is reported as ignored
//! with a NOTE; `KRING_TEST_REQUIRE_BROWSER=1` turns that into a failure.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde_json::Value;

use crate::harness::{Backend, TestApp};

/// The system Chromium the script drives (Debian package `chromium`); never a downloaded one.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Pages anyone can see; `submit:` pages are re-rendered after posting their form empty.
const ANONYMOUS: &[&str] = &[
    "/",
    "/inloggen",
    "/privacy",
    "/toegankelijkheid",
    "/programmas/groene-stad-challenge",
    "/programmas/groene-stad-challenge/aanmelden",
    "/communities/groene-stad-challenge-klein",
    "/praktijkvoorbeelden",
    "/praktijkvoorbeelden/kaart",
    "submit:/programmas/groene-stad-challenge/aanmelden",
    "submit:/inloggen",
];

/// Pages of the demo facilitator, who facilitates both communities.
const FACILITATOR: &[&str] = &[
    "/account",
    "/communities/groene-stad-challenge-klein",
    "/communities/groene-stad-challenge-klein/leden",
    "/communities/groene-stad-challenge-groot/aanmeldingen",
    "/communities/groene-stad-challenge-klein/bijeenkomsten",
    "submit:/communities/groene-stad-challenge-klein/bijeenkomsten",
    "/praktijkvoorbeelden?theme=hittestress",
    "/praktijkvoorbeelden/kaart?theme=wateroverlast",
    "/praktijkvoorbeelden/nieuw",
    "submit:/praktijkvoorbeelden/nieuw",
];

/// The demo's meeting, agenda, minutes and date poll pages of the facilitator's small
/// community: the meeting with published minutes, the coming one with its agenda, speaker and
/// files, their editing pages (the minutes form also submitted, which shows its preview) and the
/// open date poll; and a guest speaker's page of the coming meeting.
async fn meeting_pages(app: &TestApp) -> Result<(Vec<String>, String)> {
    let slug = "groene-stad-challenge-klein";
    let community = kring::db::communities::find(&app.db, slug)
        .await?
        .context("the demo community")?;
    let (from, to) = (
        chrono::DateTime::<chrono::Utc>::from_timestamp(0, 0).context("1970")?,
        chrono::DateTime::<chrono::Utc>::from_timestamp(253_402_300_799, 0).context("9999")?,
    );
    let meetings = kring::db::meetings::of_community(&app.db, &community.id, from, to).await?;
    let now = chrono::Utc::now();
    let held = meetings
        .iter()
        .find(|m| m.ends_at < now)
        .context("the demo's held meeting")?;
    let mut coming = None;
    for m in meetings.iter().filter(|m| m.starts_at > now) {
        if let Some(item) = kring::db::agenda::of_meeting(&app.db, &m.id).await?.pop() {
            coming = Some((m, item));
            break;
        }
    }
    let (coming, item) = coming.context("the demo's coming meeting with an agenda")?;
    let kring::db::Db::Sqlite { read, .. } = &app.db else {
        bail!("the browser test runs on SQLite");
    };
    let poll: String = sqlx::query_scalar("SELECT id FROM polls WHERE community_id = $1")
        .bind(&community.id)
        .fetch_one(read)
        .await?;
    let guest = guest_with_slides(app, &coming.id).await?;
    let pages = vec![
        format!("/bijeenkomsten/{}", held.id),
        format!("/bijeenkomsten/{}", coming.id),
        format!("/bijeenkomsten/{}/agenda", coming.id),
        format!("/bijeenkomsten/{}/agenda/{}", coming.id, item.id),
        format!("/bijeenkomsten/{}/verslag/bewerken", held.id),
        format!("submit:/bijeenkomsten/{}/verslag/bewerken", held.id),
        format!("/bijeenkomsten/{}/verslag/bewerken", coming.id),
        format!("/communities/{slug}/datumprikkers/{poll}"),
    ];
    Ok((pages, guest))
}

/// A second guest speaker for `meeting` whose link the test knows (the demo's speaker's link is
/// only in an e-mail nobody sent), with slides uploaded through the API, so that the meeting page
/// lists a file; returns the guest page's path.
async fn guest_with_slides(app: &TestApp, meeting: &str) -> Result<String> {
    let secret = kring::auth::new_secret();
    let mut tx = app.db.begin().await?;
    kring::db::speakers::create(
        &mut tx,
        meeting,
        &kring::db::speakers::NewSpeaker {
            name: "Jeroen Hoekstra",
            email: "j.hoekstra@hogeschool.example",
            organisation: Some("Hogeschool Van Hall Larenstein"),
            bio: "Lector stedelijk groen.",
        },
        &kring::auth::hash_secret(&secret),
        chrono::Utc::now(),
    )
    .await?;
    tx.commit().await?;
    let slides = reqwest::multipart::Part::bytes(b"%PDF-1.4 groen".to_vec())
        .file_name("Groen in de wijk.pdf")
        .mime_str("application/pdf")?;
    let r = crate::harness::client()
        .post(app.url(&format!("/api/v1/meetings/{meeting}/attachments")))
        .bearer_auth(&secret)
        .multipart(reqwest::multipart::Form::new().part("file", slides))
        .send()
        .await?;
    ensure!(r.status() == 201, "slides: {}", r.status());
    Ok(format!("/gast/{secret}"))
}

/// Pages of an administrator.
const ADMIN: &[&str] = &[
    "/beheer",
    "/beheer/communities/nieuw",
    "/admin/outbox",
    "submit:/beheer/communities/nieuw",
];

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Whether `KRING_TEST_REQUIRE_BROWSER=1` asks for the browser tests to run (as CI does).
pub fn required() -> bool {
    std::env::var("KRING_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Why the browser tests cannot run on this machine, or `None` when they can.
pub fn unavailable() -> Option<String> {
    let node = std::process::Command::new("node")
        .arg("--version")
        .stderr(Stdio::null())
        .output();
    let Ok(node) = node.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()) else {
        return Some("`node` is not on PATH".into());
    };
    // playwright-core needs Node 20 or newer.
    let major = node
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    if major.is_none_or(|m| m < 20) {
        return Some(format!(
            "Node 20 or newer is needed, `node --version` says {node:?}"
        ));
    }
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} is missing (Debian package `chromium`)"));
    }
    let modules = browser_dir().join("node_modules");
    for package in ["axe-core", "playwright-core"] {
        if !modules.join(package).join("package.json").exists() {
            return Some(format!(
                "{} is missing: run `npm ci` in tests/browser",
                modules.join(package).display()
            ));
        }
    }
    None
}

/// A session for `user`, made the way the sign-in page makes one; returns the cookie header.
async fn session_cookie(app: &TestApp, user: &kring::db::users::User) -> Result<String> {
    let link = app.link_for(user).await?;
    let token = link
        .rsplit('/')
        .next()
        .context("token at the end of the link")?;
    let (secret, _) = kring::auth::sign_in_with_link(&app.db, token, None)
        .await?
        .map_err(|problem| anyhow!("sign-in link refused: {problem:?}"))?;
    Ok(format!("{}={secret}", kring::auth::SESSION_COOKIE))
}

/// Runs axe.mjs over `paths`; returns one line per violation, empty when there are none.
async fn axe(base: &str, who: &str, cookie: &str, paths: &[&str]) -> Result<Vec<String>> {
    let dir = browser_dir();
    let child = tokio::process::Command::new("node")
        .arg(dir.join("axe.mjs"))
        .arg(base)
        .arg(cookie)
        .args(paths)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting node tests/browser/axe.mjs")?;
    let output = tokio::time::timeout(Duration::from_secs(180), child.wait_with_output())
        .await
        .map_err(|_| anyhow!("axe.mjs ({who}) took longer than 3 minutes"))??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    ensure!(
        matches!(code, Some(0 | 1)),
        "axe.mjs ({who}) failed with {:?}:\n{stderr}\n{stdout}",
        output.status
    );
    let mut found = Vec::new();
    let mut pages = 0;
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let report: Value = serde_json::from_str(line).with_context(|| line.to_string())?;
        pages += 1;
        let path = report["path"].as_str().unwrap_or("?");
        for v in report["violations"].as_array().into_iter().flatten() {
            let mut text = format!(
                "{who} {path}: {} ({}): {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?"),
            );
            for node in v["nodes"].as_array().into_iter().flatten().take(5) {
                let _ = write!(text, "\n      at {node}");
            }
            found.push(text);
        }
    }
    ensure!(
        pages == paths.len(),
        "axe.mjs ({who}) reported {pages} of {} pages:\n{stderr}\n{stdout}",
        paths.len()
    );
    ensure!(
        (code == Some(0)) == found.is_empty(),
        "axe.mjs ({who}) exit code {code:?} does not match its report:\n{stdout}"
    );
    Ok(found)
}

pub async fn accessibility_of_the_main_pages(_backend: Backend) -> Result<()> {
    if let Some(reason) = unavailable() {
        ensure!(
            !required(),
            "KRING_TEST_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}"
        );
        eprintln!("NOTE: browser tests SKIPPED: {reason}");
        return Ok(());
    }
    let app = TestApp::start(&Backend::Sqlite).await?;
    kring::demo::run(app.state(), 1).await?;
    let email = kring::domain::Email::parse("fleur.facilitator@vereniging.example")
        .map_err(|e| anyhow!(e))?;
    let facilitator = kring::db::users::find_by_email(&app.db, &email)
        .await?
        .context("the demo facilitator")?;
    let admin = app
        .create_user("toets.beheer@vereniging.example", "Toets Beheer", true)
        .await?;
    let facilitator = session_cookie(&app, &facilitator).await?;
    let admin = session_cookie(&app, &admin).await?;
    let (meetings, guest) = meeting_pages(&app).await?;
    // A public practice example of the demo: its card, and its edit form for the facilitator.
    let reader = kring::db::practices::Reader::default();
    let filter = kring::db::practices::Filter::default();
    let practice = kring::db::practices::list(&app.db, reader, filter, 1, 0).await?;
    let card = format!(
        "/praktijkvoorbeelden/{}",
        practice.first().context("a practice")?.id
    );
    let edit = format!("{card}/bewerken");
    let anonymous_pages: Vec<&str> = ANONYMOUS
        .iter()
        .copied()
        .chain([guest.as_str(), card.as_str()])
        .collect();
    let facilitator_pages: Vec<&str> = FACILITATOR
        .iter()
        .copied()
        .chain(meetings.iter().map(String::as_str))
        .chain([card.as_str(), edit.as_str()])
        .collect();
    let (anonymous, facilitator, admin) = tokio::join!(
        axe(&app.base, "anonymous", "", &anonymous_pages),
        axe(&app.base, "facilitator", &facilitator, &facilitator_pages),
        axe(&app.base, "admin", &admin, ADMIN),
    );
    app.stop().await;
    let found: Vec<String> = [anonymous?, facilitator?, admin?].concat();
    if !found.is_empty() {
        bail!(
            "{} accessibility violation(s):\n  {}",
            found.len(),
            found.join("\n  ")
        );
    }
    Ok(())
}
