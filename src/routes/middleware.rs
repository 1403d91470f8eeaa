//! Cross-cutting request handling, in the order a request meets it (outermost first):
//! tracing root span with a request id → metrics → problem details → panic guard → handler.

use std::{panic::AssertUnwindSafe, time::Instant};

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::InternalError,
    http::{
        header::{self, HeaderValue},
        StatusCode,
    },
    middleware::Next,
    web, HttpMessage, HttpResponse,
};
use futures_util::FutureExt;
use tracing_actix_web::RequestId;

use super::{
    extract::lenient_language,
    problem::{Problem, PROBLEM_CONTENT_TYPE},
};
use crate::{domain::language::Language, error::AppError, metrics, state::AppState};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Counts and times every request by method, matched route and status.
pub async fn record_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    match next.call(req).await {
        Ok(res) => {
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned());
            metrics::record_request(
                &method,
                &route,
                res.status().as_u16(),
                started.elapsed().as_secs_f64(),
            );
            Ok(res)
        }
        Err(err) => {
            let status = err.as_response_error().status_code().as_u16();
            metrics::record_request(
                &method,
                "unmatched",
                status,
                started.elapsed().as_secs_f64(),
            );
            Err(err)
        }
    }
}

/// Makes every error answer an RFC 9457 problem document: errors raised by our code keep their
/// code, answers produced by the framework (unknown route, wrong method, ...) get one from their
/// status. Also stamps `instance` and `request_id`, and the `X-Request-Id` header on every answer.
pub async fn problem_details(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request itself must not be cloned before routing (the router needs it unshared):
    // keep only what the problem document needs.
    let path = req.path().to_owned();
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let language = lenient_language(
        req.query_string(),
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    // Bodies the framework refuses as too large are refused against this limit.
    let body_limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(0, |state| state.settings.body_limit);
    match next.call(req).await {
        Ok(res) => {
            let mut res = res.map_into_boxed_body();
            let status = res.status();
            if status.is_client_error() || status.is_server_error() {
                let error = res
                    .response()
                    .error()
                    .and_then(|e| e.as_error::<AppError>());
                let is_problem = res
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
                if error.is_some() || !is_problem {
                    let (req, old) = res.into_parts();
                    let new =
                        problem_response(&old, &path, request_id.as_deref(), body_limit, language);
                    res = ServiceResponse::new(req, new);
                }
            }
            set_request_id(res.headers_mut(), request_id.as_deref());
            Ok(res)
        }
        // An error that escaped the handlers (a middleware's, or a caught panic): answer with a
        // finished response the framework will send as it is.
        Err(err) => {
            let mut response = problem_response(
                &err.error_response(),
                &path,
                request_id.as_deref(),
                body_limit,
                language,
            );
            set_request_id(response.headers_mut(), request_id.as_deref());
            Err(InternalError::from_response(err.to_string(), response).into())
        }
    }
}

fn set_request_id(headers: &mut header::HeaderMap, request_id: Option<&str>) {
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        headers.insert(header::HeaderName::from_static(REQUEST_ID_HEADER), id);
    }
}

/// The problem answer for `old`: its own error if it came from our code, else one derived from
/// its status; its other headers (Retry-After, Allow, ...) are kept.
fn problem_response(
    old: &HttpResponse,
    path: &str,
    request_id: Option<&str>,
    body_limit: usize,
    language: Language,
) -> HttpResponse {
    let payload_error = old
        .error()
        .and_then(|e| e.as_error::<actix_web::error::PayloadError>());
    let late_body = payload_error.is_some_and(super::body::is_late);
    let not_an_object = payload_error.is_some_and(super::body::is_not_an_object);
    let (status, mut problem) = match old.error().and_then(|e| e.as_error::<AppError>()) {
        Some(app_error) => (old.status(), Problem::of_in(app_error, language)),
        // A body read by the framework (not through our extractor configs) that came too late.
        None if late_body => (
            StatusCode::REQUEST_TIMEOUT,
            Problem::of_in(&AppError::RequestTimeout, language),
        ),
        None if not_an_object => (
            StatusCode::BAD_REQUEST,
            Problem::of_in(
                &AppError::MalformedJson(super::body::NOT_AN_OBJECT.to_owned()),
                language,
            ),
        ),
        None => (
            old.status(),
            Problem::of_in(&error_for_status(old.status(), body_limit), language),
        ),
    };
    problem.instance = Some(path.to_owned());
    problem.request_id = request_id.map(str::to_owned);
    let mut builder = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    builder
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .content_type(PROBLEM_CONTENT_TYPE)
        .json(problem)
}

/// The problem for an error answer that the framework, not our code, produced.
fn error_for_status(status: StatusCode, body_limit: usize) -> AppError {
    match status {
        StatusCode::NOT_FOUND => AppError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge { limit: body_limit },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        s if s.is_client_error() => AppError::BadRequest(
            s.canonical_reason()
                .unwrap_or("the request cannot be processed")
                .to_lowercase(),
        ),
        s => AppError::Internal(format!("framework answered {s}")),
    }
}

/// Turns a panic anywhere below into a logged 500 problem instead of a dropped connection.
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| next.call(req))) {
        Ok(fut) => AssertUnwindSafe(fut).catch_unwind().await,
        Err(panic) => Err(panic),
    };
    match outcome {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            // The request went down with the handler; the problem middleware above answers.
            Err(AppError::Internal(format!("panic in handler: {message}")).into())
        }
    }
}
