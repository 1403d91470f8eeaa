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
        header::{Header, HeaderBuilder},
        link::LinkBuilder,
        path::{Operation, ParameterIn, PathItem},
        response::{Response, ResponseBuilder},
        schema::{ObjectBuilder, Ref, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        Components, ContentBuilder, RefOr, Required,
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
Languages: answers with human text (problems, the taxonomy and vocabularies, tracks, pledges' \
titles and summaries, the big screen, emailed pages) follow the `lang` query parameter, else \
`Accept-Language`, else English, in the six UN languages (`ar`, `zh`, `en`, `fr`, `ru`, `es`), \
and name the language used in `Content-Language`.\n\n\
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
        crate::domain::language::Language,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "taxonomy", description = "Reference vocabularies: SDGs, focus areas, countries, tracks"),
        (name = "auth", description = "Registration, email verification, sessions, password reset"),
        (name = "organisations", description = "The organisations that pledge, their members and verification"),
        (name = "pledges", description = "Pledges, their workflow and their history; the public catalogue"),
        (name = "amendments", description = "Amendments to published pledges: proposed by the organisation, approved or refused by moderators; the public sees the published pledge until approval"),
        (name = "moderation", description = "The moderators' queue"),
        (name = "live counters", description = "Live figures per track, as snapshots and as a stream; the big-screen page is `/live/{track}`"),
        (name = "reports", description = "The annual report pack: what was pledged, reported and delivered in a year"),
        (name = "imports", description = "Bulk import of pledges from CSV (the catalogue export's columns), with dry runs and progress"),
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

/// Every operation of the document, mutably.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// A problem answer described once, in `components/responses`, and referred to by every
/// operation that can give it.
struct SharedProblem {
    status: &'static str,
    name: &'static str,
    description: &'static str,
}

const SHARED_PROBLEMS: [SharedProblem; 13] = [
    SharedProblem {
        status: "400",
        name: "BadRequest",
        description: "The request cannot be read: a body that is not a JSON object of this \
operation's shape (`malformed_json`: unknown, missing or mistyped fields), or a query, path or \
header value that does not parse (`invalid_query`, `invalid_path`, `bad_request`).",
    },
    SharedProblem {
        status: "401",
        name: "Unauthorized",
        description: "No valid access token: none where one is required, or one that is \
malformed, expired or revoked (`unauthorized`). Comes with `WWW-Authenticate: Bearer`.",
    },
    SharedProblem {
        status: "403",
        name: "Forbidden",
        description: "The caller may not do this (`forbidden`, or a code naming the reason, \
such as `email_not_verified`, `own_organisation` or `no_organisation`).",
    },
    SharedProblem {
        status: "404",
        name: "NotFound",
        description: "Nothing the caller may see at this address (`not_found`).",
    },
    SharedProblem {
        status: "408",
        name: "RequestTimeout",
        description: "The body did not arrive in time (`request_timeout`).",
    },
    SharedProblem {
        status: "409",
        name: "Conflict",
        description: "The resource's state does not allow this (a code naming the conflict).",
    },
    SharedProblem {
        status: "412",
        name: "PreconditionFailed",
        description: "`If-Match` names another version than the current one \
(`precondition_failed`): read the resource again, then decide again.",
    },
    SharedProblem {
        status: "413",
        name: "PayloadTooLarge",
        description: "The body is larger than the configured limit (`payload_too_large`).",
    },
    SharedProblem {
        status: "415",
        name: "UnsupportedMediaType",
        description: "The body is not `application/json` (`unsupported_media_type`).",
    },
    SharedProblem {
        status: "422",
        name: "UnprocessableContent",
        description: "Well-formed, but a field breaks a rule (`validation_failed`, with \
per-field `errors`), or the request is unusable as sent (a code of its own).",
    },
    SharedProblem {
        status: "428",
        name: "PreconditionRequired",
        description: "`If-Match` with the version read is required (`precondition_required`).",
    },
    SharedProblem {
        status: "429",
        name: "TooManyRequests",
        description: "Too many attempts from this client (`rate_limited`); `Retry-After` \
says when to try again.",
    },
    SharedProblem {
        status: "503",
        name: "ServiceUnavailable",
        description: "The database cannot take the request now; nothing was changed \
(`storage_unavailable`, `service_unavailable`). `Retry-After` says when to try again.",
    },
];

/// Operations whose body may be left out (it then counts as `{}`): the workflow's steps.
const OPTIONAL_BODIES: [&str; 6] = [
    "submitPledge",
    "withdrawPledge",
    "approvePledge",
    "revealPledge",
    "requestPledgeChanges",
    "rejectPledge",
];

/// Operations that answer without the database, so never with 503.
const WITHOUT_DATABASE: [&str; 3] = ["checkLiveness", "getMetrics", "getOpenApiDocument"];

const REQUEST_ID: &str = "X-Request-Id";

fn header(description: &str, pattern: Option<&str>) -> Header {
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(pattern)
        .build();
    HeaderBuilder::new()
        .schema(Some(schema))
        .description(Some(description))
        .build()
}

fn header_ref(name: &str) -> RefOr<Header> {
    RefOr::Ref(Ref::new(format!("#/components/headers/{name}")))
}

/// A problem document answer: the problem schema and the headers every problem carries.
fn problem_response(status: &str, description: &str) -> Response {
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(
            routes::problem::PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    problem_headers(status, &mut response);
    response
}

fn problem_headers(status: &str, response: &mut Response) {
    let mut add = |name: &str| {
        response
            .headers
            .entry(name.to_owned())
            .or_insert_with(|| header_ref(name));
    };
    add(REQUEST_ID);
    add("Content-Language");
    match status {
        "401" => add("WWW-Authenticate"),
        "429" | "503" => add("Retry-After"),
        _ => {}
    }
}

/// The problem statuses an operation can answer by what it takes, whatever its handler does:
/// a JSON body can be malformed, late, too large or of another type; a query string can fail to
/// parse; a token can be bad; a path can name nothing; the database can be away.
fn shared_statuses(operation: &Operation) -> Vec<&'static str> {
    let mut statuses = Vec::new();
    if operation.request_body.is_some() {
        statuses.extend(["400", "408", "413", "415"]);
    }
    let parameters = operation.parameters.iter().flatten();
    let located = |place: ParameterIn| {
        parameters
            .clone()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    if located(ParameterIn::Query) {
        statuses.push("400");
    }
    if located(ParameterIn::Path) {
        statuses.push("404");
    }
    let authenticated = operation.security.iter().flatten().any(|requirement| {
        serde_json::to_value(requirement).is_ok_and(|r| r.get("bearer").is_some())
    });
    if authenticated {
        statuses.push("401");
    }
    let id = operation.operation_id.as_deref().unwrap_or_default();
    if !WITHOUT_DATABASE.contains(&id) {
        statuses.push("503");
    }
    statuses
}

/// Completes every operation's answers: the problem statuses it shares with others by what it
/// takes (see [`shared_statuses`]) are added as references to `components/responses`; an error
/// status a handler names without a body gets the problem schema (with the handler's own
/// description, or the shared one when it gives none); and every answer documents
/// `X-Request-Id`. So handlers list only the problems their own logic gives.
pub(super) fn complete_responses(document: &mut utoipa::openapi::OpenApi) {
    let components = document.components.get_or_insert_with(Components::new);
    for shared in &SHARED_PROBLEMS {
        components.responses.insert(
            shared.name.to_owned(),
            RefOr::T(problem_response(shared.status, shared.description)),
        );
    }
    let headers = [
        (
            REQUEST_ID,
            header(
                "This request's id, also in the logs and in problem documents.",
                None,
            ),
        ),
        (
            "Retry-After",
            header("Seconds to wait before trying again.", Some("^[0-9]+$")),
        ),
        (
            "WWW-Authenticate",
            header("`Bearer`: the scheme to authenticate with.", None),
        ),
        (
            "Content-Language",
            header(
                "The language of the problem's `title` and `detail`: the `lang` query \
                 parameter, else `Accept-Language`, else English (`ar`, `zh`, `en`, `fr`, \
                 `ru`, `es`); the `code` is the same in every language.",
                Some("^(ar|zh|en|fr|ru|es)$"),
            ),
        ),
    ];
    for (name, header) in headers {
        components.headers.insert(name.to_owned(), RefOr::T(header));
    }
    for item in document.paths.paths.values_mut() {
        for operation in operations(item) {
            let id = operation.operation_id.as_deref().unwrap_or_default();
            if let (true, Some(RefOr::T(body))) = (
                OPTIONAL_BODIES.contains(&id),
                operation.request_body.as_mut(),
            ) {
                body.required = Some(Required::False);
            }
            for (status, response) in &mut operation.responses.responses {
                let RefOr::T(answer) = response else { continue };
                let shared = SHARED_PROBLEMS.iter().find(|s| s.status == status);
                let is_error = status.starts_with('4') || status.starts_with('5');
                if is_error && answer.content.is_empty() {
                    match shared {
                        Some(shared) if answer.description.is_empty() => {
                            *response = RefOr::Ref(Ref::from_response_name(shared.name));
                            continue;
                        }
                        _ => *answer = problem_response(status, &answer.description),
                    }
                } else if is_error {
                    problem_headers(status, answer);
                } else {
                    answer
                        .headers
                        .entry(REQUEST_ID.to_owned())
                        .or_insert_with(|| header_ref(REQUEST_ID));
                }
            }
            for status in shared_statuses(operation) {
                if let Some(shared) = SHARED_PROBLEMS.iter().find(|s| s.status == status) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(shared.name)));
                }
            }
        }
    }
}

