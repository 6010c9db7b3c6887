//! Sign-in links, sessions, API tokens and CSRF; the extractors `MaybeUser`, `CurrentUser`,
//! `AdminUser` and `Member` that handlers use to know who is asking.

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::db::users::User;
use crate::db::{self, Db, on_pool};
use crate::domain::Email;
use crate::error::{Error, Result};
use crate::mail;

mod csrf;

pub(crate) use csrf::constant_time_eq;
pub use csrf::{CsrfForm, CsrfToken, csrf_cookie, csrf_cookie_for};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "kring_session";
/// Name of the CSRF cookie whose value every state-changing form repeats.
pub const CSRF_COOKIE: &str = "kring_csrf";
/// Header that carries the CSRF token on API requests authenticated by the session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
/// A sign-in link is valid this long.
pub const LINK_VALIDITY_MINUTES: i64 = 15;
/// A session lasts this long.
pub const SESSION_VALIDITY_DAYS: i64 = 30;

/// A fresh random secret: 32 bytes, base64url.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// The URL of a sign-in link.
pub fn link_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/inloggen/{token}")
}

/// Creates a sign-in link for `user` in the caller's transaction and returns its URL.
pub async fn create_link(tx: &mut db::Tx, base_url: &str, user: &User) -> Result<String> {
    create_link_to(tx, base_url, user, None).await
}

/// Creates a sign-in link that leads to the local path `next` after signing in.
pub async fn create_link_to(
    tx: &mut db::Tx,
    base_url: &str,
    user: &User,
    next: Option<&str>,
) -> Result<String> {
    let token = new_secret();
    db::sessions::create_link(
        tx,
        &hash_secret(&token),
        &user.id,
        chrono::Duration::minutes(LINK_VALIDITY_MINUTES),
        next,
    )
    .await?;
    Ok(link_url(base_url, &token))
}

/// Handles a sign-in request for an address: at most `limit` a minute per address (counted in the
/// database, so shared by every instance). A known address gets a link by e-mail; an unknown one
/// gets nothing, and the caller cannot tell the difference.
/// `next` is the local page to show after signing in.
pub async fn request_sign_in(state: &AppState, email: &Email, next: &str) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let allowed = db::rate::hit(
        &mut tx,
        "signin",
        &email.normalized(),
        state.config.signin_per_email_per_minute,
        chrono::Duration::minutes(1),
    )
    .await?;
    if !allowed {
        tx.commit_unseen().await?;
        return Err(Error::RateLimited { retry_after: 60 });
    }
    if let Some(user) = db::users::find_by_email_tx(&mut tx, email).await? {
        let next = (next != "/").then_some(next);
        let link = create_link_to(&mut tx, &state.config.base_url, &user, next).await?;
        let mut mail = mail::render(
            &user.email,
            &mail::SignInLink {
                name: user.name.clone(),
                link,
                minutes: LINK_VALIDITY_MINUTES,
            },
            &state.mail_context(),
        )?;
        mail.sensitive = true;
        db::outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Uses a sign-in link: marks it used, starts a session (ending `old_session`, so the session id
/// rotates at sign-in) and returns the new session secret and the page to go to.
pub async fn sign_in_with_link(
    db: &Db,
    token: &str,
    old_session: Option<&str>,
) -> Result<Result<(String, Option<String>), db::sessions::LinkProblem>> {
    let mut tx = db.begin().await?;
    let (user_id, next) = match db::sessions::use_link(&mut tx, &hash_secret(token)).await? {
        Ok(used) => used,
        Err(problem) => return Ok(Err(problem)),
    };
    if let Some(old) = old_session {
        db::sessions::delete_session(&mut tx, &hash_secret(old)).await?;
    }
    let session = new_secret();
    db::sessions::create_session(
        &mut tx,
        &hash_secret(&session),
        &user_id,
        chrono::Duration::days(SESSION_VALIDITY_DAYS),
    )
    .await?;
    db::users::touch_sign_in(&mut tx, &user_id).await?;
    db::audit::record(&mut tx, Some(&user_id), "sign_in", &user_id, "link").await?;
    tx.commit().await?;
    Ok(Ok((session, next)))
}

/// Ends a session.
pub async fn sign_out(db: &Db, session: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    db::sessions::delete_session(&mut tx, &hash_secret(session)).await?;
    tx.commit().await?;
    Ok(())
}

/// The session cookie for a new session.
pub fn session_cookie(secret: String, https: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .max_age(time_days(SESSION_VALIDITY_DAYS))
        .build()
}

/// A cookie that removes the session cookie.
pub fn removal_cookie(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, "")).path("/").build();
    cookie.make_removal();
    cookie
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

/// How a request was authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthVia {
    /// The browser session cookie.
    Session,
    /// A personal API token.
    Token,
}

