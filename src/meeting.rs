//! Meetings: validation, and the invitation, update and cancellation e-mails with their
//! iCalendar entries, queued in the same transaction as the change.

pub mod agenda;
pub mod minutes;
pub mod speakers;

use chrono::{DateTime, FixedOffset, Utc};

use crate::app::AppState;
use crate::db::meetings::{Details, Meeting};
use crate::db::users::User;
use crate::db::{self, Tx};
use crate::error::{Error, FieldError, Result};
use crate::ical::{self, Entry, Method};
use crate::mail::{self, MeetingEvent, MeetingMail};

/// A venue.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Venue name, e.g. "Stadhuis".
    #[serde(default)]
    pub name: String,
    /// Street and number.
    #[serde(default)]
    pub address: String,
    /// City.
    #[serde(default)]
    pub city: String,
}

/// Meeting input as received (API and pages).
#[derive(Clone, Debug, Default)]
pub struct MeetingInput {
    /// Title.
    pub title: String,
    /// `online`, `site_visit` or `hybrid`.
    pub kind: String,
    /// Start (any offset).
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// End.
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Description.
    pub description: String,
    /// Join link.
    pub online_url: Option<String>,
    /// Venue.
    pub location: Option<Location>,
    /// Hosting municipality code.
    pub host_organisation_code: Option<String>,
    /// Moderator.
    pub moderator_user_id: Option<String>,
}

fn nonempty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Checks a meeting: a title, a known kind, an end after the start, a join link for online and
/// hybrid meetings, an address for site visits and hybrid meetings.
pub fn validate(input: &MeetingInput) -> Result<Details> {
    let mut errors = Vec::new();
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "invalid",
            "Geef de bijeenkomst een titel van hoogstens 200 tekens.",
        ));
    }
    if !matches!(input.kind.as_str(), "online" | "site_visit" | "hybrid") {
        errors.push(FieldError::new(
            "kind",
            "invalid",
            "Kies online, site_visit (werkbezoek) of hybrid.",
        ));
    }
    let online_url = nonempty(input.online_url.as_deref());
    if let Some(url) = &online_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        errors.push(FieldError::new(
            "online_url",
            "invalid",
            "Een deelnamelink begint met https://.",
        ));
    }
    if matches!(input.kind.as_str(), "online" | "hybrid") && online_url.is_none() {
        errors.push(FieldError::new(
            "online_url",
            "required",
            "Een online bijeenkomst heeft een deelnamelink.",
        ));
    }
    let location = input.location.clone().unwrap_or_default();
    let (name, address, city) = (
        nonempty(Some(&location.name)),
        nonempty(Some(&location.address)),
        nonempty(Some(&location.city)),
    );
    if matches!(input.kind.as_str(), "site_visit" | "hybrid")
        && (address.is_none() || city.is_none())
    {
        errors.push(FieldError::new(
            "location.address",
            "required",
            "Een werkbezoek heeft een adres en een plaats.",
        ));
    }
    match (input.starts_at, input.ends_at) {
        (Some(s), Some(e)) if e <= s => {
            errors.push(FieldError::new(
                "ends_at",
                "invalid",
                "De bijeenkomst eindigt na het begin.",
            ));
        }
        (None, _) => errors.push(FieldError::new(
            "starts_at",
            "required",
            "Vul het begin in.",
        )),
        (_, None) => errors.push(FieldError::new("ends_at", "required", "Vul het einde in.")),
        _ => {}
    }
    let (Some(starts), Some(ends), true) = (input.starts_at, input.ends_at, errors.is_empty())
    else {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    };
    Ok(Details {
        title,
        kind: input.kind.clone(),
        starts_at: starts.with_timezone(&Utc),
        ends_at: ends.with_timezone(&Utc),
        description: input.description.trim().to_string(),
        online_url,
        location_name: name,
        location_address: address,
        location_city: city,
        host_organisation_code: nonempty(input.host_organisation_code.as_deref()),
        moderator_user_id: nonempty(input.moderator_user_id.as_deref()),
    })
}

/// The meeting `id` with whether `user` facilitates its community; `NotFound` for everyone
/// outside the community, exactly as for a missing id.
pub async fn visible(state: &AppState, user: &User, id: &str) -> Result<(Meeting, bool)> {
    let (m, role) = db::meetings::visible(&state.db, id, &user.id, user.is_admin)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((m, role == "facilitator"))
}

