//! Figures over time: a scope's snapshot as of a past date and its dated series, read from the
//! days' closes that counted changes keep (`db::counters::ledger`).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::history::default_from;

use crate::{
    db::{counters as repo, DbConnection},
    domain::{
        counters::{Scope, Snapshot},
        history::{dates, past_or_today, snapshot_at, HistoryPoint, Interval},
    },
    error::AppResult,
};

/// A scope's figures over a range of dates.
// Named apart from a pledge's history (`History`, its audit trail) in the contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StatsHistory)]
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
    Ok(snapshot_at(scope, ledger.at(day)?, day, staff))
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
            Ok(HistoryPoint::of(
                day,
                &snapshot_at(scope, figures, day, false),
            ))
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
