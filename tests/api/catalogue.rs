//! The catalogue at scale's features: full-text search (whole words, accents folded, every
//! script, relevance), the facets added with the catalogue index (region, pillar, beneficiary
//! group, LLDC, SIDS, year), alone and in pairs, and keyset paging under each order.

use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, deliverables, spawn_app, Session, TestApp};
use crate::pledges::{
    create_id, json_with, list_ids, next_link, pledger_of_kind, publish, request,
    verify_organisation,
};

/// A published pledge's body with `fields` over a plain advocacy pledge's.
fn body(title: &str, fields: Value) -> Value {
    let mut body = json!({
        "title": title,
        "summary": "A plain commitment for the search tests.",
        "description": "Nothing in particular is described here.",
        "type": "advocacy",
        "focus_areas": ["access"],
        "sdgs": [17],
        "countries": ["GHA"],
        "deliverables": deliverables(),
    });
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    // Its deliverable falls due within its dates.
    let due = [&body["end_date"], &body["start_date"]]
        .into_iter()
        .find(|d| d.is_string())
        .cloned();
    if let Some(due) = due {
        body["deliverables"][0]["due_date"] = due;
    }
    body
}

/// The ids of a listing followed one item per page through its `Link: rel="next"`.
async fn one_by_one(app: &TestApp, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(format!("/api/v1/pledges?limit=1&{query}"));
    while let Some(path) = next.take() {
        let resp = app.get(&path).await;
        next = next_link(&resp);
        let page = json_with(resp, StatusCode::OK).await;
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
        assert!(ids.len() < 100, "paging does not end: {query}");
    }
    ids
}

struct World {
    app: TestApp,
    moderator: Session,
    owner: Session,
}

async fn world(organisation: &str) -> World {
    let app = spawn_app().await;
    let moderator = app.staff("moderator", "search-mod@example.org").await;
    let owner = pledger_of_kind(&app, "search@ngo.example", organisation, "civil_society").await;
    verify_organisation(&app, &moderator, &owner).await;
    World {
        app,
        moderator,
        owner,
    }
}

impl World {
    async fn publish(&self, title: &str, fields: Value) -> String {
        publish(
            &self.app,
            &self.owner,
            &self.moderator,
            &body(title, fields),
        )
        .await
    }

    async fn search(&self, query: &str) -> Vec<String> {
        list_ids(&self.app, None, query).await
    }
}