/// The meeting `id` for one of its facilitators: `NotFound` outside the community, `Forbidden`
/// for its members.
pub async fn facilitated(state: &AppState, user: &User, id: &str) -> Result<Meeting> {
    match visible(state, user, id).await? {
        (m, true) => Ok(m),
        (_, false) => Err(Error::Forbidden),
    }
}

/// "dinsdag 16 maart 2027, 14.00–16.00 uur" (or both dates when it spans days).
pub fn when_nl(meeting: &Meeting, tz: chrono_tz::Tz) -> String {
    use chrono::Timelike;
    let (s, e) = (
        meeting.starts_at.with_timezone(&tz),
        meeting.ends_at.with_timezone(&tz),
    );
    if s.date_naive() == e.date_naive() {
        format!(
            "{}, {}.{:02}–{}.{:02} uur",
            crate::format::date_nl(&meeting.starts_at, tz),
            s.hour(),
            s.minute(),
            e.hour(),
            e.minute()
        )
    } else {
        format!(
            "{} tot {}",
            crate::format::datetime_nl(&meeting.starts_at, tz),
            crate::format::datetime_nl(&meeting.ends_at, tz)
        )
    }
}

/// The address, the join link, or both.
pub fn place(meeting: &Meeting) -> String {
    let address = [
        &meeting.location_name,
        &meeting.location_address,
        &meeting.location_city,
    ]
    .iter()
    .filter_map(|p| p.as_deref())
    .collect::<Vec<_>>()
    .join(", ");
    match (address.is_empty(), meeting.kind.as_str()) {
        (true, _) => "online".to_string(),
        (false, "hybrid") => format!("{address} en online"),
        (false, _) => address,
    }
}

/// The calendar entry of a meeting, personal when `attendee` is given.
pub fn entry(state: &AppState, meeting: &Meeting, attendee: Option<(String, String)>) -> Entry {
    let url = format!("{}/bijeenkomsten/{}", state.config.base_url, meeting.id);
    let location = match meeting.kind.as_str() {
        "online" => meeting.online_url.clone(),
        _ => Some(place(meeting)),
    };
    let mut description = meeting.description.clone();
    if let Some(link) = &meeting.online_url {
        description.push_str(&format!("\n\nDeelnemen: {link}"));
    }
    description.push_str(&format!("\n\n{url}"));
    let organizer = match state.config.mail_from.rsplit_once('<') {
        Some((name, addr)) => (
            addr.trim_end_matches('>').trim().to_string(),
            name.trim().to_string(),
        ),
        None => (state.config.mail_from.clone(), "kring".to_string()),
    };
    Entry {
        uid: ical::uid(&meeting.id, &state.config.base_url),
        sequence: meeting.sequence,
        method: if meeting.status == "cancelled" {
            Method::Cancel
        } else {
            Method::Request
        },
        summary: format!("{} ({})", meeting.title, meeting.community_name),
        description: description.trim().to_string(),
        starts: meeting.starts_at,
        ends: meeting.ends_at,
        location,
        url,
        organizer,
        attendee,
    }
}

/// Queues a personal e-mail with calendar entry for every member and facilitator.
pub async fn notify_all(
    state: &AppState,
    tx: &mut Tx,
    meeting: &Meeting,
    event: MeetingEvent,
) -> Result<()> {
    let tz = state.config.timezone;
    for (email, name) in db::meetings::invitees(tx, &meeting.community_id).await? {
        let content = MeetingMail {
            event,
            name: name.clone(),
            community: meeting.community_name.clone(),
            title: meeting.title.clone(),
            when: when_nl(meeting, tz),
            place: place(meeting),
            online_url: meeting
                .online_url
                .clone()
                .filter(|_| event != MeetingEvent::Cancellation),
            url: format!("{}/bijeenkomsten/{}", state.config.base_url, meeting.id),
            reason: meeting.cancel_reason.clone(),
        };
        let mut mail = mail::render(&email, &content, &state.mail_context())?;
        let entry = entry(state, meeting, Some((email.clone(), name)));
        mail.calendar = Some((entry.method.as_str().to_string(), ical::document(&entry)));
        db::outbox::enqueue(tx, &mail).await?;
    }
    Ok(())
}

