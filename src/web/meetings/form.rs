//! The meeting form: its fields as typed (one date, a start and an end time in the display time
//! zone), turned into the shared `MeetingInput`, and the use case's field errors mapped onto it.

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;

use super::super::FormErrors;
use super::super::beheer::form::{instant, local_parts};
use crate::app::AppState;
use crate::db;
use crate::db::meetings::Meeting;
use crate::db::organisations::OrgQuery;
use crate::domain::OrgKind;
use crate::error::{Error, FieldError, Result};
use crate::meeting::{self, Location, MeetingInput};

/// The kinds as radio buttons: value and Dutch label.
pub const KINDS: [(&str, &str); 3] = [
    ("online", "Online"),
    ("site_visit", "Werkbezoek"),
    ("hybrid", "Hybride"),
];

/// The Dutch name of a kind.
pub fn kind_nl(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Bijeenkomst", |(_, label)| label)
}

/// The meeting form as the browser sends it: every value as typed, so it can be shown again.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    /// Title.
    pub title: String,
    /// `online`, `site_visit` or `hybrid`.
    pub kind: String,
    /// Date (`YYYY-MM-DD`).
    pub starts_date: String,
    /// Start time (`HH:MM`).
    pub starts_time: String,
    /// End time on the same day.
    pub ends_time: String,
    /// Description.
    pub description: String,
    /// Join link.
    pub online_url: String,
    /// Venue name.
    pub location_name: String,
    /// Street and number.
    pub location_address: String,
    /// City.
    pub location_city: String,
    /// Host municipality code, empty for none.
    pub host_organisation_code: String,
}

impl MeetingForm {
    /// A new meeting: online, 14.00–16.00 uur.
    pub fn new_meeting() -> Self {
        Self {
            kind: "online".into(),
            starts_time: "14:00".into(),
            ends_time: "16:00".into(),
            ..Self::default()
        }
    }

    /// The form filled with a meeting, times in the display time zone.
    pub fn of(m: &Meeting, tz: Tz) -> Self {
        let (starts_date, starts_time) = local_parts(Some(m.starts_at), tz);
        let (_, ends_time) = local_parts(Some(m.ends_at), tz);
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            title: m.title.clone(),
            kind: m.kind.clone(),
            starts_date,
            starts_time,
            ends_time,
            description: m.description.clone(),
            online_url: text(&m.online_url),
            location_name: text(&m.location_name),
            location_address: text(&m.location_address),
            location_city: text(&m.location_city),
            host_organisation_code: text(&m.host_organisation_code),
        }
    }

    /// True when this kind is chosen.
    pub fn is_kind(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// The use case's input; dates and times that do not parse become field errors (and are left
    /// out), so nothing may be saved unless `errors` stays empty.
    fn to_input(&self, tz: Tz, errors: &mut FormErrors) -> MeetingInput {
        let has_date = !self.starts_date.trim().is_empty();
        let time = |value: &str, prefix: &str, missing: &str, errors: &mut FormErrors| {
            if has_date && value.trim().is_empty() {
                errors.add(&format!("{prefix}_time"), missing);
                return None;
            }
            // One date for both: its errors are reported once, on the date field.
            let mut own = FormErrors::default();
            let at = instant(
                &self.starts_date,
                value,
                prefix,
                NaiveTime::MIN,
                tz,
                &mut own,
            );
            errors.0.extend(
                own.0
                    .into_iter()
                    .filter(|e| prefix == "starts" || e.field != "ends_date"),
            );
            at.flatten()
        };
        let starts_at = time(&self.starts_time, "starts", "Vul de begintijd in.", errors);
        let ends_at = time(&self.ends_time, "ends", "Vul de eindtijd in.", errors);
        let some = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
        MeetingInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            starts_at,
            ends_at,
            description: self.description.clone(),
            online_url: some(&self.online_url),
            location: Some(Location {
                name: self.location_name.clone(),
                address: self.location_address.clone(),
                city: self.location_city.clone(),
            }),
            host_organisation_code: some(&self.host_organisation_code),
            moderator_user_id: None,
        }
    }

    /// The checked input, or every error on the form at once: what does not parse, an unknown
    /// host, and what the use case refuses.
    pub fn check(&self, tz: Tz, hosts: &[(String, String)]) -> Result<MeetingInput, FormErrors> {
        let mut errors = FormErrors::default();
        let input = self.to_input(tz, &mut errors);
        let host = self.host_organisation_code.trim();
        if !host.is_empty() && !hosts.iter().any(|(code, _)| code == host) {
            errors.add("host_organisation_code", "Kies een gemeente uit de lijst.");
        }
        if errors.is_empty() {
            return Ok(input);
        }
        let parsed_times = !errors.0.iter().any(|e| is_time_field(&e.field));
        if let Err(Error::Validation { errors: found, .. }) = meeting::validate(&input) {
            for e in mapped(found) {
                if !errors.has(&e.field) && (parsed_times || !is_time_field(&e.field)) {
                    errors.0.push(e);
                }
            }
        }
        Err(errors)
    }
}

