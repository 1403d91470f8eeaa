//! The one error type of the service. Each variant has a stable `code` and an HTTP status;
//! `routes::problem` is the one place that turns it into an answer (an RFC 9457 problem
//! document). Nothing here depends on the web framework.

use std::fmt;

pub use crate::domain::errors::FieldError;
use crate::domain::{
    amendment::AmendmentRefusal,
    annual::{YearRefused, FIRST_YEAR},
    errors::{Corrupt, Forbidden, Invalid},
    history::{HistoryError, MAX_POINTS},
    workflow::Refusal,
};

/// Every way a request can fail. Each variant has a stable `code` that clients may rely on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request body is not valid JSON for this operation: {0}")]
    MalformedJson(String),
    #[error(
        "the request body is not of a media type this operation takes (JSON; CSV for imports)"
    )]
    UnsupportedMediaType,
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request body did not arrive in time")]
    RequestTimeout,
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
    /// The database could not do this now (a lost race with another writer, a dropped
    /// connection, a full or failing disk): nothing was written, and a retry shortly after
    /// may succeed. The detail is logged, never shown.
    #[error("the database cannot take this request now; nothing was changed, try again shortly")]
    StorageUnavailable { detail: String, contention: bool },
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
            AppError::RequestTimeout => "request_timeout",
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
            AppError::StorageUnavailable { .. } => "storage_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            AppError::MalformedJson(_) => "Malformed request body",
            AppError::UnsupportedMediaType => "Unsupported media type",
            AppError::PayloadTooLarge { .. } => "Request body too large",
            AppError::RequestTimeout => "Request timeout",
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
            AppError::Unavailable(_) | AppError::StorageUnavailable { .. } => "Service unavailable",
            AppError::Internal(_) => "Internal server error",
        }
    }

    /// What the client is told: internals (SQL, paths, panics) are logged, never sent.
    pub fn detail(&self) -> String {
        match self {
            AppError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::MalformedJson(_)
            | AppError::InvalidQuery(_)
            | AppError::InvalidPath(_)
            | AppError::BadRequest(_)
            | AppError::InvalidToken => 400,
            AppError::UnsupportedMediaType => 415,
            AppError::PayloadTooLarge { .. } => 413,
            AppError::RequestTimeout => 408,
            AppError::Validation(_) | AppError::Unprocessable(..) => 422,
            AppError::Unauthorized
            | AppError::InvalidCredentials
            | AppError::InvalidRefreshToken => 401,
            AppError::Forbidden | AppError::Denied(..) => 403,
            AppError::NotFound(_) | AppError::RouteNotFound => 404,
            AppError::MethodNotAllowed => 405,
            AppError::Conflict(..) => 409,
            AppError::PreconditionFailed => 412,
            AppError::PreconditionRequired => 428,
            AppError::TooManyRequests { .. } => 429,
            AppError::Unavailable(_) | AppError::StorageUnavailable { .. } => 503,
            AppError::Internal(_) => 500,
        }
    }
}

/// A deadlock or serialization failure: the transaction lost a race and may simply run again.
pub fn is_contention(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        // PostgreSQL's 40P01; diesel has no kind of its own for it.
        Error::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

/// A fault of the database that passes: a dropped or refused connection, a database that is
/// restarting, SQLite's disk errors and locks held too long.
fn is_transient(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    const PASSING: [&str; 13] = [
        "database is locked",
        "disk i/o error",
        "database or disk is full",
        "no space left on device",
        "could not extend file",
        "could not write",
        "unable to open database file",
        "server closed the connection",
        "terminating connection",
        "the database system is",
        "connection to server",
        "could not receive data",
        "no connection to the server",
    ];
    match err {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message().to_lowercase();
            PASSING.iter().any(|p| message.contains(p))
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => AppError::NotFound("resource"),
            ref e if is_contention(e) || is_transient(e) => AppError::StorageUnavailable {
                contention: is_contention(e),
                detail: e.to_string(),
            },
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("no database connection available ({err})"))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(err: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("blocking task failed: {err}"))
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        AppError::Validation(crate::domain::validation::field_errors(&errors))
    }
}

impl From<Invalid> for AppError {
    fn from(Invalid(errors): Invalid) -> Self {
        AppError::Validation(errors)
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        AppError::Validation(vec![error])
    }
}

impl From<Forbidden> for AppError {
    fn from(_: Forbidden) -> Self {
        AppError::Forbidden
    }
}

impl From<Corrupt> for AppError {
    fn from(c: Corrupt) -> Self {
        // Logged here with the row, so that an operator can find and repair it.
        tracing::error!(table = c.table, id = %c.id, detail = %c.detail, "unreadable stored value");
        AppError::Internal(format!("{} {}: {}", c.table, c.id, c.detail))
    }
}

/// A workflow refusal: the pledge cannot take this step (409), a reason is missing (422), or
/// the caller may not take it (403, with the refusal's own code).
impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::InvalidTransition => {
                AppError::Conflict(refusal.code(), refusal.message().to_owned())
            }
            Refusal::ReasonRequired => AppError::field("reason", "required", refusal.message()),
            other => AppError::Denied(other.code(), other.message().to_owned()),
        }
    }
}

