//! Practice examples (praktijkvoorbeelden): their themes, visibilities, and what a card must hold.

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 1_000;
/// Longest body or lessons learned (Markdown), in characters.
pub const MAX_TEXT: usize = 20_000;
/// Earliest and latest year of a measure.
pub const YEARS: std::ops::RangeInclusive<i64> = 1990..=2100;
/// Highest cost in euros (ten billion: anything above is a typing error).
pub const MAX_COST: i64 = 10_000_000_000;
/// Largest area in square metres (the Netherlands is about 41.5 billion m²).
pub const MAX_AREA: i64 = 50_000_000_000;
/// Latitudes a location may have: roughly the Netherlands' bounding box.
pub const LATITUDES: std::ops::RangeInclusive<f64> = 50.7..=53.7;
/// Longitudes a location may have.
pub const LONGITUDES: std::ops::RangeInclusive<f64> = 3.2..=7.3;

/// A theme of a practice example: the fixed list of API.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Theme(usize);

/// Every theme: its API form and its Dutch label, in the order the catalogue shows them.
const THEMES: [(&str, &str); 14] = [
    ("biodiversiteit", "Biodiversiteit"),
    ("klimaatadaptatie", "Klimaatadaptatie"),
    ("hittestress", "Hittestress"),
    ("wateroverlast", "Wateroverlast"),
    ("droogte", "Droogte"),
    ("vergroening", "Vergroening"),
    ("ontharding", "Ontharding"),
    ("groene-daken", "Groene daken"),
    ("natuurinclusief-bouwen", "Natuurinclusief bouwen"),
    ("gezondheid", "Gezondheid"),
    ("bewonersparticipatie", "Bewonersparticipatie"),
    ("beheer-en-onderhoud", "Beheer en onderhoud"),
    ("financiering", "Financiering"),
    ("beleid", "Beleid"),
];

impl Theme {
    /// Every theme, in catalogue order.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..THEMES.len()).map(Self)
    }

    /// Parses the API form (`groene-daken`); `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        THEMES.iter().position(|(s, _)| *s == value).map(Self)
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        THEMES[self.0].0
    }

    /// The Dutch label ("Groene daken").
    pub fn label_nl(self) -> &'static str {
        THEMES[self.0].1
    }
}

/// Who may see a practice example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// The members of its community.
    Community,
    /// The members of every community of its community's programme.
    Programme,
    /// Everyone, also without signing in.
    Public,
}

impl Visibility {
    /// Every visibility, narrowest first.
    pub const ALL: [Self; 3] = [Self::Community, Self::Programme, Self::Public];

    /// Parses the API form.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == value.trim())
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Community => "community",
            Self::Programme => "programme",
            Self::Public => "public",
        }
    }

    /// The Dutch label.
    pub fn label_nl(self) -> &'static str {
        match self {
            Self::Community => "Alleen mijn community",
            Self::Programme => "Alle communities van het programma",
            Self::Public => "Iedereen (openbaar)",
        }
    }
}

/// A location in WGS84 degrees, inside the Netherlands' bounding box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Location {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// A practice example as typed, before checking. `None` means "not given".
#[derive(Clone, Debug, Default)]
pub struct Draft {
    /// Title.
    pub title: String,
    /// Organisation code (checked against the organisations by the caller).
    pub organisation_code: String,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// Short summary (plain text).
    pub summary: String,
    /// Body (Markdown).
    pub body_markdown: String,
    /// Lessons learned (Markdown).
    pub lessons_learned: String,
    /// Year of the measure.
    pub year: Option<i64>,
    /// Cost in euros.
    pub cost_eur: Option<i64>,
    /// Area in square metres.
    pub area_m2: Option<i64>,
    /// Latitude and longitude.
    pub location: Option<(f64, f64)>,
    /// `community`, `programme` or `public`.
    pub visibility: String,
}

/// A checked practice example card (without its community, which the use case resolves).
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// Trimmed title of 1 to [`MAX_TITLE`] characters.
    pub title: String,
    /// Organisation code, upper case.
    pub organisation_code: String,
    /// At least one theme, without repeats, in catalogue order.
    pub themes: Vec<Theme>,
    /// Summary.
    pub summary: String,
    /// Body (Markdown).
    pub body_markdown: String,
    /// Lessons learned (Markdown).
    pub lessons_learned: String,
    /// Year.
    pub year: Option<i64>,
    /// Cost in euros.
    pub cost_eur: Option<i64>,
    /// Area in square metres.
    pub area_m2: Option<i64>,
    /// Location.
    pub location: Option<Location>,
    /// Visibility.
    pub visibility: Visibility,
}

/// One failed field: (field, Dutch message).
pub type Problem = (&'static str, &'static str);

fn too_long(value: &str, max: usize) -> bool {
    value.chars().count() > max
}

