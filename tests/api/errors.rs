use reqwest::{Method, StatusCode};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn unknown_routes_answer_a_404_problem() {
    let app = spawn_app().await;
    let body = assert_problem(
        app.get("/api/v1/no-such-thing").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    assert_problem(app.get("/").await, StatusCode::NOT_FOUND, "route_not_found").await;
}

#[tokio::test]
async fn wrong_methods_answer_a_405_problem() {
    let app = spawn_app().await;
    let resp = app
        .client
        .delete(app.url("/api/v1/sdgs"))
        .send()
        .await
        .unwrap();
    assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let resp = app
        .client
        .post(app.url("/livez"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

/// The route table and the API description are one: each documented operation is routed, and
/// any other method on a documented path answers 405 with `Allow` naming exactly the
/// documented ones.
#[tokio::test]
async fn every_documented_operation_is_routed_and_other_methods_answer_405() {
    let app = spawn_app().await;
    let document = pledgeboard::routes::openapi::document();
    let all = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    for (template, item) in &document.paths.paths {
        // A syntactically valid id: absent from the database, which is fine here.
        let path = template
            .replace("{id}", "0190a0b4-7a3c-7000-8000-000000000000")
            .replace("{slug}", "no-such-track");
        let documented: Vec<Method> = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ]
        .into_iter()
        .filter_map(|(method, present)| present.then_some(method))
        .collect();
        assert!(!documented.is_empty(), "{template} documents no operation");
        for method in &all {
            let resp = app
                .client
                .request(method.clone(), app.url(&path))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            if documented.contains(method) {
                assert_ne!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {template}"
                );
                if status == StatusCode::NOT_FOUND {
                    let body: serde_json::Value = resp.json().await.unwrap();
                    assert_ne!(body["code"], "route_not_found", "{method} {template}");
                }
            } else {
                let allow = resp
                    .headers()
                    .get("allow")
                    .map(|v| v.to_str().unwrap().to_owned());
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {template}"
                );
                let mut allowed: Vec<String> = allow
                    .unwrap_or_default()
                    .split(',')
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty())
                    .collect();
                allowed.sort();
                let mut expected: Vec<String> =
                    documented.iter().map(|m| m.as_str().to_owned()).collect();
                expected.sort();
                assert_eq!(allowed, expected, "Allow on {method} {template}");
                assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
            }
        }
    }
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = spawn_app().await;
    let a = app.get("/livez").await;
    let b = app.get("/livez").await;
    let id_a = a
        .headers()
        .get("x-request-id")
        .expect("header")
        .to_str()
        .unwrap()
        .to_owned();
    let id_b = b
        .headers()
        .get("x-request-id")
        .expect("header")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id_a.len(), 36);
    assert_ne!(id_a, id_b);
}

/// A problem speaks the asked language (`lang` wins over `Accept-Language`) and says which it
/// used; its `code` is the same in every language.
#[tokio::test]
async fn problems_are_answered_in_the_asked_language_with_the_same_code() {
    let app = spawn_app().await;
    let missing = "/api/v1/pledges/00000000-0000-0000-0000-000000000000";
    for (accept, title, language) in [
        ("ar", "غير موجود", "ar"),
        ("fr-CA,fr;q=0.9,en;q=0.5", "Introuvable", "fr"),
        ("zh-Hans-CN", "未找到", "zh"),
        ("ru", "Не найдено", "ru"),
        ("es-419", "No encontrado", "es"),
        ("de", "Not found", "en"),
    ] {
        let resp = app
            .client
            .get(app.url(missing))
            .header("Accept-Language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-language"], language, "{accept}");
        let problem = assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
        assert_eq!(problem["title"], title, "{accept}");
    }
    let resp = app
        .client
        .get(app.url(&format!("{missing}?lang=ru")))
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(problem["detail"], "Это обязательство не найдено.");
    // A validation problem lists its fields with the same codes, titled in the language.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("Accept-Language", "es")
        .json(
            &serde_json::json!({"email": "no", "password": "x", "display_name": "",
            "organisation": {"name": "", "kind": "nope", "country": "ZZZ"}}),
        )
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["title"], "Error de validación");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("campos no son válidos"));
    assert!(!problem["errors"].as_array().unwrap().is_empty());
}
