//! Programmes (a programme edition such as the green-city challenge), their participating
//! organisations and enrolment requests for the next edition.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::organisations::Organisation;
use super::{Db, Tx, new_id, on_pool, on_tx};
use crate::domain::{OrgCode, Slug};
use crate::error::{Error, Result};

/// A programme.
#[derive(Clone, Debug, FromRow)]
pub struct Programme {
    /// Id.
    pub id: String,
    /// URL name.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description (plain text).
    pub description: String,
    /// Contact person for questions.
    pub contact_name: Option<String>,
    /// Contact address.
    pub contact_email: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Programme {
    /// The contact person as "Naam (adres)", or whichever of the two is known.
    pub fn contact(&self) -> Option<String> {
        match (&self.contact_name, &self.contact_email) {
            (Some(n), Some(e)) => Some(format!("{n} ({e})")),
            (Some(n), None) => Some(n.clone()),
            (None, e) => e.clone(),
        }
    }
}

const COLUMNS: &str = "id, slug, name, description, contact_name, contact_email, created_at";

/// A programme to create.
#[derive(Clone, Debug)]
pub struct NewProgramme {
    /// URL name.
    pub slug: Slug,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact address.
    pub contact_email: Option<String>,
}

/// Creates a programme; `409 programme_exists` when the slug is taken.
pub async fn create(tx: &mut Tx, p: &NewProgramme) -> Result<Programme> {
    let sql = format!(
        "INSERT INTO programmes (id, slug, name, description, contact_name, contact_email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| {
        sqlx::query_as::<_, Programme>(&sql)
            .bind(new_id())
            .bind(p.slug.as_str())
            .bind(&p.name)
            .bind(&p.description)
            .bind(&p.contact_name)
            .bind(&p.contact_email)
            .bind(Utc::now())
            .fetch_one(c)
            .await
    })
    .map_err(|e| {
        crate::error::on_unique(e, || {
            Error::refused(
                axum::http::StatusCode::CONFLICT,
                "programme_exists",
                format!("Er bestaat al een programma met de korte naam {}.", p.slug),
            )
        })
    })
}

/// A programme by slug.
pub async fn find(db: &Db, slug: &str) -> Result<Option<Programme>> {
    let sql = format!("SELECT {COLUMNS} FROM programmes WHERE slug = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Programme>(&sql)
        .bind(slug)
        .fetch_optional(c)
        .await?))
}

/// A programme by id.
pub async fn find_by_id(db: &Db, id: &str) -> Result<Option<Programme>> {
    let sql = format!("SELECT {COLUMNS} FROM programmes WHERE id = $1");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Programme>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A programme by id, inside a write transaction.
pub async fn find_by_id_tx(tx: &mut Tx, id: &str) -> Result<Option<Programme>> {
    let sql = format!("SELECT {COLUMNS} FROM programmes WHERE id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, Programme>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Every programme, newest first.
pub async fn list(db: &Db) -> Result<Vec<Programme>> {
    let sql = format!("SELECT {COLUMNS} FROM programmes ORDER BY created_at DESC");
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Programme>(&sql)
        .fetch_all(c)
        .await?))
}

/// Makes an organisation a participant (idempotent).
pub async fn add_participant(tx: &mut Tx, programme_id: &str, code: &OrgCode) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO programme_participants (programme_id, organisation_code, created_at)
             VALUES ($1, $2, $3) ON CONFLICT (programme_id, organisation_code) DO NOTHING",
        )
        .bind(programme_id)
        .bind(code.as_str())
        .bind(Utc::now())
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// The participating organisations, by name.
pub async fn participants(db: &Db, programme_id: &str) -> Result<Vec<Organisation>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Organisation>(
            "SELECT o.code, o.name, o.kind, o.province, o.population, o.association_member
             FROM programme_participants p JOIN organisations o ON o.code = p.organisation_code
             WHERE p.programme_id = $1 ORDER BY o.name",
        )
        .bind(programme_id)
        .fetch_all(c)
        .await?
    }))
}

