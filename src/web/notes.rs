//! `/communities/{slug}/notities`: the notes of a community with a tag filter, paging and the form
//! for a new note (with a preview rendered on the server); `/notities/{id}` and its forms live in
//! `notes/detail.rs`. Every form works without JavaScript.

mod detail;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{FormErrors, Page, render};
use crate::app::AppState;
use crate::auth::{CsrfForm, Member};
use crate::db::notes::Note;
use crate::domain::note::{Visibility, excerpt, split_tags};
use crate::error::{Error, FieldError, Result};
use crate::note::{self, Draft};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/communities/{slug}/notities",
            get(list)
                .post(create)
                .layer(crate::api::notes::body_limit()),
        )
        .merge(detail::router())
}

/// A note in a list or on its page.
pub(crate) struct NoteView {
    pub id: String,
    pub title: String,
    pub body_html: String,
    pub excerpt: String,
    pub tags: Vec<String>,
    pub author: String,
    pub organisation: Option<String>,
    pub written: String,
    /// "bewerkt op …" when it changed after writing.
    pub edited: Option<String>,
    pub community_name: String,
    pub community_slug: String,
    pub programme_wide: bool,
    pub comments_label: String,
}

pub(crate) fn view(n: &Note, tz: chrono_tz::Tz) -> NoteView {
    NoteView {
        id: n.id.clone(),
        title: n.title.clone(),
        body_html: n.body_html.clone(),
        excerpt: excerpt(&n.body_markdown, 240),
        tags: n.tag_list(),
        author: n
            .author_name
            .clone()
            .unwrap_or_else(|| "Voormalig deelnemer".to_string()),
        organisation: n.author_organisation.clone(),
        written: crate::format::date_nl(&n.created_at, tz),
        edited: (n.updated_at > n.created_at + chrono::Duration::minutes(1))
            .then(|| crate::format::date_nl(&n.updated_at, tz)),
        community_name: n.community_name.clone(),
        community_slug: n.community_slug.clone(),
        programme_wide: n.visibility == Visibility::Programme.as_str(),
        comments_label: match n.comment_count {
            0 => "Nog geen reacties".to_string(),
            1 => "1 reactie".to_string(),
            k => format!("{k} reacties"),
        },
    }
}

/// The note form as typed, so it can be shown again.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NoteForm {
    pub title: String,
    pub body_markdown: String,
    pub tags: String,
    pub visibility: String,
    /// `voorbeeld` shows the preview; anything else saves.
    pub actie: String,
}

impl NoteForm {
    pub fn is_visibility(&self, value: &str) -> bool {
        if self.visibility.is_empty() {
            value == Visibility::Community.as_str()
        } else {
            self.visibility == value
        }
    }

    fn draft(&self) -> Draft {
        Draft {
            title: self.title.clone(),
            body_markdown: self.body_markdown.clone(),
            tags: split_tags(&self.tags),
            visibility: Some(self.visibility.clone()).filter(|v| !v.is_empty()),
        }
    }
}

/// The visibility choices of the form.
pub(crate) const VISIBILITIES: [(&str, &str); 2] = [
    ("community", "Alleen deze community"),
    ("programme", "Alle communities van het programma"),
];

/// Field errors with the ids of the form's fields (the first radio button for the visibility).
pub(crate) fn form_errors(errors: Vec<FieldError>) -> FormErrors {
    FormErrors(
        errors
            .into_iter()
            .map(|mut e| {
                if e.field == "visibility" {
                    e.field = "visibility-community".into();
                }
                e
            })
            .collect(),
    )
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    tag: Option<String>,
    cursor: Option<String>,
    melding: Option<String>,
}

#[derive(Template)]
#[template(path = "notes/list.html")]
struct ListPage {
    page: Page,
    slug: String,
    name: String,
    has_programme: bool,
    notes: Vec<NoteView>,
    tag: String,
    /// Path of the older notes, if any.
    older: Option<String>,
    is_later_page: bool,
    notice: Option<&'static str>,
    errors: FormErrors,
    form: NoteForm,
    visibilities: [(&'static str, &'static str); 2],
    preview: Option<String>,
}

async fn load(
    state: &AppState,
    page: Page,
    member: &Member,
    tag: Option<&str>,
    cursor: Option<&str>,
) -> Result<ListPage> {
    let (limit, after) = note::paging(None, cursor)?;
    let is_later_page = after.is_some();
    let me = &member.user.user;
    let (notes, next) = note::list(state, me, &member.community_id, tag, limit, after).await?;
    let tag = tag
        .and_then(crate::domain::note::parse_tag)
        .unwrap_or_default();
    let older = next.map(|c| {
        let mut path = format!("/communities/{}/notities?", member.slug);
        if !tag.is_empty() {
            path.push_str(&format!("tag={tag}&"));
        }
        path.push_str("cursor=");
        path.push_str(&c);
        path
    });
    let tz = state.config.timezone;
    Ok(ListPage {
        page,
        slug: member.slug.clone(),
        name: member.name.clone(),
        has_programme: crate::db::notes::has_programme(&state.db, &member.community_id).await?,
        notes: notes.iter().map(|n| view(n, tz)).collect(),
        tag,
        older,
        is_later_page,
        notice: None,
        errors: FormErrors::default(),
        form: NoteForm::default(),
        visibilities: VISIBILITIES,
        preview: None,
    })
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let mut view = load(&state, page, &member, q.tag.as_deref(), q.cursor.as_deref()).await?;
    view.notice = match q.melding.as_deref() {
        Some("verwijderd") => Some("De notitie is verwijderd."),
        _ => None,
    };
    render(StatusCode::OK, &view)
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    member: Member,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response> {
    if form.actie == "voorbeeld" {
        let mut view = load(&state, page, &member, None, None).await?;
        view.preview =
            Some(crate::domain::markdown::render_nested(&form.body_markdown, 4).into_string());
        view.form = form;
        return render(StatusCode::OK, &view);
    }
    match note::create(
        &state,
        &member.user.user,
        &member.community_id,
        &form.draft(),
    )
    .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/notities/{}?melding=geplaatst", n.id)).into_response()),
        Err(Error::Validation { errors, .. }) => {
            let mut view = load(&state, page, &member, None, None).await?;
            view.errors = form_errors(errors);
            view.form = form;
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}
