//! The `pledgeboard` binary as an operator runs it.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;

use pledgeboard::{db::Database, domain::outbox::OutboxStatus};

use crate::{
    email::{message, queue},
    helpers::{eventually, fresh_database_url, PASSWORD},
    smtp::{BlackHole, TestSmtp},
};

fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pledgeboard"));
    // The test's own environment must not leak settings into the child.
    for var in [
        "DATABASE_URL",
        "SMTP_URL",
        "PLEDGEBOARD_BIND",
        "PLEDGEBOARD_DATA_DIR",
        "PLEDGEBOARD_PUBLIC_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Reads the child's JSON log lines on a thread, so the test can wait for one with a timeout.
fn log_lines(child: &mut Child) -> mpsc::Receiver<Value> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                if tx.send(value).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<Value>, message: &str) -> Value {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no log line {message:?}"));
        if line["fields"]["message"] == message {
            return line;
        }
    }
}

#[test]
fn help_explains_every_setting() {
    let out = binary().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--bind",
        "PLEDGEBOARD_BIND",
        "--data-dir",
        "--database-url",
        "DATABASE_URL",
        "--smtp-url",
        "SMTP_URL",
        "--public-url",
        "serve",
        "migrate",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn migrate_creates_the_database_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let out = binary()
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .args(["--database-url", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs = String::from_utf8_lossy(&out.stdout);
    assert!(logs.contains("database ready"), "{logs}");
    let again = binary()
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .args(["--database-url", &url])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("\"applied\":0"));
}

/// Starts `pledgeboard serve` on a free port; returns the child, its log lines and its address.
fn serve(dir: &Path, url: &str, extra: &[&str]) -> (Child, mpsc::Receiver<Value>, String) {
    let mut child = binary()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(["--database-url", url])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let logs = log_lines(&mut child);
    let listening = wait_for(&logs, "pledgeboard listening");
    let address = listening["fields"]["address"].as_str().unwrap().to_owned();
    (child, logs, address)
}

fn signal(child: &Child, signal: &str) {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap()
        .success());
}

#[test]
fn serves_logs_request_ids_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let (mut child, logs, address) = serve(dir.path(), &url, &[]);

    let resp = raw_http::get(&format!("http://{address}/api/v1/tracks"));
    let request_id = resp.0;
    assert_eq!(resp.1, 200);
    // The access log line of that request carries the same id, its status and its latency.
    loop {
        let line = logs
            .recv_timeout(Duration::from_secs(30))
            .expect("an access log line");
        if line["span"]["request_id"] == request_id.as_str()
            && line["fields"]["message"] == "answered"
        {
            assert_eq!(line["span"]["http.status_code"], 200, "{line}");
            assert_eq!(line["span"]["http.route"], "/api/v1/tracks", "{line}");
            assert!(
                line["fields"]["latency_ms"]
                    .as_f64()
                    .is_some_and(|ms| ms >= 0.0),
                "{line}"
            );
            break;
        }
    }

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    wait_for(&logs, "pledgeboard stopped");
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[tokio::test]
async fn messages_in_flight_when_the_service_is_killed_are_sent_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    // First life: the SMTP server accepts connections and never answers, so the worker is in
    // the middle of sending when the process is killed.
    let hole = BlackHole::start();
    let port = hole.port;
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let args = [
        "--smtp-url",
        &smtp_url,
        "--mail-lease-secs",
        "2",
        "--mail-poll-ms",
        "50",
        "--mail-backoff-ms",
        "50",
    ];
    let (mut child, _logs, _) = serve(dir.path(), &url, &args);
    let db = Database::open(&url, 2).unwrap();
    let ids = queue(&db, 10, "someone@example.org").await;
    eventually(Duration::from_secs(20), || async {
        message(&db, &ids[0]).await.status == OutboxStatus::Sending
    })
    .await;
    signal(&child, "-KILL");
    child.wait().unwrap();
    drop(hole);

    // Second life: the server works; the dead process's claims expire and everything arrives.
    let smtp = TestSmtp::start_on(port);
    let (mut child, logs, _) = serve(dir.path(), &url, &args);
    smtp.wait_for(10, Duration::from_secs(60)).await;
    for id in &ids {
        eventually(Duration::from_secs(20), || async {
            message(&db, id).await.status == OutboxStatus::Sent
        })
        .await;
    }
    let mut message_ids: Vec<_> = smtp
        .received()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 10);
    assert_eq!(smtp.received().len(), 10, "none twice");
    signal(&child, "-TERM");
    wait_for(&logs, "pledgeboard stopped");
    assert!(child.wait().unwrap().success());
}

