//! Notes and comments: what a note must hold (title, Markdown body, tags, visibility), what a
//! comment must hold, and who an `@name` in a text mentions.

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest note body (Markdown), in characters.
pub const MAX_BODY: usize = 100_000;
/// Longest comment (Markdown), in characters.
pub const MAX_COMMENT: usize = 10_000;
/// Most tags on one note.
pub const MAX_TAGS: usize = 10;
/// Longest tag, in characters.
pub const MAX_TAG: usize = 40;

/// Who sees a note.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Visibility {
    /// The members of the note's community.
    #[default]
    Community,
    /// The members of every community of the programme the note's community belongs to.
    Programme,
}

impl Visibility {
    /// Parses the stored and API form (`community`, `programme`).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "community" => Some(Self::Community),
            "programme" => Some(Self::Programme),
            _ => None,
        }
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Community => "community",
            Self::Programme => "programme",
        }
    }

    /// The Dutch label.
    pub fn label_nl(self) -> &'static str {
        match self {
            Self::Community => "Alleen deze community",
            Self::Programme => "Alle communities van het programma",
        }
    }
}

/// Parses one tag: a leading `#` is dropped, accents are folded to ASCII (`ideeën` → `ideeen`)
/// and letters lower-cased; what remains must be 1–40 of `a-z`, `0-9` and inner hyphens.
pub fn parse_tag(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_start_matches('#');
    let tag = deunicode::deunicode(trimmed).to_ascii_lowercase();
    let valid = !tag.is_empty()
        && tag.chars().count() <= MAX_TAG
        && !tag.starts_with('-')
        && !tag.ends_with('-')
        && tag
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    valid.then_some(tag)
}

/// Splits what someone typed in a form's tag field ("hittestress, wadi bomen") into tags.
pub fn split_tags(input: &str) -> Vec<String> {
    input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// A checked note: a trimmed title of 1 to [`MAX_TITLE`] characters, a body of at most
/// [`MAX_BODY`] characters (it may be empty), at most [`MAX_TAGS`] distinct tags, a visibility.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteText {
    /// Title.
    pub title: String,
    /// Body (Markdown), trimmed at the end.
    pub body: String,
    /// Distinct tags in the order given.
    pub tags: Vec<String>,
    /// Who sees it.
    pub visibility: Visibility,
}

impl NoteText {
    /// Checks every part; every failure as (field, Dutch message).
    pub fn parse(
        title: &str,
        body: &str,
        tags: &[String],
        visibility: &str,
    ) -> Result<Self, Vec<(&'static str, &'static str)>> {
        let title = title.trim();
        let body = body.trim_end();
        let mut errors = Vec::new();
        if title.is_empty() {
            errors.push(("title", "Geef de notitie een titel."));
        } else if title.chars().count() > MAX_TITLE {
            errors.push(("title", "Een titel is hoogstens 200 tekens lang."));
        }
        if body.chars().count() > MAX_BODY {
            errors.push((
                "body_markdown",
                "Een notitie is hoogstens 100.000 tekens lang.",
            ));
        }
        let mut parsed: Vec<String> = Vec::new();
        let mut bad_tag = false;
        for raw in tags.iter().filter(|t| !t.trim().is_empty()) {
            match parse_tag(raw) {
                Some(tag) if !parsed.contains(&tag) => parsed.push(tag),
                Some(_) => {}
                None => bad_tag = true,
            }
        }
        if bad_tag {
            errors.push((
                "tags",
                "Een tag is één woord van hoogstens 40 letters, cijfers of streepjes, zoals hittestress of groene-daken.",
            ));
        } else if parsed.len() > MAX_TAGS {
            errors.push(("tags", "Geef een notitie hoogstens 10 tags."));
        }
        let visibility = Visibility::parse(visibility).unwrap_or_else(|| {
            errors.push((
                "visibility",
                "Kies wie de notitie ziet: community of programme.",
            ));
            Visibility::Community
        });
        if errors.is_empty() {
            Ok(Self {
                title: title.to_string(),
                body: body.to_string(),
                tags: parsed,
                visibility,
            })
        } else {
            Err(errors)
        }
    }
}

/// Checks a comment: 1 to [`MAX_COMMENT`] characters after trimming; (field, Dutch message) else.
pub fn parse_comment(body: &str) -> Result<String, (&'static str, &'static str)> {
    let body = body.trim();
    if body.is_empty() {
        Err(("body_markdown", "Schrijf eerst je reactie."))
    } else if body.chars().count() > MAX_COMMENT {
        Err((
            "body_markdown",
            "Een reactie is hoogstens 10.000 tekens lang.",
        ))
    } else {
        Ok(body.to_string())
    }
}

/// The first `max` characters of a Markdown text as plain text on one line, with `…` when cut.
pub fn excerpt(markdown: &str, max: usize) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // Inline markup ends inside a word or sentence; blocks end with a space.
            Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > max {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        text
    }
}

