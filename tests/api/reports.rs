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

/// Pretends a pledge was published on the given day.
async fn backdate(app: &crate::helpers::TestApp, id: &str, day: &str) {
    let (id, at) = (
        id.to_owned(),
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap(),
    );
    app.db
        .run(move |conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::pledges;
            diesel::update(pledges::table.find(id))
                .set(pledges::published_at.eq(Some(at)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn organisations_are_reminded_once_of_a_missing_yearly_report() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "remind@example.org",
        "Reminded Ministry",
        "remind-mod@example.org",
    )
    .await;
    let owed = publish(
        &app,
        &s,
        pledge_body("Owes a report for 2025", &["p2c"], &["GHA"], 1),
    )
    .await;
    let filed = publish(
        &app,
        &s,
        pledge_body("Filed its 2025 report", &["p2c"], &["GHA"], 1),
    )
    .await;
    let recent = publish(
        &app,
        &s,
        pledge_body("Published only this year", &["p2c"], &["GHA"], 1),
    )
    .await;
    backdate(&app, &owed, "2025-03-01").await;
    backdate(&app, &filed, "2025-03-01").await;
    backdate(&app, &recent, "2026-02-01").await;
    let report = json!({"year": 2025, "implementation_status": "completed", "narrative": "Done.", "usd_disbursed": 1});
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{filed}/reports"),
            Some(&s.owner.access),
            Some(&report),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);

    let links = pledgeboard::email::Links {
        public_url: app.settings.effective_public_url(),
    };
    let again = links.clone();
    let sent = app
        .db
        .run(move |conn| pledgeboard::services::reports::send_due_reminders(conn, 2025, &links))
        .await
        .unwrap();
    assert_eq!(sent, 1, "only the pledge that owes its 2025 report");
    let mail = app
        .email(
            "remind@example.org",
            "Progress report due: Owes a report for 2025 (2025)",
        )
        .await;
    assert!(mail.contains(&format!("/api/v1/pledges/{owed}/reports")));
    let twice = app
        .db
        .run(move |conn| pledgeboard::services::reports::send_due_reminders(conn, 2025, &again))
        .await
        .unwrap();
    assert_eq!(twice, 0, "one reminder per pledge and year");
}

#[tokio::test]
async fn the_service_sends_due_reminders_by_itself() {
    let app = crate::helpers::spawn_app_with(|s| s.reminder_interval_secs = 1).await;
    let s = stage(
        &app,
        "auto@example.org",
        "Automatic Ministry",
        "auto-mod@example.org",
    )
    .await;
    let id = publish(
        &app,
        &s,
        pledge_body("Reminded without asking", &["p2c"], &["GHA"], 1),
    )
    .await;
    backdate(&app, &id, "2020-05-05").await;
    let last_year = chrono::Datelike::year(&chrono::Utc::now()) - 1;
    app.email(
        "auto@example.org",
        &format!("Progress report due: Reminded without asking ({last_year})"),
    )
    .await;
}
