//! Minutes: the template drafted from agenda and attendance, saving a draft with decisions and
//! action items, publishing (which e-mails the members), and marking an action item done. The API
//! and the pages both go through these functions.

use chrono::NaiveDate;

use crate::app::AppState;
use crate::db;
use crate::db::meetings::Meeting;
use crate::db::minutes::{Action, Minutes, NewAction};
use crate::db::users::User;
use crate::error::{Error, FieldError, Result};
use crate::mail::{self, MinutesMail};

/// Longest minutes text, in bytes.
pub const MAX_BODY: usize = 100_000;

/// Markdown drafted from the agenda (a heading per item), the attendance (who was there) and the
/// community's open action items.
pub async fn template(state: &AppState, meeting: &Meeting) -> Result<String> {
    let agenda = db::agenda::of_meeting(&state.db, &meeting.id).await?;
    let present = db::meetings::attendance(&state.db, &meeting.id).await?;
    let members = db::communities::members(&state.db, &meeting.community_id).await?;
    let names: Vec<String> = members
        .iter()
        .filter(|m| present.contains(&m.user_id))
        .map(|m| match &m.organisation {
            Some(org) => format!("{} ({org})", m.name),
            None => m.name.clone(),
        })
        .collect();
    let open =
        db::minutes::open_before(&state.db, &meeting.community_id, meeting.starts_at).await?;
    let mut body = format!(
        "# Verslag: {}\n\n{} · {}\n\n## Aanwezig\n\n",
        meeting.title,
        super::when_nl(meeting, state.config.timezone),
        super::place(meeting)
    );
    if names.is_empty() {
        body.push_str("_Nog niet vastgelegd._\n");
    } else {
        for n in &names {
            body.push_str(&format!("- {n}\n"));
        }
    }
    if !open.is_empty() {
        body.push_str("\n## Openstaande actiepunten\n\n");
        for a in &open {
            body.push_str(&format!("- {}\n", a.text));
        }
    }
    for (i, item) in agenda.iter().enumerate() {
        body.push_str(&format!("\n## {}. {}\n\n", i + 1, item.title));
    }
    if agenda.is_empty() {
        body.push_str("\n## Besproken\n\n");
    }
    body.push_str("\n## Afspraken\n\n");
    Ok(body)
}

/// An action item as entered.
#[derive(Clone, Debug, Default)]
pub struct ActionInput {
    /// What to do.
    pub text: String,
    /// Owner, a member of the community.
    pub owner_user_id: Option<String>,
    /// Owner, by name (someone outside kring).
    pub owner_name: Option<String>,
    /// Due date (YYYY-MM-DD).
    pub due_date: Option<String>,
}

/// The decisions of stored minutes.
pub fn decisions(minutes: &Minutes) -> Vec<String> {
    serde_json::from_str(&minutes.decisions).unwrap_or_default()
}

