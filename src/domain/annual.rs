//! The annual report pack: for one year, per track and in total, what was published, what was
//! reported and accepted, how the traffic lights stood at the year's end, and the figures of
//! that day. The tally is pure: storage hands in each pledge's dated facts, and the year-end
//! figures come from the counters' history, so the pack of a closed year reads the same however
//! often it is made.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    counters::{Snapshot, GLOBAL_SCOPE},
    history::HistoryPoint,
    progress::Light,
    spreadsheet::neutralise,
};

/// The earliest year a pack is made for.
pub const FIRST_YEAR: i32 = 2000;

/// The days a pack covers: the year, up to `today` while it is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The year has ended: its pack no longer changes.
    pub closed: bool,
}

/// A year no pack is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearRefused {
    /// After the current year.
    InFuture { this_year: i32 },
    /// Before [`FIRST_YEAR`].
    TooEarly,
}

impl Period {
    /// The period of `year` as seen on `today`.
    pub fn of(year: i32, today: NaiveDate) -> Result<Self, YearRefused> {
        if year > today.year() {
            return Err(YearRefused::InFuture {
                this_year: today.year(),
            });
        }
        let (Some(first), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Err(YearRefused::TooEarly);
        };
        if year < FIRST_YEAR {
            return Err(YearRefused::TooEarly);
        }
        Ok(Period {
            year,
            first,
            last: end.min(today),
            closed: year < today.year(),
        })
    }

    fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

/// What one pledge published by the end of the period brings to the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeYear {
    pub tracks: Vec<String>,
    pub published_on: NaiveDate,
    pub withdrawn_on: Option<NaiveDate>,
    /// Its value in whole USD (0 without one).
    pub usd: i64,
    /// Its traffic light at the end of the period, from the reports accepted by then.
    pub light: Light,
    /// Its accepted reports: the day each was accepted and the USD it reports disbursed.
    pub accepted: Vec<(NaiveDate, i64)>,
}

/// Pledges published during the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishedInYear {
    pub pledges: u64,
    /// Their value, in whole USD.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_pledged: i128,
    /// Of those, withdrawn again before the period ended.
    pub withdrawn: u64,
}

/// Progress reports accepted during the period (whatever year they report on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportsInYear {
    pub accepted: u64,
    /// The USD they report disbursed, in whole USD.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_disbursed: i128,
}

/// A scope's figures at the end of the period, as the counters' history holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearEnd {
    /// The headline figures, dated. (Nested rather than flattened: serde cannot read the
    /// 128-bit sums back through a flattened field.)
    pub figures: HistoryPoint,
    /// USD pledged per SDG (overlapping: a pledge with several SDGs counts in each).
    #[schema(value_type = BTreeMap<String, i64>)]
    pub usd_by_sdg: BTreeMap<i32, i128>,
    /// USD pledged per focus area (overlapping).
    #[schema(value_type = BTreeMap<String, i64>)]
    pub usd_by_focus_area: BTreeMap<String, i128>,
    /// USD pledged per region (overlapping).
    #[schema(value_type = BTreeMap<String, i64>)]
    pub usd_by_region: BTreeMap<String, i128>,
    #[schema(value_type = i64, minimum = 0)]
    pub usd_to_ldcs: i128,
}

impl YearEnd {
    pub fn of(date: NaiveDate, s: &Snapshot) -> Self {
        YearEnd {
            figures: HistoryPoint::of(date, s),
            usd_by_sdg: s.usd_by_sdg.clone(),
            usd_by_focus_area: s.usd_by_focus_area.clone(),
            usd_by_region: s.usd_by_region.clone(),
            usd_to_ldcs: s.usd_to_ldcs,
        }
    }
}

/// One scope of the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScopePack {
    /// `all`, or a track slug.
    pub scope: String,
    pub name: String,
    pub published: PublishedInYear,
    pub reports: ReportsInYear,
    /// The traffic lights of the scope's public pledges at the end of the period (every light
    /// named, with zero where none).
    pub lights: BTreeMap<String, u64>,
    /// The scope's figures at the end of the period; none when they were not recorded then
    /// (before history was kept).
    pub year_end: Option<YearEnd>,
}

