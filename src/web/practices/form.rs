//! `/praktijkvoorbeelden/nieuw` and `/praktijkvoorbeelden/{id}/bewerken`: the form to share or
//! change a practice example. Numbers may be typed the Dutch way ("12.500", "52,37"); field
//! errors appear beside their fields with every value kept.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::back;
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::organisations::OrgQuery;
use crate::db::practices::Practice;
use crate::db::users::User;
use crate::domain::OrgKind;
use crate::domain::practice::{Theme, Visibility};
use crate::error::{Error, Result};
use crate::practice::{self, Fields};
use crate::web::{FormErrors, Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijkvoorbeelden/nieuw", get(new).post(create))
        .route("/praktijkvoorbeelden/{id}/bewerken", get(edit).post(save))
}

/// The form as the browser sends it: every value as typed, so it can be shown again.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PracticeForm {
    title: String,
    organisation_code: String,
    themes: Vec<String>,
    summary: String,
    body_markdown: String,
    lessons_learned: String,
    year: String,
    cost_eur: String,
    area_m2: String,
    lat: String,
    lon: String,
    community: String,
    visibility: String,
}

impl PracticeForm {
    /// The form filled with an example.
    fn of(p: &Practice) -> Self {
        let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let degrees = |v: Option<f64>| {
            v.map(|d| format!("{d}").replace('.', ","))
                .unwrap_or_default()
        };
        Self {
            title: p.title.clone(),
            organisation_code: p.organisation_code.clone(),
            themes: p.themes.iter().map(|t| t.as_str().to_string()).collect(),
            summary: p.summary.clone(),
            body_markdown: p.body_markdown.clone(),
            lessons_learned: p.lessons_learned.clone(),
            year: number(p.year),
            cost_eur: number(p.cost_eur),
            area_m2: number(p.area_m2),
            lat: degrees(p.lat),
            lon: degrees(p.lon),
            community: p.community_slug.clone().unwrap_or_default(),
            visibility: p.visibility.clone(),
        }
    }

    /// True when the theme is ticked.
    fn has_theme(&self, theme: &str) -> bool {
        self.themes.iter().any(|t| t == theme)
    }

    /// The use case's fields; numbers that do not parse become field errors.
    fn fields(&self, errors: &mut FormErrors) -> Fields {
        let whole = |value: &str, field: &str, errors: &mut FormErrors| -> Option<i64> {
            // "€ 12.500" and "12500" alike: dots and spaces group thousands.
            let digits: String = value
                .chars()
                .filter(|c| !matches!(c, '€' | '.' | ' ' | '\u{a0}'))
                .collect();
            if digits.is_empty() {
                return None;
            }
            digits.parse().ok().or_else(|| {
                errors.add(field, "Vul een heel getal in, bijvoorbeeld 12500.");
                None
            })
        };
        let degrees = |value: &str, field: &str, errors: &mut FormErrors| -> Option<f64> {
            let value = value.trim().replace(',', ".");
            if value.is_empty() {
                return None;
            }
            value
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite())
                .or_else(|| {
                    errors.add(field, "Vul graden in, bijvoorbeeld 52,37.");
                    None
                })
        };
        let (lat, lon) = (
            degrees(&self.lat, "lat", errors),
            degrees(&self.lon, "lon", errors),
        );
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) => Some((lat, lon)),
            (Some(_), None) if !errors.has("lon") => {
                errors.add("lon", "Vul ook de lengtegraad in, of laat beide leeg.");
                None
            }
            (None, Some(_)) if !errors.has("lat") => {
                errors.add("lat", "Vul ook de breedtegraad in, of laat beide leeg.");
                None
            }
            _ => None,
        };
        Fields {
            title: Some(self.title.clone()),
            organisation_code: Some(self.organisation_code.clone()),
            themes: Some(self.themes.clone()),
            summary: Some(self.summary.clone()),
            body_markdown: Some(self.body_markdown.clone()),
            lessons_learned: Some(self.lessons_learned.clone()),
            year: Some(whole(&self.year, "year", errors)),
            cost_eur: Some(whole(&self.cost_eur, "cost_eur", errors)),
            area_m2: Some(whole(&self.area_m2, "area_m2", errors)),
            location: Some(location),
            community: Some(Some(self.community.clone()).filter(|c| !c.trim().is_empty())),
            visibility: Some(self.visibility.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "practices/form.html")]
