//! A yearly progress report as its organisation sends it, its field rules, and its review.
//!
//! # Review
//!
//! | review | how it got there | counts (USD disbursed, progress) | who sees it |
//! | --- | --- | --- | --- |
//! | `submitted` | the organisation filed it (or filed it again) | no | the organisation, staff |
//! | `accepted` | a moderator accepted it | yes | everyone |
//! | `returned` | a moderator sent it back, with a reason | no | the organisation, staff |
//!
//! The organisation may file a year's report again while it is submitted or returned (it goes
//! back to `submitted`); an accepted report is the year's record and is not filed again.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{
    account::{parse_field, FieldChecks},
    errors::{FieldError, Invalid},
    pledge::{ImplementationStatus, DELIVERABLES_MAX, QUANTITY_MAX, USD_MAX},
    validation::{amount, items, quantity, text, whole},
    vocabulary::vocabulary,
};

vocabulary!(
    /// Where a progress report is in its review.
    ReportReview {
        Submitted => "submitted",
        Accepted => "accepted",
        Returned => "returned",
    }
);

/// The value one deliverable reached by the end of the year reported on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverableValue {
    /// The deliverable's position in the pledge's `deliverables`, from 0.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 0, maximum = 9, example = 0)]
    pub deliverable: u8,
    /// The indicator's value reached, in the deliverable's unit.
    #[validate(custom(function = "quantity::<QUANTITY_MAX>"))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000i64, example = 120)]
    pub value: f64,
}

/// The first year a report may be about.
pub const FIRST_YEAR: i32 = 2000;

/// `POST /pledges/{id}/reports`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The year reported on; one report per pledge and year (sending it again replaces it).
    /// From 2000 to next year.
    #[serde(deserialize_with = "whole::deserialize")]
    #[schema(minimum = 2000, example = 2024)]
    pub year: i32,
    #[schema(value_type = ImplementationStatus, example = "in_progress")]
    pub implementation_status: String,
    #[validate(custom(function = "text::<1, 10000>"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        example = "120 schools connected; 300 teachers trained."
    )]
    pub narrative: String,
    /// Whole US dollars disbursed during the year.
    #[serde(default, deserialize_with = "whole::option")]
    #[validate(custom(function = "amount::<USD_MAX>"))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 250000)]
    pub usd_disbursed: Option<i64>,
    #[serde(default, deserialize_with = "whole::option")]
    #[validate(custom(function = "amount::<{ i64::MAX }>"))]
    #[schema(minimum = 0, example = 12000)]
    pub people_reached: Option<i64>,
    /// The value each of the pledge's deliverables reached by the end of the year, each
    /// deliverable at most once.
    #[serde(default)]
    #[validate(nested, custom(function = "items::<DELIVERABLES_MAX, _>"))]
    #[schema(max_items = 10)]
    pub deliverables: Vec<DeliverableValue>,
    /// The pledge's final report: the work is done (implementation status `completed`). Once
    /// accepted, the pledge is completed.
    #[serde(default, rename = "final")]
    #[schema(example = false)]
    pub is_final: bool,
}

/// A moderator's review of a submitted report: `POST /pledges/{id}/reports/{year}/return`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// What the organisation should change.
    #[validate(custom(function = "text::<1, 2000>"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Give the schools connected in 2024."
    )]
    pub reason: String,
}

impl ReturnInput {
    /// The reason, trimmed, once the field rules hold.
    pub fn parse(&self) -> Result<&str, Invalid> {
        FieldChecks::from_rules(self).finish_with(Some(self.reason.trim()))
    }
}

/// What a moderator does to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    Accept,
    Return,
}

impl ReviewAction {
    /// The review a report in `current` moves to, or why it cannot.
    pub fn apply(self, current: ReportReview) -> Result<ReportReview, (&'static str, String)> {
        match (self, current) {
            (Self::Accept, ReportReview::Submitted) => Ok(ReportReview::Accepted),
            (Self::Return, ReportReview::Submitted) => Ok(ReportReview::Returned),
            (_, current) => Err((
                "report_not_submitted",
                format!("only a submitted report is reviewed; this one is {current}"),
            )),
        }
    }
}

/// Whether the organisation may file a year's report, given the review of the one already
/// filed for that year (if any).
pub fn may_file(existing: Option<ReportReview>) -> Result<(), (&'static str, String)> {
    match existing {
        Some(ReportReview::Accepted) => Err((
            "report_accepted",
            "this year's report was accepted and stands as the year's record".to_owned(),
        )),
        _ => Ok(()),
    }
}

