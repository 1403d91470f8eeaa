//! HTTP handlers, thin by rule: extract and authorise, call one service function, shape the
//! answer. The route table is [`configure`]; the contract it makes up is [`openapi`].

pub mod access_log;
pub mod admin;
pub mod amendments;
pub mod annual;
pub mod auth;
pub mod body;
pub mod caching;
pub mod client;
pub mod extract;
pub mod headers;
pub mod health;
pub mod imports;
pub mod middleware;
pub mod openapi;
pub mod operations;
pub mod organisations;
pub mod pages;
pub mod pledges;
pub mod problem;
pub mod screens;
pub mod stats;
pub mod taxonomy;

use actix_web::{
    dev::{HttpServiceFactory, ServiceFactory, ServiceRequest},
    error::{JsonPayloadError, PathError, QueryPayloadError},
    http::{header, Method},
    web, App, HttpRequest, HttpResponse,
};
use serde::Serialize;
use utoipa::{openapi::path::HttpMethod, OpenApi, ToSchema};
use utoipa_actix_web::{service_config::ServiceConfig, AppExt, OpenApiFactory};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::AppError;

/// Registers documented handlers: groups separated by `;`, the handlers of one path (one per
/// method) in one group. Each handler brings its path and method (its actix route attribute)
/// and its description (`#[utoipa::path]`) to the API document. After each group comes a
/// catch-all for its path that answers 405 with `Allow` to any other method, as an actix
/// resource would; it must follow every handler of the path, hence the grouping.
macro_rules! handlers {
    ($cfg:expr; $($($handler:path),+);+ $(;)?) => {
        $(
            let mut allowed = Allowed::default();
            $(
                allowed.add::<$handler>();
                $cfg.handler($handler);
            )+
            allowed.register($cfg);
        )+
    };
}

/// What the route table registers its handlers with: utoipa-actix-web's configuration, which
/// also gathers each handler's description into the API document ([`documented`]), or actix's
/// own, which only routes ([`mount`]: the server's workers, which serve the one description
/// rendered once rather than building their own).
pub trait Routes {
    /// A handler with its route attribute and its description.
    fn handler<H: HttpServiceFactory + OpenApiFactory + 'static>(&mut self, handler: H);
    /// Routes that are no part of the API description.
    fn plain(&mut self, routes: impl FnOnce(&mut web::ServiceConfig));
}

impl Routes for ServiceConfig<'_> {
    fn handler<H: HttpServiceFactory + OpenApiFactory + 'static>(&mut self, handler: H) {
        self.service(handler);
    }

    fn plain(&mut self, routes: impl FnOnce(&mut web::ServiceConfig)) {
        self.map(|cfg| {
            routes(cfg);
            cfg
        });
    }
}

impl Routes for web::ServiceConfig {
    fn handler<H: HttpServiceFactory + OpenApiFactory + 'static>(&mut self, handler: H) {
        self.service(handler);
    }

    fn plain(&mut self, routes: impl FnOnce(&mut web::ServiceConfig)) {
        routes(self);
    }
}

/// Every route of the service, each registered once. A request goes to the first route whose
/// path and method match: keep fixed paths before the patterns that would take them.
pub fn configure(cfg: &mut impl Routes) {
    handlers!(cfg;
        health::livez;
        health::readyz;
        // The answers read most (the big screens, the public catalogue) first: routes are tried
        // in order.
        stats::snapshot;
        stats::history;
        stats::stream;
        annual::pack;
        screens::get_goals, screens::set_goals;
        screens::list_screen_links, screens::create_screen_link;
        screens::revoke_screen_link;
        pledges::list, pledges::create;
        pledges::enter;
        imports::import;
        imports::progress;
        // Before `/pledges/{id}`, which would take these names for ids.
        pledges::export_csv;
        pledges::export_ndjson;
        pledges::get, pledges::update;
        pledges::submit;
        pledges::withdraw;
        pledges::approve;
        pledges::reveal;
        pledges::schedule_reveal;
        pledges::request_changes;
        pledges::reject;
        pledges::history;
        pledges::list_reports, pledges::submit_report;
        pledges::accept_report;
        pledges::return_report;
        amendments::get, amendments::propose, amendments::edit;
        amendments::withdraw;
        amendments::approve;
        amendments::refuse;
        pledges::queue;
        pledges::decide_many;
        pledges::reports_to_review;
        amendments::waiting;
        operations::metrics;
        operations::openapi_yaml;
        taxonomy::list_sdgs;
        taxonomy::list_focus_areas;
        taxonomy::list_vocabularies;
        taxonomy::list_countries;
        taxonomy::list_tracks, taxonomy::create_track;
        taxonomy::update_track;
        auth::register;
        auth::verify_email;
        auth::login;
        auth::refresh;
        auth::logout;
        auth::request_password_reset;
        auth::confirm_password_reset;
        auth::me, auth::update_me;
        organisations::list;
        organisations::get, organisations::update;
        organisations::verify;
        organisations::list_invitations, organisations::invite;
        organisations::revoke_invitation;
        organisations::list_members;
        organisations::remove_member;
        organisations::hand_over;
        organisations::accept_invitation;
        admin::list_users, admin::create_staff;
        admin::update_user;
        admin::list_outbox;
        admin::retry_outbox;
    );
    // Pages for people (links in emails, the big screen, the documentation's address): HTML,
    // not part of the API description.
    cfg.plain(|cfg| {
        cfg.service(web::resource("/docs").route(web::get().to(operations::docs_redirect)))
            .service(web::resource("/live/{track}").route(web::get().to(stats::page)))
            .service(
                web::resource("/verify-email")
                    .route(web::get().to(pages::verify_email_page))
                    .route(web::post().to(pages::verify_email)),
            )
            .service(
                web::resource("/reset-password")
                    .route(web::get().to(pages::reset_password_page))
                    .route(web::post().to(pages::reset_password)),
            )
            .service(
                web::resource("/reset-password/request")
                    .route(web::post().to(pages::request_reset)),
            )
            .service(
                web::resource("/accept-invitation")
                    .route(web::get().to(pages::accept_invitation_page))
                    .route(web::post().to(pages::accept_invitation)),
            );
    });
}