/// The pack of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnnualPack {
    pub year: i32,
    /// The year has ended; the pack reads the same from now on.
    pub closed: bool,
    /// The last day counted.
    pub through: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// All pledges first, then each track by slug.
    pub scopes: Vec<ScopePack>,
}

/// The pack's tallies, fed one pledge at a time.
#[derive(Debug, Clone)]
pub struct Tally {
    period: Period,
    scopes: BTreeMap<String, Counts>,
}

#[derive(Debug, Clone)]
struct Counts {
    published: PublishedInYear,
    reports: ReportsInYear,
    lights: BTreeMap<String, u64>,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            published: PublishedInYear::default(),
            reports: ReportsInYear::default(),
            lights: Light::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), 0))
                .collect(),
        }
    }
}

impl Tally {
    /// Empty tallies for the global scope and `tracks`.
    pub fn new(period: Period, tracks: impl IntoIterator<Item = String>) -> Self {
        let scopes = std::iter::once(GLOBAL_SCOPE.to_owned())
            .chain(tracks)
            .map(|slug| (slug, Counts::default()))
            .collect();
        Tally { period, scopes }
    }

    /// Counts one pledge in the global scope and in each of its tracks.
    pub fn add(&mut self, pledge: &PledgeYear) {
        let p = &self.period;
        if pledge.published_on > p.last {
            return;
        }
        let withdrawn_by_end = pledge.withdrawn_on.is_some_and(|d| d <= p.last);
        let published_now = p.contains(pledge.published_on);
        let accepted: Vec<i64> = pledge
            .accepted
            .iter()
            .filter(|(on, _)| p.contains(*on))
            .map(|(_, usd)| *usd)
            .collect();
        let scopes = std::iter::once(GLOBAL_SCOPE).chain(pledge.tracks.iter().map(String::as_str));
        for scope in scopes {
            let counts = self.scopes.entry(scope.to_owned()).or_default();
            if published_now {
                counts.published.pledges += 1;
                counts.published.usd_pledged += i128::from(pledge.usd);
                counts.published.withdrawn += u64::from(withdrawn_by_end);
            }
            counts.reports.accepted += accepted.len() as u64;
            counts.reports.usd_disbursed += accepted.iter().map(|u| i128::from(*u)).sum::<i128>();
            if !withdrawn_by_end {
                *counts
                    .lights
                    .entry(pledge.light.as_str().to_owned())
                    .or_default() += 1;
            }
        }
    }

    /// The pack, with each scope's name and year-end figures.
    pub fn pack(
        self,
        names: &BTreeMap<String, String>,
        mut year_ends: BTreeMap<String, YearEnd>,
        generated_at: DateTime<Utc>,
    ) -> AnnualPack {
        let mut scopes: Vec<ScopePack> = self
            .scopes
            .into_iter()
            .map(|(scope, c)| ScopePack {
                name: names.get(&scope).cloned().unwrap_or_else(|| scope.clone()),
                year_end: year_ends.remove(&scope),
                scope,
                published: c.published,
                reports: c.reports,
                lights: c.lights,
            })
            .collect();
        // The global scope first, then the tracks in slug order.
        scopes.sort_by(|a, b| {
            (a.scope != GLOBAL_SCOPE, &a.scope).cmp(&(b.scope != GLOBAL_SCOPE, &b.scope))
        });
        AnnualPack {
            year: self.period.year,
            closed: self.period.closed,
            through: self.period.last,
            generated_at,
            scopes,
        }
    }
}

