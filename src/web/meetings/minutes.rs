//! `/bijeenkomsten/{id}/verslag/bewerken`: the facilitator writes the minutes, starting from the
//! template (agenda and attendance), with decisions and action items in rows that grow without
//! JavaScript, a preview rendered on the server, a draft, and publication.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{MeetingView, Notice, view};
use crate::app::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::db;
use crate::db::meetings::Meeting;
use crate::domain::markdown;
use crate::error::{Error, Result};
use crate::format::datetime_nl;
use crate::meeting::{self, minutes};
use crate::web::{FormErrors, Page, render};

/// Empty action rows offered below the filled ones.
const EMPTY_ROWS: usize = 2;
/// Most action rows on the form.
const MAX_ROWS: usize = 50;

/// The minutes editing page.
pub fn router() -> Router<AppState> {
    Router::new().route("/bijeenkomsten/{id}/verslag/bewerken", get(edit).post(save))
}

/// One action row of the form, as typed.
#[derive(Clone, Debug, Default)]
pub struct Row {
    text: String,
    owner: String,
    name: String,
    due: String,
}

impl Row {
    fn is_empty(&self) -> bool {
        [&self.text, &self.owner, &self.name, &self.due]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

/// The minutes form: the rows' fields repeat in order, one of each per row.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MinutesForm {
    body_markdown: String,
    decisions: String,
    action_text: Vec<String>,
    action_owner: Vec<String>,
    action_name: Vec<String>,
    action_due: Vec<String>,
    /// `voorbeeld`, `rij`, `opslaan` or `publiceren`.
    actie: String,
}

impl MinutesForm {
    fn rows(&self) -> Vec<Row> {
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let count = [
            self.action_text.len(),
            self.action_owner.len(),
            self.action_name.len(),
            self.action_due.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .min(MAX_ROWS);
        (0..count)
            .map(|i| Row {
                text: at(&self.action_text, i),
                owner: at(&self.action_owner, i),
                name: at(&self.action_name, i),
                due: at(&self.action_due, i),
            })
            .collect()
    }

    fn decisions(&self) -> Vec<String> {
        self.decisions.lines().map(str::to_string).collect()
    }
}

/// The preview: the Markdown as members will read it, and the decisions.
struct Preview {
    html: String,
    decisions: Vec<String>,
}

#[derive(Template)]
#[template(path = "meetings/minutes.html")]
struct MinutesPage {
    page: Page,
    m: MeetingView,
    body: String,
    decisions: String,
    rows: Vec<Row>,
    members: Vec<(String, String)>,
    /// "Concept", "Gepubliceerd" or empty while nothing is saved.
    status: &'static str,
    /// When it was saved or published, in Dutch.
    since: String,
    preview: Option<Preview>,
    focus_row: Option<usize>,
    notice: Option<&'static str>,
    errors: FormErrors,
}

impl MinutesPage {
    /// The field of row `i` named `input`, e.g. `action_text-2`.
    fn field(&self, input: &str, i: &usize) -> String {
        format!("{input}-{i}")
    }

    /// True for the row just added (it gets focus).
    fn focused(&self, i: &usize) -> bool {
        self.focus_row == Some(*i)
    }
}

async fn page_for(state: &AppState, page: Page, m: &Meeting) -> Result<MinutesPage> {
    let tz = state.config.timezone;
    let members = db::communities::members(&state.db, &m.community_id)
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.name))
        .collect();
    let stored = db::minutes::get(&state.db, &m.id).await?;
    let (status, since) = match &stored {
        Some(s) if s.status == "published" => (
            "Gepubliceerd",
            s.published_at
                .map(|at| datetime_nl(&at, tz))
                .unwrap_or_default(),
        ),
        Some(s) => ("Concept", datetime_nl(&s.updated_at, tz)),
        None => ("", String::new()),
    };
    let (body, decisions, mut rows) = match stored {
        Some(s) => {
            let rows = db::minutes::actions_of(&state.db, &m.id)
                .await?
                .into_iter()
                .map(|a| Row {
                    text: a.text,
                    owner: a.owner_user_id.unwrap_or_default(),
                    name: a.owner_name.unwrap_or_default(),
                    due: a.due_date.unwrap_or_default(),
                })
                .collect();
            (
                s.body_markdown.clone(),
                minutes::decisions(&s).join("\n"),
                rows,
            )
        }
        None => (
            minutes::template(state, m).await?,
            String::new(),
            Vec::new(),
        ),
    };
    rows.extend(std::iter::repeat_n(Row::default(), EMPTY_ROWS));
    Ok(MinutesPage {
        page,
        m: view(m, tz),
        body,
        decisions,
        rows,
        members,
        status,
        since,
        preview: None,
        focus_row: None,
        notice: None,
        errors: FormErrors::default(),
    })
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let mut view = page_for(&state, page, &m).await?;
    view.notice = match q.melding.as_deref() {
        Some("opgeslagen") => Some("Het concept is opgeslagen. Alleen facilitatoren zien het."),
        _ => None,
    };
    render(StatusCode::OK, &view)
}

