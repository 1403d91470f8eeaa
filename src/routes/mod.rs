//! HTTP handlers, thin by rule: extract and authorise, call one service function, shape the
//! answer. Routing lives in [`crate::startup`]; the contract is in [`crate::openapi`].

pub mod health;
pub mod operations;
pub mod taxonomy;

use serde::Serialize;
use utoipa::ToSchema;

/// Declares the `{"items": [...]}` envelope every list answer uses, once per item type.
macro_rules! list_envelope {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
        }
    };
}
pub(crate) use list_envelope;

/// Service status, as reported by the health checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// The database engine in use (`sqlite` or `postgres`), on `/readyz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}