/// Keeps the meeting's search document in step; called in every transaction that changes it.
async fn index(tx: &mut Tx, meeting: &Meeting) -> Result<()> {
    let url = format!("/bijeenkomsten/{}", meeting.id);
    let body = format!("{} {}", meeting.description, place(meeting));
    db::search::put(
        tx,
        &db::search::Doc {
            kind: "meeting",
            ref_id: &meeting.id,
            community_id: Some(&meeting.community_id),
            programme_id: None,
            visibility: "community",
            title: &meeting.title,
            body: &body,
            url: &url,
            created_at: meeting.starts_at,
        },
    )
    .await
}

/// Creates a meeting and invites the community.
pub async fn create(
    state: &AppState,
    community_id: &str,
    actor_id: &str,
    input: &MeetingInput,
) -> Result<Meeting> {
    let details = validate(input)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = db::meetings::create(&mut tx, community_id, &details, now).await?;
    let meeting = db::meetings::find_tx(&mut tx, &id).await?;
    index(&mut tx, &meeting).await?;
    notify_all(state, &mut tx, &meeting, MeetingEvent::Invitation).await?;
    db::audit::record(
        &mut tx,
        Some(actor_id),
        "meeting_created",
        &id,
        &meeting.title,
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(meeting)
}

/// Creates the meeting a date poll decided and closes the poll, in one transaction.
pub async fn create_from_poll(
    state: &AppState,
    community_id: &str,
    actor_id: &str,
    input: &MeetingInput,
    poll_id: &str,
) -> Result<Meeting> {
    let details = validate(input)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = db::meetings::create(&mut tx, community_id, &details, now).await?;
    db::polls::decide(&mut tx, poll_id, &id).await?;
    let meeting = db::meetings::find_tx(&mut tx, &id).await?;
    index(&mut tx, &meeting).await?;
    notify_all(state, &mut tx, &meeting, MeetingEvent::Invitation).await?;
    db::audit::record(&mut tx, Some(actor_id), "meeting_created", &id, poll_id).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(meeting)
}

/// Changes a meeting; a new time or place raises the sequence and sends an update.
pub async fn update(state: &AppState, current: &Meeting, input: &MeetingInput) -> Result<Meeting> {
    let details = validate(input)?;
    let moved = details.starts_at != current.starts_at
        || details.ends_at != current.ends_at
        || details.location_address != current.location_address
        || details.location_city != current.location_city
        || details.location_name != current.location_name
        || details.online_url != current.online_url
        || details.kind != current.kind;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    db::meetings::update(&mut tx, &current.id, &details, moved, now).await?;
    let meeting = db::meetings::find_tx(&mut tx, &current.id).await?;
    index(&mut tx, &meeting).await?;
    if moved && meeting.status == "scheduled" {
        notify_all(state, &mut tx, &meeting, MeetingEvent::Update).await?;
    }
    tx.commit().await?;
    state.wake_worker();
    Ok(meeting)
}

/// Cancels a meeting and sends the cancellation.
pub async fn cancel(state: &AppState, current: &Meeting, reason: Option<&str>) -> Result<Meeting> {
    if current.status == "cancelled" {
        return Err(Error::refused(
            axum::http::StatusCode::CONFLICT,
            "already_cancelled",
            "Deze bijeenkomst is al afgelast.",
        ));
    }
    let now = state.clock.now();
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let mut tx = state.db.begin().await?;
    db::meetings::cancel(&mut tx, &current.id, reason, now).await?;
    let meeting = db::meetings::find_tx(&mut tx, &current.id).await?;
    index(&mut tx, &meeting).await?;
    notify_all(state, &mut tx, &meeting, MeetingEvent::Cancellation).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(meeting)
}

/// The year plan's counts for the current calendar year in the display time zone: meetings
/// that are scheduled or held, and how many of those are site visits.
pub async fn year_counts(state: &AppState, community_id: &str) -> Result<(i64, i64)> {
    use chrono::{Datelike, TimeZone};
    let tz = state.config.timezone;
    let year = state.clock.now().with_timezone(&tz).year();
    let new_year = |y: i32| {
        tz.with_ymd_and_hms(y, 1, 1, 0, 0, 0)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (new_year(year), new_year(year + 1)) else {
        return Ok((0, 0));
    };
    db::meetings::year_counts(&state.db, community_id, from, to).await
}
