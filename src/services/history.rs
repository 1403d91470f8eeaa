//! Figures over time: a scope's snapshot as of a past date and its dated series, read from the
//! days' closes that counted changes keep (`db::counters::ledger`).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::history::default_from;

use crate::{
    db::{counters as repo, DbConnection},
    domain::{
        counters::{Scope, ScopeCounters, Snapshot},
        history::{dates, end_of, past_or_today, HistoryError, HistoryPoint, Interval},
    },
    error::AppResult,
};

/// A scope's figures over a range of dates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct History {
    /// `all`, or a track slug.
    pub scope: String,
    pub interval: Interval,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One point per date: every day, or the end of every month (the last one ending on `to`).
    pub points: Vec<HistoryPoint>,
}

/// The snapshot of `scope` at the end of `day` (not after `today`); staff also see the pending
/// figures as they stood.
pub fn as_of(
    conn: &mut DbConnection,
    scope: &Scope,
    day: NaiveDate,
    today: NaiveDate,
    staff: bool,
) -> AppResult<Snapshot> {
    let day = past_or_today(day, today)?;
    let ledger = repo::ledger(conn, scope, day, day)?;
    Ok(snapshot(scope, ledger.at(day)?, day, staff))
}

/// The public snapshot of `scope` at the end of `day`; none when the figures of that day were
/// never recorded.
pub fn figures_on(
    conn: &mut DbConnection,
    scope: &Scope,
    day: NaiveDate,
) -> AppResult<Option<Snapshot>> {
    let ledger = repo::ledger(conn, scope, day, day)?;
    Ok(match ledger.at(day) {
        Ok(figures) => Some(snapshot(scope, figures, day, false)),
        Err(HistoryError::BeforeHistory { .. }) => None,
        Err(other) => return Err(other.into()),
    })
}

/// The series of `scope` from `from` to `to`.
pub fn series(
    conn: &mut DbConnection,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    interval: Interval,
    today: NaiveDate,
) -> AppResult<History> {
    let dates = dates(from, to, interval, today)?;
    let ledger = repo::ledger(conn, scope, from, to)?;
    let points = dates
        .into_iter()
        .map(|day| {
            let figures = ledger.at(day)?;
            Ok(HistoryPoint::of(day, &snapshot(scope, figures, day, false)))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(History {
        scope: scope.as_str().to_owned(),
        interval,
        from,
        to,
        points,
    })
}

/// The snapshot of the figures that stood at the end of `day` (empty ones when the scope held
/// nothing yet).
fn snapshot(
    scope: &Scope,
    figures: Option<&ScopeCounters>,
    day: NaiveDate,
    staff: bool,
) -> Snapshot {
    let at = end_of(day);
    match figures {
        Some(figures) => figures.snapshot(scope.as_str(), staff, at),
        None => ScopeCounters::new(at).snapshot(scope.as_str(), staff, at),
    }
}