struct FormPage {
    page: Page,
    /// `None` for a new example.
    id: Option<String>,
    heading: String,
    form: PracticeForm,
    errors: FormErrors,
    themes: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String)>,
    communities: Vec<(String, String)>,
    visibilities: Vec<(&'static str, &'static str, &'static str)>,
}

/// What each visibility means, for the radio buttons.
fn visibilities() -> Vec<(&'static str, &'static str, &'static str)> {
    Visibility::ALL
        .into_iter()
        .map(|v| {
            let help = match v {
                Visibility::Community => "Alleen de leden van de gekozen community zien dit voorbeeld.",
                Visibility::Programme => {
                    "De leden van alle communities van hetzelfde programma zien dit voorbeeld."
                }
                Visibility::Public => {
                    "Iedereen ziet dit voorbeeld, ook zonder in te loggen, ook op de kaart. Kies dit alleen als er niets vertrouwelijks in staat."
                }
            };
            (v.as_str(), v.label_nl(), help)
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    page: Page,
    me: &User,
    id: Option<String>,
    heading: String,
    form: PracticeForm,
    errors: FormErrors,
) -> Result<FormPage> {
    let organisations = db::organisations::search(
        &state.db,
        &OrgQuery {
            kind: Some(OrgKind::Municipality),
            limit: 1_000,
            ..OrgQuery::default()
        },
    )
    .await?
    .into_iter()
    .map(|o| (o.code, o.name))
    .collect();
    let mut communities: Vec<(String, String)> = db::users::memberships(&state.db, &me.id)
        .await?
        .into_iter()
        .map(|m| (m.slug, m.name))
        .collect();
    // An admin editing an example of a community they are not in keeps it as a choice.
    if !form.community.is_empty() && !communities.iter().any(|(s, _)| *s == form.community) {
        communities.push((form.community.clone(), form.community.clone()));
    }
    Ok(FormPage {
        page,
        id,
        heading,
        form,
        errors,
        themes: Theme::all().map(|t| (t.as_str(), t.label_nl())).collect(),
        organisations,
        communities,
        visibilities: visibilities(),
    })
}

async fn new(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    if !super::may_share(&state, Some(&me.user)).await? {
        return Err(Error::Forbidden);
    }
    let mut form = PracticeForm {
        organisation_code: me.user.organisation_code.clone().unwrap_or_default(),
        visibility: "community".into(),
        ..PracticeForm::default()
    };
    let communities = db::users::memberships(&state.db, &me.user.id).await?;
    if let [only] = communities.as_slice() {
        form.community = only.slug.clone();
    }
    let heading = "Praktijkvoorbeeld delen".to_string();
    let view = form_page(
        &state,
        page,
        &me.user,
        None,
        heading,
        form,
        FormErrors::default(),
    )
    .await?;
    render(StatusCode::OK, &view)
}

/// Shows the form again with the errors of a refused save.
async fn refused(
    state: &AppState,
    page: Page,
    me: &User,
    id: Option<String>,
    heading: String,
    form: PracticeForm,
    error: Error,
) -> Result<Response> {
    let errors = match error {
        Error::Validation { errors, .. } => FormErrors(errors),
        other => return Err(other),
    };
    let view = form_page(state, page, me, id, heading, form, errors).await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    CsrfForm(form): CsrfForm<PracticeForm>,
) -> Result<Response> {
    let mut errors = FormErrors::default();
    let fields = form.fields(&mut errors);
    let heading = "Praktijkvoorbeeld delen".to_string();
    match practice::create_checked(&state, &me.user, fields, errors.0).await {
        Ok(p) => Ok(back(&p.id, "gedeeld")),
        Err(e) => refused(&state, page, &me.user, None, heading, form, e).await,
    }
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    practice::require_change(&me.user, &p)?;
    let heading = format!("{} bewerken", p.title);
    let form = PracticeForm::of(&p);
    let view = form_page(
        &state,
        page,
        &me.user,
        Some(p.id),
        heading,
        form,
        FormErrors::default(),
    )
    .await?;
    render(StatusCode::OK, &view)
}

async fn save(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PracticeForm>,
) -> Result<Response> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    practice::require_change(&me.user, &p)?;
    let mut errors = FormErrors::default();
    let fields = form.fields(&mut errors);
    let heading = format!("{} bewerken", p.title);
    match practice::change_checked(&state, &me.user, &p, fields, errors.0).await {
        Ok(changed) => Ok(back(&changed.id, "opgeslagen")),
        Err(e) => refused(&state, page, &me.user, Some(p.id), heading, form, e).await,
    }
}
