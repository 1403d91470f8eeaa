//! Bulk import from CSV: dry runs that announce exactly what a commit creates, reruns that
//! create nothing twice, published imports that move the counters exactly, problems named by
//! row and column, and an export of one registry imported into another.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{
    counters::assert_exact,
    helpers::{assert_problem, spawn_app, texts_at, Session, TestApp},
    live::{pledge_body, publish, stage},
    pledges::json_with,
};

/// The columns the test files use: a subset of the export's, and an explicit reference.
const HEADER: &str = "external_ref,organisation_name,organisation_kind,organisation_country,\
title,summary,description,type,focus_areas,sdgs,tracks,countries,value_currency,\
value_amount_minor,value_usd,deliverables,published_at";

const DELIVERABLES: &str = r#""[{""what"":""Connect schools"",""indicator"":""Schools connected"",""unit"":""schools"",""target"":100,""due_date"":""2025-12-31""}]""#;

/// One row of a test file.
fn line(reference: &str, org: &str, kind: &str, title: &str, sdgs: &str, usd: i64) -> String {
    format!(
        "{reference},{org},{kind},NPL,{title},Fibre for rural schools by 2027.,\
         Fibre and solar power for rural schools.,financial,access,{sdgs},ldc5,NPL,USD,{},{usd},\
         {DELIVERABLES},2024-03-0{}T10:00:00Z",
        usd * 100,
        1 + usd % 9,
    )
}

fn file(lines: &[String]) -> String {
    let mut text = HEADER.to_owned();
    for l in lines {
        text.push('\n');
        text.push_str(l);
    }
    text.push('\n');
    text
}

