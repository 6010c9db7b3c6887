//! `/api/v1/practices`: practice examples (praktijkvoorbeelden). Members share them; everyone,
//! also without signing in, reads the public ones; members read what their communities and
//! programmes may see. The author, a facilitator of the example's community and admins change
//! and delete them. Photos get a thumbnail that kring re-encodes itself.

mod out;

pub use out::{LocationIo, PracticeAuthor, PracticeFileOut, PracticeOut};
use out::{full, practice_out};

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::attachments::AttachmentOut;
use super::{ApiJson, ApiQuery, ListPage, Paging};
use crate::app::AppState;
use crate::auth::{CurrentUser, MaybeUser};
use crate::db::attachments::Attachment;
use crate::db::practices::Filter;
use crate::db::{self};
use crate::domain::OrgCode;
use crate::domain::practice::Theme;
use crate::error::{Error, Problem, Result};
use crate::practice::{self, Fields, thumbnail_url};

fn some<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new practice example.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeIn {
    /// Title (1–200 characters).
    #[serde(default)]
    pub title: String,
    /// The organisation that took the measure, by CBS-style code (`GM0599`).
    #[serde(default)]
    pub organisation_code: String,
    /// One or more themes from the fixed list: `biodiversiteit`, `klimaatadaptatie`,
    /// `hittestress`, `wateroverlast`, `droogte`, `vergroening`, `ontharding`, `groene-daken`,
    /// `natuurinclusief-bouwen`, `gezondheid`, `bewonersparticipatie`, `beheer-en-onderhoud`,
    /// `financiering`, `beleid`.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Summary (plain text, at most 1,000 characters).
    #[serde(default)]
    pub summary: String,
    /// Description (Markdown).
    #[serde(default)]
    pub body_markdown: String,
    /// Lessons learned (Markdown).
    #[serde(default)]
    pub lessons_learned: String,
    /// Year of the measure (1990–2100).
    pub year: Option<i64>,
    /// Cost in whole euros (0 or more).
    pub cost_eur: Option<i64>,
    /// Area in whole m² (0 or more).
    pub area_m2: Option<i64>,
    /// Location.
    pub location: Option<LocationIo>,
    /// Community slug; the caller must be a member. Needed unless `visibility` is `public`.
    pub community: Option<String>,
    /// `community`, `programme` or `public`; default `community` with a community, else `public`.
    pub visibility: Option<String>,
}

/// Shares a practice example (members of a community).
#[utoipa::path(post, path = "/api/v1/practices", tag = "practices", request_body = PracticeIn,
    responses((status = 201, description = "Shared", body = PracticeOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Not a member of any community", body = Problem),
              (status = 422, description = "Invalid example (field errors), or an unknown field", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<PracticeIn>,
) -> Result<Response> {
    let fields = Fields {
        title: Some(body.title),
        organisation_code: Some(body.organisation_code),
        themes: Some(body.themes),
        summary: Some(body.summary),
        body_markdown: Some(body.body_markdown),
        lessons_learned: Some(body.lessons_learned),
        year: Some(body.year),
        cost_eur: Some(body.cost_eur),
        area_m2: Some(body.area_m2),
        location: Some(body.location.map(|l| (l.lat, l.lon))),
        community: Some(body.community),
        visibility: body.visibility,
    };
    let created = practice::create(&state, &me.user, fields).await?;
    let out = full(&state, Some(&me.user), created).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `?theme=&organisation=&community=&limit=&cursor=` of the catalogue.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PracticeQuery {
    /// Only examples with this theme.
    pub theme: Option<String>,
    /// Only examples of this organisation (code).
    pub organisation: Option<String>,
    /// Only examples of this community (slug).
    pub community: Option<String>,
    /// Items per page: default 20, at most 100.
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Parses the theme filter; `422` on `theme` for an unknown theme.
pub fn theme_filter(value: Option<&str>) -> Result<Option<Theme>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Theme::parse(v)
            .map(Some)
            .ok_or_else(|| Error::field("validation_failed", "theme", "Onbekend thema.")),
    }
}

/// Parses the organisation filter; `422` on `organisation` for what is not a code.
pub fn organisation_filter(value: Option<&str>) -> Result<Option<OrgCode>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => OrgCode::parse(v)
            .map(Some)
            .map_err(|message| Error::field("validation_failed", "organisation", message)),
    }
}

/// The practice examples the caller may see, newest first (without signing in: the public
/// ones).
#[utoipa::path(get, path = "/api/v1/practices", tag = "practices", security((), ("bearer" = []), ("session" = [])),
    params(PracticeQuery),
    responses((status = 200, description = "OK", body = ListPage<PracticeOut>),
              (status = 422, description = "Unknown theme or malformed organisation code", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    ApiQuery(q): ApiQuery<PracticeQuery>,
) -> Result<Json<ListPage<PracticeOut>>> {
    let theme = theme_filter(q.theme.as_deref())?;
    let organisation = organisation_filter(q.organisation.as_deref())?;
    let paging = Paging {
        limit: q.limit,
        cursor: q.cursor,
    };
    let (limit, offset) = paging.resolve()?;
    let me = me.map(|m| m.user);
    let filter = Filter {
        theme,
        organisation: organisation.as_ref().map(OrgCode::as_str),
        community: q
            .community
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty()),
    };
    let rows = practice::list(&state, me.as_ref(), filter, limit, offset).await?;
    let ids: Vec<&str> = rows.iter().map(|p| p.id.as_str()).collect();
    let photos = db::thumbnails::first_of_parents(&state.db, "practice", &ids).await?;
    let items = rows
        .into_iter()
        .map(|p| {
            let photo = photos
                .get(&p.id)
                .map(|t| thumbnail_url(&p.id, &t.attachment_id));
            let mut out = practice_out(&state, me.as_ref(), p);
            out.photo_url = photo;
            out
        })
        .collect();
    Ok(Json(ListPage::from_rows(items, limit, offset)))
}

