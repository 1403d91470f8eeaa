//! Figures over time: which stored figures stand for a past date, and the dates of a series.
//!
//! Storage keeps, per scope, the figures at the end of every day on which they changed (a
//! "close", written by the first change of a later day) beside the live figures. The figures of
//! a date are those of the latest close on or before it, or the live ones when nothing has
//! changed since that date; before the first close they are empty, unless that close was written
//! by the upgrade that began recording (the figures before it are unknown).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::counters::{ActiveFigures, Scope, ScopeCounters, Snapshot};

/// The most points one series may hold: three years of days, fifty years of months.
pub const MAX_POINTS: usize = 1_100;

/// The spacing of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    #[default]
    Day,
    Month,
}

/// What a series or a date asks for that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// `from` after `to`.
    Reversed,
    /// A date after today: the figures of the future are not known.
    InFuture { today: NaiveDate },
    /// More points than [`MAX_POINTS`].
    TooLong { points: usize },
    /// Before the figures were first recorded.
    BeforeHistory { since: NaiveDate },
}

/// One scope's stored figures over time.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// The closes, by day ascending, each with whether it begins the recorded history.
    closes: Vec<(NaiveDate, ScopeCounters, bool)>,
    /// The live figures; none when nothing was ever counted in the scope.
    current: Option<ScopeCounters>,
}

impl Ledger {
    /// A ledger of `closes` (in any order) and the live figures.
    pub fn new(
        mut closes: Vec<(NaiveDate, ScopeCounters, bool)>,
        current: Option<ScopeCounters>,
    ) -> Self {
        closes.sort_by_key(|(day, _, _)| *day);
        Ledger { closes, current }
    }

    /// The figures at the end of `day`; `None` when the scope held nothing then.
    pub fn at(&self, day: NaiveDate) -> Result<Option<&ScopeCounters>, HistoryError> {
        if let Some(current) = &self.current {
            if current.updated_at().date_naive() <= day {
                return Ok(Some(current));
            }
        }
        let on_or_before = self.closes.partition_point(|(d, _, _)| *d <= day);
        if on_or_before > 0 {
            return Ok(Some(&self.closes[on_or_before - 1].1));
        }
        match self.closes.first() {
            Some((since, _, true)) => Err(HistoryError::BeforeHistory { since: *since }),
            _ => Ok(None),
        }
    }
}

/// The headline figures of a scope at the end of one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryPoint {
    pub date: NaiveDate,
    /// Published pledges (all-time: completed and inactive ones included, withdrawn ones not).
    pub pledges: u64,
    /// In whole USD.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_pledged: i128,
    /// In whole USD, from accepted progress reports.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_disbursed: i128,
    pub entities: u64,
    pub governments: u64,
    pub countries: u64,
    pub ldc_pledges: u64,
    /// The on-going part of the figures (published, neither completed nor inactive).
    pub active: ActiveFigures,
}

impl HistoryPoint {
    /// The point of `date` from the figures that stood then.
    pub fn of(date: NaiveDate, snapshot: &Snapshot) -> Self {
        HistoryPoint {
            date,
            pledges: snapshot.pledges,
            usd_pledged: snapshot.usd_pledged,
            usd_disbursed: snapshot.usd_disbursed,
            entities: snapshot.entities,
            governments: snapshot.governments,
            countries: snapshot.countries,
            ldc_pledges: snapshot.ldc_pledges,
            active: snapshot.active,
        }
    }
}

/// The last instant of `day`: the time of a date's snapshot (its pledges published that day).
pub fn end_of(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_hms_micro_opt(23, 59, 59, 999_999)
        .unwrap_or_default()
        .and_utc()
}

