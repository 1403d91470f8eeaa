use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn sdgs_are_the_seventeen_goals_with_short_titles() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/sdgs").await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 17);
    for (i, goal) in items.iter().enumerate() {
        assert_eq!(goal["number"], i as u64 + 1);
        assert!(goal["colour"].as_str().unwrap().starts_with('#'));
    }
    assert_eq!(
        items[8]["short_title"],
        "Industry, Innovation and Infrastructure"
    );
    assert_eq!(items[16]["short_title"], "Partnerships for the Goals");
    assert_eq!(items[0]["title"], "End poverty in all its forms everywhere");
}

#[tokio::test]
async fn focus_areas_carry_their_pillars() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/focus-areas").await;
    let items = body["items"].as_array().unwrap();
    let slugs: Vec<_> = items.iter().map(|a| a["slug"].as_str().unwrap()).collect();
    assert_eq!(
        slugs,
        ["access", "adoption", "value_creation", "accelerate"]
    );
    assert_eq!(items[0]["tagline"], "Connecting people everywhere");
    assert_eq!(items[3]["tagline"], "Incentivizing investments");
    for area in items {
        assert!(!area["pillars"].as_array().unwrap().is_empty(), "{area}");
    }
    let access: Vec<_> = items[0]["pillars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(access, ["infrastructure", "affordability", "cybersecurity"]);
}

#[tokio::test]
async fn countries_have_regions_and_un_groupings() {
    let app = spawn_app().await;
    let all = app.get_json("/api/v1/countries").await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 249);
    let ghana = items.iter().find(|c| c["code"] == "GHA").unwrap();
    assert_eq!(ghana["name"], "Ghana");
    assert_eq!(ghana["region"], "Africa");
    assert_eq!(ghana["ldc"], false);
    let nepal = items.iter().find(|c| c["code"] == "NPL").unwrap();
    assert_eq!(
        (nepal["ldc"].as_bool(), nepal["lldc"].as_bool()),
        (Some(true), Some(true))
    );
    let fiji = items.iter().find(|c| c["code"] == "FJI").unwrap();
    assert_eq!(fiji["sids"], true);
    assert_eq!(fiji["region"], "Oceania");

    let ldcs = app.get_json("/api/v1/countries?ldc=true").await;
    assert_eq!(ldcs["items"].as_array().unwrap().len(), 44);
    let lldcs = app.get_json("/api/v1/countries?lldc=true").await;
    assert_eq!(lldcs["items"].as_array().unwrap().len(), 32);
    let african_ldcs = app
        .get_json("/api/v1/countries?ldc=true&region=Africa")
        .await;
    let african = african_ldcs["items"].as_array().unwrap();
    assert!(african.len() > 25 && african.len() < 44);
    assert!(african
        .iter()
        .all(|c| c["region"] == "Africa" && c["ldc"] == true));
}

#[tokio::test]
async fn country_filters_reject_bad_values_and_unknown_names() {
    let app = spawn_app().await;
    let body = assert_problem(
        app.get("/api/v1/countries?ldc=maybe").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_eq!(body["instance"], "/api/v1/countries");
    assert_problem(
        app.get("/api/v1/countries?colour=red").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn the_four_tracks_are_seeded() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/tracks").await;
    let items = body["items"].as_array().unwrap();
    let slugs: Vec<_> = items.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    // Dated events in chronological order, then the open-ended coalition track.
    assert_eq!(
        slugs,
        [
            "ldc5",
            "sdg-digital-day-2023",
            "green-digital-action-cop28",
            "p2c"
        ]
    );
    assert_eq!(items[0]["starts_on"], "2023-03-05");
    assert_eq!(items[0]["ends_on"], "2023-03-09");
    assert!(items
        .iter()
        .all(|t| !t["name"].as_str().unwrap().is_empty()));
}

/// The SDGs and the countries answer in the six UN languages, from the published translations
/// in `seed/i18n` (read here, not restated): `lang` wins over `Accept-Language`, which is
/// matched by quality; anything else is English, and the answer says which language it used.
#[tokio::test]
async fn sdgs_and_countries_answer_in_the_language_asked_for() {
    let app = spawn_app().await;
    let seed = |file: &str| -> Value {
        let path = format!("{}/seed/i18n/{file}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let (titles, goals, names) = (
        seed("sdgs.json"),
        seed("sdg_goals.json"),
        seed("countries.json"),
    );
    let english: Value = app.get_json("/api/v1/sdgs").await;
    let english_nepal = app.get_json("/api/v1/countries").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "NPL")
        .unwrap()["name"]
        .clone();
    let cases = [
        (None, Some("fr-CA, en;q=0.8"), "fr"),
        (Some("ar"), Some("fr"), "ar"),
        (None, Some("de, es;q=0.5, ru;q=0.4"), "es"),
        (None, Some("zh-Hans-CN"), "zh"),
        (Some("ru"), None, "ru"),
        (None, Some("de"), "en"),
        (None, None, "en"),
    ];
    for (lang, accept, expected) in cases {
        let query = lang.map(|l| format!("?lang={l}")).unwrap_or_default();
        for path in ["/api/v1/sdgs", "/api/v1/countries"] {
            let mut request = app.client.get(app.url(&format!("{path}{query}")));
            if let Some(accept) = accept {
                request = request.header("Accept-Language", accept);
            }
            let resp = request.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(
                resp.headers()["content-language"],
                expected,
                "{path} {lang:?} {accept:?}"
            );
            // One `Vary`, naming each token once.
            let vary: Vec<_> = resp.headers().get_all("vary").iter().collect();
            assert_eq!(vary.len(), 1, "{path}: {vary:?}");
            let tokens: Vec<&str> = vary[0]
                .to_str()
                .unwrap()
                .split(',')
                .map(str::trim)
                .collect();
            for token in &tokens {
                let times = tokens
                    .iter()
                    .filter(|t| t.eq_ignore_ascii_case(token))
                    .count();
                assert_eq!(times, 1, "{path}: {tokens:?}");
            }
            assert!(tokens.contains(&"Accept-Language"), "{path}: {tokens:?}");
            let body: Value = resp.json().await.unwrap();
            let items = body["items"].as_array().unwrap();
            if path.ends_with("sdgs") {
                let first = &items[0];
                if expected == "en" {
                    assert_eq!(first, &english["items"][0]);
                } else {
                    assert_eq!(first["short_title"], titles["1"][expected]);
                    assert_eq!(first["title"], goals["1"][expected]);
                }
            } else {
                let nepal = items.iter().find(|c| c["code"] == "NPL").unwrap();
                let want = if expected == "en" {
                    &english_nepal
                } else {
                    &names["NPL"][expected]
                };
                assert_eq!(&nepal["name"], want);
            }
        }
    }
    for query in ["lang=xx", "lang=fr&lang=fr", "lang="] {
        let resp = app.get(&format!("/api/v1/sdgs?{query}")).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
    let resp = app.get("/api/v1/countries?lang=de&region=Africa").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    let filtered: Value = app
        .get_json("/api/v1/countries?lang=ru&region=Africa")
        .await;
    assert!(filtered["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["region"] == "Africa"));
}