/// A practice example with its files (public ones without signing in).
#[utoipa::path(get, path = "/api/v1/practices/{id}", tag = "practices", security((), ("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Practice example id")),
    responses((status = 200, description = "OK", body = PracticeOut),
              (status = 404, description = "Not found, or not visible to the caller", body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<String>,
) -> Result<Json<PracticeOut>> {
    let me = me.map(|m| m.user);
    let p = practice::visible(&state, me.as_ref(), &id).await?;
    Ok(Json(full(&state, me.as_ref(), p).await?))
}

/// Changes to a practice example; fields left out stay as they are, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticePatch {
    /// Title.
    pub title: Option<String>,
    /// Organisation code.
    pub organisation_code: Option<String>,
    /// Themes (replaces the list).
    pub themes: Option<Vec<String>>,
    /// Summary.
    pub summary: Option<String>,
    /// Description (Markdown).
    pub body_markdown: Option<String>,
    /// Lessons learned (Markdown).
    pub lessons_learned: Option<String>,
    /// Year; `null` clears.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub year: Option<Option<i64>>,
    /// Cost in euros; `null` clears.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub cost_eur: Option<Option<i64>>,
    /// Area in m²; `null` clears.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub area_m2: Option<Option<i64>>,
    /// Location; `null` clears.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<LocationIo>)]
    pub location: Option<Option<LocationIo>>,
    /// Community slug (the caller must be a member); `null` takes it out of its community (then
    /// it must be public).
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub community: Option<Option<String>>,
    /// `community`, `programme` or `public`.
    pub visibility: Option<String>,
}

/// Changes a practice example (its author, a facilitator of its community, or an admin).
#[utoipa::path(patch, path = "/api/v1/practices/{id}", tag = "practices", request_body = PracticePatch,
    params(("id" = String, Path, description = "Practice example id")),
    responses((status = 200, description = "OK", body = PracticeOut), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither author, facilitator nor admin", body = Problem),
              (status = 404, description = "Not found, or not visible to the caller", body = Problem),
              (status = 422, description = "Invalid change", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PracticePatch>,
) -> Result<Json<PracticeOut>> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    let fields = Fields {
        title: body.title,
        organisation_code: body.organisation_code,
        themes: body.themes,
        summary: body.summary,
        body_markdown: body.body_markdown,
        lessons_learned: body.lessons_learned,
        year: body.year,
        cost_eur: body.cost_eur,
        area_m2: body.area_m2,
        location: body.location.map(|l| l.map(|l| (l.lat, l.lon))),
        community: body.community,
        visibility: body.visibility,
    };
    let changed = practice::change(&state, &me.user, &p, fields).await?;
    Ok(Json(full(&state, Some(&me.user), changed).await?))
}

/// Deletes a practice example with its files (its author, a facilitator of its community, or an
/// admin).
#[utoipa::path(delete, path = "/api/v1/practices/{id}", tag = "practices",
    params(("id" = String, Path, description = "Practice example id")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "Not signed in", body = Problem),
              (status = 403, description = "Neither author, facilitator nor admin", body = Problem),
              (status = 404, description = "Not found, or not visible to the caller", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    practice::delete(&state, &me.user, &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn file_out(
    state: &AppState,
    practice_id: &str,
    a: Attachment,
    thumbnail: bool,
) -> PracticeFileOut {
    PracticeFileOut {
        thumbnail_url: thumbnail.then(|| thumbnail_url(practice_id, &a.id)),
        file: AttachmentOut::new(state, a),
    }
}

/// Adds a file to a practice example (whoever may change it). Multipart with the file in the
/// field `file`. A PNG, JPEG or WebP photo (recognised by its content) gets a thumbnail.
#[utoipa::path(post, path = "/api/v1/practices/{id}/attachments", tag = "practices",
    request_body(content = super::attachments::UploadForm, content_type = "multipart/form-data"),
    params(("id" = String, Path, description = "Practice example id")),
    responses((status = 201, description = "Stored", body = PracticeFileOut),
              (status = 401, description = "Not signed in", body = Problem), (status = 403, description = "Neither author, facilitator nor admin", body = Problem),
              (status = 404, description = "Not found", body = Problem), (status = 413, description = "`file_too_large`", body = Problem),
              (status = 422, description = "`file_required` or `file_empty`", body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let p = practice::visible(&state, Some(&me.user), &id).await?;
    let (stored, thumbnail) = practice::attach(&state, &me.user, &p, form, None).await?;
    let out = file_out(&state, &p.id, stored, thumbnail.is_some());
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The files of a practice example (whoever may see it).
#[utoipa::path(get, path = "/api/v1/practices/{id}/attachments", tag = "practices", security((), ("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Practice example id")),
    responses((status = 200, description = "OK", body = Vec<PracticeFileOut>),
              (status = 404, description = "Not found, or not visible to the caller", body = Problem)))]
pub async fn files(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<PracticeFileOut>>> {
    let me = me.map(|m| m.user);
    let p = practice::visible(&state, me.as_ref(), &id).await?;
    Ok(Json(
        full(&state, me.as_ref(), p)
            .await?
            .attachments
            .unwrap_or_default(),
    ))
}
