//! The moderators' daily digest: what waits in a moderator's remit, per track (submitted
//! pledges, progress reports, amendments). Pure: the
//! caller passes what waits per track and in all.

use chrono::NaiveDateTime;

/// What waits for a decision under one track (or, for the totals, anywhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// Submitted pledges.
    pub pledges: u64,
    /// When the longest-waiting of them was submitted.
    pub oldest: Option<NaiveDateTime>,
    /// Progress reports waiting for review.
    pub reports: u64,
    /// Amendments to published pledges waiting for a decision.
    pub amendments: u64,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.pledges == 0 && self.reports == 0 && self.amendments == 0
    }
}

/// One line of a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The track's slug, or `None` for everything (an unscoped moderator's total).
    pub track: Option<String>,
    pub waiting: Waiting,
    /// How long the oldest pledge has waited, in whole hours.
    pub oldest_hours: Option<i64>,
}

/// The digest of a moderator limited to `scope` (empty: every track): their tracks' lines,
/// and for an unscoped moderator the total first (pledges without a track included); `None`
/// when nothing waits, so no email goes out.
pub fn digest(
    scope: &[String],
    by_track: &[(String, Waiting)],
    total: &Waiting,
    now: NaiveDateTime,
) -> Option<Vec<Line>> {
    let line = |track: Option<String>, waiting: &Waiting| Line {
        oldest_hours: waiting.oldest.map(|at| (now - at).num_hours().max(0)),
        track,
        waiting: waiting.clone(),
    };
    let mut lines = Vec::new();
    if scope.is_empty() {
        if total.is_empty() {
            return None;
        }
        lines.push(line(None, total));
    }
    for (track, waiting) in by_track {
        let mine = scope.is_empty() || scope.contains(track);
        if mine && !waiting.is_empty() {
            lines.push(line(Some(track.clone()), waiting));
        }
    }
    (!lines.is_empty()).then_some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 3, 6)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn waiting(pledges: u64, oldest: Option<u32>, reports: u64) -> Waiting {
        Waiting {
            pledges,
            oldest: oldest.map(at),
            reports,
            amendments: 0,
        }
    }

    #[test]
    fn a_digest_covers_the_remit_and_is_skipped_when_nothing_waits() {
        let by_track = vec![
            ("ldc5".to_owned(), waiting(2, Some(1), 0)),
            ("sdg-digital".to_owned(), waiting(0, None, 1)),
            ("cop28".to_owned(), waiting(0, None, 0)),
        ];
        let total = waiting(3, Some(1), 1);
        let now = at(9);
        let all = digest(&[], &by_track, &total, now).unwrap();
        let tracks: Vec<Option<&str>> = all.iter().map(|l| l.track.as_deref()).collect();
        assert_eq!(tracks, [None, Some("ldc5"), Some("sdg-digital")]);
        assert_eq!(all[0].oldest_hours, Some(8));
        let scoped = digest(&["sdg-digital".to_owned()], &by_track, &total, now).unwrap();
        assert_eq!(scoped.len(), 1);
        assert_eq!(scoped[0].waiting.reports, 1);
        assert_eq!(scoped[0].oldest_hours, None);
        assert!(digest(&["cop28".to_owned()], &by_track, &total, now).is_none());
        assert!(digest(&[], &[], &waiting(0, None, 0), now).is_none());
    }

    #[test]
    fn an_amendment_alone_is_worth_a_digest() {
        let amended = Waiting {
            amendments: 1,
            ..waiting(0, None, 0)
        };
        let by_track = vec![("cop28".to_owned(), amended.clone())];
        let now = at(9);
        let lines = digest(&["cop28".to_owned()], &by_track, &amended, now).unwrap();
        assert_eq!(lines[0].waiting.amendments, 1);
        assert_eq!(digest(&[], &by_track, &amended, now).unwrap().len(), 2);
    }
}
