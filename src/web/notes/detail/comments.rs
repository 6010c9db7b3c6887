//! The comments on `/notities/{id}`: adding one, and for its author and facilitators editing it
//! and deleting it after a confirmation step.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Confirm, Empty, load};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db::{self, notes::Note};
use crate::error::{Error, Result};
use crate::note::{self, comments};
use crate::web::{FormErrors, Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notities/{id}/reacties", post(add_comment))
        .route(
            "/notities/{id}/reacties/{comment}/bewerken",
            get(comment_form).post(edit_comment),
        )
        .route(
            "/notities/{id}/reacties/{comment}/verwijderen",
            get(confirm_comment).post(delete_comment),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CommentForm {
    body_markdown: String,
}

async fn add_comment(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<Response> {
    let n = note::visible(&state, &me.user, &id).await?;
    match comments::add(&state, &me.user, &n, &form.body_markdown).await {
        Ok(c) => Ok(Redirect::to(&format!(
            "/notities/{}?melding=gereageerd#reactie-{}",
            n.id, c.id
        ))
        .into_response()),
        Err(Error::Validation { errors, .. }) => {
            let mut view = load(&state, page, &me.user, &n).await?;
            view.errors = FormErrors(errors);
            view.comment = form.body_markdown;
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "notes/comment_edit.html")]
struct CommentEdit {
    page: Page,
    note_id: String,
    note_title: String,
    comment_id: String,
    body: String,
    errors: FormErrors,
}

/// The comment `comment` of note `id` if `me` may change it (`404`, `403` otherwise), with its note.
async fn own_comment(
    state: &AppState,
    me: &db::users::User,
    id: &str,
    comment: &str,
) -> Result<(Note, db::comments::Comment)> {
    let c = comments::visible(state, me, comment).await?;
    if c.note_id != id {
        return Err(Error::NotFound);
    }
    if !c.may_change(note::reader(me)) {
        return Err(Error::Forbidden);
    }
    Ok((note::visible(state, me, id).await?, c))
}

async fn comment_form(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path((id, comment)): Path<(String, String)>,
) -> Result<Response> {
    let (n, c) = own_comment(&state, &me.user, &id, &comment).await?;
    let view = CommentEdit {
        page,
        note_id: n.id,
        note_title: n.title,
        comment_id: c.id,
        body: c.body_markdown,
        errors: FormErrors::default(),
    };
    render(StatusCode::OK, &view)
}

async fn edit_comment(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path((id, comment)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<Response> {
    let (n, c) = own_comment(&state, &me.user, &id, &comment).await?;
    match comments::change(&state, &me.user, &n, &c, &form.body_markdown).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/notities/{}?melding=reactie-opgeslagen#reactie-{}",
            n.id, c.id
        ))
        .into_response()),
        Err(Error::Validation { errors, .. }) => {
            let view = CommentEdit {
                page,
                note_id: n.id,
                note_title: n.title,
                comment_id: c.id,
                body: form.body_markdown,
                errors: FormErrors(errors),
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

async fn confirm_comment(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path((id, comment)): Path<(String, String)>,
) -> Result<Response> {
    let (n, c) = own_comment(&state, &me.user, &id, &comment).await?;
    let view = Confirm {
        page,
        heading: format!("Reactie verwijderen bij {}", n.title),
        question:
            "Weet je zeker dat je deze reactie verwijdert? Dit kan niet ongedaan worden gemaakt."
                .into(),
        action: format!("/notities/{}/reacties/{}/verwijderen", n.id, c.id),
        back: format!("/notities/{}#reactie-{}", n.id, c.id),
        button: "Reactie verwijderen",
    };
    render(StatusCode::OK, &view)
}

async fn delete_comment(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, comment)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let (n, c) = own_comment(&state, &me.user, &id, &comment).await?;
    comments::delete(&state, &me.user, &c).await?;
    Ok(Redirect::to(&format!(
        "/notities/{}?melding=reactie-verwijderd#reacties",
        n.id
    ))
    .into_response())
}
