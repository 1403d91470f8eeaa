//! Live counters: per-scope figures kept up to date as pledges change, so that reading a snapshot
//! never scans the pledge table and costs the same however many pledges exist.
//!
//! There is one scope for all pledges ([`Scope::All`], shown as `"all"`) and one per track slug. A
//! pledge counts once in the global scope however many tracks it carries, and once in the scope of
//! each of its tracks (a slug repeated in its list still counts once).
//!
//! What a pledge contributes is described by [`PledgeFacts`] together with a [`Contribution`]:
//! `published` pledges feed the public figures, `submitted` and `changes_requested` pledges feed
//! the pending figures staff see, `scheduled` ones (approved, waiting for the moment they are
//! revealed at) feed the scheduled figures staff see, and every other status contributes nothing.
//!
//! # Keeping the counters in step
//!
//! Callers report every change of a pledge as a [`Counters::transition`] from what it contributed
//! before (`None` if nothing) to what it contributes after (`None` if nothing):
//!
//! | change | before | after |
//! | --- | --- | --- |
//! | submitted | `None` | `Some((facts, Pending))` |
//! | edited while pending | `Some((old, Pending))` | `Some((new, Pending))` |
//! | approved | `Some((facts, Pending))` | `Some((facts with published_on, Published))` |
//! | approved to be revealed later | `Some((facts, Pending))` | `Some((facts, Scheduled))` |
//! | revealed | `Some((facts, Scheduled))` | `Some((facts with published_on, Published))` |
//! | rejected, or withdrawn while pending | `Some((facts, Pending))` | `None` |
//! | withdrawn once published | `Some((facts, Published))` | `None` |
//! | progress report changes the USD disbursed | `Some((old, Published))` | `Some((new, Published))` |
//! | organisation changes kind | `Some((old, k))` | `Some((new, k))`, for each of its pledges |
//!
//! A transition touches each affected scope once: its version goes up by one and its `updated_at`
//! becomes the time of the change. [`Counters::add`] and [`Counters::remove`] are shorthands for a
//! transition from or to nothing.
//!
//! The refcounted figures (entities, governments, countries) and the breakdowns only stay exact if
//! every removal matches an earlier addition with the same facts, so callers keep (or can rebuild)
//! the facts a pledge was last counted with. A removal of something that was never added is
//! clamped at zero and flags the counters as inconsistent ([`Counters::is_consistent`]); the cure is
//! [`Counters::recount`] from the stored pledges followed by [`Counters::reconcile`], which keeps
//! every scope's version increasing.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    goals::{GoalFigures, GoalProgress},
    screen::LatestPledge,
};

/// The name of the global scope in snapshots and in the stream.
pub const GLOBAL_SCOPE: &str = "all";

/// The organisation kind whose organisations count as governments.
pub const GOVERNMENT_KIND: &str = "government";

/// What one pledge contributes to the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgeFacts {
    /// The pledge's id; it identifies the pledge but does not feed any figure.
    pub id: String,
    /// The pledging organisation.
    pub organisation_id: String,
    /// The pledging organisation's kind (`government`, `private_sector`, ...).
    pub organisation_kind: String,
    /// `financial`, `policy`, `programmatic` or `advocacy`.
    pub pledge_type: String,
    /// The pledge's value in whole USD; 0 when it has none.
    pub usd: i64,
    /// USD disbursed so far, from the pledge's progress reports, in whole USD.
    pub usd_disbursed: i64,
    /// SDG numbers, 1 to 17.
    pub sdgs: Vec<i32>,
    /// Focus area slugs.
    pub focus_areas: Vec<String>,
    /// Target countries, ISO 3166-1 alpha-3.
    pub countries: Vec<String>,
    /// Whether the pledge targets at least one least developed country.
    pub targets_ldc: bool,
    /// The regions the pledge names (UN M49 names).
    pub regions: Vec<String>,
    /// Published and on-going: neither completed nor inactive (counted in the active figures).
    pub active: bool,
    /// Track slugs.
    pub tracks: Vec<String>,
    /// The UTC date the pledge was published, for the count of pledges published today.
    pub published_on: Option<NaiveDate>,
}

/// How a pledge contributes, following its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Contribution {
    /// A `published` pledge: it feeds the public figures.
    Published,
    /// A `submitted` or `changes_requested` pledge: it feeds the pending figures.
    Pending,
    /// A `scheduled` pledge, approved and waiting for its reveal: it feeds the scheduled figures
    /// (staff only), and the public ones from the second it is revealed.
    Scheduled,
}

impl Contribution {
    /// The contribution of a pledge in `status`, or `None` for a status that contributes nothing
    /// (`draft`, `rejected`, `withdrawn`).
    pub fn for_status(status: &str) -> Option<Self> {
        match status {
            // Completed and inactive pledges were published and are not withdrawn: they stay
            // in the published figures.
            "published" | "completed" | "inactive" => Some(Self::Published),
            "submitted" | "changes_requested" => Some(Self::Pending),
            "scheduled" => Some(Self::Scheduled),
            _ => None,
        }
    }
}

/// Whether a contribution is being added to or removed from the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delta {
    Add,
    Remove,
}

/// A counter scope: all pledges, or the pledges of one track.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    All,
    Track(String),
}

impl Scope {
    /// The scope a `?track=` query asks for: the track's, or the global one without it.
    pub fn from_track(track: Option<&str>) -> Self {
        match track {
            Some(slug) => Self::Track(slug.to_owned()),
            None => Self::All,
        }
    }

    /// The name shown in snapshots: `"all"` or the track slug.
    pub fn as_str(&self) -> &str {
        match self {
            Self::All => GLOBAL_SCOPE,
            Self::Track(slug) => slug,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The figures of one scope, without its version and time stamps.
///
/// Two `Figures` with the same references loaded (all of them, as a recount has) compare equal
/// exactly when every figure a snapshot shows is equal, because keys whose count falls to zero
/// are removed from every map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pledges: u64,
    usd_pledged: i128,
    usd_disbursed: i128,
    ldc_pledges: u64,
    by_sdg: BTreeMap<i32, u64>,
    by_focus_area: BTreeMap<String, u64>,
    by_type: BTreeMap<String, u64>,
    by_organisation_kind: BTreeMap<String, u64>,
    /// Distinct organisations, government organisations and target countries of the published
    /// pledges: the number of reference counts above zero behind each.
    entities: u64,
    governments: u64,
    countries: u64,
    pending_pledges: u64,
    pending_usd: i128,
    /// Approved pledges waiting for their reveal, and their USD.
    #[serde(default)]
    scheduled_pledges: u64,
    #[serde(default)]
    scheduled_usd: i128,
    /// The on-going part of the published figures (status `published`: not completed, not
    /// inactive).
    #[serde(default)]
    active_pledges: u64,
    #[serde(default)]
    active_usd_pledged: i128,
    #[serde(default)]
    active_usd_disbursed: i128,
    /// USD pledged per SDG, focus area and region, and to LDCs: a pledge with several tags
    /// counts in each of them (the breakdowns overlap); keys with nothing are absent.
    #[serde(default)]
    usd_by_sdg: BTreeMap<i32, i128>,
    #[serde(default)]
    usd_by_focus_area: BTreeMap<String, i128>,
    #[serde(default)]
    usd_by_region: BTreeMap<String, i128>,
    #[serde(default)]
    usd_to_ldcs: i128,
    /// The reference counts behind the distinct figures, as far as they are loaded: storage keeps
    /// them as one small row each (their number grows with the organisations and countries, so
    /// they are not part of the scope's own value) and loads the ones a change touches.
    #[serde(skip)]
    refs: Refs,
}

/// What a distinct figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Distinct {
    /// Organisations with a published pledge in scope (`entities`).
    Organisation,
    /// Government organisations with a published pledge in scope.
    Government,
    /// Target countries of the published pledges in scope.
    Country,
}

impl Distinct {
    pub const ALL: [Distinct; 3] = [Self::Organisation, Self::Government, Self::Country];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Government => "government",
            Self::Country => "country",
        }
    }

    /// The kind a stored name names.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

/// Reference counts: (what is counted, its key: an organisation id or a country code) -> the
/// published pledges in scope that carry it. A key absent from the map has no pledge, provided
/// it was loaded (a change loads every key it touches).
pub type Refs = BTreeMap<(Distinct, String), u64>;

impl Figures {
    /// Published pledges.
    pub fn pledges(&self) -> u64 {
        self.pledges
    }

    /// Sum of the published pledges' USD value.
    pub fn usd_pledged(&self) -> i128 {
        self.usd_pledged
    }

    /// Sum of the published pledges' USD disbursed.
    pub fn usd_disbursed(&self) -> i128 {
        self.usd_disbursed
    }

    /// Distinct organisations with at least one published pledge.
    pub fn entities(&self) -> u64 {
        self.entities
    }

    /// Distinct government organisations with at least one published pledge.
    pub fn governments(&self) -> u64 {
        self.governments
    }

    /// Distinct target countries of the published pledges.
    pub fn countries(&self) -> u64 {
        self.countries
    }

    /// Published pledges targeting at least one LDC.
    pub fn ldc_pledges(&self) -> u64 {
        self.ldc_pledges
    }

