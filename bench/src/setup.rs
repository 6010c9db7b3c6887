//! What the measured routes need: a busy community with a meeting, one of its members, an API token
//! and a signed-in session for that member. The harness is an outside client: it signs in through
//! the form like a person, and reads the sign-in e-mail from the outbox table, where kring keeps
//! mail when no SMTP server is configured.

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use hyper::Method;
use sqlx::AnyPool;
use sqlx::Row as _;

use crate::http::{self, Spec};
use crate::kring::Kring;

/// The subject of the signed-in routes.
pub struct Fixtures {
    pub community: String,
    pub meeting: String,
    pub member: String,
    /// `Authorization: Bearer …`
    pub token: String,
    /// `Cookie: …` of a signed-in session.
    pub cookie: String,
}

/// The busiest community (most notes) that has a meeting, its newest held meeting (else newest),
/// and the first of its plain members.
const COMMUNITY: &str = "SELECT c.id, c.slug FROM communities c \
     WHERE EXISTS (SELECT 1 FROM meetings m WHERE m.community_id = c.id) \
     ORDER BY (SELECT count(*) FROM notes n WHERE n.community_id = c.id) DESC, c.slug LIMIT 1";
const MEETING: &str = "SELECT id FROM meetings WHERE community_id = $1 \
     ORDER BY CASE status WHEN 'held' THEN 0 ELSE 1 END, starts_at DESC LIMIT 1";
const MEMBER: &str = "SELECT u.email FROM memberships ms JOIN users u ON u.id = ms.user_id \
     WHERE ms.community_id = $1 AND ms.role = 'member' AND NOT u.is_admin \
     ORDER BY u.email LIMIT 1";
const SIGN_IN_MAIL: &str = "SELECT body_text FROM outbox WHERE recipient LIKE $1 \
     ORDER BY created_at DESC LIMIT 1";

/// Chooses the subjects and obtains credentials for them from the running server at `addr`.
pub async fn prepare(kring: &Kring, addr: SocketAddr) -> Result<Fixtures> {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&harness_url(kring))
        .await
        .context("opening the benchmark database")?;
    let row = sqlx::query(COMMUNITY)
        .fetch_optional(&pool)
        .await
        .context("choosing a community")?
        .context("the demo has no community with a meeting")?;
    let (community_id, community): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    let meeting: String = sqlx::query(MEETING)
        .bind(&community_id)
        .fetch_one(&pool)
        .await?
        .try_get(0)?;
    let member: String = sqlx::query(MEMBER)
        .bind(&community_id)
        .fetch_optional(&pool)
        .await?
        .with_context(|| format!("community {community} has no plain member"))?
        .try_get(0)?;
    let token = kring.run(&[
        "token",
        "create",
        "--email",
        &member,
        "--label",
        "benchmark",
    ])?;
    let cookie = sign_in(addr, &pool, &member).await?;
    pool.close().await;
    Ok(Fixtures {
        community,
        meeting,
        member,
        token: token.lines().last().unwrap_or_default().trim().to_string(),
        cookie,
    })
}

/// kring's database URL as the harness opens it (SQLite: an absolute path).
fn harness_url(kring: &Kring) -> String {
    match kring.database_url.strip_prefix("sqlite://") {
        Some(path) => format!("sqlite://{}", kring.workdir.join(path).display()),
        None => kring.database_url.clone(),
    }
}

/// Signs in as `email` through `/inloggen` and the e-mailed link; returns the `Cookie` header.
async fn sign_in(addr: SocketAddr, pool: &AnyPool, email: &str) -> Result<String> {
    let origin = format!("http://{addr}");
    let form = http::once(addr, &Spec::get("/inloggen", &[])?).await?;
    let csrf = cookie(&form, "kring_csrf")?;
    let cookie_header = format!("kring_csrf={csrf}");
    let post = |path: &str, body: String| {
        Spec::new(
            Method::POST,
            path,
            &[
                ("cookie", &cookie_header),
                ("origin", &origin),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Bytes::from(body),
        )
    };
    let body = format!("email={}&csrf_token={csrf}", encode(email));
    let asked = http::once(addr, &post("/inloggen", body)?).await?;
    if asked.status != 303 {
        bail!("POST /inloggen answered {}", asked.status);
    }
    let mail: String = sqlx::query(SIGN_IN_MAIL)
        .bind(format!("%{email}%"))
        .fetch_optional(pool)
        .await?
        .context("no sign-in e-mail in the outbox")?
        .try_get(0)?;
    let start = mail
        .find("/inloggen/")
        .context("no sign-in link in the e-mail")?;
    let link: String = mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(*c))
        .collect();
    let used = http::once(addr, &post(&link, format!("csrf_token={csrf}"))?).await?;
    if used.status != 303 {
        bail!("POST {link} answered {}", used.status);
    }
    let session = cookie(&used, "kring_session")?;
    let csrf = cookie(&used, "kring_csrf").unwrap_or(csrf);
    Ok(format!("kring_session={session}; kring_csrf={csrf}"))
}

fn cookie(response: &http::Response, name: &str) -> Result<String> {
    response
        .cookies()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .with_context(|| format!("no {name} cookie (status {})", response.status))
}

/// Percent-encodes a form value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
