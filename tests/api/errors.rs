use reqwest::StatusCode;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn unknown_routes_answer_a_404_problem() {
    let app = spawn_app().await;
    let body = assert_problem(
        app.get("/api/v1/no-such-thing").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    assert_problem(app.get("/").await, StatusCode::NOT_FOUND, "route_not_found").await;
}

#[tokio::test]
async fn wrong_methods_answer_a_405_problem() {
    let app = spawn_app().await;
    let resp = app
        .client
        .delete(app.url("/api/v1/sdgs"))
        .send()
        .await
        .unwrap();
    assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let resp = app
        .client
        .post(app.url("/livez"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = spawn_app().await;
    let a = app.get("/livez").await;
    let b = app.get("/livez").await;
    let id_a = a
        .headers()
        .get("x-request-id")
        .expect("header")
        .to_str()
        .unwrap()
        .to_owned();
    let id_b = b
        .headers()
        .get("x-request-id")
        .expect("header")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id_a.len(), 36);
    assert_ne!(id_a, id_b);
}
