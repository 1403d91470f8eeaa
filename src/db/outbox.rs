//! Repository of the outbox: queued messages and their delivery state. Claims use
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several instances never take the same message; on
//! SQLite the immediate write transaction serialises them. Settling a message (sent, failed,
//! dead) only touches it while the caller still holds its claim.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{mapping::parse_stored, now, schema::outbox, write_tx, DbConnection};
use crate::{
    domain::{
        errors::Corrupt,
        ids::MessageId,
        outbox::{OutboxMessage, OutboxStatus},
    },
    error::AppResult,
};

/// Longest error text kept for a failed attempt, in characters.
const MAX_ERROR_CHARS: usize = 2000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct OutboxRow {
    id: MessageId,
    kind: String,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    claimed_by: Option<String>,
    claimed_until: Option<NaiveDateTime>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}

impl TryFrom<OutboxRow> for OutboxMessage {
    type Error = Corrupt;

    fn try_from(r: OutboxRow) -> Result<Self, Corrupt> {
        Ok(OutboxMessage {
            status: parse_stored("outbox", &r.id, &r.status)?,
            id: r.id,
            kind: r.kind,
            recipient: r.recipient,
            subject: r.subject,
            text_body: r.text_body,
            html_body: r.html_body,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.and_utc(),
            claimed_by: r.claimed_by,
            claimed_until: r.claimed_until.map(|t| t.and_utc()),
            last_error: r.last_error,
            created_at: r.created_at.and_utc(),
            sent_at: r.sent_at.map(|t| t.and_utc()),
        })
    }
}

fn messages(rows: Vec<OutboxRow>) -> AppResult<Vec<OutboxMessage>> {
    Ok(rows
        .into_iter()
        .map(OutboxMessage::try_from)
        .collect::<Result<_, _>>()?)
}

/// `from` moved on by `by`; a span too long to represent means "never".
fn later(from: NaiveDateTime, by: Duration) -> NaiveDateTime {
    chrono::Duration::from_std(by)
        .ok()
        .and_then(|by| from.checked_add_signed(by))
        .unwrap_or(NaiveDateTime::MAX)
}

/// A message to queue.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
}

/// Queues a message, due at once. Call it inside the transaction of the change that causes it.
pub fn insert(conn: &mut DbConnection, message: &NewMessage<'_>) -> AppResult<MessageId> {
    let id = MessageId::generate();
    let at = now();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::kind.eq(message.kind),
            outbox::recipient.eq(message.recipient),
            outbox::subject.eq(message.subject),
            outbox::text_body.eq(message.text_body),
            outbox::html_body.eq(message.html_body),
            outbox::status.eq(OutboxStatus::Pending.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The message `id`, if there is one.
pub fn find(conn: &mut DbConnection, id: &MessageId) -> AppResult<Option<OutboxMessage>> {
    let row = outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(OutboxMessage::try_from).transpose()?)
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
                    .eq(OutboxStatus::Pending.as_str())
                    .and(outbox::next_attempt_at.le(at)))
                .or(outbox::status
                    .eq(OutboxStatus::Sending.as_str())
                    .and(outbox::claimed_until.lt(at))),
            )
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .limit(limit)
            .select(outbox::id);
        let ids: Vec<MessageId> = match conn {
            DbConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(sqlite) => due.load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(OutboxStatus::Sending.as_str()),
                outbox::claimed_by.eq(worker),
                outbox::claimed_until.eq(later(at, lease)),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        messages(
            outbox::table
                .filter(outbox::id.eq_any(&ids))
                .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
                .select(OutboxRow::as_select())
                .load(conn)?,
        )
    })
}

/// Records a delivery, if `worker` still holds the claim.
/// Extends this worker's claim on one message by `lease` from now, just before sending it;
/// false when the claim is no longer this worker's (its lease ran out while earlier messages
/// of the batch were being sent, and another worker took the message over).
pub fn renew_claim(
    conn: &mut DbConnection,
    id: &MessageId,
    worker: &str,
    lease: Duration,
) -> AppResult<bool> {
    let updated = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker))
            .filter(outbox::status.eq(OutboxStatus::Sending.as_str())),
    )
    .set(outbox::claimed_until.eq(later(now(), lease)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn mark_sent(conn: &mut DbConnection, id: &MessageId, worker: &str) -> AppResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Sent.as_str()),
        outbox::sent_at.eq(now()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Records a failed attempt and schedules the next one in `retry_in`, if `worker` still holds
/// the claim.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &MessageId,
    worker: &str,
    error: &str,
    retry_in: Duration,
) -> AppResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending.as_str()),
        outbox::next_attempt_at.eq(later(now(), retry_in)),
        outbox::last_error.eq(stored_error(error)),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Records the last failed attempt: the message is dead, if `worker` still holds the claim.
