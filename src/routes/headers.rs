//! Headers every answer carries for the browser's sake: no content sniffing; no caching of
//! anything that depends on who asks; a Content-Security-Policy on every HTML page; pages that
//! carry tokens are never framed and never leak their address in a `Referer`.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    web,
};

use crate::state::AppState;

/// The pages behind emailed links: their addresses hold single-use tokens.
const LINK_PAGES: [&str; 3] = ["/verify-email", "/reset-password", "/accept-invitation"];

/// Server-rendered forms: inline styles, no script, forms post to this origin only.
const LINK_PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
    img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The interactive documentation (Swagger UI): its own scripts and styles only.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
    'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let personal =
        req.headers().contains_key(header::AUTHORIZATION) || LINK_PAGES.contains(&path.as_str());
    // The shared state, not a copy of its list: this runs on every request.
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut res = next.call(req).await?;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    apply(
        res.headers_mut(),
        &path,
        personal,
        is_html,
        state
            .as_ref()
            .map_or(&[][..], |s| s.settings.live_frame_ancestors.as_slice()),
    );
    Ok(res)
}

/// The headers for an answer to `path`; `personal`: it depends on who asks.
fn apply(
    headers: &mut HeaderMap,
    path: &str,
    personal: bool,
    is_html: bool,
    live_frame_ancestors: &[String],
) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if personal {
        // Whatever the handler said: an answer for one caller is stored by no cache.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if !is_html {
        return;
    }
    let framable = path.starts_with("/live/") && !live_frame_ancestors.is_empty();
    let policy = if path.starts_with("/live/") {
        live_policy(live_frame_ancestors)
    } else if path.starts_with("/docs") {
        DOCS_POLICY.to_owned()
    } else {
        LINK_PAGE_POLICY.to_owned()
    };
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    if !framable {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
}

/// The big screen: its one inline script (by hash) and styles, its stream from this origin,
/// framed only by the configured origins.
fn live_policy(frame_ancestors: &[String]) -> String {
    let ancestors: Vec<&str> = frame_ancestors
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty() && !o.contains([';', ',', '\'']))
        .collect();
    let ancestors = if ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        ancestors.join(" ")
    };
    format!(
        "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}",
        super::stats::LIVE_PAGE_SCRIPT_HASHES.join(" ")
    )
}

/// The CSP source of an inline script: `'sha256-<base64 of its SHA-256>'`.
pub fn script_hash(script: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The hashes of every inline `<script>` of a page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script>") {
        let body = &rest[start + "<script>".len()..];
        let Some(end) = body.find("</script>") else {
            break;
        };
        hashes.push(script_hash(&body[..end]));
        rest = &body[end..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_for(path: &str, personal: bool, html: bool, frames: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        let frames: Vec<String> = frames.iter().map(|f| (*f).to_owned()).collect();
        apply(&mut h, path, personal, html, &frames);
        h
    }

    #[test]
    fn every_answer_is_nosniff_and_personal_ones_are_not_stored() {
        let h = headers_for("/api/v1/sdgs", false, false, &[]);
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert!(h.get("cache-control").is_none());
        let h = headers_for("/api/v1/moderation/queue", true, false, &[]);
        assert_eq!(h.get("cache-control").unwrap(), "private, no-store");
    }

    #[test]
    fn link_pages_are_never_framed_nor_referred() {
        let h = headers_for("/reset-password", true, true, &["https://venue.example"]);
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"));
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
    }

    #[test]
    fn the_big_screen_is_framed_only_where_configured() {
        let h = headers_for("/live/ldc5", false, true, &[]);
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("'sha256-"), "{csp}");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
        let h = headers_for("/live/ldc5", false, true, &["https://venue.example"]);
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors https://venue.example"),
            "{csp}"
        );
        assert!(h.get("x-frame-options").is_none());
    }

    #[test]
    fn inline_scripts_are_hashed_one_by_one() {
        let page = "<p><script>a()</script><script>b()</script>";
        assert_eq!(
            inline_script_hashes(page),
            [script_hash("a()"), script_hash("b()")]
        );
    }
}