/// `app` with every route of [`configure`], and the API description they make up.
pub fn documented<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    let (app, mut document) = app
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(|cfg| configure(cfg))
        .split_for_parts();
    openapi::complete_responses(&mut document);
    openapi::link_pledge_flow(&mut document);
    openapi::describe_responses(&mut document);
    (app, document)
}

/// The whole HTTP surface on `app`: the routes, the API description at `/openapi.json` with its
/// interactive documentation under `/docs/` (assets built in), and a 404 problem for any
/// other path.
pub fn mount<T>(app: App<T>) -> App<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    // Every worker builds its routes without their description, which is built only when asked
    // for and served from one rendering shared by all workers.
    app.configure(configure)
        .service(web::resource("/openapi.json").route(web::get().to(operations::openapi_json)))
        .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new(["/openapi.json"])))
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(AppError::RouteNotFound)
        }))
}

/// How the extractors refuse a request: JSON bodies up to `body_limit` bytes (raw bodies too),
/// and every refusal (body, query string, path) an [`AppError`], so a problem document.
pub fn extractors(body_limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(json_config(body_limit))
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error));
    }
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req: &HttpRequest| {
            match err {
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => {
                    AppError::PayloadTooLarge { limit }
                }
                JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
                JsonPayloadError::Deserialize(e) => AppError::MalformedJson(e.to_string()),
                JsonPayloadError::Payload(ref e) if body::is_late(e) => AppError::RequestTimeout,
                JsonPayloadError::Payload(ref e) if body::is_not_an_object(e) => {
                    AppError::MalformedJson(body::NOT_AN_OBJECT.to_owned())
                }
                other => AppError::MalformedJson(other.to_string()),
            }
            .into()
        })
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    AppError::InvalidQuery(err.to_string()).into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::InvalidPath(err.to_string()).into()
}

/// The methods each path of a group of handlers takes, in registration order.
#[derive(Default)]
struct Allowed(Vec<(String, Vec<Method>)>);

impl Allowed {
    fn add<H: utoipa::Path>(&mut self) {
        let path = H::path();
        let methods = H::methods().into_iter().map(http_method);
        match self.0.iter_mut().find(|(known, _)| *known == path) {
            Some((_, known)) => known.extend(methods),
            None => self.0.push((path, methods.collect())),
        }
    }

    /// The catch-all of each path: 405 with `Allow` (the problem middleware adds the body).
    fn register(self, cfg: &mut impl Routes) {
        for (path, methods) in self.0 {
            cfg.plain(|cfg| {
                cfg.service(web::resource(path).to(move || {
                    let allow = header::Allow(methods.clone());
                    async move {
                        HttpResponse::MethodNotAllowed()
                            .insert_header(allow)
                            .finish()
                    }
                }));
            });
        }
    }
}

fn http_method(method: HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

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

/// Declares the `{"items": [...], "next_cursor": ...}` page every paginated list answers with
/// (see [`paged`]), once per item type.
macro_rules! page_envelope {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// The `cursor` of the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use page_envelope;

// Not `Status`: that is the pledge workflow's schema, and two schemas of one name would leave
// the contract pointing at the wrong one.
/// Service status, as reported by the health checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` on `/livez`, `ready` on `/readyz`.
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
    let mut response = actix_web::HttpResponse::Ok();
    if let Some(link) = next_link(req, page.next_cursor.as_deref()) {
        response.insert_header(("Link", link));
    }
    response.json(PageBody {
        items: page.items,
        next_cursor: page.next_cursor,
    })
}

/// The body of a page.
#[derive(Serialize)]
pub struct PageBody<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Checks free text taken from a query string (`q`, an id): at most `max` characters and no
/// control characters, which no search or id holds (a NUL would reach the database).
pub fn query_text(name: &str, value: Option<&str>, max: usize) -> Result<(), AppError> {
    let Some(value) = value else { return Ok(()) };
    if value.chars().count() > max {
        return Err(AppError::InvalidQuery(format!(
            "{name} takes at most {max} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::InvalidQuery(format!(
            "{name} must not contain control characters"
        )));
    }
    Ok(())
}

/// The `Link: rel="next"` of a page that has a next one: this request with the next cursor.
pub fn next_link(req: &actix_web::HttpRequest, cursor: Option<&str>) -> Option<String> {
    let cursor = cursor?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", cursor);
    Some(format!("<{}?{}>; rel=\"next\"", req.path(), query.finish()))
}
