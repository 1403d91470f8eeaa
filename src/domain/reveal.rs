//! Reveals at a given moment: an approved pledge may wait, `scheduled`, until the second a
//! minister announces it, seen meanwhile by its organisation and the staff only and counted in
//! the staff figures only. At that second every instance of the service reveals what is due
//! (the first to commit does the work, the others find it done and re-read the counters), so
//! the public figures and the streams move together. Organisers, moderators of the pledge's
//! tracks and admins set the moment (with the approval, or on a pledge still awaiting its
//! decision, which its approval then keeps), move it, or reveal early.
//!
//! Here: the moment's rules and the loop's arithmetic, both pure, with the time given.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    amendment::FieldChange,
    errors::{FieldError, Invalid},
};

/// How far ahead a reveal may be set: a pledging event is announced within the year.
pub const HORIZON_DAYS: i64 = 366;

/// How often every instance looks for reveals set elsewhere: a reveal set at least this long
/// ahead happens at its second on every instance.
pub const POLL: StdDuration = StdDuration::from_secs(1);

/// `PUT /pledges/{id}/reveal-at`, and the approval's optional `reveal_at`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealInput {
    /// The moment (RFC 3339, with its offset) the pledge becomes public: after now and at most
    /// 366 days ahead.
    #[schema(example = "2023-03-06T10:30:00Z")]
    pub reveal_at: DateTime<Utc>,
}

/// A moment a pledge may be revealed at: ahead of the time it was checked at, within the
/// horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RevealAt(DateTime<Utc>);

impl RevealAt {
    /// Checks `at` against `now`; the error names `field` (`reveal_at`, or the place of the
    /// field in a larger body).
    pub fn parse(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, FieldError> {
        if at <= now {
            return Err(FieldError::new(
                field,
                "not_in_future",
                format!(
                    "{field} must be after now ({})",
                    now.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            ));
        }
        if at > now + Duration::days(HORIZON_DAYS) {
            return Err(FieldError::new(
                field,
                "too_far_ahead",
                format!("{field} is at most {HORIZON_DAYS} days ahead"),
            ));
        }
        Ok(RevealAt(at))
    }

    pub fn at(self) -> DateTime<Utc> {
        self.0
    }
}

impl RevealInput {
    pub fn parse(&self, now: DateTime<Utc>) -> Result<RevealAt, Invalid> {
        Ok(RevealAt::parse("reveal_at", self.reveal_at, now)?)
    }
}

/// The audit trail's record of a moment set or moved (shown to the organisation and staff).
pub fn change(before: Option<DateTime<Utc>>, after: DateTime<Utc>) -> Vec<FieldChange> {
    vec![FieldChange {
        field: "reveal_at".to_owned(),
        before: serde_json::to_value(before).unwrap_or_default(),
        after: serde_json::to_value(after).unwrap_or_default(),
    }]
}

/// Whether a pledge scheduled for `reveal_at` is due at `now`: from its second on.
pub fn is_due(reveal_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    reveal_at <= now
}

/// How long the reveal loop sleeps before it looks again: until the next reveal if that comes
/// before the next look, at once if it is due, and [`POLL`] otherwise (another instance may set
/// a reveal meanwhile).
pub fn wait(next: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StdDuration {
    match next {
        Some(at) if is_due(at, now) => StdDuration::ZERO,
        Some(at) => (at - now).to_std().map_or(POLL, |until| until.min(POLL)),
        None => POLL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 3, 6, 10, 0, 0).unwrap()
    }

    fn code(result: Result<RevealAt, FieldError>) -> String {
        result.unwrap_err().code
    }

    #[test]
    fn a_reveal_is_ahead_and_within_the_horizon() {
        let at = now() + Duration::minutes(30);
        assert_eq!(RevealAt::parse("reveal_at", at, now()).unwrap().at(), at);
        let last = now() + Duration::days(HORIZON_DAYS);
        assert!(RevealAt::parse("reveal_at", last, now()).is_ok());
        assert_eq!(
            code(RevealAt::parse("reveal_at", now(), now())),
            "not_in_future"
        );
        assert_eq!(
            code(RevealAt::parse(
                "reveal_at",
                now() - Duration::seconds(1),
                now()
            )),
            "not_in_future"
        );
        assert_eq!(
            code(RevealAt::parse(
                "reveal_at",
                last + Duration::seconds(1),
                now()
            )),
            "too_far_ahead"
        );
        let err = RevealAt::parse("decisions[2].reveal_at", now(), now()).unwrap_err();
        assert_eq!(err.field, "decisions[2].reveal_at");
    }

    #[test]
    fn due_from_its_second_on() {
        assert!(!is_due(now() + Duration::milliseconds(1), now()));
        assert!(is_due(now(), now()));
        assert!(is_due(now() - Duration::hours(1), now()));
    }

    #[test]
    fn the_loop_wakes_at_the_reveal_or_looks_again_within_a_second() {
        assert_eq!(wait(None, now()), POLL);
        assert_eq!(wait(Some(now()), now()), StdDuration::ZERO);
        assert_eq!(
            wait(Some(now() - Duration::seconds(5)), now()),
            StdDuration::ZERO
        );
        assert_eq!(
            wait(Some(now() + Duration::milliseconds(250)), now()),
            StdDuration::from_millis(250)
        );
        assert_eq!(wait(Some(now() + Duration::minutes(10)), now()), POLL);
    }

    #[test]
    fn the_body_reads_any_offset_as_utc() {
        let body: RevealInput =
            serde_json::from_str(r#"{"reveal_at": "2023-03-06T13:30:00+03:00"}"#).unwrap();
        assert_eq!(
            body.reveal_at,
            Utc.with_ymd_and_hms(2023, 3, 6, 10, 30, 0).unwrap()
        );
        assert!(serde_json::from_str::<RevealInput>(r#"{"reveal_at": "tomorrow"}"#).is_err());
        assert!(serde_json::from_str::<RevealInput>(r#"{"reveal_at": null}"#).is_err());
    }
}
