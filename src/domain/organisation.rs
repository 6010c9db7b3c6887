//! Organisation codes and kinds (CBS-style codes such as `GM0363` and `PV27`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// An organisation code: two capital letters and two to six digits (`GM0363`, `PV27`, `WS0155`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrgCode(String);

impl OrgCode {
    /// Parses a code, accepting lower case input.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_ascii_uppercase();
        if !value.is_ascii() {
            return Err(
                "Een organisatiecode bestaat uit twee letters en twee tot zes cijfers, zoals GM0363.",
            );
        }
        let (letters, digits) = value.split_at(value.len().min(2));
        if letters.len() == 2
            && letters.chars().all(|c| c.is_ascii_uppercase())
            && (2..=6).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
        {
            Ok(Self(value))
        } else {
            Err(
                "Een organisatiecode bestaat uit twee letters en twee tot zes cijfers, zoals GM0363.",
            )
        }
    }

    /// The code as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of body an organisation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A municipality (gemeente).
    Municipality,
    /// A province (provincie).
    Province,
    /// A water board (waterschap).
    WaterBoard,
    /// Anything else.
    Other,
}

impl OrgKind {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Municipality => "municipality",
            Self::Province => "province",
            Self::WaterBoard => "water_board",
            Self::Other => "other",
        }
    }

    /// Parses the stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "municipality" => Self::Municipality,
            "province" => Self::Province,
            "water_board" => Self::WaterBoard,
            "other" => Self::Other,
            _ => return None,
        })
    }

    /// Dutch label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Municipality => "gemeente",
            Self::Province => "provincie",
            Self::WaterBoard => "waterschap",
            Self::Other => "overig",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes() {
        assert_eq!(OrgCode::parse("gm0363").unwrap().as_str(), "GM0363");
        assert_eq!(OrgCode::parse("PV27").unwrap().as_str(), "PV27");
        for bad in [
            "",
            "G0363",
            "GM",
            "GM1234567",
            "0363GM",
            "GM03A3",
            "aé12",
            "é",
        ] {
            assert!(OrgCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            OrgKind::Municipality,
            OrgKind::Province,
            OrgKind::WaterBoard,
            OrgKind::Other,
        ] {
            assert_eq!(OrgKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(OrgKind::parse("gemeente"), None);
    }
}
