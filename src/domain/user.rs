//! Values that describe a person: name, work domains, notification preference.

use serde::{Deserialize, Serialize};

/// A display name: 1–120 characters after trimming, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Parses a name.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim();
        if value.is_empty() {
            return Err("Vul een naam in.");
        }
        if value.chars().count() > 120 {
            return Err("Een naam heeft hoogstens 120 tekens.");
        }
        if value.chars().any(char::is_control) {
            return Err("Een naam mag geen regeleinden of stuurtekens bevatten.");
        }
        Ok(Self(value.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The work domains of the programme's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkDomain {
    /// Policy.
    Beleid,
    /// Ecology.
    Ecologie,
    /// Nature.
    Natuur,
    /// Biodiversity.
    Biodiversiteit,
    /// Health.
    Gezondheid,
    /// Execution and maintenance.
    Uitvoering,
    /// Anything else.
    Overig,
}

impl WorkDomain {
    /// Every domain in display order.
    pub const ALL: [Self; 7] = [
        Self::Beleid,
        Self::Ecologie,
        Self::Natuur,
        Self::Biodiversiteit,
        Self::Gezondheid,
        Self::Uitvoering,
        Self::Overig,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beleid => "beleid",
            Self::Ecologie => "ecologie",
            Self::Natuur => "natuur",
            Self::Biodiversiteit => "biodiversiteit",
            Self::Gezondheid => "gezondheid",
            Self::Uitvoering => "uitvoering",
            Self::Overig => "overig",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// Dutch label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Beleid => "Beleid",
            Self::Ecologie => "Ecologie",
            Self::Natuur => "Natuur",
            Self::Biodiversiteit => "Biodiversiteit",
            Self::Gezondheid => "Gezondheid",
            Self::Uitvoering => "Uitvoering en beheer",
            Self::Overig => "Overig",
        }
    }

    /// Joins domains for storage (comma-separated, in vocabulary order, without duplicates).
    pub fn join(domains: &[Self]) -> String {
        Self::ALL
            .into_iter()
            .filter(|d| domains.contains(d))
            .map(Self::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Splits a stored list, skipping anything unknown.
    pub fn split(stored: &str) -> Vec<Self> {
        stored.split(',').filter_map(Self::parse).collect()
    }
}

/// How often a member wants notification e-mail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationFrequency {
    /// One e-mail per event.
    Instant,
    /// A daily digest.
    Daily,
    /// A weekly digest.
    #[default]
    Weekly,
    /// No notification e-mail.
    Off,
}

impl NotificationFrequency {
    /// Every value in display order.
    pub const ALL: [Self; 4] = [Self::Instant, Self::Daily, Self::Weekly, Self::Off];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Off => "off",
        }
    }

    /// Parses the stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// Dutch label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Instant => "Direct, per bericht",
            Self::Daily => "Eén keer per dag",
            Self::Weekly => "Eén keer per week",
            Self::Off => "Geen e-mail",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_store_in_vocabulary_order() {
        let joined =
            WorkDomain::join(&[WorkDomain::Overig, WorkDomain::Beleid, WorkDomain::Beleid]);
        assert_eq!(joined, "beleid,overig");
        assert_eq!(
            WorkDomain::split("beleid,onbekend,overig"),
            vec![WorkDomain::Beleid, WorkDomain::Overig]
        );
        assert!(WorkDomain::split("").is_empty());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Anna de Vries ").unwrap().as_str(),
            "Anna de Vries"
        );
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"a".repeat(121)).is_err());
        assert!(PersonName::parse("a\nb").is_err());
    }
}
