//! What the penetration test checks: headers that keep browsers and caches honest, client
//! addresses that a client cannot choose, secrets kept out of the logs.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn answers_carry_the_headers_browsers_and_caches_need() {
    let app = spawn_app().await;
    let session = app.pledger("headers@example.org", "Header Org").await;

    let public = app.get("/api/v1/sdgs").await;
    assert_eq!(public.headers()["x-content-type-options"], "nosniff");
    assert!(public
        .headers()
        .get("cache-control")
        .is_none_or(|v| v != "private, no-store"));

    for path in [
        "/api/v1/me",
        "/api/v1/pledges?status=draft",
        "/api/v1/pledges/export.csv",
    ] {
        let personal = app
            .send(Method::GET, path, Some(&session.access), None)
            .await;
        assert_eq!(
            personal.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
        assert_eq!(
            personal.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
    // A problem answer carries them too.
    let problem = app
        .send(
            Method::GET,
            "/api/v1/moderation/queue",
            Some(&session.access),
            None,
        )
        .await;
    assert_eq!(problem.headers()["cache-control"], "private, no-store");
    assert_problem(problem, StatusCode::FORBIDDEN, "forbidden").await;

    let page = app.get("/reset-password?token=abc").await;
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );

    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let csp = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn venues_may_frame_the_big_screen_only_when_configured() {
    let app = spawn_app().await;
    let csp = app.get("/live/ldc5").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let app =
        spawn_app_with(|s| s.live_frame_ancestors = vec!["https://screens.venue.example".into()])
            .await;
    let resp = app.get("/live/ldc5").await;
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors https://screens.venue.example"),
        "{csp}"
    );
    assert!(resp.headers().get("x-frame-options").is_none());
}

/// Behind one proxy that appends to `X-Forwarded-For`, a client rotating the entries it writes
/// itself still meets the login limit: the limit is keyed on what the proxy saw.
#[tokio::test]
async fn a_client_cannot_escape_the_login_limit_by_forging_forwarded_for() {
    let app = spawn_app_with(|s| {
        s.trusted_proxy_hops = 1;
        s.login_per_ip_per_minute = 3;
    })
    .await;
    let attempt = |forged: String, seen: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", format!("{forged}, {seen}"))
            .json(&json!({"email": format!("{forged}@example.org"), "password": "wrong password attempt"}))
            .send()
    };
    for i in 0..3 {
        let resp = attempt(format!("10.9.8.{i}"), "203.0.113.50")
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let resp = attempt("10.9.8.99".into(), "203.0.113.50").await.unwrap();
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another client behind the same proxy is someone else.
    let resp = attempt("10.9.8.1".into(), "203.0.113.51").await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

/// A body dripped slowly is cut off at the deadline with a 408, freeing the connection.
#[tokio::test]
async fn a_slowly_dripped_body_is_timed_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|s| s.body_read_timeout_secs = 1).await;
    let session = app.pledger("drip@example.org", "Drip Org").await;
    let address = app.address.trim_start_matches("http://").to_owned();
    for path in ["/api/v1/auth/login", "/api/v1/pledges"] {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
            session.access
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut answer),
        )
        .await;
        assert!(read.is_ok(), "{path}: the server kept the connection open");
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 408"), "{path}: {text}");
        assert!(text.contains("request_timeout"), "{path}: {text}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

/// serde would read a struct from an array: the top level of every JSON body must be an object.
#[tokio::test]
async fn json_bodies_must_be_objects() {
    let app = spawn_app().await;
    let session = app.pledger("array@example.org", "Array Org").await;
    let cases = [
        (
            Method::POST,
            "/api/v1/auth/login",
            json!(["array@example.org", crate::helpers::PASSWORD]),
        ),
        (Method::POST, "/api/v1/pledges", json!(["a", "b"])),
        (Method::PATCH, "/api/v1/tracks/ldc5", json!([null, null])),
        (Method::POST, "/api/v1/auth/register", json!("a string")),
        (Method::POST, "/api/v1/auth/login", json!(42)),
    ];
    for (method, path, body) in cases {
        let resp = app
            .send(method.clone(), path, Some(&session.access), Some(&body))
            .await;
        let problem = assert_problem(resp, StatusCode::BAD_REQUEST, "malformed_json").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("JSON object"),
            "{method} {path}: {problem}"
        );
    }
    // Objects still work, whitespace first included.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(format!(
            "  \n {{\"email\": \"array@example.org\", \"password\": \"{}\"}}",
            crate::helpers::PASSWORD
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

async fn me(app: &crate::helpers::TestApp, access: &str) -> StatusCode {
    app.send(Method::GET, "/api/v1/me", Some(access), None)
        .await
        .status()
}

/// Logs the account of the session test in with its new password.
async fn log_in(app: &crate::helpers::TestApp) -> serde_json::Value {
    app.post_json(
        "/api/v1/auth/login",
        &json!({"email": "sessions@example.org", "password": "an entirely new long passphrase"}),
    )
    .await
    .json()
    .await
    .unwrap()
}

/// Ending a session ends its access tokens at once, on every instance, not when they expire:
/// password reset, logout, a replayed refresh token, disabling the account, a role change.
#[tokio::test]
async fn access_tokens_stop_working_when_their_session_ends_on_every_instance() {
    let a = spawn_app().await;
    let admin = a.staff("admin", "sessions-admin@example.org").await;
    let victim = a.pledger("sessions@example.org", "Session Org").await;
    // Requested on A before B exists, so that A's mail worker writes the email.
    a.post_json(
        "/api/v1/auth/password-reset",
        &json!({"email": "sessions@example.org"}),
    )
    .await;
    let reset_mail = a
        .email("sessions@example.org", "Reset your pledgeboard password")
        .await;
    let url = a.settings.database_url.clone();
    let b = spawn_app_with(move |s| s.database_url = url).await;
    assert_eq!(me(&b, &victim.access).await, StatusCode::OK);

    // Password reset through B: the token issued by A stops working on A and on B.
    let resp = b
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": crate::helpers::token_in(&reset_mail), "password": "an entirely new long passphrase"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&a, &victim.access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&b, &victim.access).await, StatusCode::UNAUTHORIZED);

    // Logout on B ends the access token used on A.
    let login = log_in(&a).await;
    let access = login["access_token"].as_str().unwrap().to_owned();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&a, &access).await, StatusCode::OK);
    let resp = b
        .post_json("/api/v1/auth/logout", &json!({"refresh_token": refresh}))
        .await;
    assert!(resp.status().is_success());
    assert_eq!(me(&a, &access).await, StatusCode::UNAUTHORIZED);

    // A replayed refresh token: the family is revoked and its access tokens die.
    let login = log_in(&a).await;
    let first_refresh = login["refresh_token"].as_str().unwrap().to_owned();
    let rotated: serde_json::Value = b
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first_refresh}),
        )
        .await
        .json()
        .await
        .unwrap();
    let current = rotated["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&a, &current).await, StatusCode::OK);
    let replay = a
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first_refresh}),
        )
        .await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(me(&b, &current).await, StatusCode::UNAUTHORIZED);

    // Disabled by an admin on A; a role change on B: each ends the tokens in use.
    let fresh = log_in(&a).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let user_id = victim.user_id.clone();
    let resp = b
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{user_id}"),
            Some(&admin.access),
            Some(&json!({"role": "organiser"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(me(&a, &fresh).await, StatusCode::UNAUTHORIZED);
    let again = log_in(&a).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = a
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{user_id}"),
            Some(&admin.access),
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(me(&b, &again).await, StatusCode::UNAUTHORIZED);
}

/// Completing a reset spends every outstanding reset link of the account.
#[tokio::test]
async fn an_older_reset_link_dies_when_a_newer_reset_completes() {
    let app = spawn_app().await;
    app.pledger("twice@example.org", "Twice Org").await;
    let mut tokens = Vec::new();
    for _ in 0..2 {
        app.post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "twice@example.org"}),
        )
        .await;
        crate::helpers::eventually(std::time::Duration::from_secs(20), || async {
            app.emails_to("twice@example.org")
                .iter()
                .filter(|m| m.contains("Reset your pledgeboard password"))
                .count()
                > tokens.len()
        })
        .await;
        let mails: Vec<String> = app
            .emails_to("twice@example.org")
            .into_iter()
            .filter(|m| m.contains("Reset your pledgeboard password"))
            .collect();
        let token = mails
            .iter()
            .map(|m| crate::helpers::token_in(m))
            .find(|t| !tokens.contains(t))
            .unwrap();
        tokens.push(token);
    }
    let newer = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": tokens[1], "password": "the newer long passphrase"}),
        )
        .await;
    assert_eq!(newer.status(), StatusCode::NO_CONTENT);
    let older = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": tokens[0], "password": "the older long passphrase"}),
        )
        .await;
    assert_problem(older, StatusCode::BAD_REQUEST, "invalid_token").await;
}

