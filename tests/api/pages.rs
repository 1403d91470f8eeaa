//! The pages behind the emailed links work in a plain browser, and opening them changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, token_in, TestApp, PASSWORD};

/// The path and query of the first link with a token in an email.
fn link_in(mail: &str, app: &TestApp) -> String {
    let base = app.settings.effective_public_url();
    let start = mail
        .find(&format!("{base}/"))
        .expect("a link to the service")
        + base.len();
    let token = token_in(mail);
    let end = mail[start..].find(&token).unwrap() + token.len();
    mail[start..start + end].to_owned()
}

async fn page(app: &TestApp, path: &str) -> String {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    resp.text().await.unwrap()
}

async fn submit(app: &TestApp, path: &str, form: &[(&str, &str)]) -> String {
    let resp = app
        .client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.text().await.unwrap()
}

#[tokio::test]
async fn the_verification_link_confirms_only_when_the_form_is_sent() {
    let app = spawn_app().await;
    app.register("click@example.org", "Clicking Org", "academia")
        .await;
    let mail = app
        .email("click@example.org", "Confirm your email address")
        .await;
    let link = link_in(&mail, &app);
    assert!(link.starts_with("/verify-email?token="));
    let html = page(&app, &link).await;
    assert!(html.contains("<form method=\"post\" action=\"/verify-email?lang=en\">"));
    // Opening the link (as a mail scanner would) did not use the token up.
    let session = app.session("click@example.org").await;
    let me: Value = app
        .send(Method::GET, "/api/v1/me", Some(&session.access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email_verified"], false);

    let token = token_in(&mail);
    let done = submit(&app, "/verify-email", &[("token", &token)]).await;
    assert!(done.contains("Your email address is confirmed"), "{done}");
    let me: Value = app
        .send(Method::GET, "/api/v1/me", Some(&session.access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email_verified"], true);
    let again = submit(&app, "/verify-email", &[("token", &token)]).await;
    assert!(
        again.contains("invalid, already used or expired"),
        "{again}"
    );
}

#[tokio::test]
async fn a_password_can_be_reset_from_the_emailed_link() {
    let app = spawn_app().await;
    app.pledger("forgot@example.org", "Forgetful Org").await;
    assert!(page(&app, "/reset-password")
        .await
        .contains("Send me a reset link"));
    let asked = submit(
        &app,
        "/reset-password/request",
        &[("email", "forgot@example.org")],
    )
    .await;
    assert!(asked.contains("a reset link is on its way"));
    let mail = app
        .email("forgot@example.org", "Reset your pledgeboard password")
        .await;
    let link = link_in(&mail, &app);
    assert!(page(&app, &link).await.contains("Set my new password"));
    let token = token_in(&mail);

    let weak = submit(
        &app,
        "/reset-password",
        &[("token", &token), ("password", "short")],
    )
    .await;
    assert!(weak.contains("at least 12 characters"), "{weak}");
    assert!(
        weak.contains(&format!("value=\"{token}\"")),
        "the form comes back, token kept"
    );
    let new_password = "an entirely new passphrase";
    let done = submit(
        &app,
        "/reset-password",
        &[("token", &token), ("password", new_password)],
    )
    .await;
    assert!(done.contains("Your password is changed"), "{done}");
    assert_eq!(
        app.login("forgot@example.org", new_password).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_invitation_is_accepted_from_the_emailed_link() {
    let app = spawn_app().await;
    let owner = app.pledger("inviter@example.org", "Inviting <Org>").await;
    let org = owner.organisation_id.clone().unwrap();
    app.send(
        Method::POST,
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&owner.access),
        Some(&json!({"email": "guest@example.org"})),
    )
    .await;
    let mail = app.email("guest@example.org", "Join Inviting").await;
    assert!(page(&app, &link_in(&mail, &app))
        .await
        .contains("Join the organisation"));
    let token = token_in(&mail);
    let done = submit(
        &app,
        "/accept-invitation",
        &[
            ("token", &token),
            ("display_name", "Guest"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert!(
        done.contains("You are now a member of Inviting &#60;Org&#62; as a member"),
        "{done}"
    );
    assert_eq!(
        app.login("guest@example.org", PASSWORD).await.status(),
        StatusCode::OK
    );
    let reused = submit(
        &app,
        "/accept-invitation",
        &[
            ("token", &token),
            ("display_name", "Guest"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert!(reused.contains("invalid, already used or expired"));
}
