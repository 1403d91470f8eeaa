//! What happens to a pledge after the applause: its reporting duty year by year, when it turns
//! inactive, and its traffic light. Pure: the caller passes the accepted reports and the date.
//!
//! # Reporting
//!
//! A pledge published in year Y owes a progress report on every calendar year from Y on. The
//! report on year R is due by the end of [`REPORT_DUE`] in year R + 1 (31 March). A reporting
//! year is *missed* once its deadline has passed with no accepted report on that year or a later
//! one: a report on a later year covers the years before it, so one accepted report brings a
//! pledge fully back into step.
//!
//! | missed reporting years | standing | what the organisation hears |
//! | --- | --- | --- |
//! | 0 | `active` | the yearly reminder when a report falls due |
//! | 1 | `active` | a second reminder, [`SECOND_REMINDER_DAYS`] days before the next deadline |
//! | 2 or more | `inactive` | the notice, once, when the second year is missed |
//!
//! # Traffic light
//!
//! [`light`] decides, in this order (the first rule that applies wins):
//!
//! 1. `completed`: a final report (implementation status `completed`) was accepted.
//! 2. `no_report`: no report has been accepted yet.
//! 3. `off_track`: the latest accepted report says `discontinued`, or a deliverable is past its
//!    due date without having reached its target.
//! 4. Otherwise each deliverable is scored: the share of the way from baseline to target it
//!    had covered by the end of the latest reported year, divided by the share of its time
//!    (from the pledge's start to the deliverable's due date) gone by then. The worst score
//!    decides: at least [`ON_TRACK`] is `on_track`, at least [`AT_RISK`] is `at_risk`, below
//!    is `off_track`. A deliverable that reached its target scores as on track; a pledge
//!    without deliverables is `on_track`.
//! 5. A pledge that has missed a reporting year is at best `at_risk`: its figures are stale.

use chrono::{Datelike, NaiveDate};

use super::{
    pledge::{Deliverable, ImplementationStatus},
    report::DeliverableValue,
    vocabulary::vocabulary,
};

/// The report on a year is due by the end of this month and day of the following year.
pub const REPORT_DUE: (u32, u32) = (3, 31);
/// How long before the second deadline an organisation that missed one year is reminded.
pub const SECOND_REMINDER_DAYS: i64 = 60;
/// The lowest score (progress made ÷ progress expected) that is on track.
pub const ON_TRACK: f64 = 0.9;
/// The lowest score that is at risk rather than off track.
pub const AT_RISK: f64 = 0.5;

vocabulary!(
    /// A pledge's traffic light (the rule is this module's documentation).
    Light {
        OnTrack => "on_track",
        AtRisk => "at_risk",
        OffTrack => "off_track",
        Completed => "completed",
        NoReport => "no_report",
    }
);

/// The last day a report on `year` is accepted as on time.
pub fn deadline(year: i32) -> NaiveDate {
    let (month, day) = REPORT_DUE;
    NaiveDate::from_ymd_opt(year + 1, month, day).unwrap_or(NaiveDate::MAX)
}

/// Where a published pledge stands with its reports on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reporting {
    /// Reporting years whose deadline passed with no accepted report on them or a later year.
    pub missed: u32,
    /// The first year without an accepted report whose deadline is still ahead, and that
    /// deadline.
    pub next_due: (i32, NaiveDate),
}

impl Reporting {
    /// Where a pledge published in `first_year` stands on `today`, given the years its accepted
    /// reports are on (any order).
    pub fn on(first_year: i32, accepted_years: &[i32], today: NaiveDate) -> Self {
        let latest = accepted_years
            .iter()
            .copied()
            .filter(|y| *y >= first_year)
            .max();
        let owed_from = latest.map_or(first_year, |y| y + 1);
        // Years owed whose deadline is behind us: owed_from ..= the last year due by today.
        let last_due_year = if today > deadline(today.year() - 1) {
            today.year() - 1
        } else {
            today.year() - 2
        };
        let missed = u32::try_from((last_due_year - owed_from + 1).max(0)).unwrap_or(u32::MAX);
        let next_year = owed_from.max(last_due_year + 1);
        Reporting {
            missed,
            next_due: (next_year, deadline(next_year)),
        }
    }