/// Many reset requests for one address, from anywhere, send a few emails an hour, and every
/// request is answered the same way.
#[tokio::test]
async fn reset_mails_to_one_address_are_capped() {
    let app = spawn_app().await;
    app.pledger("inbox@example.org", "Inbox Org").await;
    for _ in 0..8 {
        let resp = app
            .post_json(
                "/api/v1/auth/password-reset",
                &json!({"email": "inbox@example.org"}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let resets = app
        .emails_to("inbox@example.org")
        .iter()
        .filter(|m| m.contains("Reset your pledgeboard password"))
        .count();
    assert_eq!(resets, 3);
}

/// A login storm beyond the password gate's slots and queue is refused at once with 503 and
/// `Retry-After`, never queued without end; the checks it admits answer as usual.
#[tokio::test]
async fn a_login_storm_past_the_password_gate_hears_503_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.password_hashing_concurrency = 1;
        s.password_hashing_queue = 0;
    })
    .await;
    let attempts = (0..8).map(|i| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"email": format!("storm{i}@example.org"), "password": "not the one at all"})),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let mut refused = 0;
    for resp in answers {
        match resp.status() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert_eq!(resp.headers()["retry-after"], "1");
                assert_problem(resp, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        refused > 0,
        "eight checks at once through one slot and no queue"
    );
}