impl ReportInput {
    /// Every rule at once; `latest_year` is the last year a report may be about (next year),
    /// `deliverables` how many deliverables the pledge has.
    pub fn parse(
        &self,
        latest_year: i32,
        deliverables: usize,
    ) -> Result<ImplementationStatus, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let mut seen = [false; DELIVERABLES_MAX];
        for (i, given) in self.deliverables.iter().enumerate() {
            let index = usize::from(given.deliverable);
            let field = format!("deliverables[{i}].deliverable");
            if index >= deliverables {
                checks.push(FieldError::new(
                    field,
                    "unknown_deliverable",
                    format!("the pledge has {deliverables} deliverable(s), numbered from 0"),
                ));
            } else if std::mem::replace(&mut seen[index], true) {
                checks.push(FieldError::new(
                    field,
                    "duplicate",
                    "each deliverable is reported once",
                ));
            }
        }
        if !(FIRST_YEAR..=latest_year).contains(&self.year) {
            checks.push(FieldError::new(
                "year",
                "out_of_range",
                format!("report on a year from {FIRST_YEAR} to {latest_year}"),
            ));
        }
        let status = checks.take(parse_field::<ImplementationStatus>(
            "implementation_status",
            &self.implementation_status,
        ));
        if self.is_final && status.is_some_and(|s| s != ImplementationStatus::Completed) {
            checks.push(FieldError::new(
                "final",
                "final_needs_completed",
                "a final report says the work is completed",
            ));
        }
        checks.finish_with(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(json: serde_json::Value) -> ReportInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn every_rule_is_reported_at_once() {
        let bad = report(serde_json::json!({
            "year": 1999, "implementation_status": "done", "narrative": " ",
            "usd_disbursed": -1, "people_reached": -5,
        }));
        let Invalid(errors) = bad.parse(2027, 1).unwrap_err();
        let mut found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("implementation_status", "unknown_value"),
                ("narrative", "required"),
                ("people_reached", "negative"),
                ("usd_disbursed", "negative"),
                ("year", "out_of_range"),
            ]
        );
        let good = report(serde_json::json!({
            "year": 2024.0, "implementation_status": "in_progress", "narrative": "Done a lot.",
            "usd_disbursed": USD_MAX,
        }));
        assert_eq!(
            good.parse(2027, 1).unwrap(),
            ImplementationStatus::InProgress
        );
    }

    #[test]
    fn deliverable_values_name_each_deliverable_of_the_pledge_once() {
        let with = |values: serde_json::Value, is_final: bool, status: &str| {
            report(serde_json::json!({
                "year": 2025, "implementation_status": status, "narrative": "Progress.",
                "deliverables": values, "final": is_final,
            }))
        };
        let codes = |input: ReportInput| -> Vec<(String, String)> {
            match input.parse(2027, 2) {
                Ok(_) => Vec::new(),
                Err(Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            }
        };
        let ok =
            serde_json::json!([{"deliverable": 0, "value": 10}, {"deliverable": 1, "value": 0}]);
        assert!(codes(with(ok, false, "in_progress")).is_empty());
        assert_eq!(
            codes(with(
                serde_json::json!([{"deliverable": 2, "value": 1}]),
                false,
                "in_progress"
            )),
            [(
                "deliverables[0].deliverable".to_owned(),
                "unknown_deliverable".to_owned()
            )]
        );
        assert_eq!(
            codes(with(
                serde_json::json!([{"deliverable": 1, "value": 1}, {"deliverable": 1, "value": 2}]),
                false,
                "in_progress"
            )),
            [(
                "deliverables[1].deliverable".to_owned(),
                "duplicate".to_owned()
            )]
        );
        assert_eq!(
            codes(with(
                serde_json::json!([{"deliverable": 0, "value": -1}]),
                false,
                "in_progress"
            )),
            [("deliverables[0].value".to_owned(), "negative".to_owned())]
        );
        assert_eq!(
            codes(with(serde_json::json!([]), true, "in_progress")),
            [("final".to_owned(), "final_needs_completed".to_owned())]
        );
        assert!(codes(with(serde_json::json!([]), true, "completed")).is_empty());
    }

    #[test]
    fn review_moves_only_submitted_reports_and_accepted_ones_stand() {
        use ReportReview::*;
        use ReviewAction::*;
        let table = [
            (Accept, Submitted, Ok(Accepted)),
            (Return, Submitted, Ok(Returned)),
            (Accept, Accepted, Err("report_not_submitted")),
            (Return, Accepted, Err("report_not_submitted")),
            (Accept, Returned, Err("report_not_submitted")),
            (Return, Returned, Err("report_not_submitted")),
        ];
        for (action, from, expected) in table {
            assert_eq!(
                action.apply(from).map_err(|e| e.0),
                expected,
                "{action:?} {from:?}"
            );
        }
        assert!(may_file(None).is_ok());
        assert!(may_file(Some(Submitted)).is_ok());
        assert!(may_file(Some(Returned)).is_ok());
        assert_eq!(may_file(Some(Accepted)).unwrap_err().0, "report_accepted");
    }
}
