//! HTTP handlers, thin by rule: extract and authorise, call one service function, shape the
//! answer. Routing lives in [`crate::startup`]; the contract is in [`crate::openapi`].

pub mod access_log;
pub mod admin;
pub mod auth;
pub mod body;
pub mod client;
pub mod extract;
pub mod headers;
pub mod health;
pub mod middleware;
pub mod operations;
pub mod organisations;
pub mod pages;
pub mod pledges;
pub mod problem;
pub mod stats;
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

/// A page of a list as JSON (`items`, `next_cursor`) with `Link: <...>; rel="next"` when more
/// follows; the link keeps the request's other query parameters.
pub fn paged<T: Serialize>(
    req: &actix_web::HttpRequest,
    page: crate::pagination::Page<T>,
) -> actix_web::HttpResponse {
    #[derive(Serialize)]
    struct Body<T> {
        items: Vec<T>,
        next_cursor: Option<String>,
    }
    let mut response = actix_web::HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if key != "cursor" {
                query.append_pair(&key, &value);
            }
        }
        query.append_pair("cursor", cursor);
        response.insert_header((
            "Link",
            format!("<{}?{}>; rel=\"next\"", req.path(), query.finish()),
        ));
    }
    response.json(Body {
        items: page.items,
        next_cursor: page.next_cursor,
    })
}
