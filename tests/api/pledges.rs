//! Pledges over HTTP: the moderation workflow with its audit trail and emails, concurrent
//! decisions and idempotent creation, the contract of the request bodies, the catalogue with
//! its filters and keyset paging, visibility and the moderation queue.

use std::collections::HashSet;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, deliverables, spawn_app, token_in, Session, TestApp};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A complete, valid financial pledge.
pub(crate) fn pledge_body(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "Broadband and teacher training for rural schools.",
        "description": "Fibre and satellite links, devices and two years of teacher training.",
        "type": "financial",
        "focus_areas": ["access"],
        "sdgs": [9, 17],
        "tracks": ["ldc5"],
        "countries": ["GHA"],
        "beneficiary_groups": ["rural_communities"],
        "value": {"currency": "EUR", "amount_minor": 15_500_000_000i64, "usd": 168_000_000},
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
        "partners": ["National Research and Education Network"],
        "deliverables": deliverables(),
    })
}

/// A request as `who` (anonymous when `None`).
pub(crate) fn request(
    app: &TestApp,
    method: Method,
    path: &str,
    who: Option<&Session>,
) -> RequestBuilder {
    let request = app.client.request(method, app.url(path));
    match who {
        Some(session) => request.bearer_auth(&session.access),
        None => request,
    }
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The target of a `Link: <...>; rel="next"` header.
pub(crate) fn next_link(resp: &Response) -> Option<String> {
    header(resp, "link").map(|l| {
        assert!(l.ends_with("rel=\"next\""), "{l}");
        l[l.find('<').unwrap() + 1..l.find('>').unwrap()].to_owned()
    })
}

/// A caller of the catalogue, and which pledges it should see.
type View<'a> = (
    &'a str,
    Option<&'a Session>,
    Box<dyn Fn(&Spec) -> bool + 'a>,
);

/// Reads a JSON body, failing with the body's text when the status is not `expected`.
pub(crate) async fn json_with(resp: Response, expected: StatusCode) -> Value {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, expected, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Checks a pledge answer: 200, the status, the version and the matching `ETag`.
async fn expect_pledge(resp: Response, status: &str, version: i64) -> Value {
    let etag = header(&resp, "etag");
    let body = json_with(resp, StatusCode::OK).await;
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["version"], version, "{body}");
    assert_eq!(etag, Some(format!("\"{version}\"")));
    body
}

/// Checks a pledge as the public reads it: 200, the status and the version; its `ETag` is a
/// hash of what the public sees (only those who may write get the version).
async fn expect_public_pledge(resp: Response, status: &str, version: i64) -> Value {
    let etag = header(&resp, "etag").unwrap_or_default();
    let body = json_with(resp, StatusCode::OK).await;
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["version"], version, "{body}");
    assert!(etag.starts_with("W/\""), "{etag}");
    body
}

/// Creates a draft as `who` and returns it.
async fn create(app: &TestApp, who: &Session, body: &Value) -> Value {
    let resp = request(app, Method::POST, "/api/v1/pledges", Some(who))
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&resp, "etag").as_deref(), Some("\"1\""));
    let pledge = json_with(resp, StatusCode::CREATED).await;
    assert_eq!(pledge["status"], "draft");
    assert_eq!(pledge["version"], 1);
    pledge
}

