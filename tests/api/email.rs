//! The email pipeline: outbox, delivery worker, transports.

use std::time::Duration;

use pledgeboard::{
    db::{outbox, write_tx, Database},
    domain::language::Language,
    domain::outbox::{OutboxMessage, OutboxStatus},
    email::{
        enqueue,
        templates::{PasswordReset, VerifyEmail},
        Message,
    },
    error::{AppError, AppResult},
    services::outbox as service,
};

use crate::{
    helpers::{eventually, fresh_database_url, spawn_app_with, TestApp},
    smtp::{free_port, TestSmtp},
};

fn verify_email(name: &str, token: &str) -> VerifyEmail {
    VerifyEmail {
        public_url: "http://127.0.0.1".into(),
        display_name: name.into(),
        link: format!("http://127.0.0.1/verify-email?token={token}"),
        valid_hours: 48,
    }
}

/// Queues `n` messages in one transaction, as a service would; returns their ids.
pub async fn queue(db: &Database, n: usize, to: &str) -> Vec<String> {
    let to = to.to_owned();
    db.run(move |conn| {
        write_tx(conn, |conn| -> AppResult<Vec<String>> {
            (0..n)
                .map(|i| {
                    enqueue(
                        conn,
                        &verify_email(&format!("User {i}"), &format!("t{i}"))
                            .render(&to, Language::En)?,
                    )
                })
                .collect()
        })
    })
    .await
    .unwrap()
}

pub async fn message(db: &Database, id: &str) -> OutboxMessage {
    let id = id.into();
    db.run(move |conn| outbox::find(conn, &id)?.ok_or(AppError::NotFound("message")))
        .await
        .unwrap()
}

async fn fast_mail_app(smtp_url: Option<String>, max_attempts: i32) -> TestApp {
    spawn_app_with(move |s| {
        s.smtp_url = smtp_url;
        s.mail_poll_ms = 50;
        s.mail_backoff_ms = 50;
        s.mail_backoff_max_secs = 1;
        s.mail_max_attempts = max_attempts;
    })
    .await
}

#[tokio::test]
async fn a_queued_message_arrives_with_both_parts_headers_and_escaped_html() {
    let smtp = TestSmtp::start();
    let app = fast_mail_app(Some(smtp.url()), 5).await;
    let email = verify_email("<b>Amina</b> & co", "abc123")
        .render("amina@ict.gov.gh", Language::En)
        .unwrap();
    let id = app
        .db
        .run(move |conn| write_tx(conn, |conn| enqueue(conn, &email)))
        .await
        .unwrap();

    let received = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.to, ["amina@ict.gov.gh"]);
    assert_eq!(
        mail.header("Message-ID").unwrap(),
        format!("<{id}@127.0.0.1>")
    );
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Confirm your email address for pledgeboard"
    );
    assert!(mail.header("From").unwrap().contains("noreply@127.0.0.1"));
    assert!(mail
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    let body = mail.decoded();
    assert!(body.contains("Content-Type: text/plain"), "{body}");
    assert!(body.contains("Content-Type: text/html"), "{body}");
    assert!(
        body.contains("Hello <b>Amina</b> & co,"),
        "text part keeps the name as typed: {body}"
    );
    assert!(
        body.contains("Hello &#60;b&#62;Amina&#60;/b&#62; &#38; co,"),
        "{body}"
    );
    assert!(!body.contains("<p>Hello <b>"), "unescaped HTML: {body}");
    assert!(body.contains("token=abc123"));

    eventually(Duration::from_secs(10), || async {
        message(&app.db, &id).await.status == OutboxStatus::Sent
    })
    .await;
    let stored = message(&app.db, &id).await;
    assert_eq!(stored.attempts, 1);
    assert!(stored.sent_at.is_some());
}

#[tokio::test]
async fn messages_wait_while_smtp_is_down_and_all_arrive_once_when_it_is_back() {
    let port = free_port();
    let app = fast_mail_app(Some(format!("smtp://127.0.0.1:{port}")), 1000).await;
    let ids = queue(&app.db, 5, "ops@example.org").await;

    // Tried and failed, still queued.
    for id in &ids {
        let id = id.clone();
        eventually(Duration::from_secs(20), || {
            let id = id.clone();
            let db = app.db.clone();
            async move { message(&db, &id).await.attempts >= 2 }
        })
        .await;
    }
    for id in &ids {
        let m = message(&app.db, id).await;
        assert!(
            m.status == OutboxStatus::Pending || m.status == OutboxStatus::Sending,
            "{}",
            m.status
        );
        assert!(m.last_error.is_some());
    }

    let smtp = TestSmtp::start_on(port);
    smtp.wait_for(5, Duration::from_secs(30)).await;
    for id in &ids {
        let id = id.clone();
        eventually(Duration::from_secs(10), || {
            let id = id.clone();
            let db = app.db.clone();
            async move { message(&db, &id).await.status == OutboxStatus::Sent }
        })
        .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 5, "each message exactly once");
    let mut message_ids: Vec<_> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 5);
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_200_messages_exactly_once() {
    let smtp = TestSmtp::start();
    let first = fast_mail_app(Some(smtp.url()), 5).await;
    let url = first.settings.database_url.clone();
    let smtp_url = smtp.url();
    let second = spawn_app_with(move |s| {
        s.database_url = url;
        s.smtp_url = Some(smtp_url);
        s.mail_poll_ms = 50;
    })
    .await;
    assert_eq!(first.backend(), second.backend());

    let mut ids = queue(&first.db, 100, "a@example.org").await;
    ids.extend(queue(&second.db, 100, "b@example.org").await);

    let received = smtp.wait_for(200, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received = if received.len() == 200 {
        smtp.received()
    } else {
        received
    };
    assert_eq!(received.len(), 200, "no message twice");
    let mut message_ids: Vec<_> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 200);
    let mut expected: Vec<_> = ids.iter().map(|id| format!("<{id}@127.0.0.1>")).collect();
    expected.sort();
    assert_eq!(message_ids, expected);
}

