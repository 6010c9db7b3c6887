//! `/notities/{id}`: a note with its files and comments, the comment form, and for its author and
//! facilitators the edit form (with a preview), deleting after a confirmation step, and uploading
//! files. A note the caller may not see is `404`.

mod comments;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{NoteForm, NoteView, VISIBILITIES, form_errors, view};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db::notes::Note;
use crate::db::{self, attachments::Reader};
use crate::domain::markdown;
use crate::error::{Error, Result};
use crate::note::{self, Change};
use crate::web::{FormErrors, Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notities/{id}", get(show))
        .route(
            "/notities/{id}/bewerken",
            get(edit_form)
                .post(edit)
                .layer(crate::api::notes::body_limit()),
        )
        .route("/notities/{id}/verwijderen", get(confirm).post(delete))
        .route(
            "/notities/{id}/bestanden",
            post(upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/notities/{id}/bestanden/{file}/verwijderen",
            post(remove_file),
        )
        .merge(comments::router())
}

struct FileView {
    id: String,
    filename: String,
    size: String,
    can_remove: bool,
}

struct CommentView {
    id: String,
    author: String,
    organisation: Option<String>,
    written: String,
    edited: bool,
    body_html: String,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "notes/show.html")]
pub(super) struct Show {
    page: Page,
    note: NoteView,
    /// The caller belongs to the note's community (so its list is theirs to go back to).
    in_community: bool,
    can_edit: bool,
    files: Vec<FileView>,
    comments: Vec<CommentView>,
    pub comment: String,
    pub errors: FormErrors,
    notice: Option<&'static str>,
    problem: Option<String>,
    max_mb: usize,
}

pub(super) async fn load(
    state: &AppState,
    page: Page,
    user: &db::users::User,
    n: &Note,
) -> Result<Show> {
    let tz = state.config.timezone;
    let reader = note::reader(user);
    let facilitates = user.is_admin || n.my_role.as_deref() == Some("facilitator");
    let files = note::files(state, n)
        .await?
        .into_iter()
        .map(|a| FileView {
            can_remove: facilitates || a.user_id.as_deref() == Some(user.id.as_str()),
            size: crate::format::bytes_nl(a.size),
            id: a.id,
            filename: a.filename,
        })
        .collect();
    let (items, _) = note::comments::list(state, user, n, 1000, None).await?;
    let comments = items
        .into_iter()
        .map(|c| CommentView {
            can_edit: c.may_change(reader),
            author: c
                .author_name
                .clone()
                .unwrap_or_else(|| "Voormalig deelnemer".into()),
            organisation: c.author_organisation.clone(),
            written: crate::format::datetime_nl(&c.created_at, tz),
            edited: c.updated_at > c.created_at + chrono::Duration::minutes(1),
            body_html: c.body_html,
            id: c.id,
        })
        .collect();
    Ok(Show {
        page,
        note: view(n, tz),
        in_community: n.my_role.is_some() || user.is_admin,
        can_edit: n.may_change(reader),
        files,
        comments,
        comment: String::new(),
        errors: FormErrors::default(),
        notice: None,
        problem: None,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
    })
}

#[derive(Debug, Default, Deserialize)]
struct Notice {
    melding: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let n = note::visible(&state, &me.user, &id).await?;
    let mut view = load(&state, page, &me.user, &n).await?;
    view.notice = match q.melding.as_deref() {
        Some("geplaatst") => Some("Je notitie is geplaatst."),
        Some("opgeslagen") => Some("De notitie is bijgewerkt."),
        Some("gereageerd") => Some("Je reactie is geplaatst."),
        Some("reactie-opgeslagen") => Some("De reactie is bijgewerkt."),
        Some("reactie-verwijderd") => Some("De reactie is verwijderd."),
        Some("bestand") => Some("Het bestand is toegevoegd."),
        Some("bestand-verwijderd") => Some("Het bestand is verwijderd."),
        _ => None,
    };
    render(StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "notes/edit.html")]
struct Edit {
    page: Page,
    id: String,
    title: String,
    has_programme: bool,
    form: NoteForm,
    errors: FormErrors,
    visibilities: [(&'static str, &'static str); 2],
    preview: Option<String>,
}

/// The note `id` if `me` may change it: `404` when they cannot see it, `403` when they may not.
async fn changeable(state: &AppState, me: &db::users::User, id: &str) -> Result<Note> {
    let n = note::visible(state, me, id).await?;
    if n.may_change(note::reader(me)) {
        Ok(n)
    } else {
        Err(Error::Forbidden)
    }
}