impl Card {
    /// Checks every field; every failure as (field, Dutch message). The organisation code is
    /// only checked for its form here.
    pub fn parse(d: &Draft) -> Result<Self, Vec<Problem>> {
        let mut errors = Vec::new();
        let title = d.title.trim();
        if title.is_empty() {
            errors.push(("title", "Geef het praktijkvoorbeeld een titel."));
        } else if too_long(title, MAX_TITLE) {
            errors.push(("title", "Een titel is hoogstens 200 tekens lang."));
        }
        let organisation_code = match super::OrgCode::parse(&d.organisation_code) {
            Ok(code) => code.as_str().to_string(),
            Err(_) => {
                errors.push(("organisation_code", "Kies de gemeente of organisatie."));
                String::new()
            }
        };
        let mut themes = Vec::new();
        for value in &d.themes {
            match Theme::parse(value) {
                Some(theme) => themes.push(theme),
                None => {
                    errors.push(("themes", "Kies thema's uit de lijst."));
                    break;
                }
            }
        }
        themes.sort_unstable();
        themes.dedup();
        if themes.is_empty() && !errors.iter().any(|e| e.0 == "themes") {
            errors.push(("themes", "Kies minstens één thema."));
        }
        let summary = d.summary.trim();
        if too_long(summary, MAX_SUMMARY) {
            errors.push((
                "summary",
                "Een samenvatting is hoogstens 1.000 tekens lang.",
            ));
        }
        if too_long(&d.body_markdown, MAX_TEXT) {
            errors.push((
                "body_markdown",
                "De beschrijving is hoogstens 20.000 tekens lang.",
            ));
        }
        if too_long(&d.lessons_learned, MAX_TEXT) {
            errors.push((
                "lessons_learned",
                "De lessen zijn hoogstens 20.000 tekens lang.",
            ));
        }
        if d.year.is_some_and(|y| !YEARS.contains(&y)) {
            errors.push(("year", "Vul een jaar tussen 1990 en 2100 in."));
        }
        if d.cost_eur.is_some_and(|c| !(0..=MAX_COST).contains(&c)) {
            errors.push(("cost_eur", "De kosten zijn een bedrag van 0 euro of meer."));
        }
        if d.area_m2.is_some_and(|a| !(0..=MAX_AREA).contains(&a)) {
            errors.push(("area_m2", "De oppervlakte is 0 m² of meer."));
        }
        let location = match d.location {
            None => None,
            Some((lat, lon)) => {
                if !LATITUDES.contains(&lat) {
                    errors.push((
                        "lat",
                        "Deze breedtegraad ligt niet in Nederland (50,7 tot 53,7).",
                    ));
                }
                if !LONGITUDES.contains(&lon) {
                    errors.push((
                        "lon",
                        "Deze lengtegraad ligt niet in Nederland (3,2 tot 7,3).",
                    ));
                }
                Some(Location { lat, lon })
            }
        };
        let visibility = Visibility::parse(&d.visibility).unwrap_or_else(|| {
            errors.push(("visibility", "Kies community, programme of public."));
            Visibility::Public
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            title: title.to_string(),
            organisation_code,
            themes,
            summary: summary.to_string(),
            body_markdown: d.body_markdown.trim().to_string(),
            lessons_learned: d.lessons_learned.trim().to_string(),
            year: d.year,
            cost_eur: d.cost_eur,
            area_m2: d.area_m2,
            location,
            visibility,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            title: " Groen dak op het stadskantoor ".into(),
            organisation_code: "gm0599".into(),
            themes: vec![
                "groene-daken".into(),
                "biodiversiteit".into(),
                "groene-daken".into(),
            ],
            year: Some(2023),
            cost_eur: Some(12_500),
            area_m2: Some(800),
            location: Some((51.92, 4.48)),
            visibility: "public".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn themes_round_trip_with_dutch_labels() {
        assert_eq!(Theme::all().count(), 14);
        for t in Theme::all() {
            assert_eq!(Theme::parse(t.as_str()), Some(t));
        }
        assert_eq!(
            Theme::parse("groene-daken").map(Theme::label_nl),
            Some("Groene daken")
        );
        assert_eq!(Theme::parse("Groene daken"), None);
    }

    #[test]
    fn a_valid_card_is_trimmed_and_ordered() {
        let card = Card::parse(&draft()).expect("valid");
        assert_eq!(card.title, "Groen dak op het stadskantoor");
        assert_eq!(card.organisation_code, "GM0599");
        assert_eq!(
            card.themes.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            ["biodiversiteit", "groene-daken"]
        );
        assert_eq!(card.visibility, Visibility::Public);
    }

    #[test]
    fn every_field_is_checked() {
        let bad = Draft {
            title: "x".repeat(201),
            organisation_code: "Rotterdam".into(),
            themes: vec!["tuinieren".into()],
            year: Some(1989),
            cost_eur: Some(-1),
            area_m2: Some(-5),
            location: Some((48.85, 2.35)),
            visibility: "secret".into(),
            ..Draft::default()
        };
        let fields: Vec<_> = Card::parse(&bad).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            [
                "title",
                "organisation_code",
                "themes",
                "year",
                "cost_eur",
                "area_m2",
                "lat",
                "lon",
                "visibility"
            ]
        );
        let none = Draft {
            themes: vec![],
            ..draft()
        };
        assert_eq!(
            Card::parse(&none).unwrap_err(),
            vec![("themes", "Kies minstens één thema.")]
        );
    }
}