#[tokio::test]
async fn search_finds_whole_words_whatever_their_accents_and_ranks_by_relevance() {
    let w = world("Fondation Numérique Ouest").await;
    let open_data = w.publish("Données ouvertes pour tous", json!({})).await;
    let internet = w.publish("Internet for every school", json!({})).await;
    let metering = w.publish("Net metering for solar towers", json!({})).await;
    let backbone = w
        .publish(
            "A broadband backbone",
            json!({"summary": "Broadband for the last mile, broadband for towns."}),
        )
        .await;
    let mention = w
        .publish(
            "Skills in the valleys",
            json!({"description": "Training, and later some broadband."}),
        )
        .await;
    let partnered = w
        .publish(
            "Teacher networks",
            json!({"partners": ["Fundação Esperança", "Red Nacional"]}),
        )
        .await;
    let draft = create_id(
        &w.app,
        &w.owner,
        &body("A hidden broadband draft", json!({})),
    )
    .await;

    assert_eq!(w.search("q=donnees").await, [open_data.as_str()]);
    assert_eq!(w.search("q=DONNÉES").await, [open_data.as_str()]);
    assert_eq!(w.search("q=net").await, [metering.as_str()], "not internet");
    assert_eq!(w.search("q=internet").await, [internet.as_str()]);
    assert_eq!(w.search("q=intern").await, Vec::<String>::new());
    assert_eq!(w.search("q=fundacao").await, [partnered.as_str()]);
    assert_eq!(w.search("q=solar%20net").await, [metering.as_str()]);
    assert_eq!(
        w.search("q=%22net%22%20OR%20internet").await,
        Vec::<String>::new()
    );
    assert!(w.search("q=zzzzqqq").await.is_empty());
    // Newest first by default; by relevance the pledge that says it in its title and summary
    // comes before the one that mentions it once; drafts stay out either way.
    assert_eq!(
        w.search("q=broadband").await,
        [mention.as_str(), backbone.as_str()]
    );
    assert_eq!(
        w.search("q=broadband&sort=relevance").await,
        [backbone.as_str(), mention.as_str()]
    );
    assert_eq!(
        one_by_one(&w.app, "q=broadband&sort=relevance").await,
        [backbone.as_str(), mention.as_str()]
    );
    assert_eq!(
        one_by_one(&w.app, "q=broadband").await,
        [mention.as_str(), backbone.as_str()]
    );
    assert!(!w.search("q=broadband").await.contains(&draft));
    // The organisation's name is searched, and follows a rename.
    let all = w.search("").await;
    assert_eq!(w.search("q=numerique").await, all);
    assert_eq!(
        one_by_one(&w.app, "q=numerique&sort=relevance").await.len(),
        all.len()
    );
    let org = w.owner.organisation_id.clone().unwrap();
    let resp = request(
        &w.app,
        Method::PATCH,
        &format!("/api/v1/organisations/{org}"),
        Some(&w.owner),
    )
    .json(&json!({"name": "Fundación Horizonte"}))
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(w.search("q=numerique").await.is_empty());
    assert_eq!(w.search("q=horizonte").await, all);

    // Sorting by relevance needs words.
    let resp = w.app.get("/api/v1/pledges?sort=relevance").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    let resp = w.app.get("/api/v1/pledges?sort=oldest&q=net").await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn every_script_is_stored_unharmed_and_found_by_its_words() {
    let w = world("Global Literacy Network").await;
    let title = "التحول الرقمي للمدارس";
    let summary = "Цифровая грамотность для всех школ — Ελληνικά γράμματα.";
    let description = "数字 包容 计划: 🌍 connectivity for everyone, ÆØÅ, naïve café.";
    let id = w
        .publish(
            title,
            json!({"summary": summary, "description": description,
                   "partners": ["Société Générale", "東京大学"]}),
        )
        .await;
    let other = w.publish("An unrelated pledge", json!({})).await;
    let stored = w.app.get_json(&format!("/api/v1/pledges/{id}")).await;
    assert_eq!(stored["title"], title);
    assert_eq!(stored["summary"], summary);
    assert_eq!(stored["description"], description);
    assert_eq!(stored["partners"], json!(["Société Générale", "東京大学"]));
    for words in [
        "الرقمي",
        "грамотность",
        "ГРАМОТНОСТЬ",
        "γράμματα",
        "包容",
        "东京大学",
        "東京大学",
        "naive",
        "cafe",
        "societe",
    ] {
        let found = w.search(&format!("q={}", urlencode(words))).await;
        if words == "东京大学" {
            // Simplified and traditional characters are different words.
            assert!(found.is_empty(), "{words}: {found:?}");
        } else {
            assert_eq!(found, [id.as_str()], "{words}");
        }
    }
    assert_eq!(w.search("q=unrelated").await, [other]);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_new_facets_filter_alone_in_pairs_and_page_by_cursor() {
    let w = world("Islands and Mountains Alliance").await;
    struct Spec {
        title: &'static str,
        fields: Value,
    }
    let specs = [
        Spec {
            title: "Mountain fibre",
            fields: json!({"countries": ["NPL"], "regions": ["Asia"], "pillars": ["infrastructure"],
                           "beneficiary_groups": ["rural_communities", "youth"],
                           "start_date": "2023-01-01", "end_date": "2025-06-30", "sdgs": [9]}),
        },
        Spec {
            title: "Island cables",
            fields: json!({"countries": ["FJI"], "regions": ["Oceania"], "pillars": ["infrastructure"],
                           "beneficiary_groups": ["rural_communities"],
                           "start_date": "2026-01-01", "end_date": "2027-12-31", "sdgs": [9]}),
        },
        Spec {
            title: "Skills for girls",
            fields: json!({"countries": ["GHA"], "regions": ["Africa"], "pillars": ["skills"],
                           "beneficiary_groups": ["women_and_girls", "youth"],
                           "start_date": "2024-03-01", "sdgs": [4, 5]}),
        },
        Spec {
            title: "A policy with no dates",
            fields: json!({"countries": ["NPL", "FJI"], "pillars": ["affordability"], "sdgs": [9, 17]}),
        },
        Spec {
            title: "Affordable handsets",
            fields: json!({"countries": [], "global": true, "regions": ["Africa", "Asia"],
                           "pillars": ["affordability"], "beneficiary_groups": ["youth"],
                           "end_date": "2025-12-31", "sdgs": [10]}),
        },
    ];
    let mut ids = Vec::new();
    for spec in &specs {
        ids.push(w.publish(spec.title, spec.fields.clone()).await);
    }
    let this_year = chrono::Utc::now().year();
    // Which pledges (by index) each query finds, newest first.
    let cases: Vec<(String, Vec<usize>)> = vec![
        ("region=Asia".into(), vec![4, 0]),
        ("region=Africa".into(), vec![4, 2]),
        ("region=Europe".into(), vec![]),
        ("pillar=infrastructure".into(), vec![1, 0]),
        ("pillar=affordability".into(), vec![4, 3]),
        ("beneficiary_group=youth".into(), vec![4, 2, 0]),
        ("beneficiary_group=rural_communities".into(), vec![1, 0]),
        ("lldc=true".into(), vec![3, 0]),
        ("lldc=false".into(), vec![4, 2, 1]),
        ("sids=true".into(), vec![3, 1]),
        ("sids=false".into(), vec![4, 2, 0]),
        ("year=2024".into(), vec![2, 0]),
        ("year=2025".into(), vec![4, 0]),
        ("year=2027".into(), vec![1]),
        (format!("year={this_year}"), {
            let mut v = vec![3];
            if this_year == 2026 || this_year == 2027 {
                v.insert(0, 1);
                v.sort_by(|a, b| b.cmp(a));
            }
            v
        }),
        ("year=2022".into(), vec![]),
        ("sdg=9&lldc=true".into(), vec![3, 0]),
        ("region=Asia&beneficiary_group=youth".into(), vec![4, 0]),
        ("pillar=infrastructure&sids=true".into(), vec![1]),
        ("country=NPL&sdg=9".into(), vec![3, 0]),
        ("year=2025&pillar=affordability".into(), vec![4]),
        (
            "beneficiary_group=youth&sids=false&year=2024".into(),
            vec![2, 0],
        ),
        ("q=mountain&region=Asia".into(), vec![0]),
        ("q=mountain&region=Africa".into(), vec![]),
    ];
    for (query, want) in &cases {
        let want: Vec<String> = want.iter().map(|&i| ids[i].clone()).collect();
        assert_eq!(&w.search(query).await, &want, "{query}");
        assert_eq!(
            &one_by_one(&w.app, query).await,
            &want,
            "{query}, one by one"
        );
    }
    // The export shares the filter.
    let resp = w
        .app
        .get("/api/v1/pledges/export.ndjson?sids=true&pillar=infrastructure")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], ids[1].as_str());
    // Values that name nothing the filter knows.
    for query in [
        "beneficiary_group=everyone",
        "year=99999",
        "year=twenty",
        "lldc=perhaps",
        "sids=1x",
    ] {
        let resp = w.app.get(&format!("/api/v1/pledges?{query}")).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
}

/// Control characters in a search or an id are refused as a bad query (a NUL used to reach the
/// full-text index and answer 500).
#[tokio::test]
async fn control_characters_in_free_text_filters_are_refused() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/pledges?q=a%00b",
        "/api/v1/pledges/export.ndjson?q=T%00%C2%88",
        "/api/v1/pledges/export.csv?q=line%0Abreak",
        "/api/v1/pledges?organisation=org%00",
    ] {
        let resp = app.get(path).await;
        assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
    }
    let admin = app.staff("admin", "root@example.org").await;
    let resp = app
        .send(
            Method::GET,
            "/api/v1/admin/users?q=x%00",
            Some(&admin.access),
            None,
        )
        .await;
    assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
}

