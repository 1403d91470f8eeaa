//! Benchmark driver for the live counters (run by `bench/run.sh`): opens many idle stream
//! subscribers, measures the server's memory per subscriber, approves a pledge and measures how
//! long each subscriber waits, from the approval's response, for the updated snapshot.
//!
//! `cargo run --release --example live_bench -- BASE_URL DATA_DIR SERVER_PID SUBSCRIBERS MODERATOR_EMAIL PASSWORD`
//!
//! With `floor BASE_URL SERVER_PID SUBSCRIBERS` it only opens the subscribers and measures the
//! memory per subscriber of another server: `examples/stream_floor.rs`, the framework alone.
// A measuring tool, not the service: any failure should stop it loudly, so it may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::{watch, Barrier},
};

fn rss_kib(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("server process");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

/// The one figure a subscriber watches. Reading only it (rather than building the whole
/// snapshot as a JSON tree) keeps the 19,000 clients' own work, which shares the machine with
/// the server, from weighing on the latency measured.
#[derive(serde::Deserialize)]
struct Pledges {
    pledges: u64,
}

/// The `pledges` figure of the last complete `stats` event in `buffer`, if any.
fn last_pledges(buffer: &str) -> Option<u64> {
    buffer
        .rsplit("\n\n")
        .filter_map(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
        .find_map(|data| {
            serde_json::from_str::<Pledges>(data)
                .ok()
                .map(|p| p.pledges)
        })
}

/// One subscriber: connects, waits for the first snapshot, reports ready, then waits for a
/// snapshot with more pledges than `baseline` and reports when it arrived.
async fn subscriber(
    addr: String,
    ready: Arc<Barrier>,
    mut go: watch::Receiver<Option<(u64, Instant)>>,
) -> Option<(Duration, TcpStream)> {
    let mut stream = TcpStream::connect(&addr).await.ok()?;
    let request = format!(
        "GET /api/v1/stats/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut buffer = String::new();
    let mut chunk = vec![0u8; 4096];
    while last_pledges(&buffer).is_none() {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    ready.wait().await;
    let (baseline, _) = loop {
        if let Some(v) = *go.borrow_and_update() {
            break v;
        }
        go.changed().await.ok()?;
    };
    buffer.clear();
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
        if last_pledges(&buffer).is_some_and(|p| p > baseline) {
            let arrived = Instant::now();
            let approved = go.borrow().expect("set").1;
            return Some((arrived.saturating_duration_since(approved), stream));
        }
        if buffer.len() > 1 << 16 {
            buffer.drain(..buffer.len() - 4096);
        }
    }
}

fn token_in(mail: &str) -> String {
    // Undo quoted-printable: soft line breaks, and `=` itself written as `=3D`.
    let mail = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = mail.find("token=").expect("token link") + 6;
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Subscribers, each waiting for its first snapshot, and the server's memory before and after.
struct Idle {
    tasks: Vec<tokio::task::JoinHandle<Option<(Duration, TcpStream)>>>,
    connect_time: Duration,
    rss_before: u64,
    rss_idle: u64,
}

/// Opens `subscribers` streams (in waves, so the listen backlog never overflows), waits until
/// each has its first snapshot and the server has settled, and reads the server's memory.
async fn open_subscribers(
    base: &str,
    pid: &str,
    subscribers: usize,
    go: watch::Receiver<Option<(u64, Instant)>>,
) -> Idle {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = rss_kib(pid);
    let addr = base.trim_start_matches("http://").to_owned();
    let ready = Arc::new(Barrier::new(subscribers + 1));
    let mut tasks = Vec::with_capacity(subscribers);
    for i in 0..subscribers {
        tasks.push(tokio::spawn(subscriber(
            addr.clone(),
            ready.clone(),
            go.clone(),
        )));
        if i % 500 == 499 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let connect_started = Instant::now();
    ready.wait().await;
    let connect_time = connect_started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    Idle {
        tasks,
        connect_time,
        rss_before,
        rss_idle: rss_kib(pid),
    }
}

/// The `floor` mode: memory per idle subscriber only.
async fn floor(base: &str, pid: &str, subscribers: usize) {
    let (_go, go_rx) = watch::channel(None);
    let idle = open_subscribers(base, pid, subscribers, go_rx).await;
    let per_subscriber = idle.rss_idle.saturating_sub(idle.rss_before) as f64 / subscribers as f64;
    println!(
        "{{\"subscribers\": {subscribers}, \"connect_seconds\": {:.2}, \"rss_before_kib\": {}, \
\"rss_idle_kib\": {}, \"kib_per_idle_subscriber\": {per_subscriber:.2}}}",
        idle.connect_time.as_secs_f64(),
        idle.rss_before,
        idle.rss_idle,
    );
    for task in idle.tasks {
        task.abort();
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, base, pid, subscribers] = args.as_slice() {
        assert_eq!(
            mode, "floor",
            "usage: live_bench floor BASE_URL SERVER_PID SUBSCRIBERS"
        );
        return floor(base, pid, subscribers.parse().expect("subscriber count")).await;
    }
    let [_, base, data_dir, pid, subscribers, moderator_email, password] = args.as_slice() else {
        panic!(
            "usage: live_bench BASE_URL DATA_DIR SERVER_PID SUBSCRIBERS MODERATOR_EMAIL PASSWORD"
        );
    };
    let subscribers: usize = subscribers.parse().expect("subscriber count");
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{base}/api/v1{path}");

    // A verified organisation with a submitted pledge, and a moderator to approve it.
    let email = format!("bench-{}@example.org", std::process::id());
    let resp = http
        .post(api("/auth/register"))
        .json(&json!({"email": email, "password": password, "display_name": "Bench",
            "organisation": {"name": "Benchmark Ministry", "kind": "government", "country": "NPL"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let org = resp.json::<Value>().await.unwrap()["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mail = loop {
        let found = std::fs::read_dir(format!("{data_dir}/mail"))
            .ok()
            .and_then(|entries| {
                entries.filter_map(Result::ok).find_map(|e| {
                    let text = std::fs::read_to_string(e.path()).ok()?;
                    text.contains(&email).then_some(text)
                })
            });
        if let Some(mail) = found {
            break mail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let verified = http
        .post(api("/auth/verify-email"))
        .json(&json!({"token": token_in(&mail)}))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 204, "email verification failed");
    let login = |email: String| {
        let http = http.clone();
        let url = api("/auth/login");
        let password = password.clone();
        async move {
            let v: Value = http
                .post(url)
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["access_token"].as_str().expect("login").to_owned()
        }
    };
    let owner = login(email.clone()).await;
    let moderator = login(moderator_email.clone()).await;
    http.post(api(&format!("/organisations/{org}/verify")))
        .bearer_auth(&moderator)
        .send()
        .await
        .unwrap();
    let pledge: Value = http
        .post(api("/pledges"))
        .bearer_auth(&owner)
        .json(&json!({"title": "Benchmark pledge announced on stage", "summary": "Measures the latency of live counters",
            "description": "Benchmark.", "type": "financial", "focus_areas": ["access"], "sdgs": [9],
            "tracks": ["ldc5"], "countries": ["NPL"], "value": {"currency": "USD", "amount_minor": 100, "usd": 1},
            "deliverables": [{"what": "Announce it on stage", "indicator": "Announcements", "unit": "other",
                "target": 1, "due_date": "2030-12-31"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = pledge["id"].as_str().unwrap().to_owned();
    let submitted: Value = http
        .post(api(&format!("/pledges/{id}/submit")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(submitted["status"], "submitted", "{submitted}");
    let version = submitted["version"].as_i64().unwrap();
    let baseline: Value = http
        .get(api("/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let baseline = baseline["pledges"].as_u64().unwrap();

    let (go_tx, go_rx) = watch::channel(None);
    let idle = open_subscribers(base, pid, subscribers, go_rx).await;
    let (tasks, connect_time, rss_before, rss_idle) = (
        idle.tasks,
        idle.connect_time,
        idle.rss_before,
        idle.rss_idle,
    );

    let resp = http
        .post(api(&format!("/pledges/{id}/approve")))
        .bearer_auth(&moderator)
        .header("If-Match", format!("\"{version}\""))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let approved = Instant::now();
    assert_eq!(resp.status(), 200, "approval failed");
    go_tx.send_replace(Some((baseline, approved)));

    let mut latencies = Vec::with_capacity(subscribers);
    let mut lost = 0;
    let mut open = Vec::with_capacity(subscribers);
    for task in tasks {
        match tokio::time::timeout(Duration::from_secs(30), task).await {
            Ok(Ok(Some((latency, stream)))) => {
                latencies.push(latency);
                open.push(stream);
            }
            _ => lost += 1,
        }
    }
    // Held a moment longer, so that closing them all does not weigh on the server while
    // the last updates are still on their way (and its CPU time can be told apart).
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(open);
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    let per_subscriber = (rss_idle.saturating_sub(rss_before)) as f64 / subscribers as f64;
    println!(
        "{{\"subscribers\": {subscribers}, \"received\": {}, \"lost\": {lost}, \"connect_seconds\": {:.2}, \
\"p50_ms\": {:.1}, \"p99_ms\": {:.1}, \"max_ms\": {:.1}, \"rss_before_kib\": {rss_before}, \"rss_idle_kib\": {rss_idle}, \
\"kib_per_idle_subscriber\": {per_subscriber:.2}}}",
        latencies.len(),
        connect_time.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
}
