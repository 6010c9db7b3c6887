//! Dutch word lists and the sentences, titles and bodies the scale generator builds from them.

use rand::Rng;
use rand::rngs::SmallRng;

/// Subjects of notes, topics and practice examples.
pub const SUBJECTS: [&str; 24] = [
    "groene daken",
    "wadi's",
    "bomen in de straat",
    "hittestress",
    "ontharding",
    "tegelwippen",
    "groene schoolpleinen",
    "regenwater afkoppelen",
    "biodiversiteit in plantsoenen",
    "bloemrijke bermen",
    "natuurinclusief bouwen",
    "droogte in parken",
    "waterberging onder de straat",
    "gevelgroen",
    "koele routes",
    "insectenhotels",
    "het bomenbeleid",
    "maaibeheer",
    "klimaatadaptatie in de wijk",
    "regentonnen",
    "groenbeheer met bewoners",
    "boomspiegels",
    "stadsbossen",
    "de hittekaart",
];
const OPENERS: [&str; 12] = [
    "Ervaringen met",
    "Vraag over",
    "Aanpak voor",
    "Lessen uit een jaar",
    "Budget voor",
    "Bewoners betrekken bij",
    "Onderhoud van",
    "Monitoring van",
    "Subsidie voor",
    "Beleid rond",
    "Eerste resultaten:",
    "Wie heeft ervaring met",
];
const PLACES: [&str; 10] = [
    "in de binnenstad",
    "in een naoorlogse wijk",
    "bij scholen",
    "op bedrijventerreinen",
    "in nieuwbouwwijken",
    "langs de rondweg",
    "in het centrum",
    "rond het station",
    "in dorpskernen",
    "bij zorginstellingen",
];
const SENTENCES: [&str; 24] = [
    "We zijn vorig jaar begonnen met een proef in twee straten.",
    "De bomen hebben het zwaar gehad tijdens de droge zomer.",
    "Bewoners reageerden positief, vooral op de extra schaduw.",
    "Het waterschap denkt mee over de berging van regenwater.",
    "De kosten vielen lager uit dan begroot doordat we werk met werk konden maken.",
    "Onderhoud blijkt de grootste uitdaging: wie maait, wie snoeit en wie ruimt blad op?",
    "Met de hittekaart hebben we de warmste plekken in beeld gebracht.",
    "De wadi's lopen na een flinke bui binnen een dag leeg.",
    "Op het schoolplein zijn de tegels vervangen door gras, struiken en een moestuin.",
    "We meten de temperatuur op straatniveau met tien sensoren.",
    "Het college heeft extra budget vrijgemaakt voor vergroening.",
    "De aannemer had weinig ervaring met waterdoorlatende verharding.",
    "Bloemrijke bermen trekken aantoonbaar meer bijen en vlinders.",
    "Een groen dak houdt ongeveer de helft van het regenwater vast.",
    "Bij nieuwbouw vragen we nu standaard om natuurinclusieve maatregelen.",
    "De wijkraad heeft zelf een plan gemaakt voor het plantsoen.",
    "Tegelwippen werkte het best met een vaste ophaaldag per wijk.",
    "Sommige boomsoorten kunnen slecht tegen langdurige droogte.",
    "We werken samen met de woningcorporatie aan groene gevels.",
    "De provincie subsidieert een deel van de klimaatadaptieve maatregelen.",
    "Een stresstest liet zien waar water op straat blijft staan.",
    "Het beheer is overgedragen aan een groep enthousiaste bewoners.",
    "We hebben de boomspiegels vergroot zodat de wortels meer ruimte krijgen.",
    "Volgend jaar willen we de aanpak uitbreiden naar drie andere wijken.",
];
const QUESTIONS: [&str; 8] = [
    "Hoe gaan jullie om met het onderhoud?",
    "Wie heeft een goed voorbeeld van een bestek?",
    "Welke boomsoorten raden jullie aan?",
    "Hoe krijgen jullie bewoners enthousiast?",
    "Wat kostte dat per vierkante meter?",
    "Hoe meten jullie het effect?",
    "Werken jullie samen met het waterschap?",
    "Is daar subsidie voor aangevraagd?",
];
const REPLIES: [&str; 16] = [
    "Herkenbaar! Bij ons ging het precies zo.",
    "Wij hebben goede ervaringen met een vast onderhoudscontract.",
    "Mooi voorbeeld, ik deel het met onze groenbeheerder.",
    "Goede vraag. Wij meten met sensoren van een lokale hogeschool.",
    "Bij ons kostte het ongeveer veertig euro per vierkante meter.",
    "Zie ook het praktijkvoorbeeld van de buurgemeente.",
    "We zijn net gestart, ik houd jullie op de hoogte.",
    "Het waterschap betaalde bij ons een derde van de kosten.",
    "Let op de kabels en leidingen, dat viel bij ons tegen.",
    "Linde en esdoorn doen het bij ons goed in de straat.",
    "Bewoners betrekken vanaf het begin is echt de sleutel.",
    "Kunnen we dit op de volgende bijeenkomst bespreken?",
    "Dank voor het delen, heel bruikbaar.",
    "Wij combineren het met de vervanging van het riool.",
    "Ik stuur je onze aanpak per mail.",
    "Interessant, hoe lang duurde de voorbereiding?",
];
/// Tags of notes.
pub const TAGS: [&str; 16] = [
    "groen",
    "bomen",
    "wadi",
    "hittestress",
    "daken",
    "ontharding",
    "water",
    "biodiversiteit",
    "beheer",
    "participatie",
    "subsidie",
    "beleid",
    "droogte",
    "schoolpleinen",
    "monitoring",
    "bestek",
];
/// Titles of agenda items.
pub const AGENDA: [(&str, i64); 10] = [
    ("Opening en mededelingen", 10),
    ("Voorstelronde", 20),
    ("Presentatie uit de praktijk", 40),
    ("Uitwisseling in kleine groepen", 45),
    ("Terugkoppeling", 20),
    ("Onderwerpen voor de volgende keer", 15),
    ("Rondleiding", 60),
    ("Pauze", 15),
    ("Afspraken en acties", 15),
    ("Afsluiting", 10),
];
/// Actions recorded in minutes.
pub const ACTIONS: [&str; 6] = [
    "Voorbeeldbestek delen met de groep",
    "Contact leggen met het waterschap",
    "Hittekaart rondsturen",
    "Werkbezoek voorbereiden",
    "Onderhoudskosten uitzoeken",
    "Subsidiemogelijkheden inventariseren",
];
/// Decisions recorded in minutes.
pub const DECISIONS: [&str; 6] = [
    "De volgende bijeenkomst gaat over bomen in de straat",
    "We maken samen een handreiking voor tegelwippen",
    "Het werkbezoek gaat naar een gemeente met een groen schoolplein",
    "We delen bestekken via de notities",
    "Hittestress wordt het thema van het najaar",
    "We nodigen het waterschap uit voor een presentatie",
];

