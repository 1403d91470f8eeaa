//! Putting messages in the outbox, and what a failed attempt means for a message: tried again
//! later, or given up. The rows themselves live in `db::outbox`.

use super::{
    retry::{AfterFailure, RetryPolicy},
    Email,
};
use crate::{
    db::{
        outbox::{self as repo, NewMessage},
        DbConnection,
    },
    domain::outbox::OutboxMessage,
    error::AppResult,
};

/// Queues `email`. Call it inside the transaction of the change that causes the message:
/// both commit or neither does. Returns the message id.
pub fn enqueue(conn: &mut DbConnection, email: &Email) -> AppResult<String> {
    let id = repo::insert(
        conn,
        &NewMessage {
            kind: email.kind,
            recipient: &email.to,
            subject: &email.subject,
            text_body: &email.text,
            html_body: &email.html,
        },
    )?;
    Ok(id.into_string())
}

/// Records a failed attempt by `worker`: the next one is scheduled after the policy's backoff
/// (`jitter` in `[0, 1)` spreads retries out), or the message is dead after the last.
pub fn record_failure(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    worker: &str,
    error: &str,
    policy: &RetryPolicy,
    jitter: f64,
) -> AppResult<()> {
    match policy.after_failure(message.attempts, jitter) {
        AfterFailure::RetryIn(delay) => repo::mark_failed(conn, &message.id, worker, error, delay),
        AfterFailure::GiveUp => repo::mark_dead(conn, &message.id, worker, error),
    }
}