    /// Published pledges per SDG; SDGs with none are absent.
    pub fn by_sdg(&self) -> &BTreeMap<i32, u64> {
        &self.by_sdg
    }

    /// Published pledges per focus area; focus areas with none are absent.
    pub fn by_focus_area(&self) -> &BTreeMap<String, u64> {
        &self.by_focus_area
    }

    /// Published pledges per type; types with none are absent.
    pub fn by_type(&self) -> &BTreeMap<String, u64> {
        &self.by_type
    }

    /// Published pledges per organisation kind; kinds with none are absent.
    pub fn by_organisation_kind(&self) -> &BTreeMap<String, u64> {
        &self.by_organisation_kind
    }

    /// Pending (`submitted`, `changes_requested`) pledges.
    pub fn pending_pledges(&self) -> u64 {
        self.pending_pledges
    }

    /// Sum of the pending pledges' USD value.
    pub fn pending_usd(&self) -> i128 {
        self.pending_usd
    }

    /// Approved pledges waiting for their reveal (`scheduled`).
    pub fn scheduled_pledges(&self) -> u64 {
        self.scheduled_pledges
    }

    /// Sum of the scheduled pledges' USD value.
    pub fn scheduled_usd(&self) -> i128 {
        self.scheduled_usd
    }

    /// Whether nothing is counted at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The loaded reference counts behind the distinct figures.
    pub fn refs(&self) -> &Refs {
        &self.refs
    }

    /// Installs reference counts read from storage: every key a coming change touches must be
    /// among them, or be absent from storage too.
    pub fn load_refs(&mut self, refs: impl IntoIterator<Item = ((Distinct, String), u64)>) {
        self.refs.extend(refs);
    }

    /// Adds or removes one contribution; returns false if a removal found nothing to remove.
    fn apply(&mut self, part: &Part<'_>, delta: Delta) -> bool {
        let mut ok = true;
        match part {
            Part::Pending { usd } => {
                count(&mut self.pending_pledges, delta, &mut ok);
                money(&mut self.pending_usd, *usd, delta);
            }
            Part::Scheduled { usd } => {
                count(&mut self.scheduled_pledges, delta, &mut ok);
                money(&mut self.scheduled_usd, *usd, delta);
            }
            Part::Published(p) => {
                count(&mut self.pledges, delta, &mut ok);
                money(&mut self.usd_pledged, p.usd, delta);
                money(&mut self.usd_disbursed, p.usd_disbursed, delta);
                if p.active {
                    count(&mut self.active_pledges, delta, &mut ok);
                    money(&mut self.active_usd_pledged, p.usd, delta);
                    money(&mut self.active_usd_disbursed, p.usd_disbursed, delta);
                }
                if p.targets_ldc {
                    count(&mut self.ldc_pledges, delta, &mut ok);
                    money(&mut self.usd_to_ldcs, p.usd, delta);
                }
                for sdg in &p.sdgs {
                    money_key(&mut self.usd_by_sdg, sdg, p.usd, delta);
                }
                for area in &p.focus_areas {
                    money_key(&mut self.usd_by_focus_area, *area, p.usd, delta);
                }
                for region in &p.regions {
                    money_key(&mut self.usd_by_region, *region, p.usd, delta);
                }
                for sdg in &p.sdgs {
                    key(&mut self.by_sdg, sdg, delta, &mut ok);
                }
                for area in &p.focus_areas {
                    key(&mut self.by_focus_area, *area, delta, &mut ok);
                }
                key(&mut self.by_type, p.pledge_type, delta, &mut ok);
                key(
                    &mut self.by_organisation_kind,
                    p.organisation_kind,
                    delta,
                    &mut ok,
                );
                let refs = &mut self.refs;
                let org = p.organisation_id;
                distinct(
                    refs,
                    &mut self.entities,
                    Distinct::Organisation,
                    org,
                    delta,
                    &mut ok,
                );
                if p.organisation_kind == GOVERNMENT_KIND {
                    let (n, kind) = (&mut self.governments, Distinct::Government);
                    distinct(refs, n, kind, org, delta, &mut ok);
                }
                for country in &p.countries {
                    let (n, kind) = (&mut self.countries, Distinct::Country);
                    distinct(refs, n, kind, country, delta, &mut ok);
                }
            }
        }
        ok
    }
}

/// Moves a count by one; a removal below zero stays at zero and clears `ok`.
fn count(n: &mut u64, delta: Delta, ok: &mut bool) {
    match delta {
        Delta::Add => *n += 1,
        Delta::Remove => match n.checked_sub(1) {
            Some(less) => *n = less,
            None => *ok = false,
        },
    }
}

/// Moves a sum of money. Sums are 128-bit over 64-bit amounts: no number of pledges can make
/// one wrap (it would take 2^64 of them at the largest amount), so an addition and its removal
/// are exact inverses and every sum is the true one.
fn money(sum: &mut i128, amount: i64, delta: Delta) {
    *sum = match delta {
        Delta::Add => sum.saturating_add(i128::from(amount)),
        Delta::Remove => sum.saturating_sub(i128::from(amount)),
    };
}

/// Moves the sum of `k` by `amount`, removing the key when it comes back to zero (amounts are
/// never negative, so a key is present exactly when some pledge puts money under it).
fn money_key<Q>(map: &mut BTreeMap<Q::Owned, i128>, k: &Q, amount: i64, delta: Delta)
where
    Q: Ord + ToOwned + ?Sized,
    Q::Owned: Ord + Borrow<Q>,
{
    if amount == 0 {
        return;
    }
    match map.get_mut(k) {
        Some(sum) => {
            money(sum, amount, delta);
            if *sum == 0 {
                map.remove(k);
            }
        }
        None => {
            let mut sum = 0;
            money(&mut sum, amount, delta);
            map.insert(k.to_owned(), sum);
        }
    }
}

/// Moves the count of `k` by one, removing the key when it reaches zero.
fn key<Q>(map: &mut BTreeMap<Q::Owned, u64>, k: &Q, delta: Delta, ok: &mut bool)
where
    Q: Ord + ToOwned + ?Sized,
    Q::Owned: Ord + Borrow<Q>,
{
    match delta {
        Delta::Add => match map.get_mut(k) {
            Some(n) => *n += 1,
            None => {
                map.insert(k.to_owned(), 1);
            }
        },
        Delta::Remove => match map.get_mut(k) {
            Some(n) if *n > 1 => *n -= 1,
            Some(_) => {
                map.remove(k);
            }
            None => *ok = false,
        },
    }
}

/// Moves the reference count of `k`, and the distinct figure `n` when the count leaves or
/// reaches zero.
fn distinct(refs: &mut Refs, n: &mut u64, kind: Distinct, k: &str, delta: Delta, ok: &mut bool) {
    let entry = (kind, k.to_owned());
    let before = refs.get(&entry).copied().unwrap_or(0);
    match delta {
        Delta::Add => {
            refs.insert(entry, before + 1);
            if before == 0 {
                *n += 1;
            }
        }
        Delta::Remove if before == 0 => *ok = false,
        Delta::Remove => {
            if before == 1 {
                refs.remove(&entry);
                count(n, delta, ok);
            } else {
                refs.insert(entry, before - 1);
            }
        }
    }
}

/// What a pledge contributes to any one scope, with its lists deduplicated. It does not depend on
/// the scope, so a scope the pledge is in before and after a change with equal parts is unchanged.
#[derive(Debug, PartialEq, Eq)]
enum Part<'a> {
    Pending { usd: i64 },
    Scheduled { usd: i64 },
    Published(Box<PublishedPart<'a>>),
}

#[derive(Debug, PartialEq, Eq)]
struct PublishedPart<'a> {
    organisation_id: &'a str,
    organisation_kind: &'a str,
    pledge_type: &'a str,
    usd: i64,
    usd_disbursed: i64,
    sdgs: BTreeSet<i32>,
    focus_areas: BTreeSet<&'a str>,
    countries: BTreeSet<&'a str>,
    regions: BTreeSet<&'a str>,
    targets_ldc: bool,
    active: bool,
    published_on: Option<NaiveDate>,
}

impl<'a> Part<'a> {
    fn of(facts: &'a PledgeFacts, kind: Contribution) -> Self {
        match kind {
            Contribution::Pending => Part::Pending { usd: facts.usd },
            Contribution::Scheduled => Part::Scheduled { usd: facts.usd },
            Contribution::Published => Part::Published(Box::new(PublishedPart {
                organisation_id: &facts.organisation_id,
                organisation_kind: &facts.organisation_kind,
                pledge_type: &facts.pledge_type,
                usd: facts.usd,
                usd_disbursed: facts.usd_disbursed,
                sdgs: facts.sdgs.iter().copied().collect(),
                focus_areas: facts.focus_areas.iter().map(String::as_str).collect(),
                countries: facts.countries.iter().map(String::as_str).collect(),
                regions: facts.regions.iter().map(String::as_str).collect(),
                targets_ldc: facts.targets_ldc,
                active: facts.active,
                published_on: facts.published_on,
            })),
        }
    }

    fn published_on(&self) -> Option<NaiveDate> {
        match self {
            Part::Pending { .. } | Part::Scheduled { .. } => None,
            Part::Published(p) => p.published_on,
        }
    }
}

