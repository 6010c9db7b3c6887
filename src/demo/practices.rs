//! The demo's practice examples: some twenty measures of real municipalities (green roofs in
//! Rotterdam, wadi's in Zwolle, tegelwippen in Amersfoort, schoolyards in Utrecht …) with figures
//! and locations, shared by members of both communities with mixed visibilities. Written through
//! the use case, so they are checked and indexed for search like any other.

use anyhow::Context;

use crate::app::AppState;
use crate::db;
use crate::practice::{self, Fields};

/// A demo example.
struct Seed {
    title: &'static str,
    code: &'static str,
    themes: &'static [&'static str],
    summary: &'static str,
    body: &'static str,
    lessons: &'static str,
    year: i64,
    cost: Option<i64>,
    area: Option<i64>,
    at: Option<(f64, f64)>,
    /// `klein` or `groot`: the community it is shared in.
    community: &'static str,
    visibility: &'static str,
}

#[rustfmt::skip]
const SEEDS: [Seed; 21] = [
    Seed { title: "Groene daken op gemeentelijk vastgoed", code: "GM0599",
        themes: &["groene-daken", "klimaatadaptatie", "wateroverlast"],
        summary: "Twaalf daken van scholen, sporthallen en kantoren kregen sedum en kruiden: samen 25.000 m² die regenwater vasthouden.",
        body: "De gemeente legde tussen 2020 en 2022 groene daken aan op eigen gebouwen. Eerst is per dak de **draagkracht** onderzocht; daarna zijn de daken meegenomen in het groot onderhoud.\n\n- 25.000 m² groen dak\n- circa 500 m³ extra waterberging\n- onderhoud twee keer per jaar",
        lessons: "Combineer de aanleg met vervanging van de dakbedekking: dat scheelt de helft van de kosten. Leg vooraf vast wie het onderhoud doet.",
        year: 2022, cost: Some(1_250_000), area: Some(25_000), at: Some((51.9244, 4.4777)), community: "groot", visibility: "public" },
    Seed { title: "Wadi's in Stadshagen", code: "GM0193",
        themes: &["wateroverlast", "klimaatadaptatie", "beheer-en-onderhoud"],
        summary: "Zeven wadi's vangen het regenwater van 400 woningen op en laten het langzaam in de bodem zakken.",
        body: "Bij de herinrichting van de wijk is het regenwater **afgekoppeld** van het riool. Het water stroomt over straat naar zeven wadi's in de groenstroken.",
        lessons: "Houd de inlaten vrij van blad en zand; een bordje met uitleg helpt bewoners de wadi te begrijpen.",
        year: 2021, cost: Some(340_000), area: Some(6_500), at: Some((52.5350, 6.0650)), community: "groot", visibility: "public" },
    Seed { title: "Tegelwippen met bewoners", code: "GM0307",
        themes: &["ontharding", "bewonersparticipatie", "vergroening"],
        summary: "Een tegeltaxi haalt tegels op en bewoners krijgen er planten voor terug: 3.200 m² tuin werd groen.",
        body: "In het NK Tegelwippen deed de gemeente mee met een **tegeltaxi**, een plantenruil en hulp van vrijwilligers.",
        lessons: "Maak het makkelijk: een vaste ophaaldag per wijk werkte beter dan ophalen op afspraak.",
        year: 2023, cost: Some(45_000), area: Some(3_200), at: Some((52.1561, 5.3878)), community: "groot", visibility: "public" },
    Seed { title: "Groene schoolpleinen", code: "GM0344",
        themes: &["hittestress", "vergroening", "gezondheid"],
        summary: "Tien schoolpleinen werden groen en koel: bomen, speelheuvels en minder tegels.",
        body: "Samen met leerlingen, ouders en leerkrachten ontwierpen we per school een plein met **schaduw**, water en natuurlijk spelen.",
        lessons: "Betrek de conciërge vanaf het begin: hij of zij beheert het plein straks.",
        year: 2022, cost: Some(600_000), area: Some(12_000), at: Some((52.0907, 5.1214)), community: "groot", visibility: "programme" },
    Seed { title: "Klimaatbestendige straat in de Rivierenbuurt", code: "GM0363",
        themes: &["wateroverlast", "klimaatadaptatie"],
        summary: "Onder de straat ligt een kratten-systeem dat 60 mm regen kan bergen.",
        body: "Bij de vervanging van het riool is onder de rijbaan een **waterbergende fundering** aangelegd.",
        lessons: "Meet na de aanleg de grondwaterstand: dat overtuigde andere stadsdelen.",
        year: 2020, cost: Some(2_100_000), area: Some(8_000), at: Some((52.3475, 4.9035)), community: "groot", visibility: "public" },
    Seed { title: "Natuurinclusieve nieuwbouw in de Binckhorst", code: "GM0518",
        themes: &["natuurinclusief-bouwen", "biodiversiteit", "beleid"],
        summary: "Nieuwbouw moet nestkasten, groene gevels en een groen dak hebben: vastgelegd in het omgevingsplan.",
        body: "Ontwikkelaars scoren punten met maatregelen voor **biodiversiteit**; een minimumscore is verplicht.",
        lessons: "Een puntensysteem geeft ontwikkelaars ruimte om zelf te kiezen.",
        year: 2024, cost: None, area: None, at: Some((52.0705, 4.3390)), community: "groot", visibility: "programme" },
    Seed { title: "Bijenlinten langs fietspaden", code: "GM0014",
        themes: &["biodiversiteit", "beheer-en-onderhoud"],
        summary: "Veertig kilometer bermen langs fietspaden worden gefaseerd gemaaid en ingezaaid met inheemse bloemen.",
        body: "Het maaibeleid is omgezet naar **sinusbeheer**; vrijwilligers tellen bijen en vlinders.",
        lessons: "Leg uit waarom het er 'rommelig' uitziet: een bord per lint scheelt klachten.",
        year: 2021, cost: Some(80_000), area: Some(40_000), at: Some((53.2300, 6.5500)), community: "groot", visibility: "public" },
    Seed { title: "Hittekaart en koelteplekken", code: "GM0855",
        themes: &["hittestress", "gezondheid", "beleid"],
        summary: "Een hittekaart en een lijst koelteplekken voor ouderen tijdens hittegolven.",
        body: "Met de GGD maakten we een **hitteplan**: welke plekken zijn koel, wie belt kwetsbare bewoners.",
        lessons: "Werk samen met de thuiszorg; zij kennen de kwetsbare bewoners.",
        year: 2023, cost: Some(60_000), area: None, at: Some((51.5555, 5.0913)), community: "groot", visibility: "community" },
    Seed { title: "Subsidie voor groene daken en gevels", code: "GM0772",
        themes: &["groene-daken", "financiering", "bewonersparticipatie"],
        summary: "Bewoners en bedrijven krijgen tot 50% van de kosten van een groen dak of een groene gevel vergoed.",
        body: "De regeling is eenvoudig: een foto vooraf en achteraf, en een factuur. In het eerste jaar kwamen **180 aanvragen** binnen.",
        lessons: "Een kleine regeling met weinig papierwerk bereikt meer mensen dan een grote.",
        year: 2022, cost: Some(500_000), area: Some(9_000), at: Some((51.4416, 5.4697)), community: "groot", visibility: "public" },
    Seed { title: "Duizend extra bomen", code: "GM0268",
        themes: &["vergroening", "hittestress"],
        summary: "In vier jaar kwamen er duizend bomen bij, vooral in versteende wijken.",
        body: "De plekken zijn gekozen met de **hittekaart**; elke boom kreeg een groeiplaats van minstens 10 m³.",
        lessons: "Reken het beheer van de eerste drie jaar mee in de begroting: jonge bomen hebben water nodig.",
        year: 2018, cost: Some(1_000_000), area: None, at: Some((51.8426, 5.8546)), community: "groot", visibility: "public" },
    Seed { title: "Afkoppelen van regenwater in Roombeek", code: "GM0153",
        themes: &["wateroverlast", "klimaatadaptatie"],
        summary: "Het regenwater van de wijk loopt via open goten naar een beek in plaats van naar het riool.",
        body: "Bij de wederopbouw van de wijk is het water **zichtbaar** gemaakt: goten, vijvers en een nieuwe beek.",
        lessons: "Zichtbaar water maakt bewoners zuiniger op hun omgeving.",
        year: 2019, cost: Some(900_000), area: Some(15_000), at: Some((52.2294, 6.9030)), community: "groot", visibility: "community" },
    Seed { title: "Geveltuinen in de binnenstad", code: "GM0546",
        themes: &["vergroening", "bewonersparticipatie"],
        summary: "Bewoners halen zelf een rij tegels weg; de gemeente levert aarde en planten.",
        body: "Een **geveltuin** mag 30 cm breed zijn en moet de stoep vrij laten voor voetgangers.",
        lessons: "Een standaard-overeenkomst van één A4 maakte het voor iedereen duidelijk.",
        year: 2023, cost: Some(15_000), area: Some(600), at: Some((52.1601, 4.4970)), community: "groot", visibility: "programme" },
    Seed { title: "De groenblauwe Nieuwe Mark", code: "GM0758",
        themes: &["vergroening", "wateroverlast", "biodiversiteit"],
        summary: "Een gedempte haven in het centrum werd weer open water met groene oevers.",
        body: "Waar eerst een parkeerplaats lag, stroomt nu weer de **Mark**, met trappen naar het water en natuurvriendelijke oevers.",
        lessons: "Een groot project vraagt om een lange adem en steun van de gemeenteraad over verkiezingen heen.",
        year: 2022, cost: Some(28_000_000), area: Some(20_000), at: Some((51.5890, 4.7800)), community: "groot", visibility: "public" },
    Seed { title: "Droogtebestendig openbaar groen", code: "GM0281",
        themes: &["droogte", "beheer-en-onderhoud"],
        summary: "Vaste planten en grassen die zonder water de zomer doorkomen vervangen eenjarige perken.",
        body: "In drie jaar zijn de perken omgevormd. Er wordt alleen nog water gegeven in het **eerste jaar** na aanplant.",
        lessons: "Kies soorten samen met de hoveniers die ze onderhouden.",
        year: 2022, cost: Some(120_000), area: Some(9_000), at: Some((51.8863, 5.4290)), community: "klein", visibility: "community" },
    Seed { title: "Bermbeheer voor insecten", code: "GM0448",
        themes: &["biodiversiteit", "beheer-en-onderhoud"],
        summary: "Bermen worden later en in delen gemaaid, het maaisel wordt afgevoerd.",
        body: "Op het eiland is **150.000 m²** berm omgezet naar ecologisch beheer, samen met de natuurvereniging.",
        lessons: "Afvoeren van maaisel is essentieel: anders verruigt de berm.",
        year: 2020, cost: Some(35_000), area: Some(150_000), at: Some((53.0550, 4.7970)), community: "klein", visibility: "public" },
    Seed { title: "Natuurvriendelijke oevers in het veenweidegebied", code: "GM0736",
        themes: &["wateroverlast", "biodiversiteit"],
        summary: "Flauwe oevers langs twee kilometer sloot bergen water en geven ruimte aan planten en amfibieën.",
        body: "Samen met het waterschap en agrariërs zijn de oevers **verflauwd**; de kosten zijn gedeeld.",
        lessons: "Begin bij de agrariërs die al enthousiast zijn; de rest volgt.",
        year: 2021, cost: Some(250_000), area: Some(12_000), at: Some((52.2070, 4.8630)), community: "klein", visibility: "programme" },
    Seed { title: "Pocketparken in de dorpskern", code: "GM0147",
        themes: &["vergroening", "hittestress", "bewonersparticipatie"],
        summary: "Drie braakliggende hoekjes werden kleine parken met bankjes, bomen en bloemen.",
        body: "Bewoners kozen zelf de plekken en het ontwerp; een buurtteam doet het **lichte onderhoud**.",
        lessons: "Klein beginnen en snel iets laten zien houdt de energie erin.",
        year: 2023, cost: Some(90_000), area: Some(1_800), at: Some((52.2990, 6.7530)), community: "klein", visibility: "public" },
    Seed { title: "Hellingwater vasthouden na juli 2021", code: "GM0994",
        themes: &["wateroverlast", "klimaatadaptatie", "beleid"],
        summary: "Na de overstroming van de Geul worden op de hellingen buffers, graften en poelen aangelegd.",
        body: "Met boeren, het waterschap en de provincie is een **regionaal plan** gemaakt om water hoger in het stroomgebied vast te houden.",
        lessons: "Werk over de grenzen van de gemeente heen: het water doet dat ook.",
        year: 2023, cost: Some(750_000), area: None, at: Some((50.8650, 5.8310)), community: "klein", visibility: "public" },
    Seed { title: "Klimaatadaptief dorpsplein", code: "GM1842",
        themes: &["ontharding", "wateroverlast"],
        summary: "Het plein is half onthard; regenwater loopt naar een verlaagd plantvak.",
        body: "Het plein kreeg **waterdoorlatende bestrating**, een verlaagd plantvak en drie nieuwe bomen.",
        lessons: "Houd rekening met de markt: die heeft een vlakke, verharde strook nodig.",
        year: 2022, cost: Some(310_000), area: Some(4_000), at: Some((51.9760, 4.3140)), community: "klein", visibility: "community" },
    Seed { title: "Regentonnen voor iedereen", code: "GM1740",
        themes: &["droogte", "bewonersparticipatie", "financiering"],
        summary: "Bewoners kochten met korting 600 regentonnen via een actie van de gemeente.",
        body: "De gemeente kocht de tonnen **in bulk** in en verkocht ze met 50% korting.",
        lessons: "Bezorgen aan huis verdubbelde het aantal deelnemers.",
        year: 2024, cost: Some(20_000), area: None, at: None, community: "klein", visibility: "programme" },
    Seed { title: "Eilandbreed plan voor biodiversiteit", code: "GM0088",
        themes: &["biodiversiteit", "beleid"],
        summary: "Een plan met dertig maatregelen, van donkerte-beleid tot inheemse beplanting.",
        body: "Het plan is opgesteld met de **eilanders**, Natuurmonumenten en ondernemers.",
        lessons: "Een klein eiland kan snel schakelen: maatregelen waren binnen een jaar uitgevoerd.",
        year: 2022, cost: None, area: None, at: Some((53.4800, 6.1600)), community: "klein", visibility: "public" },
];

