//! Live counters in storage: every change to a pledge updates the counters of the scopes it
//! touches (the global one and its tracks') in the same transaction, with reference counts for
//! the distinct figures, so that snapshots are read without scanning pledges. `recount`
//! rebuilds everything from the pledges.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::{
    db::{schema::counter_scopes, write_tx, DbConnection},
    domain::counters::{Contribution, Counters, PledgeFacts, Scope, ScopeCounters},
    error::{AppError, AppResult},
};

/// The PostgreSQL channel that tells every instance that counters changed.
pub const CHANNEL: &str = "pledgeboard_stats";

/// The storage key of a scope (a track called `all` cannot collide with the global scope).
pub fn key(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".to_owned(),
        Scope::Track(slug) => format!("track:{slug}"),
    }
}

pub fn scope_of_key(key: &str) -> Option<Scope> {
    match key {
        "all" => Some(Scope::All),
        other => other
            .strip_prefix("track:")
            .map(|slug| Scope::Track(slug.to_owned())),
    }
}

fn decode(state: &str) -> AppResult<ScopeCounters> {
    serde_json::from_str(state)
        .map_err(|e| AppError::internal(format!("stored counters unreadable: {e}")))
}

fn encode(counters: &ScopeCounters) -> String {
    serde_json::to_string(counters).expect("counters serialise")
}

/// Records that a pledge went from contributing `before` to contributing `after` (`None`:
/// nothing). Call inside the change's transaction.
pub fn record_change(
    conn: &mut DbConnection,
    before: Option<(PledgeFacts, Contribution)>,
    after: Option<(PledgeFacts, Contribution)>,
) -> AppResult<()> {
    if before == after {
        return Ok(());
    }
    let mut keys = vec![key(&Scope::All)];
    for (facts, _) in before.iter().chain(after.iter()) {
        keys.extend(facts.tracks.iter().map(|t| key(&Scope::Track(t.clone()))));
    }
    keys.sort();
    keys.dedup();
    let now = Utc::now();
    let loaded = lock_scopes(conn, &keys, now)?;
    let versions: BTreeMap<String, u64> = loaded
        .iter()
        .map(|(k, c)| (k.clone(), c.version()))
        .collect();

    let mut global = None;
    let mut tracks = BTreeMap::new();
    for (k, counters) in loaded {
        match scope_of_key(&k) {
            Some(Scope::All) => global = Some(counters),
            Some(Scope::Track(slug)) => {
                tracks.insert(slug, counters);
            }
            None => {}
        }
    }
    let global = global.ok_or_else(|| AppError::internal("global counters missing"))?;
    let mut counters = Counters::from_scopes(global, tracks, now);
    counters.transition(
        before.as_ref().map(|(f, c)| (f, *c)),
        after.as_ref().map(|(f, c)| (f, *c)),
        now,
    );
    let (global, tracks) = counters.into_scopes();
    let changed = std::iter::once((key(&Scope::All), global))
        .chain(
            tracks
                .into_iter()
                .map(|(slug, c)| (key(&Scope::Track(slug)), c)),
        )
        .filter(|(k, c)| versions.get(k) != Some(&c.version()));
    store(conn, changed, now)?;
    Ok(())
}

/// Loads the given scopes for update (creating missing ones empty), locked on PostgreSQL until
/// the transaction ends so that concurrent changes apply one after the other.
fn lock_scopes(
    conn: &mut DbConnection,
    keys: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, ScopeCounters)>> {
    let empty = encode(&ScopeCounters::new(now));
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
        .filter(counter_scopes::scope.eq_any(keys))
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
    found
        .into_iter()
        .map(|(k, state)| Ok((k, decode(&state)?)))
        .collect()
}

fn store(
    conn: &mut DbConnection,
    scopes: impl Iterator<Item = (String, ScopeCounters)>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut any = false;
    for (k, counters) in scopes {
        any = true;
        diesel::update(counter_scopes::table.find(&k))
            .set((
                counter_scopes::version.eq(i64::try_from(counters.version()).unwrap_or(i64::MAX)),
                counter_scopes::state.eq(encode(&counters)),
                counter_scopes::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    if any {
        if let DbConnection::Postgres(pg) = conn {
            // Delivered on commit, to every instance listening (this one included).
            diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
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
        .select((counter_scopes::scope, counter_scopes::state))
        .load(conn)?;
    rows.into_iter()
        .map(|(k, state)| Ok((k, decode(&state)?)))
        .collect()
}

/// Rebuilds every scope from the pledges (`pledgeboard recount`); versions keep increasing so
/// that clients see the corrected figures as a change. Returns the scopes that had drifted.
pub fn recount(conn: &mut DbConnection) -> AppResult<Vec<String>> {
    write_tx(conn, |conn| {
        let now = Utc::now();
        let pledges = crate::services::pledges::counted_facts(conn)?;
        let fresh = Counters::recount(pledges, now);
        let keys: Vec<String> = counter_scopes::table
            .select(counter_scopes::scope)
            .load(conn)?;
        let mut all_keys: Vec<String> = fresh.scopes().map(|(s, _)| key(&s)).chain(keys).collect();
        all_keys.sort();
        all_keys.dedup();
        let stored = lock_scopes(conn, &all_keys, now)?;
        let mut global = ScopeCounters::new(now);
        let mut tracks = BTreeMap::new();
        for (k, c) in stored {
            match scope_of_key(&k) {
                Some(Scope::All) => global = c,
                Some(Scope::Track(slug)) => {
                    tracks.insert(slug, c);
                }
                None => {}
            }
        }
        let mut current = Counters::from_scopes(global, tracks, now);
        let drifted: Vec<String> = current.reconcile(fresh, now).iter().map(key).collect();
        let (global, tracks) = current.into_scopes();
        let all = std::iter::once((key(&Scope::All), global))
            .chain(tracks.into_iter().map(|(s, c)| (key(&Scope::Track(s)), c)));
        store(conn, all.filter(|(k, _)| drifted.contains(k)), now)?;
        Ok(drifted)
    })
}
