//! Live counters in storage: one `counter_scopes` row per scope (the global one and one per
//! track) holding its figures, and one `counter_refs` row per reference count behind its distinct
//! figures (an organisation, a government, a country with published pledges in scope), so that
//! snapshots are read without scanning pledges and a change rewrites a number of small rows set
//! by the pledge it changes, never by how many organisations or countries there are.
//!
//! Counters change through ONE door, [`counted_change`]: it runs a change in a write transaction
//! and reads what the affected pledges contribute before and after it straight from storage,
//! so no caller can hand in stale or partial facts. [`recount`] rebuilds every scope from the
//! pledges; [`check`] looks for drift without locking anything and repairs only when it
//! finds some.
//!
//! Locking: every counted change (and a recount) first locks the global scope's row, which every
//! counted change touches, then the other rows it needs in `scope` order. Counted changes thus
//! apply one after the other, each seeing the state the previous one committed, and two
//! transactions can never wait for each other's counter rows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::{
    db::{
        pledges::{records, PledgeRecord, PledgeRow},
        schema::{counter_days, counter_refs, counter_scopes, pledges},
        write_tx, DbConnection,
    },
    domain::{
        counters::{
            Contribution, Counters, Distinct, PledgeFacts, Refs, Scope, ScopeCounters, Snapshot,
        },
        errors::Corrupt,
        history::{snapshot_at, HistoryError, Ledger},
        ids::{OrganisationId, PledgeId},
        workflow::Status,
    },
    error::{AppError, AppResult},
};

/// The PostgreSQL channel that tells every instance that counters changed.
pub const CHANNEL: &str = "pledgeboard_stats";

/// Counted changes that removed something the stored counters did not hold: they had drifted
/// from the pledges before the change (the scheduled check repairs them).
pub const INCONSISTENT_CHANGES: &str = "pledgeboard_counter_inconsistent_changes_total";

/// The storage key of a scope (a track called `all` cannot collide with the global scope).
pub fn key(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".to_owned(),
        Scope::Track(slug) => format!("track:{slug}"),
    }
}

/// The scope a stored key names; anything else is a corrupt row.
pub fn scope_of_key(key: &str) -> Result<Scope, Corrupt> {
    match key {
        "all" => Ok(Scope::All),
        other => other
            .strip_prefix("track:")
            .map(|slug| Scope::Track(slug.to_owned()))
            .ok_or_else(|| Corrupt {
                table: "counter_scopes",
                id: key.to_owned(),
                detail: "not a counter scope".to_owned(),
            }),
    }
}

fn decode(key: &str, state: &str) -> Result<ScopeCounters, Corrupt> {
    serde_json::from_str(state).map_err(|e| Corrupt {
        table: "counter_scopes",
        id: key.to_owned(),
        detail: format!("unreadable counters: {e}"),
    })
}

fn encode(counters: &ScopeCounters) -> AppResult<String> {
    serde_json::to_string(counters)
        .map_err(|e| AppError::internal(format!("counters do not serialise: {e}")))
}

// ---------------------------------------------------------------------------------------------
// The door

