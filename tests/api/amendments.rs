//! Amendments to published pledges: the public sees the published version until a moderator
//! approves; approval moves the public view, the catalogue, the counters and the history at
//! once; refusal needs a reason and changes nothing public.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, spawn_app, Session, TestApp},
    live::{create_pledge, pledge_body, publish, stage, stats_until, Stage},
};

/// Sends `body` to `path` as `who`, with `If-Match` when a version is given.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &Session,
    version: Option<i64>,
    body: Option<Value>,
) -> Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&who.access);
    if let Some(version) = version {
        request = request.header("If-Match", format!("\"{version}\""));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// Proposes an amendment at `path` as `who`, without `If-Match`.
async fn propose(app: &TestApp, who: &Session, path: &str, body: Option<Value>) -> Response {
    send(app, Method::POST, path, who, None, body).await
}

/// The pledge's version as its organisation sees it.
async fn version(app: &TestApp, who: &Session, id: &str) -> i64 {
    let resp = app
        .send(
            Method::GET,
            &format!("/api/v1/pledges/{id}"),
            Some(&who.access),
            None,
        )
        .await;
    resp.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap()
}

/// The amendments waiting for a moderator, first page.
async fn to_review(app: &TestApp, moderator: &Session) -> Value {
    let path = "/api/v1/moderation/amendments";
    let resp = send(app, Method::GET, path, moderator, None, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn history(app: &TestApp, who: Option<&Session>, id: &str) -> Vec<Value> {
    let resp = app
        .send(
            Method::GET,
            &format!("/api/v1/pledges/{id}/history"),
            who.map(|s| s.access.as_str()),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

fn fields(changes: &Value) -> Vec<&str> {
    changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect()
}

async fn published(app: &TestApp, s: &Stage) -> String {
    publish(
        app,
        s,
        pledge_body("Connect 50 clinics", &["ldc5"], &["NPL"], 10_000),
    )
    .await
}

#[tokio::test]
async fn an_amendment_leaves_the_public_version_unchanged_until_approved() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "amend@example.org",
        "Amending Ministry",
        "amend-mod@example.org",
    )
    .await;
    let outsider = app.pledger("other@example.org", "Another Org").await;
    let id = published(&app, &s).await;
    let path = format!("/api/v1/pledges/{id}/amendment");
    stats_until(&app, "", None, |b| b["usd_pledged"] == 10_000).await;
    let before: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;

    // No amendment yet.
    let resp = send(&app, Method::GET, &path, &s.owner, None, None).await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;

    let proposal = json!({
        "title": "Connect 80 clinics",
        "tracks": ["ldc5", "p2c"],
        "value": {"currency": "USD", "amount_minor": 2_500_000, "usd": 25_000},
        "contact": {"name": "Ama Mensah", "email": "ama@example.org"},
    });
    // Only the organisation proposes.
    let resp = propose(&app, &outsider, &path, Some(proposal.clone())).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let resp = propose(&app, &s.moderator, &path, Some(proposal.clone())).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let resp = app.send(Method::POST, &path, None, Some(&proposal)).await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let resp = propose(&app, &s.owner, &path, Some(proposal)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.headers()["location"], path.as_str());
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let amendment: Value = resp.json().await.unwrap();
    assert_eq!(amendment["status"], "proposed");
    assert_eq!(etag, format!("\"{}\"", amendment["pledge_version"]));
    assert_eq!(
        fields(&amendment["changes"]),
        ["contact", "title", "tracks", "value"]
    );
    assert_eq!(
        amendment["title"], "Connect 50 clinics",
        "the published title"
    );
    assert_eq!(amendment["proposed"]["title"], "Connect 80 clinics");

    // The public still sees the published pledge, in the view and in the catalogue, and the
    // counters have not moved.
    let public: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    for field in ["title", "tracks", "value", "sdgs", "countries"] {
        assert_eq!(public[field], before[field], "{field}");
    }
    let p2c: Value = app.get_json("/api/v1/pledges?track=p2c").await;
    assert_eq!(p2c["items"], json!([]));
    let found: Value = app.get_json("/api/v1/pledges?q=80").await;
    assert_eq!(found["items"], json!([]));
    let all = stats_until(&app, "", None, |b| b["pledges"] == 1).await;
    assert_eq!(all["usd_pledged"], 10_000);
    stats_until(&app, "?track=p2c", None, |b| b["pledges"] == 0).await;

    // The organisation and staff see it; nobody else does.
    let resp = send(&app, Method::GET, &path, &outsider, None, None).await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    let resp = app.send(Method::GET, &path, None, None).await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let seen: Value = send(&app, Method::GET, &path, &s.moderator, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["id"], amendment["id"]);
    let waiting = to_review(&app, &s.moderator).await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
    assert_eq!(waiting["items"][0]["pledge_id"], id.as_str());
    let resp = send(
        &app,
        Method::GET,
        "/api/v1/moderation/amendments",
        &outsider,
        None,
        None,
    )
    .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "forbidden").await;
    let mail = app
        .email("amend-mod@example.org", "Amendment to review")
        .await;
    assert!(mail.contains("Connect 50 clinics") && mail.contains("title, tracks, value"));

    // The public history says a proposal was made, not what it proposes.
    let public_history = history(&app, None, &id).await;
    let proposed = public_history.last().unwrap();
    assert_eq!(proposed["action"], "amendment_proposed");
    assert_eq!(proposed["changes"], json!([]));
    let own_history = history(&app, Some(&s.owner), &id).await;
    assert_eq!(
        own_history.last().unwrap()["changes"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // The decision names the version the moderator read.
    let current = version(&app, &s.owner, &id).await;
    let approve = format!("{path}/approve");
    let resp = send(&app, Method::POST, &approve, &s.moderator, None, None).await;
    assert_problem(
        resp,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;
    let resp = send(
        &app,
        Method::POST,
        &approve,
        &s.moderator,
        Some(current - 1),
        None,
    )
    .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    let resp = send(&app, Method::POST, &approve, &s.owner, Some(current), None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;

    let resp = send(
        &app,
        Method::POST,
        &approve,
        &s.moderator,
        Some(current),
        None,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let approved: Value = resp.json().await.unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["pledge_version"], current + 1);
    assert_eq!(approved["changes"], json!([]), "nothing left to change");

    // Now the public sees the amended pledge, everywhere at once.
    let public: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    assert_eq!(public["title"], "Connect 80 clinics");
    assert_eq!(public["tracks"], json!(["ldc5", "p2c"]));
    assert_eq!(public["value"]["usd"], 25_000);
    assert_eq!(public["status"], "published");
    assert!(public.get("contact").is_none(), "the contact stays private");
    let p2c: Value = app.get_json("/api/v1/pledges?track=p2c").await;
    assert_eq!(p2c["items"][0]["id"], id.as_str());
    let found: Value = app.get_json("/api/v1/pledges?q=80").await;
    assert_eq!(found["items"][0]["id"], id.as_str());
    stats_until(&app, "", None, |b| {
        b["usd_pledged"] == 25_000 && b["pledges"] == 1
    })
    .await;
    stats_until(&app, "?track=p2c", None, |b| {
        b["pledges"] == 1 && b["usd_pledged"] == 25_000
    })
    .await;
    stats_until(&app, "?track=ldc5", None, |b| b["usd_pledged"] == 25_000).await;

    // The history shows what changed, field by field; the public sees all but the contact.
    let public_history = history(&app, None, &id).await;
    let decided = public_history.last().unwrap();
    assert_eq!(decided["action"], "amendment_approved");
    assert_eq!(fields(&decided["changes"]), ["title", "tracks", "value"]);
    let title = &decided["changes"][0];
    assert_eq!(title["before"], "Connect 50 clinics");
    assert_eq!(title["after"], "Connect 80 clinics");
    assert_eq!(decided["changes"][2]["before"]["usd"], 10_000);
    assert_eq!(decided["changes"][2]["after"]["usd"], 25_000);
    let own_history = history(&app, Some(&s.owner), &id).await;
    assert_eq!(
        fields(&own_history.last().unwrap()["changes"]),
        ["contact", "title", "tracks", "value"]
    );
    let mail = app
        .email("amend@example.org", "amendment to your pledge was approved")
        .await;
    assert!(mail.contains("Connect 80 clinics"));

    // Decided: nothing waits, and it cannot be decided again.
    let waiting = to_review(&app, &s.moderator).await;
    assert_eq!(waiting["items"], json!([]));
    let current = version(&app, &s.owner, &id).await;
    let resp = send(
        &app,
        Method::POST,
        &approve,
        &s.moderator,
        Some(current),
        None,
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "amendment_not_open").await;
}

#[tokio::test]
async fn a_refusal_needs_a_reason_and_changes_nothing_public() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "refuse@example.org",
        "Refused Ministry",
        "refuse-mod@example.org",
    )
    .await;
    let id = published(&app, &s).await;
    let path = format!("/api/v1/pledges/{id}/amendment");
    stats_until(&app, "", None, |b| b["usd_pledged"] == 10_000).await;
    let before: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;

    let usd =
        |usd: i64| json!({"value": {"currency": "USD", "amount_minor": usd * 100, "usd": usd}});
    let resp = propose(&app, &s.owner, &path, Some(usd(90_000))).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    // One open amendment at a time.
    let resp = propose(&app, &s.owner, &path, Some(usd(1))).await;
    assert_problem(resp, StatusCode::CONFLICT, "amendment_open").await;

    // The organisation edits it while it is open, naming the version it read.
    let resp = send(
        &app,
        Method::PATCH,
        &path,
        &s.owner,
        None,
        Some(json!({"sdgs": [4]})),
    )
    .await;
    assert_problem(
        resp,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;
    let current = version(&app, &s.owner, &id).await;
    let resp = send(
        &app,
        Method::PATCH,
        &path,
        &s.owner,
        Some(current),
        Some(json!({"sdgs": [99]})),
    )
    .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = send(
        &app,
        Method::PATCH,
        &path,
        &s.owner,
        Some(current),
        Some(json!({"sdgs": [4]})),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let edited: Value = resp.json().await.unwrap();
    assert_eq!(fields(&edited["changes"]), ["sdgs", "value"]);
    assert_eq!(
        edited["proposed"]["value"]["usd"], 90_000,
        "the edit keeps the proposal"
    );

    // The moderator read the proposal before the edit: stale.
    let refuse = format!("{path}/refuse");
    let reason = json!({"reason": "The amount needs a source."});
    let resp = send(
        &app,
        Method::POST,
        &refuse,
        &s.moderator,
        Some(current),
        Some(reason.clone()),
    )
    .await;
    assert_problem(resp, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    let current = version(&app, &s.owner, &id).await;
    let resp = send(
        &app,
        Method::POST,
        &refuse,
        &s.moderator,
        Some(current),
        Some(json!({"reason": "  "})),
    )
    .await;
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let resp = send(
        &app,
        Method::POST,
        &refuse,
        &s.moderator,
        Some(current),
        Some(json!({})),
    )
    .await;
    assert!(resp.status().is_client_error());
    let resp = send(
        &app,
        Method::POST,
        &refuse,
        &s.moderator,
        Some(current),
        Some(reason),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let refused: Value = resp.json().await.unwrap();
    assert_eq!(refused["status"], "refused");
    assert_eq!(refused["reason"], "The amount needs a source.");

    // Nothing public moved.
    let public: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    for field in ["title", "sdgs", "value", "tracks"] {
        assert_eq!(public[field], before[field], "{field}");
    }
    let all = stats_until(&app, "", None, |b| b["pledges"] == 1).await;
    assert_eq!(all["usd_pledged"], 10_000);
    assert_eq!(all["by_sdg"].get("4"), None);
    let mail = app
        .email("refuse@example.org", "amendment to your pledge was refused")
        .await;
    assert!(mail.contains("The amount needs a source."));
    let public_history = history(&app, None, &id).await;
    let last = public_history.last().unwrap();
    assert_eq!(last["action"], "amendment_refused");
    assert_eq!(last["changes"], json!([]));
    assert!(
        last.get("reason").is_none(),
        "reasons are for the organisation"
    );
    let own_history = history(&app, Some(&s.owner), &id).await;
    let last = own_history.last().unwrap();
    assert_eq!(last["reason"], "The amount needs a source.");
    assert_eq!(fields(&last["changes"]), ["sdgs", "value"]);

    // Decided: no more edits; a new proposal may follow, and be withdrawn.
    let current = version(&app, &s.owner, &id).await;
    let resp = send(
        &app,
        Method::PATCH,
        &path,
        &s.owner,
        Some(current),
        Some(usd(5)),
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "amendment_not_open").await;
    let resp = propose(&app, &s.owner, &path, Some(json!({}))).await;
    assert_problem(
        resp,
        StatusCode::UNPROCESSABLE_ENTITY,
        "amendment_unchanged",
    )
    .await;
    let resp = propose(&app, &s.owner, &path, Some(usd(12_000))).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let withdraw = format!("{path}/withdraw");
    let resp = send(&app, Method::POST, &withdraw, &s.moderator, None, None).await;
    assert_problem(resp, StatusCode::FORBIDDEN, "not_allowed").await;
    let resp = send(&app, Method::POST, &withdraw, &s.owner, None, None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "withdrawn");
    let current = version(&app, &s.owner, &id).await;
    let resp = send(
        &app,
        Method::POST,
        &format!("{path}/approve"),
        &s.moderator,
        Some(current),
        None,
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "amendment_not_open").await;
    let all = stats_until(&app, "", None, |b| b["pledges"] == 1).await;
    assert_eq!(all["usd_pledged"], 10_000);
}

#[tokio::test]
async fn only_published_pledges_of_verified_organisations_are_amended_by_others_than_their_own() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "draft@example.org",
        "Drafting Ministry",
        "draft-mod@example.org",
    )
    .await;
    let draft = create_pledge(
        &app,
        &s.owner,
        &pledge_body("Still a draft", &["ldc5"], &["GHA"], 5),
    )
    .await;
    let resp = send(
        &app,
        Method::POST,
        &format!("/api/v1/pledges/{draft}/amendment"),
        &s.owner,
        None,
        Some(json!({"title": "A new title"})),
    )
    .await;
    assert_problem(resp, StatusCode::CONFLICT, "not_amendable").await;
    // A draft is not visible to others at all.
    let outsider = app.pledger("peek@example.org", "Peeking Org").await;
    let resp = send(
        &app,
        Method::POST,
        &format!("/api/v1/pledges/{draft}/amendment"),
        &outsider,
        None,
        Some(json!({"title": "A new title"})),
    )
    .await;
    assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;

    let id = published(&app, &s).await;
    let path = format!("/api/v1/pledges/{id}/amendment");
    let resp = propose(&app, &s.owner, &path, Some(json!({"unknown": 1}))).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = propose(&app, &s.owner, &path, Some(json!({"title": "A new title"}))).await;
    assert_eq!(resp.status(), StatusCode::CREATED);

    // A moderator of the pledge's own organisation may not decide it.
    let own = app.staff("moderator", "own-mod@example.org").await;
    app.move_into_organisation(&own.user_id, s.owner.organisation_id.as_ref().unwrap())
        .await;
    let current = version(&app, &s.owner, &id).await;
    let resp = send(
        &app,
        Method::POST,
        &format!("{path}/approve"),
        &own,
        Some(current),
        None,
    )
    .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "own_organisation").await;

    // A renamed organisation is no longer verified: its amendment waits until it is again.
    let organisation = s.owner.organisation_id.clone().unwrap();
    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/organisations/{organisation}"),
            Some(&s.owner.access),
            Some(&json!({"name": "Renamed Drafting Ministry"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let approve = format!("{path}/approve");
    let resp = send(
        &app,
        Method::POST,
        &approve,
        &s.moderator,
        Some(current),
        None,
    )
    .await;
    assert_problem(resp, StatusCode::FORBIDDEN, "organisation_not_verified").await;
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/organisations/{organisation}/verify"),
            Some(&s.moderator.access),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = send(
        &app,
        Method::POST,
        &approve,
        &s.moderator,
        Some(current),
        None,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let public: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    assert_eq!(public["title"], "A new title");
}

#[tokio::test]
async fn of_proposals_racing_on_one_pledge_one_opens_and_the_others_hear_it_is_open() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "race@example.org",
        "Racing Ministry",
        "race-mod@example.org",
    )
    .await;
    let id = published(&app, &s).await;
    let path = format!("/api/v1/pledges/{id}/amendment");
    let proposals = (0..6).map(|i| {
        let body = json!({"title": format!("Connect {} clinics", 60 + i)});
        propose(&app, &s.owner, &path, Some(body))
    });
    let answers = futures_util::future::join_all(proposals).await;
    let mut opened = 0;
    for resp in answers {
        if resp.status() == StatusCode::CREATED {
            opened += 1;
        } else {
            assert_problem(resp, StatusCode::CONFLICT, "amendment_open").await;
        }
    }
    assert_eq!(opened, 1);
    let waiting = to_review(&app, &s.moderator).await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_amendments_to_review_come_oldest_first_a_page_at_a_time() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "pages@example.org",
        "Paging Ministry",
        "pages-mod@example.org",
    )
    .await;
    let mut proposed = Vec::new();
    for i in 0..3 {
        let id = publish(
            &app,
            &s,
            pledge_body(&format!("Connect {i} towns"), &["ldc5"], &["NPL"], 100),
        )
        .await;
        let path = format!("/api/v1/pledges/{id}/amendment");
        let body = json!({"summary": "A summary that says more than before."});
        let resp = propose(&app, &s.owner, &path, Some(body)).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        proposed.push(id);
    }
    let first = send(
        &app,
        Method::GET,
        "/api/v1/moderation/amendments?limit=2",
        &s.moderator,
        None,
        None,
    )
    .await;
    let next = crate::pledges::next_link(&first).expect("a next page");
    let page: Value = first.json().await.unwrap();
    let next_page: Value = app
        .client
        .get(if next.starts_with("http") {
            next
        } else {
            app.url(&next)
        })
        .bearer_auth(&s.moderator.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(next_page["next_cursor"], Value::Null);
    let listed: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(next_page["items"].as_array().unwrap())
        .map(|a| a["pledge_id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, proposed);
    let resp = send(
        &app,
        Method::GET,
        "/api/v1/moderation/amendments?cursor=bm90LW91cnM",
        &s.moderator,
        None,
        None,
    )
    .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn a_pledge_withdrawn_with_an_open_amendment_withdraws_the_amendment_too() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "gone@example.org",
        "Leaving Ministry",
        "gone-mod@example.org",
    )
    .await;
    let id = published(&app, &s).await;
    let path = format!("/api/v1/pledges/{id}/amendment");
    let body = json!({"title": "Connect 70 clinics"});
    let resp = propose(&app, &s.owner, &path, Some(body)).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = send(
        &app,
        Method::POST,
        &format!("/api/v1/pledges/{id}/withdraw"),
        &s.owner,
        None,
        None,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);

    let amendment: Value = send(&app, Method::GET, &path, &s.owner, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(amendment["status"], "withdrawn");
    assert_eq!(amendment["reason"], "the pledge is withdrawn");
    assert_eq!(to_review(&app, &s.moderator).await["items"], json!([]));
    let resp = propose(&app, &s.owner, &path, Some(json!({"title": "Back again"}))).await;
    assert_problem(resp, StatusCode::CONFLICT, "not_amendable").await;
    let public: Value = app.get_json(&format!("/api/v1/pledges/{id}")).await;
    assert_eq!(public["title"], "Connect 50 clinics");
    assert_eq!(public["status"], "withdrawn");
}

#[tokio::test]
async fn the_daily_digest_counts_the_amendments_waiting_in_a_moderators_remit() {
    let app = spawn_app().await;
    let s = stage(
        &app,
        "digest-amend@example.org",
        "Digest Ministry",
        "digest-amend-mod@example.org",
    )
    .await;
    let id = published(&app, &s).await;
    let path = format!("/api/v1/pledges/{id}/amendment");
    let resp = propose(
        &app,
        &s.owner,
        &path,
        Some(json!({"title": "Connect 90 clinics"})),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(crate::moderation::digests_at(&app, 8).await, 1);
    let mail = app
        .email("digest-amend-mod@example.org", "Waiting for moderation")
        .await;
    assert!(
        mail.contains("- ldc5: 0 pledges waiting for a decision; 0 progress reports waiting for review; 1 amendment waiting for a decision"),
        "{mail}"
    );
}
