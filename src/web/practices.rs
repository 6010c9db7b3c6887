//! `/praktijkvoorbeelden`: the catalogue of practice examples with theme and organisation
//! filters, one example's card with its photos and files, and deleting. Without signing in the
//! public examples show; members see what their communities and programmes may see.

mod files;
mod form;
mod map;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::practices::{Filter, Practice};
use crate::db::users::User;
use crate::domain::OrgCode;
use crate::domain::markdown;
use crate::domain::practice::{Theme, Visibility};
use crate::error::{Error, Result};
use crate::format::{bytes_nl, date_nl, number_nl};
use crate::practice::{self, thumbnail_url};

/// Examples per catalogue page.
const PER_PAGE: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijkvoorbeelden", get(list))
        .route("/praktijkvoorbeelden/{id}", get(show))
        .route("/praktijkvoorbeelden/{id}/verwijderen", post(delete))
        .merge(files::router())
        .merge(form::router())
        .merge(map::router())
}

/// "€ 12.500".
pub fn euro_nl(amount: i64) -> String {
    format!("€ {}", number_nl(amount))
}

/// A thumbnail as an `<img>`.
pub struct Photo {
    /// URL of the JPEG.
    pub src: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
}

/// A card of the catalogue.
pub struct CardView {
    id: String,
    title: String,
    organisation: String,
    year: Option<i64>,
    themes: Vec<&'static str>,
    summary: String,
    visibility: &'static str,
    photo: Option<Photo>,
}

/// Who may see the example, in Dutch.
fn visibility_nl(p: &Practice) -> &'static str {
    match Visibility::parse(&p.visibility) {
        Some(Visibility::Public) | None => "Openbaar",
        Some(Visibility::Programme) => "Programma",
        Some(Visibility::Community) => "Community",
    }
}

fn card(p: Practice, photo: Option<Photo>) -> CardView {
    CardView {
        visibility: visibility_nl(&p),
        themes: p.themes.iter().map(|t| t.label_nl()).collect(),
        id: p.id,
        title: p.title,
        organisation: p.organisation_name,
        year: p.year,
        summary: p.summary,
        photo,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    theme: Option<String>,
    organisation: Option<String>,
    pagina: Option<i64>,
    melding: Option<String>,
}

#[derive(Template)]
#[template(path = "practices/list.html")]
struct ListPage {
    page: Page,
    cards: Vec<CardView>,
    themes: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String, usize)>,
    theme: String,
    organisation: String,
    filtered: bool,
    may_share: bool,
    previous: Option<String>,
    next: Option<String>,
    notice: Option<&'static str>,
}

/// The catalogue URL with these filters and page.
fn catalogue_url(theme: &str, organisation: &str, page: i64) -> String {
    let mut query = Vec::new();
    if !theme.is_empty() {
        query.push(format!("theme={theme}"));
    }
    if !organisation.is_empty() {
        query.push(format!("organisation={organisation}"));
    }
    if page > 1 {
        query.push(format!("pagina={page}"));
    }
    if query.is_empty() {
        "/praktijkvoorbeelden".into()
    } else {
        format!("/praktijkvoorbeelden?{}", query.join("&"))
    }
}

/// True when `user` may share examples: a member of some community, or an admin.
async fn may_share(state: &AppState, user: Option<&User>) -> Result<bool> {
    Ok(match user {
        None => false,
        Some(u) if u.is_admin => true,
        Some(u) => !db::users::memberships_by_id(&state.db, &u.id)
            .await?
            .is_empty(),
    })
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let user = page.user.clone();
    let theme = q.theme.as_deref().and_then(Theme::parse);
    let organisation = q
        .organisation
        .as_deref()
        .and_then(|o| OrgCode::parse(o).ok());
    let number = q.pagina.unwrap_or(1).clamp(1, 10_000);
    let filter = Filter {
        theme,
        organisation: organisation.as_ref().map(OrgCode::as_str),
        community: None,
    };
    let offset = (number - 1) * PER_PAGE;
    let mut rows = practice::list(&state, user.as_ref(), filter, PER_PAGE, offset).await?;
    let has_next = rows.len() > usize::try_from(PER_PAGE).unwrap_or(20);
    rows.truncate(usize::try_from(PER_PAGE).unwrap_or(20));
    let ids: Vec<&str> = rows.iter().map(|p| p.id.as_str()).collect();
    let photos = db::thumbnails::first_of_parents(&state.db, "practice", &ids).await?;
    let cards = rows
        .into_iter()
        .map(|p| {
            let photo = photos.get(&p.id).map(|t| Photo {
                src: thumbnail_url(&p.id, &t.attachment_id),
                width: t.width,
                height: t.height,
            });
            card(p, photo)
        })
        .collect();
    // The organisation filter offers the organisations that have examples the caller may see.
    let pins = db::practices::pins(&state.db, practice::reader(user.as_ref()), None).await?;
    let mut organisations: Vec<(String, String, usize)> = Vec::new();
    for pin in &pins {
        match organisations.last_mut() {
            Some(last) if last.0 == pin.organisation_code => last.2 += 1,
            _ => organisations.push((
                pin.organisation_code.clone(),
                pin.organisation_name.clone(),
                1,
            )),
        }
    }
    let theme_value = theme.map_or("", Theme::as_str).to_string();
    let organisation_value = organisation
        .map(|o| o.as_str().to_string())
        .unwrap_or_default();
    let view = ListPage {
        may_share: may_share(&state, user.as_ref()).await?,
        page,
        cards,
        themes: Theme::all().map(|t| (t.as_str(), t.label_nl())).collect(),
        organisations,
        filtered: theme.is_some() || !organisation_value.is_empty(),
        previous: (number > 1)
            .then(|| catalogue_url(&theme_value, &organisation_value, number - 1)),
        next: has_next.then(|| catalogue_url(&theme_value, &organisation_value, number + 1)),
        theme: theme_value,
        organisation: organisation_value,
        notice: match q.melding.as_deref() {
            Some("verwijderd") => Some("Het praktijkvoorbeeld is verwijderd."),
            _ => None,
        },
    };
    render(StatusCode::OK, &view)
}

