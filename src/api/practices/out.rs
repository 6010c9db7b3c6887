//! The JSON form of practice examples and their files.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::attachments::AttachmentOut;
use crate::app::AppState;
use crate::db::practices::Practice;
use crate::db::{self};
use crate::domain::markdown;
use crate::error::Result;
use crate::practice::{self, thumbnail_url};

/// A location in WGS84 degrees (inside the Netherlands: latitude 50.7–53.7, longitude 3.2–7.3).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationIo {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// Who wrote an example.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeAuthor {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A file of an example; photos also have a thumbnail that may be shown inline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeFileOut {
    /// The file (always a download).
    #[serde(flatten)]
    pub file: AttachmentOut,
    /// A JPEG of at most 480 × 480 pixels made by kring from the photo; `null` for anything that
    /// is not a PNG, JPEG or WebP photo.
    pub thumbnail_url: Option<String>,
}

/// A practice example card.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeOut {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Organisation code (`GM0599`).
    pub organisation_code: String,
    /// Organisation name.
    pub organisation_name: String,
    /// Themes.
    pub themes: Vec<String>,
    /// Summary (plain text).
    pub summary: String,
    /// Description (Markdown).
    pub body_markdown: String,
    /// Sanitised HTML of the description.
    pub body_html: String,
    /// Lessons learned (Markdown).
    pub lessons_learned: String,
    /// Sanitised HTML of the lessons learned.
    pub lessons_learned_html: String,
    /// Year of the measure.
    pub year: Option<i64>,
    /// Cost in euros.
    pub cost_eur: Option<i64>,
    /// Area in m².
    pub area_m2: Option<i64>,
    /// Location.
    pub location: Option<LocationIo>,
    /// Community slug; `null` for an example shared without one (always public).
    pub community: Option<String>,
    /// `community`, `programme` or `public`.
    pub visibility: String,
    /// Who wrote it; `null` once that account is gone.
    pub author: Option<PracticeAuthor>,
    /// True when the caller may change and delete it.
    pub can_edit: bool,
    /// The first photo's thumbnail.
    pub photo_url: Option<String>,
    /// Files (only when one example is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<PracticeFileOut>>,
    /// The page of the example.
    pub url: String,
    /// Written at.
    pub created_at: DateTime<FixedOffset>,
    /// Last changed at.
    pub updated_at: DateTime<FixedOffset>,
}

pub(super) fn practice_out(
    state: &AppState,
    me: Option<&crate::db::users::User>,
    p: Practice,
) -> PracticeOut {
    let tz = state.config.timezone;
    let author = match (p.author_id.clone(), p.author_name.clone()) {
        (Some(id), Some(name)) => Some(PracticeAuthor { id, name }),
        _ => None,
    };
    PracticeOut {
        can_edit: p.changeable_by(practice::reader(me)),
        lessons_learned_html: markdown::render(&p.lessons_learned).into_string(),
        location: p.lat.zip(p.lon).map(|(lat, lon)| LocationIo { lat, lon }),
        themes: p.themes.iter().map(|t| t.as_str().to_string()).collect(),
        url: format!("/praktijkvoorbeelden/{}", p.id),
        created_at: p.created_at.with_timezone(&tz).fixed_offset(),
        updated_at: p.updated_at.with_timezone(&tz).fixed_offset(),
        photo_url: None,
        attachments: None,
        id: p.id,
        title: p.title,
        organisation_code: p.organisation_code,
        organisation_name: p.organisation_name,
        summary: p.summary,
        body_markdown: p.body_markdown,
        body_html: p.body_html,
        lessons_learned: p.lessons_learned,
        year: p.year,
        cost_eur: p.cost_eur,
        area_m2: p.area_m2,
        community: p.community_slug,
        visibility: p.visibility,
        author,
    }
}

/// One example with its files.
pub(super) async fn full(
    state: &AppState,
    me: Option<&crate::db::users::User>,
    p: Practice,
) -> Result<PracticeOut> {
    let files = db::attachments::of_parent(&state.db, "practice", &p.id).await?;
    let thumbs = db::thumbnails::of_parent(&state.db, "practice", &p.id).await?;
    let id = p.id.clone();
    let mut out = practice_out(state, me, p);
    let files: Vec<PracticeFileOut> = files
        .into_iter()
        .map(|a| PracticeFileOut {
            thumbnail_url: thumbs
                .contains_key(&a.id)
                .then(|| thumbnail_url(&id, &a.id)),
            file: AttachmentOut::new(state, a),
        })
        .collect();
    out.photo_url = files.iter().find_map(|f| f.thumbnail_url.clone());
    out.attachments = Some(files);
    Ok(out)
}
