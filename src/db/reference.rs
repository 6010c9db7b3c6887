//! Reference data shipped with kring: every Dutch municipality (CBS) and the 12 provinces.

use anyhow::Context;
use sha2::{Digest, Sha256};

use super::{Db, on_pool, on_tx};
use crate::domain::{OrgKind, search_key};

/// `data/gemeenten.csv`: CBS code, name, province and population on 1 January 2025 (Bron: CBS).
const MUNICIPALITIES_CSV: &str = include_str!("../../data/gemeenten.csv");

/// The 12 provinces with their CBS codes.
const PROVINCES: [(&str, &str); 12] = [
    ("PV20", "Groningen"),
    ("PV21", "Fryslân"),
    ("PV22", "Drenthe"),
    ("PV23", "Overijssel"),
    ("PV24", "Flevoland"),
    ("PV25", "Gelderland"),
    ("PV26", "Utrecht"),
    ("PV27", "Noord-Holland"),
    ("PV28", "Zuid-Holland"),
    ("PV29", "Zeeland"),
    ("PV30", "Noord-Brabant"),
    ("PV31", "Limburg"),
];

/// One organisation of the reference data.
#[derive(Clone, Debug)]
pub struct ReferenceOrg {
    /// CBS code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Municipality or province.
    pub kind: OrgKind,
    /// Province name (for a province: itself).
    pub province: String,
    /// Inhabitants on the reference date.
    pub population: i64,
}

/// Parses the shipped municipality list and derives the provinces (population = sum of their municipalities).
pub fn organisations() -> anyhow::Result<Vec<ReferenceOrg>> {
    let mut reader = csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes());
    let mut orgs = Vec::with_capacity(360);
    for record in reader.records() {
        let record = record.context("reading data/gemeenten.csv")?;
        orgs.push(ReferenceOrg {
            code: record[0].to_string(),
            name: record[1].to_string(),
            kind: OrgKind::Municipality,
            province: record[2].to_string(),
            population: record[3]
                .parse()
                .context("population in data/gemeenten.csv")?,
        });
    }
    for (code, name) in PROVINCES {
        let population = orgs
            .iter()
            .filter(|o| o.province == name)
            .map(|o| o.population)
            .sum();
        orgs.push(ReferenceOrg {
            code: code.into(),
            name: name.into(),
            kind: OrgKind::Province,
            province: name.into(),
            population,
        });
    }
    Ok(orgs)
}

/// Upserts the reference data when the shipped version differs from the one loaded before.
/// Flags set by admins (association membership) are kept.
pub async fn load(db: &Db) -> anyhow::Result<()> {
    let version = format!("{:x}", Sha256::digest(MUNICIPALITIES_CSV.as_bytes()));
    let loaded: Option<String> = on_pool!(db, |c| {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'reference_data'")
            .fetch_optional(c)
            .await?
    });
    if loaded.as_deref() == Some(version.as_str()) {
        return Ok(());
    }
    let orgs = organisations()?;
    let mut tx = db.begin().await?;
    for org in &orgs {
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO organisations (code, name, kind, province, population, search_key)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                   province = excluded.province, population = excluded.population,
                   search_key = excluded.search_key",
            )
            .bind(&org.code)
            .bind(&org.name)
            .bind(org.kind.as_str())
            .bind(&org.province)
            .bind(org.population)
            .bind(search_key(&org.name))
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    on_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('reference_data', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(&version)
        .execute(c)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    tracing::info!(organisations = orgs.len(), "reference data loaded");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_every_municipality_and_province() {
        let orgs = organisations().unwrap();
        let municipalities = orgs
            .iter()
            .filter(|o| o.kind == OrgKind::Municipality)
            .count();
        assert_eq!(municipalities, 342);
        let provinces: Vec<_> = orgs
            .iter()
            .filter(|o| o.kind == OrgKind::Province)
            .collect();
        assert_eq!(provinces.len(), 12);
        let total: i64 = provinces.iter().map(|p| p.population).sum();
        assert_eq!(total, 18_044_027, "CBS national total on 1 January 2025");
        let zh = provinces.iter().find(|p| p.code == "PV28").unwrap();
        assert_eq!(zh.population, 3_863_397);
    }
}
