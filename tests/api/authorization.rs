//! Who may call what: every route that takes an id, called as each kind of caller.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, token_in, Session, TestApp, PASSWORD};

struct Cast {
    outsider: Session,
    member: Session,
    owner: Session,
    moderator: Session,
    admin: Session,
    /// The owner's organisation, unverified.
    org: String,
}

/// An organisation with an owner and a member, another organisation's member, a moderator and
/// an admin.
async fn cast(app: &TestApp) -> Cast {
    let owner = app.pledger("owner@example.org", "Owning Org").await;
    let org = owner.organisation_id.clone().unwrap();
    let resp = app
        .send(
            Method::POST,
            &format!("/api/v1/organisations/{org}/invitations"),
            Some(&owner.access),
            Some(&json!({"email": "member@example.org"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let mail = app.email("member@example.org", "Join Owning Org").await;
    let resp = app
        .post_json(
            "/api/v1/invitations/accept",
            &json!({"token": token_in(&mail), "display_name": "Member", "password": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let accepted: Value = resp.json().await.unwrap();
    assert_eq!(accepted["user"]["organisation_role"], "member");
    assert_eq!(accepted["user"]["email_verified"], true);
    Cast {
        member: app.session("member@example.org").await,
        outsider: app.pledger("outsider@example.org", "Other Org").await,
        moderator: app.staff("moderator", "moderator@example.org").await,
        admin: app.staff("admin", "admin@example.org").await,
        owner,
        org,
    }
}

async fn status(
    app: &TestApp,
    method: Method,
    path: &str,
    who: Option<&Session>,
    body: Option<Value>,
) -> u16 {
    let resp = app
        .send(method, path, who.map(|s| s.access.as_str()), body.as_ref())
        .await;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    // Whatever the answer, nothing of the unverified organisation leaks in a refusal.
    if status >= 400 {
        assert!(!text.contains("Owning Org"), "{path}: {text}");
    }
    status
}

#[tokio::test]
async fn the_authorisation_matrix() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let org = &c.org;
    let anon: Option<&Session> = None;
    let callers = [
        ("anonymous", anon),
        ("outsider", Some(&c.outsider)),
        ("member", Some(&c.member)),
        ("owner", Some(&c.owner)),
        ("moderator", Some(&c.moderator)),
        ("admin", Some(&c.admin)),
    ];

    // (method, path, body, expected per caller in the order above)
    let dead_message = json!({});
    let cases: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::GET,
            format!("/api/v1/organisations/{org}"),
            None,
            [404, 404, 200, 200, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/organisations/{org}"),
            Some(json!({"website": "https://owning.example"})),
            [401, 404, 403, 200, 403, 200],
        ),
        (
            Method::POST,
            format!("/api/v1/organisations/{org}/invitations"),
            Some(json!({"email": "new@example.org"})),
            [401, 404, 403, 201, 403, 201],
        ),
        (
            Method::PATCH,
            format!("/api/v1/admin/users/{}", c.member.user_id),
            Some(json!({"role": "pledger"})),
            [401, 403, 403, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/v1/admin/outbox/no-such-message/retry".to_owned(),
            Some(dead_message),
            [401, 403, 403, 403, 403, 404],
        ),
        (
            Method::GET,
            "/api/v1/admin/outbox".to_owned(),
            None,
            [401, 403, 403, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/v1/admin/users".to_owned(),
            Some(
                json!({"email": "s@example.org", "display_name": "S", "role": "organiser", "password": PASSWORD}),
            ),
            [401, 403, 403, 403, 403, 201],
        ),
    ];
    let mut mismatches = Vec::new();
    for (method, path, body, expected) in &cases {
        for ((name, who), want) in callers.iter().zip(expected) {
            let got = status(&app, method.clone(), path, *who, body.clone()).await;
            if got != *want {
                mismatches.push(format!("{method} {path} as {name}: {got}, expected {want}"));
            }
        }
    }
    // Verification last: it changes what the others see. A moderator may not verify their own
    // organisation; pledgers never.
    let verify = format!("/api/v1/organisations/{org}/verify");
    for ((name, who), want) in callers.iter().zip([401, 403, 403, 403, 200, 200]) {
        let got = status(&app, Method::POST, &verify, *who, None).await;
        if got != want {
            mismatches.push(format!("POST {verify} as {name}: {got}, expected {want}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // Now verified, the organisation is public.
    assert_eq!(
        status(
            &app,
            Method::GET,
            &format!("/api/v1/organisations/{org}"),
            None,
            None
        )
        .await,
        200
    );
    // Outsiders still may not edit it, and now learn that it exists (403, not 404).
    let patch = json!({"website": "https://x.example"});
    assert_eq!(
        status(
            &app,
            Method::PATCH,
            &format!("/api/v1/organisations/{org}"),
            Some(&c.outsider),
            Some(patch)
        )
        .await,
        403
    );
}

#[tokio::test]
async fn moderators_never_verify_their_own_organisation() {
    let app = spawn_app().await;
    let owner = app.pledger("mod-owner@example.org", "Moderated Org").await;
    let moderator = app.staff("moderator", "inside-mod@example.org").await;
    let org = owner.organisation_id.clone().unwrap();
    // Put the moderator inside the organisation.
    app.move_into_organisation(&moderator.user_id, &org).await;
    assert_eq!(
        status(
            &app,
            Method::POST,
            &format!("/api/v1/organisations/{org}/verify"),
            Some(&moderator),
            None
        )
        .await,
        403
    );
}

#[tokio::test]
async fn the_directory_lists_verified_organisations_a_page_at_a_time() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "dir-mod@example.org").await;
    let mut verified = Vec::new();
    for i in 0..5 {
        let resp = app
            .register(
                &format!("o{i}@example.org"),
                &format!("Org {i}"),
                "civil_society",
            )
            .await;
        let body: Value = resp.json().await.unwrap();
        let id = body["organisation"]["id"].as_str().unwrap().to_owned();
        if i != 2 {
            let resp = app
                .send(
                    Method::POST,
                    &format!("/api/v1/organisations/{id}/verify"),
                    Some(&moderator.access),
                    None,
                )
                .await;
            assert_eq!(resp.status(), StatusCode::OK);
            verified.push(id);
        }
    }
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/organisations?limit=3".to_owned());
    while let Some(path) = next.take() {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::OK);
        next = resp.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            l[l.find('<').unwrap() + 1..l.find('>').unwrap()].to_owned()
        });
        let body: Value = resp.json().await.unwrap();
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
    }
    verified.sort_by_key(|id| seen.iter().position(|s| s == id));
    assert_eq!(
        seen, verified,
        "every verified organisation once, the unverified one not at all"
    );
    // Staff see the unverified one too.
    let all: Value = app
        .send(
            Method::GET,
            "/api/v1/organisations",
            Some(&moderator.access),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn renaming_a_verified_organisation_withdraws_its_verification() {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "rename-mod@example.org").await;
    let owner = app.pledger("rename@example.org", "Ministry of ICT").await;
    let org = owner.organisation_id.clone().unwrap();
    app.send(
        Method::POST,
        &format!("/api/v1/organisations/{org}/verify"),
        Some(&moderator.access),
        None,
    )
    .await;
    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/organisations/{org}"),
            Some(&owner.access),
            Some(&json!({"website": "https://ict.example"})),
        )
        .await;
    assert_eq!(
        resp.json::<Value>().await.unwrap()["verified"],
        true,
        "a website change keeps verification"
    );
    let resp = app
        .send(
            Method::PATCH,
            &format!("/api/v1/organisations/{org}"),
            Some(&owner.access),
            Some(&json!({"name": "Ministry of Finance"})),
        )
        .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["name"], "Ministry of Finance");
    assert_eq!(body["verified"], false);
}

/// The owner (or an admin) sees the members, hands ownership to one, and removes another;
/// members, outsiders and moderators may do none of it.
#[tokio::test]
async fn owners_manage_their_organisations_members() {
    let app = crate::helpers::spawn_app().await;
    let c = cast(&app).await;
    let members = format!("/api/v1/organisations/{}/members", c.org);
    let emails = |list: &Value| -> Vec<(String, String)> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["email"].as_str().unwrap().to_owned(),
                    u["organisation_role"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let list = app
        .send(Method::GET, &members, Some(&c.owner.access), None)
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    let list: Value = list.json().await.unwrap();
    assert_eq!(
        emails(&list),
        [
            ("owner@example.org".to_owned(), "owner".to_owned()),
            ("member@example.org".to_owned(), "member".to_owned())
        ]
    );
    // An outsider does not learn that the unverified organisation exists.
    for (who, expected) in [(&c.member, 403), (&c.moderator, 403), (&c.outsider, 404)] {
        assert_eq!(
            status(&app, Method::GET, &members, Some(who), None).await,
            expected
        );
    }
    assert_eq!(
        status(&app, Method::GET, &members, Some(&c.admin), None).await,
        200
    );

    // The owner cannot be removed, and only the owner or an admin removes anyone.
    let owner_path = format!("{members}/{}", c.owner.user_id);
    assert_eq!(
        status(&app, Method::DELETE, &owner_path, Some(&c.admin), None).await,
        409
    );
    let member_path = format!("{members}/{}", c.member.user_id);
    assert_eq!(
        status(&app, Method::DELETE, &member_path, Some(&c.member), None).await,
        403
    );

    // Ownership passes to the member; the owner stays on as a member and loses the say.
    let hand_over = format!("/api/v1/organisations/{}/owner", c.org);
    let body = json!({"user_id": c.member.user_id});
    assert_eq!(
        status(
            &app,
            Method::POST,
            &hand_over,
            Some(&c.outsider),
            Some(body.clone())
        )
        .await,
        404
    );
    let resp = app
        .send(Method::POST, &hand_over, Some(&c.owner.access), Some(&body))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let after: Value = resp.json().await.unwrap();
    assert_eq!(
        emails(&after),
        [
            ("member@example.org".to_owned(), "owner".to_owned()),
            ("owner@example.org".to_owned(), "member".to_owned())
        ]
    );
    assert_eq!(
        status(&app, Method::GET, &members, Some(&c.owner), None).await,
        403
    );
    let stranger = json!({"user_id": c.outsider.user_id});
    assert_eq!(
        status(
            &app,
            Method::POST,
            &hand_over,
            Some(&c.member),
            Some(stranger)
        )
        .await,
        404
    );

    // The new owner removes the former one, who is then in no organisation.
    assert_eq!(
        status(&app, Method::DELETE, &owner_path, Some(&c.member), None).await,
        204
    );
    let me: Value = app
        .send(Method::GET, "/api/v1/me", Some(&c.owner.access), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(me["user"]["organisation_id"].is_null(), "{me}");
    assert_eq!(
        status(&app, Method::DELETE, &owner_path, Some(&c.member), None).await,
        404
    );
}

/// The owner sees the invitations still open and withdraws one: its link then stops working.
#[tokio::test]
async fn owners_list_and_withdraw_open_invitations() {
    let app = crate::helpers::spawn_app().await;
    let c = cast(&app).await;
    let invitations = format!("/api/v1/organisations/{}/invitations", c.org);
    for email in ["first@example.org", "second@example.org"] {
        let resp = app
            .send(
                Method::POST,
                &invitations,
                Some(&c.owner.access),
                Some(&json!({ "email": email })),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    let open = |token: String| {
        let app = &app;
        let path = invitations.clone();
        async move {
            let resp = app.send(Method::GET, &path, Some(&token), None).await;
            assert_eq!(resp.status(), StatusCode::OK);
            let list: Value = resp.json().await.unwrap();
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["email"].as_str().unwrap().to_owned(),
                        i["id"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    // The member's own invitation was accepted, so it is no longer open.
    let listed = open(c.owner.access.clone()).await;
    let emails: Vec<&str> = listed.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(emails, ["second@example.org", "first@example.org"]);
    assert_eq!(
        status(&app, Method::GET, &invitations, Some(&c.member), None).await,
        403
    );

    let (_, first_id) = listed
        .iter()
        .find(|(e, _)| e == "first@example.org")
        .unwrap();
    let revoke = format!("{invitations}/{first_id}");
    assert_eq!(
        status(&app, Method::DELETE, &revoke, Some(&c.member), None).await,
        403
    );
    assert_eq!(
        status(&app, Method::DELETE, &revoke, Some(&c.owner), None).await,
        204
    );
    assert_eq!(
        status(&app, Method::DELETE, &revoke, Some(&c.owner), None).await,
        404
    );
    let left = open(c.admin.access.clone()).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "second@example.org");

    let mail = app.email("first@example.org", "Join Owning Org").await;
    let resp = app
        .post_json(
            "/api/v1/invitations/accept",
            &json!({"token": token_in(&mail), "display_name": "Late", "password": PASSWORD}),
        )
        .await;
    crate::helpers::assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_token").await;
}