async fn post_import(app: &TestApp, who: &Session, query: &str, body: String) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(&who.access)
        .header("Content-Type", "text/csv; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Commits an import and waits for its end; returns its final state.
async fn commit(app: &TestApp, who: &Session, query: &str, body: String) -> Value {
    let resp = post_import(app, who, query, body).await;
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let started = json_with(resp, StatusCode::ACCEPTED).await;
    assert_eq!(
        location,
        format!("/api/v1/imports/{}", started["id"].as_str().unwrap())
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut rows_done = 0;
    let last = loop {
        let resp = app
            .send(Method::GET, &location, Some(&who.access), None)
            .await;
        let state = json_with(resp, StatusCode::OK).await;
        // Progress moves on batch by batch, never back.
        let now_done = state["rows_done"].as_i64().unwrap();
        assert!(now_done >= rows_done, "{state}");
        rows_done = now_done;
        if state["status"] != "running" || tokio::time::Instant::now() > deadline {
            break state;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(last["status"], "done", "{last}");
    last
}

/// The problems of a dry run's rows, in order.
fn problems(dry_run: &Value) -> Vec<Value> {
    dry_run["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["errors"].as_array().unwrap().clone())
        .collect()
}

/// Pledges in `status`, as an admin reads the catalogue (one page).
async fn catalogue(app: &TestApp, admin: &Session, status: &str) -> Vec<Value> {
    let resp = app
        .send(
            Method::GET,
            &format!("/api/v1/pledges?status={status}&limit=100"),
            Some(&admin.access),
            None,
        )
        .await;
    json_with(resp, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_dry_run_announces_what_the_commit_creates_and_a_rerun_creates_nothing() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "events@p2c.example").await;
    let admin = app.staff("admin", "admin@p2c.example").await;
    let ministry = "Ministry of ICT";
    let lines: Vec<String> = [
        (
            "reg-a:1",
            ministry,
            "government",
            "Connecting 500 schools",
            "4;9",
            10,
        ),
        // The same organisation, whatever the case: created once.
        (
            "reg-a:2",
            "MINISTRY OF ICT",
            "",
            "Training 2000 teachers",
            "4",
            20,
        ),
        // Problems, each named by its row and column.
        ("reg-a:3", ministry, "government", "Bad goals", "4;99", 30),
        (
            "reg-a:4",
            "A New Network",
            "",
            "No kind for a new organisation",
            "9",
            40,
        ),
        // A reference met before in the file.
        (
            "reg-a:1",
            ministry,
            "government",
            "Connecting 500 schools",
            "4;9",
            10,
        ),
        (
            "",
            "Connect Foundation",
            "civil_society",
            "Without a reference",
            "9",
            50,
        ),
    ]
    .into_iter()
    .map(|(reference, org, kind, title, sdgs, usd)| line(reference, org, kind, title, sdgs, usd))
    .collect();
    let body = file(&lines);

    let resp = post_import(&app, &organiser, "?dry_run=true", body.clone()).await;
    let dry = json_with(resp, StatusCode::OK).await;
    assert_eq!(dry["rows_done"], 6, "{dry}");
    assert_eq!(
        (
            dry["created"].as_i64(),
            dry["skipped"].as_i64(),
            dry["errors"].as_i64()
        ),
        (Some(3), Some(1), Some(2)),
        "{dry}"
    );
    let outcomes = texts_at(&dry["items"], "outcome");
    assert_eq!(
        outcomes,
        ["create", "create", "error", "error", "skip", "create"]
    );
    assert_eq!(dry["items"][0]["new_organisation"], true);
    assert_eq!(dry["items"][1]["new_organisation"], false);
    let found: Vec<(i64, String, String)> = problems(&dry)
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .any(|(row, column, _)| *row == 4 && column == "sdgs"),
        "{found:?}"
    );
    assert!(
        found.contains(&(5, "organisation_kind".to_owned(), "required".to_owned())),
        "{found:?}"
    );
    // The dry run wrote nothing.
    assert!(catalogue(&app, &admin, "submitted").await.is_empty());

    let done = commit(&app, &organiser, "", body.clone()).await;
    for total in ["rows_done", "created", "skipped", "errors"] {
        assert_eq!(done[total], dry[total], "{total}: {done} after {dry}");
    }
    assert_eq!(done["problems"].as_array().unwrap(), &problems(&dry));
    let submitted = catalogue(&app, &admin, "submitted").await;
    let mut titles: Vec<String> = submitted
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Connecting 500 schools",
            "Training 2000 teachers",
            "Without a reference"
        ]
    );
    let orgs: std::collections::HashSet<&str> = submitted
        .iter()
        .map(|p| p["organisation"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(orgs.len(), 2, "one Ministry of ICT, one foundation");
    // Imported pledges wait for moderation, and are counted as pending.
    let stats = app
        .send(Method::GET, "/api/v1/stats", Some(&admin.access), None)
        .await;
    assert_eq!(
        json_with(stats, StatusCode::OK).await["pending"]["pledges"],
        3
    );
    assert_exact(&app, &"a submitted import").await;

    // Again: the references were imported; only the row without one is created again.
    let again = commit(&app, &organiser, "", body).await;
    assert_eq!(
        (again["created"].as_i64(), again["skipped"].as_i64()),
        (Some(1), Some(3)),
        "{again}"
    );
    assert_eq!(catalogue(&app, &admin, "submitted").await.len(), 4);
}

#[tokio::test]
async fn a_published_import_keeps_its_dates_and_moves_the_counters_exactly() {
    let app = spawn_app().await;
    let admin = app.staff("admin", "admin@p2c.example").await;
    let organiser = app.staff("organiser", "events@p2c.example").await;
    let lines: Vec<String> = (1..=450)
        .map(|n| {
            line(
                &format!("reg:{n}"),
                &format!("Organisation {}", n % 7),
                "private_sector",
                &format!("Pledge number {n}"),
                "9",
                n,
            )
        })
        .collect();
    let body = file(&lines);

    let resp = post_import(&app, &organiser, "?publish=true", body.clone()).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "publish_needs_admin").await;

    let done = commit(&app, &admin, "?publish=true", body).await;
    assert_eq!(done["created"], 450, "{done}");
    assert_exact(&app, &"a published import of 450 rows").await;
    let stats = app.get_json("/api/v1/stats?track=ldc5").await;
    assert_eq!(stats["pledges"], 450);
    assert_eq!(stats["usd_pledged"], (1..=450).sum::<i64>());
    assert_eq!(stats["entities"], 7);
    let first = app.get_json("/api/v1/pledges?q=number&limit=1").await;
    let pledge = &first["items"][0];
    assert_eq!(pledge["status"], "published");
    assert!(
        pledge["published_at"]
            .as_str()
            .unwrap()
            .starts_with("2024-03-0"),
        "{pledge}"
    );
    assert!(catalogue(&app, &admin, "submitted").await.is_empty());
}

#[tokio::test]
async fn an_export_of_one_registry_imports_into_another() {
    let source = spawn_app().await;
    let s = stage(
        &source,
        "open@example.org",
        "Open Data Ministry",
        "mod@example.org",
    )
    .await;
    publish(
        &source,
        &s,
        pledge_body("=Connect 200 schools", &["ldc5"], &["NPL"], 200),
    )
    .await;
    publish(
        &source,
        &s,
        pledge_body("Train 5,000 teachers", &["p2c"], &["GHA", "KEN"], 300),
    )
    .await;
    let export = source
        .get("/api/v1/pledges/export.csv")
        .await
        .text()
        .await
        .unwrap();

    let target = spawn_app().await;
    let admin = target.staff("admin", "admin@p2c.example").await;
    let dry = json_with(
        post_import(
            &target,
            &admin,
            "?dry_run=true&publish=true",
            export.clone(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dry["created"], 2, "{dry}");
    let done = commit(&target, &admin, "?publish=true", export.clone()).await;
    assert_eq!(done["created"], 2, "{done}");

    let read = |app: &TestApp| {
        let url = app.url("/api/v1/pledges/export.csv");
        let client = app.client.clone();
        async move {
            let text = client.get(url).send().await.unwrap().text().await.unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let header = reader.headers().unwrap().clone();
            let mut rows: Vec<Vec<(String, String)>> = reader
                .records()
                .map(|r| {
                    header
                        .iter()
                        .zip(r.unwrap().iter())
                        // Ids, the organisation's id and the creation time are the registry's own.
                        .filter(|(c, _)| !["id", "organisation_id", "created_at"].contains(c))
                        .map(|(c, v)| (c.to_owned(), v.to_owned()))
                        .collect()
                })
                .collect();
            rows.sort();
            rows
        }
    };
    assert_eq!(read(&target).await, read(&source).await);
    let (a, b) = (
        source.get_json("/api/v1/stats").await,
        target.get_json("/api/v1/stats").await,
    );
    for figure in [
        "pledges",
        "usd_pledged",
        "entities",
        "countries",
        "ldc_pledges",
    ] {
        assert_eq!(a[figure], b[figure], "{figure}");
    }
    assert_exact(&target, &"an imported export").await;
    // The same file again, and the registry's own export (its ids are its pledges'), import as
    // nothing new.
    let own = target
        .get("/api/v1/pledges/export.csv")
        .await
        .text()
        .await
        .unwrap();
    for file in [export, own] {
        let again = commit(&target, &admin, "?publish=true", file).await;
        assert_eq!(
            (again["created"].as_i64(), again["skipped"].as_i64()),
            (Some(0), Some(2))
        );
    }
}

#[tokio::test]
async fn bad_files_and_callers_are_refused_with_a_problem() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "events@p2c.example").await;
    let other = app.staff("organiser", "other@p2c.example").await;
    let pledger = app
        .pledger("amina@ict.gov.gh", "Ministry of Communications")
        .await;

    let resp = post_import(&app, &pledger, "", file(&[])).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&organiser.access)
        .json(&serde_json::json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(
        resp,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let resp = post_import(&app, &organiser, "", String::new()).await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "empty_file").await;
    let resp = post_import(
        &app,
        &organiser,
        "?dry_run=true",
        "title,colour\nA title,blue\n".to_owned(),
    )
    .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields = texts_at(&problem["errors"], "field");
    assert!(fields.contains(&"colour".to_owned()), "{problem}");
    assert!(
        fields.contains(&"organisation_name".to_owned()),
        "{problem}"
    );
    let resp = post_import(&app, &organiser, "?dry_run=maybe", file(&[])).await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;

    // A row that is not a record of the header's width, and a cell of the wrong kind.
    let mut broken = file(&[line(
        "r:1",
        "Ministry of ICT",
        "government",
        "Connecting 500 schools",
        "4;9",
        10,
    )]);
    broken.push_str("only,three,cells\n");
    broken = broken.replace(",USD,1000,10,", ",USD,1000,ten,");
    let dry = json_with(
        post_import(&app, &organiser, "?dry_run=true", broken).await,
        StatusCode::OK,
    )
    .await;
    let found = problems(&dry);
    assert_eq!(found[0]["row"], 2);
    assert_eq!(found[0]["column"], "value_usd");
    assert_eq!(found[0]["code"], "invalid_number");
    assert!(found.iter().any(|p| p["row"] == 3), "{dry}");

    // An import is its starter's and the admins'.
    let resp = post_import(&app, &organiser, "", file(&[])).await;
    let started = json_with(resp, StatusCode::ACCEPTED).await;
    let path = format!("/api/v1/imports/{}", started["id"].as_str().unwrap());
    let resp = app
        .send(Method::GET, &path, Some(&other.access), None)
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
}