/// A file on the card.
struct FileView {
    id: String,
    filename: String,
    size: String,
    photo: Option<Photo>,
}

#[derive(Template)]
#[template(path = "practices/show.html")]
pub(super) struct ShowPage {
    page: Page,
    p: Practice,
    themes: Vec<&'static str>,
    cost: Option<String>,
    area: Option<String>,
    location: Option<String>,
    visibility: String,
    author: String,
    shared_on: String,
    body_html: String,
    lessons_html: String,
    photos: Vec<FileView>,
    files: Vec<FileView>,
    can_edit: bool,
    max_mb: usize,
    notice: Option<&'static str>,
    pub(super) errors: FormErrors,
}

/// Degrees the Dutch way: "52,37310".
fn degrees_nl(value: f64) -> String {
    format!("{value:.5}").replace('.', ",")
}

pub(super) async fn load(state: &AppState, page: Page, p: Practice) -> Result<ShowPage> {
    let user = page.user.clone();
    let files = db::attachments::of_parent(&state.db, "practice", &p.id).await?;
    let thumbs = db::thumbnails::of_parent(&state.db, "practice", &p.id).await?;
    let (mut photos, mut others) = (Vec::new(), Vec::new());
    for a in files {
        let photo = thumbs.get(&a.id).map(|t| Photo {
            src: thumbnail_url(&p.id, &a.id),
            width: t.width,
            height: t.height,
        });
        let view = FileView {
            size: bytes_nl(a.size),
            photo,
            id: a.id,
            filename: a.filename,
        };
        if view.photo.is_some() {
            photos.push(view);
        } else {
            others.push(view);
        }
    }
    let visibility = match (Visibility::parse(&p.visibility), &p.community_name) {
        (Some(Visibility::Community), Some(name)) => format!("Alleen de leden van {name}"),
        (Some(Visibility::Programme), Some(name)) => {
            format!("De communities van het programma van {name}")
        }
        _ => "Iedereen (openbaar)".to_string(),
    };
    Ok(ShowPage {
        can_edit: p.changeable_by(practice::reader(user.as_ref())),
        themes: p.themes.iter().map(|t| t.label_nl()).collect(),
        cost: p.cost_eur.map(euro_nl),
        area: p.area_m2.map(|a| format!("{} m²", number_nl(a))),
        location: p
            .lat
            .zip(p.lon)
            .map(|(lat, lon)| format!("{} N, {} O", degrees_nl(lat), degrees_nl(lon))),
        visibility,
        author: p
            .author_name
            .clone()
            .unwrap_or_else(|| "een oud-deelnemer".into()),
        shared_on: date_nl(&p.created_at, state.config.timezone),
        body_html: markdown::render_nested(&p.body_markdown, 3).into_string(),
        lessons_html: markdown::render_nested(&p.lessons_learned, 3).into_string(),
        photos,
        files: others,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        notice: None,
        errors: FormErrors::default(),
        page,
        p,
    })
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    melding: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response> {
    let p = match practice::visible(&state, page.user.as_ref(), &id).await {
        // Signing in may show it; a missing and an invisible example answer alike.
        Err(Error::NotFound) if page.user.is_none() => return Err(Error::Unauthorized),
        other => other?,
    };
    let mut view = load(&state, page, p).await?;
    view.notice = match q.melding.as_deref() {
        Some("gedeeld") => Some("Je praktijkvoorbeeld is gedeeld."),
        Some("opgeslagen") => Some("De wijzigingen zijn opgeslagen."),
        Some("bestand") => Some("Het bestand is toegevoegd."),
        Some("bestand-verwijderd") => Some("Het bestand is verwijderd."),
        _ => None,
    };
    render(StatusCode::OK, &view)
}

/// Back to the card (303) with a confirmation.
pub(super) fn back(id: &str, melding: &str) -> Response {
    Redirect::to(&format!("/praktijkvoorbeelden/{id}?melding={melding}")).into_response()
}

/// A form of one button: nothing but the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Button {}

async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Button>,
) -> Result<Response> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    practice::delete(&state, &me.user, &p).await?;
    Ok(Redirect::to("/praktijkvoorbeelden?melding=verwijderd").into_response())
}