/// A slow relay makes a batch outlast its lease: the messages still waiting in it are taken
/// over by the other instance, and none is sent by both.
#[tokio::test]
async fn a_batch_that_outlasts_its_lease_sends_nothing_twice() {
    let smtp = TestSmtp::start_slow(Duration::from_millis(400));
    let smtp_url = smtp.url();
    let first = spawn_app_with({
        let smtp_url = smtp_url.clone();
        move |s| {
            s.smtp_url = Some(smtp_url);
            s.mail_poll_ms = 50;
            s.mail_lease_secs = 1;
        }
    })
    .await;
    let url = first.settings.database_url.clone();
    let ids = queue(&first.db, 12, "slow@example.org").await;
    let _second = spawn_app_with(move |s| {
        s.database_url = url;
        s.smtp_url = Some(smtp_url);
        s.mail_poll_ms = 50;
        s.mail_lease_secs = 1;
    })
    .await;
    smtp.wait_for(12, Duration::from_secs(60)).await;
    for id in &ids {
        eventually(Duration::from_secs(20), || async {
            message(&first.db, id).await.status == OutboxStatus::Sent
        })
        .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut message_ids: Vec<_> = smtp
        .received()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    let total = message_ids.len();
    message_ids.sort();
    message_ids.dedup();
    assert_eq!((total, message_ids.len()), (12, 12), "none sent twice");
}

/// When deliveries cannot be recorded (the database refuses), the worker stops sending instead
/// of sending a batch it cannot account for; it resumes once the database does.
#[tokio::test]
async fn the_worker_stops_sending_when_it_cannot_record_deliveries() {
    let smtp = TestSmtp::start();
    let smtp_url = smtp.url();
    // A short lease: the claims of the stopped batch expire soon after the database recovers.
    let app = spawn_app_with(move |s| {
        s.smtp_url = Some(smtp_url);
        s.mail_poll_ms = 50;
        s.mail_backoff_ms = 50;
        s.mail_lease_secs = 2;
    })
    .await;
    let (create, drop) = match app.backend() {
        pledgeboard::db::Backend::Sqlite => (
            vec![
                "CREATE TRIGGER refuse_sent BEFORE UPDATE ON outbox WHEN NEW.status = 'sent'
                  BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END",
            ],
            vec!["DROP TRIGGER refuse_sent"],
        ),
        pledgeboard::db::Backend::Postgres => (
            vec![
                "CREATE FUNCTION refuse_sent() RETURNS trigger AS $$ BEGIN
                 IF NEW.status = 'sent' THEN RAISE EXCEPTION 'terminating connection'; END IF;
                 RETURN NEW; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_sent BEFORE UPDATE ON outbox
                 FOR EACH ROW EXECUTE FUNCTION refuse_sent()",
            ],
            vec![
                "DROP TRIGGER refuse_sent ON outbox",
                "DROP FUNCTION refuse_sent()",
            ],
        ),
    };
    let run = |statements: Vec<&'static str>| {
        app.db.run(move |conn| {
            use diesel::RunQueryDsl;
            for statement in statements {
                diesel::sql_query(statement).execute(conn)?;
            }
            Ok(())
        })
    };
    run(create).await.unwrap();
    let ids = queue(&app.db, 5, "record@example.org").await;
    smtp.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        smtp.received().len(),
        1,
        "the batch stopped after the first"
    );
    run(drop).await.unwrap();
    for id in &ids {
        eventually(Duration::from_secs(30), || async {
            message(&app.db, id).await.status == OutboxStatus::Sent
        })
        .await;
    }
    // At least once: the one whose outcome was lost may arrive twice, with one Message-ID.
    let received = smtp.received();
    let mut message_ids: Vec<_> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 5);
    assert!(received.len() <= 6, "{} sends", received.len());
}

