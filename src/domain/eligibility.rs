//! Who may join a community: organisation kind, population bounds, membership of the association
//! or participation in the programme, and the registration window.

use chrono::{DateTime, Utc};

use super::OrgKind;

/// A community's rules.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Organisation kinds that may join.
    pub kinds: Vec<OrgKind>,
    /// Fewest inhabitants (inclusive).
    pub min_population: Option<i64>,
    /// Most inhabitants (inclusive).
    pub max_population: Option<i64>,
    /// Only association members and programme participants.
    pub require_member_or_participant: bool,
    /// Registration opens.
    pub opens_at: Option<DateTime<Utc>>,
    /// Last instant a registration is accepted (inclusive, to the second).
    pub deadline: Option<DateTime<Utc>>,
}

/// What is known about the registrant's organisation.
#[derive(Clone, Debug)]
pub struct Applicant {
    /// Kind.
    pub kind: OrgKind,
    /// Inhabitants.
    pub population: Option<i64>,
    /// Member of the association.
    pub association_member: bool,
    /// Participant of the community's programme.
    pub programme_participant: bool,
}

/// Why an organisation does not fit a community.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misfit {
    /// Neither association member nor programme participant.
    NotMemberOrParticipant,
    /// Wrong kind of organisation.
    Kind,
    /// Population outside the bounds.
    Population,
}

impl Rules {
    /// True when the kind and population fit, whatever the membership.
    pub fn fits_shape(&self, applicant: &Applicant) -> bool {
        let open = Self {
            require_member_or_participant: false,
            ..self.clone()
        };
        open.check(applicant).is_ok()
    }

    /// Checks everything except the window.
    pub fn check(&self, applicant: &Applicant) -> Result<(), Misfit> {
        if self.require_member_or_participant
            && !applicant.association_member
            && !applicant.programme_participant
        {
            return Err(Misfit::NotMemberOrParticipant);
        }
        if !self.kinds.contains(&applicant.kind) {
            return Err(Misfit::Kind);
        }
        let population = applicant.population.unwrap_or(0);
        if self.min_population.is_some_and(|min| population < min)
            || self.max_population.is_some_and(|max| population > max)
        {
            return Err(Misfit::Population);
        }
        Ok(())
    }

    /// True while registration is open at `now` (the deadline itself is still open).
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_none_or(|o| now >= o) && self.deadline.is_none_or(|d| now <= d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn small() -> Rules {
        Rules {
            kinds: vec![OrgKind::Municipality],
            min_population: None,
            max_population: Some(49_999),
            require_member_or_participant: true,
            opens_at: None,
            deadline: None,
        }
    }

    fn applicant(population: i64, member: bool) -> Applicant {
        Applicant {
            kind: OrgKind::Municipality,
            population: Some(population),
            association_member: member,
            programme_participant: false,
        }
    }

    #[test]
    fn checks_membership_kind_and_bounds() {
        assert_eq!(small().check(&applicant(971, true)), Ok(()));
        assert_eq!(small().check(&applicant(49_999, true)), Ok(()));
        assert_eq!(
            small().check(&applicant(50_000, true)),
            Err(Misfit::Population)
        );
        assert_eq!(
            small().check(&applicant(971, false)),
            Err(Misfit::NotMemberOrParticipant)
        );
        let mut province = applicant(971, true);
        province.kind = OrgKind::Province;
        assert_eq!(small().check(&province), Err(Misfit::Kind));
    }

    #[test]
    fn window_is_inclusive_to_the_second() {
        let deadline = Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap();
        let rules = Rules {
            deadline: Some(deadline),
            opens_at: Some(deadline - chrono::Duration::days(30)),
            ..small()
        };
        assert!(rules.is_open(deadline));
        assert!(rules.is_open(deadline - chrono::Duration::seconds(1)));
        assert!(!rules.is_open(deadline + chrono::Duration::seconds(1)));
        assert!(
            !rules.is_open(deadline - chrono::Duration::days(30) - chrono::Duration::seconds(1))
        );
    }
}
