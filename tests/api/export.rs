//! Open data exports: CSV and NDJSON with the catalogue's filters and visibility.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{assert_problem, spawn_app},
    live::{pledge_body, publish, stage},
};

#[tokio::test]
async fn exports_follow_the_catalogue_and_keep_spreadsheets_safe() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "open@example.org",
        "Open Data Ministry",
        "open-mod@example.org",
    )
    .await;
    let formula = publish(
        &app,
        &s,
        pledge_body(
            "=HYPERLINK(\"http://x\",\"click\")",
            &["ldc5"],
            &["NPL"],
            10,
        ),
    )
    .await;
    let plain = publish(
        &app,
        &s,
        pledge_body("Connect 200 schools", &["p2c"], &["GHA", "KEN"], 20),
    )
    .await;
    let draft_body = pledge_body("Still a draft here", &["ldc5"], &["GHA"], 30);
    app.send(
        Method::POST,
        "/api/v1/pledges",
        Some(&s.owner.access),
        Some(&draft_body),
    )
    .await;

    let resp = app.get("/api/v1/pledges/export.csv").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("pledges.csv"));
    let text = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "id");
    assert!(header.contains(&"value_usd".to_owned()));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "published pledges only: {text}");
    let title = header.iter().position(|h| h == "title").unwrap();
    let countries = header.iter().position(|h| h == "countries").unwrap();
    let by_id = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap().clone();
    // Deliverables are one column holding their JSON, so an export reads back whole.
    let deliverables = header.iter().position(|h| h == "deliverables").unwrap();
    let cell: Value = serde_json::from_str(&by_id(&plain)[deliverables]).unwrap();
    assert_eq!(cell[0]["unit"], "schools", "{cell}");
    assert_eq!(cell[0]["target"], 100.0, "{cell}");
    assert!(
        by_id(&formula)[title].starts_with("'="),
        "formula neutralised"
    );
    assert_eq!(&by_id(&plain)[countries], "GHA;KEN");

    let filtered = app.get("/api/v1/pledges/export.ndjson?track=ldc5").await;
    assert_eq!(filtered.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = filtered
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], formula.as_str());
    assert!(lines[0].get("contact").is_none());

    // The organisation sees its draft too, as in the catalogue.
    let own = app
        .send(
            Method::GET,
            "/api/v1/pledges/export.ndjson",
            Some(&s.owner.access),
            None,
        )
        .await;
    assert_eq!(own.text().await.unwrap().lines().count(), 3);

    assert_problem(
        app.get("/api/v1/pledges/export.csv?sdg=40").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_problem(
        app.get("/api/v1/pledges/export.ndjson?colour=red").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn large_exports_arrive_whole() {
    let app = spawn_app().await;
    let report = app
        .db
        .run(|conn| pledgeboard::services::demo::seed(conn, 345))
        .await
        .unwrap();
    assert_eq!(report.pledges_total, 345);
    let ndjson = app
        .get("/api/v1/pledges/export.ndjson")
        .await
        .text()
        .await
        .unwrap();
    let mut ids: Vec<String> = ndjson
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 345);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 345, "no pledge twice across batches");
    let csv_text = app
        .get("/api/v1/pledges/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .count(),
        345
    );
}
