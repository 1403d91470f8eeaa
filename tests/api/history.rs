//! Figures over time: `GET /stats?as_of=` and `GET /stats/history`, read from the days' closes
//! that counted changes keep, and the annual report pack built on them.

use chrono::{Datelike, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app, TestApp},
    live::{pledge_body, publish, stage},
    reports::backdate,
};

/// Moves every stored scope's last change to noon on `day`, as if nothing had been counted
/// since: the figures stored now become that day's.
async fn last_changed_on(app: &TestApp, day: &'static str) {
    let statement = match app.backend() {
        pledgeboard::db::Backend::Sqlite => format!(
            "UPDATE counter_scopes SET updated_at = '{day} 12:00:00', \
             state = json_set(state, '$.updated_at', '{day}T12:00:00Z')"
        ),
        pledgeboard::db::Backend::Postgres => format!(
            "UPDATE counter_scopes SET updated_at = '{day} 12:00:00', \
             state = jsonb_set(state::jsonb, '{{updated_at}}', '\"{day}T12:00:00Z\"')::text"
        ),
    };
    run_sql(app, statement).await;
}

async fn run_sql(app: &TestApp, statement: String) {
    app.db
        .run(move |conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(statement).execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn pledges_as_of(app: &TestApp, query: &str) -> u64 {
    let resp = app.get(&format!("/api/v1/stats?{query}")).await;
    assert_eq!(resp.status(), StatusCode::OK, "{query}");
    resp.json::<Value>().await.unwrap()["pledges"]
        .as_u64()
        .unwrap()
}

fn points(history: &Value) -> Vec<(String, u64)> {
    history["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["date"].as_str().unwrap().to_owned(),
                p["pledges"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn past_dates_read_the_figures_that_stood_then_and_never_move() {
    let app = spawn_app().await;
    let stage = stage(
        &app,
        "owner@history.example",
        "Past Figures",
        "mod@history.example",
    )
    .await;
    publish(
        &app,
        &stage,
        pledge_body("First", &["ldc5"], &["NPL"], 1_000),
    )
    .await;
    last_changed_on(&app, "2025-12-30").await;
    // Nothing changed since the 30th: the stored figures are those of every later date.
    assert_eq!(pledges_as_of(&app, "as_of=2025-12-31").await, 1);
    assert_eq!(pledges_as_of(&app, "as_of=2025-12-30&track=ldc5").await, 1);

    // Today's first change keeps the 30th's figures as that day's close.
    publish(
        &app,
        &stage,
        pledge_body("Second", &["ldc5"], &["NPL"], 500),
    )
    .await;
    let year_end = app.get_json("/api/v1/stats?as_of=2025-12-31").await;
    assert_eq!(year_end["pledges"], 1);
    assert_eq!(year_end["usd_pledged"], 1_000);
    assert!(year_end.get("pending").is_none());
    assert_eq!(pledges_as_of(&app, "as_of=2025-12-31&track=ldc5").await, 1);
    // Before anything was counted, the figures were empty.
    assert_eq!(pledges_as_of(&app, "as_of=2025-12-29").await, 0);
    let today = Utc::now().date_naive();
    assert_eq!(pledges_as_of(&app, &format!("as_of={today}")).await, 2);
    assert_eq!(pledges_as_of(&app, "").await, 2);
    // Asked again after more changes, a past date says the same, byte for byte.
    publish(&app, &stage, pledge_body("Third", &["p2c"], &["NPL"], 10)).await;
    assert_eq!(
        app.get_json("/api/v1/stats?as_of=2025-12-31").await,
        year_end
    );

    // Staff see the pending figures as they stood.
    let staff = app
        .client
        .get(app.url("/api/v1/stats?as_of=2025-12-31"))
        .bearer_auth(&stage.moderator.access)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(staff["pending"]["pledges"], 0);

    let series = app
        .get_json("/api/v1/stats/history?from=2025-12-29&to=2025-12-31")
        .await;
    assert_eq!(series["interval"], "day");
    assert_eq!(
        points(&series),
        [
            ("2025-12-29".to_owned(), 0),
            ("2025-12-30".to_owned(), 1),
            ("2025-12-31".to_owned(), 1)
        ]
    );
    assert_eq!(series["points"][1]["usd_pledged"], 1_000);
    let monthly = app
        .get_json("/api/v1/stats/history?track=ldc5&interval=month&from=2025-11-15")
        .await;
    let monthly = points(&monthly);
    assert_eq!(monthly[0], ("2025-11-30".to_owned(), 0));
    assert_eq!(monthly[1], ("2025-12-31".to_owned(), 1));
    assert_eq!(monthly.last().unwrap(), &(today.to_string(), 2));
    // By default, the last thirty days up to today.
    let recent = points(&app.get_json("/api/v1/stats/history").await);
    assert_eq!(recent.len(), 30);
    assert_eq!(recent.last().unwrap(), &(today.to_string(), 3));
}

#[tokio::test]
async fn before_the_recorded_history_and_beyond_today_are_refused_clearly() {
    let app = spawn_app().await;
    let stage = stage(
        &app,
        "owner@bounds.example",
        "Bounded Figures",
        "mod@bounds.example",
    )
    .await;
    publish(
        &app,
        &stage,
        pledge_body("The only one", &["ldc5"], &["NPL"], 1_000),
    )
    .await;
    let tomorrow = Utc::now().date_naive() + Duration::days(1);
    let resp = app.get(&format!("/api/v1/stats?as_of={tomorrow}")).await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future").await;
    let resp = app
        .get(&format!("/api/v1/stats/history?to={tomorrow}"))
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future").await;
    let resp = app
        .get("/api/v1/stats/history?from=2025-03-02&to=2025-03-01")
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "range_reversed").await;
    let resp = app
        .get("/api/v1/stats/history?from=2015-01-01&to=2025-01-01")
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "range_too_long").await;
    let resp = app.get("/api/v1/stats?as_of=2025-02-30").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    let resp = app.get("/api/v1/stats/history?interval=week").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    let resp = app.get("/api/v1/stats?as_of=2025-01-01&track=nope").await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;

    // A database upgraded to record history knows nothing before the upgrade's day.
    run_sql(
        &app,
        "INSERT INTO counter_days (scope, day, state, history_starts) \
         SELECT scope, '2025-06-01', state, TRUE FROM counter_scopes"
            .to_owned(),
    )
    .await;
    last_changed_on(&app, "2025-06-01").await;
    assert_eq!(pledges_as_of(&app, "as_of=2025-06-01").await, 1);
    let resp = app.get("/api/v1/stats?as_of=2025-05-31").await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "before_history").await;
    assert!(problem["detail"].as_str().unwrap().contains("2025-06-01"));
}

#[tokio::test]
async fn the_annual_pack_of_a_closed_year_is_sealed_and_reads_the_same_ever_after() {
    let app = spawn_app().await;
    let stage = stage(
        &app,
        "owner@annual.example",
        "Annual Ministry",
        "mod@annual.example",
    )
    .await;
    let id = publish(
        &app,
        &stage,
        pledge_body("Connect clinics", &["ldc5"], &["NPL"], 1_000),
    )
    .await;
    backdate(&app, &id, "2025-03-06").await;
    let report = json!({"year": 2025, "implementation_status": "in_progress",
        "narrative": "Twelve clinics connected.", "usd_disbursed": 200, "people_reached": 300,
        "deliverables": [{"deliverable": 0, "value": 40}]});
    let reports = format!("/api/v1/pledges/{id}/reports");
    let resp = app
        .send(
            Method::POST,
            &reports,
            Some(&stage.owner.access),
            Some(&report),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = app
        .send(
            Method::POST,
            &format!("{reports}/2025/accept"),
            Some(&stage.moderator.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    run_sql(
        &app,
        format!("UPDATE progress_reports SET reviewed_at = '2025-11-02 09:00:00' WHERE pledge_id = '{id}'"),
    )
    .await;
    last_changed_on(&app, "2025-12-30").await;
    // This year's pledges leave the closed year as it was.
    publish(
        &app,
        &stage,
        pledge_body("A later pledge", &["p2c"], &["GHA"], 500),
    )
    .await;

    let resp = app.get("/api/v1/reports/annual/2025").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let sealed = resp.text().await.unwrap();
    let pack: Value = serde_json::from_str(&sealed).unwrap();
    assert_eq!(pack["year"], 2025);
    assert_eq!(pack["closed"], true);
    assert_eq!(pack["through"], "2025-12-31");
    let scopes: Vec<&str> = pack["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes[0], "all");
    assert!(scopes.contains(&"ldc5") && scopes.contains(&"p2c"));
    let scope = |slug: &str| {
        pack["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scope"] == slug)
            .unwrap()
            .clone()
    };
    let all = scope("all");
    assert_eq!(all["name"], "All pledges");
    assert_eq!(
        all["published"],
        json!({"pledges": 1, "usd_pledged": 1_000, "withdrawn": 0})
    );
    assert_eq!(all["reports"], json!({"accepted": 1, "usd_disbursed": 200}));
    assert_eq!(
        all["lights"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        1
    );
    assert_eq!(all["year_end"]["figures"]["date"], "2025-12-31", "{pack}");
    assert_eq!(all["year_end"]["figures"]["pledges"], 1);
    assert_eq!(all["year_end"]["figures"]["usd_pledged"], 1_000);
    assert_eq!(all["year_end"]["figures"]["usd_disbursed"], 200);
    assert_eq!(all["year_end"]["usd_by_sdg"]["9"], 1_000);
    assert_eq!(scope("ldc5")["published"]["pledges"], 1);
    assert_eq!(scope("p2c")["published"]["pledges"], 0);
    assert_eq!(scope("p2c")["year_end"]["figures"]["pledges"], 0);

    // More changes, a report returned to the past: the sealed pack does not move.
    publish(
        &app,
        &stage,
        pledge_body("Yet another pledge", &["ldc5"], &["NPL"], 70),
    )
    .await;
    backdate(&app, &id, "2025-01-02").await;
    let again = app
        .get("/api/v1/reports/annual/2025")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(again, sealed);

    let resp = app.get("/api/v1/reports/annual/2025?format=csv").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    assert!(csv.starts_with("year,scope,measure,key,value\n"), "{csv}");
    assert!(csv.contains("2025,all,published_pledges,,1\n"), "{csv}");
    assert!(
        csv.contains("2025,ldc5,year_end_usd_by_sdg,9,1000\n"),
        "{csv}"
    );
    assert_eq!(
        app.get("/api/v1/reports/annual/2025?format=csv")
            .await
            .text()
            .await
            .unwrap(),
        csv
    );

    // The running year is counted up to today.
    let this_year = Utc::now().year();
    let running = app
        .get_json(&format!("/api/v1/reports/annual/{this_year}"))
        .await;
    assert_eq!(running["closed"], false);
    assert_eq!(running["through"], Utc::now().date_naive().to_string());
    assert_eq!(running["scopes"][0]["published"]["pledges"], 2);
    assert_eq!(running["scopes"][0]["year_end"]["figures"]["pledges"], 3);

    let resp = app
        .get(&format!("/api/v1/reports/annual/{}", this_year + 1))
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "date_in_future").await;
    let resp = app.get("/api/v1/reports/annual/1999").await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "year_out_of_range").await;
    let resp = app.get("/api/v1/reports/annual/last").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_path").await;
    let resp = app.get("/api/v1/reports/annual/2025?format=xlsx").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}
