//! Public programme pages: the home page's programme list, a programme with its communities,
//! contact person and the enrolment form for organisations.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::api::programmes::{NewEnrolment, submit_enrolment};
use crate::app::AppState;
use crate::auth::CsrfForm;
use crate::db;
use crate::db::communities::Community;
use crate::db::organisations::Organisation;
use crate::db::programmes::Programme;
use crate::error::{Error, Result};

pub fn router() -> Router<AppState> {
    Router::new().route("/programmas/{slug}", get(show).post(enrol))
}

/// A community as a card on public pages.
#[derive(Clone, Debug)]
pub struct CommunityCard {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Seats left.
    pub seats_left: i64,
    /// Capacity.
    pub capacity: i64,
    /// On the waitlist.
    pub waitlist_length: i64,
    /// "aanmelden kan tot en met vrijdag 20 februari 2027", or why it cannot.
    pub window: String,
    /// Registration open now.
    pub open: bool,
}

/// Builds the card of a community, with the registration window in Dutch.
pub fn card(state: &AppState, c: &Community) -> CommunityCard {
    let now = state.clock.now();
    let tz = state.config.timezone;
    let open = c.rules().is_open(now);
    let window = match (c.registration_opens_at, c.registration_deadline) {
        (Some(o), _) if now < o => {
            format!("aanmelden kan vanaf {}", crate::format::datetime_nl(&o, tz))
        }
        (_, Some(d)) if now > d => format!(
            "aanmelden was mogelijk tot en met {}",
            crate::format::deadline_nl(&d, tz)
        ),
        (_, Some(d)) => format!(
            "aanmelden kan tot en met {}",
            crate::format::deadline_nl(&d, tz)
        ),
        _ => "aanmelden kan doorlopend".to_string(),
    };
    CommunityCard {
        slug: c.slug.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        seats_left: c.seats_left(),
        capacity: c.capacity,
        waitlist_length: c.waitlist_length,
        window,
        open,
    }
}

/// A programme with its community cards.
#[derive(Clone, Debug)]
pub struct ProgrammeCard {
    /// The programme.
    pub programme: Programme,
    /// Its communities.
    pub communities: Vec<CommunityCard>,
}

/// Every programme with its communities, as the home page lists them.
pub struct Overview {
    /// Programmes with their communities.
    pub programmes: Vec<ProgrammeCard>,
    /// Communities outside any programme.
    pub loose: Vec<CommunityCard>,
}

/// Every programme with its communities, for the home page: two queries whatever the number,
/// reused while the change count stays `changes` and no registration window opens or closes
/// (`crate::cache`).
pub async fn overview(state: &AppState, changes: i64) -> Result<std::sync::Arc<Overview>> {
    let now = state.clock.now();
    if let Some(o) = state.caches.overview.get(&(), changes, now) {
        return Ok(o);
    }
    let programmes = db::programmes::list(&state.db).await?;
    let communities = db::communities::list(&state.db).await?;
    let mut cards: Vec<ProgrammeCard> = programmes
        .into_iter()
        .map(|programme| ProgrammeCard {
            programme,
            communities: Vec::new(),
        })
        .collect();
    let mut loose = Vec::new();
    let mut until = now + crate::cache::FRESH_FOR;
    for c in &communities {
        // A card says whether registration is open, so it changes when a window opens or closes.
        for at in [c.registration_opens_at, c.registration_deadline]
            .into_iter()
            .flatten()
        {
            if at > now {
                until = until.min(at);
            }
        }
        match cards
            .iter_mut()
            .find(|p| c.programme_id.as_deref() == Some(p.programme.id.as_str()))
        {
            Some(p) => p.communities.push(card(state, c)),
            None => loose.push(card(state, c)),
        }
    }
    let overview = Overview {
        programmes: cards,
        loose,
    };
    Ok(state.caches.overview.put((), changes, now, until, overview))
}

#[derive(Template)]
#[template(path = "programmes/show.html")]
struct Show {
    page: Page,
    programme: Programme,
    communities: Vec<CommunityCard>,
    organisations: Vec<Organisation>,
    errors: FormErrors,
    form: EnrolInput,
    enrolled: Option<String>,
}

async fn organisations_for_enrolment(state: &AppState) -> Result<Vec<Organisation>> {
    let mut all = db::organisations::search(
        &state.db,
        &db::organisations::OrgQuery {
            q: None,
            kind: None,
            offset: 0,
            limit: 1000,
        },
    )
    .await?;
    all.retain(|o| o.kind == "municipality" || o.kind == "province");
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

async fn page_for(state: &AppState, page: Page, slug: &str) -> Result<Show> {
    let programme = db::programmes::find(&state.db, slug)
        .await?
        .ok_or(Error::NotFound)?;
    let communities = db::communities::of_programme(&state.db, &programme.id).await?;
    Ok(Show {
        page,
        communities: communities.iter().map(|c| card(state, c)).collect(),
        programme,
        organisations: organisations_for_enrolment(state).await?,
        errors: FormErrors::default(),
        form: EnrolInput::default(),
        enrolled: None,
    })
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
) -> Result<Response> {
    render(StatusCode::OK, &page_for(&state, page, &slug).await?)
}

#[derive(Clone, Debug, Default, Deserialize)]
struct EnrolInput {
    #[serde(default)]
    organisation_code: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    consent: Option<String>,
}

async fn enrol(
    State(state): State<AppState>,
    page: Page,
    Path(slug): Path<String>,
    CsrfForm(input): CsrfForm<EnrolInput>,
) -> Result<Response> {
    let mut view = page_for(&state, page, &slug).await?;
    let body = NewEnrolment {
        organisation_code: input.organisation_code.clone(),
        contact_name: input.contact_name.clone(),
        contact_email: input.contact_email.clone(),
        consent: input.consent.is_some(),
    };
    match submit_enrolment(&state, &view.programme, &body).await {
        Ok(enrolment) => {
            let name = view
                .organisations
                .iter()
                .find(|o| o.code == enrolment.organisation_code)
                .map(|o| o.name.clone());
            view.enrolled = Some(name.unwrap_or(enrolment.organisation_code));
            render(StatusCode::CREATED, &view)
        }
        Err(Error::Validation { errors, .. }) => {
            view.errors = FormErrors(errors);
            view.form = input;
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}