pub fn mark_dead(
    conn: &mut DbConnection,
    id: &MessageId,
    worker: &str,
    error: &str,
) -> AppResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Dead.as_str()),
        outbox::last_error.eq(stored_error(error)),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

fn stored_error(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// Gives back the claims of `worker` that it will not send (graceful shutdown): they become due
/// at once for any instance, and the attempt they were charged is refunded.
pub fn release_claims(conn: &mut DbConnection, worker: &str) -> AppResult<usize> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::status.eq(OutboxStatus::Sending.as_str()))
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending.as_str()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
        outbox::attempts.eq(outbox::attempts - 1),
        outbox::next_attempt_at.eq(now()),
    ))
    .execute(conn)?)
}

/// Messages with the given status, newest first.
pub fn list_by_status(
    conn: &mut DbConnection,
    status: OutboxStatus,
    limit: i64,
) -> AppResult<Vec<OutboxMessage>> {
    messages(
        outbox::table
            .filter(outbox::status.eq(status.as_str()))
            .order((outbox::created_at.desc(), outbox::id.desc()))
            .limit(limit)
            .select(OutboxRow::as_select())
            .load(conn)?,
    )
}

/// Puts the message `id` back in the queue with a fresh set of attempts, if it is dead; returns
/// whether it was.
pub fn requeue_dead(conn: &mut DbConnection, id: &MessageId) -> AppResult<bool> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq(OutboxStatus::Dead.as_str())),
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending.as_str()),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// How many messages are in each status, every status listed (zero when none).
pub fn counts(conn: &mut DbConnection) -> AppResult<Vec<(OutboxStatus, i64)>> {
    let stored: Vec<(String, i64)> = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts: Vec<(OutboxStatus, i64)> =
        OutboxStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    for (status, n) in stored {
        let rows = format!("(rows with status {status:?})");
        let status: OutboxStatus = parse_stored("outbox", &rows, &status)?;
        if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
            slot.1 = n;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_saturates_instead_of_overflowing() {
        let at = now();
        assert_eq!(
            later(at, Duration::from_secs(60)),
            at + chrono::Duration::seconds(60)
        );
        assert_eq!(later(at, Duration::MAX), NaiveDateTime::MAX);
    }

    #[test]
    fn an_unknown_stored_status_is_an_error_naming_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("t.sqlite3").to_string_lossy().into_owned();
        let db = super::super::Database::open(&url, 1).unwrap();
        db.migrate().unwrap();
        let mut conn = db.get().unwrap();
        let id = insert(
            &mut conn,
            &NewMessage {
                kind: "verify_email",
                recipient: "a@example.org",
                subject: "s",
                text_body: "t",
                html_body: "h",
            },
        )
        .unwrap();
        let found = find(&mut conn, &id).unwrap().unwrap();
        assert_eq!((found.status, found.attempts), (OutboxStatus::Pending, 0));
        let by_status = counts(&mut conn).unwrap();
        assert_eq!(by_status.len(), OutboxStatus::ALL.len());
        assert!(by_status.contains(&(OutboxStatus::Pending, 1)));
        assert!(by_status.contains(&(OutboxStatus::Dead, 0)));

        // The CHECK constraint keeps such a value out; a table rebuilt without it might not.
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "PRAGMA ignore_check_constraints = ON; UPDATE outbox SET status = 'lost';",
        )
        .unwrap();
        let err = find(&mut conn, &id).unwrap_err();
        match err {
            crate::error::AppError::Internal(detail) => {
                assert!(detail.contains(id.as_str()), "{detail}");
                assert!(detail.contains("outbox"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert!(counts(&mut conn).is_err());
    }
}
