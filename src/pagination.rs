//! Keyset pagination: `limit` and an opaque `cursor` holding the sort key of the last item
//! served, so pages stay stable while rows are inserted.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 100;

/// A page of items and, when there may be more, the cursor of the next page.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from a query that fetched one row more than `limit`: the extra row only
    /// says that a next page exists.
    pub fn from_overfetch(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Vec<String>) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|last| encode(&key(last)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

/// `limit` (1 to 100, default 50) and `cursor` (from the previous page's `next_cursor`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque position from the previous page's `next_cursor` or `Link: rel="next"`.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> AppResult<i64> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::InvalidQuery(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            ))),
        }
    }

    /// The decoded cursor, which must have `parts` components.
    pub fn cursor(&self, parts: usize) -> AppResult<Option<Vec<String>>> {
        self.cursor.as_deref().map(|c| decode(c, parts)).transpose()
    }

    /// The decoded cursor of a list ordered by a time and then an id ([`timed_key`]).
    pub fn timed_cursor(&self) -> AppResult<Option<(NaiveDateTime, String)>> {
        let Some(mut parts) = self.cursor(2)? else {
            return Ok(None);
        };
        let at = NaiveDateTime::parse_from_str(&parts[0], CURSOR_TIME).map_err(|_| {
            AppError::InvalidQuery("cursor is not one this service issued".to_owned())
        })?;
        Ok(Some((at, parts.swap_remove(1))))
    }
}

/// How a cursor writes a time.
const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// The key of an item in a list ordered by a time and then an id, for its cursor.
pub fn timed_key(at: NaiveDateTime, id: &str) -> Vec<String> {
    vec![at.format(CURSOR_TIME).to_string(), id.to_owned()]
}

/// The cursor for a key: its parts as a JSON array of strings, base64url without padding.
pub fn encode(parts: &[String]) -> String {
    let json = serde_json::Value::from(parts.to_vec()).to_string();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode(cursor: &str, parts: usize) -> AppResult<Vec<String>> {
    let invalid = || AppError::InvalidQuery("cursor is not one this service issued".to_owned());
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let values: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if values.len() == parts {
        Ok(values)
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        let params = PageParams {
            limit: Some(10),
            cursor: Some(encode(&["Ministry".into(), "id-1".into()])),
        };
        assert_eq!(params.cursor(2).unwrap().unwrap(), ["Ministry", "id-1"]);
        assert!(params.cursor(3).is_err());
        let bad = PageParams {
            limit: None,
            cursor: Some("!!".into()),
        };
        assert!(bad.cursor(2).is_err());
        assert_eq!(bad.limit().unwrap(), DEFAULT_LIMIT);
        assert!(PageParams {
            limit: Some(101),
            cursor: None
        }
        .limit()
        .is_err());
        assert!(PageParams {
            limit: Some(0),
            cursor: None
        }
        .limit()
        .is_err());
    }

    #[test]
    fn timed_cursors_round_trip_to_the_microsecond() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 123_456_000)
            .unwrap()
            .naive_utc();
        let params = PageParams {
            limit: None,
            cursor: Some(encode(&timed_key(at, "id-9"))),
        };
        assert_eq!(
            params.timed_cursor().unwrap(),
            Some((at, "id-9".to_owned()))
        );
        let bad = PageParams {
            limit: None,
            cursor: Some(encode(&["yesterday".into(), "id-9".into()])),
        };
        assert!(bad.timed_cursor().is_err());
        assert_eq!(PageParams::default().timed_cursor().unwrap(), None);
    }

    #[test]
    fn overfetching_tells_whether_a_next_page_exists() {
        let page = Page::from_overfetch(vec![1, 2, 3], 2, |n| vec![n.to_string()]);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next_cursor, Some(encode(&["2".into()])));
        let last = Page::from_overfetch(vec![1, 2], 2, |n| vec![n.to_string()]);
        assert!(last.next_cursor.is_none());
    }
}
