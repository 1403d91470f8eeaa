//! Organisers add the tracks of their events; each has counters and a big screen at once.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app},
    live::{pledge_body, publish, stage, stats_until},
};

#[tokio::test]
async fn organisers_add_and_edit_event_tracks() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "events@example.org").await;
    let s = stage(
        &app,
        "track-owner@example.org",
        "Track Org",
        "track-mod@example.org",
    )
    .await;
    let new_track = json!({"slug": "wtdc-2025", "name": "WTDC-25", "description": "World Telecommunication Development Conference",
                           "location": "Baku", "starts_on": "2025-11-17", "ends_on": "2025-11-28"});
    // Before the track exists, a pledge naming it is refused (and the service now holds the
    // vocabulary without it: the track must still be accepted the moment it is added).
    let early = app
        .send(
            Method::POST,
            "/api/v1/pledges",
            Some(&s.owner.access),
            Some(&pledge_body("Too early", &["wtdc-2025"], &["NPL"], 99)),
        )
        .await;
    let problem =
        assert_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "tracks[0]");
    assert_eq!(problem["errors"][0]["code"], "unknown_value");

    let resp = app
        .send(
            Method::POST,
            "/api/v1/tracks",
            Some(&s.owner.access),
            Some(&new_track),
        )
        .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = app
        .send(
            Method::POST,
            "/api/v1/tracks",
            Some(&organiser.access),
            Some(&new_track),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.headers()["location"], "/live/wtdc-2025");
    // Its counters and page exist as soon as it does.
    assert_eq!(
        app.get("/api/v1/stats?track=wtdc-2025").await.status(),
        StatusCode::OK
    );
    let again = app
        .send(
            Method::POST,
            "/api/v1/tracks",
            Some(&organiser.access),
            Some(&new_track),
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT, "track_exists").await;
    for (slug, code) in [
        ("all", "reserved"),
        ("Bad Slug", "invalid_slug"),
        ("-x", "invalid_slug"),
    ] {
        let body = json!({"slug": slug, "name": "Some event"});
        let resp = app
            .send(
                Method::POST,
                "/api/v1/tracks",
                Some(&organiser.access),
                Some(&body),
            )
            .await;
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{slug}");
    }
    let tracks: Value = app.get_json("/api/v1/tracks").await;
    assert!(tracks["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "wtdc-2025"));

    // Pledges can carry it, it counts, and its big screen works.
    publish(
        &app,
        &s,
        pledge_body("Announced at WTDC", &["wtdc-2025"], &["NPL"], 99),
    )
    .await;
    stats_until(&app, "?track=wtdc-2025", None, |b| {
        b["pledges"] == 1 && b["usd_pledged"] == 99
    })
    .await;
    assert_eq!(app.get("/live/wtdc-2025").await.status(), StatusCode::OK);

    let resp = app
        .send(
            Method::PATCH,
            "/api/v1/tracks/wtdc-2025",
            Some(&organiser.access),
            Some(&json!({"name": "WTDC-25 Baku", "location": null})),
        )
        .await;
    let track: Value = resp.json().await.unwrap();
    assert_eq!(track["name"], "WTDC-25 Baku");
    assert_eq!(track["location"], Value::Null);
    assert_eq!(track["starts_on"], "2025-11-17");
    let bad = app
        .send(
            Method::PATCH,
            "/api/v1/tracks/wtdc-2025",
            Some(&organiser.access),
            Some(&json!({"ends_on": "2020-01-01"})),
        )
        .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let missing = app
        .send(
            Method::PATCH,
            "/api/v1/tracks/nope",
            Some(&organiser.access),
            Some(&json!({"name": "Nope event"})),
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
}
