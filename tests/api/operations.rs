use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, repo_root, spawn_app};

#[tokio::test]
async fn livez_answers_ok() {
    let app = spawn_app().await;
    let body = app.get_json("/livez").await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_the_database() {
    let app = spawn_app().await;
    let body = app.get_json("/readyz").await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], app.backend().name());
}

#[tokio::test]
async fn readyz_answers_503_when_no_database_connection_can_be_had() {
    let app = spawn_app().await;
    // Hold every pooled connection: the database is as good as gone for the service.
    let pool = app.db.pool().clone();
    let held = tokio::task::spawn_blocking(move || {
        (0..pool.max_size())
            .map(|_| pool.get_timeout(Duration::from_secs(10)).unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_problem(
        app.get("/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
    )
    .await;
    drop(held);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_latency_and_pool_usage() {
    let app = spawn_app().await;
    app.get_json("/api/v1/sdgs").await;
    app.get("/api/v1/nowhere").await;
    let resp = app.get("/metrics").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    let has = |needle: &str| text.lines().any(|l| l.starts_with(needle));
    assert!(
        has("http_requests_total{method=\"GET\",route=\"/api/v1/sdgs\",status=\"200\"}"),
        "{text}"
    );
    assert!(
        has("http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"),
        "{text}"
    );
    assert!(has("http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/sdgs\",le=\"0.005\"}"), "{text}");
    assert!(has("db_pool_connections{state=\"idle\"}"), "{text}");
    assert!(has("db_pool_max_connections"), "{text}");
}

#[tokio::test]
async fn the_committed_openapi_yaml_matches_the_code() {
    let generated = pledgeboard::routes::openapi::yaml().unwrap();
    let committed = std::fs::read_to_string(repo_root().join("openapi.yaml")).unwrap_or_default();
    assert!(
        generated == committed,
        "openapi.yaml is out of date: regenerate it with `cargo run -- openapi > openapi.yaml`"
    );
}

#[tokio::test]
async fn the_service_serves_its_contract_and_offline_docs() {
    let app = spawn_app().await;
    let resp = app.get("/openapi.yaml").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.text().await.unwrap(),
        pledgeboard::routes::openapi::yaml().unwrap()
    );

    let spec: Value = app.get_json("/openapi.json").await;
    assert!(spec["paths"]["/api/v1/countries"].is_object());

    let resp = app.get("/docs").await;
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    let resp = app.get("/docs/").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Everything the page loads comes from this service: no CDN.
    for attr in ["src=\"http", "href=\"http", "src='http", "href='http"] {
        assert!(!html.contains(attr), "external asset in docs page: {html}");
    }
    let js = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
}