/// A date or range of figures over time that cannot be answered (422, each with its code).
impl From<HistoryError> for AppError {
    fn from(error: HistoryError) -> Self {
        match error {
            HistoryError::Reversed => {
                AppError::Unprocessable("range_reversed", "`from` is after `to`".to_owned())
            }
            HistoryError::InFuture { today } => AppError::Unprocessable(
                "date_in_future",
                format!("figures are known up to today ({today}), not after"),
            ),
            HistoryError::TooLong { points } => AppError::Unprocessable(
                "range_too_long",
                format!(
                    "the range holds {points} points; at most {MAX_POINTS} are served at once \
                     (ask for a shorter range or interval=month)"
                ),
            ),
            HistoryError::BeforeHistory { since } => AppError::Unprocessable(
                "before_history",
                format!("figures were first recorded on {since}; earlier ones are not known"),
            ),
        }
    }
}

/// A year no annual pack is made for (422).
impl From<YearRefused> for AppError {
    fn from(refused: YearRefused) -> Self {
        match refused {
            YearRefused::InFuture { this_year } => AppError::Unprocessable(
                "date_in_future",
                format!("packs are made for years up to this one ({this_year})"),
            ),
            YearRefused::TooEarly => AppError::Unprocessable(
                "year_out_of_range",
                format!("packs are made for the years from {FIRST_YEAR}"),
            ),
        }
    }
}

/// An amendment refusal: no amendment (404), a state that does not allow the step (409), a
/// proposal that changes nothing or a missing reason (422), or the caller's standing (403).
impl From<AmendmentRefusal> for AppError {
    fn from(refusal: AmendmentRefusal) -> Self {
        use AmendmentRefusal as R;
        let message = refusal.message().to_owned();
        match refusal {
            R::NoAmendment => AppError::NotFound("amendment"),
            R::NotAmendable | R::AmendmentOpen | R::NotOpen => {
                AppError::Conflict(refusal.code(), message)
            }
            R::Unchanged => AppError::Unprocessable(refusal.code(), message),
            R::ReasonRequired => AppError::field("reason", "required", message),
            R::NotAllowed
            | R::OwnOrganisation
            | R::OutOfScope
            | R::EmailNotVerified
            | R::OrganisationNotVerified => AppError::Denied(refusal.code(), message),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_stable_and_internal_details_stay_hidden() {
        let err = AppError::Internal("SELECT secret FROM users".into());
        assert_eq!(err.code(), "internal_error");
        assert_eq!(err.status(), 500);
        assert!(!err.detail().contains("secret"));
    }

    #[test]
    fn passing_database_faults_are_told_apart_from_bugs() {
        use diesel::result::{DatabaseErrorKind, Error};
        struct Info(&'static str);
        impl diesel::result::DatabaseErrorInformation for Info {
            fn message(&self) -> &str {
                self.0
            }
            fn details(&self) -> Option<&str> {
                None
            }
            fn hint(&self) -> Option<&str> {
                None
            }
            fn table_name(&self) -> Option<&str> {
                None
            }
            fn column_name(&self) -> Option<&str> {
                None
            }
            fn constraint_name(&self) -> Option<&str> {
                None
            }
            fn statement_position(&self) -> Option<i32> {
                None
            }
        }
        let db = |kind, message| Error::DatabaseError(kind, Box::new(Info(message)));
        let deadlock = db(DatabaseErrorKind::Unknown, "deadlock detected");
        assert!(is_contention(&deadlock));
        let serialization = db(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize",
        );
        assert!(matches!(
            AppError::from(serialization),
            AppError::StorageUnavailable {
                contention: true,
                ..
            }
        ));
        for passing in [
            "disk I/O error",
            "database or disk is full",
            "database is locked",
        ] {
            let err = AppError::from(db(DatabaseErrorKind::Unknown, passing));
            assert_eq!(
                (err.status(), err.code()),
                (503, "storage_unavailable"),
                "{passing}"
            );
        }
        let closed = AppError::from(db(DatabaseErrorKind::ClosedConnection, "gone"));
        assert_eq!(closed.status(), 503);
        let bug = AppError::from(db(DatabaseErrorKind::Unknown, "no such column: x"));
        assert_eq!(bug.status(), 500);
    }

    #[test]
    fn domain_refusals_keep_their_codes() {
        let err = AppError::from(Invalid::field("sdgs[0]", "out_of_range", "1 to 17"));
        assert_eq!((err.status(), err.code()), (422, "validation_failed"));
        let err = AppError::from(Refusal::InvalidTransition);
        assert_eq!(err.status(), 409);
        let err = AppError::from(Refusal::OwnOrganisation);
        assert_eq!((err.status(), err.code()), (403, "own_organisation"));
        assert_eq!(AppError::from(Forbidden).status(), 403);
        for refusal in AmendmentRefusal::ALL {
            let err = AppError::from(refusal);
            let code = if refusal == AmendmentRefusal::ReasonRequired {
                "validation_failed"
            } else {
                refusal.code()
            };
            assert_eq!(err.code(), code, "{refusal:?}");
            assert_ne!(err.status(), 500);
        }
        let err = AppError::from(AmendmentRefusal::AmendmentOpen);
        assert_eq!((err.status(), err.code()), (409, "amendment_open"));
    }
}
