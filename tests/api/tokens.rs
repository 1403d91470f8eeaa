//! Access tokens under attack: expired, forged, wrong audience, `alg: none`, disabled users.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn signing_secret(app: &TestApp) -> String {
    app.db
        .run(|conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::signing_keys;
            Ok(signing_keys::table
                .select(signing_keys::secret)
                .first::<String>(conn)?)
        })
        .await
        .unwrap()
}

fn forge(secret: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(pledgeboard::auth::tokens::hash_secret(secret)[..16].to_owned());
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn me_status(app: &TestApp, token: &str) -> reqwest::Response {
    app.send(Method::GET, "/api/v1/me", Some(token), None).await
}

#[tokio::test]
async fn only_well_formed_current_tokens_for_this_service_are_accepted() {
    let app = spawn_app().await;
    let session = app.pledger("tokens@example.org", "Token Org").await;
    let secret = signing_secret(&app).await;
    let now = chrono::Utc::now().timestamp();
    let issuer = pledgeboard::state::TOKEN_ISSUER;
    let claims = |iss: &str, aud: &str, iat: i64, exp: i64| json!({"sub": session.user_id, "iss": iss, "aud": aud, "iat": iat, "exp": exp, "jti": "x"});

    // The forging itself is right: a token made this way with good claims is accepted.
    let good = forge(&secret, claims(issuer, "pledgeboard-api", now, now + 300));
    assert_eq!(me_status(&app, &good).await.status(), StatusCode::OK);

    let expired = forge(
        &secret,
        claims(issuer, "pledgeboard-api", now - 3600, now - 600),
    );
    let wrong_audience = forge(&secret, claims(issuer, "another-api", now, now + 300));
    let wrong_issuer = forge(
        &secret,
        claims("https://evil.example", "pledgeboard-api", now, now + 300),
    );
    let wrong_key = forge(
        "an attacker's secret of at least 32 chars",
        claims(issuer, "pledgeboard-api", now, now + 300),
    );
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload =
        URL_SAFE_NO_PAD.encode(claims(issuer, "pledgeboard-api", now, now + 300).to_string());
    let alg_none = format!("{header}.{payload}.");
    let tampered = {
        let mut parts: Vec<String> = session.access.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD
            .encode(claims(issuer, "pledgeboard-api", now, now + 99_999).to_string());
        parts.join(".")
    };
    for (name, token) in [
        ("expired", expired),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("wrong signature", wrong_key),
        ("alg none", alg_none),
        ("tampered payload", tampered),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let resp = me_status(&app, &token).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let no_scheme = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Authorization", session.access.clone())
        .send()
        .await
        .unwrap();
    assert_problem(no_scheme, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let anonymous = app.get("/api/v1/me").await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_disabled_users_tokens_stop_working_at_once() {
    let app = spawn_app().await;
    let admin = app.staff("admin", "admin@example.org").await;
    let user = app
        .pledger("soon-disabled@example.org", "Disabled Org")
        .await;
    assert_eq!(me_status(&app, &user.access).await.status(), StatusCode::OK);

    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", user.user_id),
            Some(&admin.access),
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap()["disabled"], true);

    assert_problem(
        me_status(&app, &user.access).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let refresh = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": user.refresh}),
        )
        .await;
    assert_problem(refresh, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let login = app
        .login("soon-disabled@example.org", crate::helpers::PASSWORD)
        .await;
    assert_problem(login, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // Re-enabled: a new login works again.
    app.send(
        Method::PATCH,
        &format!("/api/v1/admin/users/{}", user.user_id),
        Some(&admin.access),
        Some(&json!({"disabled": false})),
    )
    .await;
    assert_eq!(
        app.login("soon-disabled@example.org", crate::helpers::PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_signing_key_is_shared_by_instances_on_one_database() {
    let first = spawn_app().await;
    let session = first.pledger("shared@example.org", "Shared Org").await;
    let url = first.settings.database_url.clone();
    let second = crate::helpers::spawn_app_with(move |s| s.database_url = url).await;
    assert_eq!(
        me_status(&second, &session.access).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn instances_behind_one_balancer_accept_each_others_tokens() {
    // Two instances on one database, each bound to its own port and told of its own public
    // address (as happens when one is started without --public-url).
    let a =
        crate::helpers::spawn_app_with(|s| s.public_url = Some("http://instance-a.example".into()))
            .await;
    // Signed up before the second instance exists: its mail worker would take the email.
    let session = a.pledger("lb@ministry.example", "Balanced Ministry").await;
    let url = a.settings.database_url.clone();
    let b = crate::helpers::spawn_app_with(move |s| {
        s.database_url = url;
        s.public_url = None;
    })
    .await;
    for instance in [&a, &b] {
        let resp = instance
            .client
            .get(instance.url("/api/v1/me"))
            .bearer_auth(&session.access)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{}", instance.address);
    }
}
