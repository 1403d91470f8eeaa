//! Test harness: each test gets the real service on 127.0.0.1:0 over its own database.
//! SQLite by default; set `PLEDGEBOARD_TEST_DATABASE_URL=postgres://user@host:port/postgres`
//! to run the same tests on PostgreSQL (each test then creates its own database there).

use std::path::{Path, PathBuf};

use diesel::{pg::PgConnection, Connection, RunQueryDsl};
use pledgeboard::{
    config::Settings,
    db::{Backend, Database},
    startup::Application,
};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

pub const TEST_DATABASE_ENV: &str = "PLEDGEBOARD_TEST_DATABASE_URL";

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub db: Database,
    pub settings: Settings,
    pub data_dir: TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let resp = self.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.expect("JSON body")
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

/// A fresh database URL for one test: a new PostgreSQL database when the test database
/// variable is set, otherwise a SQLite file inside `dir`.
pub fn fresh_database_url(dir: &Path) -> String {
    match std::env::var(TEST_DATABASE_ENV) {
        Ok(base) if !base.trim().is_empty() => create_pg_database(&base),
        _ => dir
            .join("pledgeboard.sqlite3")
            .to_string_lossy()
            .into_owned(),
    }
}

fn create_pg_database(base: &str) -> String {
    let name = format!("pledgeboard_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(base).expect("cannot reach the test PostgreSQL server");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("CREATE DATABASE");
    let mut url = url::Url::parse(base).expect("test database URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the service with test settings, after `customise` has had its say.
pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    pledgeboard::telemetry::init("json");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::for_data_dir(data_dir.path());
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.database_url = Some(fresh_database_url(data_dir.path()));
    settings.smtp_url = None;
    settings.workers = Some(2);
    settings.db_pool_size = 4;
    customise(&mut settings);

    let app = Application::build(settings.clone())
        .await
        .expect("the application starts");
    let port = app.port();
    let db = app.database().clone();
    tokio::spawn(app.run_until_stopped());
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client,
        db,
        settings,
        data_dir,
    }
}

/// Asserts an RFC 9457 answer with the given status and code, and returns its body.
pub async fn assert_problem(resp: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(resp.status(), status, "status");
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let request_id = resp
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = resp.json().await.expect("problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "request id in body and header"
    );
    body
}

/// The repository root, for tests that read committed files.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Polls `check` until it holds, panicking after `timeout`.
pub async fn eventually<F, Fut>(timeout: std::time::Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {timeout:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
