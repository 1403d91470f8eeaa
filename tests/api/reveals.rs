//! Reveals at a given moment: approved pledges that wait, `scheduled`, for the second they are
//! announced; moments set, moved and brought forward; the reveal itself, with the time given
//! and on the clock of two instances sharing one database.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, eventually, spawn_app, spawn_app_with, Session, TestApp},
    live::{create_pledge, open_stream, pledge_body, stage, stats_until, submit_pledge, Stage},
};

/// Sends a workflow step or a moment with `If-Match`.
async fn with_version(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    version: i64,
    body: &Value,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("If-Match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A submitted pledge of the stage's organisation: its id and version.
async fn submitted(app: &TestApp, s: &Stage, title: &str, usd: i64) -> (String, i64) {
    let id = create_pledge(app, &s.owner, &pledge_body(title, &["ldc5"], &["NPL"], usd)).await;
    let version = submit_pledge(app, &s.owner, &id).await["version"]
        .as_i64()
        .unwrap();
    (id, version)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn approve_at(
    app: &TestApp,
    moderator: &Session,
    id: &str,
    version: i64,
    at: DateTime<Utc>,
) -> Value {
    let body = json!({"comment": "To be announced in plenary.", "reveal_at": rfc3339(at)});
    approve(app, moderator, id, version, &body).await
}

/// Approves with `body`, which must succeed; returns the pledge.
async fn approve(
    app: &TestApp,
    moderator: &Session,
    id: &str,
    version: i64,
    body: &Value,
) -> Value {
    let path = format!("/api/v1/pledges/{id}/approve");
    let resp = with_version(app, Method::POST, &path, &moderator.access, version, body).await;
    let status = resp.status();
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn pledge_as(app: &TestApp, id: &str, token: Option<&str>) -> reqwest::Response {
    app.send(Method::GET, &format!("/api/v1/pledges/{id}"), token, None)
        .await
}

async fn reveal_due(app: &TestApp, now: DateTime<Utc>) -> usize {
    let links = pledgeboard::email::Links {
        public_url: app.settings.effective_public_url(),
    };
    app.db
        .write(move |conn| pledgeboard::services::pledges::reveals::reveal_due(conn, now, &links))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scheduled_pledge_is_seen_and_counted_by_staff_only_until_its_second() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "podium@example.org",
        "Ministry of the Podium",
        "podium-mod@example.org",
    )
    .await;
    let (id, version) = submitted(&app, &s, "Announced from the podium", 700).await;
    let moment = (Utc::now() + chrono::Duration::hours(1)).with_nanosecond_zero();
    let approved = approve_at(&app, &s.moderator, &id, version, moment).await;
    assert_eq!(approved["status"], "scheduled");
    assert_eq!(approved["reveal_at"], rfc3339(moment));
    assert!(approved["published_at"].is_null());

    // The organisation and the staff see it; the public does not, anywhere.
    assert_eq!(
        pledge_as(&app, &id, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        pledge_as(&app, &id, Some(&s.owner.access)).await.status(),
        StatusCode::OK
    );
    let page = app.get_json("/api/v1/pledges?track=ldc5").await;
    assert_eq!(page["items"], json!([]));
    let staff_page: Value = app
        .send(
            Method::GET,
            "/api/v1/pledges?status=scheduled",
            Some(&s.moderator.access),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff_page["items"][0]["id"], id.as_str());
    let public = stats_until(&app, "?track=ldc5", None, |b| {
        b["version"].as_u64() > Some(0)
    })
    .await;
    assert_eq!(
        (public["pledges"].as_u64(), public["usd_pledged"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(public.get("pending").is_none());
    let staff = stats_until(&app, "?track=ldc5", Some(&s.moderator.access), |b| {
        b["pending"]["scheduled"] == 1
    })
    .await;
    assert_eq!(staff["pending"]["scheduled_usd"], 700);
    assert_eq!(staff["pending"]["pledges"], 0);
    assert_eq!(staff["pledges"], 0);

    // The organisation is told the moment; its history records it.
    let mail = app
        .email("podium@example.org", "Your pledge is approved")
        .await;
    assert!(
        mail.contains(&moment.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
        "{mail}"
    );
    let history: Value = app
        .send(
            Method::GET,
            &format!("/api/v1/pledges/{id}/history"),
            Some(&s.owner.access),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let approval = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "approve")
        .unwrap()
        .clone();
    assert_eq!(approval["to_status"], "scheduled");
    assert_eq!(approval["changes"][0]["field"], "reveal_at");
    assert_eq!(approval["changes"][0]["after"], rfc3339(moment));

    // A second before its moment nothing is due; at its second it is revealed, as of then.
    assert_eq!(
        reveal_due(&app, moment - chrono::Duration::seconds(1)).await,
        0
    );
    assert_eq!(
        pledge_as(&app, &id, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(reveal_due(&app, moment).await, 1);
    assert_eq!(reveal_due(&app, moment).await, 0, "revealed once only");
    let shown: Value = pledge_as(&app, &id, None).await.json().await.unwrap();
    assert_eq!(shown["status"], "published");
    assert_eq!(shown["published_at"], rfc3339(moment));
    assert!(shown.get("reveal_at").is_none());
    let public = stats_until(&app, "?track=ldc5", None, |b| b["pledges"] == 1).await;
    assert_eq!(public["usd_pledged"], 700);
    assert_eq!(public["latest"][0]["id"], id.as_str(), "{public}");
    let staff = stats_until(&app, "?track=ldc5", Some(&s.moderator.access), |b| {
        b["pledges"] == 1
    })
    .await;
    assert_eq!(staff["pending"]["scheduled"], 0);
    app.email("podium@example.org", "Your pledge is now public")
        .await;
    // Rendered pages are kept a short while (the reveal round forgets them at the moment).
    eventually(Duration::from_secs(30), || async {
        app.get_json("/api/v1/pledges?track=ldc5").await["items"][0]["id"] == id.as_str()
    })
    .await;
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap()
    }
}

#[tokio::test]
async fn moments_are_set_moved_and_brought_forward_by_the_staff_only() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "moments@example.org",
        "Ministry of Moments",
        "moments-mod@example.org",
    )
    .await;
    let organiser = app.staff("organiser", "moments-org@example.org").await;
    let (id, version) = submitted(&app, &s, "A pledge timed by the organisers", 300).await;
    let path = format!("/api/v1/pledges/{id}/reveal-at");
    let soon = (Utc::now() + chrono::Duration::hours(2)).with_nanosecond_zero();
    let body = json!({"reveal_at": rfc3339(soon)});

    // Who may, and the rules of the moment.
    let resp = with_version(&app, Method::PUT, &path, &s.owner.access, version, &body).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let resp = app
        .send(Method::PUT, &path, Some(&organiser.access), Some(&body))
        .await;
    assert_problem(
        resp,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;
    for (at, code) in [
        (Utc::now() - chrono::Duration::minutes(1), "not_in_future"),
        (Utc::now() + chrono::Duration::days(400), "too_far_ahead"),
    ] {
        let resp = with_version(
            &app,
            Method::PUT,
            &path,
            &organiser.access,
            version,
            &json!({"reveal_at": rfc3339(at)}),
        )
        .await;
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "reveal_at");
        assert_eq!(problem["errors"][0]["code"], code);
    }
    let resp = with_version(
        &app,
        Method::PUT,
        &path,
        &organiser.access,
        version,
        &json!({"reveal_at": "at the minister's speech"}),
    )
    .await;
    assert_eq!(resp.status().as_u16() / 100, 4);

    // Set while the pledge awaits its decision: the approval keeps it.
    let resp = with_version(&app, Method::PUT, &path, &organiser.access, version, &body).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let set: Value = resp.json().await.unwrap();
    assert_eq!(
        (set["status"].as_str(), set["reveal_at"].as_str()),
        (Some("submitted"), Some(rfc3339(soon).as_str()))
    );
    let version = set["version"].as_i64().unwrap();
    let approved = approve(&app, &s.moderator, &id, version, &json!({})).await;
    assert_eq!(approved["status"], "scheduled");
    assert_eq!(approved["reveal_at"], rfc3339(soon));

    // Moved: the organisation hears the new moment.
    let later = soon + chrono::Duration::hours(1);
    let resp = with_version(
        &app,
        Method::PUT,
        &path,
        &organiser.access,
        approved["version"].as_i64().unwrap(),
        &json!({"reveal_at": rfc3339(later)}),
    )
    .await;
    let moved: Value = resp.json().await.unwrap();
    assert_eq!(moved["reveal_at"], rfc3339(later));
    assert_eq!(moved["status"], "scheduled");
    let told = later.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    eventually(Duration::from_secs(20), || async {
        app.emails_to("moments@example.org")
            .iter()
            .any(|m| m.contains("Your pledge is approved") && m.contains(&told))
    })
    .await;

    // Brought forward: public now, counted now.
    let reveal = format!("/api/v1/pledges/{id}/reveal");
    let stale = approved["version"].as_i64().unwrap();
    let resp = with_version(
        &app,
        Method::POST,
        &reveal,
        &organiser.access,
        stale,
        &json!({}),
    )
    .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    let resp = with_version(
        &app,
        Method::POST,
        &reveal,
        &s.owner.access,
        moved["version"].as_i64().unwrap(),
        &json!({}),
    )
    .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let before = Utc::now();
    let resp = with_version(
        &app,
        Method::POST,
        &reveal,
        &organiser.access,
        moved["version"].as_i64().unwrap(),
        &json!({}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let revealed: Value = resp.json().await.unwrap();
    assert_eq!(revealed["status"], "published");
    let published: DateTime<Utc> = revealed["published_at"].as_str().unwrap().parse().unwrap();
    assert!(published >= before - chrono::Duration::seconds(1) && published < later);
    stats_until(&app, "", None, |b| {
        b["pledges"] == 1 && b["usd_pledged"] == 300
    })
    .await;
    let resp = with_version(
        &app,
        Method::POST,
        &reveal,
        &organiser.access,
        revealed["version"].as_i64().unwrap(),
        &json!({}),
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    let resp = with_version(
        &app,
        Method::PUT,
        &path,
        &organiser.access,
        revealed["version"].as_i64().unwrap(),
        &json!({"reveal_at": rfc3339(later)}),
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;

    // A moment goes with an approval only (other steps' bodies have none); a withdrawn scheduled pledge counts no more.
    let (other, version) = submitted(&app, &s, "Another timed pledge", 50).await;
    let resp = with_version(
        &app,
        Method::POST,
        &format!("/api/v1/pledges/{other}/reject"),
        &s.moderator.access,
        version,
        &json!({"reason": "No.", "reveal_at": rfc3339(later)}),
    )
    .await;
    let problem = assert_problem(resp, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("reveal_at"),
        "{problem}"
    );
    approve_at(&app, &s.moderator, &other, version, later).await;
    stats_until(&app, "", Some(&s.moderator.access), |b| {
        b["pending"]["scheduled"] == 1
    })
    .await;
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{other}/withdraw"),
            Some(&s.owner.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let staff = stats_until(&app, "", Some(&s.moderator.access), |b| {
        b["pending"]["scheduled"] == 0
    })
    .await;
    assert_eq!(staff["pledges"], 1);
}

#[tokio::test]
async fn a_moment_that_passed_before_the_approval_publishes_at_once() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "passed@example.org",
        "Ministry of Yesterday",
        "passed-mod@example.org",
    )
    .await;
    let organiser = app.staff("organiser", "passed-org@example.org").await;
    let (id, version) = submitted(&app, &s, "Announced before its approval", 10).await;
    let moment = Utc::now() + chrono::Duration::milliseconds(1500);
    let resp = with_version(
        &app,
        Method::PUT,
        &format!("/api/v1/pledges/{id}/reveal-at"),
        &organiser.access,
        version,
        &json!({"reveal_at": moment.to_rfc3339()}),
    )
    .await;
    let set: Value = resp.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    // The reveal round leaves pledges awaiting their decision alone.
    assert_eq!(reveal_due(&app, Utc::now()).await, 0);
    let version = set["version"].as_i64().unwrap();
    let approved = approve(&app, &s.moderator, &id, version, &json!({})).await;
    assert_eq!(approved["status"], "published", "{approved}");
    assert!(approved.get("reveal_at").is_none());
}

#[tokio::test]
async fn a_bulk_approval_may_carry_a_moment() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "bulk-reveal@example.org",
        "Ministry of Batches",
        "bulk-reveal-mod@example.org",
    )
    .await;
    let (a, va) = submitted(&app, &s, "Approved now", 1).await;
    let (b, vb) = submitted(&app, &s, "Revealed later", 2).await;
    let later = Utc::now() + chrono::Duration::hours(3);
    let resp = app
        .send(
            Method::POST,
            "/api/v1/moderation/decisions",
            Some(&s.moderator.access),
            Some(&json!({"decisions": [
                {"pledge_id": a, "decision": "approve", "version": va},
                {"pledge_id": b, "decision": "approve", "version": vb, "reveal_at": rfc3339(later)},
            ]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["results"][0]["pledge"]["status"], "published");
    assert_eq!(answer["results"][1]["pledge"]["status"], "scheduled");
    let staff = stats_until(&app, "", Some(&s.moderator.access), |b| b["pledges"] == 1).await;
    assert_eq!(staff["pending"]["scheduled"], 1);
    assert_eq!(staff["pending"]["scheduled_usd"], 2);
}

/// Both instances show the reveal within a second of its moment, on `/stats` and on the
/// stream, whichever of them makes it (each runs its own clock).
#[tokio::test]
async fn a_reveal_reaches_two_instances_within_a_second_of_its_moment() {
    let a = spawn_app().await;
    let s = stage(
        &a,
        "second@example.org",
        "Ministry of the Second",
        "second-mod@example.org",
    )
    .await;
    let url = a.settings.database_url.clone();
    let b = spawn_app_with(move |settings| settings.database_url = url).await;
    let (id, version) = submitted(&a, &s, "Revealed at the second", 900).await;
    let mut on_b = open_stream(&b, "?track=ldc5", None).await;
    let first = on_b.next(Duration::from_secs(5)).await;
    assert_eq!(first.data["pledges"], 0);

    let moment = (Utc::now() + chrono::Duration::seconds(4)).with_nanosecond_zero();
    approve_at(&a, &s.moderator, &id, version, moment).await;
    // Public figures wait for the moment on both.
    for app in [&a, &b] {
        let early = app.get_json("/api/v1/stats?track=ldc5").await;
        assert_eq!(early["pledges"], 0);
    }
    let watch = |app: &TestApp| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/stats?track=ldc5"));
        async move {
            loop {
                let body: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
                if body["pledges"] == 1 {
                    return Utc::now();
                }
                assert!(
                    Utc::now() < moment + chrono::Duration::seconds(10),
                    "never revealed"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let streamed = async {
        loop {
            let e = on_b.next(Duration::from_secs(15)).await;
            if e.data["pledges"] == 1 {
                return (Utc::now(), e.data);
            }
        }
    };
    let (seen_a, seen_b, (streamed_at, event)) = tokio::join!(watch(&a), watch(&b), streamed);
    let second = chrono::Duration::seconds(1);
    for (what, at) in [("a", seen_a), ("b", seen_b), ("b's stream", streamed_at)] {
        assert!(
            at >= moment && at <= moment + second,
            "{what} showed the reveal at {at}, the moment was {moment}"
        );
    }
    assert_eq!(event["usd_pledged"], 900);
    assert_eq!(event["latest"][0]["id"], id.as_str());
    let shown: Value = pledge_as(&b, &id, None).await.json().await.unwrap();
    assert_eq!(shown["published_at"], rfc3339(moment));
    // One of them revealed it (the recorder is shared by every instance of this process).
    let metrics = a.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("pledgeboard_reveals_total{outcome=\"revealed\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_pledge_entered_from_the_podium_keeps_its_moment_through_its_approval() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "entered-reveal@example.org",
        "Ministry of Announcements",
        "entered-reveal-mod@example.org",
    )
    .await;
    let organiser = app
        .staff("organiser", "entered-reveal-org@example.org")
        .await;
    let moment = (Utc::now() + chrono::Duration::hours(5)).with_nanosecond_zero();
    let body = |at: DateTime<Utc>| {
        json!({
            "organisation_id": s.owner.organisation_id,
            "contact_email": "entered-reveal@example.org",
            "source": "to be announced in plenary",
            "reveal_at": rfc3339(at),
            "pledge": pledge_body("Entered to be announced", &["ldc5"], &["NPL"], 40),
        })
    };
    let resp = app
        .send(
            Method::POST,
            "/api/v1/entered-pledges",
            Some(&organiser.access),
            Some(&body(Utc::now() - chrono::Duration::hours(1))),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "reveal_at");
    let resp = app
        .send(
            Method::POST,
            "/api/v1/entered-pledges",
            Some(&organiser.access),
            Some(&body(moment)),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let entered: Value = resp.json().await.unwrap();
    assert_eq!(entered["status"], "submitted");
    assert_eq!(entered["reveal_at"], rfc3339(moment));
    let id = entered["id"].as_str().unwrap();
    let version = entered["version"].as_i64().unwrap();
    let approved = approve(&app, &s.moderator, id, version, &json!({})).await;
    assert_eq!(approved["status"], "scheduled");
    assert_eq!(approved["reveal_at"], rfc3339(moment));
    assert_eq!(reveal_due(&app, moment).await, 1);
}
