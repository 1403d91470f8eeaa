//! The admin API over the email pipeline, and staff accounts.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    email::queue,
    helpers::{eventually, spawn_app_with, PASSWORD},
    smtp::{free_port, TestSmtp},
};

#[tokio::test]
async fn admins_list_dead_messages_and_put_them_back() {
    let smtp = TestSmtp::start_refusing(free_port(), &["bounce@"]);
    let smtp_url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = Some(smtp_url);
        s.mail_max_attempts = 2;
        s.mail_backoff_ms = 20;
    })
    .await;
    let admin = app.staff("admin", "root@example.org").await;
    let id = queue(&app.db, 1, "bounce@example.org").await.remove(0);
    eventually(Duration::from_secs(20), || async {
        let list: Value = app
            .send(
                Method::GET,
                "/api/v1/admin/outbox?status=dead",
                Some(&admin.access),
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == id.as_str())
    })
    .await;
    let list: Value = app
        .send(
            Method::GET,
            "/api/v1/admin/outbox",
            Some(&admin.access),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let dead = &list["items"][0];
    assert_eq!(dead["status"], "dead");
    assert_eq!(dead["attempts"], 2);
    assert!(dead["last_error"].as_str().unwrap().contains("550"));
    assert!(
        dead.get("text_body").is_none(),
        "bodies may hold tokens: never listed"
    );

    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&admin.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "pending");
    let bad = app
        .send(
            Method::GET,
            "/api/v1/admin/outbox?status=lost",
            Some(&admin.access),
            None,
        )
        .await;
    crate::helpers::assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn admins_create_staff_and_change_roles_but_not_their_own() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.staff("admin", "boss@example.org").await;
    let resp = app
        .send(Method::POST, "/api/v1/admin/users", Some(&admin.access),
            Some(&json!({"email": "Organiser@Example.org", "display_name": "Org", "role": "organiser", "password": PASSWORD})))
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["role"], "organiser");
    assert_eq!(created["email_verified"], true);
    let duplicate = app
        .send(Method::POST, "/api/v1/admin/users", Some(&admin.access),
            Some(&json!({"email": "organiser@example.org", "display_name": "Org", "role": "organiser", "password": PASSWORD})))
        .await;
    crate::helpers::assert_problem(duplicate, StatusCode::CONFLICT, "email_taken").await;
    let pledger_role = app
        .send(Method::POST, "/api/v1/admin/users", Some(&admin.access),
            Some(&json!({"email": "p2@example.org", "display_name": "P", "role": "pledger", "password": PASSWORD})))
        .await;
    crate::helpers::assert_problem(
        pledger_role,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    let id = created["id"].as_str().unwrap();
    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{id}"),
            Some(&admin.access),
            Some(&json!({"role": "moderator"})),
        )
        .await;
    assert_eq!(resp.json::<Value>().await.unwrap()["role"], "moderator");
    let own = app
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", admin.user_id),
            Some(&admin.access),
            Some(&json!({"disabled": true})),
        )
        .await;
    crate::helpers::assert_problem(own, StatusCode::CONFLICT, "own_account").await;
}

/// Admins find accounts by words of their address or name and by role, a page at a time;
/// nobody else may list them.
#[tokio::test]
async fn admins_list_and_search_accounts() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.staff("admin", "root@example.org").await;
    let moderator = app.staff("moderator", "reviewer@example.org").await;
    let pledger = app
        .pledger("amina@ministry.example", "Ministry of ICT")
        .await;
    app.pledger("zoe_100%@operator.example", "Operator").await;
    let list = |query: &'static str| {
        let app = &app;
        let token = admin.access.clone();
        async move {
            let resp = app
                .send(
                    Method::GET,
                    &format!("/api/v1/admin/users{query}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(resp.status(), StatusCode::OK, "{query}");
            let link = resp
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_owned());
            let page: Value = resp.json().await.unwrap();
            let emails: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned())
                .collect();
            (emails, link)
        }
    };
    let (all, _) = list("").await;
    assert_eq!(
        all,
        [
            "amina@ministry.example",
            "reviewer@example.org",
            "root@example.org",
            "zoe_100%@operator.example"
        ]
    );
    assert_eq!(list("?q=MINISTRY").await.0, ["amina@ministry.example"]);
    // `%` and `_` are matched as typed, not as wildcards.
    assert_eq!(list("?q=_100%25").await.0, ["zoe_100%@operator.example"]);
    assert!(list("?q=r_o").await.0.is_empty(), "`_` would match `roo`");
    assert_eq!(list("?role=moderator").await.0, ["reviewer@example.org"]);
    let (first, link) = list("?limit=3").await;
    assert_eq!(first.len(), 3);
    let next = link.expect("a next page");
    let next = next
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .trim_start_matches("/api/v1/admin/users")
        .to_owned();
    let next: &'static str = Box::leak(next.into_boxed_str());
    assert_eq!(list(next).await.0, ["zoe_100%@operator.example"]);

    for who in [&moderator, &pledger] {
        let resp = app
            .send(Method::GET, "/api/v1/admin/users", Some(&who.access), None)
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
    let long = format!("/api/v1/admin/users?q={}", "x".repeat(201));
    let resp = app
        .send(Method::GET, &long, Some(&admin.access), None)
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}
