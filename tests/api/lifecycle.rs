//! The lifecycle after publication: completion by a final report, inactivity after two missed
//! reporting years (the day is given, not waited for) lifted by the next accepted report, and
//! withdrawal that keeps a published pledge public.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app, TestApp},
    live::{pledge_body, publish, stage, stats_until, Stage},
};

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Runs the daily lifecycle round as of `today`.
async fn round_on(
    app: &TestApp,
    today: chrono::NaiveDate,
) -> pledgeboard::services::lifecycle::Round {
    let links = pledgeboard::email::Links {
        public_url: app.settings.effective_public_url(),
    };
    app.db
        .run(move |conn| pledgeboard::services::lifecycle::apply(conn, today, &links))
        .await
        .unwrap()
}

/// Files a report and has the stage's moderator accept it.
async fn accepted_report(
    app: &TestApp,
    s: &Stage,
    id: &str,
    year: i32,
    status: &str,
    is_final: bool,
) -> Value {
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/reports"),
            Some(&s.owner.access),
            Some(
                &json!({"year": year, "implementation_status": status, "narrative": "Work done.",
                         "final": is_final, "deliverables": [{"deliverable": 0, "value": 100}]}),
            ),
        )
        .await;
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/reports/{year}/accept"),
            Some(&s.moderator.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    own_view(app, s, &format!("/api/v1/pledges/{id}")).await
}

async fn own_view(app: &TestApp, s: &Stage, path: &str) -> Value {
    app.send(Method::GET, path, Some(&s.owner.access), None)
        .await
        .json()
        .await
        .unwrap()
}

fn actions(history: &Value) -> Vec<(String, String)> {
    history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["to_status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn two_missed_reporting_years_make_a_pledge_inactive_until_a_report_is_accepted() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "life@example.org",
        "Lifecycle Ministry",
        "life-mod@example.org",
    )
    .await;
    let id = publish(
        &app,
        &s,
        pledge_body("Connect 40 clinics", &["ldc5"], &["NPL"], 500),
    )
    .await;
    let path = format!("/api/v1/pledges/{id}");
    let published_at = app.get_json(&path).await["published_at"].clone();
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());

    // Nothing owed yet.
    assert_eq!(
        round_on(&app, day(this_year, 12, 31)).await,
        Default::default()
    );
    // The first year's report is missed; two months before the second deadline, a reminder,
    // once.
    let second_deadline = day(this_year + 2, 3, 31);
    let before = second_deadline - chrono::Duration::days(59);
    let round = round_on(&app, before).await;
    assert_eq!((round.reminded, round.inactive), (1, 0));
    assert_eq!(round_on(&app, before).await.reminded, 0);
    let mail = app.email("life@example.org", "Second reminder").await;
    assert!(
        mail.contains(&format!("due by {second_deadline}")),
        "{mail}"
    );
    assert_eq!(own_view(&app, &s, &path).await["status"], "published");

    // The second deadline passes: inactive, still public, still counted, and told.
    let after = second_deadline + chrono::Duration::days(1);
    let round = round_on(&app, after).await;
    assert_eq!((round.reminded, round.inactive), (0, 1));
    assert_eq!(round_on(&app, after).await.inactive, 0);
    // (Read as the organisation: an anonymous read may be served from the public cache for a
    // short while, as any HTTP cache may.)
    let inactive = own_view(&app, &s, &path).await;
    assert_eq!(inactive["status"], "inactive");
    assert_eq!(inactive["published_at"], published_at);
    app.email("life@example.org", "now inactive").await;
    // Still in the all-time figures, out of the active ones.
    stats_until(&app, "", None, |b| {
        b["pledges"] == 1
            && b["usd_pledged"] == 500
            && b["active"]["pledges"] == 0
            && b["active"]["usd_pledged"] == 0
    })
    .await;
    let listed = app.get_json("/api/v1/pledges?status=inactive").await;
    assert_eq!(listed["items"][0]["id"], id.as_str());
    let history = app.get_json(&format!("{path}/history")).await;
    assert!(actions(&history).contains(&("inactive".to_owned(), "inactive".to_owned())));

    // A report accepted on it brings it back, publication date unchanged.
    let back = accepted_report(&app, &s, &id, this_year + 1, "in_progress", false).await;
    assert_eq!(back["status"], "published");
    assert_eq!(back["published_at"], published_at);
    stats_until(&app, "", None, |b| b["active"]["pledges"] == 1).await;
    let history = app.get_json(&format!("{path}/history")).await;
    assert!(actions(&history).contains(&("reactivate".to_owned(), "published".to_owned())));
    // That report covers the years before it: nothing more is owed on that day.
    assert_eq!(round_on(&app, after).await, Default::default());
}

