//! Practice examples (praktijkvoorbeelden): sharing, changing and deleting them, and their files,
//! shared by the API and the pages. Members of any community share examples; the author, a
//! facilitator of the example's community and admins change them. Every write updates the search
//! index in the same transaction.

use axum::extract::Multipart;

use crate::app::AppState;
use crate::attachments::{self, Uploader};
use crate::db::attachments::Attachment;
use crate::db::practices::{Filter, Place, Practice, Reader};
use crate::db::search::Doc;
use crate::db::thumbnails::Thumbnail;
use crate::db::users::User;
use crate::db::{self, Tx};
use crate::domain::markdown;
use crate::domain::practice::{Card, Draft, Visibility};
use crate::domain::{OrgCode, practice::Problem};
use crate::error::{Error, FieldError, Result};

/// What a caller sends. For a new example a missing field is empty; for a change it stays as it
/// is. The inner `None` of the nullable fields clears them.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    /// Title.
    pub title: Option<String>,
    /// Organisation code.
    pub organisation_code: Option<String>,
    /// Theme slugs.
    pub themes: Option<Vec<String>>,
    /// Summary.
    pub summary: Option<String>,
    /// Body (Markdown).
    pub body_markdown: Option<String>,
    /// Lessons learned (Markdown).
    pub lessons_learned: Option<String>,
    /// Year.
    pub year: Option<Option<i64>>,
    /// Cost in euros.
    pub cost_eur: Option<Option<i64>>,
    /// Area in m².
    pub area_m2: Option<Option<i64>>,
    /// Latitude and longitude.
    pub location: Option<Option<(f64, f64)>>,
    /// Community slug.
    pub community: Option<Option<String>>,
    /// `community`, `programme` or `public`.
    pub visibility: Option<String>,
}

/// The URL of the thumbnail of attachment `file` of practice example `practice` (a page route,
/// so an `<img>` can show it).
pub fn thumbnail_url(practice: &str, file: &str) -> String {
    format!("/praktijkvoorbeelden/{practice}/fotos/{file}.jpg")
}

/// How the database reads for `user` (`None`: anonymous).
pub fn reader(user: Option<&User>) -> Reader<'_> {
    Reader {
        user_id: user.map(|u| u.id.as_str()),
        is_admin: user.is_some_and(|u| u.is_admin),
    }
}

fn invalid(errors: Vec<FieldError>) -> Error {
    Error::Validation {
        code: "validation_failed",
        errors,
    }
}

fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|(field, message)| FieldError::new(field, "invalid", message))
        .collect()
}

/// The example `id` as `user` sees it; `NotFound` when they may not, exactly as for a missing id.
pub async fn visible(state: &AppState, user: Option<&User>, id: &str) -> Result<Practice> {
    db::practices::visible(&state.db, id, reader(user))
        .await?
        .ok_or(Error::NotFound)
}