#[test]
fn create_staff_takes_the_password_on_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let run = |email: &str, password: &str| {
        let mut child = binary()
            .args([
                "create-staff",
                "--role",
                "admin",
                "--email",
                email,
                "--name",
                "Root",
                "--data-dir",
            ])
            .arg(dir.path())
            .args(["--database-url", &url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("root@example.org", PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin root@example.org"));

    let again = run("root@example.org", PASSWORD);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an account"));
    let weak = run("weak@example.org", "short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));

    let db = Database::open(&url, 1).unwrap();
    let mut conn = db.get().unwrap();
    let user = pledgeboard::db::users::find_by_email(&mut conn, "root@example.org")
        .unwrap()
        .unwrap();
    assert_eq!(user.role.as_str(), "admin");
    assert!(user.email_verified);
    assert!(pledgeboard::auth::password::verify(
        PASSWORD,
        &user.password_hash
    ));
}

#[tokio::test]
async fn no_password_hash_or_token_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let (mut child, logs, address) = serve(dir.path(), &url, &["--mail-poll-ms", "50"]);
    let client = reqwest::Client::new();
    let base = format!("http://{address}/api/v1");
    let registered = client
        .post(format!("{base}/auth/register"))
        .json(&serde_json::json!({"email": "quiet@example.org", "password": PASSWORD, "display_name": "Q",
            "organisation": {"name": "Quiet Org", "kind": "other", "country": "GHA"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let tokens: Value = client
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"email": "quiet@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    client
        .post(format!("{base}/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    // The pages behind emailed links carry their token in the address.
    let link_token = "linktokenAbC123xyz987";
    for page in ["reset-password", "verify-email", "accept-invitation"] {
        client
            .get(format!(
                "http://{address}/{page}?token={link_token}&lang=en"
            ))
            .send()
            .await
            .unwrap();
    }
    // A private big screen carries its secret in the address, on its page and its stream
    // (a wrong secret is refused: logged all the same).
    let screen_key = "screenSecretQ9w8e7Zx";
    for path in [
        format!("/live/ldc5?screen_key={screen_key}"),
        format!("/api/v1/stats?track=ldc5&screen_key={screen_key}"),
    ] {
        client
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .unwrap();
    }
    signal(&child, "-TERM");
    let mut lines = Vec::new();
    while let Ok(line) = logs.recv_timeout(Duration::from_secs(30)) {
        let done = line["fields"]["message"] == "pledgeboard stopped";
        lines.push(line.to_string());
        if done {
            break;
        }
    }
    child.wait().unwrap();
    let all = lines.join("\n");
    assert!(
        all.contains("quiet") || all.contains("/api/v1/auth/login"),
        "the logs saw the requests"
    );
    assert!(
        all.contains("token=[redacted]"),
        "the link pages were logged"
    );
    assert!(
        all.contains("screen_key=[redacted]"),
        "the private screen was logged"
    );
    for secret in [
        PASSWORD,
        refresh.as_str(),
        access.as_str(),
        "$argon2",
        link_token,
        screen_key,
    ] {
        assert!(!all.contains(secret), "a secret reached the logs: {secret}");
    }
}

#[test]
fn seed_demo_is_safe_to_rerun_and_leaves_exact_counters() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let run = |args: &[&str]| {
        let out = binary()
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["--database-url", &url])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["seed-demo", "--pledges", "30"])
        .contains("demo data: 30 pledges (30 added), 15 organisations added"));
    assert!(run(&["seed-demo", "--pledges", "30"]).contains("(0 added), 0 organisations added"));
    assert!(run(&["seed-demo", "--pledges", "40"])
        .contains("demo data: 40 pledges (10 added), 5 organisations added"));
    assert!(run(&["recount"]).contains("counters were exact"));

    let db = Database::open(&url, 1).unwrap();
    let mut conn = db.get().unwrap();
    let stored = pledgeboard::db::counters::load(&mut conn, &["all".to_owned()]).unwrap();
    assert_eq!(stored[0].1.figures().pledges(), 40);
    assert_eq!(stored[0].1.figures().entities(), 20);
}

#[test]
fn the_binary_links_no_database_or_tls_library() {
    let Ok(out) = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_pledgeboard"))
        .output()
    else {
        panic!("ldd is needed for this check");
    };
    let libs = String::from_utf8_lossy(&out.stdout);
    for lib in ["libsqlite3", "libpq", "libssl", "libcrypto"] {
        assert!(
            !libs.contains(lib),
            "the binary needs {lib} at run time:\n{libs}"
        );
    }
}

mod raw_http {
    /// A plain HTTP/1.1 GET over a socket: returns (x-request-id, status).
    pub fn get(url: &str) -> (String, u16) {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
        let request_id = response
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("x-request-id: ")
                    .map(str::to_owned)
            })
            .expect("x-request-id header");
        (request_id, status)
    }
}

/// Registers an account with an organisation through a running binary and logs it in.
async fn sign_up(client: &reqwest::Client, base: &str, email: &str, organisation: &str) -> Value {
    let registered = client
        .post(format!("{base}/auth/register"))
        .json(
            &serde_json::json!({"email": email, "password": PASSWORD, "display_name": "Operator",
            "organisation": {"name": organisation, "kind": "other", "country": "GHA"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    client
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Clients creating pledges with `Idempotency-Key`s while the process is killed, then retrying
/// every request with its key after a restart: every pledge exists exactly once, and every key
/// answers with its pledge.
#[tokio::test]
async fn keyed_creations_survive_a_kill_exactly_once() {
    const CLIENTS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let (child, _logs, address) = serve(dir.path(), &url, &[]);
    let client = reqwest::Client::new();
    let base = format!("http://{address}/api/v1");
    let tokens = sign_up(&client, &base, "crash@example.org", "Crash Org").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let body = |i: usize| {
        crate::live::pledge_body(
            &format!("Pledge number {i} of the crash"),
            &["ldc5"],
            &["NPL"],
            10,
        )
    };
    let create = |base: String, i: usize| {
        let client = client.clone();
        let access = access.clone();
        async move {
            client
                .post(format!("{base}/pledges"))
                .bearer_auth(access)
                .header("Idempotency-Key", format!("crash-key-{i}"))
                .json(&body(i))
                .send()
                .await
        }
    };

    // First life: all clients at once; the process dies while many are in flight.
    let (answered_tx, mut answered_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let request = create(base.clone(), i);
        let answered = answered_tx.clone();
        tasks.push(tokio::spawn(async move {
            if let Ok(resp) = request.await {
                let _ = answered.send(resp.status().as_u16());
            }
        }));
    }
    for _ in 0..3 {
        answered_rx.recv().await;
    }
    signal(&child, "-KILL");
    let mut child = child;
    child.wait().unwrap();
    for task in tasks {
        let _ = task.await;
    }

    // Second life: every client retries with its key until it has an answer.
    let (mut child, logs, address) = serve(dir.path(), &url, &[]);
    let base = format!("http://{address}/api/v1");
    let mut ids = std::collections::HashSet::new();
    for i in 0..CLIENTS {
        let resp = create(base.clone(), i).await.unwrap();
        assert_eq!(resp.status(), 201, "client {i}");
        let pledge: Value = resp.json().await.unwrap();
        assert_eq!(pledge["title"], format!("Pledge number {i} of the crash"));
        assert!(ids.insert(pledge["id"].as_str().unwrap().to_owned()));
        // Asking again replays the same answer.
        let again: Value = create(base.clone(), i).await.unwrap().json().await.unwrap();
        assert_eq!(again["id"], pledge["id"]);
    }
    let db = Database::open(&url, 2).unwrap();
    let stored: i64 = db
        .run(|conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::pledges;
            Ok(pledges::table.count().get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(stored, CLIENTS as i64, "every pledge exactly once");
    signal(&child, "-TERM");
    wait_for(&logs, "pledgeboard stopped");
    assert!(child.wait().unwrap().success());
}

/// `pledgeboard backup` copies the embedded database while the service takes writes; the
/// copy, put in place of the database, serves every pledge acknowledged before it was taken.
#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_pledge() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    if pledgeboard::db::Backend::from_url(&url) != pledgeboard::db::Backend::Sqlite {
        // PostgreSQL is backed up with pg_dump (docs/operations.md); the command refuses.
        return;
    }
    let (mut child, logs, address) = serve(dir.path(), &url, &[]);
    let client = reqwest::Client::new();
    let base = format!("http://{address}/api/v1");
    let tokens = sign_up(&client, &base, "backup@example.org", "Backup Org").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let create = {
        let client = client.clone();
        let base = base.clone();
        move |i: usize| {
            let request = client
                .post(format!("{base}/pledges"))
                .bearer_auth(&access)
                .json(&crate::live::pledge_body(
                    &format!("Backed up pledge {i}"),
                    &[],
                    &["GHA"],
                    5,
                ));
            async move {
                let resp = request.send().await.unwrap();
                assert_eq!(resp.status(), 201);
                resp.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        }
    };
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        acknowledged.push(create(i).await);
    }
    // Writers keep going while the copy is taken.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = tokio::spawn({
        let stop = stop.clone();
        let create = create.clone();
        async move {
            let mut i = 1000;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                create(i).await;
                i += 1;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let copy = dir.path().join("copy.sqlite3");
    let output = tokio::task::spawn_blocking({
        let copy = copy.clone();
        let url = url.clone();
        move || {
            binary()
                .args(["backup", "--database-url", &url])
                .arg(&copy)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();
    signal(&child, "-TERM");
    wait_for(&logs, "pledgeboard stopped");
    assert!(child.wait().unwrap().success());

    // Restore: a new data folder whose database is the copy.
    let restored = tempfile::tempdir().unwrap();
    let restored_url = restored
        .path()
        .join("pledgeboard.sqlite3")
        .to_string_lossy()
        .into_owned();
    std::fs::copy(&copy, &restored_url).unwrap();
    let (mut child, logs, address) = serve(restored.path(), &restored_url, &[]);
    for id in &acknowledged {
        let resp = client
            .get(format!("http://{address}/api/v1/pledges/{id}"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "pledge {id} is in the restored copy");
    }
    // A second backup to the same file is refused rather than overwriting it.
    let again = binary()
        .args(["backup", "--database-url", &restored_url])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!again.status.success());
    signal(&child, "-TERM");
    wait_for(&logs, "pledgeboard stopped");
    assert!(child.wait().unwrap().success());
}
