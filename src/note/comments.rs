//! Comments on notes: everyone who sees a note may comment on it; the comment's author, a
//! facilitator of the note's community and admins change or delete it. Each comment has its
//! own search document (kind `comment`, the note's title, visibility and community).

use crate::app::AppState;
use crate::db::comments::{Comment, Indexed};
use crate::db::notes::{Cursor, Note};
use crate::db::users::User;
use crate::db::{self, Tx};
use crate::domain::markdown;
use crate::domain::note::parse_comment;
use crate::error::{Error, Result};

use super::{invalid, mentions, reader};

/// The HTML of a comment: its headings start at `<h4>`, below the comment's own heading.
pub fn render_body(markdown: &str) -> String {
    markdown::render_nested(markdown, 4).into_string()
}

/// Writes a comment's search document.
pub(crate) async fn index(
    tx: &mut Tx,
    c: &Indexed,
    note_id: &str,
    community_id: &str,
    programme_id: Option<&str>,
    visibility: &str,
    title: &str,
) -> Result<()> {
    let url = format!("/notities/{note_id}#reactie-{}", c.id);
    db::search::put(
        tx,
        &db::search::Doc {
            kind: "comment",
            ref_id: &c.id,
            community_id: Some(community_id),
            programme_id,
            visibility,
            title,
            body: &c.body_markdown,
            url: &url,
            created_at: c.created_at,
        },
    )
    .await
}

/// A comment `user` may see; `NotFound` otherwise, as for a missing id.
pub async fn visible(state: &AppState, user: &User, id: &str) -> Result<Comment> {
    db::comments::visible(&state.db, id, reader(user))
        .await?
        .ok_or(Error::NotFound)
}

/// One page of the comments of a note, oldest first, and the cursor of the next page.
pub async fn list(
    state: &AppState,
    user: &User,
    note: &Note,
    limit: i64,
    after: Option<Cursor>,
) -> Result<(Vec<Comment>, Option<String>)> {
    let mut items =
        db::comments::of_note(&state.db, &note.id, reader(user), after.as_ref(), limit + 1).await?;
    let keep = usize::try_from(limit).unwrap_or(0);
    let more = items.len() > keep;
    items.truncate(keep);
    let next = more.then(|| items.last()).flatten().map(|c| {
        Cursor {
            at: c.created_at,
            id: c.id.clone(),
        }
        .encode()
    });
    Ok((items, next))
}

/// Adds `user`'s comment to a note they see; mentioned members are e-mailed.
pub async fn add(state: &AppState, user: &User, note: &Note, body: &str) -> Result<Comment> {
    let body = parse_comment(body).map_err(|e| invalid(vec![e]))?;
    let html = render_body(&body);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = db::comments::create(&mut tx, &note.id, &user.id, &body, &html, now).await?;
    let indexed = Indexed {
        id: id.clone(),
        body_markdown: body.clone(),
        created_at: now,
    };
    index(
        &mut tx,
        &indexed,
        &note.id,
        &note.community_id,
        note.programme_id.as_deref(),
        &note.visibility,
        &note.title,
    )
    .await?;
    let mention = mentions::Mention {
        note_id: &note.id,
        note_title: &note.title,
        community_id: &note.community_id,
        author: user,
        comment_id: Some(&id),
    };
    let sent = mentions::notify(state, &mut tx, &mention, &body, "").await?;
    tx.commit().await?;
    if sent > 0 {
        state.wake_worker();
    }
    visible(state, user, &id).await
}

/// Changes a comment's text (`403` unless its author, a facilitator of the note's community or
/// an admin); newly mentioned members are e-mailed.
pub async fn change(
    state: &AppState,
    user: &User,
    note: &Note,
    comment: &Comment,
    body: &str,
) -> Result<Comment> {
    if !comment.may_change(reader(user)) {
        return Err(Error::Forbidden);
    }
    let body = parse_comment(body).map_err(|e| invalid(vec![e]))?;
    let html = render_body(&body);
    let mut tx = state.db.begin().await?;
    db::comments::update(&mut tx, &comment.id, &body, &html, state.clock.now()).await?;
    let indexed = Indexed {
        id: comment.id.clone(),
        body_markdown: body.clone(),
        created_at: comment.created_at,
    };
    index(
        &mut tx,
        &indexed,
        &note.id,
        &note.community_id,
        note.programme_id.as_deref(),
        &note.visibility,
        &note.title,
    )
    .await?;
    let mention = mentions::Mention {
        note_id: &note.id,
        note_title: &note.title,
        community_id: &note.community_id,
        author: user,
        comment_id: Some(&comment.id),
    };
    let sent = mentions::notify(state, &mut tx, &mention, &body, &comment.body_markdown).await?;
    tx.commit().await?;
    if sent > 0 {
        state.wake_worker();
    }
    visible(state, user, &comment.id).await
}

/// Deletes a comment and its search document (`403` as for [`change`]).
pub async fn delete(state: &AppState, user: &User, comment: &Comment) -> Result<()> {
    if !comment.may_change(reader(user)) {
        return Err(Error::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::search::remove(&mut tx, "comment", &comment.id).await?;
    db::comments::delete(&mut tx, &comment.id).await?;
    tx.commit().await?;
    Ok(())
}
