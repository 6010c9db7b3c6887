//! `/api/v1/me`: the caller's profile and personal API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::auth::{CurrentUser, hash_secret, new_secret};
use crate::db::users::{ProfilePatch, User};
use crate::domain::{NotificationFrequency, PersonName, WorkDomain};
use crate::error::{Error, FieldError, Result};
use crate::{db, error::Problem};

/// A community of the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyCommunity {
    /// Community slug.
    pub slug: String,
    /// `member` or `facilitator`.
    pub role: String,
}

/// The caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Platform administrator.
    pub is_admin: bool,
    /// Work domains.
    pub domains: Vec<WorkDomain>,
    /// Notification e-mail frequency.
    pub notification_frequency: NotificationFrequency,
    /// Communities and the caller's role in each.
    pub communities: Vec<MyCommunity>,
}

async fn me_of(state: &AppState, user: User) -> Result<Me> {
    let communities = db::users::memberships(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|m| MyCommunity {
            slug: m.slug,
            role: m.role,
        })
        .collect();
    Ok(Me {
        domains: user.domain_list(),
        notification_frequency: user.frequency(),
        id: user.id,
        name: user.name,
        email: user.email,
        is_admin: user.is_admin,
        communities,
    })
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, description = "OK", body = Me), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem)))]
pub async fn get_me(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> Result<Json<Me>> {
    Ok(Json(me_of(&state, me.user).await?))
}

/// Changes to the caller's profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// New display name.
    pub name: Option<String>,
    /// New work domains (`beleid`, `ecologie`, `natuur`, `biodiversiteit`, `gezondheid`, `uitvoering`, `overig`).
    pub domains: Option<Vec<String>>,
    /// `instant`, `daily`, `weekly` or `off`.
    pub notification_frequency: Option<String>,
}

/// Updates the caller's profile.
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = MePatch,
    responses((status = 200, description = "OK", body = Me), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem), (status = 422, description = "Invalid input (`validation_failed`, `unknown_field`, or a specific code)", body = Problem)))]
pub async fn patch_me(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<MePatch>,
) -> Result<Json<Me>> {
    let mut errors = Vec::new();
    let name = match body.name.as_deref().map(PersonName::parse) {
        Some(Err(m)) => {
            errors.push(FieldError::new("name", "invalid", m));
            None
        }
        Some(Ok(n)) => Some(n),
        None => None,
    };
    let domains = body.domains.as_ref().map(|list| {
        list.iter()
            .filter_map(|d| {
                WorkDomain::parse(d).or_else(|| {
                    errors.push(FieldError::new(
                        "domains",
                        "invalid",
                        format!("Onbekend werkveld: {d}."),
                    ));
                    None
                })
            })
            .collect::<Vec<_>>()
    });
    let frequency = match body
        .notification_frequency
        .as_deref()
        .map(NotificationFrequency::parse)
    {
        Some(None) => {
            errors.push(FieldError::new(
                "notification_frequency",
                "invalid",
                "Kies instant, daily, weekly of off.",
            ));
            None
        }
        Some(f) => f,
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Validation {
            code: "validation_failed",
            errors,
        });
    }
    let mut tx = state.db.begin().await?;
    let user = db::users::update_profile(
        &mut tx,
        &me.user.id,
        &ProfilePatch {
            name,
            domains,
            notification_frequency: frequency,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(me_of(&state, user).await?))
}

/// A new token's label.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "rapportage-script".
    pub label: String,
}

/// A token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Token id (for revoking).
    pub id: String,
    /// The secret; kring stores only its hash and cannot show it again.
    pub token: String,
}

/// A token as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Token id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Creation.
    pub created_at: DateTime<Utc>,
}

/// Validates a token label.
pub fn parse_label(label: &str) -> Result<String, &'static str> {
    let label = label.trim();
    if label.is_empty() {
        Err("Geef de sleutel een naam, zodat je later weet waarvoor hij is.")
    } else if label.chars().count() > 80 {
        Err("Een naam heeft hoogstens 80 tekens.")
    } else {
        Ok(label.to_string())
    }
}

/// Creates a token for a user; returns (id, secret).
pub async fn issue_token(state: &AppState, user_id: &str, label: &str) -> Result<(String, String)> {
    let secret = format!("kring_{}", new_secret());
    let mut tx = state.db.begin().await?;
    let id = db::sessions::create_token(&mut tx, user_id, label, &hash_secret(&secret)).await?;
    db::audit::record(&mut tx, Some(user_id), "token_created", &id, label).await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Creates a personal API token.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", request_body = NewToken,
    responses((status = 201, description = "Created", body = CreatedToken), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem), (status = 422, description = "Invalid input (`validation_failed`, `unknown_field`, or a specific code)", body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<Response> {
    let label =
        parse_label(&body.label).map_err(|m| Error::field("validation_failed", "label", m))?;
    let (id, token) = issue_token(&state, &me.user.id, &label).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })).into_response())
}

/// Lists the caller's tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me",
    responses((status = 200, description = "OK", body = Vec<TokenInfo>), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> Result<Json<Vec<TokenInfo>>> {
    let tokens = db::sessions::list_tokens(&state.db, &me.user.id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                label: t.label,
                created_at: t.created_at,
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "No content"), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem), (status = 404, description = "Not found, or not visible to the caller (`not_found`)", body = Problem)))]
pub async fn delete_token(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let mut tx = state.db.begin().await?;
    db::sessions::delete_token(&mut tx, &me.user.id, &id).await?;
    db::audit::record(&mut tx, Some(&me.user.id), "token_revoked", &id, "").await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
