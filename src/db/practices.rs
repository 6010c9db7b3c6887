//! Practice examples and their themes. Every read filters on what the caller may see inside the
//! query ([`visible_sql`]): public examples for everyone, the others for the members of their
//! community (or, for `programme`, of any community of its programme), their author and admins.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::practice::{Card, Theme};
use crate::error::{Error, Result};

/// Who reads: a signed-in user or nobody.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reader<'a> {
    /// The user's id (`None`: anonymous, public examples only).
    pub user_id: Option<&'a str>,
    /// Admins see everything.
    pub is_admin: bool,
}

/// The SQL condition "the practice `p` is visible to user `user`, who is an admin when `admin`",
/// with the placeholders to use for user id and admin flag (e.g. `"$1"`, `"$2"`).
pub(crate) fn visible_sql(p: &str, user: &str, admin: &str) -> String {
    format!(
        "({p}.visibility = 'public' OR {admin} OR {p}.author_id = {user}
          OR {p}.community_id IN (SELECT vm.community_id FROM memberships vm WHERE vm.user_id = {user})
          OR ({p}.visibility = 'programme' AND {p}.programme_id IN (
                SELECT vc.programme_id FROM memberships vm JOIN communities vc ON vc.id = vm.community_id
                WHERE vm.user_id = {user})))"
    )
}

/// A practice example as one caller sees it.
#[derive(Clone, Debug, FromRow)]
pub struct Practice {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Organisation code.
    pub organisation_code: String,
    /// Organisation name.
    pub organisation_name: String,
    /// Summary (plain text).
    pub summary: String,
    /// Body (Markdown).
    pub body_markdown: String,
    /// Sanitised HTML of the body, rendered when written.
    pub body_html: String,
    /// Lessons learned (Markdown).
    pub lessons_learned: String,
    /// Year.
    pub year: Option<i64>,
    /// Cost in euros.
    pub cost_eur: Option<i64>,
    /// Area in m².
    pub area_m2: Option<i64>,
    /// Latitude (WGS84).
    pub lat: Option<f64>,
    /// Longitude (WGS84).
    pub lon: Option<f64>,
    /// Community.
    pub community_id: Option<String>,
    /// Community slug.
    pub community_slug: Option<String>,
    /// Community name.
    pub community_name: Option<String>,
    /// Programme of the community when written.
    pub programme_id: Option<String>,
    /// `community`, `programme` or `public`.
    pub visibility: String,
    /// Author (`None` once that account is gone).
    pub author_id: Option<String>,
    /// Author's name.
    pub author_name: Option<String>,
    /// The caller's role in its community.
    pub my_role: Option<String>,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
    /// Themes, in catalogue order (filled after the row is read).
    #[sqlx(skip)]
    pub themes: Vec<Theme>,
}

impl Practice {
    /// True when `reader` may change or delete it: its author, a facilitator of its community, or
    /// an admin.
    pub fn changeable_by(&self, reader: Reader<'_>) -> bool {
        reader.user_id.is_some()
            && (reader.is_admin
                || self.my_role.as_deref() == Some("facilitator")
                || (self.author_id.is_some() && self.author_id.as_deref() == reader.user_id))
    }
}

/// `$1` is the caller (or NULL), `$2` whether they are an admin.
const SELECT: &str = "SELECT p.id, p.title, p.organisation_code, o.name AS organisation_name,
    p.summary, p.body_markdown, p.body_html, p.lessons_learned, p.year, p.cost_eur, p.area_m2,
    p.lat, p.lon, p.community_id, c.slug AS community_slug, c.name AS community_name,
    p.programme_id, p.visibility, p.author_id, u.name AS author_name, ms.role AS my_role,
    p.created_at, p.updated_at
  FROM practices p
  JOIN organisations o ON o.code = p.organisation_code
  LEFT JOIN communities c ON c.id = p.community_id
  LEFT JOIN users u ON u.id = p.author_id
  LEFT JOIN memberships ms ON ms.community_id = p.community_id AND ms.user_id = $1";

/// Filters of the catalogue.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter<'a> {
    /// Only this theme.
    pub theme: Option<Theme>,
    /// Only this organisation (code).
    pub organisation: Option<&'a str>,
    /// Only this community (slug).
    pub community: Option<&'a str>,
}

/// `$3` theme, `$4` organisation code, `$5` community slug; each NULL for "any".
const FILTER: &str = "($3 IS NULL OR EXISTS (SELECT 1 FROM practice_themes ft
        WHERE ft.practice_id = p.id AND ft.theme = $3))
  AND ($4 IS NULL OR p.organisation_code = $4)
  AND ($5 IS NULL OR p.community_id = (SELECT fc.id FROM communities fc WHERE fc.slug = $5))";

