//! Bulk decisions: many pledges decided in one request, each standing or falling alone.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app},
    live::{create_pledge, pledge_body, stage, stats_until, submit_pledge},
};

#[tokio::test]
async fn a_bulk_decision_applies_each_decision_alone_and_leaves_a_stale_one_untouched() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "bulk@example.org",
        "Bulk Ministry",
        "bulk-mod@example.org",
    )
    .await;
    let mut submitted = Vec::new();
    for i in 0..5 {
        let id = create_pledge(
            &app,
            &s.owner,
            &pledge_body(&format!("Bulk pledge {i}"), &["ldc5"], &["NPL"], 100),
        )
        .await;
        let version = submit_pledge(&app, &s.owner, &id).await["version"]
            .as_i64()
            .unwrap();
        submitted.push((id, version));
    }
    let decision = |i: usize, decision: &str, version: i64, reason: Option<&str>| {
        let mut d = json!({"pledge_id": submitted[i].0, "decision": decision, "version": version});
        if let Some(reason) = reason {
            d["reason"] = json!(reason);
        }
        d
    };
    let body = json!({"decisions": [
        decision(0, "approve", submitted[0].1, None),
        // Stale: the moderator saw an older version.
        decision(1, "approve", submitted[1].1 - 1, None),
        decision(2, "reject", submitted[2].1, Some("Outside the coalition's remit.")),
        // A rejection needs a reason, as alone.
        decision(3, "reject", submitted[3].1, None),
        decision(4, "request_changes", submitted[4].1, Some("Give the amount in USD too.")),
    ]});

    let resp = app
        .send(
            Method::POST,
            "/api/v1/moderation/decisions",
            Some(&s.owner.access),
            Some(&body),
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;

    let resp = app
        .send(
            Method::POST,
            "/api/v1/moderation/decisions",
            Some(&s.moderator.access),
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let answer: Value = resp.json().await.unwrap();
    let results = answer["results"].as_array().unwrap();
    let summary: Vec<(u64, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["status"].as_u64().unwrap(),
                r["pledge"]["status"].as_str().unwrap_or_default(),
                r["problem"]["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (200, "published", ""),
            (412, "", "precondition_failed"),
            (200, "rejected", ""),
            (422, "", "validation_failed"),
            (200, "changes_requested", ""),
        ]
    );
    assert_eq!(results[3]["problem"]["errors"][0]["field"], "reason");
    for (result, (id, _)) in results.iter().zip(&submitted) {
        assert_eq!(result["pledge_id"], id.as_str());
    }
    // The refused ones are as they were; the counters moved for the one approval only.
    for i in [1, 3] {
        let pledge: Value = app
            .send(
                Method::GET,
                &format!("/api/v1/pledges/{}", submitted[i].0),
                Some(&s.owner.access),
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(pledge["status"], "submitted");
        assert_eq!(pledge["version"], submitted[i].1);
    }
    stats_until(&app, "", None, |b| {
        b["pledges"] == 1 && b["usd_pledged"] == 100
    })
    .await;
    app.email("bulk@example.org", "not accepted").await;

    // The body's own rules answer 422 and decide nothing.
    let twice = json!({"decisions": [
        decision(1, "approve", submitted[1].1, None),
        decision(1, "reject", submitted[1].1, Some("No.")),
    ]});
    let resp = app
        .send(
            Method::POST,
            "/api/v1/moderation/decisions",
            Some(&s.moderator.access),
            Some(&twice),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "duplicate");
    let empty = json!({"decisions": []});
    let resp = app
        .send(
            Method::POST,
            "/api/v1/moderation/decisions",
            Some(&s.moderator.access),
            Some(&empty),
        )
        .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

/// Runs the digest round at `hour`:00 UTC today, with digests due from 07:00.
pub(crate) async fn digests_at(app: &crate::helpers::TestApp, hour: u32) -> usize {
    let now = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap();
    let links = pledgeboard::email::Links {
        public_url: app.settings.effective_public_url(),
    };
    app.db
        .run(move |conn| pledgeboard::services::digest::send_due(conn, now, 7, &links))
        .await
        .unwrap()
}

#[tokio::test]
async fn moderators_get_a_daily_digest_of_their_remit_and_none_when_it_is_empty() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "digest@example.org",
        "Digest Ministry",
        "digest-mod@example.org",
    )
    .await;
    let admin = app.staff("admin", "digest-admin@example.org").await;
    let elsewhere = app.staff("moderator", "elsewhere-mod@example.org").await;
    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", elsewhere.user_id),
            Some(&admin.access),
            Some(&json!({"moderation_tracks": ["sdg-digital-day-2023"]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);

    // Nothing waits: no digest at all.
    assert_eq!(digests_at(&app, 8).await, 0);
    for i in 0..2 {
        let id = create_pledge(
            &app,
            &s.owner,
            &pledge_body(&format!("Waiting pledge {i}"), &["ldc5"], &["NPL"], 10),
        )
        .await;
        submit_pledge(&app, &s.owner, &id).await;
    }
    // Before the hour, nothing; from it, one digest per moderator whose remit has something,
    // once a day.
    assert_eq!(digests_at(&app, 6).await, 0);
    assert_eq!(digests_at(&app, 8).await, 1);
    assert_eq!(digests_at(&app, 9).await, 0);
    let mail = app
        .email("digest-mod@example.org", "Waiting for moderation")
        .await;
    assert!(mail.contains("- All tracks: 2 pledges waiting"), "{mail}");
    assert!(mail.contains("- ldc5: 2 pledges waiting"), "{mail}");
    assert!(app
        .emails_to("elsewhere-mod@example.org")
        .iter()
        .all(|m| !m.contains("Waiting for moderation")));
}
