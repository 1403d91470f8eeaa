//! The access log: one span per request, whose fields never carry a secret, and one line in it
//! when the answer's head is ready, with its status and latency. Emailed links put single-use
//! tokens in query strings, so every query value whose name suggests a secret is replaced
//! before it reaches a log line.
//!
//! The line is written by the span's end of request rather than by its closing: a span timed
//! by the log layer costs a clock read and a lookup each time it is entered, and a stream's
//! span is entered with every event sent to every subscriber. A stream is logged once, when
//! it starts.

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    Error, HttpMessage,
};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use super::client::client_ip;
use crate::state::AppState;

/// Query parameters whose values are never logged (matched case-insensitively, also as part of
/// a longer name such as `refresh_token`).
const SECRET_NAMES: [&str; 6] = ["token", "password", "secret", "key", "code", "signature"];

/// A path with its query, secret values replaced by `[redacted]`.
pub fn redacted_target(path: &str, query: &str) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret(name) => format!("{name}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|s| name.contains(s))
}

/// Builds the request span with redacted targets and the client address the trusted proxies
/// saw (see `routes::client`).
pub struct RedactingRootSpan;

/// When the request's span was opened, kept with the request for its latency.
struct Started(Instant);

impl RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let hops = request
            .app_data::<actix_web::web::Data<AppState>>()
            .map_or(0, |state| state.settings.proxy_hops());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %redacted_target(request.path(), request.query_string()),
            http.client_ip = %client_ip(request.request(), hops),
            http.user_agent = %request
                .headers()
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let latency_ms = outcome.as_ref().ok().and_then(|response| {
            let started = response.request().extensions().get::<Started>()?.0;
            Some(started.elapsed().as_secs_f64() * 1e3)
        });
        // The status (and any error) go into the span's fields first, so the line carries them.
        DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        tracing::info!(parent: &span, latency_ms, "answered");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_query_values_are_redacted_and_the_rest_kept() {
        assert_eq!(
            redacted_target("/reset-password", "token=abc123&lang=fr"),
            "/reset-password?token=[redacted]&lang=fr"
        );
        assert_eq!(
            redacted_target("/x", "refresh_token=a&Password=b&api_key=c&q=word"),
            "/x?refresh_token=[redacted]&Password=[redacted]&api_key=[redacted]&q=word"
        );
        assert_eq!(redacted_target("/api/v1/sdgs", ""), "/api/v1/sdgs");
        // A private big screen's secret, on its page and on its stream.
        assert_eq!(
            redacted_target("/live/ldc5", "screen_key=s3cr3t"),
            "/live/ldc5?screen_key=[redacted]"
        );
        assert_eq!(
            redacted_target("/api/v1/stats/stream", "track=ldc5&screen_key=s3cr3t"),
            "/api/v1/stats/stream?track=ldc5&screen_key=[redacted]"
        );
        assert_eq!(redacted_target("/p", "flag"), "/p?flag");
    }
}