/// A pledge says the language it is written in and may carry its title and summary in other
/// languages: the catalogue and the pledge serve the asked language's when there is one
/// (saying which it served), and search finds the pledge by the words of any of them.
#[tokio::test]
async fn pledges_are_served_and_found_in_their_translations() {
    let w = world("Fondation Numérique Sahel").await;
    let id = w
        .publish(
            "Des écoles connectées au Sahel",
            json!({
                "language": "fr",
                "summary": "Fibre et énergie solaire pour les écoles rurales du Sahel.",
                "translations": {
                    "en": {"title": "Connected schools in the Sahel",
                           "summary": "Fibre and solar power for rural schools in the Sahel."},
                    "ar": {"title": "مدارس موصولة في منطقة الساحل",
                           "summary": "ألياف ضوئية وطاقة شمسية للمدارس الريفية في منطقة الساحل."}
                }
            }),
        )
        .await;
    let path = format!("/api/v1/pledges/{id}");
    let own = w.app.get_json(&format!("{path}?lang=ru")).await;
    assert_eq!(
        (&own["language"], &own["shown_language"]),
        (&json!("fr"), &json!("fr"))
    );
    assert_eq!(own["title"], "Des écoles connectées au Sahel");
    let resp = w
        .app
        .client
        .get(w.app.url(&path))
        .header("Accept-Language", "ar")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-language"], "ar");
    let arabic: Value = resp.json().await.unwrap();
    assert_eq!(arabic["shown_language"], "ar");
    assert_eq!(arabic["title"], "مدارس موصولة في منطقة الساحل");
    assert_eq!(
        arabic["translations"]["en"]["title"],
        "Connected schools in the Sahel"
    );
    let page = w.app.get_json("/api/v1/pledges?lang=en").await;
    let item = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (&item["title"], &item["shown_language"]),
        (&json!("Connected schools in the Sahel"), &json!("en"))
    );
    // Found by the words of each translation, and of its own text.
    for words in [
        "connected%20schools",
        "%D8%A7%D9%84%D8%B3%D8%A7%D8%AD%D9%84",
        "%C3%A9coles%20Sahel",
        "solar%20power%20rural",
    ] {
        assert_eq!(
            w.search(&format!("q={words}")).await,
            std::slice::from_ref(&id),
            "{words}"
        );
    }

    // A translation in the pledge's own language, or into a language the service does not
    // speak, is refused with the field that names it.
    let resp = w
        .app
        .send(
            reqwest::Method::POST,
            "/api/v1/pledges",
            Some(&w.owner.access),
            Some(&body(
                "Une autre promesse",
                json!({"language": "fr", "translations": {
                    "fr": {"title": "Une autre promesse", "summary": "Le même texte, encore une fois."},
                    "de": {"title": "Ein Versprechen", "summary": "Ein Text auf Deutsch, bitte."},
                    "es": {"title": "Corta", "summary": "corto"}}}),
            )),
        )
        .await;
    let problem = crate::helpers::assert_problem(
        resp,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "translations.de",
            "translations.es.summary",
            "translations.fr"
        ]
    );
}
