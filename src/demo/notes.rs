//! The demo's notes and comments in both communities: practical questions and experiences with
//! tags, a few shared with the whole programme, comments and one `@name` mention. Written
//! directly (with their search documents), so the demo queues no e-mail.

use anyhow::Context;
use chrono::{Duration, Utc};

use crate::app::AppState;
use crate::db::{self, comments::Indexed};
use crate::domain::note::NoteText;
use crate::note;

/// A demo note: title, body, tags, shared with the programme, days ago.
type Seed = (
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    i64,
);

const SMALL: [Seed; 8] = [
    (
        "Wadi's na vijf jaar: wat we geleerd hebben",
        "In 2021 hebben we in de wijk Oost vier wadi's aangelegd. Na vijf jaar:\n\n- de **inlaten** raken na elke herfst verstopt met blad;\n- maaien twee keer per jaar is genoeg, mits het maaisel wordt afgevoerd;\n- bewoners waarderen ze meer sinds er een bordje met uitleg staat.\n\nHet beheer kost ons ongeveer 1,20 euro per m² per jaar.",
        &["wadi", "beheer-en-onderhoud", "wateroverlast"],
        true,
        45,
    ),
    (
        "Koele schoolpleinen: ervaringen gezocht",
        "We willen volgend jaar drie schoolpleinen vergroenen. Wie heeft ervaring met de combinatie van **bomen**, schaduwdoeken en ontharding? Vooral benieuwd hoe jullie de scholen en de ouders meekregen.",
        &["hittestress", "bomen", "ontharding"],
        false,
        38,
    ),
    (
        "Boomkeuze voor smalle straten",
        "Voor straten met weinig ondergrondse ruimte kiezen we nu vaker voor veldesdoorn en sierpeer. Belangrijk: een groeiplaats van minimaal 10 m³ bomengrond. Zie ook de boomkeuzelijst van de provincie.",
        &["bomen", "hittestress"],
        true,
        30,
    ),
    (
        "Tegeltaxi: 1.200 tegels in één zaterdag",
        "Onze eerste tegeltaxi was een groot succes: bewoners brachten 1.200 tegels in en kregen er planten voor terug. Tip: zorg voor genoeg vrijwilligers bij het uitladen.",
        &["ontharding", "bewonersparticipatie"],
        false,
        24,
    ),
    (
        "Hittekaart van de gemeente bijgewerkt",
        "De nieuwe hittekaart laat zien dat het centrum en het bedrijventerrein de warmste plekken zijn. We gebruiken de kaart om te bepalen waar de eerste **bomen** komen.",
        &["hittestress"],
        false,
        18,
    ),
    (
        "Subsidieregeling groene daken: eerste resultaten",
        "In het eerste jaar zijn 42 aanvragen toegekend, samen bijna 1.900 m² groen dak. De meeste aanvragen kwamen van particulieren met een schuur of uitbouw.",
        &["groene-daken", "financiering"],
        true,
        12,
    ),
    (
        "Maaibeleid en insecten",
        "Sinds we sinusmaaien toepassen in de bermen tellen vrijwilligers duidelijk meer vlinders. Wie wil ons telprotocol hebben?",
        &["biodiversiteit", "beheer-en-onderhoud"],
        false,
        6,
    ),
    (
        "Vraag: onderhoudscontract voor wadi's",
        "Hoe hebben jullie het onderhoud van wadi's aanbesteed: apart, of als onderdeel van het groenbestek?",
        &["wadi", "beheer-en-onderhoud"],
        false,
        2,
    ),
];

const LARGE: [Seed; 4] = [
    (
        "Klimaatadaptief bouwen: eisen in het omgevingsplan",
        "We hebben een regel opgenomen dat nieuwbouw 60 mm neerslag op eigen terrein moet kunnen bergen. Ontwikkelaars reageerden positiever dan verwacht.",
        &["wateroverlast", "beleid"],
        true,
        40,
    ),
    (
        "Bomen in versteende binnenstad",
        "Met ondergrondse boomkratten hebben we twaalf nieuwe **bomen** kunnen planten in de winkelstraat. Na drie jaar staan ze er goed bij.",
        &["bomen", "hittestress"],
        false,
        27,
    ),
    (
        "Koele plekken tijdens hittegolven",
        "Op onze website staat nu een kaart met koele plekken: parken, bibliotheken en buurthuizen. Gebruikt iemand dit al in de communicatie met ouderen?",
        &["hittestress", "gezondheid"],
        false,
        15,
    ),
    (
        "Groene daken op gemeentelijk vastgoed",
        "Van de twintig gemeentelijke gebouwen zijn er zes geschikt voor een groen dak zonder extra constructieve maatregelen.",
        &["groene-daken"],
        false,
        8,
    ),
];

