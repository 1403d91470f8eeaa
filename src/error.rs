//! The one error type of the service and the one place that turns it into an HTTP answer:
//! an RFC 9457 problem document (`application/problem+json`) with a stable `code`.

use std::fmt;

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `sdgs[2]` or `value.currency`.
    pub field: String,
    /// Stable machine-readable reason, e.g. `required`, `out_of_range`, `unknown_value`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Every way a request can fail. Each variant has a stable `code` that clients may rely on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request body is not valid JSON for this operation: {0}")]
    MalformedJson(String),
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    #[error("invalid path parameter: {0}")]
    InvalidPath(String),
    #[error("one or more fields are invalid")]
    Validation(Vec<FieldError>),
    /// Well-formed but unusable as sent, with its own code (`idempotency_key_reused`, ...).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication is required")]
    Unauthorized,
    #[error("the email address or password is wrong")]
    InvalidCredentials,
    #[error("this link or token is invalid, used or expired")]
    InvalidToken,
    #[error("the refresh token is invalid, expired or already used")]
    InvalidRefreshToken,
    #[error("you may not do this")]
    Forbidden,
    /// Refused for a reason the caller can act on, with its own code (`email_not_verified`,
    /// `own_organisation`, ...).
    #[error("{1}")]
    Denied(&'static str, String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("no resource at this address")]
    RouteNotFound,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("the resource changed since you read it")]
    PreconditionFailed,
    #[error("this request must carry If-Match with the version you read")]
    PreconditionRequired,
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("the service cannot answer now: {0}")]
    Unavailable(String),
    /// Anything unexpected. The detail is logged, never shown to the client.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn internal(err: impl fmt::Display) -> Self {
        AppError::Internal(err.to_string())
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The stable, machine-readable code of this problem.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::MalformedJson(_) => "malformed_json",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::InvalidQuery(_) => "invalid_query",
            AppError::InvalidPath(_) => "invalid_path",
            AppError::Validation(_) => "validation_failed",
            AppError::Unprocessable(code, _) => code,
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::InvalidToken => "invalid_token",
            AppError::InvalidRefreshToken => "invalid_refresh_token",
            AppError::Forbidden => "forbidden",
            AppError::Denied(code, _) => code,
            AppError::NotFound(_) => "not_found",
            AppError::RouteNotFound => "route_not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict(code, _) => code,
            AppError::PreconditionFailed => "precondition_failed",
            AppError::PreconditionRequired => "precondition_required",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::Unavailable(_) => "service_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            AppError::MalformedJson(_) => "Malformed request body",
            AppError::UnsupportedMediaType => "Unsupported media type",
            AppError::PayloadTooLarge { .. } => "Request body too large",
            AppError::InvalidQuery(_) => "Invalid query string",
            AppError::InvalidPath(_) => "Invalid path parameter",
            AppError::Validation(_) => "Validation failed",
            AppError::Unprocessable(..) => "Unprocessable request",
            AppError::BadRequest(_) => "Bad request",
            AppError::Unauthorized
            | AppError::InvalidCredentials
            | AppError::InvalidRefreshToken => "Unauthorized",
            AppError::InvalidToken => "Invalid token",
            AppError::Forbidden | AppError::Denied(..) => "Forbidden",
            AppError::NotFound(_) | AppError::RouteNotFound => "Not found",
            AppError::MethodNotAllowed => "Method not allowed",
            AppError::Conflict(..) => "Conflict",
            AppError::PreconditionFailed => "Precondition failed",
            AppError::PreconditionRequired => "Precondition required",
            AppError::TooManyRequests { .. } => "Too many requests",
            AppError::Unavailable(_) => "Service unavailable",
            AppError::Internal(_) => "Internal server error",
        }
    }

    fn detail(&self) -> String {
        match self {
            // Never leak internals (SQL, paths, panics) to a client.
            AppError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        }
    }

    /// The problem document for this error, as sent to the client.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:pledgeboard:problem:{}", self.code()),
            title: self.title().to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            errors: match self {
                AppError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            instance: None,
            request_id: None,
        }
    }
}

/// RFC 9457 problem details, extended with `code`, per-field `errors` and the request id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:pledgeboard:problem:<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code: switch on this, not on `title` or `detail`.
    pub code: String,
    /// Field-level errors (for `validation_failed`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request path this problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id, also in the `X-Request-Id` header and in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::MalformedJson(_)
            | AppError::InvalidQuery(_)
            | AppError::InvalidPath(_)
            | AppError::BadRequest(_)
            | AppError::InvalidToken => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Validation(_) | AppError::Unprocessable(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Unauthorized
            | AppError::InvalidCredentials
            | AppError::InvalidRefreshToken => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Denied(..) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) | AppError::RouteNotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(..) => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type(PROBLEM_CONTENT_TYPE);
        if let AppError::TooManyRequests { retry_after_secs } = self {
            builder.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        if let AppError::Unauthorized = self {
            builder.insert_header(("WWW-Authenticate", "Bearer"));
        }
        // `instance` and `request_id` are filled in by the problem middleware, which sees the request.
        builder.json(self.problem())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => AppError::NotFound("resource"),
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("no database connection available ({err})"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task failed: {err}"))
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        AppError::Validation(crate::domain::validation::field_errors(&errors))
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_stable_and_internal_details_stay_hidden() {
        let err = AppError::Internal("SELECT secret FROM users".into());
        let problem = err.problem();
        assert_eq!(problem.code, "internal_error");
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret"));
    }

    #[test]
    fn validation_problem_lists_fields() {
        let err = AppError::field("sdgs[0]", "out_of_range", "SDG numbers run from 1 to 17");
        let problem = err.problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(problem.errors[0].field, "sdgs[0]");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "urn:pledgeboard:problem:validation_failed");
    }
}
