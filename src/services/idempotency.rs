//! `Idempotency-Key` for creating pledges: per user, 24 hours. The same key with the same body
//! replays the first answer; with another body it is refused (422); while the first request is
//! still running, a duplicate gets 409.

use chrono::Duration;
use diesel::prelude::*;

use crate::{
    db::{now, schema::idempotency_keys, write_tx, DbConnection},
    domain::ids::UserId,
    error::{AppError, AppResult},
};

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;

/// What to do with a request that carries a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// First time: go ahead, then [`complete`] in the same transaction as the work.
    Proceed,
    /// Seen and finished: answer with exactly this.
    Replay { status: u16, body: String },
}

/// Checks a key's form: 1 to 255 visible ASCII characters.
pub fn check_key(key: &str) -> AppResult<()> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest(
            "Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned(),
        ));
    }
    Ok(())
}

/// Claims the key for this request, or says how to answer a repeat. The claim is committed at
/// once, so a concurrent duplicate sees it.
pub fn begin(
    conn: &mut DbConnection,
    user_id: &UserId,
    key: &str,
    request_hash: &str,
) -> AppResult<Begin> {
    check_key(key)?;
    write_tx(conn, |conn| {
        let expired = now() - Duration::hours(KEEP_HOURS);
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(expired)))
            .execute(conn)?;
        let existing: Option<(String, Option<i32>, Option<String>)> = idempotency_keys::table
            .find((user_id, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::response_status,
                idempotency_keys::response_body,
            ))
            .first(conn)
            .optional()?;
        match existing {
            Some((hash, _, _)) if hash != request_hash => Err(AppError::Unprocessable(
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request body".to_owned(),
            )),
            Some((_, Some(status), Some(body))) => Ok(Begin::Replay {
                status: u16::try_from(status).unwrap_or(200),
                body,
            }),
            Some(_) => Err(in_progress()),
            None => {
                diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::user_id.eq(user_id),
                        idempotency_keys::idempotency_key.eq(key),
                        idempotency_keys::request_hash.eq(request_hash),
                        idempotency_keys::created_at.eq(now()),
                    ))
                    .execute(conn)
                    .map_err(|e| match e {
                        diesel::result::Error::DatabaseError(
                            diesel::result::DatabaseErrorKind::UniqueViolation,
                            _,
                        ) => in_progress(),
                        other => other.into(),
                    })?;
                Ok(Begin::Proceed)
            }
        }
    })
}

fn in_progress() -> AppError {
    AppError::Conflict(
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being processed".to_owned(),
    )
}

/// Records the answer; call inside the transaction that did the work.
pub fn complete(
    conn: &mut DbConnection,
    user_id: &UserId,
    key: &str,
    status: u16,
    body: &str,
) -> AppResult<()> {
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::response_status.eq(i32::from(status)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets an unfinished claim after the work failed, so the client can correct and retry.
pub fn abandon(conn: &mut DbConnection, user_id: &UserId, key: &str) -> AppResult<()> {
    diesel::delete(
        idempotency_keys::table
            .find((user_id, key))
            .filter(idempotency_keys::response_status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}