/// One OpenAPI link: after `from` answered `status`, a client (or a stateful fuzzer) can call
/// `to` with `parameters` taken from that answer.
struct FlowLink {
    from: &'static str,
    status: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
}

const fn link(
    from: &'static str,
    status: &'static str,
    to: &'static str,
    parameters: &'static [(&'static str, &'static str)],
) -> FlowLink {
    FlowLink {
        from,
        status,
        to,
        parameters,
    }
}

const ID: (&str, &str) = ("id", "$response.body#/id");
/// `If-Match` takes the version the answer carried.
const VERSION: (&str, &str) = ("If-Match", "$response.header.ETag");
/// Moderators take pledges from their queue: each decision links from its first item.
const QUEUED: &[(&str, &str)] = &[
    ("id", "$response.body#/items/0/pledge/id"),
    ("If-Match", "$response.body#/items/0/pledge/version"),
];

/// An amendment's answers name their pledge apart from their own id.
const AMENDED: (&str, &str) = ("id", "$response.body#/pledge_id");
/// Moderators take amendments from their list: each decision links from its first item.
const AMENDMENT_LISTED: &[(&str, &str)] = &[
    ("id", "$response.body#/items/0/pledge_id"),
    ("If-Match", "$response.body#/items/0/pledge_version"),
];