/// Up to `limit + 1` visible examples from `offset`, newest first (the extra one tells whether
/// there is a next page).
pub async fn list(
    state: &AppState,
    user: Option<&User>,
    filter: Filter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Practice>> {
    db::practices::list(&state.db, reader(user), filter, limit + 1, offset).await
}

/// The community named by `slug` and its programme, if `user` may share examples in it; a field
/// error on `community` otherwise.
async fn community_of(
    state: &AppState,
    user: &User,
    slug: &str,
) -> Result<std::result::Result<(String, Option<String>), FieldError>> {
    let refused = || {
        FieldError::new(
            "community",
            "not_a_member",
            "Kies een community waar je lid van bent.",
        )
    };
    let Some(community) = db::communities::find(&state.db, slug.trim()).await? else {
        return Ok(Err(refused()));
    };
    let member = user.is_admin
        || db::users::memberships_by_id(&state.db, &user.id)
            .await?
            .iter()
            .any(|(id, _)| *id == community.id);
    Ok(if member {
        Ok((community.id, community.programme_id))
    } else {
        Err(refused())
    })
}

/// Checks a draft and where it belongs; every problem as a field error.
async fn check(
    state: &AppState,
    user: &User,
    draft: &Draft,
    community: Option<&str>,
    keep: Option<(Option<String>, Option<String>)>,
    earlier: Vec<FieldError>,
) -> Result<(Card, Option<String>, Option<String>)> {
    let mut errors = earlier;
    let card = Card::parse(draft).map_err(field_errors);
    if let Err(problems) = &card {
        // A field the caller already found wrong keeps that message only.
        let known: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(
            problems
                .iter()
                .filter(|e| !known.contains(&e.field))
                .cloned(),
        );
    }
    if let Ok(code) = OrgCode::parse(&draft.organisation_code)
        && db::organisations::find(&state.db, &code).await?.is_none()
    {
        errors.push(FieldError::new(
            "organisation_code",
            "unknown_organisation",
            "Deze organisatie kent kring niet.",
        ));
    }
    let (community_id, programme_id) = match (keep, community) {
        (Some(kept), _) => kept,
        (None, Some(slug)) => match community_of(state, user, slug).await? {
            Ok((id, programme)) => (Some(id), programme),
            Err(e) => {
                errors.push(e);
                (None, None)
            }
        },
        (None, None) => (None, None),
    };
    let needs_community = Visibility::parse(&draft.visibility)
        .is_some_and(|v| v != Visibility::Public)
        && community_id.is_none()
        && !errors.iter().any(|e| e.field == "community");
    if needs_community {
        errors.push(FieldError::new(
            "community",
            "community_required",
            "Kies een community, of maak het voorbeeld openbaar: alleen een openbaar voorbeeld kan zonder community.",
        ));
    }
    match card {
        Ok(card) if errors.is_empty() => Ok((card, community_id, programme_id)),
        _ => Err(invalid(errors)),
    }
}

/// The search document of an example.
async fn index(
    tx: &mut Tx,
    id: &str,
    card: &Card,
    place: Place<'_>,
    state: &AppState,
) -> Result<()> {
    let themes: Vec<&str> = card.themes.iter().map(|t| t.label_nl()).collect();
    let body = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        card.summary,
        card.body_markdown,
        card.lessons_learned,
        themes.join(", ")
    );
    let url = format!("/praktijkvoorbeelden/{id}");
    db::search::put(
        tx,
        &Doc {
            kind: "practice",
            ref_id: id,
            community_id: place.community_id,
            programme_id: place.programme_id,
            visibility: card.visibility.as_str(),
            title: &card.title,
            body: &body,
            url: &url,
            created_at: state.clock.now(),
        },
    )
    .await
}

/// Shares a new example by `user`: `403` unless they belong to a community (or are an admin);
/// `422` with field errors for anything that does not check out. Without a community an example
/// is public; with one it defaults to that community.
pub async fn create(state: &AppState, user: &User, fields: Fields) -> Result<Practice> {
    create_checked(state, user, fields, Vec::new()).await
}

/// [`create`], with field errors the caller already found (a number that did not parse):
/// reported together with the rest, and nothing is stored while there are any.
pub async fn create_checked(
    state: &AppState,
    user: &User,
    fields: Fields,
    earlier: Vec<FieldError>,
) -> Result<Practice> {
    if !user.is_admin
        && db::users::memberships_by_id(&state.db, &user.id)
            .await?
            .is_empty()
    {
        return Err(Error::Forbidden);
    }
    let community = fields
        .community
        .clone()
        .flatten()
        .filter(|s| !s.trim().is_empty());
    let visibility = fields.visibility.clone().unwrap_or_else(|| {
        if community.is_some() {
            "community"
        } else {
            "public"
        }
        .to_string()
    });
    let draft = Draft {
        title: fields.title.unwrap_or_default(),
        organisation_code: fields.organisation_code.unwrap_or_default(),
        themes: fields.themes.unwrap_or_default(),
        summary: fields.summary.unwrap_or_default(),
        body_markdown: fields.body_markdown.unwrap_or_default(),
        lessons_learned: fields.lessons_learned.unwrap_or_default(),
        year: fields.year.flatten(),
        cost_eur: fields.cost_eur.flatten(),
        area_m2: fields.area_m2.flatten(),
        location: fields.location.flatten(),
        visibility,
    };
    let (card, community_id, programme_id) =
        check(state, user, &draft, community.as_deref(), None, earlier).await?;
    let place = Place {
        community_id: community_id.as_deref(),
        programme_id: programme_id.as_deref(),
    };
    let html = markdown::render(&card.body_markdown).into_string();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = db::practices::create(&mut tx, &card, &html, place, &user.id, now).await?;
    index(&mut tx, &id, &card, place, state).await?;
    tx.commit().await?;
    visible(state, Some(user), &id).await
}