#[tokio::test]
async fn an_undeliverable_message_ends_dead_and_can_be_put_back() {
    let smtp = TestSmtp::start_refusing(free_port(), &["nobody@"]);
    let app = fast_mail_app(Some(smtp.url()), 3).await;
    let ids = queue(&app.db, 1, "nobody@example.org").await;
    let id = ids[0].clone();

    eventually(Duration::from_secs(20), || async {
        message(&app.db, &id).await.status == OutboxStatus::Dead
    })
    .await;
    let dead = message(&app.db, &id).await;
    assert_eq!(dead.attempts, 3, "dead after the configured tries");
    assert!(
        dead.last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        dead.last_error
    );

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l == "outbox_messages{status=\"dead\"} 1"),
        "{metrics}"
    );

    let listed = app
        .db
        .run(|conn| service::list(conn, OutboxStatus::Dead, 50))
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );

    let retry_id = id.clone();
    let retried = app
        .db
        .run(move |conn| service::retry(conn, &retry_id.as_str().into()))
        .await
        .unwrap();
    assert_eq!(retried.status, OutboxStatus::Pending);
    assert_eq!(retried.attempts, 0);
    // Still refused: it goes round again and ends dead again, never lost.
    eventually(Duration::from_secs(20), || async {
        let m = message(&app.db, &id).await;
        m.status == OutboxStatus::Dead && m.attempts == 3
    })
    .await;
    // Only dead messages can be put back.
    let sent = queue(&app.db, 1, "someone@example.org").await.remove(0);
    eventually(Duration::from_secs(20), || async {
        message(&app.db, &sent).await.status == OutboxStatus::Sent
    })
    .await;
    let refused = app
        .db
        .run(move |conn| service::retry(conn, &sent.as_str().into()))
        .await;
    assert!(
        matches!(refused, Err(AppError::Conflict(..))),
        "{refused:?}"
    );
    let missing = app
        .db
        .run(|conn| service::retry(conn, &"no-such-id".into()))
        .await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
}

#[tokio::test]
async fn without_smtp_messages_are_written_as_eml_files() {
    let app = fast_mail_app(None, 3).await;
    let reset = PasswordReset {
        public_url: "http://127.0.0.1".into(),
        display_name: "Amina".into(),
        link: "http://127.0.0.1/reset?token=xyz".into(),
        valid_minutes: 30,
    }
    .render("amina@ict.gov.gh", Language::En)
    .unwrap();
    let id = app
        .db
        .run(move |conn| write_tx(conn, |conn| enqueue(conn, &reset)))
        .await
        .unwrap();
    let path = app.data_dir.path().join("mail").join(format!("{id}.eml"));
    eventually(Duration::from_secs(20), || async { path.is_file() }).await;
    let raw = std::fs::read_to_string(&path).unwrap();
    assert!(
        raw.contains(&format!("Message-ID: <{id}@127.0.0.1>")),
        "{raw}"
    );
    assert!(raw.contains("Subject: Reset your pledgeboard password"));
    assert!(raw.contains("text/plain") && raw.contains("text/html"));
    eventually(Duration::from_secs(10), || async {
        message(&app.db, &id).await.status == OutboxStatus::Sent
    })
    .await;
}

#[tokio::test]
async fn released_claims_are_due_again_with_their_attempt_refunded() {
    // What a graceful shutdown does with messages it claimed but will not send. No service
    // runs here, so no other worker competes for the messages.
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&fresh_database_url(dir.path()), 2).unwrap();
    db.migrate().unwrap();
    let ids = queue(&db, 3, "x@example.org").await;
    let (claimed, released, pending) = db
        .run(|conn| {
            let claimed = outbox::claim_due(conn, "stopping-worker", Duration::from_secs(600), 10)?;
            let again = outbox::claim_due(conn, "other-worker", Duration::from_secs(600), 10)?;
            assert!(
                again.is_empty(),
                "claimed messages are not due for anyone else"
            );
            let released = outbox::release_claims(conn, "stopping-worker")?;
            let pending = outbox::list_by_status(conn, OutboxStatus::Pending, 10)?;
            Ok((claimed, released, pending))
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(claimed
        .iter()
        .all(|m| m.attempts == 1 && m.status == OutboxStatus::Sending));
    assert_eq!(released, 3);
    assert_eq!(pending.len(), 3);
    assert!(pending
        .iter()
        .all(|m| m.attempts == 0 && ids.iter().any(|id| id == m.id.as_str())));
}

#[tokio::test]
async fn an_expired_claim_is_taken_over() {
    // A worker that died mid-send leaves a claim; once its lease passes, another worker takes it.
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&fresh_database_url(dir.path()), 2).unwrap();
    db.migrate().unwrap();
    queue(&db, 1, "x@example.org").await;
    let (first, second) = db
        .run(|conn| {
            let first = outbox::claim_due(conn, "dead-worker", Duration::from_millis(1), 10)?;
            std::thread::sleep(Duration::from_millis(20));
            let second = outbox::claim_due(conn, "live-worker", Duration::from_secs(600), 10)?;
            Ok((first, second))
        })
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(second[0].attempts, 2);
    assert_eq!(second[0].claimed_by.as_deref(), Some("live-worker"));
}
