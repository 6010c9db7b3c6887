//! Agendas: checking, adding, changing, removing and moving items; planned starts; and publishing
//! the agenda to the members by e-mail. The API and the pages both go through these functions.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::db;
use crate::db::agenda::{Item, ItemInput};
use crate::db::meetings::Meeting;
use crate::domain::agenda::plan;
use crate::error::{Error, FieldError, Result};
use crate::mail::{self, AgendaLine, AgendaMail};

/// Longest item title.
pub const MAX_TITLE: usize = 200;
/// Longest item, in minutes.
pub const MAX_MINUTES: i64 = 600;

/// An item with its planned start.
#[derive(Clone, Debug)]
pub struct PlannedItem {
    /// The item.
    pub item: Item,
    /// When it starts: the meeting's start plus the items before it.
    pub starts_at: DateTime<Utc>,
}

/// A meeting's agenda.
#[derive(Clone, Debug)]
pub struct Agenda {
    /// Items in order.
    pub items: Vec<PlannedItem>,
    /// Minutes the agenda outlasts the meeting (0 when it fits).
    pub overrun_minutes: i64,
    /// When it was last e-mailed to the members.
    pub published_at: Option<DateTime<Utc>>,
}

fn planned(meeting: &Meeting, items: Vec<Item>) -> (Vec<PlannedItem>, i64) {
    let durations: Vec<i64> = items.iter().map(|i| i.duration_minutes).collect();
    let (starts, overrun) = plan(meeting.starts_at, meeting.ends_at, &durations);
    let items = items
        .into_iter()
        .zip(starts)
        .map(|(item, starts_at)| PlannedItem { item, starts_at })
        .collect();
    (items, overrun)
}

/// The agenda of a meeting with planned starts.
pub async fn load(state: &AppState, meeting: &Meeting) -> Result<Agenda> {
    let items = db::agenda::of_meeting(&state.db, &meeting.id).await?;
    let (items, overrun_minutes) = planned(meeting, items);
    Ok(Agenda {
        items,
        overrun_minutes,
        published_at: db::agenda::published_at(&state.db, &meeting.id).await?,
    })
}

/// Trims the texts and checks an item: a title of at most 200 characters and 1–600 minutes.
pub fn check(input: ItemInput) -> Result<ItemInput> {
    let input = ItemInput {
        title: input.title.trim().to_string(),
        description: input.description.trim().to_string(),
        ..input
    };
    let mut errors = Vec::new();
    if input.title.is_empty() || input.title.chars().count() > MAX_TITLE {
        errors.push(FieldError::new(
            "title",
            "invalid",
            "Geef het agendapunt een titel van hoogstens 200 tekens.",
        ));
    }
    if !(1..=MAX_MINUTES).contains(&input.duration_minutes) {
        errors.push(FieldError::new(
            "duration_minutes",
            "invalid",
            "Een agendapunt duurt 1 tot 600 minuten.",
        ));
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(Error::Validation {
            code: "validation_failed",
            errors,
        })
    }
}

/// [`check`], and that the speaker, if any, is one of this meeting's (read in the write
/// transaction); all field errors together.
async fn check_in(tx: &mut db::Tx, meeting_id: &str, input: ItemInput) -> Result<ItemInput> {
    let speaker_ok = match input.speaker_id.as_deref() {
        Some(id) => db::speakers::find_tx(tx, meeting_id, id).await?.is_some(),
        None => true,
    };
    let speaker_error = || {
        FieldError::new(
            "speaker_id",
            "unknown_speaker",
            "Kies een spreker van deze bijeenkomst, of geen.",
        )
    };
    match (check(input), speaker_ok) {
        (Ok(input), true) => Ok(input),
        (Ok(_), false) => Err(Error::Validation {
            code: "validation_failed",
            errors: vec![speaker_error()],
        }),
        (Err(Error::Validation { code, mut errors }), false) => {
            errors.push(speaker_error());
            Err(Error::Validation { code, errors })
        }
        (Err(other), _) => Err(other),
    }
}

/// Adds an item at the end of the agenda; returns its id.
pub async fn add(state: &AppState, meeting: &Meeting, input: ItemInput) -> Result<String> {
    let mut tx = state.db.begin().await?;
    let input = check_in(&mut tx, &meeting.id, input).await?;
    let id = db::agenda::append(&mut tx, &meeting.id, &input).await?;
    tx.commit().await?;
    Ok(id)
}

