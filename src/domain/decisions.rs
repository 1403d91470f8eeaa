//! Bulk decisions (`POST /moderation/decisions`): a moderator approves, sends back or rejects
//! several pledges in one request, each decision naming the version it was taken on, as a
//! single decision's `If-Match` does. Each decision stands or falls alone.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{
    account::{parse_field, FieldChecks},
    errors::{FieldError, Invalid},
    ids::PledgeId,
    reveal::RevealAt,
    validation::{items, text, whole},
    vocabulary::vocabulary,
    workflow::Action,
};

/// The most decisions one request carries.
pub const DECISIONS_MAX: usize = 100;

vocabulary!(
    /// A moderator's decision on a submitted pledge.
    Decision {
        Approve => "approve",
        RequestChanges => "request_changes",
        Reject => "reject",
    }
);

impl Decision {
    pub fn action(self) -> Action {
        match self {
            Self::Approve => Action::Approve,
            Self::RequestChanges => Action::RequestChanges,
            Self::Reject => Action::Reject,
        }
    }
}

/// `POST /moderation/decisions`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionsInput {
    /// One to a hundred decisions, on as many different pledges.
    #[validate(nested, custom(function = "items::<DECISIONS_MAX, _>"))]
    #[schema(min_items = 1, max_items = 100)]
    pub decisions: Vec<DecisionInput>,
}

/// One decision of a bulk request.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[schema(value_type = PledgeId)]
    pub pledge_id: String,
    #[schema(value_type = Decision, example = "approve")]
    pub decision: String,
    /// The version the moderator decided on (the pledge's `ETag`): a pledge changed since is
    /// left alone, and its result says so (412).
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 1, example = 2)]
    pub version: i32,
    /// Required to send back or reject: the organisation is told.
    #[validate(custom(function = "text::<1, 2000>"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// With `approve` only: the moment (RFC 3339) the pledge is to become public, after now
    /// and at most 366 days ahead; until then it is `scheduled`.
    #[schema(example = "2023-03-06T10:30:00Z")]
    pub reveal_at: Option<DateTime<Utc>>,
}

/// One decision, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub pledge: PledgeId,
    pub decision: Decision,
    pub version: i32,
    pub reason: Option<String>,
    pub reveal_at: Option<RevealAt>,
}

impl DecisionsInput {
    /// Every rule at once: at least one decision, each a known decision on a different pledge,
    /// a reveal (ahead of `now`) with approvals only.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<Vec<Checked>, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        if self.decisions.is_empty() {
            checks.push(FieldError::new(
                "decisions",
                "required",
                "send at least one decision",
            ));
        }
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(self.decisions.len());
        for (i, d) in self.decisions.iter().take(DECISIONS_MAX).enumerate() {
            let decision = checks.take(parse_field::<Decision>(
                &format!("decisions[{i}].decision"),
                &d.decision,
            ));
            if uuid::Uuid::parse_str(&d.pledge_id).is_err() {
                checks.push(FieldError::new(
                    format!("decisions[{i}].pledge_id"),
                    "invalid_id",
                    "a pledge id is a UUID",
                ));
            } else if !seen.insert(d.pledge_id.as_str()) {
                checks.push(FieldError::new(
                    format!("decisions[{i}].pledge_id"),
                    "duplicate",
                    "one decision per pledge",
                ));
            }
            if d.version < 1 {
                checks.push(FieldError::new(
                    format!("decisions[{i}].version"),
                    "out_of_range",
                    "a version is 1 or more",
                ));
            }
            let field = format!("decisions[{i}].reveal_at");
            let reveal_at = match d.reveal_at {
                Some(_) if decision.is_some_and(|d| d != Decision::Approve) => {
                    checks.push(FieldError::new(
                        field,
                        "not_applicable",
                        "a reveal goes with an approval only",
                    ));
                    None
                }
                Some(at) => checks.take(RevealAt::parse(&field, at, now)),
                None => None,
            };
            if let Some(decision) = decision {
                checked.push(Checked {
                    reveal_at,
                    pledge: PledgeId::from(d.pledge_id.as_str()),
                    decision,
                    version: d.version,
                    reason: d.reason.clone(),
                });
            }
        }
        checks.finish_with(Some(checked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2023, 3, 6, 10, 0, 0).unwrap()
    }

    fn input(json: serde_json::Value) -> DecisionsInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn decisions_are_known_on_different_pledges_with_a_version() {
        let (a, b) = (
            "01900000-0000-7000-8000-00000000000a",
            "01900000-0000-7000-8000-00000000000b",
        );
        let ok = input(serde_json::json!({"decisions": [
            {"pledge_id": a, "decision": "approve", "version": 2},
            {"pledge_id": b, "decision": "reject", "version": 1, "reason": "Out of scope."},
        ]}));
        let checked = ok.parse(now()).unwrap();
        assert_eq!(checked[1].decision.action(), Action::Reject);
        let later = input(serde_json::json!({"decisions": [
            {"pledge_id": a, "decision": "approve", "version": 2, "reveal_at": "2023-03-06T10:30:00Z"},
        ]}));
        let at = later.parse(now()).unwrap()[0].reveal_at.unwrap().at();
        assert_eq!(at, now() + chrono::Duration::minutes(30));
        let bad = input(serde_json::json!({"decisions": [
            {"pledge_id": a, "decision": "approve", "version": 0},
            {"pledge_id": a, "decision": "publish", "version": 1, "reason": " "},
            {"pledge_id": "not an id", "decision": "approve", "version": 1,
             "reveal_at": "2023-03-06T09:59:59Z"},
            {"pledge_id": b, "decision": "reject", "version": 1, "reason": "No.",
             "reveal_at": "2023-03-06T10:30:00Z"},
        ]}));
        let Invalid(errors) = bad.parse(now()).unwrap_err();
        let mut found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("decisions[0].version", "out_of_range"),
                ("decisions[1].decision", "unknown_value"),
                ("decisions[1].pledge_id", "duplicate"),
                ("decisions[1].reason", "required"),
                ("decisions[2].pledge_id", "invalid_id"),
                ("decisions[2].reveal_at", "not_in_future"),
                ("decisions[3].reveal_at", "not_applicable"),
            ]
        );
        let none = input(serde_json::json!({"decisions": []}));
        assert_eq!(none.parse(now()).unwrap_err().0[0].code, "required");
    }
}
