//! Topics members propose for meetings, with about ten votes each; `topics.votes` counts them.

use chrono::Duration;
use rand::Rng;
use rand::seq::IndexedRandom;

use super::bulk::{Doc, Table, V};
use super::words;
use super::{Batch, Unit};

/// Batch `b`: the topics of ten communities.
pub fn batch(unit: &Unit, b: usize) -> Batch {
    let mut rng = unit.rng(3, b);
    let mut topics = Table::new(
        "topics",
        &[
            "id",
            "community_id",
            "title",
            "description",
            "author_id",
            "status",
            "votes",
            "created_at",
            "updated_at",
        ],
    );
    let mut votes = Table::new("topic_votes", &["topic_id", "user_id", "created_at"]);
    let mut batch = Batch::default();
    let per = unit.size.topics / unit.communities.len().max(1);
    let from = b * super::meetings::COMMUNITIES_PER_BATCH;
    let to = (from + super::meetings::COMMUNITIES_PER_BATCH).min(unit.communities.len());
    for community in &unit.communities[from..to] {
        for _ in 0..per {
            let id = crate::db::new_id();
            let created = unit.now - Duration::seconds(rng.random_range(3_600..730 * 24 * 3600));
            let subject = words::pick(&mut rng, &words::SUBJECTS);
            let title = format!(
                "{} {}",
                words::capitalised(subject),
                words::pick(
                    &mut rng,
                    &[
                        "bespreken",
                        "in de praktijk",
                        ": wat werkt?",
                        "en de kosten"
                    ]
                )
            )
            .replace(" :", ":");
            let description = words::paragraph(&mut rng, 2);
            let status = match rng.random_range(0..10) {
                0..=6 => "open",
                7 | 8 => "discussed",
                _ => "closed",
            };
            let n = rng.random_range(0..=20).min(community.members.len());
            let voters: Vec<&String> = community.members.choose_multiple(&mut rng, n).collect();
            for user in &voters {
                let at = created + Duration::seconds(rng.random_range(60..30 * 24 * 3600));
                votes.row([
                    V::T(id.clone()),
                    V::T((*user).clone()),
                    V::D(at.min(unit.now)),
                ]);
            }
            let author = &community.members[rng.random_range(0..community.members.len())];
            topics.row([
                V::T(id.clone()),
                V::T(community.id.clone()),
                V::T(title.clone()),
                V::T(description.clone()),
                V::T(author.clone()),
                V::S(status),
                V::I(i64::try_from(voters.len()).unwrap_or(0)),
                V::D(created),
                V::D(created),
            ]);
            batch.docs.push(Doc {
                kind: "topic",
                ref_id: id.clone(),
                community_id: Some(community.id.clone()),
                programme_id: None,
                visibility: "community",
                title,
                body: description,
                url: format!("/communities/{}/onderwerpen#onderwerp-{id}", community.slug),
                created_at: created,
            });
            batch.items += 1;
        }
    }
    batch.tables = vec![topics, votes];
    batch
}
