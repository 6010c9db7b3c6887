//! The community settings form: its fields as typed, local dates and times, and the mapping of
//! the API's field errors onto the form's inputs.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
    Utc,
};
use chrono_tz::Tz;
use serde::Deserialize;

use super::super::FormErrors;
use crate::api::communities::{CommunityIn, EligibilityIn};
use crate::db::communities::{Community, Settings};
use crate::domain::OrgKind;
use crate::error::{Error, FieldError, Result};

/// The organisation kinds offered as checkboxes, in this order.
pub const KINDS: [OrgKind; 4] = [
    OrgKind::Municipality,
    OrgKind::Province,
    OrgKind::WaterBoard,
    OrgKind::Other,
];

/// The community form as the browser sends it: every value as typed, so it can be shown again.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommunityForm {
    /// URL name (new communities only).
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Programme slug, empty for none.
    pub programme: String,
    /// Seats.
    pub capacity: String,
    /// Seats per organisation, empty for no cap.
    pub max_per_organisation: String,
    /// Opening date (`YYYY-MM-DD`).
    pub opens_date: String,
    /// Opening time (`HH:MM`).
    pub opens_time: String,
    /// Deadline date.
    pub deadline_date: String,
    /// Deadline time.
    pub deadline_time: String,
    /// `automatic` or `manual`.
    pub approval: String,
    /// Checked organisation kinds.
    pub kinds: Vec<String>,
    /// Fewest inhabitants.
    pub min_population: String,
    /// Most inhabitants.
    pub max_population: String,
    /// The member-or-participant checkbox (`on` when checked).
    pub restricted: Option<String>,
    /// Meetings a year.
    pub meetings_per_year: String,
    /// Site visits a year.
    pub site_visits_per_year: String,
}

impl CommunityForm {
    /// The form for a new community, with kring's defaults.
    pub fn new_community() -> Self {
        Self {
            capacity: "25".into(),
            approval: "automatic".into(),
            kinds: vec![OrgKind::Municipality.as_str().into()],
            restricted: Some("on".into()),
            meetings_per_year: "3".into(),
            site_visits_per_year: "1".into(),
            ..Self::default()
        }
    }

    /// The form filled with a community's settings, times in the display time zone.
    pub fn of(c: &Community, tz: Tz) -> Self {
        let (opens_date, opens_time) = local_parts(c.registration_opens_at, tz);
        let (deadline_date, deadline_time) = local_parts(c.registration_deadline, tz);
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        Self {
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            programme: c.programme_slug.clone().unwrap_or_default(),
            capacity: c.capacity.to_string(),
            max_per_organisation: number(c.max_per_organisation),
            opens_date,
            opens_time,
            deadline_date,
            deadline_time,
            approval: c.approval.clone(),
            kinds: c.kinds().iter().map(|k| k.as_str().to_string()).collect(),
            min_population: number(c.min_population),
            max_population: number(c.max_population),
            restricted: c.require_member_or_participant.then(|| "on".into()),
            meetings_per_year: c.meetings_per_year.to_string(),
            site_visits_per_year: c.site_visits_per_year.to_string(),
        }
    }

    /// True when this kind is checked.
    pub fn has_kind(&self, kind: &OrgKind) -> bool {
        self.kinds.iter().any(|k| k == kind.as_str())
    }

    /// True when the member-or-participant rule is checked.
    pub fn is_restricted(&self) -> bool {
        self.restricted.is_some()
    }

