//! Topics of the content agenda: their statuses and what a proposal must hold.

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest description (Markdown), in characters.
pub const MAX_DESCRIPTION: usize = 10_000;

/// Where a topic stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopicStatus {
    /// Proposed; members vote on it.
    Open,
    /// On the agenda of a meeting.
    Scheduled,
    /// On the agenda of a meeting whose minutes are published.
    Discussed,
    /// Closed by a facilitator.
    Closed,
}

impl TopicStatus {
    /// Every status, in the order of a topic's life.
    pub const ALL: [Self; 4] = [Self::Open, Self::Scheduled, Self::Discussed, Self::Closed];

    /// Parses the stored and API form (`open`, `scheduled`, `discussed`, `closed`).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Scheduled => "scheduled",
            Self::Discussed => "discussed",
            Self::Closed => "closed",
        }
    }

    /// The Dutch label.
    pub fn label_nl(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Scheduled => "Ingepland",
            Self::Discussed => "Besproken",
            Self::Closed => "Gesloten",
        }
    }

    /// True when a facilitator may set this status by hand. A topic becomes `scheduled` only by
    /// linking it to an agenda item, so the status never claims a meeting that does not exist.
    pub fn settable_by_hand(self) -> bool {
        self != Self::Scheduled
    }
}

/// A checked proposal: a trimmed title of 1 to [`MAX_TITLE`] characters and a trimmed description
/// of at most [`MAX_DESCRIPTION`] characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicText {
    /// Title.
    pub title: String,
    /// Description (Markdown), possibly empty.
    pub description: String,
}

impl TopicText {
    /// Checks title and description; every failure as (field, Dutch message).
    pub fn parse(
        title: &str,
        description: &str,
    ) -> Result<Self, Vec<(&'static str, &'static str)>> {
        let (title, description) = (title.trim(), description.trim());
        let mut errors = Vec::new();
        if title.is_empty() {
            errors.push(("title", "Geef het onderwerp een titel."));
        } else if title.chars().count() > MAX_TITLE {
            errors.push(("title", "Een titel is hoogstens 200 tekens lang."));
        }
        if description.chars().count() > MAX_DESCRIPTION {
            errors.push((
                "description",
                "Een toelichting is hoogstens 10.000 tekens lang.",
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                title: title.to_string(),
                description: description.to_string(),
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_have_dutch_labels() {
        for s in TopicStatus::ALL {
            assert_eq!(TopicStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TopicStatus::parse("Open"), None);
        assert_eq!(TopicStatus::Scheduled.label_nl(), "Ingepland");
        assert!(!TopicStatus::Scheduled.settable_by_hand());
        assert!(TopicStatus::Closed.settable_by_hand());
    }

    #[test]
    fn proposals_need_a_title_and_stay_short() {
        let ok = TopicText::parse("  Beheer van wadi's ", "\n").expect("valid");
        assert_eq!(ok.title, "Beheer van wadi's");
        assert_eq!(ok.description, "");
        assert_eq!(
            TopicText::parse("   ", "").unwrap_err(),
            vec![("title", "Geef het onderwerp een titel.")]
        );
        let long = "é".repeat(MAX_TITLE);
        assert!(TopicText::parse(&long, "").is_ok());
        let errors =
            TopicText::parse(&format!("{long}x"), &"x".repeat(MAX_DESCRIPTION + 1)).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.0).collect::<Vec<_>>(),
            ["title", "description"]
        );
    }
}
