//! Yearly progress reports, and the USD disbursed they feed into the live counters.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app},
    live::{pledge_body, publish, stage, stats_until},
};

#[tokio::test]
async fn reports_count_once_accepted_and_a_returned_report_is_filed_again() {
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
    let report = |year: i32, usd: i64, schools: i64| {
        json!({"year": year, "implementation_status": "in_progress", "narrative": "Twelve clinics connected.",
               "usd_disbursed": usd, "people_reached": 3000,
               "deliverables": [{"deliverable": 0, "value": schools}]})
    };
    let pledge_path = format!("/api/v1/pledges/{id}");
    assert_eq!(app.get_json(&pledge_path).await["light"], "no_report");

    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&outsider.access),
            Some(&report(2024, 1, 1)),
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .send(Method::POST, &path, None, Some(&report(2024, 1, 1)))
        .await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;

    // Filed: waiting for review, seen by the organisation, not by the public, counted nowhere.
    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2024, 1_000, 40)),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let filed: Value = resp.json().await.unwrap();
    assert_eq!(filed["review"], "submitted");
    assert_eq!(filed["deliverables"][0]["value"], 40.0);
    let public: Value = app.get_json(&path).await;
    assert_eq!(public["items"], json!([]));
    let own: Value = app
        .send(Method::GET, &path, Some(&s.owner.access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["items"][0]["review"], "submitted");
    let queue: Value = app
        .send(
            Method::GET,
            "/api/v1/moderation/reports",
            Some(&s.moderator.access),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["items"][0]["pledge_id"], id.as_str());
    let resp = app
        .send(
            Method::GET,
            "/api/v1/moderation/reports",
            Some(&s.owner.access),
            None,
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;

    // Returned with a reason: the organisation is told, and files it again.
    let review = |year: i32, action: &str| format!("{path}/{year}/{action}");
    let resp = app
        .send(
            Method::POST,
            &review(2024, "accept"),
            Some(&s.owner.access),
            None,
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .send(
            Method::POST,
            &review(2024, "return"),
            Some(&s.moderator.access),
            Some(&json!({"reason": " "})),
        )
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = app
        .send(
            Method::POST,
            &review(2024, "return"),
            Some(&s.moderator.access),
            Some(&json!({"reason": "Give the clinics connected in 2024."})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let returned: Value = resp.json().await.unwrap();
    assert_eq!(returned["review"], "returned");
    assert_eq!(
        returned["return_reason"],
        "Give the clinics connected in 2024."
    );
    let mail = app
        .email("report@example.org", "progress report 2024 was returned")
        .await;
    assert!(
        mail.contains("Give the clinics connected in 2024."),
        "{mail}"
    );
    let resp = app
        .send(
            Method::POST,
            &review(2024, "accept"),
            Some(&s.moderator.access),
            None,
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "report_not_submitted").await;
    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2024, 1_500, 60)),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the year's report is replaced"
    );
    assert_eq!(app.get_json(&pledge_path).await["usd_disbursed"], 0);

    // Accepted: it counts, the public sees it, and it stands as the year's record.
    let resp = app
        .send(
            Method::POST,
            &review(2024, "accept"),
            Some(&s.moderator.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    stats_until(&app, "", None, |b| b["usd_disbursed"] == 1_500).await;
    stats_until(&app, "?track=ldc5", None, |b| b["usd_disbursed"] == 1_500).await;
    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2024, 9, 9)),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "report_accepted").await;
    let resp = app
        .send(
            Method::POST,
            &review(2031, "accept"),
            Some(&s.moderator.access),
            None,
        )
        .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;

    let resp = app
        .send(
            Method::POST,
            &path,
            Some(&s.owner.access),
            Some(&report(2025, 500, 100)),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    app.send(
        Method::POST,
        &review(2025, "accept"),
        Some(&s.moderator.access),
        None,
    )
    .await;
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
    assert_eq!(listed["items"][0]["review"], "accepted");
    let shown = app.get_json(&pledge_path).await;
    assert_eq!(shown["usd_disbursed"], 2_000);
    // The one deliverable (100 schools by the end of 2025) reached its target in 2025.
    assert_eq!(shown["light"], "on_track");
    let history: Value = app.get_json(&format!("/api/v1/pledges/{id}/history")).await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["progress_report", "report_returned", "report_accepted"] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }

    // The catalogue filters on the light, and the export carries it.
    let ids_of = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let on_track = app.get_json("/api/v1/pledges?light=on_track").await;
    assert_eq!(ids_of(on_track), std::slice::from_ref(&id));
    let none = app.get_json("/api/v1/pledges?light=no_report").await;
    assert!(ids_of(none).is_empty());
    let resp = app.get("/api/v1/pledges?light=green").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    let csv = app
        .get("/api/v1/pledges/export.csv?light=on_track")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row = lines.next().unwrap();
    let light_column = header.iter().position(|c| *c == "light").unwrap();
    assert!(row.contains("on_track"), "{row}");
    assert!(light_column > 0);
    // Time alone moves lights: years later with no further report, the stored light follows
    // once the daily refresh runs (the date is given, not waited for).
    let later = chrono::NaiveDate::from_ymd_opt(2031, 1, 1).unwrap();
    let changed = app
        .db
        .run(move |conn| pledgeboard::db::pledges::refresh_lights(conn, later))
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let at_risk = app.get_json("/api/v1/pledges?light=at_risk").await;
    assert_eq!(ids_of(at_risk), std::slice::from_ref(&id));

    let bad = json!({"year": 1999, "implementation_status": "almost", "narrative": "", "usd_disbursed": -5,
                     "deliverables": [{"deliverable": 3, "value": 1}]});
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
        "deliverables[0].deliverable",
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
            Some(&report(2026, 1, 1)),
        )
        .await;
    assert_problem(resp, StatusCode::CONFLICT, "not_published").await;
}

/// Pretends a pledge was published on the given day.
pub(crate) async fn backdate(app: &crate::helpers::TestApp, id: &str, day: &str) {
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