async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let n = changeable(&state, &me.user, &id).await?;
    let form = NoteForm {
        tags: n.tag_list().join(", "),
        visibility: n.visibility.clone(),
        title: n.title.clone(),
        body_markdown: n.body_markdown.clone(),
        actie: String::new(),
    };
    let view = Edit {
        page,
        id: n.id,
        title: n.title,
        has_programme: n.programme_id.is_some(),
        form,
        errors: FormErrors::default(),
        visibilities: VISIBILITIES,
        preview: None,
    };
    render(StatusCode::OK, &view)
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response> {
    let n = changeable(&state, &me.user, &id).await?;
    let mut view = Edit {
        page,
        id: n.id.clone(),
        title: n.title.clone(),
        has_programme: n.programme_id.is_some(),
        form: NoteForm::default(),
        errors: FormErrors::default(),
        visibilities: VISIBILITIES,
        preview: None,
    };
    if form.actie == "voorbeeld" {
        view.preview = Some(markdown::render_nested(&form.body_markdown, 3).into_string());
        view.form = form;
        return render(StatusCode::OK, &view);
    }
    let draft = form.draft();
    let change = Change {
        title: Some(draft.title),
        body_markdown: Some(draft.body_markdown),
        tags: Some(draft.tags),
        visibility: draft.visibility,
    };
    match note::change(&state, &me.user, &n, &change).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/notities/{}?melding=opgeslagen", n.id)).into_response())
        }
        Err(Error::Validation { errors, .. }) => {
            view.errors = form_errors(errors);
            view.form = form;
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "notes/confirm.html")]
pub(super) struct Confirm {
    pub page: Page,
    pub heading: String,
    pub question: String,
    pub action: String,
    pub back: String,
    pub button: &'static str,
}

async fn confirm(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let n = changeable(&state, &me.user, &id).await?;
    let view = Confirm {
        page,
        heading: format!("Notitie verwijderen: {}", n.title),
        question: "Weet je zeker dat je deze notitie verwijdert? De reacties en bestanden worden ook verwijderd. Dit kan niet ongedaan worden gemaakt.".into(),
        action: format!("/notities/{}/verwijderen", n.id),
        back: format!("/notities/{}", n.id),
        button: "Notitie verwijderen",
    };
    render(StatusCode::OK, &view)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Empty {}

async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let n = changeable(&state, &me.user, &id).await?;
    note::delete(&state, &me.user, &n).await?;
    let to = if n.my_role.is_some() || me.user.is_admin {
        format!(
            "/communities/{}/notities?melding=verwijderd",
            n.community_slug
        )
    } else {
        "/".to_string()
    };
    Ok(Redirect::to(&to).into_response())
}

async fn upload(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let n = note::visible(&state, &me.user, &id).await?;
    let csrf = page.csrf.clone();
    match note::attach(&state, &me.user, &n, form, Some(&csrf)).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/notities/{}?melding=bestand#bestanden", n.id)).into_response(),
        ),
        Err(err @ (Error::Validation { .. } | Error::Refused { .. } | Error::PayloadTooLarge)) => {
            let status = err.status();
            let message = match &err {
                Error::Validation { errors, .. } => errors.first().map_or_else(
                    || "Het bestand kon niet worden opgeslagen.".into(),
                    |e| e.message.clone(),
                ),
                Error::Refused { detail, .. } => detail.clone(),
                _ => "Het bestand is te groot.".into(),
            };
            let mut view = load(&state, page, &me.user, &n).await?;
            view.problem = Some(message);
            render(status, &view)
        }
        Err(other) => Err(other),
    }
}

async fn remove_file(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, file)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let reader = Reader {
        user_id: Some(&me.user.id),
        is_admin: me.user.is_admin,
        speaker_id: None,
    };
    let (a, facilitates) = db::attachments::visible(&state.db, &file, reader)
        .await?
        .filter(|(a, _)| a.parent_kind == "note" && a.parent_id == id)
        .ok_or(Error::NotFound)?;
    if !(facilitates || a.user_id.as_deref() == Some(me.user.id.as_str())) {
        return Err(Error::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let key = db::attachments::delete(&mut tx, &a.id).await?;
    tx.commit().await?;
    crate::attachments::remove_files(&state, key.as_slice()).await;
    Ok(Redirect::to(&format!(
        "/notities/{id}?melding=bestand-verwijderd#bestanden"
    ))
    .into_response())
}