/// One side of a transition: the part a pledge contributes and the tracks it contributes to.
struct Side<'a> {
    part: Part<'a>,
    tracks: BTreeSet<&'a str>,
}

impl<'a> Side<'a> {
    fn of((facts, kind): (&'a PledgeFacts, Contribution)) -> Self {
        Side {
            part: Part::of(facts, kind),
            tracks: facts.tracks.iter().map(String::as_str).collect(),
        }
    }

    fn in_track(&self, slug: &str) -> Option<&Part<'a>> {
        self.tracks.contains(slug).then_some(&self.part)
    }
}

/// The count of pledges published on one UTC day; it starts again at zero when the day changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct DayCount {
    day: Option<NaiveDate>,
    count: u64,
}

impl DayCount {
    /// Moves to `today` if it is later than the day counted so far (never back, so a clock that is
    /// slightly behind cannot wipe the count).
    fn roll(&mut self, today: NaiveDate) {
        if self.day.is_none_or(|day| day < today) {
            *self = DayCount {
                day: Some(today),
                count: 0,
            };
        }
    }

    fn on(&self, today: NaiveDate) -> u64 {
        if self.day == Some(today) {
            self.count
        } else {
            0
        }
    }
}

/// The counters of one scope: its figures, its count of pledges published today, and the version
/// and time of its last change.
/// Serialisable, so that a scope can be stored and loaded as one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeCounters {
    figures: Figures,
    today: DayCount,
    version: u64,
    updated_at: DateTime<Utc>,
}

impl ScopeCounters {
    /// An empty scope, as of `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        ScopeCounters {
            figures: Figures::default(),
            today: DayCount::default(),
            version: 0,
            updated_at: now,
        }
    }

    /// The scope's figures.
    pub fn figures(&self) -> &Figures {
        &self.figures
    }

    /// Installs reference counts read from storage; see [`Figures::load_refs`].
    pub fn load_refs(&mut self, refs: impl IntoIterator<Item = ((Distinct, String), u64)>) {
        self.figures.load_refs(refs);
    }

    /// Goes up by one on every change of the scope.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// When the scope last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// Pledges published on `today` (a UTC date) in this scope; 0 once that day has passed.
    pub fn published_today(&self, today: NaiveDate) -> u64 {
        self.today.on(today)
    }

    /// Whether this scope shows the same figures as `other` on `today`, whatever their versions.
    pub fn figures_eq(&self, other: &ScopeCounters, today: NaiveDate) -> bool {
        self.figures == other.figures && self.published_today(today) == other.published_today(today)
    }

    /// The snapshot of this scope, named `scope`. The pending figures are only filled in for
    /// staff (`include_pending`), with today taken as the UTC date of `now`.
    pub fn snapshot(&self, scope: &str, include_pending: bool, now: DateTime<Utc>) -> Snapshot {
        let f = &self.figures;
        Snapshot {
            scope: scope.to_owned(),
            pledges: f.pledges,
            usd_pledged: f.usd_pledged,
            usd_disbursed: f.usd_disbursed,
            entities: f.entities(),
            governments: f.governments(),
            countries: f.countries(),
            ldc_pledges: f.ldc_pledges,
            by_sdg: f.by_sdg.clone(),
            by_focus_area: f.by_focus_area.clone(),
            by_type: f.by_type.clone(),
            by_organisation_kind: f.by_organisation_kind.clone(),
            active: ActiveFigures {
                pledges: f.active_pledges,
                usd_pledged: f.active_usd_pledged,
                usd_disbursed: f.active_usd_disbursed,
            },
            usd_by_sdg: f.usd_by_sdg.clone(),
            usd_by_focus_area: f.usd_by_focus_area.clone(),
            usd_by_region: f.usd_by_region.clone(),
            usd_to_ldcs: f.usd_to_ldcs,
            version: self.version,
            updated_at: self.updated_at,
            pending: include_pending.then(|| PendingFigures {
                pledges: f.pending_pledges,
                usd: f.pending_usd,
                scheduled: f.scheduled_pledges,
                scheduled_usd: f.scheduled_usd,
                published_today: self.published_today(now.date_naive()),
            }),
            goals: Vec::new(),
            latest: Vec::new(),
        }
    }

    /// Removes `before` and adds `after`, without touching the version; false if a removal found
    /// nothing to remove.
    fn change(
        &mut self,
        before: Option<&Part<'_>>,
        after: Option<&Part<'_>>,
        today: NaiveDate,
    ) -> bool {
        self.today.roll(today);
        let mut ok = true;
        for (part, delta) in [(before, Delta::Remove), (after, Delta::Add)] {
            let Some(part) = part else { continue };
            ok &= self.figures.apply(part, delta);
            if part.published_on().is_some() && part.published_on() == self.today.day {
                count(&mut self.today.count, delta, &mut ok);
            }
        }
        ok
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// The live counters of every scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counters {
    global: ScopeCounters,
    tracks: BTreeMap<String, ScopeCounters>,
    /// When these counters were created; the time stamp of scopes nothing has touched yet.
    created_at: DateTime<Utc>,
    consistent: bool,
}

impl Counters {
    /// Counters with nothing counted, as of `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Counters {
            global: ScopeCounters::new(now),
            tracks: BTreeMap::new(),
            created_at: now,
            consistent: true,
        }
    }

    /// Counters holding just the given scopes, as loaded from storage for one change: a change
    /// only touches the global scope and the scopes of its tracks.
    pub fn from_scopes(
        global: ScopeCounters,
        tracks: BTreeMap<String, ScopeCounters>,
        now: DateTime<Utc>,
    ) -> Self {
        Counters {
            global,
            tracks,
            created_at: now,
            consistent: true,
        }
    }

    /// The scopes, to store them back: the global one and those of the tracks.
    pub fn into_scopes(self) -> (ScopeCounters, BTreeMap<String, ScopeCounters>) {
        (self.global, self.tracks)
    }

    /// Counts `pledges` from scratch, as of `now` (which also decides which day is today). Every
    /// scope starts at version 0. This is the reference the incremental counters must agree with,
    /// and what loads the counters at start-up.
    pub fn recount<I>(pledges: I, now: DateTime<Utc>) -> Self
    where
        I: IntoIterator<Item = (PledgeFacts, Contribution)>,
    {
        let mut counters = Counters::new(now);
        for (facts, kind) in pledges {
            counters.add(&facts, kind, now);
        }
        counters.global.version = 0;
        for scope in counters.tracks.values_mut() {
            scope.version = 0;
        }
        counters
    }

    /// Records the change of one pledge from contributing `before` to contributing `after`
    /// (`None`: nothing). Each scope whose figures this changes gets one new version stamped
    /// `now`; the changed scopes are returned, the global one first, so that their new snapshots
    /// can be sent.
    pub fn transition(
        &mut self,
        before: Option<(&PledgeFacts, Contribution)>,
        after: Option<(&PledgeFacts, Contribution)>,
        now: DateTime<Utc>,
    ) -> Vec<Scope> {
        let today = now.date_naive();
        let before = before.map(Side::of);
        let after = after.map(Side::of);
        let mut changed = Vec::new();

        let old = before.as_ref().map(|s| &s.part);
        let new = after.as_ref().map(|s| &s.part);
        if old != new {
            self.consistent &= self.global.change(old, new, today);
            self.global.touch(now);
            changed.push(Scope::All);
        }

        let slugs: BTreeSet<&str> = before
            .iter()
            .chain(after.iter())
            .flat_map(|side| side.tracks.iter().copied())
            .collect();
        for slug in slugs {
            let old = before.as_ref().and_then(|s| s.in_track(slug));
            let new = after.as_ref().and_then(|s| s.in_track(slug));
            if old == new {
                continue;
            }
            let scope = self
                .tracks
                .entry(slug.to_owned())
                .or_insert_with(|| ScopeCounters::new(now));
            self.consistent &= scope.change(old, new, today);
            scope.touch(now);
            changed.push(Scope::Track(slug.to_owned()));
        }
        changed
    }

    /// Adds or removes one contribution: a transition from or to nothing.
    pub fn apply(
        &mut self,
        facts: &PledgeFacts,
        kind: Contribution,
        delta: Delta,
        now: DateTime<Utc>,
    ) -> Vec<Scope> {
        match delta {
            Delta::Add => self.transition(None, Some((facts, kind)), now),
            Delta::Remove => self.transition(Some((facts, kind)), None, now),
        }
    }

    /// Counts a pledge that starts contributing (submitted, or published).
    pub fn add(
        &mut self,
        facts: &PledgeFacts,
        kind: Contribution,
        now: DateTime<Utc>,
    ) -> Vec<Scope> {
        self.apply(facts, kind, Delta::Add, now)
    }

    /// Stops counting a pledge (withdrawn or rejected), given the facts it was counted with.
    pub fn remove(
        &mut self,
        facts: &PledgeFacts,
        kind: Contribution,
        now: DateTime<Utc>,
    ) -> Vec<Scope> {
        self.apply(facts, kind, Delta::Remove, now)
    }

    /// The global scope.
    pub fn global(&self) -> &ScopeCounters {
        &self.global
    }

    /// A track's scope, if any pledge ever counted in it.
    pub fn track(&self, slug: &str) -> Option<&ScopeCounters> {
        self.tracks.get(slug)
    }

    /// The counters of `scope`, if any pledge ever counted in it (the global scope always exists).
    pub fn scope(&self, scope: &Scope) -> Option<&ScopeCounters> {
        match scope {
            Scope::All => Some(&self.global),
            Scope::Track(slug) => self.track(slug),
        }
    }

    #[cfg(test)]
    fn scopes_mut(&mut self) -> impl Iterator<Item = (Scope, &mut ScopeCounters)> + '_ {
        std::iter::once((Scope::All, &mut self.global)).chain(
            self.tracks
                .iter_mut()
                .map(|(slug, counters)| (Scope::Track(slug.clone()), counters)),
        )
    }

    /// Every scope that exists, the global one first.
    pub fn scopes(&self) -> impl Iterator<Item = (Scope, &ScopeCounters)> + '_ {
        std::iter::once((Scope::All, &self.global)).chain(
            self.tracks
                .iter()
                .map(|(slug, counters)| (Scope::Track(slug.clone()), counters)),
        )
    }

    /// The snapshot of `scope`; a track no pledge ever counted in gets zeros at version 0. Whether
    /// the track exists at all is for the caller to check.
    pub fn snapshot(&self, scope: &Scope, include_pending: bool, now: DateTime<Utc>) -> Snapshot {
        match self.scope(scope) {
            Some(counters) => counters.snapshot(scope.as_str(), include_pending, now),
            None => {
                ScopeCounters::new(self.created_at).snapshot(scope.as_str(), include_pending, now)
            }
        }
    }

    /// False once a removal found nothing to remove: the counters have drifted from the pledges
    /// and want a [`recount`](Self::recount) and [`reconcile`](Self::reconcile).
    pub fn is_consistent(&self) -> bool {
        self.consistent
    }

    /// The scopes whose figures on `today` differ between `self` and `other`, ignoring versions
    /// and time stamps; a missing track scope counts as an empty one.
    pub fn drifted_scopes(&self, other: &Counters, today: NaiveDate) -> Vec<Scope> {
        let empty = ScopeCounters::new(self.created_at);
        let mut drifted = Vec::new();
        if !self.global.figures_eq(&other.global, today) {
            drifted.push(Scope::All);
        }
        let slugs: BTreeSet<&String> = self.tracks.keys().chain(other.tracks.keys()).collect();
        for slug in slugs {
            let mine = self.tracks.get(slug).unwrap_or(&empty);
            let theirs = other.tracks.get(slug).unwrap_or(&empty);
            if !mine.figures_eq(theirs, today) {
                drifted.push(Scope::Track(slug.clone()));
            }
        }
        drifted
    }

    /// Whether `self` and `other` show the same figures on `today`, whatever their versions.
    pub fn figures_eq(&self, other: &Counters, today: NaiveDate) -> bool {
        self.drifted_scopes(other, today).is_empty()
    }

    /// Takes the figures of `fresh` (normally a [`recount`](Self::recount)) for every scope where
    /// they differ, giving each such scope a new version stamped `now`, so versions keep going up
    /// for clients that follow them. Returns the corrected scopes and marks the counters
    /// consistent again.
    pub fn reconcile(&mut self, fresh: Counters, now: DateTime<Utc>) -> Vec<Scope> {
        let today = now.date_naive();
        let drifted = self.drifted_scopes(&fresh, today);
        let Counters {
            global, mut tracks, ..
        } = fresh;
        for scope in &drifted {
            let (target, source) = match scope {
                Scope::All => (&mut self.global, Some(global.clone())),
                Scope::Track(slug) => (
                    self.tracks
                        .entry(slug.clone())
                        .or_insert_with(|| ScopeCounters::new(now)),
                    tracks.remove(slug),
                ),
            };
            let source = source.unwrap_or_else(|| ScopeCounters::new(now));
            target.figures = source.figures;
            target.today = source.today;
            target.touch(now);
        }
        self.consistent = true;
        drifted
    }
}

