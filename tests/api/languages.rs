//! The six UN languages: an account's language, chosen at registration or in `/me`, is the
//! language of its emails and of the pages their links open.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp, PASSWORD};

/// The messages queued for `recipient`: (kind, subject, text, html), oldest first.
async fn queued(app: &TestApp, recipient: &str) -> Vec<(String, String, String, String)> {
    let recipient = recipient.to_owned();
    app.db
        .run(move |conn| {
            use diesel::prelude::*;
            use pledgeboard::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::recipient.eq(recipient))
                .order(outbox::created_at.asc())
                .select((
                    outbox::kind,
                    outbox::subject,
                    outbox::text_body,
                    outbox::html_body,
                ))
                .load::<(String, String, String, String)>(conn)?)
        })
        .await
        .unwrap()
}

async fn register(app: &TestApp, email: &str, language: Option<&str>, accept: &str) -> Value {
    let mut body = json!({
        "email": email,
        "password": PASSWORD,
        "display_name": "Amina",
        "organisation": {"name": format!("Org of {email}"), "kind": "government", "country": "SEN"},
    });
    if let Some(language) = language {
        body["language"] = json!(language);
    }
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("Accept-Language", accept)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn emails_follow_the_language_of_the_account() {
    let app = spawn_app().await;
    // Named in the body, or else the language the registration was answered in.
    let french = register(&app, "dakar@example.sn", Some("fr"), "en").await;
    assert_eq!(french["user"]["language"], "fr");
    let russian = register(&app, "dushanbe@example.tj", None, "ru-RU,ru;q=0.9").await;
    assert_eq!(russian["user"]["language"], "ru");
    let english = register(&app, "accra@example.gh", None, "de-DE").await;
    assert_eq!(english["user"]["language"], "en");

    let (kind, subject, text, html) = queued(&app, "dakar@example.sn").await.remove(0);
    assert_eq!(kind, "verify_email");
    assert_eq!(
        subject,
        "Confirmez votre adresse électronique pour pledgeboard"
    );
    assert!(text.starts_with("Bonjour Amina,"), "{text}");
    assert!(text.contains("expire dans 48 heures"), "{text}");
    assert!(text.contains("&lang=fr"), "{text}");
    assert!(html.contains("<html lang=\"fr\" dir=\"ltr\">"), "{html}");
    let (_, subject, text, _) = queued(&app, "dushanbe@example.tj").await.remove(0);
    assert_eq!(
        subject,
        "Подтвердите адрес электронной почты для pledgeboard"
    );
    assert!(text.contains("через 48 часов"), "{text}");

    // Changed in `/me`: the next email speaks Arabic, right to left.
    let resp = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "accra@example.gh", "password": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let access = resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            Some(&json!({"language": "ar", "display_name": "أمينة"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(
        (&me["user"]["language"], &me["user"]["display_name"]),
        (&json!("ar"), &json!("أمينة"))
    );
    let resp = app
        .send(Method::GET, "/api/v1/me", Some(&access), None)
        .await;
    assert_eq!(
        resp.json::<Value>().await.unwrap()["user"]["language"],
        "ar"
    );
    let resp = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "accra@example.gh"}),
        )
        .await;
    assert!(resp.status().is_success());
    let (kind, subject, text, html) = queued(&app, "accra@example.gh").await.pop().unwrap();
    assert_eq!(kind, "password_reset");
    assert_eq!(subject, "إعادة تعيين كلمة مرور pledgeboard");
    assert!(text.starts_with("مرحبًا أمينة،"), "{text}");
    assert!(text.contains("lang=ar"), "{text}");
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");

    let resp = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&access),
            Some(&json!({"language": "de"})),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "language");
    let resp = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            None,
            Some(&json!({"language": "fr"})),
        )
        .await;
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

/// The pages behind emailed links speak the link's language and keep it through their forms;
/// Arabic pages run right to left.
#[tokio::test]
async fn link_pages_speak_the_language_of_the_link() {
    let app = spawn_app().await;
    for (lang, title, dir) in [
        ("fr", "Réinitialisez votre mot de passe", "ltr"),
        ("es", "Restablezca su contraseña", "ltr"),
        ("ru", "Сброс пароля", "ltr"),
        ("ar", "إعادة تعيين كلمة المرور", "rtl"),
        ("zh", "重置密码", "ltr"),
    ] {
        let resp = app.get(&format!("/reset-password?lang={lang}")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-language"], lang);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{html}"
        );
        assert!(
            html.contains(&format!("<h1>{title}</h1>")),
            "{lang}: {html}"
        );
        assert!(html.contains(&format!("action=\"/reset-password/request?lang={lang}\"")));
    }
    // Without `lang`, the browser's language; a `lang` that names none is ignored.
    let resp = app
        .client
        .get(app.url("/accept-invitation?token=x&lang=xx"))
        .header("Accept-Language", "es-MX")
        .send()
        .await
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Únase a su organización en pledgeboard"),
        "{html}"
    );
    // A used link says so in the page's language.
    let resp = app
        .client
        .post(app.url("/verify-email?lang=fr"))
        .form(&[("token", "not-a-token")])
        .send()
        .await
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Ce lien est invalide, déjà utilisé ou expiré."),
        "{html}"
    );
}

