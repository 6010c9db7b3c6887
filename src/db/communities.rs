//! Communities: their settings (capacity, window, approval, eligibility, year targets),
//! facilitators and members.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::{OrgKind, Rules, Slug, WorkDomain};
use crate::error::{Error, Result};

/// A community with its settings and seat counts.
#[derive(Clone, Debug, FromRow)]
pub struct Community {
    /// Id.
    pub id: String,
    /// URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description (plain text).
    pub description: String,
    /// Programme id.
    pub programme_id: Option<String>,
    /// Programme slug.
    pub programme_slug: Option<String>,
    /// Seats (persons).
    pub capacity: i64,
    /// Seats per organisation, if capped.
    pub max_per_organisation: Option<i64>,
    /// Registration opens.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Registration deadline (inclusive).
    pub registration_deadline: Option<DateTime<Utc>>,
    /// `automatic` or `manual`.
    pub approval: String,
    /// Comma-separated organisation kinds.
    pub organisation_kinds: String,
    /// Fewest inhabitants (inclusive).
    pub min_population: Option<i64>,
    /// Most inhabitants (inclusive).
    pub max_population: Option<i64>,
    /// Only association members and programme participants.
    pub require_member_or_participant: bool,
    /// Meetings a year.
    pub meetings_per_year: i64,
    /// Site visits a year.
    pub site_visits_per_year: i64,
    /// Accepted members.
    pub seats_taken: i64,
    /// Registrations on the waitlist.
    pub waitlist_length: i64,
    /// Registrations awaiting a facilitator's decision (under manual approval they hold a seat).
    pub pending_count: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Community {
    /// Organisation kinds that may join.
    pub fn kinds(&self) -> Vec<OrgKind> {
        self.organisation_kinds
            .split(',')
            .filter_map(OrgKind::parse)
            .collect()
    }

    /// The eligibility rules.
    pub fn rules(&self) -> Rules {
        Rules {
            kinds: self.kinds(),
            min_population: self.min_population,
            max_population: self.max_population,
            require_member_or_participant: self.require_member_or_participant,
            opens_at: self.registration_opens_at,
            deadline: self.registration_deadline,
        }
    }

    /// Seats still free (under manual approval, pending registrations hold theirs).
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.seats_reserved()).max(0)
    }

    /// Seats taken by members, plus those held for pending registrations under manual approval.
    pub fn seats_reserved(&self) -> i64 {
        if self.is_manual() {
            self.seats_taken + self.pending_count
        } else {
            self.seats_taken
        }
    }

    /// True when a new registration may take (or, under manual approval, hold) a seat: a seat is
    /// free and nobody is waiting for one, so the waitlist is always served first.
    pub fn has_free_seat(&self) -> bool {
        self.seats_reserved() < self.capacity && self.waitlist_length == 0
    }

    /// True when new registrations get a seat or wait for approval rather than the waitlist.
    pub fn is_manual(&self) -> bool {
        self.approval == "manual"
    }
}

/// Columns of [`Community`], with the seat counts computed from the registrations.
pub const SELECT: &str = "SELECT c.id, c.slug, c.name, c.description, c.programme_id, p.slug AS programme_slug,
    c.capacity, c.max_per_organisation, c.registration_opens_at, c.registration_deadline, c.approval,
    c.organisation_kinds, c.min_population, c.max_population, c.require_member_or_participant,
    c.meetings_per_year, c.site_visits_per_year,
    (SELECT COUNT(*) FROM memberships m WHERE m.community_id = c.id AND m.role = 'member') AS seats_taken,
    (SELECT COUNT(*) FROM registrations r WHERE r.community_id = c.id AND r.status = 'waitlisted') AS waitlist_length,
    (SELECT COUNT(*) FROM registrations r WHERE r.community_id = c.id AND r.status = 'pending') AS pending_count,
    c.created_at
  FROM communities c LEFT JOIN programmes p ON p.id = c.programme_id";

/// Settings of a new or changed community.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Programme id.
    pub programme_id: Option<String>,
    /// Seats.
    pub capacity: i64,
    /// Seats per organisation.
    pub max_per_organisation: Option<i64>,
    /// Opens.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Deadline.
    pub registration_deadline: Option<DateTime<Utc>>,
    /// `automatic` or `manual`.
    pub approval: String,
    /// Kinds that may join.
    pub organisation_kinds: Vec<OrgKind>,
    /// Fewest inhabitants.
    pub min_population: Option<i64>,
    /// Most inhabitants.
    pub max_population: Option<i64>,
    /// Member-or-participant rule.
    pub require_member_or_participant: bool,
    /// Meetings a year.
    pub meetings_per_year: i64,
    /// Site visits a year.
    pub site_visits_per_year: i64,
}

impl Settings {
    fn kinds(&self) -> String {
        self.organisation_kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Creates a community; `409 community_exists` when the slug is taken.
pub async fn create(tx: &mut Tx, slug: &Slug, s: &Settings) -> Result<String> {
    let id = new_id();
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO communities (id, slug, name, created_at, description, programme_id, capacity,
               max_per_organisation, registration_opens_at, registration_deadline, approval, organisation_kinds,
               min_population, max_population, require_member_or_participant, meetings_per_year, site_visits_per_year)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&id)
        .bind(slug.as_str())
        .bind(&s.name)
        .bind(Utc::now())
        .bind(&s.description)
        .bind(&s.programme_id)
        .bind(s.capacity)
        .bind(s.max_per_organisation)
        .bind(s.registration_opens_at)
        .bind(s.registration_deadline)
        .bind(&s.approval)
        .bind(s.kinds())
        .bind(s.min_population)
        .bind(s.max_population)
        .bind(s.require_member_or_participant)
        .bind(s.meetings_per_year)
        .bind(s.site_visits_per_year)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| {
        crate::error::on_unique(e, || {
            Error::refused(
                axum::http::StatusCode::CONFLICT,
                "community_exists",
                format!("Er bestaat al een community met de korte naam {slug}."),
            )
        })
    })?;
    Ok(id)
}

