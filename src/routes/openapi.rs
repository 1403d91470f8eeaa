//! The API contract, generated from the handlers and types. `openapi.yaml` at the repository
//! root is this document; a test fails when the two drift apart.
//!
//! The operations come from the route table itself ([`super::configure`]): a handler is
//! registered once, with its `#[utoipa::path]` description, so the document cannot miss a route.
//! What is declared here is what no handler says: the title, the tags, the shared schemas and
//! the security scheme.

use actix_web::{http::StatusCode, App};
use utoipa::{
    openapi::{
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        RefOr,
    },
    Modify, OpenApi,
};

use crate::{domain::ids, domain::pledge, error, error::AppError, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pledgeboard",
        description = "Commitment pledging for digital-development coalitions: organisations register \
pledges tagged to the SDGs and to pledging tracks, moderators decide, the public reads what was \
approved, event organisers watch live counters.\n\n\
Every error is an RFC 9457 problem document (`application/problem+json`) with a stable `code`.\n\n\
Country groupings: `ldc` is the UN list of least developed countries as of December 2024; `lldc` \
the UN list of landlocked developing countries; `sids` the UN-OHRLLS list of small island \
developing States as of 2024. Regions follow UN M49.",
        license(name = "MIT OR Apache-2.0"),
    ),
    // The ids are here because path parameters refer to them without bringing them along (and
    // the catalogue's sort, which only a query parameter names).
    components(schemas(
        routes::problem::Problem,
        error::FieldError,
        ids::PledgeId,
        ids::OrganisationId,
        ids::UserId,
        ids::ReportId,
        ids::MessageId,
        ids::InvitationId,
        pledge::CatalogueSort,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "taxonomy", description = "Reference vocabularies: SDGs, focus areas, countries, tracks"),
        (name = "auth", description = "Registration, email verification, sessions, password reset"),
        (name = "organisations", description = "The organisations that pledge, their members and verification"),
        (name = "pledges", description = "Pledges, their workflow and their history; the public catalogue"),
        (name = "moderation", description = "The moderators' queue"),
        (name = "live counters", description = "Live figures per track, as snapshots and as a stream; the big-screen page is `/live/{track}`"),
        (name = "admin", description = "Staff accounts and the email pipeline (admins only)"),
        (name = "operations", description = "Health, metrics and this description"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the authenticated operations refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The whole contract: [`ApiDoc`] with every operation the route table registers.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = routes::documented(App::new());
    document
}

/// OpenAPI 3.1 wants a description on every response: where a handler gives none, the status's
/// reason phrase ("Created", "No Content") stands in.
pub(super) fn describe_responses(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in &mut operation.responses.responses {
                if let RefOr::T(response) = response {
                    if response.description.is_empty() {
                        response.description = status
                            .parse::<u16>()
                            .ok()
                            .and_then(|code| StatusCode::from_u16(code).ok())
                            .and_then(|code| code.canonical_reason())
                            .unwrap_or("Response")
                            .to_owned();
                    }
                }
            }
        }
    }
}

/// The contract as YAML, exactly as committed in `openapi.yaml`.
pub fn yaml() -> Result<String, AppError> {
    document().to_yaml().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    fn json() -> Value {
        serde_json::to_value(document()).unwrap()
    }

    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves() {
        let document = json();
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let pointer = target.trim_start_matches('#');
            assert!(
                document.pointer(pointer).is_some(),
                "{target} does not exist"
            );
        }
    }

    #[test]
    fn operation_ids_are_unique_and_every_response_is_described() {
        let document = json();
        let mut ids = BTreeSet::new();
        let paths = document["paths"].as_object().unwrap();
        for (path, item) in paths {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap();
                assert!(
                    ids.insert(id.to_owned()),
                    "{method} {path}: {id} is used twice"
                );
                for (status, response) in operation["responses"].as_object().unwrap() {
                    assert!(
                        response["description"]
                            .as_str()
                            .is_some_and(|d| !d.is_empty()),
                        "{method} {path} {status} has no description"
                    );
                }
            }
        }
    }

    #[test]
    fn every_operation_of_the_route_table_is_described() {
        let document = json();
        let paths = document["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/v1/pledges/{id}"));
        assert!(paths["/api/v1/pledges"].get("post").is_some());
        assert!(paths["/livez"].get("get").is_some());
        // Pages for people stay out of the API description.
        assert!(!paths.contains_key("/verify-email"));
        assert!(!paths.contains_key("/docs"));
    }
}
