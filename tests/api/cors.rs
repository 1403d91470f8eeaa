//! Browsers may call the API from configured origins only.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn only_configured_origins_may_call_from_a_browser() {
    let app =
        spawn_app_with(|s| s.cors_origins = vec!["https://dashboard.example.org".to_owned()]).await;
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/pledges"))
        .header("Origin", "https://dashboard.example.org")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://dashboard.example.org"
    );
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("idempotency-key"), "{allowed}");

    let read = app
        .client
        .get(app.url("/api/v1/stats"))
        .header("Origin", "https://dashboard.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.headers()["access-control-allow-origin"],
        "https://dashboard.example.org"
    );
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("link"),
        "{exposed}"
    );

    let stranger = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/pledges"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(stranger
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    crate::helpers::assert_problem(stranger, StatusCode::BAD_REQUEST, "bad_request").await;
    let read = app
        .client
        .get(app.url("/api/v1/stats"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(read.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        read.status(),
        StatusCode::OK,
        "non-browser readers are not refused"
    );
}
