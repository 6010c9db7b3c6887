//! Guest speakers: inviting one (a personal guest link by e-mail), removing one, and what a
//! guest may see: their own meeting, nothing else.

use chrono::{DateTime, Duration, Utc};

use crate::app::AppState;
use crate::auth::{self, Viewer};
use crate::db::meetings::Meeting;
use crate::db::speakers::{GUEST_LINK_DAYS_AFTER, NewSpeaker, Speaker};
use crate::db::users::User;
use crate::db::{self};
use crate::domain::Email;
use crate::error::{Error, FieldError, Result};
use crate::mail::{self, SpeakerMail};

/// A speaker to invite, as received.
#[derive(Clone, Debug, Default)]
pub struct SpeakerInput {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Short biography.
    pub bio: Option<String>,
}

/// The last moment a guest link of `meeting` works.
pub fn link_valid_until(meeting: &Meeting) -> DateTime<Utc> {
    meeting.ends_at + Duration::days(GUEST_LINK_DAYS_AFTER)
}

/// Invites a speaker to a meeting the caller facilitates: records them and queues the e-mail
/// with their personal guest link in one transaction. Returns the speaker's id.
pub async fn invite(
    state: &AppState,
    meeting: &Meeting,
    inviter: &User,
    input: &SpeakerInput,
) -> Result<String> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "invalid",
            "Vul de naam van de spreker in (hoogstens 200 tekens).",
        ));
    }
    let email = Email::parse(&input.email);
    if email.is_err() {
        errors.push(FieldError::new(
            "email",
            "invalid_email",
            "Vul een geldig e-mailadres in, zoals naam@gemeente.nl.",
        ));
    }
    let organisation = input
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    if organisation.is_some_and(|o| o.chars().count() > 200) {
        errors.push(FieldError::new(
            "organisation",
            "invalid",
            "De organisatie mag hoogstens 200 tekens zijn.",
        ));
    }
    let bio = input.bio.as_deref().unwrap_or("").trim();
    if bio.chars().count() > 2000 {
        errors.push(FieldError::new(
            "bio",
            "invalid",
            "De korte bio mag hoogstens 2000 tekens zijn.",
        ));
    }
    if meeting.status == "cancelled" {
        return Err(Error::refused(
            axum::http::StatusCode::CONFLICT,
            "meeting_cancelled",
            "Deze bijeenkomst is afgelast; er kunnen geen sprekers meer worden uitgenodigd.",
        ));
    }
    let email = match (email, errors.is_empty()) {
        (Ok(email), true) => email,
        _ => {
            return Err(Error::Validation {
                code: "validation_failed",
                errors,
            });
        }
    };
    let now = state.clock.now();
    let token = auth::new_secret();
    let address = email.normalized();
    let tz = state.config.timezone;
    let mut tx = state.db.begin().await?;
    let id = db::speakers::create(
        &mut tx,
        &meeting.id,
        &NewSpeaker {
            name,
            email: &address,
            organisation,
            bio,
        },
        &auth::hash_secret(&token),
        now,
    )
    .await?;
    let mut message = mail::render(
        &address,
        &SpeakerMail {
            name: name.to_string(),
            inviter: inviter.name.clone(),
            community: meeting.community_name.clone(),
            title: meeting.title.clone(),
            when: super::when_nl(meeting, tz),
            place: super::place(meeting),
            online: meeting.online_url.is_some(),
            link: auth::guest_url(&state.config.base_url, &token),
            valid_until: crate::format::date_nl(&link_valid_until(meeting), tz),
        },
        &state.mail_context(),
    )?;
    message.sensitive = true;
    db::outbox::enqueue(&mut tx, &message).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(id)
}

/// Removes a speaker of `meeting`; their guest link stops working. `404` for another meeting's.
pub async fn remove(state: &AppState, meeting: &Meeting, speaker_id: &str) -> Result<()> {
    let mut tx = state.db.begin().await?;
    db::speakers::find_tx(&mut tx, &meeting.id, speaker_id)
        .await?
        .ok_or(Error::NotFound)?;
    db::speakers::delete(&mut tx, speaker_id).await?;
    tx.commit().await?;
    Ok(())
}

/// What a caller may do with a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A member of its community.
    Member,
    /// A facilitator of its community (or an admin).
    Facilitator,
    /// One of its guest speakers.
    Speaker,
}

/// The meeting `id` as seen by a user or a guest speaker: members and facilitators of its
/// community, and its own speakers. Everyone else gets `NotFound`, as for a missing id.
pub async fn viewed(state: &AppState, viewer: &Viewer, id: &str) -> Result<(Meeting, Access)> {
    match viewer {
        Viewer::User(user) => {
            let (meeting, facilitator) = super::visible(state, &user.user, id).await?;
            let access = if facilitator {
                Access::Facilitator
            } else {
                Access::Member
            };
            Ok((meeting, access))
        }
        Viewer::Guest(guest) => {
            let meeting = guest_meeting(state, &guest.speaker, id).await?;
            Ok((meeting, Access::Speaker))
        }
    }
}

/// A guest speaker's meeting, when `id` is it; `NotFound` for any other id.
pub async fn guest_meeting(state: &AppState, speaker: &Speaker, id: &str) -> Result<Meeting> {
    db::speakers::guest_meeting(&state.db, id, &speaker.id)
        .await?
        .ok_or(Error::NotFound)
}