    /// The API input for these values; what does not parse (numbers, dates, times) becomes a
    /// field error and is left out, so the caller must not save when `errors` is not empty.
    pub fn to_input(&self, tz: Tz, errors: &mut FormErrors) -> CommunityIn {
        let slug = Some(self.slug.trim().to_string()).filter(|s| !s.is_empty());
        let required = |value: &str, field: &str, errors: &mut FormErrors| {
            if value.trim().is_empty() {
                errors.add(field, "Vul een aantal in.");
                None
            } else {
                number(value, field, errors).flatten()
            }
        };
        let kinds = self
            .kinds
            .iter()
            .filter_map(|k| OrgKind::parse(k))
            .collect();
        CommunityIn {
            slug,
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            programme: Some(Some(self.programme.trim().to_string()).filter(|p| !p.is_empty())),
            capacity: required(&self.capacity, "capacity", errors),
            max_per_organisation: number(
                &self.max_per_organisation,
                "max_per_organisation",
                errors,
            ),
            registration_opens_at: instant(
                &self.opens_date,
                &self.opens_time,
                "opens",
                NaiveTime::MIN,
                tz,
                errors,
            ),
            registration_deadline: instant(
                &self.deadline_date,
                &self.deadline_time,
                "deadline",
                end_of_day(),
                tz,
                errors,
            ),
            approval: Some(self.approval.clone()),
            eligibility: Some(EligibilityIn {
                organisation_kinds: Some(kinds),
                min_population: number(&self.min_population, "min_population", errors),
                max_population: number(&self.max_population, "max_population", errors),
                require_member_or_participant: Some(self.is_restricted()),
            }),
            meetings_per_year: required(&self.meetings_per_year, "meetings_per_year", errors),
            site_visits_per_year: required(
                &self.site_visits_per_year,
                "site_visits_per_year",
                errors,
            ),
        }
    }
}

/// The current settings of a community, as the starting point for changes.
pub fn settings_of(c: &Community) -> Settings {
    Settings {
        name: c.name.clone(),
        description: c.description.clone(),
        programme_id: c.programme_id.clone(),
        capacity: c.capacity,
        max_per_organisation: c.max_per_organisation,
        registration_opens_at: c.registration_opens_at,
        registration_deadline: c.registration_deadline,
        approval: c.approval.clone(),
        organisation_kinds: c.kinds(),
        min_population: c.min_population,
        max_population: c.max_population,
        require_member_or_participant: c.require_member_or_participant,
        meetings_per_year: c.meetings_per_year,
        site_visits_per_year: c.site_visits_per_year,
    }
}

/// Turns a validation error (or a taken slug) of the shared community logic into form errors on
/// this form's inputs; any other error is passed on.
pub fn form_errors(error: Error) -> Result<FormErrors> {
    match error {
        Error::Validation { errors, .. } => Ok(FormErrors(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: input_id(&e.field).to_string(),
                    ..e
                })
                .collect(),
        )),
        Error::Refused { code, detail, .. } if code.ends_with("_exists") => {
            let mut errors = FormErrors::default();
            errors.add("slug", detail);
            Ok(errors)
        }
        other => Err(other),
    }
}

/// The form input that shows an API field's error.
fn input_id(api_field: &str) -> &str {
    match api_field {
        "registration_opens_at" => "opens_date",
        "registration_deadline" => "deadline_date",
        "approval" => "approval-automatic",
        "eligibility.organisation_kinds" => "kind-municipality",
        "eligibility.min_population" => "min_population",
        "eligibility.max_population" => "max_population",
        "eligibility.require_member_or_participant" => "restricted",
        other => other,
    }
}

/// A whole number as typed (thousands separated by dots or spaces allowed); empty is `Some(None)`,
/// anything else that does not parse is a field error and `None`.
fn number(value: &str, field: &str, errors: &mut FormErrors) -> Option<Option<i64>> {
    let digits: String = value
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '_' | '\u{a0}'))
        .collect();
    if digits.is_empty() {
        return Some(None);
    }
    match digits.parse::<i64>() {
        Ok(n) if n >= 0 => Some(Some(n)),
        _ => {
            errors.add(field, "Vul een heel getal in, zonder letters of komma's.");
            None
        }
    }
}

fn end_of_day() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
}

