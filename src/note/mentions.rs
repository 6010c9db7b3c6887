//! `@name` mentions in notes and comments: who is meant (`domain::note::mentions`), among the
//! people who can see the note, and their e-mail, queued in the transaction of the text.
//!
//! Never mailed: the writer themself, anyone who cannot see the note (only members of the note's
//! community, or for a programme note of any community of its programme, are candidates; an
//! admin who is no member is not), members who turned notifications off, and members already
//! mentioned in the previous version of an edited text.

use crate::app::AppState;
use crate::db::users::User;
use crate::db::{self, Tx};
use crate::domain::note::{excerpt, mentions};
use crate::error::{Error, Result};
use crate::mail::{self, MentionMail};

/// Where a mention was written.
pub(crate) struct Mention<'a> {
    /// The note.
    pub note_id: &'a str,
    /// Its title.
    pub note_title: &'a str,
    /// Its community.
    pub community_id: &'a str,
    /// Who wrote the text.
    pub author: &'a User,
    /// The comment, when the mention is in one.
    pub comment_id: Option<&'a str>,
}

/// Queues an e-mail for every member newly mentioned in `text` (not in `previous`); returns how
/// many were queued.
pub(crate) async fn notify(
    state: &AppState,
    tx: &mut Tx,
    at: &Mention<'_>,
    text: &str,
    previous: &str,
) -> Result<usize> {
    if !text.contains('@') {
        return Ok(0);
    }
    let audience = db::notes::audience(tx, at.note_id).await?;
    let people: Vec<(String, String)> = audience
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let before = mentions(previous, &people);
    let meant: Vec<&str> = mentions(text, &people)
        .into_iter()
        .filter(|id| !before.contains(id) && *id != at.author.id)
        .collect();
    if meant.is_empty() {
        return Ok(0);
    }
    let community: String = db::on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT name FROM communities WHERE id = $1"
    )
    .bind(at.community_id)
    .fetch_one(c)
    .await?);
    let base = &state.config.base_url;
    let url = match at.comment_id {
        Some(c) => format!("{base}/notities/{}#reactie-{c}", at.note_id),
        None => format!("{base}/notities/{}", at.note_id),
    };
    let mut sent = 0;
    for person in audience.iter().filter(|p| meant.contains(&p.id.as_str())) {
        if person.notification_frequency == "off" {
            continue;
        }
        let content = MentionMail {
            name: person.name.clone(),
            author: at.author.name.clone(),
            title: at.note_title.to_string(),
            community: community.clone(),
            in_comment: at.comment_id.is_some(),
            excerpt: excerpt(text, 300),
            url: url.clone(),
        };
        let mut message = mail::render(&person.email, &content, &state.mail_context())
            .map_err(Error::Internal)?;
        message.list_unsubscribe = Some(format!("{base}/account"));
        db::outbox::enqueue(tx, &message).await?;
        sent += 1;
    }
    Ok(sent)
}