/// Counts `pledges` from scratch, as of `now`; see [`Counters::recount`].
pub fn recount<I>(pledges: I, now: DateTime<Utc>) -> Counters
where
    I: IntoIterator<Item = (PledgeFacts, Contribution)>,
{
    Counters::recount(pledges, now)
}

/// The live counters of one scope, as `GET /stats` returns them and the stream sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "scope": "ldc5", "pledges": 42, "usd_pledged": 168000000, "usd_disbursed": 25000000,
    "entities": 30, "governments": 12, "countries": 25, "ldc_pledges": 18,
    "by_sdg": {"9": 40, "17": 12}, "by_focus_area": {"access": 30, "adoption": 12},
    "by_type": {"financial": 20, "policy": 22}, "by_organisation_kind": {"government": 20, "private_sector": 22},
    "active": {"pledges": 38, "usd_pledged": 150000000, "usd_disbursed": 20000000},
    "usd_by_sdg": {"9": 160000000, "17": 40000000}, "usd_by_focus_area": {"access": 120000000, "adoption": 48000000},
    "usd_by_region": {"Africa": 90000000, "Asia": 78000000}, "usd_to_ldcs": 70000000,
    "version": 57, "updated_at": "2023-03-06T09:30:00Z"
}))]
pub struct Snapshot {
    /// `all` for every pledge, or a track slug.
    pub scope: String,
    /// Published pledges.
    pub pledges: u64,
    /// Sum of the published pledges' USD value, in whole USD (pledges with several tags count
    /// in several breakdowns, never twice here).
    #[schema(value_type = i64, minimum = 0)]
    pub usd_pledged: i128,
    /// USD disbursed so far according to progress reports, in whole USD.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_disbursed: i128,
    /// Distinct organisations with at least one published pledge.
    pub entities: u64,
    /// Distinct government organisations with at least one published pledge.
    pub governments: u64,
    /// Distinct target countries of the published pledges.
    pub countries: u64,
    /// Published pledges targeting at least one least developed country.
    pub ldc_pledges: u64,
    /// Published pledges per SDG number; SDGs with none are absent.
    #[schema(value_type = BTreeMap<String, u64>)]
    pub by_sdg: BTreeMap<i32, u64>,
    /// Published pledges per focus area slug; focus areas with none are absent.
    pub by_focus_area: BTreeMap<String, u64>,
    /// Published pledges per pledge type; types with none are absent.
    pub by_type: BTreeMap<String, u64>,
    /// Published pledges per organisation kind; kinds with none are absent.
    pub by_organisation_kind: BTreeMap<String, u64>,
    /// The on-going part of the figures above, which are all-time (everything published and not
    /// withdrawn, completed and inactive pledges included).
    #[serde(default)]
    pub active: ActiveFigures,
    /// USD pledged per SDG number. The breakdowns overlap: a pledge with several SDGs (focus
    /// areas, regions) counts in each, so their sums exceed `usd_pledged`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, i64>)]
    pub usd_by_sdg: BTreeMap<i32, i128>,
    /// USD pledged per focus area slug (overlapping, as `usd_by_sdg`).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, i64>)]
    pub usd_by_focus_area: BTreeMap<String, i128>,
    /// USD pledged per region the pledges name (`regions`, UN M49 names; overlapping, as
    /// `usd_by_sdg`).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, i64>)]
    pub usd_by_region: BTreeMap<String, i128>,
    /// USD pledged by pledges targeting at least one least developed country.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 0)]
    pub usd_to_ldcs: i128,
    /// Goes up by one on every change of this scope.
    pub version: u64,
    /// When this scope last changed.
    pub updated_at: DateTime<Utc>,
    /// Figures for staff only; absent for everyone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingFigures>,
    /// Progress toward each goal set for this scope, in the order they were set.
    #[serde(default)]
    pub goals: Vec<GoalProgress>,
    /// The latest published pledges of this scope, newest first (at most five): the big
    /// screen's ticker.
    #[serde(default)]
    pub latest: Vec<LatestPledge>,
}

impl Snapshot {
    /// The figures goals are measured against.
    pub fn goal_figures(&self) -> GoalFigures {
        GoalFigures {
            usd_pledged: self.usd_pledged,
            pledges: self.pledges,
            entities: self.entities,
        }
    }
}

/// Published pledges that are on-going (status `published`: neither completed nor inactive),
/// with their money: the "active" headline beside the all-time one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActiveFigures {
    pub pledges: u64,
    /// In whole USD.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_pledged: i128,
    /// In whole USD, from accepted progress reports.
    #[schema(value_type = i64, minimum = 0)]
    pub usd_disbursed: i128,
}

/// The figures of a scope only staff see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PendingFigures {
    /// Pledges awaiting a decision (`submitted` or `changes_requested`).
    pub pledges: u64,
    /// Sum of the pending pledges' USD value, in whole USD.
    #[schema(value_type = i64, minimum = 0)]
    pub usd: i128,
    /// Approved pledges waiting for the moment they are revealed at (`scheduled`): public, and
    /// in the figures above, from that second.
    #[serde(default)]
    pub scheduled: u64,
    /// Sum of the scheduled pledges' USD value, in whole USD.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 0)]
    pub scheduled_usd: i128,
    /// Pledges published today (UTC date).
    pub published_today: u64,
}

