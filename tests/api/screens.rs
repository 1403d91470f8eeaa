//! Goals on the big screen, its ticker and QR code, and private screen links.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app, spawn_app_with, TestApp},
    live::{open_stream, pledge_body, publish, stage, stats_until},
};

/// Sends a request that must be refused with `status` and `code`; the problem.
async fn refused(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    status: StatusCode,
    code: &str,
) -> Value {
    assert_problem(app.send(method, path, token, body).await, status, code).await
}

/// `PUT /goals?track=` as `token`.
async fn set_goals(app: &TestApp, token: &str, track: &str, body: Value) -> reqwest::Response {
    let path = format!("/api/v1/goals?track={track}");
    app.send(Method::PUT, &path, Some(token), Some(&body)).await
}

fn goals_body() -> Value {
    json!({"goals": [
        {"kind": "pledges", "target": 4, "deadline": "2030-12-31"},
        {"kind": "usd_pledged", "target": 1_000_000_000_i64, "deadline": "2030-12-31"},
    ]})
}

#[tokio::test]
async fn organisers_set_goals_and_snapshots_report_progress_toward_them() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "goals-organiser@example.org").await;
    let s = stage(
        &app,
        "goals-owner@example.org",
        "Goals Org",
        "goals-mod@example.org",
    )
    .await;

    // Pledgers and moderators may not set goals.
    for token in [&s.owner.access, &s.moderator.access] {
        refused(
            &app,
            Method::PUT,
            "/api/v1/goals?track=ldc5",
            Some(token),
            Some(&goals_body()),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    refused(
        &app,
        Method::PUT,
        "/api/v1/goals?track=no-such-track",
        Some(&organiser.access),
        Some(&goals_body()),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Bad bodies: every field error at once, with stable codes.
    let bad = json!({"goals": [
        {"kind": "smiles", "target": 5, "deadline": "2030-12-31"},
        {"kind": "pledges", "target": 0, "deadline": "2030-12-31"},
        {"kind": "pledges", "target": 3, "deadline": "2030-12-31"},
    ]});
    let problem = refused(
        &app,
        Method::PUT,
        "/api/v1/goals?track=ldc5",
        Some(&organiser.access),
        Some(&bad),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let codes: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("goals[0].kind".to_owned(), "unknown_value".to_owned()),
            ("goals[1].target".to_owned(), "out_of_range".to_owned()),
            ("goals[2].kind".to_owned(), "duplicate".to_owned()),
        ]
    );
    let unknown_field = json!({"goals": [], "extra": 1});
    refused(
        &app,
        Method::PUT,
        "/api/v1/goals",
        Some(&organiser.access),
        Some(&unknown_field),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    let resp = set_goals(&app, &organiser.access, "ldc5", goals_body()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let set: Value = resp.json().await.unwrap();
    assert_eq!(set["track"], "ldc5");
    assert_eq!(set["goals"][0]["kind"], "pledges");
    assert_eq!(app.get_json("/api/v1/goals?track=ldc5").await, set);
    assert_eq!(
        app.get_json("/api/v1/goals").await,
        json!({"track": "all", "goals": []})
    );

    // The snapshot shows the goals at once, before any pledge counts in the track.
    let snapshot = app.get_json("/api/v1/stats?track=ldc5").await;
    assert_eq!(snapshot["goals"].as_array().unwrap().len(), 2);
    assert_eq!(snapshot["goals"][0]["current"], 0);
    assert_eq!(snapshot["goals"][0]["reached"], false);
    let etag_before = app.get("/api/v1/stats?track=ldc5").await.headers()["etag"].clone();

    publish(
        &app,
        &s,
        pledge_body("Goal one", &["ldc5"], &["NPL"], 600_000_000),
    )
    .await;
    let snapshot = stats_until(&app, "?track=ldc5", None, |v| v["pledges"] == 1).await;
    let pledges = &snapshot["goals"][0];
    assert_eq!(
        (
            &pledges["current"],
            &pledges["percent"],
            &pledges["reached"]
        ),
        (&json!(1), &json!(25), &json!(false))
    );
    let usd = &snapshot["goals"][1];
    assert_eq!(
        (&usd["target"], &usd["current"], &usd["percent"]),
        (&json!(1_000_000_000_i64), &json!(600_000_000), &json!(60))
    );
    assert_eq!(usd["deadline"], "2030-12-31");
    assert_eq!(usd["missed"], false);
    publish(
        &app,
        &s,
        pledge_body("Goal two", &["ldc5"], &["NPL"], 500_000_000),
    )
    .await;
    let snapshot = stats_until(&app, "?track=ldc5", None, |v| v["pledges"] == 2).await;
    assert_eq!(snapshot["goals"][1]["reached"], true);
    assert_eq!(snapshot["goals"][1]["percent"], 110);
    // The global scope has no goals of its own.
    assert_eq!(app.get_json("/api/v1/stats").await["goals"], json!([]));

    // A change of goals alone changes the answer's tag, and clearing them empties the list.
    let resp = set_goals(&app, &organiser.access, "ldc5", json!({"goals": []})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = app.get("/api/v1/stats?track=ldc5").await;
    assert_ne!(resp.headers()["etag"], etag_before);
    let snapshot: Value = resp.json().await.unwrap();
    assert_eq!(snapshot["goals"], json!([]));

    // Admins may set the global scope's goals.
    let admin = app.staff("admin", "goals-admin@example.org").await;
    let body = json!({"goals": [{"kind": "entities", "target": 1, "deadline": "2020-01-01"}]});
    let resp = set_goals(&app, &admin.access, "all", body).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let global = app.get_json("/api/v1/stats").await;
    assert_eq!(global["goals"][0]["reached"], true);
    assert_eq!(global["goals"][0]["missed"], false);
}

#[tokio::test]
async fn snapshots_carry_the_latest_published_pledges_for_the_ticker() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "ticker-owner@example.org",
        "Ticker Ministry",
        "ticker-mod@example.org",
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let tracks: &[&str] = if i == 0 { &["p2c"] } else { &["ldc5"] };
        let body = pledge_body(&format!("Ticker {i}"), tracks, &["NPL"], 1_000 + i);
        ids.push(publish(&app, &s, body).await);
    }
    let snapshot = stats_until(&app, "?track=ldc5", None, |v| v["pledges"] == 6).await;
    let latest = snapshot["latest"].as_array().unwrap();
    // The five newest of the track, newest first.
    let shown: Vec<&str> = latest.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = ids[2..].iter().rev().map(String::as_str).collect();
    assert_eq!(shown, expected);
    assert_eq!(latest[0]["organisation"], "Ticker Ministry");
    assert_eq!(latest[0]["title"], "Ticker 6");
    assert_eq!(latest[0]["usd"], 1_006);
    assert_eq!(latest[0]["country"].as_str().unwrap().len(), 3);
    // The global scope's ticker holds the other track's pledge too.
    let global = stats_until(&app, "", None, |v| v["pledges"] == 7).await;
    assert_eq!(global["latest"].as_array().unwrap().len(), 5);
    // A pledge not yet published is on no ticker.
    let body = pledge_body("Not yet", &["ldc5"], &["NPL"], 5);
    let draft = crate::live::create_pledge(&app, &s.owner, &body).await;
    let snapshot = app.get_json("/api/v1/stats?track=ldc5").await;
    let latest = snapshot["latest"].as_array().unwrap();
    assert!(latest.iter().all(|p| p["id"] != draft.as_str()));
}

#[tokio::test]
async fn the_big_screen_inlines_a_qr_code_to_the_track_catalogue() {
    let app = spawn_app().await;
    let resp = app.get("/live/ldc5").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = resp.text().await.unwrap();
    let qr = html.find("<aside id=\"qr\"").expect("the QR block");
    let block = &html[qr..];
    assert!(
        block.contains("/api/v1/pledges?track=ldc5</span>"),
        "{block:.200}"
    );
    let svg = &block[block.find("<svg").expect("an inline SVG")..];
    assert!(svg.contains("<path") && svg.contains("</svg>"));
    assert!(!html.contains("<?xml"));
    // Still no script but the hashed one.
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
    assert!(html.contains("id=\"goal\"") && html.contains("id=\"ticker\""));
}

#[tokio::test]
async fn private_screen_links_show_pending_figures_until_revoked() {
    let app = spawn_app().await;
    let organiser = app
        .staff("organiser", "screens-organiser@example.org")
        .await;
    let s = stage(
        &app,
        "screens-owner@example.org",
        "Screens Org",
        "screens-mod@example.org",
    )
    .await;
    let body = json!({"track": "ldc5", "label": "Plenary hall"});
    let create = |token: &str, body: Value| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/screen-links",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };
    let resp = create(&s.owner.access, body.clone()).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let resp = create(&organiser.access, json!({"track": "nowhere"})).await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    let resp = create(
        &organiser.access,
        json!({"track": "ldc5", "label": "x".repeat(101)}),
    )
    .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let resp = create(&organiser.access, body).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let link: Value = resp.json().await.unwrap();
    assert_eq!(link["label"], "Plenary hall");
    let url = link["url"].as_str().unwrap();
    let secret = url
        .split("screen_key=")
        .nth(1)
        .expect("a secret")
        .to_owned();
    assert!(url.contains("/live/ldc5?screen_key="));
    assert!(secret.len() >= 40);

    // A pending pledge: only staff and the private link see it.
    let id = crate::live::create_pledge(
        &app,
        &s.owner,
        &pledge_body("Pending on screen", &["ldc5"], &["NPL"], 7_000),
    )
    .await;
    crate::live::submit_pledge(&app, &s.owner, &id).await;
    let public = app.get_json("/api/v1/stats?track=ldc5").await;
    assert!(public.get("pending").is_none());
    let resp = app
        .get(&format!("/api/v1/stats?track=ldc5&screen_key={secret}"))
        .await;
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    let private: Value = resp.json().await.unwrap();
    assert_eq!(private["pending"]["pledges"], 1);
    assert_eq!(private["pending"]["usd"], 7_000);
    let stream = format!("/api/v1/stats/stream?track=ldc5&screen_key={secret}");
    let resp = app.get(&stream).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut events = crate::live::EventReader::new(resp);
    let first = events.next(std::time::Duration::from_secs(5)).await;
    assert_eq!(first.data["pending"]["pledges"], 1);
    let page = app.get(&format!("/live/ldc5?screen_key={secret}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "private, no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");

    // The key opens its own track only; a wrong one is 404.
    for path in [
        format!("/api/v1/stats?screen_key={secret}"),
        format!("/api/v1/stats?track=p2c&screen_key={secret}"),
        "/api/v1/stats?track=ldc5&screen_key=wrong".to_owned(),
        "/live/ldc5?screen_key=wrong".to_owned(),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // Listed without its secret, to organisers and admins only.
    let links = |token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.send(
                Method::GET,
                "/api/v1/screen-links?track=ldc5",
                Some(&token),
                None,
            )
            .await
        }
    };
    let resp = links(&organiser.access).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let list: Value = resp.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], link["id"]);
    assert!(list["items"][0]["revoked_at"].is_null());
    assert!(!list.to_string().contains(&secret));
    assert_problem(
        links(&s.moderator.access).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Revoked: every address of the link is 404, at once; revoking again changes nothing.
    let revoke = format!("/api/v1/screen-links/{}", link["id"].as_str().unwrap());
    for _ in 0..2 {
        let resp = app
            .send(Method::DELETE, &revoke, Some(&organiser.access), None)
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    // The stream opened before ends at its next keep-alive.
    let keep_alive = pledgeboard::live::KEEP_ALIVE;
    assert!(
        events.ends_within(keep_alive * 2).await,
        "the stream went on"
    );
    for path in [
        format!("/api/v1/stats?track=ldc5&screen_key={secret}"),
        format!("/api/v1/stats/stream?track=ldc5&screen_key={secret}"),
        format!("/live/ldc5?screen_key={secret}"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let list: Value = app
        .send(
            Method::GET,
            "/api/v1/screen-links",
            Some(&organiser.access),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"][0]["revoked_at"].is_string());
    refused(
        &app,
        Method::DELETE,
        "/api/v1/screen-links/0190f5a0-0000-7000-8000-000000000000",
        Some(&organiser.access),
        None,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn goals_set_through_one_instance_reach_the_streams_of_another() {
    let a = spawn_app().await;
    let organiser = a.staff("organiser", "multi-goals@example.org").await;
    let url = a.settings.database_url.clone();
    let b = spawn_app_with(move |s| s.database_url = url).await;
    let mut on_b = open_stream(&b, "?track=ldc5", None).await;
    let first = on_b.next(Duration::from_secs(5)).await;
    assert_eq!(first.data["goals"], json!([]));
    let started = std::time::Instant::now();
    let resp = set_goals(&a, &organiser.access, "ldc5", goals_body()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    loop {
        let e = on_b.next(Duration::from_secs(10)).await;
        if e.data["goals"].as_array().unwrap().len() == 2 {
            assert_eq!(e.data["goals"][1]["kind"], "usd_pledged");
            break;
        }
    }
    // On PostgreSQL the NOTIFY arrives at once; on SQLite the other instance's poll finds it.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        b.get_json("/api/v1/stats?track=ldc5").await["goals"][0]["target"],
        4
    );
}

/// The ticker reads a bounded window of the newest published pledges; a track with fewer than
/// five among them still shows its own latest, found outside the window, and a busy track's
/// five newest are those a full sort would give.
#[tokio::test]
async fn the_ticker_of_a_quiet_track_reaches_past_the_newest_two_thousand() {
    use pledgeboard::{db::screens::latest_published, domain::counters::Scope};
    let app = spawn_app().await;
    let s = stage(
        &app,
        "quiet@example.org",
        "Ministry of Quiet",
        "quiet-mod@example.org",
    )
    .await;
    let organiser = app.staff("organiser", "quiet-org@example.org").await;
    let track = json!({"slug": "quiet-forum", "name": "A quiet forum",
                       "description": "A track that seldom publishes."});
    let resp = app
        .send(
            Method::POST,
            "/api/v1/tracks",
            Some(&organiser.access),
            Some(&track),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let quiet = publish(
        &app,
        &s,
        pledge_body("Published long ago", &["quiet-forum"], &["NPL"], 5),
    )
    .await;
    // Long before anything else, then buried under more than the window of newer pledges.
    let id = quiet.clone();
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::pledges;
            let long_ago = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            diesel::update(pledges::table.find(id))
                .set(pledges::published_at.eq(long_ago))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    app.db
        .run(|conn| pledgeboard::services::demo::seed(conn, 2_100))
        .await
        .unwrap();

    let (quiet_ticker, busy, all) = app
        .db
        .run(|conn| {
            let quiet = latest_published(conn, &Scope::Track("quiet-forum".into()), 5)?;
            let busy = latest_published(conn, &Scope::Track("ldc5".into()), 5)?;
            let all = latest_published(conn, &Scope::All, 5)?;
            Ok((quiet, busy, all))
        })
        .await
        .unwrap();
    assert_eq!(quiet_ticker.len(), 1);
    assert_eq!(quiet_ticker[0].id.as_str(), quiet);
    assert_eq!(all.len(), 5);
    // The busy track's five are the newest of its published pledges by a full sort.
    let sorted: Vec<String> = app
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::{pledge_facets, pledges};
            let in_track: Vec<String> = pledge_facets::table
                .filter(pledge_facets::facet.eq("track"))
                .filter(pledge_facets::value.eq("ldc5"))
                .select(pledge_facets::pledge_id)
                .load(conn)?;
            let mut published: Vec<(Option<chrono::NaiveDateTime>, String)> = pledges::table
                .filter(pledges::status.eq("published"))
                .filter(pledges::id.eq_any(&in_track))
                .select((pledges::published_at, pledges::id))
                .load(conn)?;
            published.sort();
            Ok(published
                .into_iter()
                .rev()
                .take(5)
                .map(|(_, id)| id)
                .collect())
        })
        .await
        .unwrap();
    let ticker: Vec<String> = busy.iter().map(|p| p.id.as_str().to_owned()).collect();
    assert_eq!(ticker.len(), 5);
    assert_eq!(ticker, sorted);
}