/// A local date and time in `tz` as an instant. Both empty is `Some(None)` (no value); a missing
/// time means `default_time`. A time that does not exist (the hour skipped when summer time
/// starts) is a field error; a time that exists twice (when it ends) is the earlier instant.
pub(crate) fn instant(
    date: &str,
    time: &str,
    prefix: &str,
    default_time: NaiveTime,
    tz: Tz,
    errors: &mut FormErrors,
) -> Option<Option<DateTime<FixedOffset>>> {
    let (date, time) = (date.trim(), time.trim());
    let date_field = format!("{prefix}_date");
    let time_field = format!("{prefix}_time");
    if date.is_empty() {
        if !time.is_empty() {
            errors.add(&date_field, "Vul ook een datum in.");
            return None;
        }
        return Some(None);
    }
    let Some(day) = parse_date(date) else {
        errors.add(&date_field, "Vul een datum in als dd-mm-jjjj.");
        return None;
    };
    let at = if time.is_empty() {
        default_time
    } else {
        let Some(at) = parse_time(time) else {
            errors.add(
                &time_field,
                "Vul een tijd in als uu:mm, bijvoorbeeld 23:59.",
            );
            return None;
        };
        at
    };
    match tz.from_local_datetime(&NaiveDateTime::new(day, at)) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(Some(t.fixed_offset())),
        LocalResult::None => {
            errors.add(
                &time_field,
                "Dit tijdstip bestaat niet door de overgang naar zomertijd.",
            );
            None
        }
    }
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .ok()
}

fn parse_time(value: &str) -> Option<NaiveTime> {
    let value = value.replace('.', ":");
    NaiveTime::parse_from_str(&value, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(&value, "%H:%M"))
        .ok()
}

/// The local date (`YYYY-MM-DD`) and time (`HH:MM`, with seconds only when not zero) of an instant.
pub(crate) fn local_parts(at: Option<DateTime<Utc>>, tz: Tz) -> (String, String) {
    let Some(at) = at else {
        return (String::new(), String::new());
    };
    let local = at.with_timezone(&tz);
    let time = if local.second() == 0 {
        local.format("%H:%M")
    } else {
        local.format("%H:%M:%S")
    };
    (local.format("%Y-%m-%d").to_string(), time.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Amsterdam;

    fn at(date: &str, time: &str, default: NaiveTime) -> (Option<String>, FormErrors) {
        let mut errors = FormErrors::default();
        let t = instant(date, time, "deadline", default, Amsterdam, &mut errors);
        (t.flatten().map(|t| t.to_rfc3339()), errors)
    }

    #[test]
    fn local_times_become_instants() {
        let (t, _) = at("2027-02-20", "23:59", NaiveTime::MIN);
        assert_eq!(t.as_deref(), Some("2027-02-20T23:59:00+01:00"));
        let (t, _) = at("2027-06-30", "", end_of_day());
        assert_eq!(t.as_deref(), Some("2027-06-30T23:59:59+02:00"));
        let (t, _) = at("20-02-2027", "9.30", NaiveTime::MIN);
        assert_eq!(t.as_deref(), Some("2027-02-20T09:30:00+01:00"));
        let (t, e) = at("", "", NaiveTime::MIN);
        assert!(t.is_none() && e.is_empty());
    }

    #[test]
    fn summer_time_gap_is_refused_and_fold_takes_the_earlier() {
        let (t, e) = at("2027-03-28", "02:30", NaiveTime::MIN);
        assert!(t.is_none());
        assert_eq!(
            e.get("deadline_time"),
            Some("Dit tijdstip bestaat niet door de overgang naar zomertijd.")
        );
        let (t, _) = at("2027-10-31", "02:30", NaiveTime::MIN);
        assert_eq!(t.as_deref(), Some("2027-10-31T02:30:00+02:00"));
    }

    #[test]
    fn numbers_allow_thousands_separators() {
        let mut errors = FormErrors::default();
        assert_eq!(number("50.000", "x", &mut errors), Some(Some(50_000)));
        assert_eq!(number(" ", "x", &mut errors), Some(None));
        assert!(errors.is_empty());
        assert_eq!(number("veel", "x", &mut errors), None);
        assert!(errors.has("x"));
    }
}