/// The visible practice examples that pass the filter, newest first: `limit` from `offset`.
pub async fn list(
    db: &Db,
    reader: Reader<'_>,
    filter: Filter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Practice>> {
    let sql = format!(
        "{SELECT} WHERE {} AND {FILTER} ORDER BY p.created_at DESC, p.id DESC LIMIT $6 OFFSET $7",
        visible_sql("p", "$1", "$2")
    );
    let mut rows: Vec<Practice> = on_pool!(db, |c| sqlx::query_as::<_, Practice>(&sql)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .bind(filter.theme.map(Theme::as_str))
        .bind(filter.organisation)
        .bind(filter.community)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await?);
    fill_themes(db, &mut rows).await?;
    Ok(rows)
}

/// One practice example the caller may see; `None` for a missing id and an invisible one alike.
pub async fn visible(db: &Db, id: &str, reader: Reader<'_>) -> Result<Option<Practice>> {
    let sql = format!(
        "{SELECT} WHERE p.id = $3 AND {}",
        visible_sql("p", "$1", "$2")
    );
    let row: Option<Practice> = on_pool!(db, |c| sqlx::query_as::<_, Practice>(&sql)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .bind(id)
        .fetch_optional(c)
        .await?);
    let Some(practice) = row else {
        return Ok(None);
    };
    let mut rows = vec![practice];
    fill_themes(db, &mut rows).await?;
    Ok(rows.pop())
}

/// `$1, $2, …` for `n` values starting at `$from`.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the themes of `rows` in one query.
async fn fill_themes(db: &Db, rows: &mut [Practice]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT practice_id, theme FROM practice_themes WHERE practice_id IN ({})",
        placeholders(1, rows.len())
    );
    let pairs: Vec<(String, String)> = on_pool!(db, |c| {
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for r in rows.iter() {
            q = q.bind(&r.id);
        }
        q.fetch_all(c).await?
    });
    for row in rows.iter_mut() {
        row.themes = pairs
            .iter()
            .filter(|(id, _)| *id == row.id)
            .filter_map(|(_, t)| Theme::parse(t))
            .collect();
        row.themes.sort_unstable();
    }
    Ok(())
}

/// Where a practice example belongs: its community and that community's programme.
#[derive(Clone, Copy, Debug, Default)]
pub struct Place<'a> {
    /// Community id.
    pub community_id: Option<&'a str>,
    /// Programme id of the community.
    pub programme_id: Option<&'a str>,
}

/// Stores a new practice example with its themes; returns its id.
pub async fn create(
    tx: &mut Tx,
    card: &Card,
    body_html: &str,
    place: Place<'_>,
    author_id: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    let (lat, lon) = (card.location.map(|l| l.lat), card.location.map(|l| l.lon));
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO practices (id, title, organisation_code, summary, body_markdown, body_html,
           lessons_learned, year, cost_eur, area_m2, lat, lon, community_id, programme_id,
           visibility, author_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)"
    )
    .bind(&id)
    .bind(&card.title)
    .bind(&card.organisation_code)
    .bind(&card.summary)
    .bind(&card.body_markdown)
    .bind(body_html)
    .bind(&card.lessons_learned)
    .bind(card.year)
    .bind(card.cost_eur)
    .bind(card.area_m2)
    .bind(lat)
    .bind(lon)
    .bind(place.community_id)
    .bind(place.programme_id)
    .bind(card.visibility.as_str())
    .bind(author_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    set_themes(tx, &id, &card.themes).await?;
    Ok(id)
}

/// Replaces every field and the themes of a practice example.
pub async fn update(
    tx: &mut Tx,
    id: &str,
    card: &Card,
    body_html: &str,
    place: Place<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (lat, lon) = (card.location.map(|l| l.lat), card.location.map(|l| l.lon));
    let affected = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE practices SET title = $2, organisation_code = $3, summary = $4, body_markdown = $5,
           body_html = $6, lessons_learned = $7, year = $8, cost_eur = $9, area_m2 = $10, lat = $11,
           lon = $12, community_id = $13, programme_id = $14, visibility = $15, updated_at = $16
         WHERE id = $1"
    )
    .bind(id)
    .bind(&card.title)
    .bind(&card.organisation_code)
    .bind(&card.summary)
    .bind(&card.body_markdown)
    .bind(body_html)
    .bind(&card.lessons_learned)
    .bind(card.year)
    .bind(card.cost_eur)
    .bind(card.area_m2)
    .bind(lat)
    .bind(lon)
    .bind(place.community_id)
    .bind(place.programme_id)
    .bind(card.visibility.as_str())
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    if affected == 0 {
        return Err(Error::NotFound);
    }
    set_themes(tx, id, &card.themes).await
}

async fn set_themes(tx: &mut Tx, id: &str, themes: &[Theme]) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM practice_themes WHERE practice_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await?
    .rows_affected());
    for theme in themes {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO practice_themes (practice_id, theme) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(theme.as_str())
        .execute(c)
        .await?
        .rows_affected());
    }
    Ok(())
}

/// Deletes a practice example (its themes go with it).
pub async fn delete(tx: &mut Tx, id: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query("DELETE FROM practices WHERE id = $1")
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// A practice example as a point of the map and its text list.
#[derive(Clone, Debug, FromRow)]
pub struct Pin {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Organisation code.
    pub organisation_code: String,
    /// Organisation name.
    pub organisation_name: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
}

/// Every practice example the caller may see, optionally of one theme, by organisation name:
/// one query for the whole map.
pub async fn pins(db: &Db, reader: Reader<'_>, theme: Option<Theme>) -> Result<Vec<Pin>> {
    let sql = format!(
        "SELECT p.id, p.title, p.organisation_code, o.name AS organisation_name, p.lat, p.lon
         FROM practices p JOIN organisations o ON o.code = p.organisation_code
         WHERE {} AND ($3 IS NULL OR EXISTS (SELECT 1 FROM practice_themes ft
                 WHERE ft.practice_id = p.id AND ft.theme = $3))
         ORDER BY o.name, p.organisation_code, p.created_at DESC, p.id",
        visible_sql("p", "$1", "$2")
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Pin>(&sql)
        .bind(reader.user_id)
        .bind(reader.is_admin)
        .bind(theme.map(Theme::as_str))
        .fetch_all(c)
        .await?))
}

/// Number of practice examples (demo, tests).
pub async fn count(db: &Db) -> Result<i64> {
    Ok(on_pool!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM practices"
    )
    .fetch_one(c)
    .await?))
}
