//! `/api/v1/users`: accounts created by administrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::auth::AdminUser;
use crate::db;
use crate::db::users::NewUser;
use crate::domain::{Email, PersonName};
use crate::error::{Error, FieldError, Problem, Result};

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Display name.
    pub name: String,
    /// E-mail address (unique, case-insensitive).
    pub email: String,
    /// Make the user an administrator.
    #[serde(default)]
    pub is_admin: bool,
}

/// A created user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Administrator.
    pub is_admin: bool,
}

/// Creates a user (admin only); `409 user_exists` for a known address.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, description = "Created", body = UserOut), (status = 401, description = "Not signed in (problem code `unauthorized`)", body = Problem), (status = 403, description = "Not allowed (`forbidden`, or `csrf_failed` for a cookie request without X-CSRF-Token)", body = Problem),
              (status = 409, description = "Conflict (see the problem code)", body = Problem), (status = 422, description = "Invalid input (`validation_failed`, `unknown_field`, or a specific code)", body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<Response> {
    let mut errors = Vec::new();
    let email = Email::parse(&body.email)
        .map_err(|m| errors.push(FieldError::new("email", "invalid_email", m)))
        .ok();
    let name = PersonName::parse(&body.name)
        .map_err(|m| errors.push(FieldError::new("name", "invalid", m)))
        .ok();
    let (Some(email), Some(name)) = (email, name) else {
        let code = if errors.iter().all(|e| e.code == "invalid_email") {
            "invalid_email"
        } else {
            "validation_failed"
        };
        return Err(Error::Validation { code, errors });
    };
    let mut tx = state.db.begin().await?;
    let user = db::users::create(
        &mut tx,
        &NewUser {
            email,
            name,
            is_admin: body.is_admin,
            organisation_code: None,
        },
    )
    .await?;
    let action = if user.is_admin {
        "admin_created"
    } else {
        "user_created"
    };
    db::audit::record(&mut tx, Some(&admin.user.id), action, &user.id, &user.email).await?;
    tx.commit().await?;
    let out = UserOut {
        id: user.id,
        name: user.name,
        email: user.email,
        is_admin: user.is_admin,
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
