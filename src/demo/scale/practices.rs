//! Practice examples of real municipalities, located near their centre, with themes from the
//! fixed list and every visibility.

use chrono::Duration;
use rand::Rng;
use rand::seq::IteratorRandom;

use super::bulk::{Doc, Table, V};
use super::{Batch, Unit, places, words};
use crate::domain::practice::Theme;

/// Examples per transaction.
pub const PER_BATCH: usize = 2_500;

const LESSONS: [&str; 6] = [
    "Betrek de beheerders vanaf het begin: zij onderhouden het straks.",
    "Combineer de aanleg met ander werk in de straat; dat scheelt kosten.",
    "Leg vooraf vast wie het onderhoud doet en wie het betaalt.",
    "Meet voor en na de aanleg, dan kun je het effect laten zien.",
    "Een bordje met uitleg helpt bewoners de maatregel te begrijpen.",
    "Begin klein met een proef en breid uit wat werkt.",
];

/// Batch `b` of the unit's examples.
pub fn batch(unit: &Unit, b: usize) -> Batch {
    let mut rng = unit.rng(4, b);
    let mut practices = Table::new(
        "practices",
        &[
            "id",
            "title",
            "organisation_code",
            "summary",
            "body_markdown",
            "body_html",
            "lessons_learned",
            "year",
            "cost_eur",
            "area_m2",
            "lat",
            "lon",
            "community_id",
            "programme_id",
            "visibility",
            "author_id",
            "created_at",
            "updated_at",
        ],
    );
    let mut themes = Table::new("practice_themes", &["practice_id", "theme"]);
    let mut batch = Batch::default();
    let start = b * PER_BATCH;
    let end = (start + PER_BATCH).min(unit.size.practices);
    for i in start..end {
        // Every municipality in turn, so the catalogue covers the whole country.
        let place = &unit.municipalities[(i * 7 + unit.unit as usize) % unit.municipalities.len()];
        let community = &unit.communities[rng.random_range(0..unit.communities.len())];
        let author = &community.members[rng.random_range(0..community.members.len())];
        let id = crate::db::new_id();
        let subject = words::pick(&mut rng, &words::SUBJECTS);
        let title = format!("{} in {}", words::capitalised(subject), place.name);
        let summary = words::paragraph(&mut rng, 1);
        let paragraphs = words::body(&mut rng);
        let markdown = paragraphs.join("\n\n");
        let lessons = words::pick(&mut rng, &LESSONS);
        let n_themes = rng.random_range(1..=3);
        let picked: Vec<Theme> = Theme::all().choose_multiple(&mut rng, n_themes);
        let visibility = match rng.random_range(0..10) {
            0..=4 => "public",
            5..=7 => "programme",
            _ => "community",
        };
        let (lat, lon) = places::point_near(place, &mut rng);
        let located = rng.random_bool(0.9);
        let created = unit.now - Duration::seconds(rng.random_range(3_600..730 * 24 * 3600));
        for theme in &picked {
            themes.row([V::T(id.clone()), V::S(theme.as_str())]);
        }
        practices.row([
            V::T(id.clone()),
            V::T(title.clone()),
            V::T(place.code.clone()),
            V::T(summary.clone()),
            V::T(markdown.clone()),
            V::T(words::html(&paragraphs)),
            V::S(lessons),
            V::OI(Some(rng.random_range(2015..=2025))),
            V::OI(
                rng.random_bool(0.7)
                    .then(|| rng.random_range(5..2_000) * 1_000),
            ),
            V::OI(rng.random_bool(0.6).then(|| rng.random_range(50..30_000))),
            V::F(located.then_some(lat)),
            V::F(located.then_some(lon)),
            V::T(community.id.clone()),
            V::T(community.programme_id.clone()),
            V::S(visibility),
            V::T(author.clone()),
            V::D(created),
            V::D(created),
        ]);
        let labels: Vec<&str> = picked.iter().map(|t| t.label_nl()).collect();
        batch.docs.push(Doc {
            kind: "practice",
            ref_id: id.clone(),
            community_id: Some(community.id.clone()),
            programme_id: Some(community.programme_id.clone()),
            visibility,
            title,
            body: format!(
                "{summary}\n\n{markdown}\n\n{lessons}\n\n{}",
                labels.join(", ")
            ),
            url: format!("/praktijkvoorbeelden/{id}"),
            created_at: created,
        });
        batch.items += 1;
    }
    batch.tables = vec![practices, themes];
    batch
}
