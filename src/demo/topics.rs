//! The demo's content agenda: topics members proposed, with votes, for both communities.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::app::AppState;
use crate::db::{self, Tx};
use crate::domain::topic::TopicText;

/// A demo topic: title, description, days ago it was proposed, and how many members voted.
type Seed = (&'static str, &'static str, i64, usize);

/// Topics of the community for small municipalities.
pub const SMALL: [Seed; 6] = [
    (
        "Hittestress in schoolpleinen",
        "Hoe maken we schoolpleinen koeler? Ervaringen met **schaduw**, bomen en ontharding, en hoe je scholen en ouders meekrijgt.",
        40,
        7,
    ),
    (
        "Ontharding: van tegels naar groen",
        "Welke straten en pleinen pak je als eerste aan, en hoe houd je draagvlak bij bewoners en ondernemers?",
        38,
        6,
    ),
    (
        "Beheer van wadi's",
        "Wie doet het onderhoud, hoe vaak maai je en wat kost het per jaar? Graag ervaringen na een paar jaar beheer:\n\n- verstopte inlaten\n- zwerfafval\n- klachten van bewoners",
        35,
        5,
    ),
    (
        "Bewoners betrekken bij geveltuinen",
        "Regelingen, tegelwippen en onderhoudsafspraken: wat werkt in kleine kernen?",
        30,
        3,
    ),
    (
        "Subsidies voor groene daken",
        "Welke gemeenten hebben een regeling, hoeveel wordt er gebruikt en hoe meet je het effect?",
        21,
        3,
    ),
    (
        "Biodiversiteit meten met vrijwilligers",
        "Tellingen van vlinders en bijen door inwoners: hoe organiseer je dat en wat doe je met de gegevens?",
        7,
        1,
    ),
];

/// The topic of [`SMALL`] that is on the agenda of the upcoming site visit.
pub const ON_SITE_VISIT: usize = 1;

/// Topics of the community for large municipalities.
const LARGE: [Seed; 4] = [
    (
        "Klimaatadaptief bouwen in nieuwe wijken",
        "Hoe leg je eisen voor waterberging en hittebestendigheid vast in het omgevingsplan?",
        30,
        9,
    ),
    (
        "Groene daken op gemeentelijk vastgoed",
        "Ervaringen met aanbesteding, constructieve beperkingen en onderhoud.",
        25,
        6,
    ),
    (
        "Hittestress in schoolpleinen",
        "Koele plekken rond scholen in dichtbebouwde wijken: wat heeft gewerkt?",
        20,
        6,
    ),
    (
        "Boomspiegels en ondergrondse groeiplaatsen",
        "Welke bomen overleven in versteende straten, en wat kost een goede groeiplaats?",
        12,
        2,
    ),
];

/// Stores the topics with their votes, cast by the first members (authors rotate over the
/// members); returns the topic ids in the order of `seeds`.
pub async fn seed(
    tx: &mut Tx,
    community_id: &str,
    members: &[String],
    seeds: &[Seed],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(seeds.len());
    for (i, (title, description, days_ago, votes)) in seeds.iter().enumerate() {
        let author = members
            .get(i % members.len().max(1))
            .context("a demo member")?;
        let text = TopicText::parse(title, description)
            .map_err(|e| anyhow::anyhow!("demo topic {title}: {e:?}"))?;
        let at = now - Duration::days(*days_ago);
        let id = db::topics::create(tx, community_id, author, &text, at).await?;
        for voter in members.iter().take(*votes) {
            db::topics::vote(tx, &id, voter, at + Duration::hours(2)).await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// The topics of the community for large municipalities.
pub async fn for_large(state: &AppState, community_slug: &str) -> anyhow::Result<()> {
    let community = db::communities::find(&state.db, community_slug)
        .await?
        .context("demo community")?;
    let members: Vec<String> = db::communities::members(&state.db, &community.id)
        .await?
        .into_iter()
        .filter(|m| m.role == "member")
        .map(|m| m.user_id)
        .collect();
    let mut tx = state.db.begin().await?;
    seed(&mut tx, &community.id, &members, &LARGE, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}
