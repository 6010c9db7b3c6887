//! `kring demo`: a realistic demonstration: the programme "Groene Stad Challenge" with a community
//! for small and one for large municipalities, members from real municipalities, a facilitator and
//! a waitlist. Running it again changes nothing. `--scale N` adds data at scale ([`scale`]).

mod notes;
mod practices;
pub mod scale;
mod speakers;
mod topics;

use anyhow::Context;
use chrono::{TimeZone, Utc};

use crate::api::communities::{CommunityIn, EligibilityIn};
use crate::app::AppState;
use crate::db::{self, registrations::NewRegistration, users::NewUser};
use crate::domain::{Email, OrgCode, PersonName, Slug, WorkDomain};

const FIRST: [&str; 24] = [
    "Anna",
    "Bram",
    "Charlotte",
    "Daan",
    "Eva",
    "Floor",
    "Gijs",
    "Hanna",
    "Iris",
    "Joost",
    "Karin",
    "Lars",
    "Maartje",
    "Niels",
    "Olga",
    "Pieter",
    "Roos",
    "Sanne",
    "Thijs",
    "Ulla",
    "Vera",
    "Willem",
    "Yara",
    "Zeger",
];
const LAST: [&str; 20] = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
];
/// Small municipalities (fewer than 50,000 inhabitants in 2025).
const SMALL: [&str; 12] = [
    "GM0088", "GM0093", "GM0096", "GM0060", "GM0277", "GM0281", "GM0736", "GM0147", "GM0994",
    "GM1842", "GM1740", "GM0448",
];
/// Large municipalities.
const LARGE: [&str; 14] = [
    "GM0363", "GM0518", "GM0599", "GM0344", "GM0014", "GM0855", "GM0772", "GM0034", "GM0153",
    "GM0202", "GM0268", "GM0546", "GM0758", "GM0935",
];

fn person(i: usize) -> (String, String) {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
    let handle = format!("{}.{}", first, last.replace(' ', "")).to_lowercase();
    (format!("{first} {last}"), handle)
}

/// Fills the database; returns a line saying what was done.
pub async fn run(state: &AppState, scale: u32) -> anyhow::Result<String> {
    let admin = ensure_user(
        state,
        "beheer@vereniging.example",
        "Beheerder Vereniging",
        true,
        None,
    )
    .await?;
    let facilitator = ensure_user(
        state,
        "fleur.facilitator@vereniging.example",
        "Fleur Facilitator",
        false,
        None,
    )
    .await?;
    let mut created = 0;
    for edition in 0..scale.max(1) {
        let year = 2027 + edition;
        let slug = if edition == 0 {
            "groene-stad-challenge".to_string()
        } else {
            format!("groene-stad-challenge-{year}")
        };
        if db::programmes::find(&state.db, &slug).await?.is_some() {
            if db::communities::find(&state.db, &format!("{slug}-groot"))
                .await?
                .is_none()
            {
                anyhow::bail!(
                    "an earlier demo run for {slug} stopped halfway; start from an empty database"
                );
            }
            continue;
        }
        created += 1;
        edition_for(
            state,
            &slug,
            year,
            &admin.id,
            &facilitator.id,
            edition as usize,
        )
        .await?;
    }
    Ok(if created == 0 {
        "The demo is already there; nothing changed.".to_string()
    } else {
        format!(
            "Demo ready: {created} programme edition(s). Facilitator: fleur.facilitator@vereniging.example, admin: beheer@vereniging.example (sign in at /inloggen; mail waits in /admin/outbox without SMTP)."
        )
    })
}

