//! The one place an [`AppError`] becomes an HTTP answer: an RFC 9457 problem document
//! (`application/problem+json`) with the error's stable `code`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::errors::MAX_FIELD_ERRORS,
    error::{AppError, FieldError},
};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

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
    /// Field-level errors (for `validation_failed`): the first fifty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub errors: Vec<FieldError>,
    /// How many more field errors were found than `errors` lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_errors: Option<usize>,
    /// The request path this problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id, also in the `X-Request-Id` header and in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The problem document for `err`, as sent to the client (the middleware adds `instance`
    /// and `request_id`, which it sees from the request).
    pub fn of(err: &AppError) -> Self {
        Problem {
            kind: format!("urn:pledgeboard:problem:{}", err.code()),
            title: err.title().to_owned(),
            status: err.status(),
            detail: err.detail(),
            code: err.code().to_owned(),
            errors: match err {
                AppError::Validation(errors) => {
                    errors.iter().take(MAX_FIELD_ERRORS).cloned().collect()
                }
                _ => Vec::new(),
            },
            more_errors: match err {
                AppError::Validation(errors) if errors.len() > MAX_FIELD_ERRORS => {
                    Some(errors.len() - MAX_FIELD_ERRORS)
                }
                _ => None,
            },
            instance: None,
            request_id: None,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            AppError::StorageUnavailable { detail, .. } => {
                tracing::warn!(error = %detail, "database fault answered as 503")
            }
            _ => {}
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type(PROBLEM_CONTENT_TYPE);
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                builder.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            // Faults that pass: a short wait is worth a retry.
            AppError::Unavailable(_) | AppError::StorageUnavailable { .. } => {
                builder.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        if let AppError::Unauthorized = self {
            builder.insert_header(("WWW-Authenticate", "Bearer"));
        }
        builder.json(Problem::of(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_fields() {
        let err = AppError::field("sdgs[0]", "out_of_range", "SDG numbers run from 1 to 17");
        let problem = Problem::of(&err);
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(problem.errors[0].field, "sdgs[0]");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "urn:pledgeboard:problem:validation_failed");
        assert_eq!(
            err.error_response().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn long_error_lists_are_cut_with_a_count_of_the_rest() {
        let errors = (0..120)
            .map(|i| FieldError::new(format!("partners[{i}]"), "required", "empty"))
            .collect();
        let problem = Problem::of(&AppError::Validation(errors));
        assert_eq!(problem.errors.len(), MAX_FIELD_ERRORS);
        assert_eq!(problem.more_errors, Some(70));
        assert_eq!(
            Problem::of(&AppError::field("a", "b", "c")).more_errors,
            None
        );
    }

    #[test]
    fn storage_faults_are_503_with_retry_after_and_hide_their_detail() {
        let err = AppError::StorageUnavailable {
            detail: "disk I/O error at /data/pledgeboard.sqlite3".into(),
            contention: false,
        };
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get("Retry-After").unwrap(), "1");
        let problem = Problem::of(&err);
        assert_eq!(problem.code, "storage_unavailable");
        assert!(!problem.detail.contains("/data"), "{}", problem.detail);
    }
}
