//! Conditional reads and cache lifetimes for the API's `GET` answers. Every read carries an
//! `ETag`: the handler's own where it has a complete one (a pledge's version for those who may
//! write it, a snapshot's version), otherwise a hash of the body. A request whose
//! `If-None-Match` names it is answered 304 with no body. Anonymous reads are public data and
//! may be kept by any cache for a short, configurable while; answers for a signed-in caller are
//! never stored (see `headers`). Every successful write clears the service's own cache of
//! rendered public answers (`cache`) before its answer leaves.

use actix_web::{
    body::{self, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        header::{self, HeaderValue},
        Method, StatusCode,
    },
    middleware::Next,
    web, HttpResponse,
};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// Bodies up to this size are hashed for their `ETag`; larger ones (and streams) carry none.
const HASHED_BODY_MAX: usize = 4 * 1024 * 1024;

pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_api_read = req.method() == Method::GET && req.path().starts_with("/api/v1/");
    if !is_api_read {
        // A write may change any public answer: the rendered ones are forgotten before its
        // own answer leaves, so that a read after it sees it. Signing in changes none.
        let is_write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
            && !req.path().starts_with("/api/v1/auth/");
        let state = is_write
            .then(|| req.app_data::<web::Data<AppState>>().cloned())
            .flatten();
        let res = next.call(req).await?;
        if let Some(state) = state {
            if res.status().is_success() {
                state.views.clear();
            }
        }
        return Ok(res.map_into_boxed_body());
    }
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let max_age = req
        .app_data::<web::Data<AppState>>()
        .map_or(0, |s| s.settings.public_max_age_secs);
    let res = next.call(req).await?;
    if res.status() != StatusCode::OK {
        return Ok(res.map_into_boxed_body());
    }
    let (req, response) = res.into_parts();
    let mut response = response.map_into_boxed_body();
    let headers = response.headers_mut();
    // An answer in a negotiated language depends on the asked one too.
    let vary = if headers.contains_key(header::CONTENT_LANGUAGE) {
        &["Authorization", "Accept-Language"][..]
    } else {
        &["Authorization"][..]
    };
    add_vary(headers, vary);
    if anonymous && !headers.contains_key(header::CACHE_CONTROL) {
        if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
            headers.insert(header::CACHE_CONTROL, value);
        }
    }
    if !response.headers().contains_key(header::ETAG) {
        let sized = matches!(response.body().size(), body::BodySize::Sized(n) if n as usize <= HASHED_BODY_MAX);
        if !sized {
            return Ok(ServiceResponse::new(req, response));
        }
        let (head, payload) = response.into_parts();
        let bytes = body::to_bytes(payload)
            .await
            .map_err(|_| actix_web::error::ErrorInternalServerError("unreadable answer"))?;
        let etag = body_etag(&bytes);
        response = head.set_body(bytes).map_into_boxed_body();
        if let Ok(value) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
    }
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if if_none_match.is_some_and(|wanted| matches_any(&wanted, etag)) {
        let mut not_modified = HttpResponse::NotModified();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = response.headers().get(&name) {
                not_modified.insert_header((name.clone(), value.clone()));
            }
        }
        return Ok(ServiceResponse::new(req, not_modified.finish()));
    }
    Ok(ServiceResponse::new(req, response))
}

/// Adds `tokens` to the answer's `Vary`, as one header naming each token once (whatever case
/// a handler wrote it in); `Vary: *` stays as it is.
fn add_vary(headers: &mut header::HeaderMap, tokens: &[&'static str]) {
    let existing: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if existing.is_empty() {
        if let [only] = tokens {
            headers.insert(header::VARY, HeaderValue::from_static(only));
            return;
        }
    }
    if existing.iter().any(|t| t == "*") {
        return;
    }
    let mut merged: Vec<&str> = Vec::with_capacity(existing.len() + tokens.len());
    for token in existing
        .iter()
        .map(String::as_str)
        .chain(tokens.iter().copied())
    {
        if !merged.iter().any(|t| t.eq_ignore_ascii_case(token)) {
            merged.push(token);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&merged.join(", ")) {
        headers.insert(header::VARY, value);
    }
}

/// A weak validator from the body: equal bodies, equal tags (compression aside, hence weak).
pub fn body_etag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    format!("W/\"{tag}\"")
}

/// Whether an `If-None-Match` list names `etag`, by weak comparison (RFC 9110, 13.1.2).
fn matches_any(if_none_match: &str, etag: &str) -> bool {
    if etag.is_empty() {
        return false;
    }
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = opaque(etag);
    if_none_match
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_comparison_and_lists() {
        assert!(matches_any("\"3\"", "\"3\""));
        assert!(matches_any("W/\"3\"", "\"3\""));
        assert!(matches_any("\"1\", W/\"abc\"", "W/\"abc\""));
        assert!(matches_any("*", "\"9\""));
        assert!(!matches_any("\"4\"", "\"3\""));
        assert!(!matches_any("\"3\"", ""));
    }

    #[test]
    fn vary_names_each_token_once() {
        let vary = |before: &[&'static str], tokens: &[&'static str]| {
            let mut headers = header::HeaderMap::new();
            for value in before {
                headers.append(header::VARY, HeaderValue::from_static(value));
            }
            add_vary(&mut headers, tokens);
            let values: Vec<_> = headers.get_all(header::VARY).collect();
            assert_eq!(values.len(), 1, "{values:?}");
            values[0].to_str().unwrap().to_owned()
        };
        assert_eq!(vary(&[], &["Authorization"]), "Authorization");
        assert_eq!(
            vary(&[], &["Authorization", "Accept-Language"]),
            "Authorization, Accept-Language"
        );
        assert_eq!(
            vary(&["accept-language"], &["Authorization", "Accept-Language"]),
            "accept-language, Authorization"
        );
        assert_eq!(
            vary(&["Origin, Authorization", "Origin"], &["Authorization"]),
            "Origin, Authorization"
        );
        assert_eq!(vary(&["*"], &["Authorization"]), "*");
    }

    #[test]
    fn equal_bodies_have_equal_tags_and_others_differ() {
        assert_eq!(body_etag(b"{}"), body_etag(b"{}"));
        assert_ne!(body_etag(b"{}"), body_etag(b"[]"));
        assert!(body_etag(b"x").starts_with("W/\""));
    }
}
