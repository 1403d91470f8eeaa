//! Load driver for the catalogue and write benchmarks (run by `bench/catalogue.sh`). Each
//! subcommand prints one JSON object on standard output.
//!
//! ```text
//! write_bench setup BASE DATA_DIR PASSWORD MODERATOR_EMAIL
//!     registers a pledger (verified email, organisation verified by the moderator), logs both in
//! write_bench create BASE TOKEN CONNECTIONS SECONDS
//!     creates drafts non-stop from CONNECTIONS clients of one account: rate and latency
//! write_bench prepare BASE TOKEN COUNT COUNTRIES OUT_FILE
//!     creates and submits COUNT pledges, the i-th targeting the i-th of the first COUNTRIES
//!     countries (cyclically); writes "id version" lines to OUT_FILE
//! write_bench approve BASE TOKEN CONNECTIONS IN_FILE
//!     approves every pledge of IN_FILE (with If-Match) from CONNECTIONS clients: rate and latency
//! write_bench storm BASE EMAIL PASSWORD CLIENTS SECONDS
//!     logs in non-stop from CLIENTS clients; counts the answers by status
//! write_bench walk BASE LIMIT DEPTH
//!     pages through the whole catalogue with `limit`; reports the URL of the page DEPTH pledges deep
//! ```
// A measuring tool, not the service: any failure should stop it loudly, so it may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use serde_json::{json, Value};

fn pledge_body(title: &str, country: &str) -> Value {
    json!({
        "title": title,
        "summary": "Broadband and teacher training for rural schools.",
        "description": "Fibre and satellite links, devices and two years of teacher training.",
        "type": "financial",
        "focus_areas": ["access"],
        "sdgs": [9, 17],
        "tracks": ["ldc5"],
        "countries": [country],
        "beneficiary_groups": ["rural_communities"],
        "value": {"currency": "EUR", "amount_minor": 15_500_000_000i64, "usd": 168_000_000},
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
        "partners": ["National Research and Education Network"],
        "deliverables": [{"what": "Connect rural schools", "indicator": "Schools connected",
            "unit": "schools", "target": 100, "due_date": "2025-12-31"}],
    })
}