/// The big screen speaks the asked language: its words from the message files, its direction
/// from the language, and its script (the same bytes in every language, allowed by hash)
/// formats the figures with the browser's locale data.
#[tokio::test]
async fn the_big_screen_speaks_the_asked_language() {
    let app = spawn_app().await;
    let english = app.get("/live/ldc5").await.text().await.unwrap();
    for (lang, dir, word) in [
        ("ar", "rtl", "تعهدات"),
        ("fr", "ltr", "engagements"),
        ("zh", "ltr", "项承诺"),
    ] {
        let resp = app.get(&format!("/live/ldc5?lang={lang}")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-language"], lang);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{html}"
        );
        assert!(html.contains(&format!("data-lang=\"{lang}\"")));
        assert!(html.contains(word), "{lang}");
        let script = |page: &str| page.split("<script>").nth(1).unwrap().to_owned();
        assert_eq!(script(&html), script(&english));
    }
    assert!(english.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(english.contains("commitments"));
}

/// Focus areas, pillars and the closed vocabularies are named in the asked language; their
/// codes stay the same.
#[tokio::test]
async fn vocabularies_are_named_in_the_asked_language() {
    let app = spawn_app().await;
    let resp = app.get("/api/v1/focus-areas?lang=es").await;
    assert_eq!(resp.headers()["content-language"], "es");
    let areas: Value = resp.json().await.unwrap();
    let access = &areas["items"][0];
    assert_eq!(
        (&access["slug"], &access["name"]),
        (&json!("access"), &json!("Acceso"))
    );
    assert_eq!(access["pillars"][2]["name"], "Ciberseguridad");
    let resp = app
        .client
        .get(app.url("/api/v1/vocabularies"))
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-language"], "ru");
    let named: Value = resp.json().await.unwrap();
    let find = |list: &str, code: &str| {
        named[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .unwrap()["name"]
            .clone()
    };
    assert_eq!(find("organisation_kinds", "government"), "Правительство");
    assert_eq!(find("statuses", "published"), "Опубликовано");
    assert_eq!(find("lights", "at_risk"), "Под угрозой");
    assert_eq!(named["pledge_types"].as_array().unwrap().len(), 4);
    let english: Value = app.get_json("/api/v1/vocabularies").await;
    assert_eq!(
        english["statuses"][0],
        json!({"code": "draft", "name": "Draft"})
    );
    let resp = app.get("/api/v1/vocabularies?lang=xx").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}

/// Organisers enter a track's name and description in other languages; the list and the big
/// screen show the asked language's, saying which language each track is shown in.
#[tokio::test]
async fn tracks_carry_the_names_their_organisers_enter_in_each_language() {
    let app = spawn_app().await;
    let organiser = app.staff("organiser", "events@example.org").await;
    let body = json!({
        "slug": "wtdc-2025", "name": "World Telecommunication Development Conference 2025",
        "description": "Pledges announced at WTDC-25.",
        "translations": {
            "fr": {"name": "Conférence mondiale de développement des télécommunications 2025",
                   "description": "Engagements annoncés à la CMDT-25."},
            "ar": {"name": "المؤتمر العالمي لتنمية الاتصالات 2025"}
        }
    });
    let resp = app
        .send(
            Method::POST,
            "/api/v1/tracks",
            Some(&organiser.access),
            Some(&body),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::CREATED,
        "{}",
        resp.text().await.unwrap()
    );
    let track = |items: &Value| {
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == "wtdc-2025")
            .unwrap()
            .clone()
    };
    let french = track(&app.get_json("/api/v1/tracks?lang=fr").await);
    assert_eq!(french["language"], "fr");
    assert_eq!(french["description"], "Engagements annoncés à la CMDT-25.");
    let spanish = track(&app.get_json("/api/v1/tracks?lang=es").await);
    assert_eq!(spanish["language"], "en");
    assert_eq!(
        spanish["name"],
        "World Telecommunication Development Conference 2025"
    );
    assert_eq!(
        spanish["translations"]["ar"]["name"],
        "المؤتمر العالمي لتنمية الاتصالات 2025"
    );
    let screen = app
        .get("/live/wtdc-2025?lang=ar")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        screen.contains("المؤتمر العالمي لتنمية الاتصالات 2025"),
        "{screen}"
    );

    // Only the six languages, never English (that is `name`), each name 2 to 200 characters.
    let resp = app
        .send(
            Method::PATCH,
            "/api/v1/tracks/wtdc-2025",
            Some(&organiser.access),
            Some(
                &json!({"translations": {"de": {"name": "Konferenz"}, "en": {"name": "WTDC"},
                          "ru": {"name": " "}}}),
            ),
        )
        .await;
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["translations.de", "translations.en", "translations.ru.name"]
    );
    let resp = app
        .send(
            Method::PATCH,
            "/api/v1/tracks/wtdc-2025",
            Some(&organiser.access),
            Some(&json!({"translations": {"zh": {"name": "2025年世界电信发展大会"}}})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let chinese = track(&app.get_json("/api/v1/tracks?lang=zh").await);
    assert_eq!(chinese["name"], "2025年世界电信发展大会");
    assert!(chinese["translations"].get("fr").is_none());
}
