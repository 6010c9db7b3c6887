//! Notes with tags and comments: some communities write far more than others.

use chrono::Duration;
use rand::Rng;

use super::bulk::{Doc, Table, V};
use super::words;
use super::{Batch, Unit};

/// Notes per transaction (with about twice as many comments).
pub const PER_BATCH: usize = 2_500;

/// The community of note `i`'s lottery: community `k` weighs `1 / (k + 1)^0.9`, so the first
/// few are many times larger than the last.
fn community_for(unit: &Unit, draw: f64) -> usize {
    let n = unit.communities.len();
    let weights: Vec<f64> = (0..n).map(|k| 1.0 / ((k + 1) as f64).powf(0.9)).collect();
    let total: f64 = weights.iter().sum();
    let mut at = draw * total;
    for (k, w) in weights.iter().enumerate() {
        if at < *w {
            return k;
        }
        at -= w;
    }
    n - 1
}

/// Batch `b` of the unit's notes.
pub fn batch(unit: &Unit, b: usize) -> Batch {
    let mut rng = unit.rng(1, b);
    let start = b * PER_BATCH;
    let end = (start + PER_BATCH).min(unit.size.notes);
    let mut notes = Table::new(
        "notes",
        &[
            "id",
            "community_id",
            "author_id",
            "title",
            "body_markdown",
            "body_html",
            "tags",
            "visibility",
            "created_at",
            "updated_at",
            "programme_id",
        ],
    );
    let mut tags = Table::new(
        "note_tags",
        &["note_id", "tag", "community_id", "created_at"],
    );
    let mut comments = Table::new(
        "comments",
        &[
            "id",
            "note_id",
            "author_id",
            "body_markdown",
            "body_html",
            "created_at",
            "updated_at",
        ],
    );
    let mut batch = Batch::default();
    let two_years = 730 * 24 * 3600;
    for _ in start..end {
        let community = &unit.communities[community_for(unit, rng.random())];
        let id = crate::db::new_id();
        let author = &community.members[rng.random_range(0..community.members.len())];
        let created = unit.now - Duration::seconds(rng.random_range(3_600..two_years));
        let title = words::title(&mut rng);
        let paragraphs = words::body(&mut rng);
        let markdown = paragraphs.join("\n\n");
        let mut note_tags: Vec<&str> = Vec::new();
        for _ in 0..rng.random_range(0..=3) {
            let tag = words::pick(&mut rng, &words::TAGS);
            if !note_tags.contains(&tag) {
                note_tags.push(tag);
            }
        }
        let visibility = if rng.random_bool(0.1) {
            "programme"
        } else {
            "community"
        };
        for tag in &note_tags {
            tags.row([
                V::T(id.clone()),
                V::S(tag),
                V::T(community.id.clone()),
                V::D(created),
            ]);
        }
        let search_body = if note_tags.is_empty() {
            markdown.clone()
        } else {
            format!("{markdown}\n\n{}", note_tags.join(" "))
        };
        notes.row([
            V::T(id.clone()),
            V::T(community.id.clone()),
            V::T(author.clone()),
            V::T(title.clone()),
            V::T(markdown),
            V::T(words::html(&paragraphs)),
            V::T(note_tags.join(" ")),
            V::S(visibility),
            V::D(created),
            V::D(created),
            V::T(community.programme_id.clone()),
        ]);
        batch.docs.push(Doc {
            kind: "note",
            ref_id: id.clone(),
            community_id: Some(community.id.clone()),
            programme_id: Some(community.programme_id.clone()),
            visibility,
            title: title.clone(),
            body: search_body,
            url: format!("/notities/{id}"),
            created_at: created,
        });
        // Zero to four comments, two on average, within a month of the note.
        let age = (unit.now - created).num_seconds().clamp(60, 30 * 24 * 3600);
        let mut at = created;
        for _ in 0..rng.random_range(0..=4) {
            at += Duration::seconds(rng.random_range(1..=age / 4));
            let comment = crate::db::new_id();
            let text = words::reply(&mut rng);
            let html = words::html(std::slice::from_ref(&text));
            let author = &community.members[rng.random_range(0..community.members.len())];
            comments.row([
                V::T(comment.clone()),
                V::T(id.clone()),
                V::T(author.clone()),
                V::T(text.clone()),
                V::T(html),
                V::D(at),
                V::D(at),
            ]);
            batch.docs.push(Doc {
                kind: "comment",
                ref_id: comment.clone(),
                community_id: Some(community.id.clone()),
                programme_id: Some(community.programme_id.clone()),
                visibility,
                title: title.clone(),
                body: text,
                url: format!("/notities/{id}#reactie-{comment}"),
                created_at: at,
            });
        }
    }
    batch.items = (end - start) as u64;
    batch.tables = vec![notes, tags, comments];
    batch
}