/// The snapshot of the figures that stood at the end of `day` (empty ones when the scope held
/// nothing yet); staff also see the pending figures as they stood.
pub fn snapshot_at(
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

/// Checks that `day` is not after `today`.
pub fn past_or_today(day: NaiveDate, today: NaiveDate) -> Result<NaiveDate, HistoryError> {
    if day > today {
        return Err(HistoryError::InFuture { today });
    }
    Ok(day)
}

/// The dates of a series from `from` to `to` (both included, neither after `today`): every day,
/// or the last day of every month (the month of `to` ending on `to`).
pub fn dates(
    from: NaiveDate,
    to: NaiveDate,
    interval: Interval,
    today: NaiveDate,
) -> Result<Vec<NaiveDate>, HistoryError> {
    past_or_today(to, today)?;
    if from > to {
        return Err(HistoryError::Reversed);
    }
    let points = match interval {
        Interval::Day => usize::try_from((to - from).num_days() + 1).unwrap_or(usize::MAX),
        Interval::Month => {
            let months = (to.year() - from.year()) * 12 + to.month0() as i32 - from.month0() as i32;
            usize::try_from(months + 1).unwrap_or(usize::MAX)
        }
    };
    if points > MAX_POINTS {
        return Err(HistoryError::TooLong { points });
    }
    Ok(match interval {
        Interval::Day => from.iter_days().take(points).collect(),
        Interval::Month => (0..points).map(|i| month_end(from, i).min(to)).collect(),
    })
}

/// The last day of the month `months` after the month of `day`.
fn month_end(day: NaiveDate, months: usize) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    let months = u32::try_from(months).unwrap_or(u32::MAX);
    first
        .checked_add_months(Months::new(months.saturating_add(1)))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The default start of a series ending on `to`: thirty days, or twelve months, before.
pub fn default_from(to: NaiveDate, interval: Interval) -> NaiveDate {
    match interval {
        Interval::Day => to
            .checked_sub_signed(chrono::Duration::days(29))
            .unwrap_or(NaiveDate::MIN),
        Interval::Month => to
            .with_day(1)
            .and_then(|d| d.checked_sub_months(Months::new(11)))
            .unwrap_or(NaiveDate::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::counters::{Contribution, Counters, PledgeFacts};
    use chrono::{DateTime, TimeZone, Utc};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn noon(d: NaiveDate) -> DateTime<Utc> {
        Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
    }

    /// Figures of `pledges` published pledges, stamped at noon on `on`.
    fn figures(pledges: usize, on: NaiveDate) -> ScopeCounters {
        let facts = (0..pledges).map(|i| {
            (
                PledgeFacts {
                    id: format!("p{i}"),
                    organisation_id: format!("o{i}"),
                    ..PledgeFacts::default()
                },
                Contribution::Published,
            )
        });
        let (global, _) = Counters::recount(facts, noon(on)).into_scopes();
        global
    }

    fn pledges(found: Result<Option<&ScopeCounters>, HistoryError>) -> Option<u64> {
        found.unwrap().map(|c| c.figures().pledges())
    }

    #[test]
    fn a_date_reads_the_latest_close_on_or_before_it_or_the_live_figures() {
        let ledger = Ledger::new(
            vec![
                (day(2025, 3, 10), figures(2, day(2025, 3, 10)), false),
                (day(2025, 3, 1), figures(1, day(2025, 3, 1)), false),
            ],
            Some(figures(3, day(2025, 3, 20))),
        );
        assert_eq!(pledges(ledger.at(day(2025, 2, 28))), None);
        assert_eq!(pledges(ledger.at(day(2025, 3, 1))), Some(1));
        assert_eq!(pledges(ledger.at(day(2025, 3, 9))), Some(1));
        assert_eq!(pledges(ledger.at(day(2025, 3, 10))), Some(2));
        assert_eq!(pledges(ledger.at(day(2025, 3, 19))), Some(2));
        assert_eq!(pledges(ledger.at(day(2025, 3, 20))), Some(3));
        assert_eq!(pledges(ledger.at(day(2026, 1, 1))), Some(3));
    }

    #[test]
    fn before_the_upgrade_that_began_recording_the_figures_are_unknown() {
        let since = day(2025, 6, 1);
        let ledger = Ledger::new(vec![(since, figures(40, since), true)], None);
        assert_eq!(
            ledger.at(day(2025, 5, 31)).unwrap_err(),
            HistoryError::BeforeHistory { since }
        );
        assert_eq!(pledges(ledger.at(since)), Some(40));
    }

    #[test]
    fn a_scope_never_counted_is_empty_on_every_date() {
        let ledger = Ledger::new(Vec::new(), None);
        assert_eq!(pledges(ledger.at(day(2025, 1, 1))), None);
    }

    #[test]
    fn daily_series_hold_every_day_and_monthly_ones_each_month_end() {
        let today = day(2026, 3, 15);
        assert_eq!(
            dates(day(2026, 2, 27), day(2026, 3, 2), Interval::Day, today).unwrap(),
            [
                day(2026, 2, 27),
                day(2026, 2, 28),
                day(2026, 3, 1),
                day(2026, 3, 2)
            ]
        );
        assert_eq!(
            dates(day(2025, 12, 15), day(2026, 3, 10), Interval::Month, today).unwrap(),
            [
                day(2025, 12, 31),
                day(2026, 1, 31),
                day(2026, 2, 28),
                day(2026, 3, 10)
            ]
        );
        assert_eq!(
            dates(today, today, Interval::Month, today).unwrap(),
            [today]
        );
    }

    #[test]
    fn series_refuse_the_future_reversed_ranges_and_too_many_points() {
        let today = day(2026, 3, 15);
        assert_eq!(
            dates(today, day(2026, 3, 16), Interval::Day, today).unwrap_err(),
            HistoryError::InFuture { today }
        );
        assert_eq!(
            dates(day(2026, 3, 2), day(2026, 3, 1), Interval::Day, today).unwrap_err(),
            HistoryError::Reversed
        );
        assert!(matches!(
            dates(day(2020, 1, 1), today, Interval::Day, today),
            Err(HistoryError::TooLong { .. })
        ));
        assert_eq!(
            dates(day(2020, 1, 1), today, Interval::Month, today)
                .unwrap()
                .len(),
            75
        );
    }

    #[test]
    fn default_ranges_are_thirty_days_or_twelve_months() {
        let to = day(2026, 3, 15);
        assert_eq!(default_from(to, Interval::Day), day(2026, 2, 14));
        assert_eq!(default_from(NaiveDate::MIN, Interval::Day), NaiveDate::MIN);
        assert_eq!(
            default_from(NaiveDate::MIN, Interval::Month),
            NaiveDate::MIN
        );
        assert_eq!(default_from(to, Interval::Month), day(2025, 4, 1));
        assert_eq!(
            dates(default_from(to, Interval::Month), to, Interval::Month, to)
                .unwrap()
                .len(),
            12
        );
    }
}
