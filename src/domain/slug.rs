//! Slugs: the URL names of programmes and communities.

use std::fmt;

/// `[a-z0-9-]{2,64}`, not starting or ending with a hyphen.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim();
        let ok = (2..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(
                "Een korte naam bestaat uit 2 tot 64 kleine letters, cijfers en streepjes, zoals groene-stad-klein.",
            )
        }
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn parses_slugs() {
        assert!(Slug::parse("groene-stad-2027").is_ok());
        for bad in ["a", "-ab", "ab-", "Groot", "a_b", "a b", &"a".repeat(65)] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }
}