pub(crate) async fn create_id(app: &TestApp, who: &Session, body: &Value) -> String {
    create(app, who, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `POST /pledges/{id}/{action}`, with `If-Match` and a body when given.
pub(crate) async fn step(
    app: &TestApp,
    who: &Session,
    id: &str,
    action: &str,
    if_match: Option<i64>,
    body: Option<Value>,
) -> Response {
    let mut request = request(
        app,
        Method::POST,
        &format!("/api/v1/pledges/{id}/{action}"),
        Some(who),
    );
    if let Some(version) = if_match {
        request = request.header("If-Match", format!("\"{version}\""));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn patch(
    app: &TestApp,
    who: &Session,
    id: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = request(
        app,
        Method::PATCH,
        &format!("/api/v1/pledges/{id}"),
        Some(who),
    );
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.json(body).send().await.unwrap()
}

async fn get_pledge(app: &TestApp, who: Option<&Session>, id: &str) -> Response {
    request(app, Method::GET, &format!("/api/v1/pledges/{id}"), who)
        .send()
        .await
        .unwrap()
}

async fn history(app: &TestApp, who: Option<&Session>, id: &str) -> Vec<Value> {
    let resp = request(
        app,
        Method::GET,
        &format!("/api/v1/pledges/{id}/history"),
        who,
    )
    .send()
    .await
    .unwrap();
    json_with(resp, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// (action, from, to, version) of each event.
fn steps(events: &[Value]) -> Vec<(&str, Option<&str>, &str, i64)> {
    events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["from_status"].as_str(),
                e["to_status"].as_str().unwrap(),
                e["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Creates, submits and approves a pledge; returns its id.
pub(crate) async fn publish(
    app: &TestApp,
    owner: &Session,
    moderator: &Session,
    body: &Value,
) -> String {
    let id = create_id(app, owner, body).await;
    expect_pledge(
        step(app, owner, &id, "submit", None, None).await,
        "submitted",
        2,
    )
    .await;
    expect_pledge(
        step(app, moderator, &id, "approve", Some(2), None).await,
        "published",
        3,
    )
    .await;
    id
}

pub(crate) async fn verify_organisation(app: &TestApp, moderator: &Session, member: &Session) {
    let org = member.organisation_id.as_deref().unwrap();
    let resp = request(
        app,
        Method::POST,
        &format!("/api/v1/organisations/{org}/verify"),
        Some(moderator),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Registers an organisation of `kind` with its owner, verifies the email and signs in.
pub(crate) async fn pledger_of_kind(
    app: &TestApp,
    email: &str,
    organisation: &str,
    kind: &str,
) -> Session {
    let resp = app.register(email, organisation, kind).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let mail = app.email(email, "Confirm your email address").await;
    let resp = app
        .post_json(
            "/api/v1/auth/verify-email",
            &json!({"token": token_in(&mail)}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    app.session(email).await
}

/// Makes `user` a member of `organisation` directly in the database.
async fn move_into_organisation(app: &TestApp, user: &Session, organisation: &str) {
    app.move_into_organisation(&user.user_id, organisation)
        .await;
}

/// The subjects of every email queued for `address`, oldest first.
async fn subjects_to(app: &TestApp, address: &str) -> Vec<String> {
    let address = address.to_owned();
    app.db
        .run(move |conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::recipient.eq(address))
                .order(outbox::id.asc())
                .select(outbox::subject)
                .load::<String>(conn)?)
        })
        .await
        .unwrap()
}

/// The ids of the catalogue as `who` sees it with `query`, every page followed.
pub(crate) async fn list_ids(app: &TestApp, who: Option<&Session>, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(format!("/api/v1/pledges?limit=100&{query}"));
    while let Some(path) = next.take() {
        let resp = request(app, Method::GET, &path, who).send().await.unwrap();
        next = next_link(&resp);
        let body = json_with(resp, StatusCode::OK).await;
        assert_eq!(body["next_cursor"].is_string(), next.is_some());
        ids.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
    }
    ids
}

/// The pledge ids of the moderation queue as `who` sees it, checking each item on the way.
async fn queue_ids(app: &TestApp, who: &Session, query: &str) -> Vec<String> {
    let path = format!("/api/v1/moderation/queue{query}");
    let resp = request(app, Method::GET, &path, Some(who))
        .send()
        .await
        .unwrap();
    let body = json_with(resp, StatusCode::OK).await;
    let items = body["items"].as_array().unwrap();
    for item in items {
        assert!(item["waiting_seconds"].as_i64().unwrap() >= 0, "{item}");
        assert_eq!(item["pledge"]["status"], "submitted");
    }
    let waits: Vec<i64> = items
        .iter()
        .map(|i| i["waiting_seconds"].as_i64().unwrap())
        .collect();
    assert!(
        waits.windows(2).all(|w| w[0] >= w[1]),
        "oldest first: {waits:?}"
    );
    items
        .iter()
        .map(|i| i["pledge"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates `n` pledges of `user`'s organisation through the library and publishes them.
async fn insert_published(app: &TestApp, user_id: &str, n: usize) -> Vec<String> {
    let user_id = user_id.to_owned();
    app.db
        .run(move |conn| {
            use diesel::prelude::*;
            use pledgeboard::{
                db::schema::pledges, domain::actor::Actor, domain::pledge::PledgeInput,
                services::pledges as service,
            };
            let actor: Actor = pledgeboard::db::users::find(conn, &user_id.as_str().into())?
                .unwrap()
                .actor();
            let input: PledgeInput =
                serde_json::from_value(pledge_body("A pledge among many")).unwrap();
            let vocabulary = pledgeboard::db::taxonomy::vocabulary(conn)?;
            let input = pledgeboard::domain::pledge::validate(&input, &vocabulary).unwrap();
            let ids = (0..n)
                .map(|_| {
                    service::create(conn, &actor, &input, None)
                        .map(|c| c.pledge().map(|p| p.id).unwrap())
                })
                .collect::<Result<Vec<_>, _>>()?;
            diesel::update(pledges::table.filter(pledges::id.eq_any(&ids)))
                .set((
                    pledges::status.eq("published"),
                    pledges::published_at.eq(Some(pledgeboard::db::now())),
                ))
                .execute(conn)?;
            Ok(ids.into_iter().map(|id| id.to_string()).collect())
        })
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The workflow

#[tokio::test]
async fn a_pledge_goes_from_draft_through_changes_to_published_and_withdrawn() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "reviewer@example.org").await;
    let owner = app
        .pledger("owner@ministry.example", "Ministry of ICT")
        .await;
    verify_organisation(&app, &moderator, &owner).await;

    // Draft.
    let title = "Connecting 500 rural schools";
    let resp = request(&app, Method::POST, "/api/v1/pledges", Some(&owner))
        .json(&pledge_body(title))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&resp, "etag").as_deref(), Some("\"1\""));
    let location = header(&resp, "location");
    let created = json_with(resp, StatusCode::CREATED).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, Some(format!("/api/v1/pledges/{id}")));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["organisation"]["id"].as_str(),
        owner.organisation_id.as_deref()
    );
    assert!(created["submitted_at"].is_null() && created["published_at"].is_null());
    expect_pledge(get_pledge(&app, Some(&owner), &id).await, "draft", 1).await;

    // Submitted, without a body: the moderators hear of it.
    let submitted = expect_pledge(
        step(&app, &owner, &id, "submit", None, None).await,
        "submitted",
        2,
    )
    .await;
    assert!(submitted["submitted_at"].is_string());
    let mail = app
        .email(
            "reviewer@example.org",
            &format!("New pledge to review: {title}"),
        )
        .await;
    assert!(mail.contains("Ministry of ICT"), "{mail}");
    assert_eq!(
        get_pledge(&app, None, &id).await.status(),
        StatusCode::NOT_FOUND
    );

    // Sent back with a reason, which the organisation is told.
    let reason = "Please add the budget for each year.";
    expect_pledge(
        step(
            &app,
            &moderator,
            &id,
            "request-changes",
            Some(2),
            Some(json!({"reason": reason})),
        )
        .await,
        "changes_requested",
        3,
    )
    .await;
    let mail = app
        .email(
            "owner@ministry.example",
            &format!("Changes requested to your pledge: {title}"),
        )
        .await;
    assert!(mail.contains(reason), "{mail}");

    // Edited against the version read.
    let new_title = "Connecting 500 rural schools by 2025";
    let edited = expect_pledge(
        patch(
            &app,
            &owner,
            &id,
            Some("\"3\""),
            &json!({
                "title": new_title,
                "value": {"currency": "EUR", "amount_minor": 16_000_000_000i64, "usd": 173_000_000},
            }),
        )
        .await,
        "changes_requested",
        4,
    )
    .await;
    assert_eq!(edited["title"], new_title);
    assert_eq!(edited["value"]["amount_minor"], 16_000_000_000i64);
    assert_eq!(edited["sdgs"], json!([9, 17]), "untouched fields stay");
    let resp = get_pledge(&app, Some(&owner), &id).await;
    assert_eq!(
        expect_pledge(resp, "changes_requested", 4).await["title"],
        new_title
    );

    // Submitted again, with an empty body and the version seen.
    expect_pledge(
        step(&app, &owner, &id, "submit", Some(4), Some(json!({}))).await,
        "submitted",
        5,
    )
    .await;
    app.email(
        "reviewer@example.org",
        &format!("New pledge to review: {new_title}"),
    )
    .await;

    // Approved: published, and the organisation is told.
    let comment = "Welcome to the coalition.";
    let published = expect_pledge(
        step(
            &app,
            &moderator,
            &id,
            "approve",
            Some(5),
            Some(json!({"comment": comment})),
        )
        .await,
        "published",
        6,
    )
    .await;
    assert!(published["published_at"].is_string());
    app.email(
        "owner@ministry.example",
        &format!("Your pledge is published: {new_title}"),
    )
    .await;
    assert_eq!(
        subjects_to(&app, "reviewer@example.org").await,
        [
            format!("New pledge to review: {title}"),
            format!("New pledge to review: {new_title}"),
        ]
    );
    let decisions: Vec<String> = subjects_to(&app, "owner@ministry.example")
        .await
        .into_iter()
        .filter(|s| s.to_lowercase().contains("your pledge"))
        .collect();
    assert_eq!(
        decisions,
        [
            format!("Changes requested to your pledge: {title}"),
            format!("Your pledge is published: {new_title}"),
        ]
    );

    // The whole trail for the organisation and staff, who and why included.
    let expected = vec![
        ("create", None, "draft", 1),
        ("submit", Some("draft"), "submitted", 2),
        ("request_changes", Some("submitted"), "changes_requested", 3),
        ("edit", Some("changes_requested"), "changes_requested", 4),
        ("submit", Some("changes_requested"), "submitted", 5),
        ("approve", Some("submitted"), "published", 6),
    ];
    for who in [&owner, &moderator] {
        let events = history(&app, Some(who), &id).await;
        assert_eq!(steps(&events), expected);
        let roles: Vec<&str> = events
            .iter()
            .map(|e| e["actor_role"].as_str().unwrap())
            .collect();
        assert_eq!(
            roles,
            [
                "pledger",
                "pledger",
                "moderator",
                "pledger",
                "pledger",
                "moderator"
            ]
        );
        assert!(events.iter().all(|e| e["actor"].is_string()));
        assert!(events.iter().all(|e| e["at"].is_string()));
        assert_eq!(events[2]["reason"], reason);
        assert_eq!(events[5]["reason"], comment);
    }
    // The public sees what happened and when, not who or why.
    let public = history(&app, None, &id).await;
    assert_eq!(steps(&public), expected);
    for event in &public {
        assert!(event.get("actor").is_none(), "{event}");
        assert!(event.get("reason").is_none(), "{event}");
    }
    let shown = expect_public_pledge(get_pledge(&app, None, &id).await, "published", 6).await;
    assert_eq!(shown["title"], new_title);

    // Withdrawn after publication: still public, as withdrawn with its date, for the record.
    expect_pledge(
        step(&app, &owner, &id, "withdraw", None, None).await,
        "withdrawn",
        7,
    )
    .await;
    let shown = expect_public_pledge(get_pledge(&app, None, &id).await, "withdrawn", 7).await;
    assert!(shown["withdrawn_at"].is_string(), "{shown}");
    let resp = request(
        &app,
        Method::GET,
        &format!("/api/v1/pledges/{id}/history"),
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let events = history(&app, Some(&owner), &id).await;
    assert_eq!(events.len(), 7);
    assert_eq!(
        steps(&events[6..]),
        [("withdraw", Some("published"), "withdrawn", 7)]
    );
    expect_pledge(
        get_pledge(&app, Some(&moderator), &id).await,
        "withdrawn",
        7,
    )
    .await;
    assert!(list_ids(&app, None, "").await.is_empty());
    // Withdrawing is not announced.
    let decisions = subjects_to(&app, "owner@ministry.example")
        .await
        .into_iter()
        .filter(|s| s.to_lowercase().contains("your pledge"))
        .count();
    assert_eq!(decisions, 2);
}

#[tokio::test]
async fn of_two_simultaneous_approvals_exactly_one_wins() {
    let app = spawn_app().await;
    let first = app.staff("moderator", "first-mod@example.org").await;
    let second = app.staff("moderator", "second-mod@example.org").await;
    let owner = app
        .pledger("race@ministry.example", "Racing Ministry")
        .await;
    verify_organisation(&app, &first, &owner).await;

    // A few rounds, so that the two requests really overlap at least sometimes.
    for round in 0..5 {
        let id = create_id(&app, &owner, &pledge_body(&format!("Race pledge {round}"))).await;
        expect_pledge(
            step(&app, &owner, &id, "submit", None, None).await,
            "submitted",
            2,
        )
        .await;
        let (a, b) = tokio::join!(
            step(&app, &first, &id, "approve", Some(2), None),
            step(&app, &second, &id, "approve", Some(2), None),
        );
        let (winner, loser) = if a.status() == StatusCode::OK {
            (a, b)
        } else {
            (b, a)
        };
        expect_pledge(winner, "published", 3).await;
        // The loser read version 2, which is gone: a failed precondition, whether it ran
        // before the winner committed or after (when the pledge is already published).
        assert_problem(
            loser,
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
        )
        .await;
        let events = history(&app, Some(&owner), &id).await;
        let approvals = events.iter().filter(|e| e["action"] == "approve").count();
        assert_eq!(approvals, 1, "round {round}: {events:?}");
        assert_eq!(events.len(), 3);
        expect_public_pledge(get_pledge(&app, None, &id).await, "published", 3).await;
        // Read after the winner committed: still 412, never a 409 about the new state.
        let late = step(
            &app,
            &second,
            &id,
            "reject",
            Some(2),
            Some(json!({"reason": "Late."})),
        );
        assert_problem(
            late.await,
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// Idempotent creation

#[tokio::test]
async fn concurrent_creations_with_one_idempotency_key_make_one_pledge() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "idem-mod@example.org").await;
    let owner = app
        .pledger("idem@ministry.example", "Idempotent Ministry")
        .await;
    let body = pledge_body("One pledge however often sent");
    let key = "create-2f1c9a7e";
    let post = |body: &Value, key: &str| {
        let pending = request(&app, Method::POST, "/api/v1/pledges", Some(&owner))
            .header("Idempotency-Key", key)
            .json(body)
            .send();
        async move { pending.await.unwrap() }
    };

    let responses = futures_util::future::join_all((0..20).map(|_| post(&body, key))).await;
    let mut ids = HashSet::new();
    let (mut originals, mut replays, mut in_progress) = (0, 0, 0);
    for resp in responses {
        match resp.status() {
            StatusCode::CREATED => {
                let replayed = header(&resp, "idempotent-replayed");
                assert_eq!(header(&resp, "etag").as_deref(), Some("\"1\""));
                let pledge = json_with(resp, StatusCode::CREATED).await;
                assert_eq!(pledge["status"], "draft");
                ids.insert(pledge["id"].as_str().unwrap().to_owned());
                match replayed.as_deref() {
                    None => originals += 1,
                    Some("true") => replays += 1,
                    Some(other) => panic!("Idempotent-Replayed: {other}"),
                }
            }
            StatusCode::CONFLICT => {
                assert_problem(resp, StatusCode::CONFLICT, "idempotency_in_progress").await;
                in_progress += 1;
            }
            other => panic!("unexpected {other}: {}", resp.text().await.unwrap()),
        }
    }
    assert_eq!(originals, 1, "exactly one request created the pledge");
    assert_eq!(originals + replays + in_progress, 20);
    assert_eq!(ids.len(), 1, "every 201 names the same pledge");
    let id = ids.into_iter().next().unwrap();
    assert_eq!(
        list_ids(&app, Some(&owner), "").await,
        std::slice::from_ref(&id)
    );
    assert_eq!(
        list_ids(&app, Some(&moderator), "").await,
        std::slice::from_ref(&id)
    );

    // Later, the same key and body replay the first answer...
    let resp = post(&body, key).await;
    assert_eq!(
        header(&resp, "idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(header(&resp, "etag").as_deref(), Some("\"1\""));
    assert_eq!(
        json_with(resp, StatusCode::CREATED).await["id"],
        id.as_str()
    );
    // ... however the body's keys are ordered ...
    let reordered = format!(
        "{{{}}}",
        body.as_object()
            .unwrap()
            .iter()
            .rev()
            .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert!(!reordered.starts_with(&body.to_string()[..10]));
    let resp = request(&app, Method::POST, "/api/v1/pledges", Some(&owner))
        .header("Idempotency-Key", key)
        .header("content-type", "application/json")
        .body(reordered)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&resp, "idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(
        json_with(resp, StatusCode::CREATED).await["id"],
        id.as_str()
    );
    // ... and the key cannot be reused for another pledge.
    let other = pledge_body("Another pledge with a reused key");
    assert_problem(
        post(&other, key).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(
        list_ids(&app, Some(&owner), "").await,
        std::slice::from_ref(&id)
    );

    // A request that failed leaves its key free for the corrected one.
    let mut invalid = pledge_body("A pledge fixed on retry");
    invalid["sdgs"] = json!([18]);
    assert_problem(
        post(&invalid, "create-retry").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let resp = post(&pledge_body("A pledge fixed on retry"), "create-retry").await;
    assert!(header(&resp, "idempotent-replayed").is_none());
    let fixed = json_with(resp, StatusCode::CREATED).await;
    assert_ne!(fixed["id"], id.as_str());

    // Keys belong to a user: another organisation's user may use the same one.
    let outsider = app.pledger("idem-other@example.org", "Other Org").await;
    let resp = request(&app, Method::POST, "/api/v1/pledges", Some(&outsider))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(header(&resp, "idempotent-replayed").is_none());
    let theirs = json_with(resp, StatusCode::CREATED).await;
    assert_ne!(theirs["id"], id.as_str());
    assert_eq!(list_ids(&app, Some(&moderator), "").await.len(), 3);
}

#[tokio::test]
async fn a_replayed_creation_still_says_where_the_pledge_is() {
    let app = spawn_app().await;
    let owner = app
        .pledger("replay@ministry.example", "Replay Ministry")
        .await;
    let body = pledge_body("A pledge created once");
    let post = || {
        let pending = request(&app, Method::POST, "/api/v1/pledges", Some(&owner))
            .header("Idempotency-Key", "replay-location")
            .json(&body)
            .send();
        async move { pending.await.unwrap() }
    };
    let first = post().await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = header(&first, "location");
    assert!(location.is_some());
    let again = post().await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(
        header(&again, "idempotent-replayed").as_deref(),
        Some("true")
    );
    // The replay is the first answer again: a 201 names what it created.
    assert_eq!(header(&again, "location"), location);
}

// ---------------------------------------------------------------------------------------------
// The request contract

#[tokio::test]
async fn fields_the_service_owns_cannot_be_sent() {
    let app = spawn_app().await;
    let owner = app.pledger("mass@ministry.example", "Mass Ministry").await;
    let outsider = app.pledger("mass-other@example.org", "Other Org").await;
    let other_org = outsider.organisation_id.clone().unwrap();
    let sneaky = [
        ("status", json!("published")),
        ("version", json!(7)),
        ("organisation_id", json!(other_org)),
        ("id", json!("0190aaaa-0000-7000-8000-000000000000")),
        ("featured", json!(true)),
    ];

    for (field, value) in &sneaky {
        let mut body = pledge_body("A pledge with extra fields");
        body[*field] = value.clone();
        let resp = request(&app, Method::POST, "/api/v1/pledges", Some(&owner))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(resp, StatusCode::BAD_REQUEST, "malformed_json").await;
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{problem}"
        );
    }
    assert!(list_ids(&app, Some(&owner), "").await.is_empty());
    assert!(list_ids(&app, Some(&outsider), "").await.is_empty());

    let title = "A pledge with extra fields";
    let id = create_id(&app, &owner, &pledge_body(title)).await;
    for (field, value) in &sneaky {
        let mut body = json!({"title": "A changed title"});
        body[*field] = value.clone();
        let resp = patch(&app, &owner, &id, Some("\"1\""), &body).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "malformed_json").await;
    }
    // Steps take only a reason or a comment.
    let resp = step(
        &app,
        &owner,
        &id,
        "submit",
        None,
        Some(json!({"status": "published"})),
    )
    .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "malformed_json").await;

    let pledge = expect_pledge(get_pledge(&app, Some(&owner), &id).await, "draft", 1).await;
    assert_eq!(pledge["title"], title);
    assert_eq!(
        pledge["organisation"]["id"].as_str(),
        owner.organisation_id.as_deref()
    );
    assert_eq!(
        steps(&history(&app, Some(&owner), &id).await),
        [("create", None, "draft", 1)]
    );
    assert!(list_ids(&app, Some(&outsider), "").await.is_empty());
}

#[tokio::test]
async fn deliverables_are_shown_and_edited_with_the_draft() {
    let app = spawn_app().await;
    let owner = app
        .pledger("owner@deliver.example", "Delivery Ministry")
        .await;
    let pledge = create(&app, &owner, &pledge_body("Connecting 500 rural schools")).await;
    assert_eq!(
        pledge["deliverables"],
        json!([{
            "what": "Connect rural schools to broadband", "indicator": "Schools connected",
            "unit": "schools", "baseline": 0.0, "target": 100.0, "due_date": "2025-12-31",
        }])
    );
    let id = pledge["id"].as_str().unwrap();
    let two = json!({"deliverables": [
        {"what": "Connect rural schools", "indicator": "Schools connected", "unit": "schools",
         "baseline": 10, "target": 500, "due_date": "2025-06-30"},
        {"what": "Lay fibre to the district towns", "indicator": "Fibre laid",
         "unit": "km_of_fibre", "target": 1250.5, "due_date": "2025-12-31"},
    ]});
    let edited = json_with(
        patch(&app, &owner, id, Some("\"1\""), &two).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited["deliverables"][1]["unit"], "km_of_fibre");
    assert_eq!(edited["deliverables"][1]["target"], 1250.5);
    assert_eq!(edited["deliverables"][0]["baseline"], 10.0);
    // Clearing them is refused: a pledge states at least one.
    let resp = patch(
        &app,
        &owner,
        id,
        Some("\"2\""),
        &json!({"deliverables": null}),
    )
    .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "deliverables", "{problem}");
    let kept = json_with(get_pledge(&app, Some(&owner), id).await, StatusCode::OK).await;
    assert_eq!(kept["deliverables"], edited["deliverables"]);
}

#[tokio::test]
async fn an_enormous_invalid_list_gets_a_small_answer() {
    let app = spawn_app().await;
    let owner = app.pledger("huge@ministry.example", "Huge Ministry").await;
    let mut body = pledge_body("A pledge with too many tags");
    body["sdgs"] = json!(vec![99; 100_000]);
    body["partners"] = json!(vec![""; 5_000]);
    let resp = app
        .send(
            Method::POST,
            "/api/v1/pledges",
            Some(&owner.access),
            Some(&body),
        )
        .await;
    let bytes = resp.content_length().unwrap_or(0);
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(bytes < 2_000, "{bytes} bytes: {problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["partners", "sdgs"]);
}

#[tokio::test]
async fn invalid_pledges_are_refused_field_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "bad-mod@example.org").await;
    let owner = app
        .pledger("bad@ministry.example", "Careless Ministry")
        .await;

    type Change = fn(&mut Value);
    let cases: Vec<(Change, Vec<(&str, &str)>)> = vec![
        (
            |b| b["sdgs"] = json!([0]),
            vec![("sdgs[0]", "out_of_range")],
        ),
        (
            |b| b["sdgs"] = json!([9, 18]),
            vec![("sdgs[1]", "out_of_range")],
        ),
        (
            |b| b["countries"] = json!(["XXX"]),
            vec![("countries[0]", "unknown_value")],
        ),
        (
            |b| b["tracks"] = json!(["ldc6"]),
            vec![("tracks[0]", "unknown_value")],
        ),
        (
            |b| b["value"]["amount_minor"] = json!(-100),
            vec![("value.amount_minor", "negative")],
        ),
        (
            |b| b["end_date"] = json!("2022-12-31"),
            vec![
                ("end_date", "before_start"),
                ("deliverables[0].due_date", "after_end"),
            ],
        ),
        (
            |b| b["deliverables"] = json!([]),
            vec![("deliverables", "required")],
        ),
        (
            |b| {
                b["deliverables"][0]["unit"] = json!("bushels");
                b["deliverables"][0]["target"] = json!(-5);
            },
            vec![
                ("deliverables[0].unit", "unknown_value"),
                ("deliverables[0].target", "negative"),
            ],
        ),
        (
            |b| b["title"] = json!("x".repeat(1_000_000)),
            vec![("title", "too_long")],
        ),
        (
            |b| {
                b["sdgs"] = json!([18, 0]);
                b["countries"] = json!(["GHA", "ZZZ"]);
                b["tracks"] = json!(["nope"]);
                b["value"]["amount_minor"] = json!(-1);
                b["end_date"] = json!("2020-01-01");
                b["title"] = json!("x".repeat(1_000_000));
            },
            vec![
                ("sdgs[0]", "out_of_range"),
                ("sdgs[1]", "out_of_range"),
                ("countries[1]", "unknown_value"),
                ("tracks[0]", "unknown_value"),
                ("value.amount_minor", "negative"),
                ("end_date", "before_start"),
                ("deliverables[0].due_date", "after_end"),
                ("title", "too_long"),
            ],
        ),
    ];
    for (change, expected) in cases {
        let mut body = pledge_body("A pledge with a mistake");
        change(&mut body);
        let resp = request(&app, Method::POST, "/api/v1/pledges", Some(&owner))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem =
            assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let found: Vec<(&str, &str)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        let mut want = expected.clone();
        want.sort();
        let mut got = found.clone();
        got.sort();
        assert_eq!(got, want, "for {:.120}", body.to_string());
        assert!(
            problem.to_string().len() < 10_000,
            "the problem does not echo the input back"
        );
    }
    assert!(list_ids(&app, Some(&owner), "").await.is_empty());
    assert!(list_ids(&app, Some(&moderator), "").await.is_empty());
    assert!(subjects_to(&app, "bad-mod@example.org").await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The catalogue

#[derive(Debug, Clone, Copy)]
struct Spec {
    /// 0: the government, 1: the company.
    org: usize,
    title: &'static str,
    kind: &'static str,
    tracks: &'static [&'static str],
    sdgs: &'static [i64],
    areas: &'static [&'static str],
    countries: &'static [&'static str],
    status: &'static str,
}

impl Spec {
    fn body(&self) -> Value {
        let mut body = json!({
            "title": self.title,
            "summary": "A commitment made for the catalogue tests.",
            "description": "Its milestones, partners and budget are described here.",
            "type": self.kind,
            "focus_areas": self.areas,
            "sdgs": self.sdgs,
            "tracks": self.tracks,
            "countries": self.countries,
            "global": self.countries.is_empty(),
            "deliverables": deliverables(),
        });
        if self.kind == "financial" {
            body["value"] =
                json!({"currency": "USD", "amount_minor": 100_000_000, "usd": 1_000_000});
        }
        if self.org == 0 && self.tracks.contains(&"ldc5") {
            body["contact"] = json!({"name": "Focal Point", "email": "focal@ministry.example"});
        }
        body
    }

    fn published(&self) -> bool {
        self.status == "published"
    }
}

#[rustfmt::skip]
const CATALOGUE: [Spec; 12] = [
    Spec { org: 0, title: "Rural broadband for Nepal", kind: "financial", tracks: &["ldc5"], sdgs: &[9], areas: &["access"], countries: &["NPL"], status: "published" },
    Spec { org: 0, title: "Digital skills for teachers", kind: "programmatic", tracks: &["p2c"], sdgs: &[4], areas: &["adoption"], countries: &["GHA"], status: "published" },
    Spec { org: 0, title: "Données ouvertes: an open data policy", kind: "policy", tracks: &["sdg-digital-day-2023"], sdgs: &[16, 17], areas: &["value_creation"], countries: &["GHA"], status: "published" },
    Spec { org: 0, title: "Green data centres", kind: "financial", tracks: &["green-digital-action-cop28"], sdgs: &[7, 13], areas: &["accelerate"], countries: &["KEN"], status: "published" },
    Spec { org: 1, title: "Mobile money for farmers", kind: "financial", tracks: &["ldc5", "p2c"], sdgs: &[1, 8], areas: &["value_creation"], countries: &["NPL", "KEN"], status: "published" },
    Spec { org: 1, title: "Satellite broadband for islands", kind: "financial", tracks: &["p2c"], sdgs: &[9], areas: &["access"], countries: &["FJI"], status: "published" },
    Spec { org: 1, title: "Coding clubs for girls", kind: "programmatic", tracks: &["sdg-digital-day-2023"], sdgs: &[4, 5], areas: &["adoption"], countries: &["GHA"], status: "published" },
    Spec { org: 1, title: "Affordable devices campaign", kind: "advocacy", tracks: &["p2c"], sdgs: &[10], areas: &["access"], countries: &["BRA", "DEU"], status: "published" },
    Spec { org: 1, title: "100% renewable power for towers", kind: "financial", tracks: &["green-digital-action-cop28"], sdgs: &[7], areas: &["accelerate"], countries: &["BRA"], status: "published" },
    Spec { org: 0, title: "An e-government portal", kind: "policy", tracks: &["ldc5"], sdgs: &[16], areas: &["adoption"], countries: &["NPL"], status: "draft" },
    Spec { org: 0, title: "Community networks study", kind: "advocacy", tracks: &["p2c"], sdgs: &[5], areas: &["access"], countries: &["GHA"], status: "submitted" },
    Spec { org: 1, title: "A global policy toolkit", kind: "policy", tracks: &[], sdgs: &[17], areas: &["access"], countries: &[], status: "draft" },
];

#[tokio::test]
async fn the_catalogue_filters_searches_and_shows_each_caller_what_they_may_see() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "cat-mod@example.org").await;
    let government = app
        .pledger("cat-gov@ministry.example", "Ministry of Catalogues")
        .await;
    let company = pledger_of_kind(
        &app,
        "cat-co@company.example",
        "Connect Corp",
        "private_sector",
    )
    .await;
    verify_organisation(&app, &moderator, &government).await;
    verify_organisation(&app, &moderator, &company).await;
    let owners = [&government, &company];

    let mut ids = Vec::new();
    for spec in &CATALOGUE {
        let owner = owners[spec.org];
        let id = match spec.status {
            "published" => publish(&app, owner, &moderator, &spec.body()).await,
            "draft" => create_id(&app, owner, &spec.body()).await,
            _ => {
                let id = create_id(&app, owner, &spec.body()).await;
                expect_pledge(
                    step(&app, owner, &id, "submit", None, None).await,
                    "submitted",
                    2,
                )
                .await;
                id
            }
        };
        ids.push(id);
    }
    // Newest first.
    let expect = |keep: &dyn Fn(&Spec) -> bool| -> Vec<String> {
        CATALOGUE
            .iter()
            .zip(&ids)
            .rev()
            .filter(|(s, _)| keep(s))
            .map(|(_, id)| id.clone())
            .collect()
    };

    let company_org = company.organisation_id.clone().unwrap();
    type Keep = fn(&Spec) -> bool;
    let cases: Vec<(String, Keep)> = vec![
        ("track=ldc5".into(), |s| s.tracks.contains(&"ldc5")),
        ("track=p2c".into(), |s| s.tracks.contains(&"p2c")),
        ("sdg=9".into(), |s| s.sdgs.contains(&9)),
        ("sdg=4".into(), |s| s.sdgs.contains(&4)),
        ("focus_area=access".into(), |s| s.areas.contains(&"access")),
        ("type=financial".into(), |s| s.kind == "financial"),
        ("type=advocacy".into(), |s| s.kind == "advocacy"),
        ("country=NPL".into(), |s| s.countries.contains(&"NPL")),
        ("country=npl".into(), |s| s.countries.contains(&"NPL")),
        ("ldc=true".into(), |s| s.countries.contains(&"NPL")),
        ("ldc=false".into(), |s| !s.countries.contains(&"NPL")),
        (format!("organisation={company_org}"), |s| s.org == 1),
        ("organisation_kind=government".into(), |s| s.org == 0),
        ("organisation_kind=private_sector".into(), |s| s.org == 1),
        ("q=broadband".into(), |s| s.title.contains("broadband")),
        ("q=BROADBAND".into(), |s| s.title.contains("broadband")),
        ("q=%20Broadband%20".into(), |s| {
            s.title.contains("broadband")
        }),
        ("q=DONN%C3%89ES".into(), |s| s.title.starts_with("Données")),
        ("q=data".into(), |s| s.title.contains("data")),
        ("q=100%25".into(), |s| s.title.starts_with("100%")),
        ("q=_".into(), |_| false),
        ("q=no%20such%20words".into(), |_| false),
        ("track=p2c&type=financial".into(), |s| {
            s.tracks.contains(&"p2c") && s.kind == "financial"
        }),
        ("sdg=9&country=NPL".into(), |s| {
            s.sdgs.contains(&9) && s.countries.contains(&"NPL")
        }),
        (
            "organisation_kind=private_sector&focus_area=access".into(),
            |s| s.org == 1 && s.areas.contains(&"access"),
        ),
        ("ldc=true&type=financial&q=farmers".into(), |s| {
            s.title == "Mobile money for farmers"
        }),
        ("track=ldc5&organisation_kind=government".into(), |s| {
            s.org == 0 && s.tracks.contains(&"ldc5")
        }),
    ];
    let mut mismatches = Vec::new();
    for (query, keep) in &cases {
        // The public sees published pledges only; an organisation its own too; staff all.
        let views: [View<'_>; 3] = [
            (
                "anonymous",
                None,
                Box::new(|s: &Spec| s.published() && keep(s)),
            ),
            (
                "government",
                Some(&government),
                Box::new(|s: &Spec| (s.published() || s.org == 0) && keep(s)),
            ),
            ("moderator", Some(&moderator), Box::new(|s: &Spec| keep(s))),
        ];
        for (name, who, visible) in &views {
            let got = list_ids(&app, *who, query).await;
            let want = expect(visible.as_ref());
            if got != want {
                mismatches.push(format!("{query} as {name}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // Visibility and the status filter.
    assert_eq!(list_ids(&app, None, "").await, expect(&|s| s.published()));
    assert_eq!(
        list_ids(&app, Some(&company), "").await,
        expect(&|s| s.published() || s.org == 1)
    );
    assert_eq!(
        list_ids(&app, Some(&moderator), "").await,
        expect(&|_| true)
    );
    for status in ["draft", "submitted", "published"] {
        assert_eq!(
            list_ids(&app, Some(&moderator), &format!("status={status}")).await,
            expect(&|s| s.status == status),
            "staff, status={status}"
        );
    }
    assert!(list_ids(&app, None, "status=draft").await.is_empty());
    assert!(list_ids(&app, None, "status=submitted").await.is_empty());
    assert_eq!(
        list_ids(&app, Some(&government), "status=draft").await,
        expect(&|s| s.status == "draft" && s.org == 0)
    );

    // What an item shows: derived flags, the organisation, the contact only to insiders.
    let nepal = &ids[0];
    let public = json_with(
        request(
            &app,
            Method::GET,
            "/api/v1/pledges?country=NPL&type=financial&q=rural",
            None,
        )
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    let item = &public["items"][0];
    assert_eq!(item["id"], nepal.as_str());
    assert_eq!(item["ldc"], true);
    assert_eq!(item["lldc"], true);
    assert_eq!(item["organisation"]["kind"], "government");
    assert_eq!(item["organisation"]["name"], "Ministry of Catalogues");
    assert!(item.get("contact").is_none(), "{item}");
    let own = expect_pledge(
        get_pledge(&app, Some(&government), nepal).await,
        "published",
        3,
    )
    .await;
    assert_eq!(own["contact"]["email"], "focal@ministry.example");
    let outside = expect_pledge(
        get_pledge(&app, Some(&company), nepal).await,
        "published",
        3,
    )
    .await;
    assert!(outside.get("contact").is_none());

    // Small pages, followed through their links, give the same list.
    let mut paged = Vec::new();
    let mut next = Some("/api/v1/pledges?limit=4".to_owned());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let resp = app.get(&path).await;
        next = next_link(&resp);
        let body = json_with(resp, StatusCode::OK).await;
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= 4);
        paged.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(paged, expect(&|s| s.published()));

    // Queries that cannot be answered.
    for query in [
        "sdg=18",
        "sdg=0",
        "sdg=nine",
        "status=approved",
        "ldc=maybe",
        "limit=0",
        "limit=101",
        "cursor=not-a-cursor",
        "colour=green",
        "organization=x",
    ] {
        let resp = app.get(&format!("/api/v1/pledges?{query}")).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
}

#[tokio::test]
async fn paging_through_a_thousand_pledges_while_more_arrive_loses_and_repeats_nothing() {
    let app = spawn_app().await;
    let owner = app.pledger("bulk@ministry.example", "Bulk Ministry").await;
    let original = insert_published(&app, &owner.user_id, 1_000).await;
    let original: HashSet<String> = original.into_iter().collect();
    assert_eq!(original.len(), 1_000);

    let mut seen: Vec<String> = Vec::new();
    let mut added_while_reading_first_page = HashSet::new();
    let mut next = Some("/api/v1/pledges?limit=100".to_owned());
    let mut pages = 0;
    while let Some(path) = next.take() {
        // Fifty more pledges are published while each page is read.
        let (resp, added) =
            tokio::join!(app.get(&path), insert_published(&app, &owner.user_id, 50));
        if pages == 0 {
            added_while_reading_first_page.extend(added);
        }
        pages += 1;
        next = next_link(&resp);
        let body = json_with(resp, StatusCode::OK).await;
        let items = body["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 100, "page {pages}");
        assert_eq!(body["next_cursor"].is_string(), next.is_some());
        if let Some(link) = &next {
            assert!(
                link.starts_with("/api/v1/pledges?limit=100&cursor="),
                "{link}"
            );
        }
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
    }

    let distinct: HashSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "no pledge is served twice");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, strictly"
    );
    let missing = original.iter().filter(|id| !distinct.contains(id)).count();
    assert_eq!(missing, 0, "no original pledge is skipped");
    // Pledges published meanwhile sort before the cursor: only the first page can show them.
    for id in seen.iter().filter(|id| !original.contains(*id)) {
        assert!(added_while_reading_first_page.contains(id), "{id}");
    }
    assert!(pages >= 10);
    // All of them are there for a reader starting now.
    assert_eq!(list_ids(&app, None, "").await.len(), 1_000 + 50 * pages);
}

// ---------------------------------------------------------------------------------------------
// Visibility and moderation

#[tokio::test]
async fn unpublished_pledges_are_seen_only_by_their_organisation_and_staff() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "vis-mod@example.org").await;
    let admin = app.staff("admin", "vis-admin@example.org").await;
    let organiser = app.staff("organiser", "vis-organiser@example.org").await;
    let owner = app
        .pledger("vis@ministry.example", "Visible Ministry")
        .await;
    let outsider = app.pledger("vis-other@example.org", "Other Org").await;
    let draft = create_id(&app, &owner, &pledge_body("A draft nobody else sees")).await;
    let submitted = create_id(&app, &owner, &pledge_body("A submitted pledge")).await;
    expect_pledge(
        step(&app, &owner, &submitted, "submit", None, None).await,
        "submitted",
        2,
    )
    .await;

    for (id, status, version) in [(&draft, "draft", 1), (&submitted, "submitted", 2)] {
        for who in [None, Some(&outsider)] {
            let resp = get_pledge(&app, who, id).await;
            assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
            let resp = request(
                &app,
                Method::GET,
                &format!("/api/v1/pledges/{id}/history"),
                who,
            )
            .send()
            .await
            .unwrap();
            assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
        }
        for who in [&owner, &moderator, &admin, &organiser] {
            expect_pledge(get_pledge(&app, Some(who), id).await, status, version).await;
            assert_eq!(history(&app, Some(who), id).await.len(), version as usize);
        }
    }
    // Another organisation cannot act on it either, and learns nothing from trying.
    let resp = patch(
        &app,
        &outsider,
        &draft,
        Some("\"1\""),
        &json!({"title": "Hijacked title"}),
    )
    .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    for action in ["submit", "withdraw"] {
        let resp = step(&app, &outsider, &draft, action, None, None).await;
        assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert!(list_ids(&app, Some(&outsider), "").await.is_empty());
    assert!(list_ids(&app, None, "").await.is_empty());
    assert_eq!(list_ids(&app, Some(&organiser), "").await.len(), 2);
    expect_pledge(get_pledge(&app, Some(&owner), &draft).await, "draft", 1).await;
}

#[tokio::test]
async fn the_moderation_queue_lists_submissions_oldest_first_within_each_moderators_remit() {
    let app = spawn_app().await;
    let admin = app.staff("admin", "queue-admin@example.org").await;
    let moderator = app.staff("moderator", "queue-mod@example.org").await;
    let scoped = app.staff("moderator", "queue-ldc5@example.org").await;
    let insider = app.staff("moderator", "queue-insider@example.org").await;
    let owner = app
        .pledger("queue@ministry.example", "Queued Ministry")
        .await;
    let other = app.pledger("queue-other@example.org", "Other Org").await;
    verify_organisation(&app, &moderator, &owner).await;
    verify_organisation(&app, &moderator, &other).await;
    let org = owner.organisation_id.clone().unwrap();
    move_into_organisation(&app, &insider, &org).await;
    let resp = request(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/users/{}", scoped.user_id),
        Some(&admin),
    )
    .json(&json!({"moderation_tracks": ["ldc5"]}))
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let with_tracks = |title: &str, tracks: Value| {
        let mut body = pledge_body(title);
        body["tracks"] = tracks;
        body
    };
    // Submitted in this order: p2c (ours), ldc5 (ours), ldc5 (theirs); one draft left aside.
    let p2c = create_id(
        &app,
        &owner,
        &with_tracks("Queued p2c pledge", json!(["p2c"])),
    )
    .await;
    let ldc5 = create_id(
        &app,
        &owner,
        &with_tracks("Queued ldc5 pledge", json!(["ldc5"])),
    )
    .await;
    let theirs = create_id(
        &app,
        &other,
        &with_tracks("Their ldc5 pledge", json!(["ldc5", "p2c"])),
    )
    .await;
    let draft = create_id(
        &app,
        &owner,
        &with_tracks("A draft, not queued", json!(["ldc5"])),
    )
    .await;
    for (who, id) in [(&owner, &p2c), (&owner, &ldc5), (&other, &theirs)] {
        expect_pledge(
            step(&app, who, id, "submit", None, None).await,
            "submitted",
            2,
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let queue = |who, query| queue_ids(&app, who, query);
    let all = vec![p2c.clone(), ldc5.clone(), theirs.clone()];
    assert_eq!(queue(&moderator, "").await, all);
    assert_eq!(queue(&admin, "").await, all);
    assert!(!queue(&moderator, "").await.contains(&draft));
    assert_eq!(
        queue(&moderator, "?track=p2c").await,
        [p2c.clone(), theirs.clone()]
    );
    assert_eq!(queue(&scoped, "").await, [ldc5.clone(), theirs.clone()]);
    assert_eq!(
        queue(&scoped, "?track=p2c").await,
        std::slice::from_ref(&theirs)
    );
    assert_eq!(queue(&insider, "").await, std::slice::from_ref(&theirs));

    // One item a page, through the links.
    let mut paged = Vec::new();
    let mut next = Some("/api/v1/moderation/queue?limit=1".to_owned());
    while let Some(path) = next.take() {
        let resp = request(&app, Method::GET, &path, Some(&moderator))
            .send()
            .await
            .unwrap();
        next = next_link(&resp);
        let body = json_with(resp, StatusCode::OK).await;
        paged.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["pledge"]["id"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(paged, all);

    // Pledgers have no queue.
    let resp = request(&app, Method::GET, "/api/v1/moderation/queue", Some(&owner))
        .send()
        .await
        .unwrap();
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;

    // Nobody decides outside their remit: not their own organisation's, not other tracks.
    let resp = step(&app, &insider, &ldc5, "approve", Some(2), None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "own_organisation").await;
    let resp = step(
        &app,
        &insider,
        &ldc5,
        "reject",
        Some(2),
        Some(json!({"reason": "No."})),
    )
    .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "own_organisation").await;
    let resp = step(&app, &scoped, &p2c, "approve", Some(2), None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "out_of_scope").await;
    expect_pledge(get_pledge(&app, Some(&owner), &ldc5).await, "submitted", 2).await;

    // Decided pledges leave the queue; a resubmission joins its end.
    expect_pledge(
        step(&app, &insider, &theirs, "approve", Some(2), None).await,
        "published",
        3,
    )
    .await;
    let reason = Some(json!({"reason": "Name the schools."}));
    expect_pledge(
        step(&app, &scoped, &ldc5, "request-changes", Some(2), reason).await,
        "changes_requested",
        3,
    )
    .await;
    assert_eq!(queue(&moderator, "").await, std::slice::from_ref(&p2c));
    expect_pledge(
        step(&app, &owner, &ldc5, "submit", Some(3), None).await,
        "submitted",
        4,
    )
    .await;
    assert_eq!(queue(&moderator, "").await, [p2c.clone(), ldc5.clone()]);
}

#[tokio::test]
async fn moderators_are_not_asked_to_review_their_own_organisations_pledges() {
    let app = spawn_app().await;
    let _outside = app.staff("moderator", "outside-mod@example.org").await;
    let insider = app.staff("moderator", "inside-mod@example.org").await;
    let owner = app.pledger("own@ministry.example", "Own Ministry").await;
    move_into_organisation(&app, &insider, owner.organisation_id.as_deref().unwrap()).await;
    let title = "A pledge of the moderator's own organisation";
    let id = create_id(&app, &owner, &pledge_body(title)).await;
    expect_pledge(
        step(&app, &owner, &id, "submit", None, None).await,
        "submitted",
        2,
    )
    .await;

    let subject = format!("New pledge to review: {title}");
    assert_eq!(
        subjects_to(&app, "outside-mod@example.org").await,
        std::slice::from_ref(&subject)
    );
    // The insider may not decide it and does not see it in their queue: no email either.
    let resp = request(
        &app,
        Method::GET,
        "/api/v1/moderation/queue",
        Some(&insider),
    )
    .send()
    .await
    .unwrap();
    assert!(json_with(resp, StatusCode::OK).await["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(
        !subjects_to(&app, "inside-mod@example.org")
            .await
            .contains(&subject),
        "a moderator was asked to review a pledge of their own organisation"
    );
}

// ---------------------------------------------------------------------------------------------
// Rules

#[tokio::test]
async fn the_workflow_rules_hold_over_http() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "rules-mod@example.org").await;
    let admin = app.staff("admin", "rules-admin@example.org").await;

    // Submitting needs a verified email (drafting does not).
    let resp = app
        .register("unverified@example.org", "Unverified Org", "civil_society")
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let unverified = app.session("unverified@example.org").await;
    let id = create_id(
        &app,
        &unverified,
        &pledge_body("A pledge from an unverified user"),
    )
    .await;
    let resp = step(&app, &unverified, &id, "submit", None, None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "email_not_verified").await;
    expect_pledge(get_pledge(&app, Some(&unverified), &id).await, "draft", 1).await;

    let owner = app
        .pledger("rules@ministry.example", "Rules Ministry")
        .await;
    let id = create_id(&app, &owner, &pledge_body("A pledge under the rules")).await;

    // Editing a draft needs the version: missing, stale or unreadable If-Match.
    let change = json!({"summary": "A better summary of the pledge."});
    let resp = patch(&app, &owner, &id, None, &change).await;
    assert_problem(
        resp,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;
    for stale in ["\"2\"", "\"0\"", "abc", "\"\""] {
        let resp = patch(&app, &owner, &id, Some(stale), &change).await;
        assert_problem(resp, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    }
    let resp = patch(&app, &owner, &id, Some("W/\"1\""), &change).await;
    expect_pledge(resp, "draft", 2).await;
    // An invalid edit changes nothing.
    let resp = patch(&app, &owner, &id, Some("\"2\""), &json!({"sdgs": [18]})).await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "sdgs[0]");
    let current = expect_pledge(get_pledge(&app, Some(&owner), &id).await, "draft", 2).await;
    assert_eq!(current["sdgs"], json!([9, 17]));
    // Submitting with a stale version is refused too.
    let resp = step(&app, &owner, &id, "submit", Some(1), None).await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    expect_pledge(
        step(&app, &owner, &id, "submit", Some(2), None).await,
        "submitted",
        3,
    )
    .await;

    // Submitted: no more edits, and no second submission.
    let resp = patch(&app, &owner, &id, Some("\"3\""), &change).await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    let resp = step(&app, &owner, &id, "submit", None, None).await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    // Pledgers do not decide.
    let resp = step(&app, &owner, &id, "approve", Some(3), None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;

    // Approving needs a verified organisation.
    let resp = step(&app, &moderator, &id, "approve", Some(3), None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "organisation_not_verified").await;
    verify_organisation(&app, &moderator, &owner).await;

    // Decisions need If-Match; changes and rejections need a reason.
    let resp = step(&app, &moderator, &id, "approve", None, None).await;
    assert_problem(
        resp,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;
    let resp = step(&app, &moderator, &id, "approve", Some(2), None).await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    let resp = step(
        &app,
        &moderator,
        &id,
        "request-changes",
        None,
        Some(json!({"reason": "More detail."})),
    )
    .await;
    assert_problem(
        resp,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;
    for action in ["request-changes", "reject"] {
        for body in [None, Some(json!({})), Some(json!({"reason": "   "}))] {
            let resp = step(&app, &moderator, &id, action, Some(3), body.clone()).await;
            let problem =
                assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(
                problem["errors"][0]["field"], "reason",
                "{action} with {body:?}"
            );
        }
    }
    expect_pledge(
        get_pledge(&app, Some(&moderator), &id).await,
        "submitted",
        3,
    )
    .await;
    assert_eq!(history(&app, Some(&owner), &id).await.len(), 3);

    // A rejection is final, and the organisation is told why.
    let reason = "Outside the remit of the coalition.";
    expect_pledge(
        step(
            &app,
            &moderator,
            &id,
            "reject",
            Some(3),
            Some(json!({"reason": reason})),
        )
        .await,
        "rejected",
        4,
    )
    .await;
    let mail = app
        .email(
            "rules@ministry.example",
            "Your pledge was not accepted: A pledge under the rules",
        )
        .await;
    assert!(mail.contains(reason), "{mail}");
    for action in ["submit", "withdraw"] {
        let resp = step(&app, &owner, &id, action, None, None).await;
        assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    }
    let resp = patch(&app, &owner, &id, Some("\"4\""), &change).await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    let resp = step(&app, &moderator, &id, "approve", Some(4), None).await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    assert_problem(
        get_pledge(&app, None, &id).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // A published pledge: the owner cannot edit it; moderators cannot take it down, admins can.
    let published = publish(&app, &owner, &moderator, &pledge_body("A published pledge")).await;
    let resp = patch(&app, &owner, &published, Some("\"3\""), &change).await;
    assert_problem(resp, StatusCode::CONFLICT, "invalid_transition").await;
    let outsider = app.pledger("rules-other@example.org", "Other Org").await;
    let resp = patch(&app, &outsider, &published, Some("\"3\""), &change).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let resp = step(&app, &moderator, &published, "withdraw", None, None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let taken_down = step(
        &app,
        &admin,
        &published,
        "withdraw",
        Some(3),
        Some(json!({"reason": "Duplicate."})),
    )
    .await;
    expect_pledge(taken_down, "withdrawn", 4).await;
    let events = history(&app, Some(&owner), &published).await;
    assert_eq!(events[3]["actor_role"], "admin");
    assert_eq!(events[3]["reason"], "Duplicate.");
}

#[tokio::test]
async fn every_timestamp_says_it_is_utc() {
    let app = spawn_app().await;
    let owner = app.pledger("utc@ministry.example", "UTC Ministry").await;
    let pledge = create(&app, &owner, &pledge_body("A pledge in UTC")).await;
    let id = pledge["id"].as_str().unwrap().to_owned();
    for field in ["created_at", "updated_at"] {
        let at = pledge[field].as_str().unwrap();
        assert!(at.ends_with('Z'), "{field}: {at}");
        chrono::DateTime::parse_from_rfc3339(at).unwrap();
    }
    let submitted = step(&app, &owner, &id, "submit", None, None).await;
    let submitted: Value = submitted.json().await.unwrap();
    assert!(submitted["submitted_at"].as_str().unwrap().ends_with('Z'));
    for event in history(&app, Some(&owner), &id).await {
        assert!(event["at"].as_str().unwrap().ends_with('Z'), "{event}");
    }
    let me: Value = app
        .send(Method::GET, "/api/v1/me", Some(&owner.access), None)
        .await
        .json()
        .await
        .unwrap();
    let tracks = app.get_json("/api/v1/tracks").await;
    for at in [
        &me["user"]["created_at"],
        &me["organisation"]["created_at"],
        &me["organisation"]["updated_at"],
        &tracks["items"][0]["created_at"],
    ] {
        let at = at.as_str().unwrap_or_else(|| panic!("{me} {tracks}"));
        assert!(at.ends_with('Z'), "{at}");
    }
}