fn is_time_field(field: &str) -> bool {
    matches!(field, "starts_date" | "starts_time" | "ends_time")
}

/// Turns the use case's validation error into errors on this form's inputs; any other error is
/// passed on.
pub fn form_errors(error: Error) -> Result<FormErrors> {
    match error {
        Error::Validation { errors, .. } => Ok(FormErrors(mapped(errors))),
        other => Err(other),
    }
}

fn mapped(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let (field, message) = match e.field.as_str() {
                "kind" => (
                    "kind-online",
                    "Kies of de bijeenkomst online, een werkbezoek of hybride is.".to_string(),
                ),
                "starts_at" => ("starts_date", "Vul de datum in.".to_string()),
                "ends_at" => ("ends_time", e.message.clone()),
                "location.address" => ("location_address", e.message.clone()),
                other => (other, e.message.clone()),
            };
            FieldError {
                field: field.to_string(),
                message,
                ..e
            }
        })
        .collect()
}

/// The municipalities that can host a site visit, by name: (code, name).
pub async fn hosts(state: &AppState) -> Result<Vec<(String, String)>> {
    let query = OrgQuery {
        kind: Some(OrgKind::Municipality),
        q: None,
        offset: 0,
        limit: 1000,
    };
    let mut all = db::organisations::search(&state.db, &query).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    Ok(all.into_iter().map(|o| (o.code, o.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Amsterdam;

    fn form(date: &str, start: &str, end: &str) -> MeetingForm {
        MeetingForm {
            title: "Werkbezoek".into(),
            kind: "online".into(),
            online_url: "https://meet.example/a".into(),
            starts_date: date.into(),
            starts_time: start.into(),
            ends_time: end.into(),
            ..MeetingForm::default()
        }
    }

    #[test]
    fn local_times_become_instants() {
        let input = form("2027-06-15", "14:00", "17:00")
            .check(Amsterdam, &[])
            .expect("valid");
        let starts = input.starts_at.expect("start");
        assert_eq!(starts.to_rfc3339(), "2027-06-15T14:00:00+02:00");
        assert_eq!(
            input.ends_at.expect("end").to_rfc3339(),
            "2027-06-15T17:00:00+02:00"
        );
    }

    #[test]
    fn errors_land_on_the_inputs() {
        let errors = form("2027-03-28", "02:30", "").check(Amsterdam, &[]);
        let errors = errors.expect_err("invalid");
        assert!(errors.has("starts_time") && errors.has("ends_time"));
        assert!(!errors.has("starts_date"), "{errors:?}");
        let errors = form("morgen", "14:00", "16:00").check(Amsterdam, &[]);
        let errors = errors.expect_err("invalid");
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert!(errors.has("starts_date"));
        let mut f = form("2027-06-15", "16:00", "14:00");
        f.kind = String::new();
        f.host_organisation_code = "GM9999".into();
        let errors = f.check(Amsterdam, &[]).expect_err("invalid");
        assert!(errors.has("host_organisation_code") && errors.has("kind-online"));
        assert!(errors.has("ends_time"), "{errors:?}");
    }
}