async fn ensure_user(
    state: &AppState,
    email: &str,
    name: &str,
    admin: bool,
    org: Option<&str>,
) -> anyhow::Result<db::users::User> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    if let Some(u) = db::users::find_by_email(&state.db, &email).await? {
        return Ok(u);
    }
    let mut tx = state.db.begin().await?;
    let user = db::users::create(
        &mut tx,
        &NewUser {
            email,
            name: PersonName::parse(name).map_err(anyhow::Error::msg)?,
            is_admin: admin,
            organisation_code: org.map(str::to_string),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

async fn edition_for(
    state: &AppState,
    slug: &str,
    year: u32,
    admin_id: &str,
    facilitator_id: &str,
    offset: usize,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let programme = db::programmes::create(
        &mut tx,
        &db::programmes::NewProgramme {
            slug: Slug::parse(slug).map_err(anyhow::Error::msg)?,
            name: if offset == 0 { "Groene Stad Challenge".into() } else { format!("Groene Stad Challenge {year}") },
            description: "Landelijk programma waarin gemeenten samen werken aan meer groen, biodiversiteit en klimaatadaptatie in de stad. Deelnemers leren van elkaar in twee communities of practice.".into(),
            contact_name: Some("Fleur Facilitator".into()),
            contact_email: Some("fleur.facilitator@vereniging.example".into()),
        },
    )
    .await?;
    for code in SMALL.iter().chain(LARGE.iter()) {
        let code = OrgCode::parse(code).map_err(anyhow::Error::msg)?;
        if code.as_str() < "GM0500" {
            db::organisations::update(
                &mut tx,
                &code,
                &db::organisations::OrgPatch {
                    association_member: Some(true),
                    ..Default::default()
                },
            )
            .await?;
        } else {
            db::programmes::add_participant(&mut tx, &programme.id, &code).await?;
        }
    }
    tx.commit().await?;
    let deadline = chrono_tz::Europe::Amsterdam
        .with_ymd_and_hms(i32::try_from(year).unwrap_or(2027), 2, 20, 23, 59, 59)
        .single()
        .context("deadline")?
        .with_timezone(&Utc);
    let opens = deadline - chrono::Duration::days(120);
    for (suffix, name, min, max, orgs, members) in [
        (
            "klein",
            "kleine gemeenten",
            None,
            Some(49_999),
            &SMALL[..],
            14usize,
        ),
        (
            "groot",
            "grote gemeenten",
            Some(50_000),
            None,
            &LARGE[..],
            28usize,
        ),
    ] {
        let input = CommunityIn {
            slug: Some(format!("{slug}-{suffix}")),
            name: Some(format!("Groene Stad — {name}")),
            description: Some(format!(
                "Community of practice voor {name}: stedelijk groen, biodiversiteit en klimaatadaptatie. Drie bijeenkomsten per jaar, waarvan één werkbezoek."
            )),
            programme: Some(Some(slug.to_string())),
            capacity: Some(25),
            registration_opens_at: Some(Some(opens.fixed_offset())),
            registration_deadline: Some(Some(deadline.fixed_offset())),
            eligibility: Some(EligibilityIn {
                min_population: Some(min),
                max_population: Some(max),
                ..Default::default()
            }),
            ..Default::default()
        };
        let community = crate::api::communities::create_community(state, admin_id, input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tx = state.db.begin().await?;
        db::communities::add_facilitator(&mut tx, &community.id, facilitator_id).await?;
        let now = Utc::now();
        for i in 0..members {
            let (full, handle) = person(i + offset * 40 + if suffix == "groot" { 20 } else { 0 });
            let org = orgs[i % orgs.len()];
            // The edition keeps addresses unique when --scale repeats names and municipalities.
            let email = if offset == 0 {
                format!("{handle}@{}.example", org.to_lowercase())
            } else {
                format!("{handle}.{offset}@{}.example", org.to_lowercase())
            };
            let domains = WorkDomain::join(&[WorkDomain::ALL[i % 7], WorkDomain::ALL[(i + 3) % 7]]);
            let seat = i < 25;
            let user_id = if seat {
                let user = db::users::create(
                    &mut tx,
                    &NewUser {
                        email: Email::parse(&email).map_err(anyhow::Error::msg)?,
                        name: PersonName::parse(&full).map_err(anyhow::Error::msg)?,
                        is_admin: false,
                        organisation_code: Some(org.to_string()),
                    },
                )
                .await?;
                db::users::update_profile(
                    &mut tx,
                    &user.id,
                    &db::users::ProfilePatch {
                        domains: Some(WorkDomain::split(&domains)),
                        ..Default::default()
                    },
                )
                .await?;
                db::communities::add_member(&mut tx, &community.id, &user.id).await?;
                Some(user.id)
            } else {
                None
            };
            let seq = if seat {
                None
            } else {
                Some(db::registrations::next_waitlist_seq(&mut tx, &community.id).await?)
            };
            db::registrations::insert(
                &mut tx,
                &NewRegistration {
                    community_id: &community.id,
                    user_id: user_id.as_deref(),
                    name: &full,
                    email: &email,
                    email_normalized: &email.to_lowercase(),
                    organisation_code: org,
                    domains: &domains,
                    motivation: "Ik wil graag leren hoe andere gemeenten vergroening en klimaatadaptatie aanpakken.",
                    status: if seat { "accepted" } else { "waitlisted" },
                    waitlist_seq: seq,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
    }
    meetings_for(state, &format!("{slug}-klein"), facilitator_id).await?;
    topics::for_large(state, &format!("{slug}-groot")).await?;
    notes::for_edition(state, slug).await?;
    practices::for_edition(state, slug).await
}

/// A held meeting with published minutes and an open action, topics with votes, an upcoming site
/// visit with a guest speaker and an agenda (one item is a topic, so it is scheduled; one is the
/// speaker's), and an open date poll. Written
/// directly, so the demo queues no e-mail.
async fn meetings_for(
    state: &AppState,
    community_slug: &str,
    facilitator_id: &str,
) -> anyhow::Result<()> {
    use crate::db::{agenda, meetings, minutes, polls};
    let community = db::communities::find(&state.db, community_slug)
        .await?
        .context("demo community")?;
    let members = db::communities::members(&state.db, &community.id).await?;
    let tz = chrono_tz::Europe::Amsterdam;
    // Dates relative to today, at a whole hour in Amsterdam, so the demo always has a past and a
    // coming meeting.
    let today = Utc::now().with_timezone(&tz).date_naive();
    let at = |days: i64, hour: u32| -> anyhow::Result<chrono::DateTime<Utc>> {
        let date = today + chrono::Duration::days(days);
        Ok(date
            .and_hms_opt(hour, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .context("demo date")?
            .with_timezone(&Utc))
    };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    // Held online meeting with minutes.
    let held = meetings::create(
        &mut tx,
        &community.id,
        &meetings::Details {
            title: "Kennismaking en onderwerpen kiezen".into(),
            kind: "online".into(),
            starts_at: at(-30, 14)?,
            ends_at: at(-30, 16)?,
            description:
                "Eerste online bijeenkomst: kennismaken en de onderwerpen voor dit jaar kiezen."
                    .into(),
            online_url: Some("https://meet.example/groene-stad-klein".into()),
            location_name: None,
            location_address: None,
            location_city: None,
            host_organisation_code: None,
            moderator_user_id: Some(facilitator_id.to_string()),
        },
        now,
    )
    .await?;
    for title in [
        "Welkom en voorstelronde",
        "Onderwerpen voor dit jaar",
        "Afspraken",
    ] {
        agenda::append(
            &mut tx,
            &held,
            &agenda::ItemInput {
                title: title.into(),
                duration_minutes: 35,
                description: String::new(),
                speaker_id: None,
                topic_id: None,
            },
        )
        .await?;
    }
    let present: Vec<String> = members
        .iter()
        .filter(|m| m.role == "member")
        .take(10)
        .map(|m| m.user_id.clone())
        .collect();
    meetings::set_attendance(&mut tx, &held, &present).await?;
    let owner = present.first().cloned();
    minutes::save_draft(
        &mut tx,
        &held,
        &community.id,
        "# Verslag\n\nWe maakten kennis en kozen **ontharding**, **groene schoolpleinen** en **hittestress** als onderwerpen voor dit jaar.",
        "[\"Het werkbezoek gaat naar een gemeente met een geslaagd ontharding-project\"]",
        &[minutes::NewAction { text: "Voorbeelden van ontharding verzamelen".into(), owner_user_id: owner, owner_name: None, due_date: None }],
        now,
    )
    .await?;
    minutes::publish(&mut tx, &held, now).await?;
    let voters: Vec<String> = members
        .iter()
        .filter(|m| m.role == "member")
        .map(|m| m.user_id.clone())
        .collect();
    let topic_ids = topics::seed(&mut tx, &community.id, &voters, &topics::SMALL, now).await?;
    // Upcoming site visit with an agenda.
    let visit = meetings::create(
        &mut tx,
        &community.id,
        &meetings::Details {
            title: "Werkbezoek: van tegels naar groen".into(),
            kind: "site_visit".into(),
            starts_at: at(21, 13)?,
            ends_at: at(21, 16)?,
            description: "Rondleiding langs onthardingsprojecten en gesprek met de wethouder."
                .into(),
            online_url: None,
            location_name: Some("Gemeentehuis".into()),
            location_address: Some("Hoofdstraat 1".into()),
            location_city: Some("Tiel".into()),
            host_organisation_code: Some("GM0281".into()),
            moderator_user_id: Some(facilitator_id.to_string()),
        },
        now,
    )
    .await?;
    let speaker = speakers::for_site_visit(&mut tx, &visit, now).await?;
    for (title, minutes) in [
        ("Ontvangst", 15),
        ("Rondleiding", 90),
        speakers::ITEM,
        ("Gesprek met de wethouder", 45),
        ("Afsluiting", 15),
    ] {
        agenda::append(
            &mut tx,
            &visit,
            &agenda::ItemInput {
                title: title.into(),
                duration_minutes: minutes,
                description: String::new(),
                speaker_id: (title == speakers::ITEM.0).then(|| speaker.clone()),
                topic_id: (title == "Rondleiding")
                    .then(|| topic_ids.get(topics::ON_SITE_VISIT).cloned())
                    .flatten(),
            },
        )
        .await?;
    }
    // An open date poll for the next online meeting.
    polls::create(
        &mut tx,
        &community.id,
        "Online bijeenkomst over hittestress",
        None,
        &[
            (at(35, 14)?, at(35, 16)?),
            (at(42, 14)?, at(42, 16)?),
            (at(49, 10)?, at(49, 12)?),
        ],
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
