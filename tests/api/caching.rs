//! Conditional reads: every API read has an `ETag`, `If-None-Match` answers 304, anonymous
//! reads may be cached briefly by anyone, signed-in ones by no one.

use reqwest::{Method, Response, StatusCode};
use serde_json::json;

use crate::{
    helpers::TestApp,
    live::{pledge_body, publish, stage},
};

fn header(resp: &Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    if_none_match: Option<&str>,
) -> Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = if_none_match {
        request = request.header("If-None-Match", tag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn anonymous_reads_revalidate_to_304_until_the_pledge_or_its_organisation_changes() {
    let app = crate::helpers::spawn_app().await;
    let s = stage(
        &app,
        "cache@example.org",
        "Cached Ministry",
        "mod-cache@example.org",
    )
    .await;
    let id = publish(
        &app,
        &s,
        pledge_body("A pledge worth caching", &["ldc5"], &["NPL"], 10),
    )
    .await;
    let path = format!("/api/v1/pledges/{id}");

    let first = get(&app, &path, None, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = header(&first, "etag");
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(header(&first, "cache-control"), "public, max-age=5");
    assert!(header(&first, "vary").contains("Authorization"));

    let again = get(&app, &path, None, Some(&etag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // The catalogue too.
    let page = get(&app, "/api/v1/pledges", None, None).await;
    let tag = header(&page, "etag");
    assert_eq!(
        get(&app, "/api/v1/pledges", None, Some(&tag))
            .await
            .status(),
        StatusCode::NOT_MODIFIED
    );
    publish(
        &app,
        &s,
        pledge_body("A second pledge arrives", &["ldc5"], &["NPL"], 10),
    )
    .await;
    assert_eq!(
        get(&app, "/api/v1/pledges", None, Some(&tag))
            .await
            .status(),
        StatusCode::OK,
        "a new pledge changes the catalogue"
    );

    // The organisation's new name is in the pledge's body: the old tag no longer matches.
    let org = s.owner.organisation_id.clone().unwrap();
    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/organisations/{org}"),
            Some(&s.owner.access),
            Some(&json!({"name": "Renamed Ministry"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let changed = get(&app, &path, None, Some(&etag)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(&changed, "etag"), etag);
}

#[tokio::test]
async fn signed_in_reads_carry_the_version_and_are_never_stored() {
    let app = crate::helpers::spawn_app().await;
    let s = stage(
        &app,
        "own@example.org",
        "Own Ministry",
        "mod-own@example.org",
    )
    .await;
    let id = publish(
        &app,
        &s,
        pledge_body("A pledge read by its owner", &["ldc5"], &["NPL"], 10),
    )
    .await;
    let path = format!("/api/v1/pledges/{id}");
    let read = get(&app, &path, Some(&s.owner.access), None).await;
    assert_eq!(header(&read, "etag"), "\"3\"");
    assert_eq!(header(&read, "cache-control"), "private, no-store");
    let again = get(&app, &path, Some(&s.owner.access), Some("\"3\"")).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "cache-control"), "private, no-store");
    // Live figures are revalidated on every read, and staff's differ from the public's.
    let public = get(&app, "/api/v1/stats", None, None).await;
    let staff = get(&app, "/api/v1/stats", Some(&s.moderator.access), None).await;
    assert_eq!(header(&public, "cache-control"), "no-cache");
    assert_ne!(header(&public, "etag"), header(&staff, "etag"));
    let tag = header(&public, "etag");
    assert_eq!(
        get(&app, "/api/v1/stats", None, Some(&tag)).await.status(),
        StatusCode::NOT_MODIFIED
    );
}

/// The service's own cache of rendered public answers never outlives a write it answered.
#[tokio::test]
async fn a_withdrawal_is_seen_by_the_next_anonymous_read() {
    let app = crate::helpers::spawn_app().await;
    let s = stage(
        &app,
        "gone@example.org",
        "Gone Ministry",
        "mod-gone@example.org",
    )
    .await;
    let id = publish(
        &app,
        &s,
        pledge_body("A pledge soon withdrawn", &["ldc5"], &["NPL"], 10),
    )
    .await;
    let path = format!("/api/v1/pledges/{id}");
    for _ in 0..3 {
        assert_eq!(get(&app, &path, None, None).await.status(), StatusCode::OK);
    }
    let resp = app
        .send(
            Method::POST,
            &format!("{path}/withdraw"),
            Some(&s.owner.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // Still public (withdrawn after publication), and the next read already says so.
    let after = get(&app, &path, None, None).await;
    assert_eq!(after.status(), StatusCode::OK);
    let body: serde_json::Value = after.json().await.unwrap();
    assert_eq!(body["status"], "withdrawn");
}

/// The catalogue's public pages come from the same cache: the same page answers the same bytes
/// (its link to the next page included) until a write, and the next read after a publication
/// lists it.
#[tokio::test]
async fn public_catalogue_pages_are_cached_until_a_write() {
    let app = crate::helpers::spawn_app().await;
    let s = stage(
        &app,
        "pages@example.org",
        "Pages Ministry",
        "mod-pages@example.org",
    )
    .await;
    for title in ["The first pledge listed", "The second pledge listed"] {
        publish(&app, &s, pledge_body(title, &["ldc5"], &["NPL"], 10)).await;
    }
    let path = "/api/v1/pledges?limit=1&track=ldc5";
    let first = get(&app, path, None, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let (etag, link) = (header(&first, "etag"), header(&first, "link"));
    assert!(link.contains("cursor="), "{link}");
    let body = first.text().await.unwrap();
    let again = get(&app, path, None, None).await;
    assert_eq!(
        (header(&again, "etag"), header(&again, "link")),
        (etag.clone(), link)
    );
    assert_eq!(again.text().await.unwrap(), body);
    let unchanged = get(&app, path, None, Some(&etag)).await;
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    let newest = publish(
        &app,
        &s,
        pledge_body("The newest pledge listed", &["ldc5"], &["NPL"], 10),
    )
    .await;
    let after = get(&app, path, None, None).await;
    assert_ne!(header(&after, "etag"), etag);
    let page: serde_json::Value = after.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], newest.as_str(), "{page}");
}
