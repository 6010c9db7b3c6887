//! `/beheer`: administration pages for programmes, communities, organisation flags and
//! facilitators (admins only).

mod communities;
pub(crate) mod form;
mod organisations;
mod programmes;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::db;
use crate::db::communities::Community;
use crate::db::programmes::Programme;
use crate::error::Result;
use crate::format::datetime_nl;

/// The administration routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(overview))
        .merge(programmes::router())
        .merge(communities::router())
        .merge(organisations::router())
}

/// `?melding=`: which confirmation to show after a redirect.
#[derive(Debug, Default, Deserialize)]
struct Notice {
    melding: Option<String>,
}

/// The programme form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct ProgrammeForm {
    slug: String,
    name: String,
    description: String,
    contact_name: String,
    contact_email: String,
}

#[derive(Template)]
#[template(path = "beheer/index.html")]
struct Overview {
    page: Page,
    programmes: Vec<Programme>,
    communities: Vec<Community>,
    form: ProgrammeForm,
    errors: FormErrors,
    tz: chrono_tz::Tz,
}

impl Overview {
    fn when(&self, at: &DateTime<Utc>) -> String {
        datetime_nl(at, self.tz)
    }

    /// The name of a community's programme.
    fn programme_name(&self, c: &Community) -> String {
        c.programme_id
            .as_ref()
            .and_then(|id| self.programmes.iter().find(|p| &p.id == id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }
}

async fn load_overview(state: &AppState, page: Page) -> Result<Overview> {
    Ok(Overview {
        page,
        programmes: db::programmes::list(&state.db).await?,
        communities: db::communities::list(&state.db).await?,
        form: ProgrammeForm::default(),
        errors: FormErrors::default(),
        tz: state.config.timezone,
    })
}

async fn overview(
    State(state): State<AppState>,
    page: Page,
    AdminUser(_): AdminUser,
) -> Result<Response> {
    render(StatusCode::OK, &load_overview(&state, page).await?)
}