/// The form's field for a use-case error on `actions[i].…`, given which form row each action
/// came from.
fn row_field(field: &str, positions: &[usize]) -> Option<String> {
    let rest = field.strip_prefix("actions[")?;
    let (index, name) = rest.split_once("].")?;
    let row = positions.get(index.parse::<usize>().ok()?)?;
    let input = match name {
        "text" => "action_text",
        "owner_user_id" => "action_owner",
        "due_date" => "action_due",
        _ => return None,
    };
    Some(format!("{input}-{row}"))
}

async fn save(
    State(state): State<AppState>,
    page: Page,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MinutesForm>,
) -> Result<Response> {
    let m = meeting::facilitated(&state, &me.user, &id).await?;
    let mut rows = form.rows();
    let (mut focus_row, mut preview) = (None, None);
    let (status, errors) = match form.actie.as_str() {
        "rij" => {
            if rows.len() < MAX_ROWS {
                focus_row = Some(rows.len());
                rows.push(Row::default());
            }
            (StatusCode::OK, FormErrors::default())
        }
        action @ ("opslaan" | "publiceren") => {
            let (positions, inputs): (Vec<usize>, Vec<minutes::ActionInput>) = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.is_empty())
                .map(|(i, r)| {
                    let some = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
                    let input = minutes::ActionInput {
                        text: r.text.clone(),
                        owner_user_id: some(&r.owner),
                        owner_name: some(&r.name),
                        due_date: some(&r.due),
                    };
                    (i, input)
                })
                .unzip();
            let saved =
                minutes::save(&state, &m, &form.body_markdown, &form.decisions(), &inputs).await;
            match saved {
                Ok(()) if action == "publiceren" => {
                    minutes::publish(&state, &m, &me.user.id).await?;
                    let to = format!("/bijeenkomsten/{}?melding=verslag#verslag", m.id);
                    return Ok(Redirect::to(&to).into_response());
                }
                Ok(()) => {
                    let to = format!(
                        "/bijeenkomsten/{}/verslag/bewerken?melding=opgeslagen",
                        m.id
                    );
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(Error::Validation { errors, .. }) => {
                    let mapped = errors
                        .into_iter()
                        .map(|mut e| {
                            if let Some(field) = row_field(&e.field, &positions) {
                                e.field = field;
                            }
                            e
                        })
                        .collect();
                    (StatusCode::UNPROCESSABLE_ENTITY, FormErrors(mapped))
                }
                Err(other) => return Err(other),
            }
        }
        // "voorbeeld", and a form sent without a button.
        _ => {
            preview = Some(Preview {
                html: markdown::render_nested(&form.body_markdown, 3).into_string(),
                decisions: form
                    .decisions()
                    .into_iter()
                    .map(|d| d.trim().to_string())
                    .filter(|d| !d.is_empty())
                    .collect(),
            });
            (StatusCode::OK, FormErrors::default())
        }
    };
    let mut view = page_for(&state, page, &m).await?;
    view.focus_row = focus_row;
    view.preview = preview;
    view.body = form.body_markdown;
    view.decisions = form.decisions;
    view.rows = rows;
    view.errors = errors;
    render(status, &view)
}

#[cfg(test)]
mod tests {
    use super::row_field;

    #[test]
    fn action_errors_land_on_their_row() {
        let positions = [0, 2];
        assert_eq!(
            row_field("actions[1].text", &positions).as_deref(),
            Some("action_text-2")
        );
        assert_eq!(
            row_field("actions[0].due_date", &positions).as_deref(),
            Some("action_due-0")
        );
        assert_eq!(row_field("actions[5].text", &positions), None);
        assert_eq!(row_field("body_markdown", &positions), None);
    }
}
