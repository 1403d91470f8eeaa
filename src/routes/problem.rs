//! The one place an [`AppError`] becomes an HTTP answer: an RFC 9457 problem document
//! (`application/problem+json`) with the error's stable `code`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::{errors::MAX_FIELD_ERRORS, language::Language},
    error::{AppError, FieldError},
    i18n::{self, messages, number},
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
    /// The problem document for `err` in English, as sent to the client (the middleware adds
    /// `instance` and `request_id`, which it sees from the request).
    pub fn of(err: &AppError) -> Self {
        Self::of_in(err, Language::En)
    }

    /// The problem document for `err` with its title and detail in `language`; the `code` is
    /// the same in every language. English details are the error's own, which may name the
    /// values involved; the other languages give the code's message with the figures the
    /// error carries.
    pub fn of_in(err: &AppError, language: Language) -> Self {
        let m = messages();
        let title = m.text(language, &title_id(err.title()), &[]);
        let detail_id = format!("problem-{}", err.code());
        let detail = if language == Language::En || !m.has(Language::En, &detail_id) {
            err.detail()
        } else {
            m.text(language, &detail_id, &detail_args(err))
        };
        Problem {
            kind: format!("urn:pledgeboard:problem:{}", err.code()),
            title,
            status: err.status(),
            detail,
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

/// The message id of a problem title: `problem-title-` and the English title in lower case,
/// words joined by hyphens.
fn title_id(title: &str) -> String {
    format!("problem-title-{}", title.to_lowercase().replace(' ', "-"))
}

/// The figures a problem's translated detail names.
fn detail_args(err: &AppError) -> Vec<(&'static str, i18n::Arg<'static>)> {
    match err {
        AppError::PayloadTooLarge { limit } => vec![("limit", number(*limit as f64))],
        AppError::TooManyRequests { retry_after_secs } => {
            vec![("seconds", number(*retry_after_secs as f64))]
        }
        AppError::NotFound(resource) => vec![("resource", i18n::text(*resource))],
        AppError::Validation(errors) => vec![("count", number(errors.len() as f64))],
        _ => Vec::new(),
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

    /// One error of every variant, so that a new variant must be listed here to compile.
    fn one_of_each() -> Vec<AppError> {
        let all = vec![
            AppError::MalformedJson(String::new()),
            AppError::UnsupportedMediaType,
            AppError::PayloadTooLarge { limit: 1 },
            AppError::RequestTimeout,
            AppError::InvalidQuery(String::new()),
            AppError::InvalidPath(String::new()),
            AppError::Validation(Vec::new()),
            AppError::Unprocessable("range_reversed", String::new()),
            AppError::BadRequest(String::new()),
            AppError::Unauthorized,
            AppError::InvalidCredentials,
            AppError::InvalidToken,
            AppError::InvalidRefreshToken,
            AppError::Forbidden,
            AppError::Denied("out_of_scope", String::new()),
            AppError::NotFound("pledge"),
            AppError::RouteNotFound,
            AppError::MethodNotAllowed,
            AppError::Conflict("email_taken", String::new()),
            AppError::PreconditionFailed,
            AppError::PreconditionRequired,
            AppError::TooManyRequests {
                retry_after_secs: 2,
            },
            AppError::Unavailable(String::new()),
            AppError::StorageUnavailable {
                detail: String::new(),
                contention: false,
            },
            AppError::Internal(String::new()),
        ];
        for err in &all {
            // Exhaustive: a variant missing above fails to compile here.
            match err {
                AppError::MalformedJson(_)
                | AppError::UnsupportedMediaType
                | AppError::PayloadTooLarge { .. }
                | AppError::RequestTimeout
                | AppError::InvalidQuery(_)
                | AppError::InvalidPath(_)
                | AppError::Validation(_)
                | AppError::Unprocessable(..)
                | AppError::BadRequest(_)
                | AppError::Unauthorized
                | AppError::InvalidCredentials
                | AppError::InvalidToken
                | AppError::InvalidRefreshToken
                | AppError::Forbidden
                | AppError::Denied(..)
                | AppError::NotFound(_)
                | AppError::RouteNotFound
                | AppError::MethodNotAllowed
                | AppError::Conflict(..)
                | AppError::PreconditionFailed
                | AppError::PreconditionRequired
                | AppError::TooManyRequests { .. }
                | AppError::Unavailable(_)
                | AppError::StorageUnavailable { .. }
                | AppError::Internal(_) => {}
            }
        }
        all
    }

    /// The codes the service's own code names for its refusals: literals given to
    /// `Denied`, `Conflict` and `Unprocessable`, or returned as `Err(("code", …))` by domain
    /// rules, outside tests.
    fn codes_named_in_the_source() -> std::collections::BTreeSet<String> {
        fn walk(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
                    // Domain rules that answer `Err(("code", …))` for a problem (not a field or
                    // row of an import, whose codes are per field).
                    let tuples = path.ends_with("domain/report.rs");
                    let openers: &[&str] = if tuples {
                        &["Denied(", "Conflict(", "Unprocessable(", "Err(("]
                    } else {
                        &["Denied(", "Conflict(", "Unprocessable("]
                    };
                    for opener in openers {
                        for (at, _) in code.match_indices(opener) {
                            let rest = code[at + opener.len()..].trim_start();
                            let Some(literal) = rest.strip_prefix('"') else {
                                continue;
                            };
                            let name: String = literal
                                .chars()
                                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                                .collect();
                            if literal[name.len()..].starts_with('"') && name.contains('_') {
                                found.insert(name);
                            }
                        }
                    }
                }
            }
        }
        let mut found = std::collections::BTreeSet::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found
    }

    #[test]
    fn every_title_and_every_code_has_its_message_in_every_language() {
        use crate::domain::workflow::Refusal;
        let m = messages();
        let mut codes = codes_named_in_the_source();
        assert!(
            codes.contains("email_taken") && codes.contains("report_accepted"),
            "{codes:?}"
        );
        for refusal in [
            Refusal::NotAllowed,
            Refusal::InvalidTransition,
            Refusal::EmailNotVerified,
            Refusal::OrganisationNotVerified,
            Refusal::OwnOrganisation,
            Refusal::OutOfScope,
        ] {
            codes.insert(refusal.code().to_owned());
        }
        for refusal in crate::domain::amendment::AmendmentRefusal::ALL {
            codes.insert(refusal.code().to_owned());
        }
        for err in one_of_each() {
            codes.insert(err.code().to_owned());
            for language in Language::ALL {
                let id = title_id(err.title());
                assert!(m.has(language, &id), "{language} lacks {id}");
            }
        }
        for code in codes {
            for language in Language::ALL {
                let id = format!("problem-{code}");
                assert!(m.has(language, &id), "{language} lacks {id}");
            }
        }
    }

    #[test]
    fn problems_speak_the_asked_language_and_keep_their_code() {
        let missing = AppError::NotFound("pledge");
        let french = Problem::of_in(&missing, Language::Fr);
        assert_eq!(
            (french.code.as_str(), french.title.as_str()),
            ("not_found", "Introuvable")
        );
        assert_eq!(french.detail, "Cet engagement est introuvable.");
        let arabic = Problem::of_in(
            &AppError::TooManyRequests {
                retry_after_secs: 2,
            },
            Language::Ar,
        );
        assert_eq!(arabic.code, "rate_limited");
        assert!(arabic.detail.contains("ثانيتين"), "{}", arabic.detail);
        let russian = Problem::of_in(
            &AppError::Validation(vec![FieldError::new("a", "b", "c"); 3]),
            Language::Ru,
        );
        assert_eq!(russian.detail, "3 поля заполнены неверно.");
        // English keeps the error's own detail, with the values it names.
        let english = Problem::of_in(
            &AppError::Conflict("track_exists", "a track called ldc5 exists".into()),
            Language::En,
        );
        assert_eq!(english.detail, "a track called ldc5 exists");
        assert_eq!(english.title, "Conflict");
    }
}
