//! Notes of a community and their tags. Every read joins the caller's memberships: a note with
//! visibility `community` is seen by the members of its community, one with visibility
//! `programme` also by the members of every other community of the same programme; admins see
//! all. Writes run inside the caller's transaction and read nothing through the pool.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::note::NoteText;
use crate::error::Result;

/// Who reads.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    /// The user's id.
    pub user_id: &'a str,
    /// Admins see every note.
    pub is_admin: bool,
}

/// A note as one caller sees it.
#[derive(Clone, Debug, FromRow)]
pub struct Note {
    /// Id.
    pub id: String,
    /// Its community.
    pub community_id: String,
    /// The community's slug.
    pub community_slug: String,
    /// The community's name.
    pub community_name: String,
    /// The community's programme, if any.
    pub programme_id: Option<String>,
    /// Author (`None` once the account is gone).
    pub author_id: Option<String>,
    /// Author's name.
    pub author_name: Option<String>,
    /// Author's organisation (its name).
    pub author_organisation: Option<String>,
    /// Title.
    pub title: String,
    /// Body as written.
    pub body_markdown: String,
    /// Body as sanitised HTML (rendered on write).
    pub body_html: String,
    /// Tags, space-separated.
    pub tags: String,
    /// `community` or `programme`.
    pub visibility: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// Last edit.
    pub updated_at: DateTime<Utc>,
    /// Number of comments.
    pub comment_count: i64,
    /// The caller's role in the note's community (`None`: not a member of it).
    pub my_role: Option<String>,
}

impl Note {
    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<String> {
        self.tags.split_whitespace().map(str::to_string).collect()
    }

    /// True when `reader` may change or delete it: its author, a facilitator of its community, or
    /// an admin.
    pub fn may_change(&self, reader: Reader<'_>) -> bool {
        reader.is_admin
            || self.my_role.as_deref() == Some("facilitator")
            || self.author_id.as_deref() == Some(reader.user_id)
    }
}

/// A position in a newest-first (notes) or oldest-first (comments) list: the last row's time and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The row's `created_at`.
    pub at: DateTime<Utc>,
    /// The row's id.
    pub id: String,
}

impl Cursor {
    /// The opaque form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "k:{}|{}",
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            self.id
        ))
    }

    /// Reads the opaque form; `None` for anything else.
    pub fn decode(cursor: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let (at, id) = text.strip_prefix("k:")?.split_once('|')?;
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        (!id.is_empty() && id.len() <= 64).then(|| Self {
            at,
            id: id.to_string(),
        })
    }
}

/// The columns of [`Note`]; `$1` is the reader.
const SELECT: &str = "SELECT n.id, n.community_id, c.slug AS community_slug, c.name AS community_name,
    c.programme_id, n.author_id, u.name AS author_name, o.name AS author_organisation, n.title,
    n.body_markdown, n.body_html, n.tags, n.visibility, n.created_at, n.updated_at,
    (SELECT COUNT(*) FROM comments cm WHERE cm.note_id = n.id) AS comment_count, ms.role AS my_role";

/// The joins of [`SELECT`] after `FROM notes n`.
const JOINS: &str = "JOIN communities c ON c.id = n.community_id
    LEFT JOIN users u ON u.id = n.author_id
    LEFT JOIN organisations o ON o.code = u.organisation_code
    LEFT JOIN memberships ms ON ms.community_id = n.community_id AND ms.user_id = $1";

/// The condition that the reader (`$1`, admin flag `$2`) may see note `n` of community `c`:
/// a membership of its community, or for a programme note of any community of its programme.
/// Shared with comments and attachments, which are visible exactly when their note is.
pub const VISIBLE: &str = "($2 OR EXISTS (SELECT 1 FROM memberships vm
    JOIN communities vc ON vc.id = vm.community_id
    WHERE vm.user_id = $1 AND (vc.id = n.community_id
      OR (n.visibility = 'programme' AND vc.programme_id = c.programme_id))))";

/// A note the reader may see; `None` for a missing id and an invisible note alike.
pub async fn visible(db: &Db, id: &str, reader: Reader<'_>) -> Result<Option<Note>> {
    let sql = format!("{SELECT} FROM notes n {JOINS} WHERE n.id = $3 AND {VISIBLE}");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Note>(&sql)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// What a list shows.
#[derive(Clone, Debug, Default)]
pub struct ListQuery<'a> {
    /// Only notes with this tag.
    pub tag: Option<&'a str>,
    /// After this position (the previous page's last note).
    pub after: Option<Cursor>,
    /// At most this many (callers fetch one more to know whether a next page exists).
    pub limit: i64,
}

