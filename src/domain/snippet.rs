//! Search snippets: a short stretch of a result's text around the first match, HTML-escaped,
//! with every word whose stem is a query term wrapped in `<mark>`.

use super::stem;

/// Characters of context before the first match.
const BEFORE: usize = 60;

/// Markdown punctuation that means nothing in a snippet.
fn is_markup(c: char) -> bool {
    matches!(c, '#' | '*' | '_' | '`' | '>' | '[' | ']' | '|' | '~')
}

/// The text without Markdown punctuation and with whitespace collapsed.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || is_markup(c) {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

fn matches(word: &str, terms: &[String]) -> bool {
    stem::words(word)
        .next()
        .is_some_and(|w| terms.contains(&stem::stem_word(&w)))
}

/// At most `max` characters of `text` (plus "…" marks) around the first word matching one of
/// the stemmed `terms`, as safe HTML with the matching words marked.
pub fn snippet(text: &str, terms: &[String], max: usize) -> String {
    let text = plain(text);
    // Words with their byte ranges.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    let first = words
        .iter()
        .find(|(s, e)| matches(&text[*s..*e], terms))
        .map_or(0, |(s, _)| *s);
    // Start at a word boundary up to BEFORE characters before the first match.
    let from = if text[..first].chars().count() <= BEFORE {
        0
    } else {
        words
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| *s <= first && text[*s..first].chars().count() <= BEFORE)
            .min()
            .unwrap_or(first)
    };
    let mut end = text[from..]
        .char_indices()
        .nth(max)
        .map_or(text.len(), |(i, _)| from + i);
    // Don't cut a word in half.
    if end < text.len()
        && let Some((s, _)) = words.iter().find(|(s, e)| *s < end && end < *e)
        && *s > from
    {
        end = *s;
    }
    let mut out = String::with_capacity((end - from) + 32);
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for (s, e) in words.iter().filter(|(s, e)| *s >= from && *e <= end) {
        escape_into(&mut out, &text[at..*s]);
        let word = &text[*s..*e];
        if matches(word, terms) {
            out.push_str("<mark>");
            escape_into(&mut out, word);
            out.push_str("</mark>");
        } else {
            escape_into(&mut out, word);
        }
        at = *e;
    }
    escape_into(&mut out, &text[at..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<String> {
        stem::query_terms(q)
    }

    #[test]
    fn marks_word_forms_of_the_query() {
        let s = snippet(
            "Wij leggen een groen dak aan op het stadhuis.",
            &terms("groene daken"),
            200,
        );
        assert_eq!(
            s,
            "Wij leggen een <mark>groen</mark> <mark>dak</mark> aan op het stadhuis."
        );
    }

    #[test]
    fn escapes_everything_else() {
        let s = snippet(
            "<script>alert('boom')</script> **bomen**",
            &terms("boom"),
            200,
        );
        assert!(!s.contains("<script"), "{s}");
        assert!(s.starts_with("&lt;script"), "{s}");
        assert!(
            s.contains("<mark>boom</mark>") && s.contains("<mark>bomen</mark>"),
            "{s}"
        );
    }

    #[test]
    fn cuts_around_the_first_match() {
        let long = format!(
            "{} hittestress in de wijk {}",
            "woord ".repeat(50),
            "eind ".repeat(50)
        );
        let s = snippet(&long, &terms("hittestress"), 80);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>hittestress</mark>"), "{s}");
        assert!(s.chars().count() <= 80 + 2 + "<mark></mark>".len(), "{s}");
    }

    #[test]
    fn without_a_match_shows_the_start() {
        assert_eq!(
            snippet("Kort verhaal", &terms("regen"), 200),
            "Kort verhaal"
        );
    }
}
