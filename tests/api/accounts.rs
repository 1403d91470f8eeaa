//! Registration, verification, sessions, passwords, enumeration resistance, rate limits.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, token_in, PASSWORD};

#[tokio::test]
async fn the_whole_journey_register_verify_login_refresh_logout() {
    let app = spawn_app().await;
    let resp = app
        .register(
            "Amina@ICT.gov.gh",
            "Ministry of Communications",
            "government",
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["email"], "amina@ict.gov.gh");
    assert_eq!(body["user"]["email_verified"], false);
    assert_eq!(body["user"]["organisation_role"], "owner");
    assert_eq!(body["organisation"]["verified"], false);
    assert_eq!(body["organisation"]["kind"], "government");
    assert!(
        body.to_string().find("argon2").is_none(),
        "no hash in answers"
    );

    let mail = app
        .email("amina@ict.gov.gh", "Confirm your email address")
        .await;
    let token = token_in(&mail);
    assert!(mail.contains(&format!(
        "{}/verify-email?token={token}",
        app.settings.effective_public_url()
    )));
    let resp = app
        .post_json("/api/v1/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // Single use.
    let again = app
        .post_json("/api/v1/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_problem(again, StatusCode::BAD_REQUEST, "invalid_token").await;

    let resp = app.login("AMINA@ict.gov.gh", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let tokens: Value = resp.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();
    let me: Value = app
        .send(Method::GET, "/api/v1/me", Some(access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email_verified"], true);
    assert_eq!(me["organisation"]["name"], "Ministry of Communications");

    let first_refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let resp = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": first_refresh }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let rotated: Value = resp.json().await.unwrap();
    let second_refresh = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first_refresh, second_refresh);
    let me = app
        .send(
            Method::GET,
            "/api/v1/me",
            Some(rotated["access_token"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(me.status(), StatusCode::OK);

    let resp = app
        .post_json(
            "/api/v1/auth/logout",
            &json!({ "refresh_token": second_refresh }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": second_refresh }),
        )
        .await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

#[tokio::test]
async fn a_replayed_refresh_token_kills_its_whole_family() {
    let app = spawn_app().await;
    let session = app.pledger("replay@example.org", "Replay Org").await;
    let other_session = app.session("replay@example.org").await;
    let resp = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": session.refresh }),
        )
        .await;
    let next: Value = resp.json().await.unwrap();
    let next_refresh = next["refresh_token"].as_str().unwrap();

    // The stolen copy is replayed: refused, and the legitimate successor dies with it.
    let replay = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": session.refresh }),
        )
        .await;
    assert_problem(replay, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let successor = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": next_refresh }),
        )
        .await;
    assert_problem(successor, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    // Another login's family is untouched.
    let other = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": other_session.refresh }),
        )
        .await;
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn passwords_follow_the_policy() {
    let app = spawn_app().await;
    for (password, code) in [
        ("short pass", "too_short"),
        ("qwerty123456", "too_common"),
        ("LeaveMeAlone", "too_common"),
    ] {
        let resp = app
            .post_json(
                "/api/v1/auth/register",
                &json!({"email": "p@example.org", "password": password, "display_name": "P",
                        "organisation": {"name": "Org", "kind": "academia", "country": "KEN"}}),
            )
            .await;
        let body =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "password", "{body}");
        assert_eq!(body["errors"][0]["code"], code, "{password}: {body}");
    }
    // No composition rules: a long lowercase passphrase is fine.
    let resp = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "p@example.org", "password": "purple elephants dance quietly", "display_name": "P",
                    "organisation": {"name": "Org", "kind": "academia", "country": "KEN"}}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn registration_reports_every_bad_field_and_writes_nothing() {
    let app = spawn_app().await;
    let resp = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "not-an-email", "password": "x", "display_name": "",
                    "organisation": {"name": "", "kind": "company", "country": "XXX", "website": "ftp://x"}}),
        )
        .await;
    let body = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "email",
        "password",
        "display_name",
        "organisation.name",
        "organisation.kind",
        "organisation.website",
    ] {
        assert!(fields.contains(&field), "{field} missing in {body}");
    }
    let unknown_country = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "c@example.org", "password": PASSWORD, "display_name": "C",
                    "organisation": {"name": "Org", "kind": "other", "country": "XXX"}}),
        )
        .await;
    let body = assert_problem(
        unknown_country,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "organisation.country");
    let extra = app
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": "e@example.org", "password": PASSWORD, "display_name": "E", "role": "admin",
                    "organisation": {"name": "Org", "kind": "other", "country": "GHA"}}),
        )
        .await;
    assert_problem(extra, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_eq!(
        app.login("c@example.org", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("e@example.org", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Removes what legitimately differs between two answers (ids, times, request ids).
fn shape(mut value: Value) -> Value {
    fn scrub(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    if matches!(
                        key.as_str(),
                        "id" | "organisation_id"
                            | "email"
                            | "created_at"
                            | "updated_at"
                            | "request_id"
                    ) {
                        *inner = Value::Null;
                    } else {
                        scrub(inner);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut value);
    value
}

#[tokio::test]
async fn answers_do_not_tell_whether_an_account_exists() {
    let app = spawn_app().await;
    app.pledger("known@example.org", "Known Org").await;

    // Login: unknown address and wrong password look the same.
    let unknown = app.login("unknown@example.org", PASSWORD).await;
    let wrong = app
        .login("known@example.org", "a wrong but long password")
        .await;
    assert_eq!(unknown.status(), wrong.status());
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b): (Value, Value) = (unknown.json().await.unwrap(), wrong.json().await.unwrap());
    assert_eq!(shape(a), shape(b));

    // Register: an existing address answers like a new one; its owner gets a notice.
    let register = |email: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .post_json(
                    "/api/v1/auth/register",
                    &json!({"email": email, "password": PASSWORD, "display_name": "Same",
                            "organisation": {"name": "Same Org", "kind": "other", "country": "GHA"}}),
                )
                .await;
            (resp.status(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status_new, body_new) = register("fresh@example.org").await;
    let (status_known, body_known) = register("known@example.org").await;
    assert_eq!(status_new, status_known);
    assert_eq!(shape(body_new), shape(body_known));
    let notice = app
        .email("known@example.org", "Someone tried to register")
        .await;
    assert!(notice.contains("already has an account"));
    // The known account is unchanged: same password works, same organisation.
    let session = app.session("known@example.org").await;
    let me: Value = app
        .send(Method::GET, "/api/v1/me", Some(&session.access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["organisation"]["name"], "Known Org");

    // Password reset: the same answer either way.
    let reset = |email: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .post_json("/api/v1/auth/password-reset", &json!({ "email": email }))
                .await;
            (resp.status(), resp.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(
        reset("known@example.org").await,
        reset("nobody@example.org").await
    );
}

#[tokio::test]
async fn password_reset_signs_out_everywhere_and_tells_the_owner() {
    let app = spawn_app().await;
    let session = app.pledger("reset@example.org", "Reset Org").await;
    let resp = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "RESET@example.org"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let mail = app
        .email("reset@example.org", "Reset your pledgeboard password")
        .await;
    let token = token_in(&mail);

    let weak = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "1qaz2wsx3edc"}),
        )
        .await;
    assert_problem(weak, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let new_password = "a brand new long passphrase";
    let resp = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": new_password}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let reused = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": new_password}),
        )
        .await;
    assert_problem(reused, StatusCode::BAD_REQUEST, "invalid_token").await;

    let old_session = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session.refresh}),
        )
        .await;
    assert_problem(
        old_session,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(
        app.login("reset@example.org", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("reset@example.org", new_password).await.status(),
        StatusCode::OK
    );
    app.email("reset@example.org", "password was changed").await;
}

#[tokio::test]
async fn one_over_the_burst_gets_429_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.login_per_account_per_minute = 3;
        s.register_per_ip_per_hour = 2;
        s.reset_per_ip_per_hour = 2;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.login("victim@example.org", "wrong password attempt")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let resp = app
        .login("victim@example.org", "wrong password attempt")
        .await;
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another account from the same address is not blocked by this one's limit.
    assert_eq!(
        app.login("other@example.org", "wrong password attempt")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    for i in 0..2 {
        assert_eq!(
            app.register(&format!("r{i}@example.org"), "Org", "other")
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let resp = app.register("r9@example.org", "Org", "other").await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    for _ in 0..2 {
        app.post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "x@example.org"}),
        )
        .await;
    }
    let resp = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "x@example.org"}),
        )
        .await;
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn old_password_hashes_are_upgraded_at_login() {
    use argon2::{password_hash::SaltString, Algorithm, Argon2, Params, PasswordHasher, Version};
    let app = spawn_app().await;
    app.pledger("legacy@example.org", "Legacy Org").await;
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(
        PASSWORD.as_bytes(),
        &SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap(),
    )
    .unwrap()
    .to_string();
    let stored = weak.clone();
    let read_hash = || async {
        app.db
            .run(|conn| {
                Ok(
                    pledgeboard::db::users::find_by_email(conn, "legacy@example.org")?
                        .unwrap()
                        .password_hash,
                )
            })
            .await
            .unwrap()
    };
    app.db
        .run(move |conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::users;
            diesel::update(users::table.filter(users::email.eq("legacy@example.org")))
                .set(users::password_hash.eq(stored))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(read_hash().await, weak);
    assert_eq!(
        app.login("legacy@example.org", PASSWORD).await.status(),
        StatusCode::OK
    );
    let upgraded = read_hash().await;
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{upgraded}"
    );
    assert_eq!(
        app.login("legacy@example.org", PASSWORD).await.status(),
        StatusCode::OK
    );
}