/// True when `text` starts with `prefix`, ignoring case; returns the rest.
fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let mut rest = text.char_indices();
    let mut end = 0;
    for p in prefix.chars() {
        let (at, c) = rest.next()?;
        if !c.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
        end = at + c.len_utf8();
    }
    Some(&text[end..])
}

fn ends_word(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
}

/// Who `text` mentions among `people` (id, display name), in order of first mention, each once.
///
/// The rule: an `@` at the start of the text or after a character that is not a letter or digit
/// (so `anna@tiel.nl` mentions nobody), followed by either
/// - a person's whole display name, ignoring case (`@Anna de Vries`; the longest name wins), or
/// - a first name that exactly one of `people` has, ignoring case (`@anna`).
///
/// Anything else (`@Anna` when there are two Anna's, `@niemand`) mentions nobody.
pub fn mentions<'p>(text: &str, people: &'p [(String, String)]) -> Vec<&'p str> {
    let mut found: Vec<&'p str> = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts = c == '@' && previous.is_none_or(|p| !p.is_alphanumeric() && p != '@');
        previous = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[at + 1..];
        let by_name = people
            .iter()
            .filter(|(_, name)| strip_prefix_ci(rest, name).is_some_and(ends_word))
            .max_by_key(|(_, name)| name.chars().count());
        let id = by_name.map(|(id, _)| id.as_str()).or_else(|| {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '\'')
                .collect();
            if word.is_empty() {
                return None;
            }
            let mut same = people.iter().filter(|(_, name)| {
                name.split_whitespace()
                    .next()
                    .is_some_and(|first| strip_prefix_ci(first, &word) == Some(""))
            });
            match (same.next(), same.next()) {
                (Some((id, _)), None) => Some(id.as_str()),
                _ => None,
            }
        });
        if let Some(id) = id
            && !found.contains(&id)
        {
            found.push(id);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<(String, String)> {
        [
            ("1", "Anna de Vries"),
            ("2", "Bram Bakker"),
            ("3", "Bram Jansen"),
            ("4", "Anna"),
            ("5", "Élise van Dam"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn mentions_by_full_name_or_unique_first_name() {
        let p = people();
        assert_eq!(mentions("Vraag aan @Anna de Vries: hoe?", &p), ["1"]);
        assert_eq!(mentions("@anna de vries en @élise", &p), ["1", "5"]);
        // Two Brams: the first name alone is ambiguous, the full name is not.
        assert!(mentions("@Bram weet het", &p).is_empty());
        assert_eq!(mentions("@bram jansen, @Bram Jansen!", &p), ["3"]);
        // "@Anna" is the whole name of person 4 (the longest whole name wins over a first name).
        assert_eq!(mentions("Dank @Anna.", &p), ["4"]);
        assert!(mentions("mail anna@tiel.nl of @@Bram Bakker", &p).is_empty());
        assert!(mentions("@niemand @ @Bram Bakkerij", &p).is_empty());
        assert_eq!(mentions("(@Bram Bakker)", &p), ["2"]);
    }

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(
            excerpt(
                "# Kop\n\nMet **vet** en [een link](https://x.nl).\n\n- punt",
                300
            ),
            "Kop Met vet en een link. punt"
        );
        let long = excerpt(&"woord ".repeat(100), 300);
        assert!(long.ends_with('…') && long.chars().count() <= 300, "{long}");
    }

    #[test]
    fn tags_are_folded_words() {
        assert_eq!(parse_tag(" #Hittestress "), Some("hittestress".into()));
        assert_eq!(parse_tag("ideeën"), Some("ideeen".into()));
        assert_eq!(parse_tag("groene-daken"), Some("groene-daken".into()));
        assert_eq!(parse_tag("groene daken"), None);
        assert_eq!(parse_tag("-x"), None);
        assert_eq!(parse_tag(&"a".repeat(41)), None);
        assert_eq!(
            split_tags("wadi, bomen;hitte  x"),
            ["wadi", "bomen", "hitte", "x"]
        );
    }

    #[test]
    fn notes_are_checked() {
        let tags = vec![
            "Wadi".to_string(),
            "wadi".into(),
            " ".into(),
            "bomen".into(),
        ];
        let ok = NoteText::parse(" Wadi's ", "tekst\n\n", &tags, "programme").expect("valid");
        assert_eq!(ok.title, "Wadi's");
        assert_eq!(ok.body, "tekst");
        assert_eq!(ok.tags, ["wadi", "bomen"]);
        assert_eq!(ok.visibility, Visibility::Programme);
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        let errors = NoteText::parse("", &"x".repeat(MAX_BODY + 1), &many, "iedereen").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0).collect();
        assert_eq!(fields, ["title", "body_markdown", "tags", "visibility"]);
        assert!(parse_comment("  ").is_err());
        assert_eq!(parse_comment(" ok "), Ok("ok".into()));
    }
}
