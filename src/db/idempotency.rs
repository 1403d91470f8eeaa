//! `Idempotency-Key` records for creating pledges: per user, kept 24 hours. A key is recorded
//! with its answer in the same transaction as the work it answers, so a crash leaves either
//! both or neither: a retry after a crash creates exactly once.

use chrono::Duration;
use diesel::prelude::*;

use super::{now, schema::idempotency_keys, DbConnection};
use crate::{
    domain::ids::UserId,
    error::{AppError, AppResult},
};

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;

/// A client's key for one request, bound to a hash of the request's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    /// Checks a key's form: 1 to 255 visible ASCII characters.
    pub fn new(key: &str, request_hash: String) -> AppResult<Self> {
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::BadRequest(
                "Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned(),
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            request_hash,
        })
    }
}

/// The first answer to this key, if the work was done: replay it. A key used with another body
/// is refused. Call inside the transaction that will do the work.
pub fn replay(
    conn: &mut DbConnection,
    user_id: &UserId,
    key: &IdempotencyKey,
) -> AppResult<Option<String>> {
    let expired = now() - Duration::hours(KEEP_HOURS);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(expired)))
        .execute(conn)?;
    let existing: Option<(String, Option<String>)> = idempotency_keys::table
        .find((user_id, &key.key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    match existing {
        Some((hash, _)) if hash != key.request_hash => Err(AppError::Unprocessable(
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body".to_owned(),
        )),
        Some((_, Some(body))) => Ok(Some(body)),
        // A claim without an answer (written by an earlier version that claimed first):
        // nothing was created under it, so the work may go ahead.
        Some((_, None)) => {
            diesel::delete(idempotency_keys::table.find((user_id, &key.key))).execute(conn)?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Records the key with its answer, in the transaction that did the work. A concurrent request
/// with the same key that committed first makes this fail: that request answers, this one is
/// told to retry (and then replays the first answer).
pub fn record(
    conn: &mut DbConnection,
    user_id: &UserId,
    key: &IdempotencyKey,
    body: &str,
) -> AppResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::idempotency_key.eq(&key.key),
            idempotency_keys::request_hash.eq(&key.request_hash),
            idempotency_keys::response_status.eq(Some(201)),
            idempotency_keys::response_body.eq(Some(body)),
            idempotency_keys::created_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => AppError::Conflict(
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still being processed".to_owned(),
            ),
            other => other.into(),
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::new("abc-123", "h".into()).is_ok());
        assert!(IdempotencyKey::new("", "h".into()).is_err());
        assert!(IdempotencyKey::new("a b", "h".into()).is_err());
        assert!(IdempotencyKey::new(&"k".repeat(256), "h".into()).is_err());
    }
}