#[tokio::test]
async fn an_accepted_final_report_completes_a_pledge() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "done@example.org",
        "Done Ministry",
        "done-mod@example.org",
    )
    .await;
    let mut body = pledge_body("Connect 100 schools", &["ldc5"], &["NPL"], 700);
    body["regions"] = json!(["Asia"]);
    let id = publish(&app, &s, body).await;
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());

    let bad = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/reports"),
            Some(&s.owner.access),
            Some(
                &json!({"year": this_year, "implementation_status": "in_progress",
                         "narrative": "Not quite.", "final": true}),
            ),
        )
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "final_needs_completed");

    let done = accepted_report(&app, &s, &id, this_year, "completed", true).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["light"], "completed");
    // Still counted and public; nothing more happens to it.
    // All-time figures keep it, with its money in the breakdowns (the region it names; Nepal
    // is an LDC); the active ones do not.
    let stats = stats_until(&app, "", None, |b| {
        b["pledges"] == 1 && b["usd_pledged"] == 700 && b["active"]["pledges"] == 0
    })
    .await;
    assert_eq!(stats["usd_by_region"], json!({"Asia": 700}));
    assert_eq!(stats["usd_to_ldcs"], 700);
    let sdgs = stats["usd_by_sdg"].as_object().unwrap();
    assert!(
        !sdgs.is_empty() && sdgs.values().all(|v| v == 700),
        "{stats}"
    );
    let completed = app.get_json("/api/v1/pledges?status=completed").await;
    assert_eq!(completed["items"][0]["id"], id.as_str());
    let again = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/reports"),
            Some(&s.owner.access),
            Some(&json!({"year": this_year + 1, "implementation_status": "completed", "narrative": "More."})),
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT, "not_published").await;
    let withdraw = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/withdraw"),
            Some(&s.owner.access),
            Some(&json!({})),
        )
        .await;
    assert_problem(withdraw, StatusCode::CONFLICT, "invalid_transition").await;
    assert_eq!(
        round_on(&app, day(this_year + 5, 6, 1)).await,
        Default::default()
    );
}

#[tokio::test]
async fn a_pledge_withdrawn_after_publication_stays_public_and_a_withdrawn_draft_does_not() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "gone@example.org",
        "Gone Ministry",
        "gone-mod@example.org",
    )
    .await;
    let published = publish(
        &app,
        &s,
        pledge_body("Announced then withdrawn", &["ldc5"], &["NPL"], 300),
    )
    .await;
    let draft = crate::live::create_pledge(
        &app,
        &s.owner,
        &pledge_body("Never announced", &["ldc5"], &["NPL"], 1),
    )
    .await;
    for id in [&published, &draft] {
        let resp = app
            .send(
                Method::POST,
                &format!("/api/v1/pledges/{id}/withdraw"),
                Some(&s.owner.access),
                Some(&json!({})),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let shown = app.get_json(&format!("/api/v1/pledges/{published}")).await;
    assert_eq!(shown["status"], "withdrawn");
    assert!(shown["withdrawn_at"].is_string(), "{shown}");
    assert_eq!(
        app.get(&format!("/api/v1/pledges/{draft}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed = app.get_json("/api/v1/pledges?status=withdrawn").await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [published.as_str()]);
    // Counted nowhere.
    stats_until(&app, "", None, |b| {
        b["pledges"] == 0 && b["usd_pledged"] == 0
    })
    .await;
    assert!(app.get_json("/api/v1/pledges").await["items"]
        .as_array()
        .unwrap()
        .is_empty());
}
