//! `/beheer/organisaties`: finding organisations and setting association membership.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::{AdminUser, CsrfForm};
use crate::db;
use crate::db::organisations::{OrgPatch, OrgQuery, Organisation};
use crate::domain::{OrgCode, OrgKind};
use crate::error::{Error, Result};
use crate::web::{Page, render};

/// Rows shown at most; the search narrows it down.
const LIMIT: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/organisaties", get(list))
        .route("/beheer/organisaties/{code}/lid", post(set_member))
}

/// An organisation with the names of the programmes it participates in.
struct Row {
    org: Organisation,
    programmes: Vec<String>,
}

impl Row {
    fn kind_label(&self) -> &'static str {
        OrgKind::parse(&self.org.kind).map_or("onbekend", OrgKind::label)
    }

    fn population(&self) -> String {
        self.org.population.map(thousands).unwrap_or_default()
    }
}

/// 50000 → "50.000".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[derive(Template)]
#[template(path = "beheer/organisations.html")]
struct Organisations {
    page: Page,
    q: String,
    kind: String,
    kinds: [OrgKind; 4],
    rows: Vec<Row>,
    truncated: bool,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Search {
    q: String,
    soort: String,
    melding: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
    Query(search): Query<Search>,
) -> Result<Response> {
    let kind = OrgKind::parse(&search.soort);
    let q = search.q.trim().to_string();
    let query = OrgQuery {
        q: Some(q.clone()).filter(|q| !q.is_empty()),
        kind,
        offset: 0,
        limit: LIMIT + 1,
    };
    let mut orgs = db::organisations::search(&state.db, &query).await?;
    let truncated = orgs.len() > usize::try_from(LIMIT).unwrap_or(100);
    orgs.truncate(usize::try_from(LIMIT).unwrap_or(100));
    // Few programmes, many organisations: one query per programme, not per row.
    let mut programmes: HashMap<String, Vec<String>> = HashMap::new();
    for p in db::programmes::list(&state.db).await? {
        for o in db::programmes::participants(&state.db, &p.id).await? {
            programmes.entry(o.code).or_default().push(p.name.clone());
        }
    }
    let rows = orgs
        .into_iter()
        .map(|org| Row {
            programmes: programmes.remove(&org.code).unwrap_or_default(),
            org,
        })
        .collect();
    let notice = match search.melding.as_deref() {
        Some("lid") => Some("De organisatie is nu lid van de vereniging."),
        Some("geen-lid") => Some("De organisatie is geen lid meer van de vereniging."),
        _ => None,
    };
    render(
        StatusCode::OK,
        &Organisations {
            page,
            q,
            kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            kinds: super::form::KINDS,
            rows,
            truncated,
            notice,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberForm {
    association_member: String,
    q: String,
    soort: String,
}

async fn set_member(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response> {
    let code = OrgCode::parse(&code).map_err(|_| Error::NotFound)?;
    let member = match form.association_member.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return Err(Error::field(
                "validation_failed",
                "association_member",
                "Kies of de organisatie lid is.",
            ));
        }
    };
    let patch = OrgPatch {
        association_member: Some(member),
        ..OrgPatch::default()
    };
    let mut tx = state.db.begin().await?;
    db::organisations::update(&mut tx, &code, &patch).await?;
    db::audit::record(
        &mut tx,
        Some(&admin.user.id),
        "organisation_updated",
        code.as_str(),
        &format!("{patch:?}"),
    )
    .await?;
    tx.commit().await?;
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &form.q)
        .append_pair("soort", &form.soort)
        .append_pair("melding", if member { "lid" } else { "geen-lid" })
        .finish();
    Ok(Redirect::to(&format!("/beheer/organisaties?{query}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_thousands_the_dutch_way() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(50_000), "50.000");
        assert_eq!(thousands(1_234_567), "1.234.567");
    }
}
