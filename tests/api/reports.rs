//! Yearly progress reports, and the USD disbursed they feed into the live counters.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app},
    live::{pledge_body, publish, stage, stats_until},
};

#[tokio::test]
async fn reports_feed_usd_disbursed_and_replace_their_year() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "report@example.org",
        "Reporting Ministry",
        "report-mod@example.org",
    )
    .await;
    let outsider = app.pledger("nosy@example.org", "Nosy Org").await;
    let id = publish(
        &app,
        &s,
        pledge_body("Connect 50 clinics", &["ldc5"], &["NPL"], 10_000),
    )
    .await;
    let path = format!("/api/v1/pledges/{id}/reports");
    let report = |year: i32, usd: i64| {
        json!({"year": year, "implementation_status": "in_progress", "narrative": "Twelve clinics connected.",
               "usd_disbursed": usd, "people_reached": 3000})
    };

    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&outsider.access),
            Some(&report(2024, 1)),
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .send(Method::POST, &path, None, Some(&report(2024, 1)))
        .await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2024, 1_000)),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    stats_until(&app, "", None, |b| b["usd_disbursed"] == 1_000).await;
    stats_until(&app, "?track=ldc5", None, |b| b["usd_disbursed"] == 1_000).await;

    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2024, 1_500)),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the year's report is replaced"
    );
    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2025, 500)),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    stats_until(&app, "", None, |b| b["usd_disbursed"] == 2_000).await;

    let listed: Value = app.get_json(&path).await;
    let years: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2024, 2025]);
    assert_eq!(listed["items"][0]["usd_disbursed"], 1_500);
    let pledge: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    assert_eq!(pledge["usd_disbursed"], 2_000);
    let history: Value = app.get_json(&format!("/api/v1/pledges/{id}/history")).await;
    assert!(history["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "progress_report"));

    let bad = json!({"year": 1999, "implementation_status": "almost", "narrative": "", "usd_disbursed": -5});
    let body = assert_problem(
        app.send(Method::POST, &path, Some(&s.owner.access), Some(&bad))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "year",
        "implementation_status",
        "narrative",
        "usd_disbursed",
    ] {
        assert!(fields.contains(&field), "{field}: {body}");
    }

    // A withdrawn pledge leaves the disbursed figure too; no more reports on it.
    app.send(
        Method::POST,
        &format!("/api/v1/pledges/{id}/withdraw"),
        Some(&s.owner.access),
        None,
    )
    .await;
    stats_until(&app, "", None, |b| {
        b["usd_disbursed"] == 0 && b["pledges"] == 0
    })
    .await;
    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2026, 1)),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "not_published").await;
}