/// Saves the minutes as a draft (members do not see it until it is published) and replaces the
/// meeting's action items. Field errors name `body_markdown` and `actions[i].text`,
/// `actions[i].owner_user_id` or `actions[i].due_date`.
pub async fn save(
    state: &AppState,
    meeting: &Meeting,
    body_markdown: &str,
    decisions: &[String],
    actions: &[ActionInput],
) -> Result<()> {
    let mut errors = Vec::new();
    if body_markdown.len() > MAX_BODY {
        errors.push(FieldError::new(
            "body_markdown",
            "invalid",
            "Een verslag is hoogstens 100.000 tekens lang.",
        ));
    }
    let members: Vec<String> = db::communities::members(&state.db, &meeting.community_id)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut checked = Vec::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let owner_user_id = nonempty(&a.owner_user_id);
        let due_date = nonempty(&a.due_date);
        if a.text.trim().is_empty() {
            errors.push(FieldError::new(
                &format!("actions[{i}].text"),
                "required",
                "Beschrijf het actiepunt.",
            ));
        }
        if owner_user_id.as_ref().is_some_and(|u| !members.contains(u)) {
            errors.push(FieldError::new(
                &format!("actions[{i}].owner_user_id"),
                "invalid",
                "De eigenaar is geen lid van deze community.",
            ));
        }
        if due_date
            .as_deref()
            .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err())
        {
            errors.push(FieldError::new(
                &format!("actions[{i}].due_date"),
                "invalid",
                "Een datum schrijf je als JJJJ-MM-DD.",
            ));
        }
        checked.push(NewAction {
            text: a.text.trim().to_string(),
            owner_user_id,
            owner_name: nonempty(&a.owner_name),
            due_date,
        });
    }
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    }
    let decisions: Vec<String> = decisions
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    let decisions_json =
        serde_json::to_string(&decisions).map_err(|e| Error::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    db::minutes::save_draft(
        &mut tx,
        &meeting.id,
        &meeting.community_id,
        body_markdown,
        &decisions_json,
        &checked,
        state.clock.now(),
    )
    .await?;
    // Saving turns published minutes back into a draft, which members can't find either.
    db::search::remove(&mut tx, "minutes", &meeting.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes the minutes and e-mails every member with the decisions; `NotFound` when there are
/// no minutes yet.
pub async fn publish(state: &AppState, meeting: &Meeting, actor_id: &str) -> Result<()> {
    let minutes = db::minutes::get(&state.db, &meeting.id)
        .await?
        .ok_or(Error::NotFound)?;
    let decisions = decisions(&minutes);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !db::minutes::publish(&mut tx, &meeting.id, now).await? {
        return Err(Error::NotFound);
    }
    // Published minutes are searchable by the members; a draft is not.
    let title = format!("Verslag: {}", meeting.title);
    let body = format!("{}\n{}", minutes.body_markdown, decisions.join("\n"));
    let url = format!("/bijeenkomsten/{}#verslag", meeting.id);
    db::search::put(
        &mut tx,
        &db::search::Doc {
            kind: "minutes",
            ref_id: &meeting.id,
            community_id: Some(&meeting.community_id),
            programme_id: None,
            visibility: "community",
            title: &title,
            body: &body,
            url: &url,
            created_at: meeting.starts_at,
        },
    )
    .await?;
    let url = format!("{}/bijeenkomsten/{}", state.config.base_url, meeting.id);
    for (email, name) in db::meetings::invitees(&mut tx, &meeting.community_id).await? {
        let content = MinutesMail {
            name,
            community: meeting.community_name.clone(),
            title: meeting.title.clone(),
            when: super::when_nl(meeting, state.config.timezone),
            url: url.clone(),
            decisions: decisions.clone(),
        };
        let mail = mail::render(&email, &content, &state.mail_context())?;
        db::outbox::enqueue(&mut tx, &mail).await?;
    }
    db::audit::record(
        &mut tx,
        Some(actor_id),
        "minutes_published",
        &meeting.id,
        "",
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Whether `user` may mark this action item done or open: facilitators of the community and the
/// member who owns it.
pub fn may_close(action: &Action, user: &User, facilitator: bool) -> bool {
    facilitator || action.owner_user_id.as_deref() == Some(user.id.as_str())
}

/// Marks an action item done or open: `NotFound` outside the community, `Forbidden` for members
/// who neither facilitate nor own it.
pub async fn set_done(
    state: &AppState,
    user: &User,
    action_id: &str,
    done: bool,
) -> Result<Action> {
    let action = db::minutes::action(&state.db, action_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (_, facilitator) = super::visible(state, user, &action.meeting_id).await?;
    if !may_close(&action, user, facilitator) {
        return Err(Error::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::minutes::set_done(&mut tx, &action.id, done).await?;
    tx.commit().await?;
    db::minutes::action(&state.db, action_id)
        .await?
        .ok_or(Error::NotFound)
}
