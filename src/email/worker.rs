//! The delivery worker: claims due messages, sends them, settles them; stops on request after
//! finishing the message in hand and giving its other claims back.

use std::{sync::Arc, time::Duration};

use tokio::{sync::watch, task::JoinHandle};

use super::{outbox, retry::RetryPolicy, transport::Transport};
use crate::{
    config::Settings,
    db::{outbox as repo, Database},
    domain::outbox::OutboxMessage,
};

/// How many messages one claim takes.
const BATCH: i64 = 20;

pub struct WorkerConfig {
    pub worker_id: String,
    pub from: String,
    pub domain: String,
    pub poll: Duration,
    pub lease: Duration,
    pub policy: RetryPolicy,
}

impl WorkerConfig {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            worker_id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            from: settings.effective_mail_from(),
            domain: settings.public_host(),
            poll: Duration::from_millis(settings.mail_poll_ms.max(10)),
            lease: Duration::from_secs(settings.mail_lease_secs.max(1)),
            policy: RetryPolicy {
                max_attempts: settings.mail_max_attempts.max(1),
                base: Duration::from_millis(settings.mail_backoff_ms),
                cap: Duration::from_secs(settings.mail_backoff_max_secs),
            },
        }
    }
}

/// A running worker; [`MailWorker::stop`] ends it gracefully.
pub struct MailWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl MailWorker {
    pub fn spawn(db: Database, transport: Transport, config: WorkerConfig) -> Self {
        let (stop, stopped) = watch::channel(false);
        tracing::info!(worker = %config.worker_id, transport = %transport.describe(), "mail worker started");
        let task = tokio::spawn(run(db, Arc::new(transport), config, stopped));
        Self { stop, task }
    }

    /// Asks the worker to stop and waits until it has settled or released every claim.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run(
    db: Database,
    transport: Arc<Transport>,
    config: WorkerConfig,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        if *stopped.borrow() {
            break;
        }
        let worker = config.worker_id.clone();
        let lease = config.lease;
        let batch = match db
            .run(move |conn| repo::claim_due(conn, &worker, lease, BATCH))
            .await
        {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "mail worker could not claim messages");
                Vec::new()
            }
        };
        let full_batch = batch.len() as i64 == BATCH;
        for message in batch {
            if *stopped.borrow() {
                break; // the rest is released below
            }
            if deliver(&db, &transport, &config, message).await == Outcome::Unrecorded {
                // Without the database nothing more is sent: a message sent now could not be
                // recorded, and would be sent again once the claim expires. The rest of the
                // batch expires with its lease and is claimed again later.
                break;
            }
        }
        if *stopped.borrow() {
            break;
        }
        if !full_batch {
            tokio::select! {
                _ = tokio::time::sleep(config.poll) => {}
                _ = stopped.changed() => {}
            }
        }
    }
    let worker = config.worker_id.clone();
    match db
        .run(move |conn| repo::release_claims(conn, &worker))
        .await
    {
        Ok(released) => tracing::info!(released, "mail worker stopped"),
        Err(e) => {
            tracing::warn!(error = %e, "mail worker stopped without releasing its claims; they expire with the lease")
        }
    }
}

/// What became of one message of a batch.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Sent or failed, and recorded as such.
    Settled,
    /// Another worker holds it now; it was not sent here.
    TakenOver,
    /// The database could not be asked or told: stop the batch.
    Unrecorded,
}

/// Sends one message of a batch. The claim is renewed first, for one lease from now, so a
/// slow relay cannot let a message's lease run out while earlier ones are sent; a message
/// another worker took over meanwhile is left to it.
async fn deliver(
    db: &Database,
    transport: &Transport,
    config: &WorkerConfig,
    message: OutboxMessage,
) -> Outcome {
    let worker = config.worker_id.clone();
    let id = message.id.clone();
    let lease = config.lease;
    match db
        .run(move |conn| repo::renew_claim(conn, &id, &worker, lease))
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(message_id = %message.id, "message taken over by another worker");
            return Outcome::TakenOver;
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot renew a mail claim; the batch stops here");
            return Outcome::Unrecorded;
        }
    }
    let result = transport.send(&message, &config.from, &config.domain).await;
    let worker = config.worker_id.clone();
    let id = message.id.clone();
    let settled = match result {
        Ok(()) => {
            tracing::info!(message_id = %id, kind = %message.kind, attempt = message.attempts, "mail sent");
            db.run(move |conn| repo::mark_sent(conn, &id, &worker))
                .await
        }
        Err(error) => {
            tracing::warn!(message_id = %id, kind = %message.kind, attempt = message.attempts, error = %error, "mail attempt failed");
            let policy = config.policy;
            let jitter: f64 = rand::random();
            db.run(move |conn| {
                outbox::record_failure(conn, &message, &worker, &error, &policy, jitter)
            })
            .await
        }
    };
    match settled {
        Ok(()) => Outcome::Settled,
        Err(e) => {
            // The claim's lease will expire and the message be tried again: at least once,
            // never lost.
            tracing::error!(error = %e, "could not record a delivery outcome");
            Outcome::Unrecorded
        }
    }
}