/// One of `items`.
pub fn pick<'a, T: ?Sized>(rng: &mut SmallRng, items: &[&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// A subject with its first letter capitalised.
pub fn capitalised(subject: &str) -> String {
    let mut chars = subject.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A note or topic title: "Ervaringen met wadi's in de binnenstad".
pub fn title(rng: &mut SmallRng) -> String {
    let subject = pick(rng, &SUBJECTS);
    if rng.random_bool(0.5) {
        format!("{} {subject} {}", pick(rng, &OPENERS), pick(rng, &PLACES))
    } else {
        format!("{} {subject}", pick(rng, &OPENERS))
    }
}

/// A paragraph of `n` sentences.
pub fn paragraph(rng: &mut SmallRng, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(pick(rng, &SENTENCES));
    }
    out
}

/// A Markdown body of one or two paragraphs, sometimes ending in a question.
pub fn body(rng: &mut SmallRng) -> Vec<String> {
    let mut paragraphs: Vec<String> = (0..rng.random_range(1..=2))
        .map(|_| {
            let n = rng.random_range(2..=3);
            paragraph(rng, n)
        })
        .collect();
    if rng.random_bool(0.4) {
        paragraphs.push(pick(rng, &QUESTIONS).to_string());
    }
    paragraphs
}

/// A comment: a reply, sometimes with a sentence of experience.
pub fn reply(rng: &mut SmallRng) -> String {
    if rng.random_bool(0.3) {
        format!("{} {}", pick(rng, &REPLIES), pick(rng, &SENTENCES))
    } else {
        pick(rng, &REPLIES).to_string()
    }
}

/// The HTML of paragraphs of plain generated text (no Markdown syntax, nothing to escape but
/// the apostrophe, which Markdown rendering leaves as is): what `domain::markdown::render`
/// makes of them, without parsing and sanitising 300,000 bodies.
pub fn html(paragraphs: &[String]) -> String {
    let mut out = String::new();
    for p in paragraphs {
        out.push_str("<p>");
        out.push_str(p);
        out.push_str("</p>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The shortcut gives what the real renderer gives for the same text.
    #[test]
    fn html_matches_the_markdown_renderer() {
        let mut rng = SmallRng::seed_from_u64(7);
        for _ in 0..50 {
            let paragraphs = body(&mut rng);
            let markdown = paragraphs.join("\n\n");
            assert_eq!(
                html(&paragraphs),
                crate::domain::markdown::render(&markdown).as_str()
            );
            let r = vec![reply(&mut rng)];
            assert_eq!(html(&r), crate::domain::markdown::render(&r[0]).as_str());
        }
    }
}
