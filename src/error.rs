//! The one error type: problem+json (RFC 9457) for the API, a Dutch error page for the web.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Result alias used throughout kring.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One field that failed validation.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The request field, e.g. `email`.
    pub field: String,
    /// Stable machine-readable code, e.g. `invalid_email`.
    pub code: String,
    /// Human-readable message (Dutch).
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Everything that can go wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource does not exist or the caller may not see it (the two are indistinguishable).
    #[error("not found")]
    NotFound,
    /// No or invalid credentials where they are required.
    #[error("authentication required")]
    Unauthorized,
    /// The caller may see the resource but not do this.
    #[error("forbidden")]
    Forbidden,
    /// A state-changing request without a valid CSRF token or from another site.
    #[error("csrf check failed")]
    Csrf,
    /// Input that does not parse; one or more field errors (422, `validation_failed` unless one code applies).
    #[error("validation failed")]
    Validation {
        /// The problem code (`validation_failed`, `unknown_field`, `invalid_email`, …).
        code: &'static str,
        /// The failing fields.
        errors: Vec<FieldError>,
    },
    /// A request that is well-formed but refused by a rule (4xx with its own code).
    #[error("{code}: {detail}")]
    Refused {
        /// HTTP status.
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// Dutch explanation.
        detail: String,
    },
    /// Too many requests; retry after this many seconds.
    #[error("rate limited")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// The request body is larger than allowed.
    #[error("payload too large")]
    PayloadTooLarge,
    /// A database failure.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Any other failure; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A 422 with one field error whose code is also the problem code.
    pub fn field(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            code,
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// A refusal with its own status and code.
    pub fn refused(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Refused {
            status,
            code,
            detail: detail.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Refused { status, .. } => *status,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Database(sqlx::Error::PoolTimedOut) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Csrf => "csrf_failed",
            Self::Validation { code, .. } | Self::Refused { code, .. } => code,
            Self::RateLimited { .. } => "rate_limited",
            Self::Database(sqlx::Error::PoolTimedOut) => "busy",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Database(_) | Self::Internal(_) => "internal_error",
        }
    }

    fn title_and_detail(&self) -> (&'static str, String) {
        match self {
            Self::NotFound => ("Niet gevonden", "Deze pagina of dit onderdeel bestaat niet, of je hebt er geen toegang toe.".into()),
            Self::Unauthorized => ("Inloggen nodig", "Log in om verder te gaan.".into()),
            Self::Forbidden => ("Geen toegang", "Je hebt geen rechten om dit te doen.".into()),
            Self::Csrf => ("Formulier verlopen", "Dit formulier kon niet worden gecontroleerd. Laad de pagina opnieuw en probeer het nog eens.".into()),
            Self::Validation { errors, .. } => (
                "Controleer de invoer",
                errors.first().map_or_else(|| "De invoer klopt niet.".into(), |e| e.message.clone()),
            ),
            Self::Refused { detail, .. } => ("Niet mogelijk", detail.clone()),
            Self::RateLimited { .. } => ("Even geduld", "Te veel verzoeken achter elkaar. Probeer het over een minuut opnieuw.".into()),
            Self::PayloadTooLarge => ("Te groot", "Het verstuurde bestand of formulier is te groot.".into()),
            Self::Database(sqlx::Error::PoolTimedOut) => ("Even geduld", "Het is op dit moment erg druk. Probeer het over een paar seconden opnieuw.".into()),
            Self::Database(_) | Self::Internal(_) => ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw.".into()),
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (title, detail) = self.title_and_detail();
        let status = self.status();
        Problem {
            r#type: format!("urn:kring:problem:{}", self.code()),
            title: title.into(),
            status: status.as_u16(),
            detail,
            code: self.code().into(),
            errors: match self {
                Self::Validation { errors, .. } => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

/// An RFC 9457 problem document with kring's stable `code`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:kring:problem:<code>`).
    pub r#type: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Explanation for this occurrence.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Field errors, for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response.extensions_mut().insert(self);
        response
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Self::Database(_) | Self::Internal(_) = &self {
            tracing::error!(error = ?self, "request failed");
        }
        let retry_after = match &self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            Self::Database(sqlx::Error::PoolTimedOut) => Some(2),
            _ => None,
        };
        let unauthorized = matches!(self, Self::Unauthorized);
        let mut response = self.problem().into_response();
        if unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// True when a database error is a violation of a unique constraint.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Maps a unique-constraint violation to a domain error; any other error passes through.
pub fn on_unique(err: sqlx::Error, to: impl FnOnce() -> Error) -> Error {
    if is_unique_violation(&err) {
        to()
    } else {
        Error::Database(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let err = Error::Internal(anyhow::anyhow!("password=secret at db.rs:12"));
        let problem = err.problem();
        assert_eq!(problem.status, 500);
        assert_eq!(problem.code, "internal_error");
        assert!(!problem.detail.contains("secret"));
    }

    #[test]
    fn validation_problems_list_fields() {
        let problem =
            Error::field("invalid_email", "email", "Vul een geldig e-mailadres in.").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.code, "invalid_email");
        assert_eq!(problem.errors.unwrap()[0].field, "email");
    }
}
