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
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::for_data_dir(data_dir.path());
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.database_url = Some(fresh_database_url(data_dir.path()));
    settings.smtp_url = None;
    settings.workers = Some(2);
    settings.db_pool_size = 4;
    settings.mail_poll_ms = 50;
    // Reminders and counter checks run only where a test asks for them.
    settings.reminder_interval_secs = 0;
    settings.counter_check_interval_secs = 0;
    // Every test client is 127.0.0.1: the rate-limit tests set their own limits.
    settings.login_per_ip_per_minute = 100_000;
    settings.login_per_account_per_minute = 100_000;
    settings.register_per_ip_per_hour = 100_000;
    settings.reset_per_ip_per_hour = 100_000;
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

pub const PASSWORD: &str = "a long enough test passphrase";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
    pub organisation_id: Option<String>,
}

impl TestApp {
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request failed")
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request failed")
    }

    pub async fn register(&self, email: &str, organisation: &str, kind: &str) -> Response {
        self.post_json(
            "/api/v1/auth/register",
            &serde_json::json!({
                "email": email,
                "password": PASSWORD,
                "display_name": "Test User",
                "organisation": {"name": organisation, "kind": kind, "country": "GHA"},
            }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    /// Logs in and returns the session (panics unless the login succeeds).
    pub async fn session(&self, email: &str) -> Session {
        let resp = self.login(email, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::OK, "login of {email}");
        let tokens: Value = resp.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap().to_owned();
        let me: Value = self
            .send(reqwest::Method::GET, "/api/v1/me", Some(&access), None)
            .await
            .json()
            .await
            .unwrap();
        Session {
            access,
            refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
            user_id: me["user"]["id"].as_str().unwrap().to_owned(),
            organisation_id: me["user"]["organisation_id"].as_str().map(str::to_owned),
        }
    }

    /// Every email delivered to `address` so far (the `.eml` files of the mail folder),
    /// decoded.
    pub fn emails_to(&self, address: &str) -> Vec<String> {
        let dir = self.data_dir.path().join("mail");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut found: Vec<(std::time::SystemTime, String)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| {
                let raw = std::fs::read_to_string(e.path()).ok()?;
                let decoded = crate::smtp::decode_quoted_printable(&raw.replace("\r\n", "\n"));
                let to = decoded
                    .lines()
                    .find(|l| l.starts_with("To:"))?
                    .to_lowercase();
                if !to.contains(&address.to_lowercase()) {
                    return None;
                }
                Some((e.metadata().ok()?.modified().ok()?, decoded))
            })
            .collect();
        found.sort_by_key(|(t, _)| *t);
        found.into_iter().map(|(_, m)| m).collect()
    }

    /// Waits for an email to `address` whose subject contains `subject`, and returns it.
    pub async fn email(&self, address: &str, subject: &str) -> String {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if let Some(mail) = self.emails_to(address).into_iter().rev().find(|m| {
                m.lines()
                    .any(|l| l.starts_with("Subject:") && l.contains(subject))
            }) {
                return mail;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no email {subject:?} to {address}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Registers an organisation with its owner, verifies the email through the emailed link,
    /// and signs in.
    pub async fn pledger(&self, email: &str, organisation: &str) -> Session {
        let resp = self.register(email, organisation, "government").await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let mail = self.email(email, "Confirm your email address").await;
        let resp = self
            .post_json(
                "/api/v1/auth/verify-email",
                &serde_json::json!({"token": token_in(&mail)}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        self.session(email).await
    }

    /// Makes a user a member of an organisation directly in the database (staff who also
    /// belong to an organisation).
    pub async fn move_into_organisation(&self, user_id: &str, organisation_id: &str) {
        let (user_id, organisation_id) = (user_id.to_owned(), organisation_id.to_owned());
        self.db
            .run(move |conn| {
                use diesel::prelude::*;
                use pledgeboard::db::schema::users;
                diesel::update(users::table.find(user_id))
                    .set((
                        users::organisation_id.eq(Some(organisation_id)),
                        users::organisation_role.eq(Some("member")),
                    ))
                    .execute(conn)?;
                Ok(())
            })
            .await
            .unwrap();
    }

    /// A staff account of the given role, signed in.
    pub async fn staff(&self, role: &str, email: &str) -> Session {
        let request = pledgeboard::domain::account::NewStaff {
            email: email.to_owned(),
            display_name: format!("Staff {role}"),
            role: role.to_owned(),
            password: PASSWORD.to_owned(),
        };
        self.db
            .run(move |conn| pledgeboard::services::accounts::create_staff(conn, &request))
            .await
            .unwrap();
        self.session(email).await
    }
}

/// The token of the first `token=` link in an email.
pub fn token_in(mail: &str) -> String {
    let start = mail.find("token=").expect("a link with a token") + "token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// One deliverable, as every pledge body states at least one (due by the end of 2025, within
/// the dates of the test pledges that have dates).
pub fn deliverables() -> serde_json::Value {
    serde_json::json!([{
        "what": "Connect rural schools to broadband",
        "indicator": "Schools connected",
        "unit": "schools",
        "target": 100,
        "due_date": "2025-12-31",
    }])
}

/// The text at `key` of each item of a JSON array (the actions of a history, the fields of a
/// problem's errors).
pub fn texts_at(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item[key].as_str().expect("a text").to_owned())
        .collect()
}