    /// Two missed reporting years make a pledge inactive; the next accepted report lifts it.
    pub fn inactive(&self) -> bool {
        self.missed >= 2
    }

    /// What the organisation should hear today, if anything; each notice goes out once per
    /// pledge and year (the caller keeps track of what was sent).
    pub fn notice(&self, today: NaiveDate) -> Option<Notice> {
        let (year, due) = self.next_due;
        match self.missed {
            0 => None,
            1 if (due - today).num_days() <= SECOND_REMINDER_DAYS => {
                Some(Notice::SecondReminder { year, due })
            }
            1 => None,
            _ => Some(Notice::Inactive {
                since_year: year - 1,
            }),
        }
    }
}

/// A message the reporting rules call for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// One reporting year is missed and the next deadline is near: report by `due`, or the
    /// pledge turns inactive.
    SecondReminder { year: i32, due: NaiveDate },
    /// Two reporting years are missed (the second being `since_year`): the pledge is inactive
    /// until a report is accepted.
    Inactive { since_year: i32 },
}

/// One deliverable as the traffic light sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeliverableProgress {
    pub baseline: f64,
    pub target: f64,
    pub due: NaiveDate,
    /// The value the latest accepted report gives for it, if any.
    pub reached: Option<f64>,
}

impl DeliverableProgress {
    /// The share of the way from baseline to target covered (a target below the baseline
    /// counts a decrease as progress); 1 when baseline and target are equal.
    fn covered(&self) -> f64 {
        let span = self.target - self.baseline;
        if span == 0.0 {
            return 1.0;
        }
        self.reached.map_or(0.0, |v| (v - self.baseline) / span)
    }

    fn reached_target(&self) -> bool {
        self.covered() >= 1.0
    }
}

/// The latest accepted report, as the traffic light sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatestReport {
    pub year: i32,
    pub status: ImplementationStatus,
    /// Filed as the pledge's final report.
    pub is_final: bool,
}

/// Everything the traffic light is computed from.
#[derive(Debug, Clone)]
pub struct LightInput<'a> {
    /// When the pledge's work started: its start date, or its publication.
    pub start: NaiveDate,
    pub deliverables: &'a [DeliverableProgress],
    pub latest: Option<LatestReport>,
    pub reporting: Reporting,
    pub today: NaiveDate,
}

/// An accepted report, as the lifecycle rules read it.
#[derive(Debug, Clone, Copy)]
pub struct Accepted<'a> {
    pub year: i32,
    pub status: ImplementationStatus,
    pub is_final: bool,
    pub values: &'a [DeliverableValue],
}

