//! Organisations: municipalities, provinces and other bodies, with accent-insensitive search.

use sqlx::FromRow;

use super::{Db, Tx, on_pool, on_tx};
use crate::domain::{OrgCode, OrgKind, fold_for_search, search_key};
use crate::error::{Error, Result};

/// An organisation as stored.
#[derive(Clone, Debug, FromRow)]
pub struct Organisation {
    /// CBS-style code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `municipality`, `province`, `water_board` or `other`.
    pub kind: String,
    /// Province name.
    pub province: Option<String>,
    /// Inhabitants.
    pub population: Option<i64>,
    /// Member of the facilitating association.
    pub association_member: bool,
}

/// Filters for [`search`].
#[derive(Clone, Debug, Default)]
pub struct OrgQuery {
    /// Free text: matches name prefixes and words, case- and accent-insensitively.
    pub q: Option<String>,
    /// Only this kind.
    pub kind: Option<OrgKind>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

const COLUMNS: &str = "code, name, kind, province, population, association_member";

/// Finds organisations; names starting with the query come first, then other word matches.
pub async fn search(db: &Db, query: &OrgQuery) -> Result<Vec<Organisation>> {
    let folded = query.q.as_deref().map(fold_for_search).unwrap_or_default();
    let sql = format!(
        "SELECT {COLUMNS} FROM organisations
         WHERE ($1 = '' OR search_key LIKE '% ' || $1 || '%')
           AND ($2 = '' OR kind = $2)
         ORDER BY CASE WHEN search_key LIKE ' ' || $1 || '%' THEN 0 ELSE 1 END, name, code
         LIMIT $3 OFFSET $4"
    );
    let kind = query.kind.map_or("", OrgKind::as_str);
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Organisation>(&sql)
            .bind(&folded)
            .bind(kind)
            .bind(query.limit)
            .bind(query.offset)
            .fetch_all(c)
            .await?
    }))
}

/// One organisation by code.
pub async fn find(db: &Db, code: &OrgCode) -> Result<Option<Organisation>> {
    let sql = format!("SELECT {COLUMNS} FROM organisations WHERE code = $1");
    Ok(on_pool!(db, |c| {
        sqlx::query_as::<_, Organisation>(&sql)
            .bind(code.as_str())
            .fetch_optional(c)
            .await?
    }))
}

/// A new or replaced organisation.
#[derive(Clone, Debug)]
pub struct OrgInput {
    /// Code.
    pub code: OrgCode,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Province.
    pub province: Option<String>,
    /// Inhabitants.
    pub population: Option<i64>,
}

/// Creates an organisation; `409 organisation_exists` when the code is taken.
pub async fn create(tx: &mut Tx, org: &OrgInput) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO organisations (code, name, kind, province, population, search_key)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.code.as_str())
        .bind(&org.name)
        .bind(org.kind.as_str())
        .bind(&org.province)
        .bind(org.population)
        .bind(search_key(&org.name))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| {
        crate::error::on_unique(e, || {
            Error::refused(
                axum::http::StatusCode::CONFLICT,
                "organisation_exists",
                format!("Er bestaat al een organisatie met code {}.", org.code),
            )
        })
    })?;
    Ok(())
}

/// Inserts or updates an organisation by code (used by `kring organisations import`).
pub async fn upsert(tx: &mut Tx, org: &OrgInput) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO organisations (code, name, kind, province, population, search_key)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
               province = excluded.province, population = excluded.population,
               search_key = excluded.search_key",
        )
        .bind(org.code.as_str())
        .bind(&org.name)
        .bind(org.kind.as_str())
        .bind(&org.province)
        .bind(org.population)
        .bind(search_key(&org.name))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Fields an admin may change.
#[derive(Clone, Debug, Default)]
pub struct OrgPatch {
    /// New name.
    pub name: Option<String>,
    /// New population.
    pub population: Option<i64>,
    /// Association membership.
    pub association_member: Option<bool>,
}

/// Applies a patch; `NotFound` for an unknown code.
pub async fn update(tx: &mut Tx, code: &OrgCode, patch: &OrgPatch) -> Result<()> {
    let key = patch.name.as_deref().map(search_key);
    let affected = on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE organisations SET
               name = COALESCE($2, name),
               search_key = COALESCE($3, search_key),
               population = COALESCE($4, population),
               association_member = COALESCE($5, association_member)
             WHERE code = $1",
        )
        .bind(code.as_str())
        .bind(&patch.name)
        .bind(&key)
        .bind(patch.population)
        .bind(patch.association_member)
        .execute(c)
        .await?
        .rows_affected()
    });
    if affected == 0 {
        Err(Error::NotFound)
    } else {
        Ok(())
    }
}

/// Counts organisations of one kind.
pub async fn count_kind(db: &Db, kind: OrgKind) -> Result<i64> {
    Ok(on_pool!(db, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE kind = $1")
            .bind(kind.as_str())
            .fetch_one(c)
            .await?
    }))
}
