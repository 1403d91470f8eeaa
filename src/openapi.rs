//! The API contract, generated from the handlers and types. `openapi.yaml` at the repository
//! root is this document; a test fails when the two drift apart.

use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

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
        routes::taxonomy::create_track,
        routes::taxonomy::update_track,
        routes::auth::register,
        routes::auth::verify_email,
        routes::auth::login,
        routes::auth::refresh,
        routes::auth::logout,
        routes::auth::request_password_reset,
        routes::auth::confirm_password_reset,
        routes::auth::me,
        routes::organisations::list,
        routes::organisations::get,
        routes::organisations::update,
        routes::organisations::verify,
        routes::organisations::invite,
        routes::organisations::accept_invitation,
        routes::admin::create_staff,
        routes::admin::update_user,
        routes::admin::list_outbox,
        routes::admin::retry_outbox,
        routes::pledges::create,
        routes::pledges::list,
        routes::pledges::export_csv,
        routes::pledges::export_ndjson,
        routes::pledges::get,
        routes::pledges::update,
        routes::pledges::submit,
        routes::pledges::withdraw,
        routes::pledges::approve,
        routes::pledges::request_changes,
        routes::pledges::reject,
        routes::pledges::history,
        routes::pledges::list_reports,
        routes::pledges::submit_report,
        routes::pledges::queue,
        routes::stats::snapshot,
        routes::stats::stream,
    ),
    components(schemas(routes::problem::Problem, error::FieldError)),
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

/// The contract as YAML, exactly as committed in `openapi.yaml`.
pub fn yaml() -> String {
    ApiDoc::openapi()
        .to_yaml()
        .expect("the generated OpenAPI document serialises to YAML")
}