/// Replaces the settings of a community.
pub async fn update(tx: &mut Tx, id: &str, s: &Settings) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE communities SET name = $2, description = $3, programme_id = $4, capacity = $5,
               max_per_organisation = $6, registration_opens_at = $7, registration_deadline = $8, approval = $9,
               organisation_kinds = $10, min_population = $11, max_population = $12,
               require_member_or_participant = $13, meetings_per_year = $14, site_visits_per_year = $15
             WHERE id = $1",
        )
        .bind(id)
        .bind(&s.name)
        .bind(&s.description)
        .bind(&s.programme_id)
        .bind(s.capacity)
        .bind(s.max_per_organisation)
        .bind(s.registration_opens_at)
        .bind(s.registration_deadline)
        .bind(&s.approval)
        .bind(s.kinds())
        .bind(s.min_population)
        .bind(s.max_population)
        .bind(s.require_member_or_participant)
        .bind(s.meetings_per_year)
        .bind(s.site_visits_per_year)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A community by slug.
pub async fn find(db: &Db, slug: &str) -> Result<Option<Community>> {
    let sql = format!("{SELECT} WHERE c.slug = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Community>(&sql)
        .bind(slug)
        .fetch_optional(c)
        .await?))
}

/// A community by id inside a write transaction, after locking it against concurrent seat changes:
/// on PostgreSQL the row is locked `FOR UPDATE` (so instances sharing the database queue here);
/// SQLite write transactions are serial already.
pub async fn lock(tx: &mut Tx, id: &str) -> Result<Community> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT id FROM communities WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut **t)
            .await?;
    }
    let sql = format!("{SELECT} WHERE c.id = $1");
    on_tx!(tx, |c| sqlx::query_as::<_, Community>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?)
    .ok_or(Error::NotFound)
}

/// Every community, by programme and name.
pub async fn list(db: &Db) -> Result<Vec<Community>> {
    let sql = format!("{SELECT} ORDER BY p.slug, COALESCE(c.min_population, 0), c.name");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Community>(&sql)
        .fetch_all(c)
        .await?))
}

/// The communities of a programme, smallest population bound first.
pub async fn of_programme(db: &Db, programme_id: &str) -> Result<Vec<Community>> {
    let sql = format!(
        "{SELECT} WHERE c.programme_id = $1 ORDER BY COALESCE(c.min_population, 0), c.name"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Community>(&sql)
        .bind(programme_id)
        .fetch_all(c)
        .await?))
}

/// Makes a user facilitator of a community (a member becomes facilitator; facilitators take no seat).
pub async fn add_facilitator(tx: &mut Tx, community_id: &str, user_id: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO memberships (community_id, user_id, role, created_at) VALUES ($1, $2, 'facilitator', $3)
             ON CONFLICT (community_id, user_id) DO UPDATE SET role = 'facilitator'",
        )
        .bind(community_id)
        .bind(user_id)
        .bind(Utc::now())
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Grants a seat (idempotent; a facilitator stays facilitator).
pub async fn add_member(tx: &mut Tx, community_id: &str, user_id: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO memberships (community_id, user_id, role, created_at) VALUES ($1, $2, 'member', $3)
             ON CONFLICT (community_id, user_id) DO NOTHING",
        )
        .bind(community_id)
        .bind(user_id)
        .bind(Utc::now())
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Removes a member's seat; returns false when they had none.
pub async fn remove_member(tx: &mut Tx, community_id: &str, user_id: &str) -> Result<bool> {
    let affected = on_tx!(tx, |c| {
        sqlx::query(
            "DELETE FROM memberships WHERE community_id = $1 AND user_id = $2 AND role = 'member'",
        )
        .bind(community_id)
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(affected > 0)
}

/// A person in the member list.
#[derive(Clone, Debug, FromRow)]
pub struct MemberRow {
    /// User id.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Organisation name.
    pub organisation: Option<String>,
    /// Comma-separated work domains.
    pub domains: String,
    /// `member` or `facilitator`.
    pub role: String,
}

impl MemberRow {
    /// Work domains as values.
    pub fn domain_list(&self) -> Vec<WorkDomain> {
        WorkDomain::split(&self.domains)
    }
}

/// Members and facilitators, facilitators first, then by name.
pub async fn members(db: &Db, community_id: &str) -> Result<Vec<MemberRow>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, MemberRow>(
            "SELECT u.id AS user_id, u.name, u.email, o.name AS organisation, u.domains, m.role
             FROM memberships m JOIN users u ON u.id = m.user_id
             LEFT JOIN organisations o ON o.code = u.organisation_code
             WHERE m.community_id = $1
             ORDER BY CASE WHEN m.role = 'facilitator' THEN 0 ELSE 1 END, u.name",
        )
        .bind(community_id)
        .fetch_all(c)
        .await?
    }))
}
