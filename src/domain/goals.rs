//! Goals a scope (a track, or every pledge) aims for by a deadline, and the progress a
//! snapshot reports toward each: the big screen's progress bar.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{
    account::{parse_field, FieldChecks},
    errors::{FieldError, Invalid},
    validation::{amount, items, whole},
    vocabulary::vocabulary,
};

/// The most goals one scope has: one per kind.
pub const GOALS_MAX: usize = 3;

/// The largest target: USD 10^15 (a thousand trillion), far beyond any pledging campaign.
pub const TARGET_MAX: i64 = 1_000_000_000_000_000;

vocabulary!(
    /// What a goal counts: USD pledged (whole USD), published pledges, or pledging entities.
    GoalKind {
        UsdPledged => "usd_pledged",
        Pledges => "pledges",
        Entities => "entities",
    }
);

/// `PUT /goals`: the whole set of a scope's goals, replacing the previous one (an empty list
/// clears them).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalsInput {
    /// At most one goal per kind.
    #[validate(nested, custom(function = "items::<GOALS_MAX, _>"))]
    #[schema(max_items = 3)]
    pub goals: Vec<GoalInput>,
}

/// One goal as sent.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    #[schema(value_type = GoalKind, example = "usd_pledged")]
    pub kind: String,
    /// Whole USD for `usd_pledged`, a count otherwise; at least 1.
    #[serde(deserialize_with = "whole::deserialize")]
    #[validate(custom(function = "amount::<TARGET_MAX>"))]
    #[schema(
        minimum = 1,
        maximum = 1_000_000_000_000_000_i64,
        example = 100_000_000_000_i64
    )]
    pub target: i64,
    /// The last day (UTC) the goal counts toward.
    #[schema(example = "2026-12-31")]
    pub deadline: NaiveDate,
}

/// A goal that passed every rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Goal {
    pub kind: GoalKind,
    /// Whole USD for `usd_pledged`, a count otherwise.
    #[schema(minimum = 1)]
    pub target: i64,
    pub deadline: NaiveDate,
}

/// A scope's goals, as set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GoalSet {
    /// The track (`all` for every pledge).
    #[schema(example = "ldc5")]
    pub track: String,
    pub goals: Vec<Goal>,
}

impl GoalsInput {
    /// Every rule at once: known kinds, one goal per kind, targets of at least 1. The goals
    /// come back in the order sent (the big screen shows the `usd_pledged` one, else the first).
    pub fn parse(&self) -> Result<Vec<Goal>, Invalid> {
        let mut checks = FieldChecks::from_rules(self);
        let mut seen = HashSet::new();
        let mut goals = Vec::with_capacity(self.goals.len());
        for (i, g) in self.goals.iter().take(GOALS_MAX).enumerate() {
            let kind = checks.take(parse_field::<GoalKind>(
                &format!("goals[{i}].kind"),
                &g.kind,
            ));
            if g.target == 0 {
                checks.push(FieldError::new(
                    format!("goals[{i}].target"),
                    "out_of_range",
                    format!("goals[{i}].target is at least 1"),
                ));
            }
            if let Some(kind) = kind {
                if !seen.insert(kind) {
                    checks.push(FieldError::new(
                        format!("goals[{i}].kind"),
                        "duplicate",
                        "one goal per kind",
                    ));
                }
                goals.push(Goal {
                    kind,
                    target: g.target,
                    deadline: g.deadline,
                });
            }
        }
        checks.finish_with(Some(goals))
    }
}

/// The figures goals are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoalFigures {
    pub usd_pledged: i128,
    pub pledges: u64,
    pub entities: u64,
}

impl GoalFigures {
    fn of(&self, kind: GoalKind) -> i128 {
        match kind {
            GoalKind::UsdPledged => self.usd_pledged,
            GoalKind::Pledges => i128::from(self.pledges),
            GoalKind::Entities => i128::from(self.entities),
        }
    }
}

/// How far a scope is toward one goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GoalProgress {
    pub kind: GoalKind,
    #[schema(minimum = 1)]
    pub target: i64,
    pub deadline: NaiveDate,
    /// The scope's current figure of this kind (published pledges only).
    #[schema(value_type = i64, minimum = 0)]
    pub current: i128,
    /// Whole percent of the target reached, rounded down (99 until the target is reached);
    /// above 100 once exceeded.
    #[schema(minimum = 0)]
    pub percent: u64,
    /// The figure has reached the target.
    pub reached: bool,
    /// The deadline has passed without the target being reached.
    pub missed: bool,
}

/// The progress toward each goal, in the goals' order, given a scope's figures on `today`.
pub fn progress(goals: &[Goal], figures: &GoalFigures, today: NaiveDate) -> Vec<GoalProgress> {
    goals
        .iter()
        .map(|goal| {
            let current = figures.of(goal.kind).max(0);
            let target = i128::from(goal.target.max(1));
            let reached = current >= target;
            // Whole numbers throughout: a goal is reached exactly when the figure is.
            let percent = u64::try_from(current.saturating_mul(100) / target).unwrap_or(u64::MAX);
            GoalProgress {
                kind: goal.kind,
                target: goal.target,
                deadline: goal.deadline,
                current,
                percent,
                reached,
                missed: !reached && today > goal.deadline,
            }
        })
        .collect()
}