/// The pack as CSV, one figure a row (`year,scope,measure,key,value`), so that breakdowns of
/// any size fit the same columns and a spreadsheet can pivot them.
pub fn csv(pack: &AnnualPack) -> String {
    let mut rows: Vec<[String; 5]> =
        vec![["year", "scope", "measure", "key", "value"].map(String::from)];
    let year = pack.year.to_string();
    for s in &pack.scopes {
        let mut row = |measure: &str, key: &str, value: String| {
            rows.push([
                year.clone(),
                s.scope.clone(),
                measure.to_owned(),
                key.to_owned(),
                value,
            ]);
        };
        row("name", "", s.name.clone());
        row("published_pledges", "", s.published.pledges.to_string());
        row("published_usd", "", s.published.usd_pledged.to_string());
        row("published_withdrawn", "", s.published.withdrawn.to_string());
        row("reports_accepted", "", s.reports.accepted.to_string());
        row(
            "reports_usd_disbursed",
            "",
            s.reports.usd_disbursed.to_string(),
        );
        for (light, n) in &s.lights {
            row("light", light, n.to_string());
        }
        let Some(e) = &s.year_end else { continue };
        let f = &e.figures;
        for (measure, value) in [
            ("year_end_pledges", i128::from(f.pledges)),
            ("year_end_usd_pledged", f.usd_pledged),
            ("year_end_usd_disbursed", f.usd_disbursed),
            ("year_end_entities", i128::from(f.entities)),
            ("year_end_governments", i128::from(f.governments)),
            ("year_end_countries", i128::from(f.countries)),
            ("year_end_ldc_pledges", i128::from(f.ldc_pledges)),
            ("year_end_active_pledges", i128::from(f.active.pledges)),
            ("year_end_active_usd_pledged", f.active.usd_pledged),
            ("year_end_active_usd_disbursed", f.active.usd_disbursed),
            ("year_end_usd_to_ldcs", e.usd_to_ldcs),
        ] {
            row(measure, "", value.to_string());
        }
        for (sdg, usd) in &e.usd_by_sdg {
            row("year_end_usd_by_sdg", &sdg.to_string(), usd.to_string());
        }
        for (area, usd) in &e.usd_by_focus_area {
            row("year_end_usd_by_focus_area", area, usd.to_string());
        }
        for (region, usd) in &e.usd_by_region {
            row("year_end_usd_by_region", region, usd.to_string());
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(record.iter().map(|cell| neutralise(cell)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn pledge(published_on: NaiveDate, tracks: &[&str], usd: i64, light: Light) -> PledgeYear {
        PledgeYear {
            tracks: tracks.iter().map(|t| t.to_string()).collect(),
            published_on,
            withdrawn_on: None,
            usd,
            light,
            accepted: Vec::new(),
        }
    }

    #[test]
    fn periods_run_through_the_year_or_to_today_and_refuse_the_future_and_the_distant_past() {
        let today = day(2026, 11, 29);
        let closed = Period::of(2025, today).unwrap();
        assert_eq!(
            (closed.first, closed.last, closed.closed),
            (day(2025, 1, 1), day(2025, 12, 31), true)
        );
        let running = Period::of(2026, today).unwrap();
        assert_eq!((running.last, running.closed), (today, false));
        assert_eq!(
            Period::of(2027, today).unwrap_err(),
            YearRefused::InFuture { this_year: 2026 }
        );
        assert_eq!(Period::of(1999, today).unwrap_err(), YearRefused::TooEarly);
        assert_eq!(
            Period::of(i32::MIN, today).unwrap_err(),
            YearRefused::TooEarly
        );
    }

    #[test]
    fn each_pledge_counts_in_the_total_and_in_each_of_its_tracks_by_its_dates() {
        let period = Period::of(2025, day(2026, 3, 1)).unwrap();
        let mut tally = Tally::new(period, ["ldc5".to_owned(), "p2c".to_owned()]);
        // Published in the year, one report accepted in it and one after it.
        let mut reported = pledge(day(2025, 3, 6), &["ldc5", "p2c"], 1_000, Light::OnTrack);
        reported.accepted = vec![(day(2025, 11, 2), 200), (day(2026, 1, 5), 300)];
        tally.add(&reported);
        // Published earlier: only its report and light count this year.
        let mut older = pledge(day(2024, 5, 1), &["ldc5"], 50, Light::AtRisk);
        older.accepted = vec![(day(2025, 2, 1), 10)];
        tally.add(&older);
        // Published and withdrawn within the year: published, but no light at the year's end.
        let mut withdrawn = pledge(day(2025, 4, 1), &["p2c"], 70, Light::NoReport);
        withdrawn.withdrawn_on = Some(day(2025, 9, 1));
        tally.add(&withdrawn);
        // Withdrawn after the year: it still stood at the year's end.
        let mut later = pledge(day(2025, 6, 1), &[], 5, Light::OffTrack);
        later.withdrawn_on = Some(day(2026, 2, 1));
        tally.add(&later);
        // Published after the year: nothing.
        tally.add(&pledge(day(2026, 1, 2), &["ldc5"], 999, Light::OnTrack));

        let names = BTreeMap::from([("all".to_owned(), "All pledges".to_owned())]);
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let pack = tally.pack(&names, BTreeMap::new(), at);
        let scopes: Vec<&str> = pack.scopes.iter().map(|s| s.scope.as_str()).collect();
        assert_eq!(scopes, ["all", "ldc5", "p2c"]);
        let [all, ldc5, p2c] = &pack.scopes[..] else {
            unreachable!()
        };
        assert_eq!(all.name, "All pledges");
        assert_eq!(
            all.published,
            PublishedInYear {
                pledges: 3,
                usd_pledged: 1_075,
                withdrawn: 1
            }
        );
        assert_eq!(
            all.reports,
            ReportsInYear {
                accepted: 2,
                usd_disbursed: 210
            }
        );
        assert_eq!(
            all.lights,
            BTreeMap::from([
                ("at_risk".to_owned(), 1),
                ("completed".to_owned(), 0),
                ("no_report".to_owned(), 0),
                ("off_track".to_owned(), 1),
                ("on_track".to_owned(), 1),
            ])
        );
        assert_eq!(
            ldc5.published,
            PublishedInYear {
                pledges: 1,
                usd_pledged: 1_000,
                withdrawn: 0
            }
        );
        assert_eq!(
            ldc5.reports,
            ReportsInYear {
                accepted: 2,
                usd_disbursed: 210
            }
        );
        assert_eq!(ldc5.lights["on_track"] + ldc5.lights["at_risk"], 2);
        assert_eq!(
            p2c.published,
            PublishedInYear {
                pledges: 2,
                usd_pledged: 1_070,
                withdrawn: 1
            }
        );
        assert_eq!(p2c.lights.values().sum::<u64>(), 1);
        assert!(pack.closed && all.year_end.is_none());
    }

    #[test]
    fn the_csv_holds_one_figure_a_row_with_cells_that_stay_text() {
        let period = Period::of(2025, day(2026, 1, 1)).unwrap();
        let mut tally = Tally::new(period, ["ldc5".to_owned()]);
        tally.add(&pledge(day(2025, 3, 6), &["ldc5"], 1_000, Light::OnTrack));
        let names = BTreeMap::from([("ldc5".to_owned(), "=LDC5, \"Doha\"".to_owned())]);
        let mut snapshot = crate::domain::counters::ScopeCounters::new(
            Utc.with_ymd_and_hms(2025, 12, 31, 0, 0, 0).unwrap(),
        )
        .snapshot("ldc5", false, Utc::now());
        snapshot.pledges = 1;
        snapshot.usd_pledged = 1_000;
        snapshot.usd_by_sdg = BTreeMap::from([(9, 1_000)]);
        let year_end = YearEnd::of(day(2025, 12, 31), &snapshot);
        let pack = tally.pack(
            &names,
            BTreeMap::from([("ldc5".to_owned(), year_end)]),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        );
        // A sealed pack is read back from its JSON to render its CSV.
        let stored = serde_json::to_string(&pack).unwrap();
        assert_eq!(serde_json::from_str::<AnnualPack>(&stored).unwrap(), pack);
        let csv = csv(&pack);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "year,scope,measure,key,value");
        assert!(lines.contains(&"2025,ldc5,name,,\"'=LDC5, \"\"Doha\"\"\""));
        assert!(lines.contains(&"2025,all,published_pledges,,1"));
        assert!(lines.contains(&"2025,ldc5,light,on_track,1"));
        assert!(lines.contains(&"2025,ldc5,year_end_usd_by_sdg,9,1000"));
        assert!(!lines.iter().any(|l| l.starts_with("2025,all,year_end")));
        assert_eq!(csv, super::csv(&pack));
    }
}
