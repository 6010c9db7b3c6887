//! iCalendar (RFC 5545) documents for meetings: one stable `UID` per meeting, a `SEQUENCE` that
//! rises with every change, instants in UTC, `METHOD:REQUEST` for invitations and updates and
//! `METHOD:CANCEL` for cancellations.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};

/// Invitation or update, or cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A new or changed meeting.
    Request,
    /// A cancelled meeting.
    Cancel,
}

impl Method {
    /// The `METHOD` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// What a calendar entry says.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Stable across updates.
    pub uid: String,
    /// Rises with every change.
    pub sequence: i64,
    /// Request or cancel.
    pub method: Method,
    /// Title.
    pub summary: String,
    /// Plain text.
    pub description: String,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// Address or join link.
    pub location: Option<String>,
    /// Page of the meeting.
    pub url: String,
    /// The organiser's address and name.
    pub organizer: (String, String),
    /// The invited person's address and name, for personal invitations.
    pub attendee: Option<(String, String)>,
}

/// The stable UID of a meeting: its id at the instance's host.
pub fn uid(meeting_id: &str, base_url: &str) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .unwrap_or("kring");
    format!("{meeting_id}@{host}")
}

/// A TEXT value as RFC 5545 allows it: no control characters but line breaks (which the
/// library writes as `\n`) and tabs. A bare CR would otherwise reach the file, where a lenient
/// reader takes it as a line end and reads what follows as a property of its own.
fn text(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// A parameter value (a `CN`): on one line and without `"`, which cannot be quoted inside a
/// parameter; a name like `a";ROLE=CHAIR:mailto:x` would otherwise add parameters or change the
/// address.
fn parameter(value: &str) -> String {
    text(value)
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\n' | '\t' => ' ',
            c => c,
        })
        .collect()
}

/// Writes the document.
pub fn document(entry: &Entry) -> String {
    let mut event = icalendar::Event::with_uid(&entry.uid);
    event
        .summary(&text(&entry.summary))
        .description(&text(&entry.description))
        .starts(entry.starts)
        .ends(entry.ends)
        .url(&entry.url)
        .status(if entry.method == Method::Cancel {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        })
        .add_property("SEQUENCE", entry.sequence.to_string())
        .append_property(
            Property::new("ORGANIZER", format!("mailto:{}", entry.organizer.0))
                .add_parameter("CN", &parameter(&entry.organizer.1))
                .done(),
        );
    if let Some(location) = &entry.location {
        event.location(&text(location));
    }
    if let Some((email, name)) = &entry.attendee {
        event.append_property(
            Property::new("ATTENDEE", format!("mailto:{email}"))
                .add_parameter("CN", &parameter(name))
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("PARTSTAT", "NEEDS-ACTION")
                .add_parameter("RSVP", "TRUE")
                .done(),
        );
    }
    let mut calendar = Calendar::new();
    calendar.append_property(("METHOD", entry.method.as_str()));
    calendar.push(event.done());
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn uid_uses_the_host() {
        assert_eq!(
            uid("m1", "https://kring.example.nl/"),
            "m1@kring.example.nl"
        );
        assert_eq!(uid("m1", "http://127.0.0.1:8080"), "m1@127.0.0.1");
    }

    #[test]
    fn writes_utc_instants_sequence_and_method() {
        let doc = document(&Entry {
            uid: "m1@kring".into(),
            sequence: 2,
            method: Method::Cancel,
            summary: "Werkbezoek; Tiel, met \"groen\"".into(),
            description: "Regel 1\nRegel 2".into(),
            starts: Utc.with_ymd_and_hms(2027, 3, 16, 13, 0, 0).unwrap(),
            ends: Utc.with_ymd_and_hms(2027, 3, 16, 15, 0, 0).unwrap(),
            location: Some("Stadhuis, Tiel".into()),
            url: "https://kring/bijeenkomsten/m1".into(),
            organizer: ("noreply@kring".into(), "kring".into()),
            attendee: Some(("a@b.nl".into(), "Anna".into())),
        });
        assert!(doc.contains("METHOD:CANCEL"));
        assert!(doc.contains("DTSTART:20270316T130000Z"));
        assert!(doc.contains("SEQUENCE:2"));
        assert!(doc.contains("STATUS:CANCELLED"));
        assert!(doc.contains("SUMMARY:Werkbezoek\\; Tiel\\, met \"groen\""));
        assert!(doc.contains("DESCRIPTION:Regel 1\\nRegel 2"));
    }

    #[test]
    fn user_text_cannot_add_lines_or_parameters() {
        let doc = document(&Entry {
            uid: "m1@kring".into(),
            sequence: 0,
            method: Method::Request,
            summary: "Titel\rX-INJECTED:ja\0".into(),
            description: "Regel 1\r\nRegel 2".into(),
            starts: Utc.with_ymd_and_hms(2027, 3, 16, 13, 0, 0).unwrap(),
            ends: Utc.with_ymd_and_hms(2027, 3, 16, 15, 0, 0).unwrap(),
            location: None,
            url: "https://kring/bijeenkomsten/m1".into(),
            organizer: ("noreply@kring".into(), "kring".into()),
            attendee: Some((
                "a@b.nl".into(),
                "Anna\":mailto:evil@x;ROLE=CHAIR;X=\"".into(),
            )),
        });
        assert!(
            !doc.replace("\r\n", "").contains(['\r', '\n', '\0']),
            "{doc}"
        );
        assert!(doc.contains("SUMMARY:Titel\\nX-INJECTED:ja\r\n"), "{doc}");
        assert!(doc.contains("DESCRIPTION:Regel 1\\nRegel 2"), "{doc}");
        let attendee = doc.replace("\r\n ", "");
        assert!(
            attendee.contains("CN=\"Anna':mailto:evil@x;ROLE=CHAIR;X='\""),
            "{doc}"
        );
        assert!(attendee.contains(":mailto:a@b.nl\r\n"), "{doc}");
    }
}
