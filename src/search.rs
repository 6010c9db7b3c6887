//! Search across notes, comments, practice examples, published minutes, topics and meetings:
//! the query is stemmed like the index (`domain::stem`), the database filters on the caller's
//! memberships, and each hit gets a snippet with the matches marked. Shared by the API and the
//! `/zoeken` page.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::{snippet, stem};
use crate::error::{Error, Result};

/// Kinds of results.
pub const KINDS: [&str; 6] = ["note", "comment", "practice", "minutes", "topic", "meeting"];

/// Longest query, in characters.
pub const MAX_QUERY: usize = 200;

/// A result, ready to show.
#[derive(Clone, Debug)]
pub struct Found {
    /// Kind.
    pub kind: String,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Safe HTML: escaped text with `<mark>` around matches.
    pub snippet: String,
    /// Local URL.
    pub url: String,
    /// Community slug.
    pub community: Option<String>,
    /// When it was written.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The Dutch label of a kind.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "note" => "Notitie",
        "comment" => "Reactie",
        "practice" => "Praktijkvoorbeeld",
        "minutes" => "Verslag",
        "topic" => "Onderwerp",
        "meeting" => "Bijeenkomst",
        _ => "Resultaat",
    }
}

/// What to search.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The words as typed.
    pub q: &'a str,
    /// Only this community (slug).
    pub community: Option<&'a str>,
    /// Only this kind.
    pub kind: Option<&'a str>,
    /// At most this many (1–50).
    pub limit: i64,
}

/// Searches for the caller (`None`: anonymous, public practice examples only).
pub async fn run(
    state: &AppState,
    caller: Option<&AuthUser>,
    req: Request<'_>,
) -> Result<Arc<Vec<Found>>> {
    if req.q.chars().count() > MAX_QUERY {
        return Err(Error::field(
            "invalid_query",
            "q",
            "Zoek met hoogstens 200 tekens.",
        ));
    }
    if let Some(kind) = req.kind
        && !KINDS.contains(&kind)
    {
        return Err(Error::field(
            "invalid_kind",
            "kind",
            "Kies note, comment, practice, minutes, topic of meeting.",
        ));
    }
    let terms = stem::query_terms(req.q);
    let limit = req.limit.clamp(1, 50);
    // A signed-in caller's results are reused until anything is written (`crate::cache`):
    // live search asks again for every letter typed, and paging back repeats a query.
    let key = caller.map(|a| Key {
        user_id: a.user.id.clone(),
        terms: terms.clone(),
        community: req.community.map(str::to_string),
        kind: req.kind.map(str::to_string),
        limit,
    });
    let now = state.clock.now();
    if let (Some(key), Some(a)) = (&key, caller)
        && let Some(found) = state.caches.search.get(key, a.changes, now)
    {
        return Ok(found);
    }
    let user = caller.map(|a| &a.user);
    let hits = db::search::search(
        &state.db,
        db::search::Query {
            terms: &terms,
            user_id: user.map(|u| u.id.as_str()),
            is_admin: user.is_some_and(|u| u.is_admin),
            community: req.community,
            kind: req.kind,
            limit,
        },
    )
    .await?;
    let found: Vec<Found> = hits
        .into_iter()
        .map(|h| {
            let text = if h.body.trim().is_empty() {
                &h.title
            } else {
                &h.body
            };
            Found {
                snippet: snippet::snippet(text, &terms, 200),
                kind: h.kind,
                id: h.ref_id,
                title: h.title,
                url: h.url,
                community: h.community,
                created_at: h.created_at,
            }
        })
        .collect();
    Ok(match (key, caller) {
        (Some(key), Some(a)) => {
            state
                .caches
                .search
                .put(key, a.changes, now, now + RESULTS_FRESH_FOR, found)
        }
        _ => Arc::new(found),
    })
}

/// How long results are reused at most when nothing is written.
const RESULTS_FRESH_FOR: chrono::Duration = chrono::Duration::seconds(60);

/// What makes two searches the same: who asks, and what.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    user_id: String,
    terms: Vec<String>,
    community: Option<String>,
    kind: Option<String>,
    limit: i64,
}