/// The notes listed in a community, newest first: the community's own notes, and the notes its
/// sibling communities share with the whole programme. Empty for a reader outside the community.
///
/// Two legs, each walking an index in order (`notes_community_latest`, or `note_tags_community_tag`
/// with a tag; `notes_programme_latest` for the shared notes, by the programme id each note
/// carries), merged and cut to `limit`: the cost of a page does not grow with the community.
pub async fn of_community(
    db: &Db,
    community_id: &str,
    reader: Reader<'_>,
    q: &ListQuery<'_>,
) -> Result<Vec<Note>> {
    // $1 reader, $2 admin, $3 community, $4 limit, then the tag and the cursor when given.
    let mut next = 5;
    let mut param = || {
        let p = format!("${next}");
        next += 1;
        p
    };
    let tag = q.tag.map(|_| param());
    let cursor = q.after.as_ref().map(|_| (param(), param()));
    // Keyset condition and order on the columns of the index the leg walks.
    let page = |at: &str, id: &str| {
        let after = cursor.as_ref().map_or(String::new(), |(p_at, p_id)| {
            format!("AND ({at} < {p_at} OR ({at} = {p_at} AND {id} < {p_id}))")
        });
        format!("{after} ORDER BY {at} DESC, {id} DESC LIMIT $4")
    };
    let member =
        "($2 OR EXISTS (SELECT 1 FROM memberships g WHERE g.community_id = $3 AND g.user_id = $1))";
    let (own, shared_tag) = match &tag {
        Some(t) => (
            format!(
                "FROM note_tags t JOIN notes n ON n.id = t.note_id {JOINS}
                 WHERE t.community_id = $3 AND t.tag = {t} AND {member} {}",
                page("t.created_at", "t.note_id")
            ),
            format!(
                "AND EXISTS (SELECT 1 FROM note_tags st WHERE st.note_id = n.id AND st.tag = {t})"
            ),
        ),
        None => (
            format!(
                "FROM notes n {JOINS} WHERE n.community_id = $3 AND {member} {}",
                page("n.created_at", "n.id")
            ),
            String::new(),
        ),
    };
    let shared = page("n.created_at", "n.id");
    let sql = format!(
        "SELECT * FROM ({SELECT} {own}) own
         UNION ALL
         SELECT * FROM ({SELECT} FROM notes n {JOINS}
           WHERE n.visibility = 'programme'
           AND n.programme_id = (SELECT h.programme_id FROM communities h WHERE h.id = $3)
           AND n.community_id <> $3
           AND {member} {shared_tag} {shared}) shared
         ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    Ok(on_pool!(db, |c| {
        let mut query = sqlx::query_as::<_, Note>(&sql)
            .bind(reader.user_id)
            .bind(reader.is_admin)
            .bind(community_id)
            .bind(q.limit);
        if let Some(t) = q.tag {
            query = query.bind(t);
        }
        if let Some(after) = &q.after {
            query = query.bind(after.at).bind(&after.id);
        }
        query.fetch_all(c).await?
    }))
}

/// Stores a note; returns its id.
pub async fn create(
    tx: &mut Tx,
    community_id: &str,
    author_id: &str,
    text: &NoteText,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO notes (id, community_id, author_id, title, body_markdown, body_html, tags,
           visibility, created_at, updated_at, programme_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9,
           (SELECT programme_id FROM communities WHERE id = $2))"
    )
    .bind(&id)
    .bind(community_id)
    .bind(author_id)
    .bind(&text.title)
    .bind(&text.body)
    .bind(body_html)
    .bind(text.tags.join(" "))
    .bind(text.visibility.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?);
    set_tags(tx, &id, community_id, &text.tags, now).await?;
    Ok(id)
}

/// Replaces title, body, tags and visibility.
pub async fn update(
    tx: &mut Tx,
    note: &Note,
    text: &NoteText,
    body_html: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE notes SET title = $2, body_markdown = $3, body_html = $4, tags = $5, visibility = $6,
           updated_at = $7 WHERE id = $1"
    )
    .bind(&note.id)
    .bind(&text.title)
    .bind(&text.body)
    .bind(body_html)
    .bind(text.tags.join(" "))
    .bind(text.visibility.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())?
    });
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM note_tags WHERE note_id = $1"
    )
    .bind(&note.id)
    .execute(c)
    .await
    .map(|_| ())?);
    set_tags(
        tx,
        &note.id,
        &note.community_id,
        &text.tags,
        note.created_at,
    )
    .await
}

async fn set_tags(
    tx: &mut Tx,
    note_id: &str,
    community_id: &str,
    tags: &[String],
    created_at: DateTime<Utc>,
) -> Result<()> {
    for tag in tags {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO note_tags (note_id, tag, community_id, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(note_id)
        .bind(tag)
        .bind(community_id)
        .bind(created_at)
        .execute(c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

/// Deletes a note with its tags and comments (the caller removes its files and search documents).
pub async fn delete(tx: &mut Tx, id: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query("DELETE FROM notes WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// The programme of a community, read inside a write transaction.
pub async fn programme_of(tx: &mut Tx, community_id: &str) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, Option<String>>(
        "SELECT programme_id FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await?)
    .flatten())
}

/// Someone who can see a note (for mentions).
#[derive(Clone, Debug, FromRow)]
pub struct Person {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// `instant`, `daily`, `weekly` or `off`.
    pub notification_frequency: String,
}

/// Everyone who can see note `id` through a membership: the members of its community and, for a
/// programme note, of every community of the programme. Read inside the write transaction.
pub async fn audience(tx: &mut Tx, id: &str) -> Result<Vec<Person>> {
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Person>(
        "SELECT DISTINCT u.id, u.name, u.email, u.notification_frequency
         FROM notes n
         JOIN communities c ON c.id = n.community_id
         JOIN communities mc ON mc.id = n.community_id
           OR (n.visibility = 'programme' AND mc.programme_id = c.programme_id)
         JOIN memberships m ON m.community_id = mc.id
         JOIN users u ON u.id = m.user_id
         WHERE n.id = $1
         ORDER BY u.name, u.id"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// True when the community belongs to a programme (so its notes may be shared programme-wide).
pub async fn has_programme(db: &Db, community_id: &str) -> Result<bool> {
    let programme: Option<Option<String>> = on_pool!(db, |c| sqlx::query_scalar(
        "SELECT programme_id FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await?);
    Ok(programme.flatten().is_some())
}