/// Comments: (note index, author offset among the members, text, hours after the note). The text
/// `{author}` becomes the note author's name, so one comment mentions them.
const SMALL_COMMENTS: [(usize, usize, &str, i64); 5] = [
    (
        0,
        1,
        "Herkenbaar! Wij plaatsen nu een bladvanger voor de inlaat; dat scheelt veel werk.",
        5,
    ),
    (
        0,
        2,
        "@{author} mogen wij jullie uitlegbordje overnemen? Goed idee.",
        26,
    ),
    (
        1,
        3,
        "Bij ons hielp het om de leerlingen zelf mee te laten ontwerpen.",
        30,
    ),
    (
        2,
        4,
        "Sierpeer doet het bij ons ook goed, maar let op de vruchtval bij parkeerplaatsen.",
        8,
    ),
    (
        7,
        1,
        "Wij hebben het apart aanbesteed, met een prestatiebestek. Ik deel het graag.",
        3,
    ),
];

const LARGE_COMMENTS: [(usize, usize, &str, i64); 2] = [
    (
        1,
        1,
        "Welke leverancier van boomkratten hebben jullie gebruikt?",
        12,
    ),
    (
        2,
        2,
        "Wij verspreiden de kaart via de thuiszorg; dat werkt goed.",
        20,
    ),
];

/// The notes and comments of one community.
async fn seed(
    state: &AppState,
    community_slug: &str,
    notes: &[Seed],
    comments: &[(usize, usize, &str, i64)],
) -> anyhow::Result<()> {
    let community = db::communities::find(&state.db, community_slug)
        .await?
        .context("demo community")?;
    let members: Vec<(String, String)> = db::communities::members(&state.db, &community.id)
        .await?
        .into_iter()
        .filter(|m| m.role == "member")
        .map(|m| (m.user_id, m.name))
        .collect();
    anyhow::ensure!(!members.is_empty(), "demo members");
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let mut written = Vec::with_capacity(notes.len());
    for (i, (title, body, tags, shared, days)) in notes.iter().enumerate() {
        let (author, author_name) = &members[(i * 3) % members.len()];
        let tags: Vec<String> = tags.iter().map(|t| (*t).to_string()).collect();
        let visibility = if *shared { "programme" } else { "community" };
        let text = NoteText::parse(title, body, &tags, visibility)
            .map_err(|e| anyhow::anyhow!("demo note {title}: {e:?}"))?;
        let at = now - Duration::days(*days) - Duration::minutes(i64::try_from(i)? * 37);
        let html = note::render_body(&text.body);
        let id = db::notes::create(&mut tx, &community.id, author, &text, &html, at).await?;
        note::index(
            &mut tx,
            &id,
            &community.id,
            community.programme_id.as_deref(),
            &text,
            at,
        )
        .await?;
        written.push((id, text, at, author_name.clone()));
    }
    for (n, offset, text, hours) in comments {
        let (id, note_text, at, note_author) = written.get(*n).context("demo comment's note")?;
        let (author, _) = &members[(n * 3 + offset) % members.len()];
        let body = text.replace("{author}", note_author);
        let when = *at + Duration::hours(*hours);
        let html = note::comments::render_body(&body);
        let cid = db::comments::create(&mut tx, id, author, &body, &html, when).await?;
        let indexed = Indexed {
            id: cid,
            body_markdown: body,
            created_at: when,
        };
        note::comments::index(
            &mut tx,
            &indexed,
            id,
            &community.id,
            community.programme_id.as_deref(),
            note_text.visibility.as_str(),
            &note_text.title,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Notes and comments in both communities of a programme edition.
pub async fn for_edition(state: &AppState, programme_slug: &str) -> anyhow::Result<()> {
    seed(
        state,
        &format!("{programme_slug}-klein"),
        &SMALL,
        &SMALL_COMMENTS,
    )
    .await?;
    seed(
        state,
        &format!("{programme_slug}-groot"),
        &LARGE,
        &LARGE_COMMENTS,
    )
    .await
}
