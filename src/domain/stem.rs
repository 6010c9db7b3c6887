//! Dutch stemming for search, done in the application so that SQLite FTS5 and PostgreSQL index
//! and query exactly the same tokens.
//!
//! Text is split into words (letters and digits), lower-cased and stripped of accents
//! ("café" → "cafe"), and each word is stemmed with Snowball Dutch. Snowball keeps a long vowel
//! doubled in a closed syllable but not in an open one: "boom" stays "boom" while "bomen" becomes
//! "bom". Like the Kraaij-Pohlmann stemmer we treat the two as one form; we do it by writing every
//! doubled vowel single ("boom" → "bom", "straat" → "strat"), so that singular and plural meet
//! (re-doubling instead would turn "daken" into "daak", away from "dak"). A few diminutives
//! ("boompje", "dakje") are reduced too.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Dutch))
}

/// Longest word that is indexed; longer runs (hashes, URLs) are cut.
const MAX_WORD: usize = 40;

/// The words of `text`, lower-cased and without accents, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let plain = deunicode::deunicode(w).to_lowercase();
            plain
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(MAX_WORD)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The search form of one lower-case ASCII word.
pub fn stem_word(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) || word.len() <= 2 {
        return word.to_string();
    }
    let word = strip_diminutive(word);
    let stemmed = stemmer().stem(word);
    undouble(&stemmed)
}

/// "boompje" → "boom", "dakje" → "dak", "bloempjes" → "bloem"; short words are left alone.
fn strip_diminutive(word: &str) -> &str {
    for suffix in ["pjes", "tjes", "pje", "tje", "jes", "je"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && stem.len() >= 3
        {
            // "pje"/"tje" follow m/n/l; "je" follows other consonants ("dakje").
            let last = stem.as_bytes()[stem.len() - 1];
            if !is_vowel(last) {
                return stem;
            }
        }
    }
    word
}

/// Every doubled vowel (aa, ee, oo, uu) becomes single: "boom" → "bom", "straat" → "strat",
/// "schoolplein" → "scholplein". Doing it everywhere, not only in the last syllable, keeps a word
/// a prefix of its compounds ("school" → "schol" still starts "scholplein").
fn undouble(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    let mut last = '\0';
    for c in stem.chars() {
        if c == last && matches!(c, 'a' | 'e' | 'o' | 'u') {
            continue;
        }
        out.push(c);
        last = c;
    }
    out
}

/// The stemmed tokens of `text`, space-separated: what is indexed and what a query is matched on.
pub fn stem_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&stem_word(&word));
    }
    out
}

/// The distinct stemmed terms of a query, in order, at most 8.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in words(query) {
        let term = stem_word(&word);
        if !terms.contains(&term) {
            terms.push(term);
        }
        if terms.len() == 8 {
            break;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_and_singular_meet() {
        assert_eq!(stem_word("bomen"), stem_word("boom"));
        assert_eq!(stem_word("daken"), stem_word("dak"));
        assert_eq!(stem_word("groene"), stem_word("groen"));
        assert_eq!(stem_word("straten"), stem_word("straat"));
        assert_eq!(stem_word("wadi's".split('\'').next().unwrap_or("")), "wadi");
        assert_eq!(stem_word("grote"), stem_word("groot"));
        assert_eq!(stem_word("daken"), "dak");
    }

    #[test]
    fn diminutives_meet_their_word() {
        assert_eq!(stem_word("boompje"), stem_word("boom"));
        assert_eq!(stem_word("dakje"), stem_word("dak"));
    }

    #[test]
    fn text_is_tokenised_without_accents() {
        assert_eq!(stem_text("Groene daken!"), "groen dak");
        assert_eq!(stem_text("Café"), stem_text("cafe"));
        assert_eq!(stem_text("  "), "");
        assert_eq!(query_terms("groene daken groen"), vec!["groen", "dak"]);
    }

    #[test]
    fn numbers_and_short_words_stay() {
        assert_eq!(stem_word("2027"), "2027");
        assert_eq!(stem_word("co2"), "co2");
        assert_eq!(stem_word("ik"), "ik");
    }

    #[test]
    fn doubled_vowels_are_single_everywhere() {
        assert_eq!(undouble("boom"), "bom");
        assert_eq!(undouble("vriend"), "vriend");
        assert_eq!(undouble("schoolplein"), "scholplein");
        assert!(stem_word("schoolpleinen").starts_with(&stem_word("school")));
    }
}
