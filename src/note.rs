//! Notes: writing, listing, changing and deleting them, with their files, shared by the API and
//! the pages. Members of a community write notes; the author, a facilitator of the note's
//! community and admins change or delete them. Every change keeps the search index in step in
//! its own transaction, and `@name` mentions are e-mailed from that transaction too.

pub mod comments;
mod mentions;

use axum::extract::Multipart;

use crate::app::AppState;
use crate::attachments::{self, Uploader};
use crate::db::attachments::Attachment;
use crate::db::notes::{Cursor, ListQuery, Note, Reader};
use crate::db::users::User;
use crate::db::{self, Tx};
use crate::domain::markdown;
use crate::domain::note::{NoteText, Visibility, parse_tag};
use crate::error::{Error, FieldError, Result};

/// Default page size of a list.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest page size of a list.
pub const MAX_LIMIT: i64 = 100;

/// A new note as typed.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    /// Title.
    pub title: String,
    /// Body (Markdown).
    pub body_markdown: String,
    /// Tags as given (checked and lower-cased here).
    pub tags: Vec<String>,
    /// `community` (default) or `programme`.
    pub visibility: Option<String>,
}

/// A change to a note; fields left out stay as they are.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// New title.
    pub title: Option<String>,
    /// New body.
    pub body_markdown: Option<String>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New visibility.
    pub visibility: Option<String>,
}

/// The reader a user is.
pub fn reader(user: &User) -> Reader<'_> {
    Reader {
        user_id: &user.id,
        is_admin: user.is_admin,
    }
}

/// The HTML of a note body: its headings start at `<h2>`, below the note's title.
pub fn render_body(markdown: &str) -> String {
    markdown::render_nested(markdown, 2).into_string()
}

pub(crate) fn invalid(errors: Vec<(&'static str, &'static str)>) -> Error {
    Error::Validation {
        code: "validation_failed",
        errors: errors
            .into_iter()
            .map(|(field, message)| FieldError::new(field, "invalid", message))
            .collect(),
    }
}

/// The note `id` as `user` sees it; `NotFound` for anyone who may not see it, as for a missing id.
pub async fn visible(state: &AppState, user: &User, id: &str) -> Result<Note> {
    db::notes::visible(&state.db, id, reader(user))
        .await?
        .ok_or(Error::NotFound)
}

/// Parses `?limit=` and `?cursor=`: limit 20 by default, at most 100; `422` on a bad cursor.
pub fn paging(limit: Option<i64>, cursor: Option<&str>) -> Result<(i64, Option<Cursor>)> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let after = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| {
            Error::field("validation_failed", "cursor", "Deze cursor is ongeldig.")
        })?),
    };
    Ok((limit, after))
}

/// One page of a community's notes, newest first, and the cursor of the next page: the
/// community's own notes and the notes its sibling communities share with the whole programme.
pub async fn list(
    state: &AppState,
    user: &User,
    community_id: &str,
    tag: Option<&str>,
    limit: i64,
    after: Option<Cursor>,
) -> Result<(Vec<Note>, Option<String>)> {
    let tag =
        match tag.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(parse_tag(t).ok_or_else(|| {
                Error::field("validation_failed", "tag", "Deze tag bestaat niet.")
            })?),
        };
    let q = ListQuery {
        tag: tag.as_deref(),
        after,
        limit: limit + 1,
    };
    let mut notes = db::notes::of_community(&state.db, community_id, reader(user), &q).await?;
    let more = notes.len() > usize::try_from(limit).unwrap_or(0);
    notes.truncate(usize::try_from(limit).unwrap_or(0));
    let next = more
        .then(|| notes.last())
        .flatten()
        .map(|n| Cursor {
            at: n.created_at,
            id: n.id.clone(),
        })
        .map(|c| c.encode());
    Ok((notes, next))
}

/// `422` on `visibility` when a note should reach a programme its community is not part of.
fn check_programme(text: &NoteText, programme_id: Option<&str>) -> Result<()> {
    if text.visibility == Visibility::Programme && programme_id.is_none() {
        return Err(Error::field(
            "validation_failed",
            "visibility",
            "Deze community hoort niet bij een programma; kies Alleen deze community.",
        ));
    }
    Ok(())
}

/// Writes the search document of a note, and of its comments (which carry the note's title and
/// visibility), in the transaction that changed it.
pub(crate) async fn index(
    tx: &mut Tx,
    id: &str,
    community_id: &str,
    programme_id: Option<&str>,
    text: &NoteText,
    created_at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let url = format!("/notities/{id}");
    let body = if text.tags.is_empty() {
        text.body.clone()
    } else {
        format!("{}\n\n{}", text.body, text.tags.join(" "))
    };
    db::search::put(
        tx,
        &db::search::Doc {
            kind: "note",
            ref_id: id,
            community_id: Some(community_id),
            programme_id,
            visibility: text.visibility.as_str(),
            title: &text.title,
            body: &body,
            url: &url,
            created_at,
        },
    )
    .await?;
    for c in db::comments::all_of_note(tx, id).await? {
        comments::index(
            tx,
            &c,
            id,
            community_id,
            programme_id,
            text.visibility.as_str(),
            &text.title,
        )
        .await?;
    }
    Ok(())
}