#[cfg(test)]
mod money_tests {
    use super::*;

    #[test]
    fn sums_at_the_largest_amounts_never_wrap() {
        let mut sum: i128 = 0;
        for _ in 0..4 {
            money(&mut sum, i64::MAX, Delta::Add);
        }
        assert_eq!(sum, 4 * i128::from(i64::MAX));
        money(&mut sum, i64::MAX, Delta::Remove);
        assert_eq!(sum, 3 * i128::from(i64::MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 3, day, hour, 0, 0).unwrap()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn pledge(id: &str, org: &str, kind: &str) -> PledgeFacts {
        PledgeFacts {
            id: id.into(),
            organisation_id: org.into(),
            organisation_kind: kind.into(),
            pledge_type: "financial".into(),
            usd: 1_000,
            usd_disbursed: 100,
            sdgs: vec![9, 17],
            focus_areas: strings(&["access"]),
            countries: strings(&["GHA"]),
            targets_ldc: false,
            regions: strings(&["Africa"]),
            active: true,
            tracks: strings(&["ldc5"]),
            published_on: Some(at(1, 0).date_naive()),
        }
    }

    fn published(counters: &Counters, scope: &Scope) -> Figures {
        counters
            .scope(scope)
            .expect("scope exists")
            .figures()
            .clone()
    }

    fn track(slug: &str) -> Scope {
        Scope::Track(slug.into())
    }

    #[test]
    fn a_pledge_with_three_tracks_counts_once_globally_and_once_per_track() {
        let mut p = pledge("p1", "o1", "government");
        p.tracks = strings(&["ldc5", "p2c", "cop28", "p2c"]);
        let mut c = Counters::new(at(1, 0));
        let changed = c.add(&p, Contribution::Published, at(1, 9));
        assert_eq!(
            changed,
            vec![Scope::All, track("cop28"), track("ldc5"), track("p2c")]
        );
        for scope in [Scope::All, track("ldc5"), track("p2c"), track("cop28")] {
            let f = published(&c, &scope);
            assert_eq!(f.pledges(), 1, "{scope}");
            assert_eq!(f.usd_pledged(), 1_000, "{scope}");
            assert_eq!(f.usd_disbursed(), 100, "{scope}");
            assert_eq!(f.entities(), 1, "{scope}");
            assert_eq!(f.by_sdg(), &BTreeMap::from([(9, 1), (17, 1)]), "{scope}");
            assert_eq!(c.scope(&scope).unwrap().version(), 1, "{scope}");
        }
        assert!(c.track("sdg-digital-day-2023").is_none());
        assert!(c.figures_eq(
            &recount([(p, Contribution::Published)], at(1, 9)),
            at(1, 9).date_naive()
        ));
    }

    #[test]
    fn withdrawing_a_published_pledge_removes_it_from_every_figure() {
        let mut p = pledge("p1", "o1", "government");
        p.tracks = strings(&["ldc5", "p2c"]);
        p.countries = strings(&["NPL", "BGD"]);
        p.targets_ldc = true;
        let mut c = Counters::new(at(1, 0));
        c.add(&p, Contribution::Published, at(1, 9));
        c.remove(&p, Contribution::Published, at(1, 10));
        for scope in [Scope::All, track("ldc5"), track("p2c")] {
            let counters = c.scope(&scope).unwrap();
            assert!(
                counters.figures().is_empty(),
                "{scope}: {:?}",
                counters.figures()
            );
            assert_eq!(counters.published_today(at(1, 0).date_naive()), 0);
            assert_eq!(counters.version(), 2);
            assert_eq!(counters.updated_at(), at(1, 10));
            let snapshot = counters.snapshot(scope.as_str(), true, at(1, 10));
            assert!(snapshot.by_sdg.is_empty() && snapshot.by_type.is_empty());
            assert!(snapshot.by_focus_area.is_empty() && snapshot.by_organisation_kind.is_empty());
        }
        assert!(c.figures_eq(&Counters::new(at(1, 10)), at(1, 10).date_naive()));
        assert!(c.is_consistent());
    }

    #[test]
    fn two_pledges_of_one_organisation_are_one_entity() {
        let a = pledge("a", "o1", "private_sector");
        let b = pledge("b", "o1", "private_sector");
        let mut c = Counters::new(at(1, 0));
        c.add(&a, Contribution::Published, at(1, 1));
        c.add(&b, Contribution::Published, at(1, 1));
        assert_eq!(c.global().figures().entities(), 1);
        assert_eq!(c.global().figures().pledges(), 2);
        assert_eq!(
            c.global().figures().by_organisation_kind()["private_sector"],
            2
        );
        c.remove(&a, Contribution::Published, at(1, 2));
        assert_eq!(c.global().figures().entities(), 1);
        c.remove(&b, Contribution::Published, at(1, 2));
        assert_eq!(c.global().figures().entities(), 0);
    }

    #[test]
    fn governments_are_distinct_government_organisations() {
        let mut c = Counters::new(at(1, 0));
        c.add(
            &pledge("a", "ghana", "government"),
            Contribution::Published,
            at(1, 1),
        );
        c.add(
            &pledge("b", "ghana", "government"),
            Contribution::Published,
            at(1, 1),
        );
        c.add(
            &pledge("c", "nepal", "government"),
            Contribution::Published,
            at(1, 1),
        );
        c.add(
            &pledge("d", "acme", "private_sector"),
            Contribution::Published,
            at(1, 1),
        );
        c.add(
            &pledge("e", "kenya", "government"),
            Contribution::Pending,
            at(1, 1),
        );
        let f = c.global().figures();
        assert_eq!((f.governments(), f.entities()), (2, 3));

        // An organisation that turns out to be a government: each of its pledges changes facts.
        let old = pledge("d", "acme", "private_sector");
        let new = pledge("d", "acme", "government");
        c.transition(
            Some((&old, Contribution::Published)),
            Some((&new, Contribution::Published)),
            at(1, 2),
        );
        let f = c.global().figures();
        assert_eq!((f.governments(), f.entities()), (3, 3));
        assert_eq!(
            f.by_organisation_kind(),
            &BTreeMap::from([("government".into(), 4)])
        );
    }

    #[test]
    fn countries_are_refcounted_across_pledges() {
        let mut a = pledge("a", "o1", "government");
        a.countries = strings(&["GHA", "NPL", "GHA"]);
        let mut b = pledge("b", "o2", "government");
        b.countries = strings(&["NPL"]);
        let mut c = Counters::new(at(1, 0));
        c.add(&a, Contribution::Published, at(1, 1));
        c.add(&b, Contribution::Published, at(1, 1));
        assert_eq!(c.global().figures().countries(), 2);
        c.remove(&a, Contribution::Published, at(1, 2));
        assert_eq!(c.global().figures().countries(), 1);
        c.remove(&b, Contribution::Published, at(1, 2));
        assert_eq!(c.global().figures().countries(), 0);
    }

    #[test]
    fn ldc_pledges_count_pledges_targeting_an_ldc() {
        let mut a = pledge("a", "o1", "government");
        a.targets_ldc = true;
        a.tracks = strings(&["ldc5", "p2c"]);
        let mut b = pledge("b", "o1", "government");
        b.tracks = strings(&["ldc5"]);
        let mut c = Counters::new(at(1, 0));
        c.add(&a, Contribution::Published, at(1, 1));
        c.add(&b, Contribution::Published, at(1, 1));
        c.add(&a.clone(), Contribution::Pending, at(1, 1));
        assert_eq!(c.global().figures().ldc_pledges(), 1);
        assert_eq!(c.track("ldc5").unwrap().figures().ldc_pledges(), 1);
        assert_eq!(c.track("ldc5").unwrap().figures().pledges(), 2);
        assert_eq!(c.track("p2c").unwrap().figures().ldc_pledges(), 1);
    }

    #[test]
    fn pending_pledges_only_feed_the_pending_figures_until_approved() {
        let mut p = pledge("p", "o1", "government");
        p.published_on = None;
        let mut c = Counters::new(at(1, 0));
        c.add(&p, Contribution::Pending, at(1, 8));
        let f = c.global().figures();
        assert_eq!((f.pledges(), f.usd_pledged(), f.entities()), (0, 0, 0));
        assert!(f.by_sdg().is_empty());
        assert_eq!((f.pending_pledges(), f.pending_usd()), (1, 1_000));

        // Changes requested, then edited: still pending, the new value counts.
        let mut edited = p.clone();
        edited.usd = 1_500;
        edited.sdgs = vec![4];
        c.transition(
            Some((&p, Contribution::Pending)),
            Some((&edited, Contribution::Pending)),
            at(1, 9),
        );
        assert_eq!(c.global().figures().pending_usd(), 1_500);

        let mut approved = edited.clone();
        approved.published_on = Some(at(1, 10).date_naive());
        c.transition(
            Some((&edited, Contribution::Pending)),
            Some((&approved, Contribution::Published)),
            at(1, 10),
        );
        let f = c.global().figures();
        assert_eq!((f.pledges(), f.usd_pledged(), f.entities()), (1, 1_500, 1));
        assert_eq!((f.pending_pledges(), f.pending_usd()), (0, 0));
        assert_eq!(f.by_sdg(), &BTreeMap::from([(4, 1)]));

        let public = c.snapshot(&Scope::All, false, at(1, 11));
        assert_eq!(public.pending, None);
        let staff = c.snapshot(&Scope::All, true, at(1, 11));
        assert_eq!(
            staff.pending,
            Some(PendingFigures {
                pledges: 0,
                usd: 0,
                scheduled: 0,
                scheduled_usd: 0,
                published_today: 1
            })
        );
    }

    #[test]
    fn breakdowns_drop_keys_whose_count_falls_to_zero() {
        let mut a = pledge("a", "o1", "government");
        a.pledge_type = "policy".into();
        a.sdgs = vec![1, 9, 9];
        a.focus_areas = strings(&["access", "adoption"]);
        let b = pledge("b", "o2", "civil_society");
        let mut c = Counters::new(at(1, 0));
        c.add(&a, Contribution::Published, at(1, 1));
        c.add(&b, Contribution::Published, at(1, 1));
        c.remove(&a, Contribution::Published, at(1, 2));
        let s = c.snapshot(&Scope::All, false, at(1, 2));
        assert_eq!(s.by_sdg, BTreeMap::from([(9, 1), (17, 1)]));
        assert_eq!(s.by_focus_area, BTreeMap::from([("access".into(), 1)]));
        assert_eq!(s.by_type, BTreeMap::from([("financial".into(), 1)]));
        assert_eq!(
            s.by_organisation_kind,
            BTreeMap::from([("civil_society".into(), 1)])
        );
        assert_eq!(
            c.global().figures(),
            recount([(b, Contribution::Published)], at(1, 2))
                .global()
                .figures()
        );
    }

    #[test]
    fn a_progress_report_moves_usd_disbursed() {
        let p = pledge("p", "o1", "government");
        let mut c = Counters::new(at(1, 0));
        c.add(&p, Contribution::Published, at(1, 1));
        let mut reported = p.clone();
        reported.usd_disbursed = 600;
        let changed = c.transition(
            Some((&p, Contribution::Published)),
            Some((&reported, Contribution::Published)),
            at(1, 2),
        );
        assert_eq!(changed, vec![Scope::All, track("ldc5")]);
        assert_eq!(c.global().figures().usd_disbursed(), 600);
        assert_eq!(c.global().figures().pledges(), 1);
        assert_eq!(c.global().version(), 2);
    }

    #[test]
    fn only_scopes_whose_figures_change_get_a_new_version() {
        let mut p = pledge("p", "o1", "government");
        p.tracks = strings(&["ldc5"]);
        let mut c = Counters::new(at(1, 0));
        c.add(&p, Contribution::Published, at(1, 1));
        let mut moved = p.clone();
        moved.tracks = strings(&["ldc5", "p2c"]);
        let changed = c.transition(
            Some((&p, Contribution::Published)),
            Some((&moved, Contribution::Published)),
            at(1, 2),
        );
        assert_eq!(changed, vec![track("p2c")]);
        assert_eq!(c.global().version(), 1);
        assert_eq!(c.track("ldc5").unwrap().version(), 1);
        assert_eq!(c.track("p2c").unwrap().version(), 1);

        // Requesting changes on a pending pledge changes nothing anyone sees.
        let changed = c.transition(
            Some((&p, Contribution::Pending)),
            Some((&p, Contribution::Pending)),
            at(1, 3),
        );
        assert!(changed.is_empty());
    }

    #[test]
    fn published_today_starts_again_when_the_day_changes() {
        let mut c = Counters::new(at(1, 0));
        let mut first = pledge("a", "o1", "government");
        first.published_on = Some(at(1, 0).date_naive());
        c.add(&first, Contribution::Published, at(1, 9));
        assert_eq!(
            c.snapshot(&Scope::All, true, at(1, 23))
                .pending
                .unwrap()
                .published_today,
            1
        );
        // The next day, before anything happens, and after.
        assert_eq!(
            c.snapshot(&Scope::All, true, at(2, 0))
                .pending
                .unwrap()
                .published_today,
            0
        );
        let mut second = pledge("b", "o1", "government");
        second.published_on = Some(at(2, 0).date_naive());
        c.add(&second, Contribution::Published, at(2, 8));
        c.remove(&first, Contribution::Published, at(2, 9));
        let snapshot = c.snapshot(&Scope::All, true, at(2, 10));
        assert_eq!(snapshot.pending.unwrap().published_today, 1);
        assert_eq!(snapshot.pledges, 1);
        assert!(c.is_consistent());
        let fresh = recount([(second, Contribution::Published)], at(2, 10));
        assert!(c.figures_eq(&fresh, at(2, 10).date_naive()));
    }

    #[test]
    fn a_track_nothing_counted_in_has_an_empty_snapshot() {
        let c = Counters::new(at(1, 0));
        let s = c.snapshot(&Scope::from_track(Some("cop28")), true, at(1, 5));
        assert_eq!((s.scope.as_str(), s.pledges, s.version), ("cop28", 0, 0));
        assert_eq!(s.updated_at, at(1, 0));
        assert_eq!(s.pending.unwrap().pledges, 0);
        assert_eq!(Scope::from_track(None).to_string(), "all");
    }

    #[test]
    fn the_snapshot_has_the_contract_shape() {
        let mut p = pledge("p", "o1", "government");
        p.targets_ldc = true;
        let mut c = Counters::new(at(1, 0));
        c.add(&p, Contribution::Published, at(1, 9));
        let public = serde_json::to_value(c.snapshot(&Scope::All, false, at(1, 9))).unwrap();
        assert_eq!(
            public,
            serde_json::json!({
                "scope": "all", "pledges": 1, "usd_pledged": 1000, "usd_disbursed": 100,
                "entities": 1, "governments": 1, "countries": 1, "ldc_pledges": 1,
                "by_sdg": {"9": 1, "17": 1}, "by_focus_area": {"access": 1},
                "by_type": {"financial": 1}, "by_organisation_kind": {"government": 1},
                "active": {"pledges": 1, "usd_pledged": 1000, "usd_disbursed": 100},
                "usd_by_sdg": {"9": 1000, "17": 1000}, "usd_by_focus_area": {"access": 1000},
                "usd_by_region": {"Africa": 1000}, "usd_to_ldcs": 1000,
                "version": 1, "updated_at": "2023-03-01T09:00:00Z",
                "goals": [], "latest": []
            })
        );
        let staff = c.snapshot(&track("ldc5"), true, at(1, 9));
        let json = serde_json::to_string(&staff).unwrap();
        assert!(
            json.contains(
                r#""pending":{"pledges":0,"usd":0,"scheduled":0,"scheduled_usd":0,"published_today":1}"#
            ),
            "{json}"
        );
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, staff);
    }

    #[test]
    fn a_scheduled_pledge_counts_for_staff_only_until_its_reveal() {
        let mut c = Counters::new(at(1, 0));
        let p = pledge("p", "o1", "government");
        c.add(&p, Contribution::Pending, at(1, 8));
        c.transition(
            Some((&p, Contribution::Pending)),
            Some((&p, Contribution::Scheduled)),
            at(1, 9),
        );
        let public = c.snapshot(&Scope::All, false, at(1, 9));
        assert_eq!(
            (public.pledges, public.usd_pledged, public.entities),
            (0, 0, 0)
        );
        let staff = c.snapshot(&Scope::All, true, at(1, 9)).pending.unwrap();
        assert_eq!((staff.pledges, staff.usd), (0, 0));
        assert_eq!((staff.scheduled, staff.scheduled_usd), (1, 1_000));

        let mut revealed = p.clone();
        revealed.published_on = Some(at(1, 10).date_naive());
        let changed = c.transition(
            Some((&p, Contribution::Scheduled)),
            Some((&revealed, Contribution::Published)),
            at(1, 10),
        );
        assert_eq!(changed[0], Scope::All);
        let public = c.snapshot(&Scope::All, false, at(1, 10));
        assert_eq!(
            (public.pledges, public.usd_pledged, public.entities),
            (1, 1_000, 1)
        );
        let staff = c.snapshot(&Scope::All, true, at(1, 10)).pending.unwrap();
        assert_eq!((staff.scheduled, staff.scheduled_usd), (0, 0));
        assert_eq!(staff.published_today, 1);
    }

    #[test]
    fn contributions_follow_the_status() {
        assert_eq!(
            Contribution::for_status("published"),
            Some(Contribution::Published)
        );
        assert_eq!(
            Contribution::for_status("submitted"),
            Some(Contribution::Pending)
        );
        assert_eq!(
            Contribution::for_status("changes_requested"),
            Some(Contribution::Pending)
        );
        assert_eq!(
            Contribution::for_status("scheduled"),
            Some(Contribution::Scheduled)
        );
        for status in ["draft", "rejected", "withdrawn"] {
            assert_eq!(Contribution::for_status(status), None);
        }
    }

    #[test]
    fn an_unmatched_removal_is_flagged_and_reconcile_repairs_it() {
        let a = pledge("a", "o1", "government");
        let b = pledge("b", "o2", "government");
        let mut c = Counters::new(at(1, 0));
        c.add(&a, Contribution::Published, at(1, 1));
        c.remove(&b, Contribution::Published, at(1, 2));
        c.remove(&b, Contribution::Published, at(1, 2));
        assert!(!c.is_consistent());
        let fresh = recount([(a, Contribution::Published)], at(1, 3));
        let before = c.global().version();
        let repaired = c.reconcile(fresh.clone(), at(1, 3));
        assert!(repaired.contains(&Scope::All));
        assert!(c.is_consistent());
        assert!(c.figures_eq(&fresh, at(1, 3).date_naive()));
        assert_eq!(c.global().version(), before + 1);
        assert!(c.reconcile(fresh, at(1, 4)).is_empty());
    }

    /// Storage keeps a scope's value without its reference counts and loads only those a change
    /// touches: the change then moves every figure as it would on the whole.
    #[test]
    fn a_change_needs_only_the_reference_counts_it_touches() {
        let pledges: Vec<PledgeFacts> = (0..40)
            .map(|i| {
                let kind = if i % 3 == 0 { "government" } else { "academia" };
                let mut p = pledge(&format!("p{i}"), &format!("o{}", i % 7), kind);
                p.countries = vec![format!("C{}", i % 5), format!("C{}", i % 11)];
                p
            })
            .collect();
        let whole = Counters::recount(
            pledges.iter().map(|p| (p.clone(), Contribution::Published)),
            at(1, 9),
        );
        let mut change = pledge("new", "o3", "government");
        change.countries = strings(&["C4", "ZZZ"]);
        for gone in [None, Some(&pledges[3])] {
            // What storage loads: the keys of both sides of the change.
            let touched: BTreeSet<&str> = std::iter::once(&change)
                .chain(gone)
                .flat_map(|p| {
                    std::iter::once(p.organisation_id.as_str())
                        .chain(p.countries.iter().map(String::as_str))
                })
                .collect();
            let mut expected = whole.clone();
            let mut stored = whole.clone();
            for (_, scope) in stored.scopes_mut() {
                let refs = scope.figures.refs.clone();
                let mut reloaded: ScopeCounters =
                    serde_json::from_str(&serde_json::to_string(scope).unwrap()).unwrap();
                assert!(reloaded.figures.refs().is_empty(), "not part of the value");
                reloaded.load_refs(
                    refs.into_iter()
                        .filter(|((_, k), _)| touched.contains(k.as_str())),
                );
                *scope = reloaded;
            }
            let before = gone.map(|p| (p, Contribution::Published));
            let after = Some((&change, Contribution::Published));
            expected.transition(before, after, at(1, 10));
            stored.transition(before, after, at(1, 10));
            for (scope, counters) in expected.scopes() {
                let (e, s) = (counters.figures(), published(&stored, &scope));
                assert_eq!(
                    (e.entities(), e.governments(), e.countries()),
                    (s.entities(), s.governments(), s.countries()),
                    "{scope}"
                );
                for (entry, n) in s.refs() {
                    assert_eq!(e.refs().get(entry), Some(n), "{scope} {entry:?}");
                }
            }
            assert!(stored.is_consistent());
        }
    }

    #[test]
    fn reconcile_empties_scopes_missing_from_the_recount() {
        let mut c = Counters::new(at(1, 0));
        c.add(
            &pledge("a", "o1", "government"),
            Contribution::Published,
            at(1, 1),
        );
        let repaired = c.reconcile(Counters::new(at(1, 2)), at(1, 2));
        assert_eq!(repaired, vec![Scope::All, track("ldc5")]);
        assert!(c.track("ldc5").unwrap().figures().is_empty());
        assert_eq!(c.track("ldc5").unwrap().version(), 2);
    }

    // --- Incremental counters agree with a recount after any sequence of changes. ---

    const ORGS: usize = 5;
    const KINDS: [&str; 4] = ["government", "private_sector", "civil_society", "un_entity"];
    const TYPES: [&str; 4] = ["financial", "policy", "programmatic", "advocacy"];
    const AREAS: [&str; 4] = ["access", "adoption", "value_creation", "accelerate"];
    const COUNTRIES: [&str; 6] = ["GHA", "NPL", "BGD", "FJI", "KEN", "HTI"];
    const TRACKS: [&str; 4] = [
        "p2c",
        "ldc5",
        "sdg-digital-day-2023",
        "green-digital-action-cop28",
    ];

    /// A pledge's own facts, before the organisation's kind and the publication date are known.
    #[derive(Debug, Clone)]
    struct Draft {
        org: usize,
        pledge_type: &'static str,
        usd: i64,
        sdgs: Vec<i32>,
        focus_areas: Vec<&'static str>,
        countries: Vec<&'static str>,
        targets_ldc: bool,
        tracks: Vec<&'static str>,
    }

    #[derive(Debug, Clone)]
    enum Op {
        Submit(Draft),
        PublishDirectly(Draft),
        Approve(usize),
        /// Approved to be revealed later.
        Schedule(usize),
        Reveal(usize),
        Edit(usize, Draft),
        Withdraw(usize),
        Report(usize, i64),
        ToggleActive(usize),
        ChangeOrgKind(usize, &'static str),
        Wait(i64),
    }

    fn draft() -> impl Strategy<Value = Draft> {
        (
            0..ORGS,
            prop::sample::select(&TYPES[..]),
            0i64..5_000,
            prop::collection::vec(1i32..=17, 0..4),
            prop::collection::vec(prop::sample::select(&AREAS[..]), 0..3),
            prop::collection::vec(prop::sample::select(&COUNTRIES[..]), 0..4),
            any::<bool>(),
            prop::collection::vec(prop::sample::select(&TRACKS[..]), 0..4),
        )
            .prop_map(
                |(org, pledge_type, usd, sdgs, focus_areas, countries, targets_ldc, tracks)| {
                    Draft {
                        org,
                        pledge_type,
                        usd,
                        sdgs,
                        focus_areas,
                        countries,
                        targets_ldc,
                        tracks,
                    }
                },
            )
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => draft().prop_map(Op::Submit),
            2 => draft().prop_map(Op::PublishDirectly),
            3 => any::<usize>().prop_map(Op::Approve),
            2 => any::<usize>().prop_map(Op::Schedule),
            2 => any::<usize>().prop_map(Op::Reveal),
            2 => (any::<usize>(), draft()).prop_map(|(i, d)| Op::Edit(i, d)),
            2 => any::<usize>().prop_map(Op::Withdraw),
            2 => (any::<usize>(), 0i64..5_000).prop_map(|(i, usd)| Op::Report(i, usd)),
            1 => any::<usize>().prop_map(Op::ToggleActive),
            1 => (0..ORGS, prop::sample::select(&KINDS[..])).prop_map(|(o, k)| Op::ChangeOrgKind(o, k)),
            1 => (1i64..30).prop_map(Op::Wait),
        ]
    }

    /// The pledges that count, in the order they were created.
    struct World {
        now: DateTime<Utc>,
        kinds: Vec<&'static str>,
        live: Vec<(PledgeFacts, Contribution)>,
        next_id: usize,
    }

    impl World {
        fn facts(&mut self, d: &Draft, published_on: Option<NaiveDate>) -> PledgeFacts {
            self.next_id += 1;
            PledgeFacts {
                id: format!("p{}", self.next_id),
                organisation_id: format!("o{}", d.org),
                organisation_kind: self.kinds[d.org].to_string(),
                pledge_type: d.pledge_type.to_string(),
                usd: d.usd,
                usd_disbursed: 0,
                sdgs: d.sdgs.clone(),
                focus_areas: strings(&d.focus_areas),
                countries: strings(&d.countries),
                targets_ldc: d.targets_ldc,
                // Any fixed mapping will do: a region per country, several countries sharing one.
                regions: d
                    .countries
                    .iter()
                    .map(|c| if *c < "M" { "Africa" } else { "Asia" }.to_owned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                active: true,
                tracks: strings(&d.tracks),
                published_on,
            }
        }

        /// The index of a live pledge of `kind` chosen by `pick`.
        fn pick(&self, pick: usize, kind: Contribution) -> Option<usize> {
            let matching: Vec<usize> = (0..self.live.len())
                .filter(|&i| self.live[i].1 == kind)
                .collect();
            (!matching.is_empty()).then(|| matching[pick % matching.len()])
        }

        /// Applies `op` to the live set and the counters alike.
        fn step(&mut self, op: &Op, counters: &mut Counters) {
            let now = self.now;
            let today = now.date_naive();
            match op {
                Op::Submit(d) | Op::PublishDirectly(d) => {
                    let (kind, on) = match op {
                        Op::Submit(_) => (Contribution::Pending, None),
                        _ => (Contribution::Published, Some(today)),
                    };
                    let facts = self.facts(d, on);
                    counters.add(&facts, kind, now);
                    self.live.push((facts, kind));
                }
                Op::Approve(i) => {
                    if let Some(i) = self.pick(*i, Contribution::Pending) {
                        let before = self.live[i].0.clone();
                        let mut after = before.clone();
                        after.published_on = Some(today);
                        counters.transition(
                            Some((&before, Contribution::Pending)),
                            Some((&after, Contribution::Published)),
                            now,
                        );
                        self.live[i] = (after, Contribution::Published);
                    }
                }
                Op::Schedule(i) => {
                    if let Some(i) = self.pick(*i, Contribution::Pending) {
                        let facts = self.live[i].0.clone();
                        counters.transition(
                            Some((&facts, Contribution::Pending)),
                            Some((&facts, Contribution::Scheduled)),
                            now,
                        );
                        self.live[i].1 = Contribution::Scheduled;
                    }
                }
                Op::Reveal(i) => {
                    if let Some(i) = self.pick(*i, Contribution::Scheduled) {
                        let before = self.live[i].0.clone();
                        let mut after = before.clone();
                        after.published_on = Some(today);
                        counters.transition(
                            Some((&before, Contribution::Scheduled)),
                            Some((&after, Contribution::Published)),
                            now,
                        );
                        self.live[i] = (after, Contribution::Published);
                    }
                }
                Op::Edit(i, d) => {
                    if let Some(i) = self.pick(*i, Contribution::Pending) {
                        let before = self.live[i].0.clone();
                        let mut after = self.facts(d, None);
                        after.id = before.id.clone();
                        after.organisation_id = before.organisation_id.clone();
                        after.organisation_kind = before.organisation_kind.clone();
                        counters.transition(
                            Some((&before, Contribution::Pending)),
                            Some((&after, Contribution::Pending)),
                            now,
                        );
                        self.live[i].0 = after;
                    }
                }
                Op::Withdraw(i) => {
                    if !self.live.is_empty() {
                        let (facts, kind) = self.live.remove(i % self.live.len());
                        counters.remove(&facts, kind, now);
                    }
                }
                Op::Report(i, usd) => {
                    if let Some(i) = self.pick(*i, Contribution::Published) {
                        let before = self.live[i].0.clone();
                        let mut after = before.clone();
                        after.usd_disbursed = *usd;
                        counters.transition(
                            Some((&before, Contribution::Published)),
                            Some((&after, Contribution::Published)),
                            now,
                        );
                        self.live[i].0 = after;
                    }
                }
                Op::ToggleActive(i) => {
                    // Inactive (or completed) and back: still published, in or out of the
                    // active figures.
                    if let Some(i) = self.pick(*i, Contribution::Published) {
                        let before = self.live[i].0.clone();
                        let mut after = before.clone();
                        after.active = !before.active;
                        counters.transition(
                            Some((&before, Contribution::Published)),
                            Some((&after, Contribution::Published)),
                            now,
                        );
                        self.live[i].0 = after;
                    }
                }
                Op::ChangeOrgKind(org, kind) => {
                    self.kinds[*org] = kind;
                    let id = format!("o{org}");
                    for (facts, contribution) in self.live.iter_mut() {
                        if facts.organisation_id == id {
                            let before = facts.clone();
                            facts.organisation_kind = kind.to_string();
                            counters.transition(
                                Some((&before, *contribution)),
                                Some((facts, *contribution)),
                                now,
                            );
                        }
                    }
                }
                Op::Wait(hours) => self.now += Duration::hours(*hours),
            }
        }
    }

    /// A snapshot without its version and time stamp.
    fn shown(mut s: Snapshot) -> Snapshot {
        s.version = 0;
        s.updated_at = DateTime::<Utc>::MIN_UTC;
        s
    }

    /// The snapshot of `scope` worked out directly from the live pledges, without any counters.
    fn naive(live: &[(PledgeFacts, Contribution)], scope: &Scope, today: NaiveDate) -> Snapshot {
        let in_scope = |f: &PledgeFacts| match scope {
            Scope::All => true,
            Scope::Track(slug) => f.tracks.contains(slug),
        };
        let of = |kind: Contribution| -> Vec<&PledgeFacts> {
            live.iter()
                .filter(|(f, k)| *k == kind && in_scope(f))
                .map(|(f, _)| f)
                .collect()
        };
        let published = of(Contribution::Published);
        let pending = of(Contribution::Pending);
        let scheduled = of(Contribution::Scheduled);
        fn tally<K: Ord>(keys: impl Iterator<Item = BTreeSet<K>>) -> BTreeMap<K, u64> {
            let mut out = BTreeMap::new();
            for set in keys {
                for k in set {
                    *out.entry(k).or_insert(0) += 1;
                }
            }
            out
        }
        /// Money per key, keys with nothing left out.
        fn sums<K: Ord>(items: impl Iterator<Item = (i64, BTreeSet<K>)>) -> BTreeMap<K, i128> {
            let mut out = BTreeMap::new();
            for (usd, set) in items {
                for k in set {
                    *out.entry(k).or_insert(0) += i128::from(usd);
                }
            }
            out.retain(|_, sum| *sum != 0);
            out
        }
        let distinct = |keys: Vec<&String>| keys.into_iter().collect::<BTreeSet<_>>().len() as u64;
        Snapshot {
            scope: scope.to_string(),
            pledges: published.len() as u64,
            usd_pledged: published.iter().map(|f| i128::from(f.usd)).sum(),
            usd_disbursed: published.iter().map(|f| i128::from(f.usd_disbursed)).sum(),
            entities: distinct(published.iter().map(|f| &f.organisation_id).collect()),
            governments: distinct(
                published
                    .iter()
                    .filter(|f| f.organisation_kind == "government")
                    .map(|f| &f.organisation_id)
                    .collect(),
            ),
            countries: distinct(published.iter().flat_map(|f| &f.countries).collect()),
            ldc_pledges: published.iter().filter(|f| f.targets_ldc).count() as u64,
            by_sdg: tally(published.iter().map(|f| f.sdgs.iter().copied().collect())),
            by_focus_area: tally(
                published
                    .iter()
                    .map(|f| f.focus_areas.iter().cloned().collect()),
            ),
            by_type: tally(
                published
                    .iter()
                    .map(|f| BTreeSet::from([f.pledge_type.clone()])),
            ),
            by_organisation_kind: tally(
                published
                    .iter()
                    .map(|f| BTreeSet::from([f.organisation_kind.clone()])),
            ),
            active: {
                let active: Vec<&&PledgeFacts> = published.iter().filter(|f| f.active).collect();
                ActiveFigures {
                    pledges: active.len() as u64,
                    usd_pledged: active.iter().map(|f| i128::from(f.usd)).sum(),
                    usd_disbursed: active.iter().map(|f| i128::from(f.usd_disbursed)).sum(),
                }
            },
            usd_by_sdg: sums(
                published
                    .iter()
                    .map(|f| (f.usd, f.sdgs.iter().copied().collect())),
            ),
            usd_by_focus_area: sums(
                published
                    .iter()
                    .map(|f| (f.usd, f.focus_areas.iter().cloned().collect())),
            ),
            usd_by_region: sums(
                published
                    .iter()
                    .map(|f| (f.usd, f.regions.iter().cloned().collect())),
            ),
            usd_to_ldcs: published
                .iter()
                .filter(|f| f.targets_ldc)
                .map(|f| i128::from(f.usd))
                .sum(),
            version: 0,
            updated_at: DateTime::<Utc>::MIN_UTC,
            pending: Some(PendingFigures {
                pledges: pending.len() as u64,
                usd: pending.iter().map(|f| i128::from(f.usd)).sum(),
                scheduled: scheduled.len() as u64,
                scheduled_usd: scheduled.iter().map(|f| i128::from(f.usd)).sum(),
                published_today: published
                    .iter()
                    .filter(|f| f.published_on == Some(today))
                    .count() as u64,
            }),
            goals: Vec::new(),
            latest: Vec::new(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn incremental_counters_always_equal_a_recount(
            kinds in prop::collection::vec(prop::sample::select(&KINDS[..]), ORGS),
            ops in prop::collection::vec(op(), 1..40),
        ) {
            let start = at(1, 20);
            let mut world = World { now: start, kinds, live: Vec::new(), next_id: 0 };
            let mut counters = Counters::new(start);
            let scopes: Vec<Scope> = std::iter::once(Scope::All)
                .chain(TRACKS.iter().map(|t| Scope::Track(t.to_string())))
                .collect();
            for op in &ops {
                let seen: Vec<Snapshot> = scopes
                    .iter()
                    .map(|s| counters.snapshot(s, true, world.now))
                    .collect();
                world.step(op, &mut counters);
                let now = world.now;
                let fresh = recount(world.live.iter().cloned(), now);
                prop_assert!(
                    counters.figures_eq(&fresh, now.date_naive()),
                    "after {:?}: drifted {:?}", op, counters.drifted_scopes(&fresh, now.date_naive())
                );
                prop_assert!(counters.is_consistent());
                for (scope, before) in scopes.iter().zip(seen) {
                    let after = counters.snapshot(scope, true, now);
                    prop_assert_eq!(shown(after.clone()), shown(fresh.snapshot(scope, true, now)));
                    prop_assert_eq!(shown(after.clone()), naive(&world.live, scope, now.date_naive()));
                    // Versions never go back, and a scope that shows new figures has a new version
                    // (a new day alone changes the figures without a change of the scope).
                    prop_assert!(after.version >= before.version);
                    if !matches!(op, Op::Wait(_)) && shown(after.clone()) != shown(before.clone()) {
                        prop_assert!(after.version > before.version, "{} after {:?}", scope, op);
                    }
                }
            }
        }
    }
}