/// `403` unless `user` may change `practice`.
pub fn require_change(user: &User, practice: &Practice) -> Result<()> {
    if practice.changeable_by(reader(Some(user))) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Applies a change (the author, a facilitator of its community, or an admin); fields left out
/// stay as they are.
pub async fn change(
    state: &AppState,
    user: &User,
    practice: &Practice,
    fields: Fields,
) -> Result<Practice> {
    change_checked(state, user, practice, fields, Vec::new()).await
}

/// [`change`], with field errors the caller already found, as for [`create_checked`].
pub async fn change_checked(
    state: &AppState,
    user: &User,
    practice: &Practice,
    fields: Fields,
    earlier: Vec<FieldError>,
) -> Result<Practice> {
    require_change(user, practice)?;
    let p = practice;
    let draft = Draft {
        title: fields.title.unwrap_or_else(|| p.title.clone()),
        organisation_code: fields
            .organisation_code
            .unwrap_or_else(|| p.organisation_code.clone()),
        themes: fields
            .themes
            .unwrap_or_else(|| p.themes.iter().map(|t| t.as_str().to_string()).collect()),
        summary: fields.summary.unwrap_or_else(|| p.summary.clone()),
        body_markdown: fields
            .body_markdown
            .unwrap_or_else(|| p.body_markdown.clone()),
        lessons_learned: fields
            .lessons_learned
            .unwrap_or_else(|| p.lessons_learned.clone()),
        year: fields.year.unwrap_or(p.year),
        cost_eur: fields.cost_eur.unwrap_or(p.cost_eur),
        area_m2: fields.area_m2.unwrap_or(p.area_m2),
        location: fields.location.unwrap_or_else(|| p.lat.zip(p.lon)),
        visibility: fields.visibility.unwrap_or_else(|| p.visibility.clone()),
    };
    // The same community as now needs no new membership check (a facilitator may keep it).
    let (keep, community) = match fields.community {
        None => (Some((p.community_id.clone(), p.programme_id.clone())), None),
        Some(None) => (Some((None, None)), None),
        Some(Some(slug)) if slug.trim().is_empty() => (Some((None, None)), None),
        Some(Some(slug)) if Some(slug.trim()) == p.community_slug.as_deref() => {
            (Some((p.community_id.clone(), p.programme_id.clone())), None)
        }
        Some(Some(slug)) => (None, Some(slug)),
    };
    let (card, community_id, programme_id) =
        check(state, user, &draft, community.as_deref(), keep, earlier).await?;
    let place = Place {
        community_id: community_id.as_deref(),
        programme_id: programme_id.as_deref(),
    };
    let html = markdown::render(&card.body_markdown).into_string();
    let mut tx = state.db.begin().await?;
    db::practices::update(&mut tx, &p.id, &card, &html, place, state.clock.now()).await?;
    index(&mut tx, &p.id, &card, place, state).await?;
    tx.commit().await?;
    visible(state, Some(user), &p.id).await
}

/// Deletes an example with its files (the author, a facilitator of its community, or an admin).
pub async fn delete(state: &AppState, user: &User, practice: &Practice) -> Result<()> {
    require_change(user, practice)?;
    let mut tx = state.db.begin().await?;
    let keys = db::attachments::delete_of_parent(&mut tx, "practice", &practice.id).await?;
    db::search::remove(&mut tx, "practice", &practice.id).await?;
    db::practices::delete(&mut tx, &practice.id).await?;
    tx.commit().await?;
    attachments::remove_files(state, &keys).await;
    Ok(())
}

/// Receives a file for an example (whoever may change it) and makes its thumbnail when it is a
/// photo. `csrf` as for [`attachments::receive`].
pub async fn attach(
    state: &AppState,
    user: &User,
    practice: &Practice,
    form: Multipart,
    csrf: Option<&str>,
) -> Result<(Attachment, Option<Thumbnail>)> {
    require_change(user, practice)?;
    let stored = attachments::receive(
        state,
        form,
        ("practice", &practice.id),
        Uploader::User(&user.id),
        csrf,
    )
    .await?;
    let thumbnail = crate::thumbnails::make(state, &stored).await;
    Ok((stored, thumbnail))
}
