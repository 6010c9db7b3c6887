//! Search across notes, comments, practice examples, published minutes, topics and meetings:
//! the query is stemmed like the index (`domain::stem`), the database filters on the caller's
//! memberships, and each hit gets a snippet with the matches marked. Shared by the API and the
//! `/zoeken` page.

use crate::app::AppState;
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
    caller: Option<&db::users::User>,
    req: Request<'_>,
) -> Result<Vec<Found>> {
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
    let hits = db::search::search(
        &state.db,
        db::search::Query {
            terms: &terms,
            user_id: caller.map(|u| u.id.as_str()),
            is_admin: caller.is_some_and(|u| u.is_admin),
            community: req.community,
            kind: req.kind,
            limit: req.limit.clamp(1, 50),
        },
    )
    .await?;
    Ok(hits
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
        .collect())
}