/// An item of this meeting, else `NotFound`.
pub async fn item_of(state: &AppState, meeting: &Meeting, item_id: &str) -> Result<Item> {
    db::agenda::find(&state.db, item_id)
        .await?
        .filter(|i| i.meeting_id == meeting.id)
        .ok_or(Error::NotFound)
}

/// Changes an item.
pub async fn update(state: &AppState, item: &Item, input: ItemInput) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let input = check_in(&mut tx, &item.meeting_id, input).await?;
    db::agenda::update(&mut tx, &item.id, &input).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an item; the items after it move up.
pub async fn remove(state: &AppState, item: &Item) -> Result<()> {
    let mut tx = state.db.begin().await?;
    db::agenda::delete(&mut tx, &item.id, &item.meeting_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Puts the items in this order; `item_ids` must hold every item of the agenda exactly once.
pub async fn reorder(state: &AppState, meeting: &Meeting, item_ids: &[String]) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let mut current: Vec<String> = db::agenda::of_meeting_tx(&mut tx, &meeting.id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut given = item_ids.to_vec();
    current.sort();
    given.sort();
    if current != given {
        return Err(Error::field(
            "validation_failed",
            "item_ids",
            "Geef alle agendapunten van deze bijeenkomst, elk één keer.",
        ));
    }
    db::agenda::reorder(&mut tx, item_ids).await?;
    tx.commit().await?;
    Ok(())
}

/// Which way an item moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// One place earlier.
    Up,
    /// One place later.
    Down,
}

/// Swaps an item with the one before or after it; at either end nothing changes.
pub async fn shift(state: &AppState, item: &Item, direction: Direction) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let mut ids: Vec<String> = db::agenda::of_meeting_tx(&mut tx, &item.meeting_id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let at = ids
        .iter()
        .position(|i| *i == item.id)
        .ok_or(Error::NotFound)?;
    let other = match direction {
        Direction::Up => at.checked_sub(1),
        Direction::Down => Some(at + 1).filter(|o| *o < ids.len()),
    };
    if let Some(other) = other {
        ids.swap(at, other);
        db::agenda::reorder(&mut tx, &ids).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// E-mails the agenda with its planned times to every member and records the publication; a
/// later publication is sent as "Bijgewerkte agenda". `409` for a cancelled meeting, `422` for an
/// empty agenda.
pub async fn publish(state: &AppState, meeting: &Meeting, actor_id: &str) -> Result<Agenda> {
    if meeting.status == "cancelled" {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "meeting_cancelled",
            "De bijeenkomst is afgelast; de agenda gaat niet meer rond.",
        ));
    }
    let tz = state.config.timezone;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let items = db::agenda::of_meeting_tx(&mut tx, &meeting.id).await?;
    if items.is_empty() {
        return Err(Error::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "agenda_empty",
            "Zet eerst punten op de agenda; een lege agenda gaat niet rond.",
        ));
    }
    let speakers = db::speakers::of_meeting_tx(&mut tx, &meeting.id).await?;
    let (items, overrun_minutes) = planned(meeting, items);
    let updated = db::agenda::mark_published(&mut tx, &meeting.id, now)
        .await?
        .is_some();
    let lines: Vec<AgendaLine> = items
        .iter()
        .map(|p| AgendaLine {
            at: crate::format::time_nl(&p.starts_at, tz),
            title: p.item.title.clone(),
            minutes: p.item.duration_minutes,
            description: p.item.description.clone(),
            speaker: p.item.speaker_id.as_ref().and_then(|id| {
                speakers
                    .iter()
                    .find(|s| s.id == *id)
                    .map(|s| s.name.clone())
            }),
        })
        .collect();
    let url = format!("{}/bijeenkomsten/{}", state.config.base_url, meeting.id);
    for (email, name) in db::meetings::invitees(&mut tx, &meeting.community_id).await? {
        let content = AgendaMail {
            name,
            community: meeting.community_name.clone(),
            title: meeting.title.clone(),
            when: super::when_nl(meeting, tz),
            place: super::place(meeting),
            url: url.clone(),
            items: lines.clone(),
            overrun_minutes,
            updated,
        };
        let mail = mail::render(&email, &content, &state.mail_context())?;
        db::outbox::enqueue(&mut tx, &mail).await?;
    }
    db::audit::record(&mut tx, Some(actor_id), "agenda_published", &meeting.id, "").await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(Agenda {
        items,
        overrun_minutes,
        published_at: Some(now),
    })
}
