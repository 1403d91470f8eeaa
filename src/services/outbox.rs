//! The email pipeline as staff see it: messages by status, dead letters put back in the queue,
//! and how many messages are in each status.

use crate::{
    db::{outbox as repo, write_tx, DbConnection},
    domain::{
        ids::MessageId,
        outbox::{OutboxMessage, OutboxStatus},
    },
    error::{AppError, AppResult},
};

/// Messages with the given status, newest first.
pub fn list(
    conn: &mut DbConnection,
    status: OutboxStatus,
    limit: i64,
) -> AppResult<Vec<OutboxMessage>> {
    repo::list_by_status(conn, status, limit)
}

/// Puts a dead message back in the queue with a fresh set of attempts.
pub fn retry(conn: &mut DbConnection, id: &MessageId) -> AppResult<OutboxMessage> {
    write_tx(conn, |conn| {
        let message = repo::find(conn, id)?.ok_or(AppError::NotFound("message"))?;
        if !message.status.can_be_retried() {
            return Err(AppError::Conflict(
                "not_dead",
                format!(
                    "only dead messages can be retried; this one is {}",
                    message.status
                ),
            ));
        }
        repo::requeue_dead(conn, id)?;
        repo::find(conn, id)?.ok_or(AppError::NotFound("message"))
    })
}

/// How many messages are in each status, every status listed.
pub fn counts(conn: &mut DbConnection) -> AppResult<Vec<(OutboxStatus, i64)>> {
    repo::counts(conn)
}