/// The pledges a change may alter the contribution of.
#[derive(Debug, Clone, Copy)]
pub enum Affected<'a> {
    /// These pledges (whatever their status).
    Pledges(&'a [PledgeId]),
    /// Every counted pledge of an organisation (its kind feeds their figures).
    Organisation(&'a OrganisationId),
}

impl<'a> Affected<'a> {
    /// One pledge.
    pub fn pledge(id: &'a PledgeId) -> Self {
        Affected::Pledges(std::slice::from_ref(id))
    }
}

/// Runs `change` in a write transaction and records in the same transaction how it changed
/// what the `affected` pledges contribute to the counters: their facts are read from storage
/// before and after `change`. Every change that can alter a counted pledge's facts goes through
/// here (pledge edits and status changes, progress reports, organisation edits).
///
/// It opens the transaction itself, so that the global counter row is the first row it locks:
/// call it in place of [`write_tx`], never inside another transaction. Like `write_tx`, it
/// runs `change` again when the transaction loses a race on PostgreSQL.
pub fn counted_change<T>(
    conn: &mut DbConnection,
    affected: Affected<'_>,
    mut change: impl FnMut(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    write_tx(conn, |conn| {
        // Taken first: counted changes queue here, so `before` is what the counters hold.
        lock_scopes(conn, &[key(&Scope::All)], RefsToLoad::None, Utc::now())?;
        let before = contributions(conn, affected)?;
        let value = change(conn)?;
        let after = contributions(conn, affected)?;
        record(conn, &before, &after)?;
        Ok(value)
    })
}

/// What one pledge contributes.
type Counted = (PledgeFacts, Contribution);

/// What pledges contribute, by pledge id.
type Contributions = BTreeMap<String, Counted>;

/// What the affected pledges contribute now, by pledge id.
fn contributions(conn: &mut DbConnection, affected: Affected<'_>) -> AppResult<Contributions> {
    let selection = match affected {
        Affected::Pledges(ids) => Selection::Pledges(ids),
        Affected::Organisation(id) => Selection::Organisation(id),
    };
    Ok(load_counted(conn, selection)?
        .into_iter()
        .map(|(facts, contribution)| (facts.id.clone(), (facts, contribution)))
        .collect())
}

/// Applies the transitions from `before` to `after` to the stored scopes they touch.
fn record(conn: &mut DbConnection, before: &Contributions, after: &Contributions) -> AppResult<()> {
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let changes: Vec<(&String, Option<&Counted>, Option<&Counted>)> = ids
        .into_iter()
        .map(|id| (id, before.get(id), after.get(id)))
        .filter(|(_, old, new)| old != new)
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let mut keys = vec![key(&Scope::All)];
    // The organisations and countries whose reference counts the change may move.
    let mut referenced = BTreeSet::new();
    for (_, old, new) in &changes {
        for (facts, _) in old.iter().chain(new.iter()) {
            keys.extend(facts.tracks.iter().map(|t| key(&Scope::Track(t.clone()))));
            referenced.insert(facts.organisation_id.as_str());
            referenced.extend(facts.countries.iter().map(String::as_str));
        }
    }
    let now = Utc::now();
    let loaded = lock_scopes(conn, &keys, RefsToLoad::Keys(&referenced), now)?;
    let before = Before::of(&loaded, now);
    let mut counters = assemble(loaded, now)?;
    let mut touched = BTreeSet::new();
    for (_, old, new) in &changes {
        touched.extend(counters.transition(
            old.map(|(f, c)| (f, *c)),
            new.map(|(f, c)| (f, *c)),
            now,
        ));
    }
    if !counters.is_consistent() {
        metrics::counter!(INCONSISTENT_CHANGES).increment(1);
        let pledges: Vec<&String> = changes.iter().map(|(id, _, _)| *id).collect();
        let scopes: Vec<String> = touched.iter().map(key).collect();
        tracing::warn!(
            ?pledges,
            ?scopes,
            "a counter change removed figures the stored counters did not hold: they had \
             drifted from the pledges (the scheduled check or `pledgeboard recount` repairs them)"
        );
    }
    let changed = scopes_of(counters)
        .into_iter()
        .filter(|(k, c)| before.versions.get(k) != Some(&c.version()));
    store(conn, changed, &before, now)
}

/// The scopes as loaded, to store back only what a change altered.
struct Before {
    versions: BTreeMap<String, u64>,
    refs: BTreeMap<String, Refs>,
    /// The scopes last changed on an earlier day than this change, with their figures: those
    /// of the end of that day, kept as its close when this change alters them.
    closing: BTreeMap<String, ScopeCounters>,
}

impl Before {
    fn of(loaded: &[(String, ScopeCounters)], now: DateTime<Utc>) -> Self {
        Before {
            closing: loaded
                .iter()
                .filter(|(_, c)| c.version() > 0 && c.updated_at().date_naive() < now.date_naive())
                .map(|(k, c)| (k.clone(), c.clone()))
                .collect(),
            versions: loaded
                .iter()
                .map(|(k, c)| (k.clone(), c.version()))
                .collect(),
            refs: loaded
                .iter()
                .map(|(k, c)| (k.clone(), c.figures().refs().clone()))
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

/// Which reference counts to load with the scopes.
#[derive(Clone, Copy)]
enum RefsToLoad<'a> {
    None,
    /// Those of these organisation ids and country codes (what one change touches).
    Keys(&'a BTreeSet<&'a str>),
    /// All of them (to compare with a recount).
    All,
}

/// Loads the given scopes for update (creating missing ones empty), in `scope` order, locked on
/// PostgreSQL until the transaction ends, with the reference counts asked for. SQLite write
/// transactions hold the database's write lock already; reference rows are only written by
/// counted changes, which the global scope's lock puts one after the other.
fn lock_scopes(
    conn: &mut DbConnection,
    keys: &[String],
    refs: RefsToLoad<'_>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, ScopeCounters)>> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let empty = encode(&ScopeCounters::new(now))?;
    let rows: Vec<_> = keys
        .iter()
        .map(|k| {
            (
                counter_scopes::scope.eq(k.clone()),
                counter_scopes::version.eq(0i64),
                counter_scopes::state.eq(empty.clone()),
                counter_scopes::updated_at.eq(now.naive_utc()),
            )
        })
        .collect();
    let insert = diesel::insert_into(counter_scopes::table)
        .values(&rows)
        .on_conflict_do_nothing();
    let query = counter_scopes::table
        .filter(counter_scopes::scope.eq_any(&keys))
        .order(counter_scopes::scope.asc())
        .select((counter_scopes::scope, counter_scopes::state));
    let found: Vec<(String, String)> = match conn {
        DbConnection::Postgres(pg) => {
            insert.execute(pg)?;
            query.for_update().load(pg)?
        }
        DbConnection::Sqlite(sqlite) => {
            insert.execute(sqlite)?;
            query.load(sqlite)?
        }
    };
    let mut scopes = decoded(found)?;
    load_refs(conn, &mut scopes, refs)?;
    Ok(scopes)
}

fn decoded(rows: Vec<(String, String)>) -> AppResult<Vec<(String, ScopeCounters)>> {
    rows.into_iter()
        .map(|(k, state)| {
            let counters = decode(&k, &state)?;
            Ok((k, counters))
        })
        .collect()
}

/// Installs the stored reference counts `which` asks for into `scopes`.
fn load_refs(
    conn: &mut DbConnection,
    scopes: &mut [(String, ScopeCounters)],
    which: RefsToLoad<'_>,
) -> AppResult<()> {
    let keys: Vec<&String> = scopes.iter().map(|(k, _)| k).collect();
    let query = counter_refs::table
        .filter(counter_refs::scope.eq_any(keys))
        .select((
            counter_refs::scope,
            counter_refs::kind,
            counter_refs::key,
            counter_refs::pledges,
        ))
        .into_boxed();
    let rows: Vec<(String, String, String, i64)> = match which {
        RefsToLoad::None => return Ok(()),
        RefsToLoad::Keys(referenced) if referenced.is_empty() => return Ok(()),
        RefsToLoad::Keys(referenced) => query
            .filter(counter_refs::key.eq_any(referenced.iter().copied()))
            .load(conn)?,
        RefsToLoad::All => query.load(conn)?,
    };
    let mut by_scope: BTreeMap<String, Refs> = BTreeMap::new();
    for (scope, kind, key, pledges) in rows {
        let row = format!("{scope}/{kind}/{key}");
        let kind = Distinct::parse(&kind).ok_or_else(|| Corrupt {
            table: "counter_refs",
            id: row.clone(),
            detail: "not a distinct figure".to_owned(),
        })?;
        let pledges = u64::try_from(pledges)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| Corrupt {
                table: "counter_refs",
                id: row,
                detail: format!("{pledges} is not a reference count"),
            })?;
        by_scope
            .entry(scope)
            .or_default()
            .insert((kind, key), pledges);
    }
    for (k, counters) in scopes.iter_mut() {
        if let Some(refs) = by_scope.remove(k) {
            counters.load_refs(refs);
        }
    }
    Ok(())
}

/// Counters holding the given stored scopes; the global one must be among them.
fn assemble(scopes: Vec<(String, ScopeCounters)>, now: DateTime<Utc>) -> AppResult<Counters> {
    let mut global = None;
    let mut tracks = BTreeMap::new();
    for (k, counters) in scopes {
        match scope_of_key(&k)? {
            Scope::All => global = Some(counters),
            Scope::Track(slug) => {
                tracks.insert(slug, counters);
            }
        }
    }
    let global = global.ok_or_else(|| AppError::internal("global counters missing"))?;
    Ok(Counters::from_scopes(global, tracks, now))
}

/// Every scope of `counters` with its storage key.
fn scopes_of(counters: Counters) -> Vec<(String, ScopeCounters)> {
    let (global, tracks) = counters.into_scopes();
    std::iter::once((key(&Scope::All), global))
        .chain(
            tracks
                .into_iter()
                .map(|(slug, c)| (key(&Scope::Track(slug)), c)),
        )
        .collect()
}

/// Writes the given scopes back: each one's row, and the reference counts that differ from
/// those `before` holds (every one a change touched was loaded, so a count absent from both is
/// absent from storage).
fn store(
    conn: &mut DbConnection,
    scopes: impl Iterator<Item = (String, ScopeCounters)>,
    before: &Before,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let none = Refs::new();
    let mut any = false;
    for (k, counters) in scopes {
        any = true;
        if let Some(closed) = before.closing.get(&k) {
            close_day(conn, &k, closed)?;
        }
        diesel::update(counter_scopes::table.find(&k))
            .set((
                counter_scopes::version.eq(i64::try_from(counters.version()).unwrap_or(i64::MAX)),
                counter_scopes::state.eq(encode(&counters)?),
                counter_scopes::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        let old = before.refs.get(&k).unwrap_or(&none);
        let new = counters.figures().refs();
        let entries: BTreeSet<&(Distinct, String)> = old.keys().chain(new.keys()).collect();
        for entry in entries {
            store_ref(conn, &k, entry, old.get(entry), new.get(entry))?;
        }
    }
    if any {
        if let DbConnection::Postgres(pg) = conn {
            // Delivered on commit, to every instance listening (this one included).
            diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
        }
    }
    Ok(())
}

/// Keeps `closed`, a scope's figures last changed on an earlier day, as the figures at the end
/// of that day (once: a close is never rewritten).
fn close_day(conn: &mut DbConnection, scope: &str, closed: &ScopeCounters) -> AppResult<()> {
    let insert = diesel::insert_into(counter_days::table)
        .values((
            counter_days::scope.eq(scope),
            counter_days::day.eq(closed.updated_at().date_naive()),
            counter_days::state.eq(encode(closed)?),
            counter_days::history_starts.eq(false),
        ))
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Postgres(pg) => insert.execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
    };
    Ok(())
}

/// A scope's figures over time, as needed for the dates from `from` to `to`: the closes in
/// between, the latest one before (or the first of all, to tell an empty past from an unknown
/// one) and the live figures.
pub fn ledger(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Ledger> {
    let k = key(scope);
    let stored = counter_days::table
        .filter(counter_days::scope.eq(&k))
        .select((
            counter_days::day,
            counter_days::state,
            counter_days::history_starts,
        ));
    let mut rows: Vec<(NaiveDate, String, bool)> = stored
        .filter(counter_days::day.between(from, to))
        .load(conn)?;
    let earlier: Option<(NaiveDate, String, bool)> = stored
        .filter(counter_days::day.lt(from))
        .order(counter_days::day.desc())
        .first(conn)
        .optional()?;
    match earlier {
        Some(row) => rows.push(row),
        None => rows.extend(
            stored
                .order(counter_days::day.asc())
                .first::<(NaiveDate, String, bool)>(conn)
                .optional()?,
        ),
    }
    let closes = rows
        .into_iter()
        .map(|(day, state, starts)| {
            let id = format!("{k}/{day}");
            let counters = serde_json::from_str(&state).map_err(|e| Corrupt {
                table: "counter_days",
                id,
                detail: format!("unreadable counters: {e}"),
            })?;
            Ok((day, counters, starts))
        })
        .collect::<AppResult<Vec<_>>>()?;
    let current = load(conn, &[k])?.pop().map(|(_, c)| c);
    Ok(Ledger::new(closes, current))
}

/// The public snapshot of `scope` at the end of `day`; none when the figures of that day were
/// never recorded (before the upgrade that began keeping them).
pub fn figures_on(
    conn: &mut DbConnection,
    scope: &Scope,
    day: NaiveDate,
) -> AppResult<Option<Snapshot>> {
    let ledger = ledger(conn, scope, day, day)?;
    Ok(match ledger.at(day) {
        Ok(figures) => Some(snapshot_at(scope, figures, day, false)),
        Err(HistoryError::BeforeHistory { .. }) => None,
        Err(other) => return Err(other.into()),
    })
}

/// Moves one stored reference count from `old` to `new` (absent: no pledge).
fn store_ref(
    conn: &mut DbConnection,
    scope: &str,
    (kind, key): &(Distinct, String),
    old: Option<&u64>,
    new: Option<&u64>,
) -> AppResult<()> {
    let row = counter_refs::table.find((scope, key.as_str(), kind.as_str()));
    let pledges = |n: &u64| i64::try_from(*n).unwrap_or(i64::MAX);
    match (old, new) {
        (Some(old), Some(new)) if old == new => {}
        (None, None) => {}
        (Some(_), None) => {
            diesel::delete(row).execute(conn)?;
        }
        (Some(_), Some(new)) => {
            diesel::update(row)
                .set(counter_refs::pledges.eq(pledges(new)))
                .execute(conn)?;
        }
        (None, Some(new)) => {
            diesel::insert_into(counter_refs::table)
                .values((
                    counter_refs::scope.eq(scope),
                    counter_refs::kind.eq(kind.as_str()),
                    counter_refs::key.eq(key),
                    counter_refs::pledges.eq(pledges(new)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The version of every stored scope: cheap, to see which changed since the last look.
pub fn versions(conn: &mut DbConnection) -> AppResult<Vec<(String, i64)>> {
    Ok(counter_scopes::table
        .select((counter_scopes::scope, counter_scopes::version))
        .load(conn)?)
}

/// The stored counters of the given scopes.
pub fn load(conn: &mut DbConnection, keys: &[String]) -> AppResult<Vec<(String, ScopeCounters)>> {
    let rows: Vec<(String, String)> = counter_scopes::table
        .filter(counter_scopes::scope.eq_any(keys))
        .order(counter_scopes::scope.asc())
        .select((counter_scopes::scope, counter_scopes::state))
        .load(conn)?;
    decoded(rows)
}

/// Every stored scope with all its reference counts.
fn load_all(conn: &mut DbConnection) -> AppResult<Vec<(String, ScopeCounters)>> {
    let keys: Vec<String> = counter_scopes::table
        .select(counter_scopes::scope)
        .load(conn)?;
    let mut scopes = load(conn, &keys)?;
    load_refs(conn, &mut scopes, RefsToLoad::All)?;
    Ok(scopes)
}

// ---------------------------------------------------------------------------------------------
// Recount

/// A figure added to the stored scopes after they were first written; a stored global scope
/// without it was written by an earlier version.
const NEWEST_FIGURE: &str = "\"usd_by_sdg\"";

/// Rebuilds the scopes when they were stored by a version that kept fewer figures (a change
/// applied to them would count from a missing base); true if it did. Checked at start, after
/// the migrations: one row read when there is nothing to do.
pub fn upgrade_stored(conn: &mut DbConnection) -> AppResult<bool> {
    let global: Option<String> = counter_scopes::table
        .find(key(&Scope::All))
        .select(counter_scopes::state)
        .first(conn)
        .optional()?;
    match global {
        Some(state) if !state.contains(NEWEST_FIGURE) => {
            recount(conn)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Rebuilds every scope from the pledges (`pledgeboard recount`); versions keep increasing so
/// that clients see the corrected figures as a change. Returns the scopes that had drifted.
pub fn recount(conn: &mut DbConnection) -> AppResult<Vec<Scope>> {
    write_tx(conn, |conn| {
        let now = Utc::now();
        // No counted change runs while the pledges are read, and none is half-way through.
        lock_scopes(conn, &[key(&Scope::All)], RefsToLoad::None, now)?;
        let fresh = Counters::recount(counted_facts(conn)?, now);
        let stored_keys: Vec<String> = counter_scopes::table
            .select(counter_scopes::scope)
            .load(conn)?;
        let keys: Vec<String> = fresh
            .scopes()
            .map(|(s, _)| key(&s))
            .chain(stored_keys)
            .collect();
        let loaded = lock_scopes(conn, &keys, RefsToLoad::All, now)?;
        let before = Before::of(&loaded, now);
        let mut current = assemble(loaded, now)?;
        let drifted = current.reconcile(fresh, now);
        let repaired: BTreeSet<String> = drifted.iter().map(key).collect();
        store(
            conn,
            scopes_of(current)
                .into_iter()
                .filter(|(k, _)| repaired.contains(k)),
            &before,
            now,
        )?;
        Ok(drifted)
    })
}

/// The scopes whose stored figures differ from a count from scratch, read in one consistent
/// snapshot without locking anything.
pub fn drifted(conn: &mut DbConnection) -> AppResult<Vec<Scope>> {
    conn.transaction(|conn| {
        if let DbConnection::Postgres(pg) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(pg)?;
        }
        let now = Utc::now();
        let fresh = Counters::recount(counted_facts(conn)?, now);
        let stored = load_all(conn)?;
        let current = if stored.is_empty() {
            Counters::new(now)
        } else {
            assemble(stored, now)?
        };
        Ok(current.drifted_scopes(&fresh, now.date_naive()))
    })
}

/// Looks for drift and, only when there is some, recounts under lock: the repaired scopes.
/// Cheap for writers when the counters are exact, which is the normal case.
pub fn check(conn: &mut DbConnection) -> AppResult<Vec<Scope>> {
    if drifted(conn)?.is_empty() {
        return Ok(Vec::new());
    }
    recount(conn)
}

// ---------------------------------------------------------------------------------------------
// What pledges contribute

/// Which counted pledges to read.
#[derive(Clone, Copy)]
enum Selection<'a> {
    Pledges(&'a [PledgeId]),
    Organisation(&'a OrganisationId),
    /// A batch in id order, after the given id.
    Batch(Option<&'a PledgeId>, i64),
}

/// The statuses whose pledges count.
fn counted_statuses() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .map(|s| s.as_str())
        .filter(|s| Contribution::for_status(s).is_some())
        .collect()
}

/// What every counted pledge (published and pending ones) contributes now, in id order.
pub fn counted_facts(conn: &mut DbConnection) -> AppResult<Vec<(PledgeFacts, Contribution)>> {
    const BATCH: i64 = 500;
    let mut out = Vec::new();
    let mut after: Option<PledgeId> = None;
    // In batches, so that each query stays small however many pledges there are.
    loop {
        let batch = load_counted(conn, Selection::Batch(after.as_ref(), BATCH))?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        after = Some(PledgeId::from(last.id.clone()));
        let full = batch.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
        out.extend(batch);
        if !full {
            break;
        }
    }
    Ok(out)
}

/// The facts and contribution of the selected pledges that count, in id order: read through
/// the pledge repository, so that the facts follow from the one definition of a pledge.
fn load_counted(
    conn: &mut DbConnection,
    selection: Selection<'_>,
) -> AppResult<Vec<(PledgeFacts, Contribution)>> {
    let mut query = pledges::table
        .filter(pledges::status.eq_any(counted_statuses()))
        .select(PledgeRow::as_select())
        .order(pledges::id.asc())
        .into_boxed();
    match selection {
        Selection::Pledges([]) => return Ok(Vec::new()),
        Selection::Pledges(ids) => query = query.filter(pledges::id.eq_any(ids)),
        Selection::Organisation(id) => query = query.filter(pledges::organisation_id.eq(id)),
        Selection::Batch(after, limit) => {
            if let Some(last) = after {
                query = query.filter(pledges::id.gt(last));
            }
            query = query.limit(limit);
        }
    }
    let rows: Vec<PledgeRow> = query.load(conn)?;
    Ok(records(conn, rows)?
        .iter()
        .filter_map(PledgeRecord::contribution)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_keys_round_trip_and_unknown_ones_name_the_row() {
        for scope in [Scope::All, Scope::Track("all".to_owned())] {
            assert_eq!(scope_of_key(&key(&scope)).unwrap(), scope);
        }
        assert_eq!(key(&Scope::Track("all".to_owned())), "track:all");
        let err = scope_of_key("everything").unwrap_err();
        assert_eq!(
            (err.table, err.id.as_str()),
            ("counter_scopes", "everything")
        );
    }

    #[test]
    fn only_pending_scheduled_and_published_pledges_count() {
        assert_eq!(
            counted_statuses(),
            [
                "submitted",
                "changes_requested",
                "published",
                "completed",
                "inactive",
                "scheduled"
            ]
        );
    }
}