/// The pledge's way through the workflow and its amendments, as links.
const PLEDGE_FLOW: [FlowLink; 32] = [
    link("createPledge", "201", "getPledge", &[ID]),
    link("createPledge", "201", "updatePledge", &[ID, VERSION]),
    link("createPledge", "201", "submitPledge", &[ID, VERSION]),
    link("createPledge", "201", "withdrawPledge", &[ID, VERSION]),
    link("createPledge", "201", "getPledgeHistory", &[ID]),
    link("updatePledge", "200", "submitPledge", &[ID, VERSION]),
    link("submitPledge", "200", "getPledge", &[ID]),
    link("submitPledge", "200", "approvePledge", &[ID, VERSION]),
    link(
        "submitPledge",
        "200",
        "requestPledgeChanges",
        &[ID, VERSION],
    ),
    link("submitPledge", "200", "rejectPledge", &[ID, VERSION]),
    link(
        "requestPledgeChanges",
        "200",
        "updatePledge",
        &[ID, VERSION],
    ),
    link(
        "requestPledgeChanges",
        "200",
        "submitPledge",
        &[ID, VERSION],
    ),
    link("approvePledge", "200", "getPledge", &[ID]),
    link("approvePledge", "200", "submitProgressReport", &[ID]),
    link("approvePledge", "200", "listProgressReports", &[ID]),
    link("approvePledge", "200", "withdrawPledge", &[ID, VERSION]),
    link("getPledge", "200", "getPledgeHistory", &[ID]),
    link("listModerationQueue", "200", "approvePledge", QUEUED),
    link("listModerationQueue", "200", "requestPledgeChanges", QUEUED),
    link("listModerationQueue", "200", "rejectPledge", QUEUED),
    link(
        "approvePledge",
        "200",
        "proposePledgeAmendment",
        &[ID, VERSION],
    ),
    link(
        "proposePledgeAmendment",
        "201",
        "getPledgeAmendment",
        &[AMENDED],
    ),
    link(
        "proposePledgeAmendment",
        "201",
        "updatePledgeAmendment",
        &[AMENDED, VERSION],
    ),
    link(
        "proposePledgeAmendment",
        "201",
        "withdrawPledgeAmendment",
        &[AMENDED, VERSION],
    ),
    link(
        "proposePledgeAmendment",
        "201",
        "approvePledgeAmendment",
        &[AMENDED, VERSION],
    ),
    link(
        "proposePledgeAmendment",
        "201",
        "refusePledgeAmendment",
        &[AMENDED, VERSION],
    ),
    link(
        "updatePledgeAmendment",
        "200",
        "approvePledgeAmendment",
        &[AMENDED, VERSION],
    ),
    link(
        "updatePledgeAmendment",
        "200",
        "refusePledgeAmendment",
        &[AMENDED, VERSION],
    ),
    link("approvePledgeAmendment", "200", "getPledge", &[AMENDED]),
    link(
        "approvePledgeAmendment",
        "200",
        "getPledgeHistory",
        &[AMENDED],
    ),
    link(
        "listAmendmentsToReview",
        "200",
        "approvePledgeAmendment",
        AMENDMENT_LISTED,
    ),
    link(
        "listAmendmentsToReview",
        "200",
        "refusePledgeAmendment",
        AMENDMENT_LISTED,
    ),
];