/// Shares the demo examples in the two communities of the edition `slug`.
pub async fn for_edition(state: &AppState, slug: &str) -> anyhow::Result<()> {
    for (i, seed) in SEEDS.iter().enumerate() {
        let community_slug = format!("{slug}-{}", seed.community);
        let community = db::communities::find(&state.db, &community_slug)
            .await?
            .context("demo community")?;
        let members = db::communities::members(&state.db, &community.id).await?;
        let authors: Vec<_> = members.iter().filter(|m| m.role == "member").collect();
        let author_id = &authors
            .get(i % authors.len().max(1))
            .context("a member")?
            .user_id;
        let author = db::users::find(&state.db, author_id)
            .await?
            .context("demo author")?;
        let fields = Fields {
            title: Some(seed.title.into()),
            organisation_code: Some(seed.code.into()),
            themes: Some(seed.themes.iter().map(|t| (*t).to_string()).collect()),
            summary: Some(seed.summary.into()),
            body_markdown: Some(seed.body.into()),
            lessons_learned: Some(seed.lessons.into()),
            year: Some(Some(seed.year)),
            cost_eur: Some(seed.cost),
            area_m2: Some(seed.area),
            location: Some(seed.at),
            community: Some(Some(community_slug)),
            visibility: Some(seed.visibility.into()),
        };
        practice::create(state, &author, fields)
            .await
            .map_err(|e| anyhow::anyhow!("demo practice {}: {e:?}", seed.title))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_location_lies_in_its_municipality() {
        let base = crate::map::base().expect("boundaries");
        for seed in &SEEDS {
            if let Some((lat, lon)) = seed.at {
                let found = base.shape_at(lat, lon).map(|s| s.code.as_str());
                assert_eq!(found, Some(seed.code), "{}", seed.title);
            }
        }
    }

    #[test]
    fn every_example_is_valid() {
        use crate::domain::practice::{Card, Draft};
        for seed in &SEEDS {
            let draft = Draft {
                title: seed.title.into(),
                organisation_code: seed.code.into(),
                themes: seed.themes.iter().map(|t| (*t).to_string()).collect(),
                summary: seed.summary.into(),
                body_markdown: seed.body.into(),
                lessons_learned: seed.lessons.into(),
                year: Some(seed.year),
                cost_eur: seed.cost,
                area_m2: seed.area,
                location: seed.at,
                visibility: seed.visibility.into(),
            };
            assert!(Card::parse(&draft).is_ok(), "{}", seed.title);
        }
    }
}