/// A role this version does not know (written by a newer version, or by hand past the
/// table's check) stops the account with an error naming the row; it never reads as a pledger.
#[tokio::test]
async fn an_unknown_stored_role_is_an_error_never_a_pledger() {
    let app = spawn_app().await;
    let session = app.pledger("odd@example.org", "Ministry").await;
    let user_id = session.user_id.clone();
    app.db
        .run(move |conn| {
            use diesel::{connection::SimpleConnection, prelude::*};
            use pledgeboard::db::{schema::users, DbConnection};
            match conn {
                DbConnection::Sqlite(c) => {
                    c.batch_execute("PRAGMA ignore_check_constraints = ON")?
                }
                DbConnection::Postgres(c) => {
                    c.batch_execute("ALTER TABLE users DROP CONSTRAINT users_role_check")?
                }
            }
            diesel::update(users::table.find(user_id))
                .set(users::role.eq("superuser"))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let resp = app
        .send(Method::GET, "/api/v1/me", Some(&session.access), None)
        .await;
    assert_problem(resp, StatusCode::INTERNAL_SERVER_ERROR, "internal_error").await;
    let read = app
        .db
        .run(|conn| pledgeboard::db::users::find_by_email(conn, "odd@example.org"))
        .await;
    assert!(
        matches!(&read, Err(e) if e.to_string() == "internal error"),
        "{read:?}"
    );
}
