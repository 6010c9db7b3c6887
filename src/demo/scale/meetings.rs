//! Meetings: past ones held, with attendance and published minutes with decisions and actions;
//! coming ones scheduled; each with three to six agenda items.

use chrono::Duration;
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::bulk::{Doc, Table, V};
use super::words;
use super::{Batch, Unit};

/// Communities per transaction.
pub const COMMUNITIES_PER_BATCH: usize = 10;

fn tables() -> [Table; 5] {
    [
        Table::new(
            "meetings",
            &[
                "id",
                "community_id",
                "title",
                "kind",
                "status",
                "starts_at",
                "ends_at",
                "description",
                "online_url",
                "location_name",
                "location_address",
                "location_city",
                "host_organisation_code",
                "moderator_user_id",
                "agenda_published_at",
                "created_at",
                "updated_at",
            ],
        ),
        Table::new(
            "agenda_items",
            &[
                "id",
                "meeting_id",
                "position",
                "title",
                "duration_minutes",
                "description",
            ],
        ),
        Table::new("meeting_attendance", &["meeting_id", "user_id"]),
        Table::new(
            "minutes",
            &[
                "meeting_id",
                "body_markdown",
                "decisions",
                "status",
                "updated_at",
                "published_at",
            ],
        ),
        Table::new(
            "actions",
            &[
                "id",
                "meeting_id",
                "community_id",
                "text",
                "owner_user_id",
                "due_date",
                "done",
                "position",
            ],
        ),
    ]
}

/// Batch `b`: the meetings of ten communities.
pub fn batch(unit: &Unit, b: usize) -> Batch {
    let mut rng = unit.rng(2, b);
    let [
        mut meetings,
        mut agenda,
        mut attendance,
        mut minutes,
        mut actions,
    ] = tables();
    let mut batch = Batch::default();
    let per = unit.size.meetings / unit.communities.len().max(1);
    let from = b * COMMUNITIES_PER_BATCH;
    let to = (from + COMMUNITIES_PER_BATCH).min(unit.communities.len());
    for (k, community) in unit.communities[from..to].iter().enumerate() {
        let facilitator = &community.members[0];
        for m in 0..per {
            // Evenly over the last two years and the coming half year, at 14:00 UTC on a weekday.
            let days = -730 + i64::try_from(m * 910 / per.max(1)).unwrap_or(0);
            let day = (unit.now + Duration::days(days)).date_naive();
            let Some(start) = day.and_hms_opt(13, 0, 0).map(|t| t.and_utc()) else {
                continue;
            };
            let held = start < unit.now - Duration::hours(4);
            let id = crate::db::new_id();
            let subject = words::pick(&mut rng, &words::SUBJECTS);
            let host = &unit.municipalities[rng.random_range(0..unit.municipalities.len())];
            let kind = ["online", "online", "site_visit", "hybrid"][(m + k) % 4];
            let title = if kind == "site_visit" {
                format!("Werkbezoek {}: {subject}", host.name)
            } else {
                format!("Bijeenkomst over {subject}")
            };
            let description = format!(
                "We wisselen ervaringen uit over {subject}. {}",
                words::paragraph(&mut rng, 2)
            );
            let online = kind != "site_visit";
            let on_site = kind != "online";
            let place = match kind {
                "online" => "online".to_string(),
                "hybrid" => format!("Gemeentehuis, Markt 1, {} en online", host.name),
                _ => format!("Gemeentehuis, Markt 1, {}", host.name),
            };
            let created = start - Duration::days(40);
            let published = (held || m % 2 == 0).then(|| start - Duration::days(10));
            let hours = if kind == "site_visit" { 3 } else { 2 };
            meetings.row([
                V::T(id.clone()),
                V::T(community.id.clone()),
                V::T(title.clone()),
                V::S(kind),
                V::S(if held { "held" } else { "scheduled" }),
                V::D(start),
                V::D(start + Duration::hours(hours)),
                V::T(description.clone()),
                V::OT(online.then(|| format!("https://meet.example/{}-{m}", community.slug))),
                V::OT(on_site.then(|| "Gemeentehuis".to_string())),
                V::OT(on_site.then(|| "Markt 1".to_string())),
                V::OT(on_site.then(|| host.name.clone())),
                V::OT(on_site.then(|| host.code.clone())),
                V::T(facilitator.clone()),
                V::OD(published),
                V::D(created),
                V::D(created),
            ]);
            let mut items: Vec<&(&str, i64)> = words::AGENDA.iter().collect();
            items.shuffle(&mut rng);
            let n_items = rng.random_range(3..=6);
            for (position, (item, duration)) in (1i64..).zip(items.iter().take(n_items)) {
                agenda.row([
                    V::T(crate::db::new_id()),
                    V::T(id.clone()),
                    V::I(position),
                    V::S(item),
                    V::I(*duration),
                    V::S(""),
                ]);
            }
            batch.docs.push(Doc {
                kind: "meeting",
                ref_id: id.clone(),
                community_id: Some(community.id.clone()),
                programme_id: None,
                visibility: "community",
                title: title.clone(),
                body: format!("{description} {place}"),
                url: format!("/bijeenkomsten/{id}"),
                created_at: start,
            });
            if held {
                let count = rng.random_range(10..=25).min(community.members.len());
                let present: Vec<&String> =
                    community.members.choose_multiple(&mut rng, count).collect();
                for user in &present {
                    attendance.row([V::T(id.clone()), V::T((*user).clone())]);
                }
                let n_decisions = rng.random_range(1..=3);
                let decisions: Vec<&str> = words::DECISIONS
                    .choose_multiple(&mut rng, n_decisions)
                    .copied()
                    .collect();
                let body = format!(
                    "# Verslag\n\nWe spraken over {subject}. {}\n\n{}",
                    words::paragraph(&mut rng, 3),
                    words::paragraph(&mut rng, 2)
                );
                let at = start + Duration::days(2);
                let n_actions = rng.random_range(1..=3);
                minutes.row([
                    V::T(id.clone()),
                    V::T(body.clone()),
                    V::T(serde_json::to_string(&decisions).unwrap_or_else(|_| "[]".into())),
                    V::S("published"),
                    V::D(at),
                    V::D(at),
                ]);
                for (position, text) in
                    (1i64..).zip(words::ACTIONS.choose_multiple(&mut rng, n_actions).copied())
                {
                    let owner = present.choose(&mut rng).map(|u| (*u).clone());
                    actions.row([
                        V::T(crate::db::new_id()),
                        V::T(id.clone()),
                        V::T(community.id.clone()),
                        V::S(text),
                        V::OT(owner),
                        V::T((start + Duration::days(30)).format("%Y-%m-%d").to_string()),
                        V::B(start < unit.now - Duration::days(60)),
                        V::I(position),
                    ]);
                }
                batch.docs.push(Doc {
                    kind: "minutes",
                    ref_id: id.clone(),
                    community_id: Some(community.id.clone()),
                    programme_id: None,
                    visibility: "community",
                    title: format!("Verslag: {title}"),
                    body: format!("{body}\n{}", decisions.join("\n")),
                    url: format!("/bijeenkomsten/{id}#verslag"),
                    created_at: at,
                });
            }
            batch.items += 1;
        }
    }
    batch.tables = vec![meetings, agenda, attendance, minutes, actions];
    batch
}