/// True when the organisation participates in the programme.
pub async fn is_participant(tx: &mut Tx, programme_id: &str, code: &str) -> Result<bool> {
    let found: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM programme_participants WHERE programme_id = $1 AND organisation_code = $2",
        )
        .bind(programme_id)
        .bind(code)
        .fetch_optional(c)
        .await?
    });
    Ok(found.is_some())
}

/// Slugs of the programmes an organisation participates in.
pub async fn slugs_of(db: &Db, code: &str) -> Result<Vec<String>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_scalar(
            "SELECT p.slug FROM programme_participants pp JOIN programmes p ON p.id = pp.programme_id
             WHERE pp.organisation_code = $1 ORDER BY p.slug",
        )
        .bind(code)
        .fetch_all(c)
        .await?
    }))
}

/// Every (organisation code, programme slug) pair, for filling `programmes` on a page of organisations
/// with one query (the table holds at most a few hundred rows).
pub async fn participations(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(on_pool!(db, |c| {
        sqlx::query_as(
            "SELECT pp.organisation_code, p.slug FROM programme_participants pp
             JOIN programmes p ON p.id = pp.programme_id ORDER BY p.slug",
        )
        .fetch_all(c)
        .await?
    }))
}

/// A request of an organisation to join a programme's next edition.
#[derive(Clone, Debug, FromRow)]
pub struct Enrolment {
    /// Id.
    pub id: String,
    /// Programme.
    pub programme_id: String,
    /// Organisation.
    pub organisation_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact address.
    pub contact_email: String,
    /// `pending` or `approved`.
    pub status: String,
    /// Submitted.
    pub created_at: DateTime<Utc>,
}

const ENROLMENT_COLUMNS: &str =
    "id, programme_id, organisation_code, contact_name, contact_email, status, created_at";

/// Stores an enrolment request.
pub async fn create_enrolment(
    tx: &mut Tx,
    programme_id: &str,
    code: &OrgCode,
    contact_name: &str,
    contact_email: &str,
) -> Result<Enrolment> {
    let sql = format!(
        "INSERT INTO enrolments (id, programme_id, organisation_code, contact_name, contact_email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ENROLMENT_COLUMNS}"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as::<_, Enrolment>(&sql)
            .bind(new_id())
            .bind(programme_id)
            .bind(code.as_str())
            .bind(contact_name)
            .bind(contact_email)
            .bind(Utc::now())
            .fetch_one(c)
            .await?
    }))
}

/// Approves an enrolment: the organisation becomes a participant. Returns it, `NotFound` if unknown.
pub async fn approve_enrolment(tx: &mut Tx, id: &str) -> Result<Enrolment> {
    let sql = format!(
        "UPDATE enrolments SET status = 'approved', decided_at = $2 WHERE id = $1 RETURNING {ENROLMENT_COLUMNS}"
    );
    let enrolment = on_tx!(tx, |c| {
        sqlx::query_as::<_, Enrolment>(&sql)
            .bind(id)
            .bind(Utc::now())
            .fetch_optional(c)
            .await?
    })
    .ok_or(Error::NotFound)?;
    let code = OrgCode::parse(&enrolment.organisation_code).map_err(|_| Error::NotFound)?;
    add_participant(tx, &enrolment.programme_id, &code).await?;
    Ok(enrolment)
}

/// The enrolments of a programme, newest first.
pub async fn enrolments(db: &Db, programme_id: &str) -> Result<Vec<Enrolment>> {
    let sql = format!(
        "SELECT {ENROLMENT_COLUMNS} FROM enrolments WHERE programme_id = $1 ORDER BY created_at DESC"
    );
    Ok(on_pool!(db, |c| sqlx::query_as::<_, Enrolment>(&sql)
        .bind(programme_id)
        .fetch_all(c)
        .await?))
}
