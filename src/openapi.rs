//! The API contract, generated from the handlers and types. `openapi.yaml` at the repository
//! root is this document; a test fails when the two drift apart.

use utoipa::OpenApi;

use crate::{error, routes};

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
    paths(
        routes::health::livez,
        routes::health::readyz,
        routes::operations::metrics,
        routes::operations::openapi_yaml,
        routes::taxonomy::list_sdgs,
        routes::taxonomy::list_focus_areas,
        routes::taxonomy::list_countries,
        routes::taxonomy::list_tracks,
    ),
    components(schemas(error::Problem, error::FieldError)),
    tags(
        (name = "taxonomy", description = "Reference vocabularies: SDGs, focus areas, countries, tracks"),
        (name = "operations", description = "Health, metrics and this description"),
    )
)]
pub struct ApiDoc;

/// The contract as YAML, exactly as committed in `openapi.yaml`.
pub fn yaml() -> String {
    ApiDoc::openapi()
        .to_yaml()
        .expect("the generated OpenAPI document serialises to YAML")
}