pub(super) fn link_pledge_flow(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        for operation in operations(item) {
            let id = operation.operation_id.clone().unwrap_or_default();
            for flow in PLEDGE_FLOW.iter().filter(|flow| flow.from == id) {
                let Some(RefOr::T(response)) = operation.responses.responses.get_mut(flow.status)
                else {
                    continue;
                };
                let link = flow
                    .parameters
                    .iter()
                    .fold(
                        LinkBuilder::new().operation_id(flow.to),
                        |link, (name, value)| link.parameter(*name, *value),
                    )
                    .build();
                response.links.insert(flow.to.to_owned(), RefOr::T(link));
            }
        }
    }
}

/// OpenAPI 3.1 wants a description on every response: where a handler gives none, the status's
/// reason phrase ("Created", "No Content") stands in.
pub(super) fn describe_responses(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        for operation in operations(item) {
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
                assert!(
                    id.starts_with(|c: char| c.is_ascii_lowercase())
                        && id.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{method} {path}: {id} is not camelCase"
                );
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let response = match response["$ref"].as_str() {
                        Some(target) => document.pointer(target.trim_start_matches('#')).unwrap(),
                        None => response,
                    };
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

    /// What every operation can answer by what it takes is documented, with the problem
    /// schema; decisions require `If-Match`; a step's body may be left out but is never `null`.
    #[test]
    fn shared_problems_and_preconditions_are_documented() {
        let document = json();
        let operation = |path: &str, method: &str| document["paths"][path][method].clone();
        let statuses = |op: &Value| -> Vec<String> {
            op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let create = operation("/api/v1/pledges", "post");
        for status in ["400", "401", "403", "408", "413", "415", "422", "503"] {
            assert!(statuses(&create).contains(&status.to_owned()), "{status}");
        }
        let listing = operation("/api/v1/pledges", "get");
        assert!(statuses(&listing).contains(&"400".to_owned()));
        assert!(!statuses(&listing).contains(&"415".to_owned()));
        assert!(!statuses(&operation("/livez", "get")).contains(&"503".to_owned()));
        for step in ["approve", "request-changes", "reject"] {
            let op = operation(&format!("/api/v1/pledges/{{id}}/{step}"), "post");
            let if_match = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "If-Match")
                .unwrap();
            assert_eq!(if_match["required"], true, "{step}");
            assert!(statuses(&op).contains(&"428".to_owned()), "{step}");
            assert_eq!(op["requestBody"]["required"], false, "{step}");
            // A refusal's reason is required; an approval's comment is not.
            let body = if step == "approve" {
                "#/components/schemas/ApprovalBody"
            } else {
                "#/components/schemas/RefusalBody"
            };
            assert_eq!(
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"], body,
                "{step}"
            );
        }
        let problem = &document["components"]["responses"]["TooManyRequests"];
        assert!(problem["headers"].get("Retry-After").is_some());
        assert!(create["responses"]["201"]["headers"]
            .get("X-Request-Id")
            .is_some());
        let links = &create["responses"]["201"]["links"];
        assert_eq!(
            links["submitPledge"]["parameters"]["id"],
            "$response.body#/id"
        );
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

    /// Two types with one schema name become one component: the health checks once referred to
    /// the pledge workflow's `Status` enum, and generated clients failed to read their answers.
    #[test]
    fn the_health_checks_refer_to_their_own_schema() {
        let document = json();
        for path in ["/livez", "/readyz"] {
            let target = document["paths"][path]["get"]["responses"]["200"]["content"]
                ["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap();
            let schema = document.pointer(target.trim_start_matches('#')).unwrap();
            assert!(
                schema["properties"]["status"]["type"] == "string",
                "{path} answers {target}: {schema}"
            );
        }
    }
}
