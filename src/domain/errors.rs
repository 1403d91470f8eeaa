//! The ways a domain rule says no, as plain values: the service layer turns them into
//! [`crate::error::AppError`], and the HTTP layer into problem documents.

use serde::Serialize;
use utoipa::ToSchema;

/// At most this many field errors are listed in one answer; the rest are counted.
pub const MAX_FIELD_ERRORS: usize = 50;

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

/// Input that broke one or more field rules: every problem found, at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// Whether a field names a value the vocabulary does not know (`unknown_value`).
    pub fn names_unknown_value(&self) -> bool {
        self.0.iter().any(|e| e.code == "unknown_value")
    }

    pub fn field(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Invalid(vec![FieldError::new(field, code, message)])
    }
}

impl From<FieldError> for Invalid {
    fn from(error: FieldError) -> Self {
        Invalid(vec![error])
    }
}

/// The caller has no standing for what it asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forbidden;

/// A value read back from storage that names nothing this version knows: never replaced by a
/// default, always reported with the row it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    pub table: &'static str,
    pub id: String,
    pub detail: String,
}