/// The goal a big screen shows: the `usd_pledged` one, else the first.
pub fn headline(goals: &[GoalProgress]) -> Option<&GoalProgress> {
    goals
        .iter()
        .find(|g| g.kind == GoalKind::UsdPledged)
        .or_else(|| goals.first())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn goal(kind: GoalKind, target: i64) -> Goal {
        Goal {
            kind,
            target,
            deadline: day(2026, 12, 31),
        }
    }

    fn input(goals: serde_json::Value) -> GoalsInput {
        serde_json::from_value(serde_json::json!({ "goals": goals })).unwrap()
    }

    fn codes(err: Invalid) -> Vec<(String, String)> {
        err.0.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn progress_is_measured_against_the_figure_of_each_kind() {
        let figures = GoalFigures {
            usd_pledged: 25_000_000_000,
            pledges: 150,
            entities: 40,
        };
        let goals = [
            goal(GoalKind::UsdPledged, 100_000_000_000),
            goal(GoalKind::Pledges, 100),
            goal(GoalKind::Entities, 40),
        ];
        let p = progress(&goals, &figures, day(2026, 6, 1));
        assert_eq!(p[0].current, 25_000_000_000);
        assert_eq!(p[0].percent, 25);
        assert!(!p[0].reached && !p[0].missed);
        // Exceeded: the percent says by how much.
        assert_eq!((p[1].percent, p[1].reached), (150, true));
        // Exactly at the target counts as reached.
        assert_eq!((p[2].percent, p[2].reached), (100, true));
    }

    #[test]
    fn a_goal_is_missed_only_after_its_deadline_day_and_only_if_not_reached() {
        let figures = GoalFigures {
            pledges: 5,
            ..GoalFigures::default()
        };
        let goals = [goal(GoalKind::Pledges, 10), goal(GoalKind::Entities, 1)];
        let on_the_day = progress(&goals, &figures, day(2026, 12, 31));
        assert!(!on_the_day[0].missed);
        let after = progress(&goals, &figures, day(2027, 1, 1));
        assert!(after[0].missed);
        let reached = progress(&[goal(GoalKind::Pledges, 5)], &figures, day(2027, 1, 1));
        assert!(reached[0].reached && !reached[0].missed);
        // No figure yet: zero, not missed before the deadline.
        assert_eq!(on_the_day[1].current, 0);
        assert_eq!(on_the_day[1].percent, 0);
    }

    #[test]
    fn percent_rounds_down_and_huge_figures_do_not_overflow() {
        let figures = GoalFigures {
            usd_pledged: 999,
            ..GoalFigures::default()
        };
        assert_eq!(
            progress(
                &[goal(GoalKind::UsdPledged, 1000)],
                &figures,
                day(2026, 1, 1)
            )[0]
            .percent,
            99
        );
        let huge = GoalFigures {
            usd_pledged: i128::MAX / 2,
            ..GoalFigures::default()
        };
        let p = progress(&[goal(GoalKind::UsdPledged, 1)], &huge, day(2026, 1, 1));
        assert!(p[0].reached);
        assert_eq!(p[0].percent, u64::MAX);
    }

    #[test]
    fn the_headline_goal_is_usd_pledged_else_the_first() {
        let figures = GoalFigures::default();
        let today = day(2026, 1, 1);
        let both = progress(
            &[goal(GoalKind::Pledges, 10), goal(GoalKind::UsdPledged, 10)],
            &figures,
            today,
        );
        assert_eq!(headline(&both).unwrap().kind, GoalKind::UsdPledged);
        let one = progress(&[goal(GoalKind::Entities, 3)], &figures, today);
        assert_eq!(headline(&one).unwrap().kind, GoalKind::Entities);
        assert!(headline(&[]).is_none());
    }

    #[test]
    fn goals_parse_in_the_order_sent() {
        let goals = input(serde_json::json!([
            {"kind": "pledges", "target": 100, "deadline": "2026-12-31"},
            {"kind": "usd_pledged", "target": 100_000_000_000_i64, "deadline": "2026-12-31"},
        ]))
        .parse()
        .unwrap();
        assert_eq!(
            goals.iter().map(|g| g.kind).collect::<Vec<_>>(),
            [GoalKind::Pledges, GoalKind::UsdPledged]
        );
        assert!(input(serde_json::json!([])).parse().unwrap().is_empty());
    }

    #[test]
    fn bad_goals_are_refused_with_every_error_at_once() {
        let err = input(serde_json::json!([
            {"kind": "pledges", "target": 0, "deadline": "2026-12-31"},
            {"kind": "pledges", "target": 5, "deadline": "2026-12-31"},
            {"kind": "smiles", "target": -3, "deadline": "2026-12-31"},
        ]))
        .parse()
        .unwrap_err();
        assert_eq!(
            codes(err),
            [
                ("goals[0].target".to_owned(), "out_of_range".to_owned()),
                ("goals[1].kind".to_owned(), "duplicate".to_owned()),
                ("goals[2].kind".to_owned(), "unknown_value".to_owned()),
                ("goals[2].target".to_owned(), "negative".to_owned()),
            ]
        );
        let too_many = input(serde_json::json!([
            {"kind": "pledges", "target": 1, "deadline": "2026-12-31"},
            {"kind": "entities", "target": 1, "deadline": "2026-12-31"},
            {"kind": "usd_pledged", "target": 1, "deadline": "2026-12-31"},
            {"kind": "pledges", "target": 2, "deadline": "2026-12-31"},
        ]))
        .parse()
        .unwrap_err();
        assert_eq!(
            codes(too_many),
            [("goals".to_owned(), "too_many".to_owned())]
        );
        let too_large = input(serde_json::json!([
            {"kind": "usd_pledged", "target": TARGET_MAX + 1, "deadline": "2026-12-31"},
        ]))
        .parse()
        .unwrap_err();
        assert_eq!(
            codes(too_large),
            [("goals[0].target".to_owned(), "too_large".to_owned())]
        );
    }
}
