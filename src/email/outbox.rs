//! The outbox table: enqueueing inside the caller's transaction, and the claim / settle cycle
//! the delivery worker runs. On PostgreSQL claims use `FOR UPDATE SKIP LOCKED`, so several
//! instances never take the same message; on SQLite the immediate write transaction serialises
//! them.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{retry::AfterFailure, retry::RetryPolicy, Email};
use crate::{
    db::{new_id, now, schema::outbox, write_tx, DbConnection},
    domain::ids::MessageId,
    error::{AppError, AppResult},
};

pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const DEAD: &str = "dead";

/// One stored message.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    #[serde(skip)]
    pub text_body: String,
    #[serde(skip)]
    pub html_body: String,
    /// `pending`, `sending`, `sent` or `dead`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    #[serde(skip)]
    pub claimed_by: Option<String>,
    #[serde(skip)]
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

fn later(from: NaiveDateTime, by: Duration) -> NaiveDateTime {
    from + chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX)
}

/// Queues `email`. Call it inside the transaction of the change that causes the message:
/// both commit or neither does. Returns the message id.
pub fn enqueue(conn: &mut DbConnection, email: &Email) -> AppResult<String> {
    let id = new_id();
    let at = now();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::kind.eq(email.kind),
            outbox::recipient.eq(&email.to),
            outbox::subject.eq(&email.subject),
            outbox::text_body.eq(&email.text),
            outbox::html_body.eq(&email.html),
            outbox::status.eq(PENDING),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Reserves up to `limit` due messages for `worker` for `lease`, counting an attempt for each.
/// Due: pending and past their retry time, or claimed by a worker whose lease ran out (it died).
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    lease: Duration,
    limit: i64,
) -> AppResult<Vec<OutboxMessage>> {
    write_tx(conn, |conn| {
        let at = now();
        let due = outbox::table
            .filter(
                (outbox::status
                    .eq(PENDING)
                    .and(outbox::next_attempt_at.le(at)))
                .or(outbox::status.eq(SENDING).and(outbox::claimed_until.lt(at))),
            )
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .limit(limit)
            .select(outbox::id);
        let ids: Vec<String> = match conn {
            DbConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(sqlite) => due.load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(SENDING),
                outbox::claimed_by.eq(worker),
                outbox::claimed_until.eq(later(at, lease)),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .select(OutboxMessage::as_select())
            .load(conn)?)
    })
}

/// Records a delivery. Only the claim holder settles a message.
pub fn mark_sent(conn: &mut DbConnection, id: &str, worker: &str) -> AppResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(SENT),
        outbox::sent_at.eq(now()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: schedules the next one, or marks the message dead after the last.
pub fn mark_failed(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    worker: &str,
    error: &str,
    policy: &RetryPolicy,
    jitter: f64,
) -> AppResult<()> {
    let error: String = error.chars().take(2000).collect();
    let target = outbox::table
        .filter(outbox::id.eq(&message.id))
        .filter(outbox::claimed_by.eq(worker));
    let released = (
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    );
    match policy.after_failure(message.attempts, jitter) {
        AfterFailure::RetryIn(delay) => diesel::update(target)
            .set((
                outbox::status.eq(PENDING),
                outbox::next_attempt_at.eq(later(now(), delay)),
                outbox::last_error.eq(&error),
                released,
            ))
            .execute(conn)?,
        AfterFailure::GiveUp => diesel::update(target)
            .set((
                outbox::status.eq(DEAD),
                outbox::last_error.eq(&error),
                released,
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Gives back the claims of `worker` that it will not send (graceful shutdown): they become due
/// at once for any instance, and the attempt they were charged is refunded.
pub fn release_claims(conn: &mut DbConnection, worker: &str) -> AppResult<usize> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::status.eq(SENDING))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(PENDING),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
        outbox::attempts.eq(outbox::attempts - 1),
        outbox::next_attempt_at.eq(now()),
    ))
    .execute(conn)?)
}

/// Dead messages, newest first.
pub fn list_dead(conn: &mut DbConnection, limit: i64) -> AppResult<Vec<OutboxMessage>> {
    list_by_status(conn, DEAD, limit)
}

/// Messages with the given status, newest first.
pub fn list_by_status(
    conn: &mut DbConnection,
    status: &str,
    limit: i64,
) -> AppResult<Vec<OutboxMessage>> {
    Ok(outbox::table
        .filter(outbox::status.eq(status))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .select(OutboxMessage::as_select())
        .load(conn)?)
}

/// Puts a dead message back in the queue with a fresh set of attempts.
pub fn retry(conn: &mut DbConnection, id: &MessageId) -> AppResult<OutboxMessage> {
    write_tx(conn, |conn| {
        let message: OutboxMessage = outbox::table
            .find(id)
            .select(OutboxMessage::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound("message"))?;
        if message.status != DEAD {
            return Err(AppError::Conflict(
                "not_dead",
                format!(
                    "only dead messages can be retried; this one is {}",
                    message.status
                ),
            ));
        }
        diesel::update(outbox::table.find(id))
            .set((
                outbox::status.eq(PENDING),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(outbox::table
            .find(id)
            .select(OutboxMessage::as_select())
            .first(conn)?)
    })
}

/// How many messages are in each status, for metrics.
pub fn counts(conn: &mut DbConnection) -> AppResult<Vec<(String, i64)>> {
    Ok(outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?)
}
