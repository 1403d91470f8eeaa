//! The `pledgeboard` binary as an operator runs it.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;

use pledgeboard::db::Database;

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
    // The access log line of that request carries the same id.
    loop {
        let line = logs
            .recv_timeout(Duration::from_secs(30))
            .expect("an access log line");
        if line["span"]["request_id"] == request_id.as_str() {
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
        message(&db, &ids[0]).await.status == "sending"
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
            message(&db, id).await.status == "sent"
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
    let user = pledgeboard::services::accounts::find_user_by_email(&mut conn, "root@example.org")
        .unwrap()
        .unwrap();
    assert_eq!(user.role, "admin");
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
    for secret in [PASSWORD, refresh.as_str(), access.as_str(), "$argon2"] {
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