/// The signed-in caller.
#[derive(Clone, Debug)]
pub struct AuthUser {
    /// The account.
    pub user: User,
    /// How they authenticated.
    pub via: AuthVia,
    /// The database's change count, read with the user: data cached at this count is current
    /// for this request (`crate::cache`).
    pub changes: i64,
}

/// The caller, if signed in (session cookie or `Authorization: Bearer`).
pub struct MaybeUser(pub Option<AuthUser>);

/// The caller, who must be signed in (`401` otherwise). Cookie-authenticated state-changing API
/// requests must also carry the CSRF token in `X-CSRF-Token`.
pub struct CurrentUser(pub AuthUser);

/// A signed-in administrator (`403` for other users).
pub struct AdminUser(pub AuthUser);

/// Who is asking: nobody, a signed-in user, or a guest speaker holding a guest link.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No (valid) credentials.
    Anonymous,
    /// A signed-in user.
    User(AuthUser),
    /// A guest speaker: sees their one meeting and nothing else.
    Guest(Guest),
}

/// A guest speaker authenticated by their guest link (the `kring_guest` cookie set when the link
/// is opened, or the link's secret as `Authorization: Bearer`).
#[derive(Clone, Debug)]
pub struct Guest {
    /// The speaker.
    pub speaker: crate::db::speakers::Speaker,
    /// How they authenticated.
    pub via: AuthVia,
}

/// Name of the cookie that carries a guest speaker's link secret.
pub const GUEST_COOKIE: &str = "kring_guest";

/// The URL of a guest link.
pub fn guest_url(base_url: &str, token: &str) -> String {
    format!("{base_url}/gast/{token}")
}

/// The cookie a guest gets when opening their link, valid as long as the link.
pub fn guest_cookie(
    secret: String,
    https: bool,
    until: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Cookie<'static> {
    let seconds = (until - now).num_seconds().max(0);
    Cookie::build((GUEST_COOKIE, secret))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .max_age(cookie::time::Duration::seconds(seconds))
        .build()
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller> {
    let db = &state.db;
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(Error::Unauthorized)?;
        let hash = hash_secret(token);
        if let Some(signed) = db::sessions::token_user(db, &hash).await? {
            return Ok(Caller::User(AuthUser {
                user: signed.user,
                changes: signed.changes,
                via: AuthVia::Token,
            }));
        }
        return match db::speakers::by_token(db, &hash, state.clock.now()).await? {
            Some(speaker) => Ok(Caller::Guest(Guest {
                speaker,
                via: AuthVia::Token,
            })),
            None => Err(Error::Unauthorized),
        };
    }
    let jar = CookieJar::from_headers(&parts.headers);
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Some(signed) = db::sessions::session_user(db, &hash_secret(cookie.value())).await?
    {
        return Ok(Caller::User(AuthUser {
            user: signed.user,
            changes: signed.changes,
            via: AuthVia::Session,
        }));
    }
    if let Some(cookie) = jar.get(GUEST_COOKIE)
        && let Some(speaker) =
            db::speakers::by_token(db, &hash_secret(cookie.value()), state.clock.now()).await?
    {
        return Ok(Caller::Guest(Guest {
            speaker,
            via: AuthVia::Session,
        }));
    }
    Ok(Caller::Anonymous)
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let state = AppState::from_ref(state);
        let caller = authenticate(parts, &state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// A caller who must be signed in or a guest speaker (`401` otherwise), with the CSRF check of
/// cookie-authenticated API writes. For the few routes a guest may use: their meeting, its
/// calendar file and its files.
#[derive(Clone, Debug)]
pub enum Viewer {
    /// A signed-in user.
    User(AuthUser),
    /// A guest speaker.
    Guest(Guest),
}

impl<S> FromRequestParts<S> for Viewer
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let (viewer, via) = match Caller::from_request_parts(parts, state).await? {
            Caller::User(user) => {
                let via = user.via;
                (Self::User(user), via)
            }
            Caller::Guest(guest) => {
                let via = guest.via;
                (Self::Guest(guest), via)
            }
            Caller::Anonymous => return Err(Error::Unauthorized),
        };
        if via == AuthVia::Session {
            check_csrf_header(parts)?;
        }
        Ok(viewer)
    }
}

