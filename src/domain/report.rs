//! A yearly progress report as its organisation sends it, and its field rules.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{
    account::{parse_field, FieldChecks},
    errors::{FieldError, Invalid},
    pledge::{ImplementationStatus, USD_MAX},
    validation::{amount, text, whole},
};

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
}

impl ReportInput {
    /// Every rule at once; `latest_year` is the last year a report may be about (next year).
    pub fn parse(&self, latest_year: i32) -> Result<ImplementationStatus, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
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
        let Invalid(errors) = bad.parse(2027).unwrap_err();
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
        assert_eq!(good.parse(2027).unwrap(), ImplementationStatus::InProgress);
    }
}