/// The traffic light of a pledge published on `published` (its work starting on `start`, or
/// on publication), from its deliverables and accepted reports. Each deliverable is judged by
/// the value the latest accepted report giving one says.
pub fn light_of(
    published: NaiveDate,
    start: Option<NaiveDate>,
    deliverables: &[Deliverable],
    accepted: &[Accepted<'_>],
    today: NaiveDate,
) -> Light {
    let mut by_year: Vec<&Accepted<'_>> = accepted.iter().collect();
    by_year.sort_by_key(|r| r.year);
    let progress: Vec<DeliverableProgress> = deliverables
        .iter()
        .enumerate()
        .map(|(i, d)| DeliverableProgress {
            baseline: d.baseline,
            target: d.target,
            due: d.due_date,
            reached: by_year.iter().rev().find_map(|r| {
                r.values
                    .iter()
                    .find(|v| usize::from(v.deliverable) == i)
                    .map(|v| v.value)
            }),
        })
        .collect();
    let years: Vec<i32> = by_year.iter().map(|r| r.year).collect();
    light(&LightInput {
        start: start.unwrap_or(published),
        deliverables: &progress,
        latest: by_year.last().map(|r| LatestReport {
            year: r.year,
            status: r.status,
            is_final: r.is_final,
        }),
        reporting: Reporting::on(published.year(), &years, today),
        today,
    })
}

/// The traffic light; see the module's documentation for the rule.
pub fn light(input: &LightInput<'_>) -> Light {
    let Some(latest) = input.latest else {
        return Light::NoReport;
    };
    if latest.is_final && latest.status == ImplementationStatus::Completed {
        return Light::Completed;
    }
    if latest.status == ImplementationStatus::Discontinued {
        return Light::OffTrack;
    }
    let overdue = input
        .deliverables
        .iter()
        .any(|d| d.due < input.today && !d.reached_target());
    if overdue {
        return Light::OffTrack;
    }
    // Progress is judged as of the end of the latest reported year.
    let as_of = NaiveDate::from_ymd_opt(latest.year, 12, 31).unwrap_or(input.today);
    let worst = input
        .deliverables
        .iter()
        .map(|d| score(d, input.start, as_of))
        .fold(f64::INFINITY, f64::min);
    let light = if worst >= ON_TRACK {
        Light::OnTrack
    } else if worst >= AT_RISK {
        Light::AtRisk
    } else {
        Light::OffTrack
    };
    if light == Light::OnTrack && input.reporting.missed > 0 {
        return Light::AtRisk;
    }
    light
}

/// Progress made ÷ progress expected by `as_of`, for one deliverable.
fn score(d: &DeliverableProgress, start: NaiveDate, as_of: NaiveDate) -> f64 {
    if d.reached_target() {
        return f64::INFINITY;
    }
    let total = (d.due - start).num_days();
    let elapsed = (as_of.min(d.due) - start).num_days();
    if total <= 0 || elapsed <= 0 {
        // Nothing was expected yet.
        return f64::INFINITY;
    }
    let expected = elapsed as f64 / total as f64;
    d.covered() / expected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_year_is_due_by_the_end_of_march_after_it() {
        assert_eq!(deadline(2024), day(2025, 3, 31));
    }

    #[test]
    fn reporting_standing_over_the_years() {
        // Published in 2023: the report on 2023 is due by 31 March 2024.
        type Standing = (u32, (i32, NaiveDate), bool);
        let cases: &[(&[i32], NaiveDate, Standing)] = &[
            // (accepted years, today, missed, next due, inactive)
            (&[], day(2023, 6, 1), (0, (2023, day(2024, 3, 31)), false)),
            (&[], day(2024, 3, 31), (0, (2023, day(2024, 3, 31)), false)),
            (&[], day(2024, 4, 1), (1, (2024, day(2025, 3, 31)), false)),
            (&[], day(2025, 3, 31), (1, (2024, day(2025, 3, 31)), false)),
            (&[], day(2025, 4, 1), (2, (2025, day(2026, 3, 31)), true)),
            (&[], day(2027, 4, 1), (4, (2027, day(2028, 3, 31)), true)),
            (
                &[2023],
                day(2024, 4, 1),
                (0, (2024, day(2025, 3, 31)), false),
            ),
            (
                &[2023],
                day(2025, 4, 1),
                (1, (2025, day(2026, 3, 31)), false),
            ),
            (
                &[2023],
                day(2026, 4, 1),
                (2, (2026, day(2027, 3, 31)), true),
            ),
            // A late report on a later year brings the pledge back, whatever it missed.
            (
                &[2025],
                day(2026, 4, 1),
                (0, (2026, day(2027, 3, 31)), false),
            ),
            (
                &[2023, 2025],
                day(2026, 1, 1),
                (0, (2026, day(2027, 3, 31)), false),
            ),
            // A report ahead of time on the current year counts.
            (
                &[2023, 2024],
                day(2024, 12, 20),
                (0, (2025, day(2026, 3, 31)), false),
            ),
            // A report on a year before publication is not owed and changes nothing.
            (
                &[2021],
                day(2024, 4, 1),
                (1, (2024, day(2025, 3, 31)), false),
            ),
        ];
        for (years, today, standing) in cases {
            let r = Reporting::on(2023, years, *today);
            assert_eq!(
                (r.missed, r.next_due, r.inactive()),
                *standing,
                "{years:?} on {today}"
            );
        }
    }

    #[test]
    fn notices_come_before_and_when_a_pledge_turns_inactive() {
        let on = |today| {
            let r = Reporting::on(2023, &[], today);
            r.notice(today)
        };
        assert_eq!(on(day(2023, 12, 1)), None, "nothing owed yet");
        assert_eq!(
            on(day(2024, 4, 1)),
            None,
            "one year missed, far from the next deadline"
        );
        assert_eq!(
            on(day(2025, 1, 30)),
            Some(Notice::SecondReminder {
                year: 2024,
                due: day(2025, 3, 31)
            })
        );
        assert_eq!(
            on(day(2025, 4, 1)),
            Some(Notice::Inactive { since_year: 2024 })
        );
    }

    fn deliverable(
        baseline: f64,
        target: f64,
        due: NaiveDate,
        reached: Option<f64>,
    ) -> DeliverableProgress {
        DeliverableProgress {
            baseline,
            target,
            due,
            reached,
        }
    }

    fn report(year: i32, status: ImplementationStatus, is_final: bool) -> Option<LatestReport> {
        Some(LatestReport {
            year,
            status,
            is_final,
        })
    }

    /// (what the case shows, deliverables, latest accepted report, reporting, today, light)
    struct Case(
        &'static str,
        Vec<DeliverableProgress>,
        Option<LatestReport>,
        Reporting,
        NaiveDate,
        Light,
    );

    #[test]
    fn the_traffic_light_for_every_input_class() {
        use ImplementationStatus::*;
        let start = day(2023, 1, 1);
        let due = day(2026, 12, 31); // four years: by the end of 2024, half the way is expected
        let current = Reporting::on(2023, &[2023, 2024], day(2025, 2, 1));
        let stale = Reporting::on(2023, &[2023], day(2025, 6, 1));
        let feb = day(2025, 2, 1);
        let june = day(2025, 6, 1);
        let cases = [
            Case(
                "nothing accepted yet",
                vec![deliverable(0.0, 100.0, due, None)],
                None,
                current,
                feb,
                Light::NoReport,
            ),
            Case(
                "final report, completed",
                vec![deliverable(0.0, 100.0, due, Some(100.0))],
                report(2024, Completed, true),
                current,
                feb,
                Light::Completed,
            ),
            Case(
                "completed but not final",
                vec![deliverable(0.0, 100.0, due, Some(100.0))],
                report(2024, Completed, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "discontinued",
                vec![deliverable(0.0, 100.0, due, Some(90.0))],
                report(2024, Discontinued, false),
                current,
                feb,
                Light::OffTrack,
            ),
            Case(
                "half way at half time",
                vec![deliverable(0.0, 100.0, due, Some(50.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "ahead",
                vec![deliverable(0.0, 100.0, due, Some(80.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "behind",
                vec![deliverable(0.0, 100.0, due, Some(35.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::AtRisk,
            ),
            Case(
                "far behind",
                vec![deliverable(0.0, 100.0, due, Some(10.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OffTrack,
            ),
            Case(
                "no figure reported",
                vec![deliverable(0.0, 100.0, due, None)],
                report(2024, NotStarted, false),
                current,
                feb,
                Light::OffTrack,
            ),
            Case(
                "the worst deliverable decides",
                vec![
                    deliverable(0.0, 100.0, due, Some(90.0)),
                    deliverable(0.0, 10.0, due, Some(3.0)),
                ],
                report(2024, InProgress, false),
                current,
                feb,
                Light::AtRisk,
            ),
            Case(
                "a decrease towards a lower target",
                vec![deliverable(100.0, 0.0, due, Some(50.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "baseline equals target",
                vec![deliverable(5.0, 5.0, due, None)],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "past due, short of target",
                vec![deliverable(0.0, 100.0, day(2024, 6, 30), Some(99.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OffTrack,
            ),
            Case(
                "past due, target reached",
                vec![deliverable(0.0, 100.0, day(2024, 6, 30), Some(100.0))],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "nothing expected yet",
                vec![deliverable(0.0, 100.0, due, Some(0.0))],
                report(2022, NotStarted, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "no deliverables",
                vec![],
                report(2024, InProgress, false),
                current,
                feb,
                Light::OnTrack,
            ),
            Case(
                "on track but a year missed",
                vec![deliverable(0.0, 100.0, due, Some(30.0))],
                report(2023, InProgress, false),
                stale,
                june,
                Light::AtRisk,
            ),
            Case(
                "off track and a year missed",
                vec![deliverable(0.0, 100.0, due, Some(5.0))],
                report(2023, InProgress, false),
                stale,
                june,
                Light::OffTrack,
            ),
        ];
        for Case(name, deliverables, latest, reporting, today, expected) in cases {
            let input = LightInput {
                start,
                deliverables: &deliverables,
                latest,
                reporting,
                today,
            };
            assert_eq!(light(&input), expected, "{name}");
        }
    }

    #[test]
    fn every_light_has_its_contract_name() {
        for l in Light::ALL {
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
    }

    #[test]
    fn light_of_reads_each_deliverable_from_the_latest_report_that_gives_it() {
        use crate::domain::pledge::DeliverableUnit;
        let deliverable = |target: f64, due: NaiveDate| Deliverable {
            what: "Connect schools".into(),
            indicator: "Schools connected".into(),
            unit: DeliverableUnit::Schools,
            baseline: 0.0,
            target,
            due_date: due,
        };
        let deliverables = [
            deliverable(100.0, day(2027, 12, 31)),
            deliverable(10.0, day(2027, 12, 31)),
        ];
        let first = [
            DeliverableValue {
                deliverable: 0,
                value: 30.0,
            },
            DeliverableValue {
                deliverable: 1,
                value: 3.0,
            },
        ];
        // The 2025 report gives only the first deliverable: the second keeps its 2024 value.
        let second = [DeliverableValue {
            deliverable: 0,
            value: 60.0,
        }];
        let accepted = |year, values| Accepted {
            year,
            status: ImplementationStatus::InProgress,
            is_final: false,
            values,
        };
        let published = day(2024, 1, 1);
        let today = day(2026, 2, 1);
        let reports = [accepted(2025, &second[..]), accepted(2024, &first[..])];
        // By the end of 2025 half the time is gone: 60% of the first is on track, the second's
        // 30% (from 2024) is below half of what was expected: at risk.
        assert_eq!(
            light_of(published, None, &deliverables, &reports, today),
            Light::AtRisk
        );
        assert_eq!(
            light_of(published, None, &deliverables, &[], today),
            Light::NoReport
        );
        let done = [
            DeliverableValue {
                deliverable: 0,
                value: 100.0,
            },
            DeliverableValue {
                deliverable: 1,
                value: 10.0,
            },
        ];
        assert_eq!(
            light_of(
                published,
                None,
                &deliverables,
                &[accepted(2025, &done[..])],
                today
            ),
            Light::OnTrack
        );
        let fin = Accepted {
            year: 2025,
            status: ImplementationStatus::Completed,
            is_final: true,
            values: &done,
        };
        assert_eq!(
            light_of(published, None, &deliverables, &[fin], today),
            Light::Completed
        );
    }
}
