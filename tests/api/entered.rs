//! Pledges entered by the secretariat on an organisation's behalf, and their confirmation by
//! the organisation's contact taking the organisation over.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, texts_at, token_in, Session, TestApp, PASSWORD};
use crate::pledges::{json_with, pledge_body, request, step};

/// What `who` reads at `path` (200).
async fn read(app: &TestApp, who: &Session, path: &str) -> Value {
    let resp = request(app, Method::GET, path, Some(who))
        .send()
        .await
        .unwrap();
    json_with(resp, StatusCode::OK).await
}

/// `POST /entered-pledges` as `who`.
async fn enter(app: &TestApp, who: &Session, body: &Value) -> reqwest::Response {
    request(app, Method::POST, "/api/v1/entered-pledges", Some(who))
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_entered_pledge_is_moderated_as_usual_and_confirmed_by_the_new_owner() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "events@p2c.example").await;
    let moderator = app.staff("moderator", "moderator@p2c.example").await;
    let entered = json!({
        "organisation": {"name": "Ministry of ICT of Nepal", "kind": "government", "country": "NPL"},
        "contact_email": "Minister.Office@ict.gov.np",
        "source": "announced in plenary, LDC5, 6 March",
        "pledge": pledge_body("Connecting 500 rural schools"),
    });
    let resp = request(
        &app,
        Method::POST,
        "/api/v1/entered-pledges",
        Some(&organiser),
    )
    .json(&entered)
    .send()
    .await
    .unwrap();
    let pledge = json_with(resp, StatusCode::CREATED).await;
    let id = pledge["id"].as_str().unwrap().to_owned();
    let org = pledge["organisation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(pledge["status"], "submitted");
    assert_eq!(pledge["confirmed"], false);
    assert_eq!(pledge["source"], "announced in plenary, LDC5, 6 March");
    assert_eq!(pledge["entered_by"], organiser.user_id.as_str());
    assert_eq!(pledge["organisation"]["verified"], false);

    // Moderation as usual: the moderators heard of it, it waits in the queue.
    app.email("moderator@p2c.example", "New pledge to review")
        .await;
    let queue: Value = request(
        &app,
        Method::GET,
        "/api/v1/moderation/queue",
        Some(&moderator),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["pledge"]["id"] == id.as_str()));

    // The contact is invited to own the organisation and confirm the pledge.
    let mail = app
        .email(
            "minister.office@ict.gov.np",
            "Confirm the pledge of Ministry of ICT of Nepal",
        )
        .await;
    assert!(mail.contains("Connecting 500 rural schools"), "{mail}");
    assert!(
        mail.contains("announced in plenary, LDC5, 6 March"),
        "{mail}"
    );
    let resp = app
        .post_json(
            "/api/v1/invitations/accept",
            &json!({"token": token_in(&mail), "display_name": "Sita", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::CREATED,
        "{}",
        resp.text().await.unwrap()
    );
    let owner = app.session("minister.office@ict.gov.np").await;
    assert_eq!(owner.organisation_id.as_deref(), Some(org.as_str()));
    let me = read(&app, &owner, "/api/v1/me").await;
    assert_eq!(me["user"]["organisation_role"], "owner", "{me}");

    let resp = request(
        &app,
        Method::GET,
        &format!("/api/v1/pledges/{id}"),
        Some(&owner),
    )
    .send()
    .await
    .unwrap();
    let confirmed = json_with(resp, StatusCode::OK).await;
    assert_eq!(confirmed["confirmed"], true);
    assert!(confirmed["confirmed_at"].is_string());
    let history: Value = request(
        &app,
        Method::GET,
        &format!("/api/v1/pledges/{id}/history"),
        Some(&owner),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["enter", "confirm"]);

    // The moderator verifies the new organisation and approves.
    let resp = request(
        &app,
        Method::POST,
        &format!("/api/v1/organisations/{org}/verify"),
        Some(&moderator),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = step(
        &app,
        &moderator,
        &id,
        "approve",
        Some(confirmed["version"].as_i64().unwrap()),
        None,
    )
    .await;
    let published = json_with(resp, StatusCode::OK).await;
    assert_eq!(published["status"], "published");
    // The public sees where it came from, not who typed it in.
    let public = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    assert_eq!(public["confirmed"], true);
    assert!(public.get("entered_by").is_none(), "{public}");
}

#[tokio::test]
async fn entering_is_for_organisers_and_admins_for_an_organisation_that_exists() {
    let app = spawn_app().await;
    let pledger = app
        .pledger("amina@ict.gov.gh", "Ministry of Communications")
        .await;
    let admin = app.staff("admin", "admin@p2c.example").await;
    let body = |org: &str| {
        json!({
            "organisation_id": org, "contact_email": "amina@ict.gov.gh",
            "source": "SDG Digital Day", "pledge": pledge_body("Connecting 500 rural schools"),
        })
    };
    let own = pledger.organisation_id.clone().unwrap();
    let resp = request(
        &app,
        Method::POST,
        "/api/v1/entered-pledges",
        Some(&pledger),
    )
    .json(&body(&own))
    .send()
    .await
    .unwrap();
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;

    let resp = enter(&app, &admin, &body("0190b2a0-0000-7000-8000-000000000000")).await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;

    // The pledge's errors come with the particulars', named where they are in the body.
    let mut bad = body(&own);
    bad["pledge"]["sdgs"] = json!([99]);
    bad["source"] = json!("");
    let resp = enter(&app, &admin, &bad).await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields = texts_at(&problem["errors"], "field");
    assert!(fields.iter().any(|f| f == "source"), "{problem}");
    assert!(
        fields.iter().any(|f| f.starts_with("pledge.sdgs")),
        "{problem}"
    );

    // For an existing organisation, its owner reads it as entered and not yet confirmed.
    let resp = request(&app, Method::POST, "/api/v1/entered-pledges", Some(&admin))
        .json(&body(&own))
        .send()
        .await
        .unwrap();
    let pledge = json_with(resp, StatusCode::CREATED).await;
    let resp = request(
        &app,
        Method::GET,
        &format!("/api/v1/pledges/{}", pledge["id"].as_str().unwrap()),
        Some(&pledger),
    )
    .send()
    .await
    .unwrap();
    let seen = json_with(resp, StatusCode::OK).await;
    assert_eq!(seen["confirmed"], false);
    assert_eq!(seen["entered_by"], admin.user_id.as_str());
}
