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

/// A database that answers but cannot write (here: every write to the probe fails as a full
/// disk would make it fail) is not ready; once it writes again, it is.
#[tokio::test]
async fn readyz_answers_503_when_the_database_cannot_write() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    let backend = app.backend();
    let refuse = move |on: bool| {
        let sql: &[&str] = match (backend, on) {
            (pledgeboard::db::Backend::Sqlite, true) => {
                &["CREATE TRIGGER full_disk BEFORE UPDATE ON readiness_probes
                 BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"]
            }
            (pledgeboard::db::Backend::Sqlite, false) => &["DROP TRIGGER full_disk"],
            (pledgeboard::db::Backend::Postgres, true) => &[
                "CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN
                 RAISE EXCEPTION 'could not extend file: No space left on device'; END $$
                 LANGUAGE plpgsql",
                "CREATE TRIGGER full_disk BEFORE UPDATE ON readiness_probes
                 FOR EACH ROW EXECUTE FUNCTION full_disk()",
            ],
            (pledgeboard::db::Backend::Postgres, false) => &[
                "DROP TRIGGER full_disk ON readiness_probes",
                "DROP FUNCTION full_disk()",
            ],
        };
        let sql: Vec<String> = sql.iter().map(|s| (*s).to_owned()).collect();
        move |conn: &mut pledgeboard::db::DbConnection| {
            use diesel::RunQueryDsl;
            for statement in &sql {
                diesel::sql_query(statement.as_str()).execute(conn)?;
            }
            Ok(())
        }
    };
    app.db.run(refuse(true)).await.unwrap();
    assert_problem(
        app.get("/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
    )
    .await;
    app.db.run(refuse(false)).await.unwrap();
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

/// A write that the database refuses for a passing reason (a full disk) answers 503 with
/// `Retry-After` and a stable code, never a 500; nothing is half written.
#[tokio::test]
async fn a_full_disk_is_a_503_storage_unavailable_with_retry_after() {
    let app = spawn_app().await;
    let owner = app.pledger("disk@example.org", "Disk Ministry").await;
    let sql: Vec<&str> = match app.backend() {
        pledgeboard::db::Backend::Sqlite => vec![
            "CREATE TRIGGER full_disk BEFORE INSERT ON pledge_events
             BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
        ],
        pledgeboard::db::Backend::Postgres => vec![
            "CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN
             RAISE EXCEPTION 'could not extend file: No space left on device'
             USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER full_disk BEFORE INSERT ON pledge_events
             FOR EACH ROW EXECUTE FUNCTION full_disk()",
        ],
    };
    app.db
        .run(move |conn| {
            use diesel::RunQueryDsl;
            for statement in &sql {
                diesel::sql_query(*statement).execute(conn)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let resp = app
        .send(
            reqwest::Method::POST,
            "/api/v1/pledges",
            Some(&owner.access),
            Some(&crate::live::pledge_body("Full disk", &[], &["GHA"], 1)),
        )
        .await;
    assert_eq!(resp.headers().get("retry-after").unwrap(), "1");
    assert_problem(resp, StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable").await;
    let count: i64 = app
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::pledges;
            Ok(pledges::table.count().get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(count, 0, "the pledge row went with the failed transaction");
}
