//! Live counters: snapshots, the stream, several instances, and the big-screen page.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, deliverables, spawn_app, spawn_app_with, Session, TestApp};

/// A verified organisation with a signed-in owner, and a moderator to decide its pledges.
pub struct Stage {
    pub owner: Session,
    pub moderator: Session,
}

pub async fn stage(app: &TestApp, org_email: &str, org_name: &str, moderator_email: &str) -> Stage {
    let owner = app.pledger(org_email, org_name).await;
    let moderator = app.staff("moderator", moderator_email).await;
    let org = owner.organisation_id.clone().unwrap();
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/organisations/{org}/verify"),
            Some(&moderator.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    Stage { owner, moderator }
}

pub fn pledge_body(title: &str, tracks: &[&str], countries: &[&str], usd: i64) -> Value {
    json!({
        "title": title,
        "summary": "A pledge used by the live counter tests",
        "description": "Details of the commitment.",
        "type": "financial",
        "focus_areas": ["access"],
        "sdgs": [9, 17],
        "tracks": tracks,
        "countries": countries,
        "value": {"currency": "USD", "amount_minor": usd * 100, "usd": usd},
        "deliverables": deliverables(),
    })
}

/// Creates a draft for `owner`'s organisation; returns its id.
pub async fn create_pledge(app: &TestApp, owner: &Session, body: &Value) -> String {
    let resp = app
        .send(
            Method::POST,
            "/api/v1/pledges",
            Some(&owner.access),
            Some(body),
        )
        .await;
    let status = resp.status();
    let created = resp.json::<Value>().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// Submits a pledge for `owner`; returns the answer's body.
pub async fn submit_pledge(app: &TestApp, owner: &Session, id: &str) -> Value {
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{id}/submit"),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json::<Value>().await.unwrap()
}

/// Creates, submits and approves a pledge; returns its id.
pub async fn publish(app: &TestApp, stage: &Stage, body: Value) -> String {
    let id = create_pledge(app, &stage.owner, &body).await;
    let version = submit_pledge(app, &stage.owner, &id).await["version"]
        .as_i64()
        .unwrap();
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/pledges/{id}/approve")))
        .bearer_auth(&stage.moderator.access)
        .header("If-Match", format!("\"{version}\""))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "{}",
        resp.text().await.unwrap()
    );
    id
}

/// Polls `GET /stats` until `check` holds (the in-memory counters follow writes within
/// moments).
pub async fn stats_until(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let resp = app
            .send(Method::GET, &format!("/api/v1/stats{query}"), token, None)
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        if check(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "stats never matched; last: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn snapshots_count_each_pledge_once_per_scope_and_forget_withdrawn_ones() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "gov@example.org",
        "Ministry of ICT",
        "mod@example.org",
    )
    .await;
    let empty = stats_until(&app, "", None, |b| b["pledges"] == 0).await;
    assert_eq!(empty["scope"], "all");
    assert!(
        empty.get("pending").is_none(),
        "the public sees no pending figures"
    );

    let multi = publish(
        &app,
        &s,
        pledge_body(
            "Three tracks at once",
            &["ldc5", "p2c", "green-digital-action-cop28"],
            &["NPL", "GHA"],
            1_000_000,
        ),
    )
    .await;
    publish(
        &app,
        &s,
        pledge_body("Only the LDC5 track", &["ldc5"], &["GHA"], 500),
    )
    .await;

    let all = stats_until(&app, "", None, |b| b["pledges"] == 2).await;
    assert_eq!(all["usd_pledged"], 1_000_500);
    assert_eq!(all["entities"], 1);
    assert_eq!(all["governments"], 1);
    assert_eq!(all["countries"], 2);
    assert_eq!(all["ldc_pledges"], 1);
    assert_eq!(all["by_sdg"]["9"], 2);
    assert_eq!(all["by_type"]["financial"], 2);
    assert_eq!(all["by_organisation_kind"]["government"], 2);
    let ldc5 = stats_until(&app, "?track=ldc5", None, |b| b["pledges"] == 2).await;
    assert_eq!(ldc5["scope"], "ldc5");
    let cop = stats_until(&app, "?track=green-digital-action-cop28", None, |b| {
        b["pledges"] == 1
    })
    .await;
    assert_eq!(cop["usd_pledged"], 1_000_000);
    let day = stats_until(&app, "?track=sdg-digital-day-2023", None, |b| {
        b["pledges"] == 0
    })
    .await;
    assert_eq!(day["entities"], 0);

    // Staff also see pending figures.
    let body = pledge_body("Waiting for a decision", &["p2c"], &["KEN"], 7);
    let resp = app
        .send(
            Method::POST,
            "/api/v1/pledges",
            Some(&s.owner.access),
            Some(&body),
        )
        .await;
    let pending_id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.send(
        Method::POST,
        &format!("/api/v1/pledges/{pending_id}/submit"),
        Some(&s.owner.access),
        None,
    )
    .await;
    let staff = stats_until(&app, "", Some(&s.moderator.access), |b| {
        b["pending"]["pledges"] == 1
    })
    .await;
    assert_eq!(staff["pending"]["usd"], 7);
    assert_eq!(staff["pending"]["published_today"], 2);
    assert_eq!(
        staff["pledges"], 2,
        "pending pledges are not published figures"
    );

    // Withdrawing leaves every figure it was in.
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/pledges/{multi}/withdraw"),
            Some(&s.owner.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let all = stats_until(&app, "", None, |b| b["pledges"] == 1).await;
    assert_eq!(all["usd_pledged"], 500);
    assert_eq!(all["countries"], 1);
    assert_eq!(all["ldc_pledges"], 0);
    stats_until(&app, "?track=green-digital-action-cop28", None, |b| {
        b["pledges"] == 0 && b["entities"] == 0
    })
    .await;

    assert_problem(
        app.get("/api/v1/stats?track=no-such-track").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/stats?scope=x").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}

/// Reads Server-Sent Events from a response.
pub struct EventReader {
    stream:
        std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub event: String,
    pub id: String,
    pub data: Value,
}

impl EventReader {
    pub fn new(resp: reqwest::Response) -> Self {
        Self {
            stream: Box::pin(resp.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The next `stats` event, skipping comments (keep-alives) and retry hints.
    pub async fn next(&mut self, timeout: Duration) -> Event {
        tokio::time::timeout(timeout, async {
            loop {
                while let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let mut event = Event {
                        event: String::new(),
                        id: String::new(),
                        data: Value::Null,
                    };
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            event.event = v.trim().to_owned();
                        } else if let Some(v) = line.strip_prefix("id:") {
                            event.id = v.trim().to_owned();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            event.data = serde_json::from_str(v.trim()).unwrap();
                        }
                    }
                    if event.event == "stats" {
                        return event;
                    }
                }
                let chunk = self
                    .stream
                    .next()
                    .await
                    .expect("stream ended")
                    .expect("stream failed");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .expect("no event in time")
    }

    /// Whether the server ends the stream within `timeout` (events meanwhile are skipped).
    pub async fn ends_within(&mut self, timeout: Duration) -> bool {
        tokio::time::timeout(timeout, async {
            while let Some(chunk) = self.stream.next().await {
                if chunk.is_err() {
                    break;
                }
            }
        })
        .await
        .is_ok()
    }
}

pub async fn open_stream(app: &TestApp, query: &str, last_event_id: Option<&str>) -> EventReader {
    let mut request = app
        .client
        .get(app.url(&format!("/api/v1/stats/stream{query}")));
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    let resp = request.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    assert!(
        resp.headers()
            .get("content-encoding")
            .is_none_or(|v| v == "identity"),
        "streams are never compressed"
    );
    EventReader::new(resp)
}

#[tokio::test]
async fn the_stream_sends_the_snapshot_on_connect_then_every_change_and_resumes() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "stream@example.org",
        "Stream Org",
        "stream-mod@example.org",
    )
    .await;
    let mut events = open_stream(&app, "?track=ldc5", None).await;
    let first = events.next(Duration::from_secs(5)).await;
    assert_eq!(first.data["scope"], "ldc5");
    assert_eq!(first.data["pledges"], 0);
    assert_eq!(first.id, first.data["version"].to_string());

    publish(
        &app,
        &s,
        pledge_body("Announced on stage", &["ldc5"], &["NPL"], 42),
    )
    .await;
    let update = loop {
        let e = events.next(Duration::from_secs(5)).await;
        if e.data["pledges"] == 1 {
            break e;
        }
    };
    assert_eq!(update.data["usd_pledged"], 42);
    let version: u64 = update.id.parse().unwrap();
    assert!(version > first.id.parse::<u64>().unwrap());

    // A client that reconnects with the last id it saw gets the latest snapshot at once.
    drop(events);
    publish(
        &app,
        &s,
        pledge_body("Announced while away", &["ldc5"], &["GHA"], 8),
    )
    .await;
    stats_until(&app, "?track=ldc5", None, |b| b["pledges"] == 2).await;
    let mut resumed = open_stream(&app, "?track=ldc5", Some(&update.id)).await;
    let latest = resumed.next(Duration::from_secs(5)).await;
    assert_eq!(latest.data["pledges"], 2);
    assert!(latest.id.parse::<u64>().unwrap() > version);

    assert_problem(
        app.get("/api/v1/stats/stream?track=unknown").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_change_through_one_instance_reaches_the_streams_of_another() {
    let a = spawn_app().await;
    // Set up before the second instance exists: its mail worker would take some of the emails.
    let s = stage(
        &a,
        "multi@example.org",
        "Multi Org",
        "multi-mod@example.org",
    )
    .await;
    let url = a.settings.database_url.clone();
    let b = spawn_app_with(move |s| s.database_url = url).await;
    let mut on_b = open_stream(&b, "", None).await;
    let first = on_b.next(Duration::from_secs(5)).await;
    assert_eq!(first.data["pledges"], 0);
    let started = std::time::Instant::now();
    publish(
        &a,
        &s,
        pledge_body("Through instance A", &["p2c"], &["FJI"], 1),
    )
    .await;
    loop {
        let e = on_b.next(Duration::from_secs(10)).await;
        if e.data["pledges"] == 1 {
            break;
        }
    }
    // On PostgreSQL the NOTIFY arrives at once; on SQLite the other instance's poll finds it.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_big_screen_page_is_self_contained() {
    let app = spawn_app().await;
    let resp = app.get("/live/ldc5").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = resp.text().await.unwrap();
    assert!(html.contains("LDC5: Fifth UN Conference on the Least Developed Countries"));
    assert!(html.contains("/api/v1/stats/stream"));
    assert!(html.contains("EventSource"));
    for external in ["http://", "https://", "//cdn", "<link", "@import", "url("] {
        assert!(
            !html.contains(external),
            "external resource {external:?} in the page"
        );
    }
    assert_eq!(app.get("/live/all").await.status(), StatusCode::OK);
    assert_problem(
        app.get("/live/no-such-track").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_listener_reconnects_after_its_connection_drops() {
    let a = spawn_app().await;
    if a.backend() != pledgeboard::db::Backend::Postgres {
        // LISTEN/NOTIFY exists on PostgreSQL only; one SQLite process has no peers to hear.
        return;
    }
    let s = stage(&a, "drop@example.org", "Drop Org", "drop-mod@example.org").await;
    let url = a.settings.database_url.clone().unwrap();
    let b = spawn_app_with({
        let url = url.clone();
        move |s| s.database_url = Some(url)
    })
    .await;
    let database = url.rsplit('/').next().unwrap().to_owned();
    let listeners = move || {
        let url = url.clone();
        let database = database.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                use diesel::{pg::PgConnection, sql_types::Integer, Connection, RunQueryDsl};
                #[derive(diesel::QueryableByName)]
                struct Pid {
                    #[diesel(sql_type = Integer)]
                    pid: i32,
                }
                let mut conn = PgConnection::establish(&url).unwrap();
                diesel::sql_query(format!(
                    "SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"
                ))
                .load::<Pid>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|p| p.pid)
                .collect::<Vec<i32>>()
            })
            .await
            .unwrap()
        }
    };
    crate::helpers::eventually(Duration::from_secs(10), || async {
        listeners().await.len() == 2
    })
    .await;
    let before = listeners().await;
    // Cut every listener's connection, as a network blip or a server restart would.
    let terminate = {
        let url = a.settings.database_url.clone().unwrap();
        let pids = before.clone();
        move || {
            use diesel::{pg::PgConnection, Connection, RunQueryDsl};
            let mut conn = PgConnection::establish(&url).unwrap();
            for pid in pids {
                diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
                    .execute(&mut conn)
                    .unwrap();
            }
        }
    };
    tokio::task::spawn_blocking(terminate).await.unwrap();
    crate::helpers::eventually(Duration::from_secs(15), || async {
        let now = listeners().await;
        now.len() == 2 && now.iter().all(|p| !before.contains(p))
    })
    .await;
    let mut on_b = open_stream(&b, "", None).await;
    on_b.next(Duration::from_secs(5)).await;
    publish(&a, &s, pledge_body("After the blip", &["p2c"], &["GHA"], 3)).await;
    loop {
        if on_b.next(Duration::from_secs(10)).await.data["pledges"] == 1 {
            break;
        }
    }
}

/// Past its cap, an instance leaves new connections waiting in the listener's queue instead of
/// taking on more than it has descriptors for, and serves them as soon as a connection closes:
/// a subscriber that leaves frees its place at once, not at the next keep-alive (15 s).
#[tokio::test]
async fn past_its_connection_cap_the_instance_queues_new_connections() {
    let app = spawn_app_with(|s| {
        s.workers = Some(1);
        s.max_connections = Some(2);
    })
    .await;
    let mut first = open_stream(&app, "", None).await;
    let mut second = open_stream(&app, "", None).await;
    first.next(Duration::from_secs(5)).await;
    second.next(Duration::from_secs(5)).await;

    let waiting = reqwest::Client::new()
        .get(app.url("/livez"))
        .timeout(Duration::from_secs(1))
        .send()
        .await;
    assert!(
        waiting.as_ref().is_err_and(reqwest::Error::is_timeout),
        "a third connection is served while two streams hold the cap: {waiting:?}"
    );

    drop(first);
    let served = reqwest::Client::new()
        .get(app.url("/livez"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("served once a stream has closed");
    assert_eq!(served.status(), StatusCode::OK);
    // The remaining stream is unaffected.
    assert!(!second.ends_within(Duration::from_millis(200)).await);
}