/// Latency figures of a run, in milliseconds, with the rate over `elapsed`.
fn summary(mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) -> Value {
    latencies.sort();
    let pct = |p: f64| {
        if latencies.is_empty() {
            0.0
        } else {
            latencies[((latencies.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
        }
    };
    json!({
        "count": latencies.len(),
        "errors": errors,
        "seconds": elapsed.as_secs_f64(),
        "per_second": latencies.len() as f64 / elapsed.as_secs_f64(),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
    })
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

async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let resp = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    v["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("login of {email} failed: {status} {v}"))
        .to_owned()
}

async fn setup(http: reqwest::Client, args: &[String]) -> Value {
    let [base, data_dir, password, moderator_email] = args else {
        panic!("usage: setup BASE DATA_DIR PASSWORD MODERATOR_EMAIL");
    };
    let email = format!("bench-owner-{}@example.org", std::process::id());
    let resp = http
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"email": email, "password": password, "display_name": "Bench owner",
            "organisation": {"name": "Benchmark Ministry", "kind": "government", "country": "NPL"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "registration failed");
    let org = resp.json::<Value>().await.unwrap()["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = Instant::now();
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
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no verification mail"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let verified = http
        .post(format!("{base}/api/v1/auth/verify-email"))
        .json(&json!({"token": token_in(&mail)}))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 204, "email verification failed");
    let owner = login(&http, base, &email, password).await;
    let moderator = login(&http, base, moderator_email, password).await;
    let resp = http
        .post(format!("{base}/api/v1/organisations/{org}/verify"))
        .bearer_auth(&moderator)
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "organisation verification failed"
    );
    json!({"email": email, "organisation": org, "owner_token": owner, "moderator_token": moderator})
}

async fn create(http: reqwest::Client, args: &[String]) -> Value {
    let [base, token, connections, seconds] = args else {
        panic!("usage: create BASE TOKEN CONNECTIONS SECONDS");
    };
    let connections: usize = connections.parse().unwrap();
    let until = Instant::now() + Duration::from_secs_f64(seconds.parse().unwrap());
    let started = Instant::now();
    let errors = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (http, base, token, errors) =
            (http.clone(), base.clone(), token.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let body = pledge_body(&format!("Benchmark pledge {c}-{n}"), "GHA");
                let sent = Instant::now();
                let resp = http
                    .post(format!("{base}/api/v1/pledges"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status() == 201 => {
                        let _ = r.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    Ok(r) => {
                        if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!(
                                "creation: {} {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("creation: {e}");
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    summary(all, errors.load(Ordering::Relaxed), started.elapsed())
}

async fn prepare(http: reqwest::Client, args: &[String]) -> Value {
    let [base, token, count, countries, out] = args else {
        panic!("usage: prepare BASE TOKEN COUNT COUNTRIES OUT_FILE");
    };
    let count: usize = count.parse().unwrap();
    let list: Value = http
        .get(format!("{base}/api/v1/countries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<String> = list["items"]
        .as_array()
        .expect("countries")
        .iter()
        .filter_map(|c| {
            c["alpha3"]
                .as_str()
                .or(c["code"].as_str())
                .map(str::to_owned)
        })
        .take(countries.parse().unwrap())
        .collect();
    assert!(!codes.is_empty(), "no countries in {list}");
    let codes = Arc::new(codes);
    let next = Arc::new(AtomicUsize::new(0));
    let lines = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (http, base, token, codes, next, lines) = (
            http.clone(),
            base.clone(),
            token.clone(),
            codes.clone(),
            next.clone(),
            lines.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let body = pledge_body(
                    &format!("Benchmark pledge for approval {i}"),
                    &codes[i % codes.len()],
                );
                let created: Value = http
                    .post(format!("{base}/api/v1/pledges"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let id = created["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("creation failed: {created}"))
                    .to_owned();
                let submitted: Value = http
                    .post(format!("{base}/api/v1/pledges/{id}/submit"))
                    .bearer_auth(&token)
                    .header("If-Match", format!("\"{}\"", created["version"]))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(submitted["status"], "submitted", "{submitted}");
                lines
                    .lock()
                    .unwrap()
                    .push(format!("{id} {}", submitted["version"]));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let lines = lines.lock().unwrap();
    std::fs::write(out, lines.join("\n") + "\n").unwrap();
    json!({"prepared": lines.len(), "countries": codes.len()})
}

async fn approve(http: reqwest::Client, args: &[String]) -> Value {
    let [base, token, connections, input] = args else {
        panic!("usage: approve BASE TOKEN CONNECTIONS IN_FILE");
    };
    let items: Vec<(String, String)> = std::fs::read_to_string(input)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (id, version) = l.split_once(' ')?;
            Some((id.to_owned(), version.to_owned()))
        })
        .collect();
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.parse::<usize>().unwrap() {
        let (http, base, token, items, next, errors) = (
            http.clone(),
            base.clone(),
            token.clone(),
            items.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((id, version)) = items.get(i) else {
                    break;
                };
                let sent = Instant::now();
                let resp = http
                    .post(format!("{base}/api/v1/pledges/{id}/approve"))
                    .bearer_auth(&token)
                    .header("If-Match", format!("\"{version}\""))
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                if status == 200 {
                    latencies.push(sent.elapsed());
                } else if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("approval: {status} {text}");
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    summary(all, errors.load(Ordering::Relaxed), started.elapsed())
}

async fn storm(http: reqwest::Client, args: &[String]) -> Value {
    let [base, email, password, clients, seconds] = args else {
        panic!("usage: storm BASE EMAIL PASSWORD CLIENTS SECONDS");
    };
    let until = Instant::now() + Duration::from_secs_f64(seconds.parse().unwrap());
    let statuses = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let mut tasks = Vec::new();
    for _ in 0..clients.parse::<usize>().unwrap() {
        let (http, base, email, password, statuses) = (
            http.clone(),
            base.clone(),
            email.clone(),
            password.clone(),
            statuses.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                let status = match http
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"email": email, "password": password}))
                    .send()
                    .await
                {
                    Ok(r) => {
                        let s = r.status().as_u16().to_string();
                        let _ = r.bytes().await;
                        s
                    }
                    Err(_) => "error".to_owned(),
                };
                *statuses.lock().unwrap().entry(status).or_default() += 1;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let statuses = statuses.lock().unwrap().clone();
    json!({"logins": statuses})
}

async fn walk(http: reqwest::Client, args: &[String]) -> Value {
    let [base, limit, depth] = args else {
        panic!("usage: walk BASE LIMIT DEPTH");
    };
    let depth: usize = depth.parse().unwrap();
    let mut path = format!("/api/v1/pledges?limit={limit}");
    let mut seen = 0;
    let mut deep = None;
    let started = Instant::now();
    loop {
        if deep.is_none() && seen >= depth {
            deep = Some(path.clone());
        }
        let page: Value = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let cursor: String = url_encode(cursor);
                path = format!("/api/v1/pledges?limit={limit}&cursor={cursor}");
            }
            None => break,
        }
    }
    json!({"pledges": seen, "deep_path": deep, "seconds": started.elapsed().as_secs_f64()})
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let (command, rest) = args.split_first().expect("a subcommand");
    let result = match command.as_str() {
        "setup" => setup(http, rest).await,
        "create" => create(http, rest).await,
        "prepare" => prepare(http, rest).await,
        "approve" => approve(http, rest).await,
        "storm" => storm(http, rest).await,
        "walk" => walk(http, rest).await,
        other => panic!("unknown subcommand {other}"),
    };
    println!("{result}");
}
