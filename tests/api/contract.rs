//! Defects the contract fuzzer (tests/contract) found, each held here: answers that disagreed
//! with openapi.yaml, and requests the contract calls invalid that the service took.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

#[tokio::test]
async fn health_answers_match_their_own_schema_not_the_pledge_status() {
    let app = spawn_app().await;
    let live: Value = app.get_json("/livez").await;
    assert_eq!(live, json!({"status": "ok"}));
    let yaml = app.get("/openapi.yaml").await.text().await.unwrap();
    assert!(yaml.contains("$ref: '#/components/schemas/Health'"));
}

#[tokio::test]
async fn demo_organisations_have_uuid_ids_like_every_other() {
    let app = spawn_app().await;
    app.db
        .run(|conn| pledgeboard::services::demo::seed(conn, 12))
        .await
        .unwrap();
    let page = app.get_json("/api/v1/pledges?limit=100").await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    for pledge in items {
        let id = pledge["organisation"]["id"].as_str().unwrap();
        assert!(is_uuid(id), "{id}");
    }
    // Rerunning finds the organisations it made instead of making more.
    let again = app
        .db
        .run(|conn| pledgeboard::services::demo::seed(conn, 12))
        .await
        .unwrap();
    assert_eq!((again.organisations_added, again.pledges_added), (0, 0));
}

#[tokio::test]
async fn country_codes_are_taken_only_as_the_contract_writes_them() {
    let app = spawn_app().await;
    let resp = app
        .post_json(
            "/api/v1/auth/register",
            &json!({
                "email": "amina@ict.gov.gh", "password": PASSWORD, "display_name": "Amina",
                "organisation": {"name": "Ministry of Communications", "kind": "government", "country": "gha"},
            }),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "organisation.country");
}

#[tokio::test]
async fn a_password_reset_for_something_that_is_no_address_is_refused() {
    let app = spawn_app().await;
    let resp = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "not an address"}),
        )
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "nobody@example.org"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn exports_refuse_page_parameters_they_cannot_honour() {
    let app = spawn_app().await;
    for query in ["limit=0", "cursor=", "cursor=abc"] {
        for format in ["csv", "ndjson"] {
            let resp = app
                .get(&format!("/api/v1/pledges/export.{format}?{query}"))
                .await;
            assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
        }
    }
    let resp = app.get("/api/v1/pledges/export.csv?limit=10").await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn track_slugs_are_taken_as_sent() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "organiser@example.org").await;
    let resp = app
        .send(
            reqwest::Method::POST,
            "/api/v1/tracks",
            Some(&organiser.access),
            Some(&json!({"slug": " wtdc-2025 ", "name": "WTDC 2025"})),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "slug");
}