/// Writes a note by `user` in a community they belong to (the caller checked that).
pub async fn create(
    state: &AppState,
    user: &User,
    community_id: &str,
    draft: &Draft,
) -> Result<Note> {
    let visibility = draft.visibility.as_deref().unwrap_or("community");
    let text = NoteText::parse(&draft.title, &draft.body_markdown, &draft.tags, visibility)
        .map_err(invalid)?;
    let html = render_body(&text.body);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let programme_id = db::notes::programme_of(&mut tx, community_id).await?;
    check_programme(&text, programme_id.as_deref())?;
    let id = db::notes::create(&mut tx, community_id, &user.id, &text, &html, now).await?;
    index(
        &mut tx,
        &id,
        community_id,
        programme_id.as_deref(),
        &text,
        now,
    )
    .await?;
    let mention = mentions::Mention {
        note_id: &id,
        note_title: &text.title,
        community_id,
        author: user,
        comment_id: None,
    };
    let sent = mentions::notify(state, &mut tx, &mention, &text.body, "").await?;
    tx.commit().await?;
    if sent > 0 {
        state.wake_worker();
    }
    visible(state, user, &id).await
}

/// Changes a note: `403` unless `user` is its author, a facilitator of its community or an
/// admin; `422` with field errors for what does not parse. Newly mentioned members are e-mailed.
pub async fn change(state: &AppState, user: &User, note: &Note, change: &Change) -> Result<Note> {
    if !note.may_change(reader(user)) {
        return Err(Error::Forbidden);
    }
    let tags = change.tags.clone().unwrap_or_else(|| note.tag_list());
    let text = NoteText::parse(
        change.title.as_deref().unwrap_or(&note.title),
        change
            .body_markdown
            .as_deref()
            .unwrap_or(&note.body_markdown),
        &tags,
        change.visibility.as_deref().unwrap_or(&note.visibility),
    )
    .map_err(invalid)?;
    check_programme(&text, note.programme_id.as_deref())?;
    let html = render_body(&text.body);
    let mut tx = state.db.begin().await?;
    db::notes::update(&mut tx, note, &text, &html, state.clock.now()).await?;
    index(
        &mut tx,
        &note.id,
        &note.community_id,
        note.programme_id.as_deref(),
        &text,
        note.created_at,
    )
    .await?;
    let mention = mentions::Mention {
        note_id: &note.id,
        note_title: &text.title,
        community_id: &note.community_id,
        author: user,
        comment_id: None,
    };
    let sent = mentions::notify(state, &mut tx, &mention, &text.body, &note.body_markdown).await?;
    tx.commit().await?;
    if sent > 0 {
        state.wake_worker();
    }
    visible(state, user, &note.id).await
}

/// Deletes a note with its comments, files and search documents (`403` as for [`change`]).
/// The stored files are removed after the records are gone, so they are 404 from then on.
pub async fn delete(state: &AppState, user: &User, note: &Note) -> Result<()> {
    if !note.may_change(reader(user)) {
        return Err(Error::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    for c in db::comments::all_of_note(&mut tx, &note.id).await? {
        db::search::remove(&mut tx, "comment", &c.id).await?;
    }
    db::search::remove(&mut tx, "note", &note.id).await?;
    let keys = db::attachments::delete_of_parent(&mut tx, "note", &note.id).await?;
    db::notes::delete(&mut tx, &note.id).await?;
    db::audit::record(
        &mut tx,
        Some(&user.id),
        "note_deleted",
        &note.id,
        &note.title,
    )
    .await?;
    tx.commit().await?;
    attachments::remove_files(state, &keys).await;
    Ok(())
}

/// Receives a file for a note (its author, a facilitator of its community, or an admin; `403`
/// for other readers). `csrf` as for [`attachments::receive`].
pub async fn attach(
    state: &AppState,
    user: &User,
    note: &Note,
    form: Multipart,
    csrf: Option<&str>,
) -> Result<Attachment> {
    if !note.may_change(reader(user)) {
        return Err(Error::Forbidden);
    }
    attachments::receive(
        state,
        form,
        ("note", &note.id),
        Uploader::User(&user.id),
        csrf,
    )
    .await
}

/// The files of a note the caller has been allowed to see, oldest first.
pub async fn files(state: &AppState, note: &Note) -> Result<Vec<Attachment>> {
    db::attachments::of_parent(&state.db, "note", &note.id).await
}