/// Cookie-authenticated state-changing API requests repeat the CSRF cookie in `X-CSRF-Token`
/// (forms carry it in a field instead, checked by their own extractor).
fn check_csrf_header(parts: &Parts) -> Result<()> {
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method || !parts.uri.path().starts_with("/api/") {
        return Ok(());
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let ok = matches!((jar.get(CSRF_COOKIE), header), (Some(c), Some(h)) if constant_time_eq(c.value(), h));
    if ok { Ok(()) } else { Err(Error::Csrf) }
}

impl<S> FromRequestParts<S> for MaybeUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::User(user) => Ok(Self(Some(user))),
            Caller::Anonymous | Caller::Guest(_) => Ok(Self(None)),
        }
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    /// A guest speaker gets `404` here: every route for signed-in users is, for them, a page
    /// that does not exist.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::User(user) => {
                if user.via == AuthVia::Session {
                    check_csrf_header(parts)?;
                }
                Ok(Self(user))
            }
            Caller::Guest(_) => Err(Error::NotFound),
            Caller::Anonymous => Err(Error::Unauthorized),
        }
    }
}

impl<S> FromRequestParts<S> for AdminUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.user.is_admin {
            Ok(Self(user))
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// A member's role in a community.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A participant.
    Member,
    /// Association staff running the community (admins count as facilitators everywhere).
    Facilitator,
}

/// The community named by the `{slug}` path parameter, loaded together with the caller's role in
/// one query. A caller who is not a member (nor an admin) gets `404`, as for a missing community.
#[derive(Clone, Debug)]
pub struct Member {
    /// The caller.
    pub user: AuthUser,
    /// Community id.
    pub community_id: String,
    /// Community slug.
    pub slug: String,
    /// Community name.
    pub name: String,
    /// The caller's role.
    pub role: Role,
}

impl Member {
    /// `403` unless the caller facilitates this community.
    pub fn require_facilitator(&self) -> Result<()> {
        if self.role == Role::Facilitator {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

impl<S> FromRequestParts<S> for Member
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let slug = params
            .into_iter()
            .find(|(k, _)| k == "slug")
            .map(|(_, v)| v)
            .ok_or(Error::NotFound)?;
        let state = AppState::from_ref(state);
        let row: Option<(String, String, String, Option<String>)> = on_pool!(&state.db, |c| {
            sqlx::query_as(
                "SELECT c.id, c.slug, c.name, m.role FROM communities c
                 LEFT JOIN memberships m ON m.community_id = c.id AND m.user_id = $2
                 WHERE c.slug = $1 AND (m.user_id IS NOT NULL OR $3)",
            )
            .bind(&slug)
            .bind(&user.user.id)
            .bind(user.user.is_admin)
            .fetch_optional(c)
            .await?
        });
        let (community_id, slug, name, role) = row.ok_or(Error::NotFound)?;
        let role = if user.user.is_admin || role.as_deref() == Some("facilitator") {
            Role::Facilitator
        } else {
            Role::Member
        };
        Ok(Self {
            user,
            community_id,
            slug,
            name,
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed_hex() {
        let a = new_secret();
        let b = new_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        let hash = hash_secret(&a);
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn compares_in_constant_time() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
