//! Ranking the slots of a date poll: most "yes", then most "maybe", then the earliest.

use chrono::{DateTime, Utc};

/// The tally of one slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Option id.
    pub id: String,
    /// Start of the slot.
    pub starts_at: DateTime<Utc>,
    /// "Yes" answers.
    pub yes: i64,
    /// "Maybe" answers.
    pub maybe: i64,
    /// "No" answers.
    pub no: i64,
}

/// The best slot: most yes, then most maybe, then earliest (then the lowest id, so ties are stable).
pub fn best(tallies: &[Tally]) -> Option<&Tally> {
    tallies.iter().min_by(|a, b| {
        b.yes
            .cmp(&a.yes)
            .then(b.maybe.cmp(&a.maybe))
            .then(a.starts_at.cmp(&b.starts_at))
            .then(a.id.cmp(&b.id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(id: &str, day: u32, yes: i64, maybe: i64) -> Tally {
        Tally {
            id: id.into(),
            starts_at: Utc.with_ymd_and_hms(2027, 3, day, 13, 0, 0).unwrap(),
            yes,
            maybe,
            no: 0,
        }
    }

    #[test]
    fn most_yes_wins() {
        assert_eq!(best(&[t("a", 1, 2, 5), t("b", 2, 3, 0)]).unwrap().id, "b");
    }

    #[test]
    fn ties_go_to_most_maybe_then_earliest() {
        assert_eq!(best(&[t("a", 1, 3, 1), t("b", 2, 3, 2)]).unwrap().id, "b");
        assert_eq!(
            best(&[t("late", 9, 3, 2), t("early", 2, 3, 2)]).unwrap().id,
            "early"
        );
        assert!(best(&[]).is_none());
    }
}
