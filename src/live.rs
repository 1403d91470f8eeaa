//! Live counters in memory: the current snapshot of every scope, pre-rendered, served without
//! touching the database, and pushed to stream subscribers through one `watch` channel per
//! scope, which one task for all scopes brings up to the latest snapshot at most every
//! [`STREAM_GAP`] (rather than a timer in each of tens of thousands of streams). Changes arrive
//! as pokes from this instance's writes and, on PostgreSQL, as `NOTIFY`s from every instance (a
//! dedicated `LISTEN` connection); a slow poll covers anything missed.
//!
//! A scheduled self-check ([`spawn_counter_check`]) now and then recounts every scope from the
//! pledges, off the request path, and repairs and reports any drift it finds.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, PoisonError, RwLock, Weak,
    },
    time::Duration,
};

use bytes::Bytes;
use bytestring::ByteString;
use chrono::Utc;
use diesel::{pg::PgConnection, Connection, RunQueryDsl};
use tokio::{
    sync::{watch, Notify},
    task::JoinHandle,
};

use crate::{
    db::{counters, screens, Backend, Database},
    domain::{
        counters::{Scope, ScopeCounters, GLOBAL_SCOPE},
        goals::{self, Goal},
        screen::{LatestPledge, TICKER_LENGTH},
    },
    error::{AppError, AppResult},
    metrics,
};

/// One scope's current snapshot, rendered once for every reader.
#[derive(Debug)]
pub struct Rendered {
    pub version: u64,
    /// The public figures, as JSON (shared, not copied, by every answer and stream event).
    pub public: ByteString,
    /// With the pending figures staff see, as JSON.
    pub staff: ByteString,
    /// The `ETag`s of the two, as header values' bytes (shared, not copied, by every answer).
    pub public_etag: Bytes,
    pub staff_etag: Bytes,
    /// The two as `GET /stats/stream` events, framed once for every subscriber.
    pub public_event: Bytes,
    pub staff_event: Bytes,
}

/// One Server-Sent Event: `event: stats`, the version as its `id`, the snapshot as its data
/// (compact JSON, so one `data:` line).
fn stream_event(version: u64, json: &str) -> Bytes {
    Bytes::from(format!("id: {version}\nevent: stats\ndata: {json}\n\n"))
}

/// What a snapshot carries beside the counters: the scope's goals (with the revision they were
/// read at) and its latest published pledges.
#[derive(Debug, Clone, Default)]
struct Extras {
    goals_revision: i64,
    goals: Vec<Goal>,
    latest: Vec<LatestPledge>,
}

impl Rendered {
    fn of(scope: &Scope, counters: &ScopeCounters, extras: &Extras) -> Self {
        let now = Utc::now();
        let name = scope.as_str();
        let render = |staff| {
            let mut snapshot = counters.snapshot(name, staff, now);
            snapshot.goals =
                goals::progress(&extras.goals, &snapshot.goal_figures(), now.date_naive());
            snapshot.latest.clone_from(&extras.latest);
            serde_json::to_string(&snapshot).unwrap_or_else(|e| {
                tracing::error!(error = %e, scope = name, "a snapshot does not serialise");
                "{}".to_owned()
            })
        };
        let version = counters.version();
        let (public, staff) = (render(false), render(true));
        // Goals change the body without moving the counters' version: the tag names both.
        let tag = match extras.goals_revision {
            0 => version.to_string(),
            revision => format!("{version}g{revision}"),
        };
        Self {
            version,
            public_event: stream_event(version, &public),
            staff_event: stream_event(version, &staff),
            public: public.into(),
            staff: staff.into(),
            public_etag: Bytes::from(format!("\"{tag}\"")),
            // Staff see more than the public: the two bodies of one version are told apart.
            staff_etag: Bytes::from(format!("\"{tag}-staff\"")),
        }
    }
}

/// One scope's snapshots: the latest, which answers read, and the one its streams follow,
/// brought up to the latest at most every [`STREAM_GAP`].
#[derive(Clone)]
struct Channel {
    latest: watch::Sender<Arc<Rendered>>,
    paced: watch::Sender<Arc<Rendered>>,
}

impl Channel {
    fn new(scope: &Scope) -> Self {
        let empty = Arc::new(Rendered::of(
            scope,
            &ScopeCounters::new(Utc::now()),
            &Extras::default(),
        ));
        Self {
            latest: watch::channel(empty.clone()).0,
            paced: watch::channel(empty).0,
        }
    }

    /// Hands the latest snapshot to the streams, unless they have it already.
    fn forward(&self) {
        let latest = self.latest.borrow().clone();
        self.paced.send_if_modified(|paced| {
            if Arc::ptr_eq(paced, &latest) {
                return false;
            }
            *paced = latest;
            true
        });
    }
}

/// What the live counters have loaded so far, by storage key.
#[derive(Debug, Default)]
struct Loaded {
    /// The counters' stored version.
    versions: HashMap<String, i64>,
    /// The goals, with their stored revision.
    goals: HashMap<String, (i64, Vec<Goal>)>,
    /// The UTC day of the last reload: a goal's deadline may pass with nothing else changing.
    day: Option<chrono::NaiveDate>,
}

pub struct LiveCounters {
    db: Database,
    /// The snapshots of every pledge (the global scope).
    global: Channel,
    /// Storage key → the snapshots of each track's scope.
    channels: RwLock<HashMap<String, Channel>>,
    /// Known track slugs: other names are 404.
    tracks: RwLock<HashSet<String>>,
    /// What was last loaded of each scope.
    loaded: tokio::sync::Mutex<Loaded>,
    poke: Notify,
    /// Told when a reload has changed a latest snapshot, for the streams to follow.
    published: Notify,
    /// Pokes so far: a write by this instance that may have moved counters adds one.
    written: AtomicU64,
    /// The pokes the loaded snapshots include: a refresh that began after poke n has them all.
    applied: AtomicU64,
    /// Turns true when the service shuts down: every stream then ends.
    closing: watch::Sender<bool>,
    /// Ticks every [`KEEP_ALIVE`]: one timer for every stream, rather than one each.
    keep_alive: watch::Sender<u64>,
}

/// How often a quiet stream sends a comment, so that proxies keep it open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How often counters are re-read even without a poke or notification.
const FALLBACK_POLL: Duration = Duration::from_secs(2);
/// The shortest gap between two stream events: the changes in between are coalesced.
pub const STREAM_GAP: Duration = Duration::from_millis(250);

/// The shortest gap between two reloads after a poke: bursts of changes are coalesced.
const COALESCE: Duration = Duration::from_millis(100);

impl LiveCounters {
    /// Loads every scope and starts following changes.
    pub async fn start(db: Database, database_url: String) -> AppResult<Arc<Self>> {
        let live = Arc::new(Self {
            db,
            global: Channel::new(&Scope::All),
            channels: RwLock::new(HashMap::new()),
            tracks: RwLock::new(HashSet::new()),
            loaded: tokio::sync::Mutex::new(Loaded::default()),
            poke: Notify::new(),
            published: Notify::new(),
            written: AtomicU64::new(0),
            applied: AtomicU64::new(0),
            closing: watch::channel(false).0,
            keep_alive: watch::channel(0).0,
        });
        live.refresh().await?;
        tokio::spawn(follow(Arc::downgrade(&live)));
        tokio::spawn(pace_streams(Arc::downgrade(&live)));
        tokio::spawn(tick_keep_alive(Arc::downgrade(&live)));
        if live.db.backend() == Backend::Postgres {
            let weak = Arc::downgrade(&live);
            std::thread::Builder::new()
                .name("stats-listener".to_owned())
                .spawn(move || listen(weak, &database_url))
                .map_err(|e| AppError::internal(format!("cannot start the stats listener: {e}")))?;
        }
        Ok(live)
    }

    /// Says that counters may have changed (after a write by this instance has committed).
    pub fn poke(&self) {
        self.written.fetch_add(1, Ordering::SeqCst);
        self.poke.notify_one();
    }

    /// Brings the snapshots up to every write this instance has answered, so that a read
    /// after a write sees it. Free when nothing was written since the last refresh; readers
    /// arriving together share one refresh.
    pub async fn catch_up(&self) -> AppResult<()> {
        let wanted = self.written.load(Ordering::SeqCst);
        if self.applied.load(Ordering::SeqCst) >= wanted {
            return Ok(());
        }
        let mut loaded = self.loaded.lock().await;
        // Another reader's refresh may have covered these writes while this one waited.
        if self.applied.load(Ordering::SeqCst) >= wanted {
            return Ok(());
        }
        self.reload(&mut loaded).await
    }

    /// Ends every stream (shutdown): clients reconnect, to this instance's successor or a peer.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// Watches for shutdown.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ticks when quiet streams should send a keep-alive comment.
    pub fn keep_alive(&self) -> watch::Receiver<u64> {
        self.keep_alive.subscribe()
    }

    /// The scope of `track` (none: the global scope); unknown tracks are `NotFound`.
    pub fn scope(&self, track: Option<&str>) -> AppResult<Scope> {
        Ok(match track {
            None | Some("") | Some(GLOBAL_SCOPE) => Scope::All,
            Some(slug) => {
                if !self
                    .tracks
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .contains(slug)
                {
                    return Err(AppError::NotFound("track"));
                }
                Scope::Track(slug.to_owned())
            }
        })
    }

    fn channel(&self, scope: &Scope, key: &str) -> Channel {
        if *scope == Scope::All {
            return self.global.clone();
        }
        if let Some(sender) = self
            .channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return sender.clone();
        }
        let mut channels = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        channels
            .entry(key.to_owned())
            .or_insert_with(|| Channel::new(scope))
            .clone()
    }

    /// The current snapshot of a scope.
    pub fn current(&self, scope: &Scope) -> Arc<Rendered> {
        if *scope == Scope::All {
            // The one read most (every big screen of the whole registry): no lookup.
            return self.global.latest.borrow().clone();
        }
        self.channel(scope, &counters::key(scope))
            .latest
            .borrow()
            .clone()
    }

    /// Follows a scope as its streams do: the receiver changes at most every [`STREAM_GAP`],
    /// to the latest snapshot of the moment (so it may lag [`Self::current`] by that much).
    pub fn subscribe(&self, scope: &Scope) -> watch::Receiver<Arc<Rendered>> {
        self.channel(scope, &counters::key(scope)).paced.subscribe()
    }

    /// Brings every scope's streams up to its latest snapshot.
    fn forward_to_streams(&self) {
        self.global.forward();
        for channel in self
            .channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
        {
            channel.forward();
        }
    }

    /// Re-reads the scopes whose stored version moved, and the list of tracks.
    pub async fn refresh(&self) -> AppResult<()> {
        let mut loaded = self.loaded.lock().await;
        self.reload(&mut loaded).await
    }

    /// [`Self::refresh`], with the lock on what was loaded held. A scope is re-rendered when
    /// its counters' version or its goals' revision moved; goals are read only then, so
    /// readers and streams never wait on them.
    async fn reload(&self, loaded: &mut Loaded) -> AppResult<()> {
        // Every write poked before this line has committed, so the reads below include it.
        let including = self.written.load(Ordering::SeqCst);
        let (versions, slugs, revisions) = self
            .db
            .run(|conn| {
                let versions = counters::versions(conn)?;
                let slugs = crate::db::taxonomy::track_slugs(conn)?;
                let revisions = screens::goal_revisions(conn)?;
                Ok((versions, slugs, revisions))
            })
            .await?;
        *self.tracks.write().unwrap_or_else(PoisonError::into_inner) = slugs.into_iter().collect();
        let goals_moved: Vec<String> = revisions
            .iter()
            .filter(|(k, r)| loaded.goals.get(k).map(|(known, _)| known) != Some(r))
            .map(|(k, _)| k.clone())
            .collect();
        let mut changed: HashSet<String> = versions
            .iter()
            .filter(|(k, v)| loaded.versions.get(k) != Some(v))
            .map(|(k, _)| k.clone())
            .collect();
        changed.extend(goals_moved.iter().cloned());
        let today = Utc::now().date_naive();
        if loaded.day != Some(today) {
            // A new day: a deadline may have passed, which the scopes with goals show.
            changed.extend(
                loaded
                    .goals
                    .iter()
                    .filter(|(_, (_, goals))| !goals.is_empty())
                    .map(|(k, _)| k.clone()),
            );
        }
        if changed.is_empty() {
            loaded.day = Some(today);
            self.applied.fetch_max(including, Ordering::SeqCst);
            return Ok(());
        }
        let mut scopes = Vec::with_capacity(changed.len());
        for key in changed {
            match counters::scope_of_key(&key) {
                Ok(scope) => scopes.push((key, scope)),
                Err(e) => tracing::warn!(error = ?e, "a stored counter scope is not understood"),
            }
        }
        let keys: Vec<String> = scopes.iter().map(|(k, _)| k.clone()).collect();
        let (fresh, fresh_goals, latest) = self
            .db
            .run(move |conn| {
                let fresh: HashMap<String, ScopeCounters> =
                    counters::load(conn, &keys)?.into_iter().collect();
                let goals = screens::goals(conn, &goals_moved)?;
                let mut latest = HashMap::new();
                for (key, scope) in &scopes {
                    latest.insert(
                        key.clone(),
                        screens::latest_published(conn, scope, TICKER_LENGTH)?,
                    );
                }
                Ok((fresh, goals, (scopes, latest)))
            })
            .await?;
        let revision_of: HashMap<&String, i64> = revisions.iter().map(|(k, r)| (k, *r)).collect();
        for (key, goals) in fresh_goals {
            let revision = revision_of.get(&key).copied().unwrap_or(0);
            loaded.goals.insert(key, (revision, goals));
        }
        let (scopes, mut latest) = latest;
        for (key, scope) in scopes {
            let stored = match fresh.get(&key) {
                Some(stored) => {
                    loaded.versions.insert(
                        key.clone(),
                        i64::try_from(stored.version()).unwrap_or(i64::MAX),
                    );
                    stored.clone()
                }
                // Goals for a scope nothing has counted in yet.
                None => ScopeCounters::new(Utc::now()),
            };
            let (goals_revision, goals) = loaded.goals.get(&key).cloned().unwrap_or_default();
            let extras = Extras {
                goals_revision,
                goals,
                latest: latest.remove(&key).unwrap_or_default(),
            };
            let rendered = Arc::new(Rendered::of(&scope, &stored, &extras));
            self.channel(&scope, &key).latest.send_replace(rendered);
        }
        self.published.notify_one();
        loaded.day = Some(today);
        self.applied.fetch_max(including, Ordering::SeqCst);
        Ok(())
    }

    /// Recounts every scope from the pledges (on the blocking pool, and without locking
    /// anything unless there is drift), repairs the scopes that had drifted with a new version,
    /// logs and counts each of them, and returns them.
    pub async fn check_counters(&self) -> AppResult<Vec<Scope>> {
        let checked = self.db.run(counters::check).await;
        metrics::record_counter_check(checked.as_deref().ok());
        let repaired = checked?;
        for scope in &repaired {
            tracing::warn!(
                scope = %scope,
                "live counters had drifted from the pledges; repaired from a recount"
            );
        }
        if !repaired.is_empty() {
            self.poke();
        }
        Ok(repaired)
    }
}

/// Starts the scheduled self-check of the counters: every `interval_secs` (the first one
/// interval after start), [`LiveCounters::check_counters`]. 0 turns it off. Abort the task to
/// stop it.
/// Ticks the streams' shared keep-alive until the counters are dropped.
async fn tick_keep_alive(live: Weak<LiveCounters>) {
    loop {
        tokio::time::sleep(KEEP_ALIVE).await;
        let Some(live) = live.upgrade() else { return };
        live.keep_alive.send_modify(|n| *n += 1);
    }
}

pub fn spawn_counter_check(live: &Arc<LiveCounters>, interval_secs: u64) -> Option<JoinHandle<()>> {
    if interval_secs == 0 {
        return None;
    }
    let live = Arc::downgrade(live);
    let interval = Duration::from_secs(interval_secs);
    Some(tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let Some(strong) = live.upgrade() else { return };
            if let Err(e) = strong.check_counters().await {
                tracing::warn!(error = %e, "the counter check failed; it runs again later");
            }
        }
    }))
}

/// Reloads on every poke (coalesced) and every few seconds, for as long as the counters live.
async fn follow(live: Weak<LiveCounters>) {
    loop {
        let Some(strong) = live.upgrade() else { return };
        let poked = tokio::select! {
            _ = strong.poke.notified() => true,
            _ = tokio::time::sleep(FALLBACK_POLL) => false,
        };
        if let Err(e) = strong.refresh().await {
            tracing::warn!(error = %e, "live counters could not be refreshed");
        }
        drop(strong);
        // A burst of writes is coalesced: after a poke the next reload waits a moment. A quiet
        // poll holds nothing up: a write just after it reaches the streams at once.
        if poked {
            tokio::time::sleep(COALESCE).await;
        }
    }
}

/// Hands each new snapshot to the streams at once, then waits [`STREAM_GAP`] before the next:
/// the changes in between reach them together. One timer for every stream.
async fn pace_streams(live: Weak<LiveCounters>) {
    loop {
        let Some(strong) = live.upgrade() else { return };
        // Timed, so that the task notices when the counters are dropped.
        let published = tokio::select! {
            _ = strong.published.notified() => true,
            _ = tokio::time::sleep(FALLBACK_POLL) => false,
        };
        if !published {
            continue;
        }
        strong.forward_to_streams();
        drop(strong);
        tokio::time::sleep(STREAM_GAP).await;
    }
}

/// PostgreSQL: a dedicated connection `LISTEN`s for changes made by any instance. When it
/// drops, it reconnects and asks for a full re-read, so no change is missed for good.
fn listen(live: Weak<LiveCounters>, url: &str) {
    let mut backoff = Duration::from_millis(200);
    loop {
        if live.strong_count() == 0 {
            return;
        }
        let mut conn = match PgConnection::establish(url) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "stats listener cannot connect; retrying");
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        if let Err(e) =
            diesel::sql_query(format!("LISTEN {}", counters::CHANNEL)).execute(&mut conn)
        {
            tracing::warn!(error = %e, "stats listener cannot LISTEN; retrying");
            std::thread::sleep(backoff);
            continue;
        }
        backoff = Duration::from_millis(200);
        tracing::info!("stats listener connected");
        // Anything committed while we were away: re-read now.
        match live.upgrade() {
            Some(l) => l.poke(),
            None => return,
        }
        let mut idle = Duration::ZERO;
        'connected: loop {
            std::thread::sleep(Duration::from_millis(50));
            let mut heard = false;
            for notification in conn.notifications_iter() {
                match notification {
                    Ok(_) => heard = true,
                    Err(e) => {
                        tracing::warn!(error = %e, "stats listener lost its connection; reconnecting");
                        break 'connected;
                    }
                }
            }
            let Some(l) = live.upgrade() else { return };
            if heard {
                l.poke();
                idle = Duration::ZERO;
            } else {
                idle += Duration::from_millis(50);
                // A silent connection may be a dead one: check now and then.
                if idle >= Duration::from_secs(5) {
                    idle = Duration::ZERO;
                    if diesel::sql_query("SELECT 1").execute(&mut conn).is_err() {
                        tracing::warn!("stats listener connection is dead; reconnecting");
                        break 'connected;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot of its own (the streams tell snapshots apart by identity).
    fn rendered() -> Arc<Rendered> {
        let counters = ScopeCounters::new(Utc::now());
        Arc::new(Rendered::of(&Scope::All, &counters, &Extras::default()))
    }

    #[test]
    fn streams_get_each_new_snapshot_once_and_only_when_forwarded() {
        let channel = Channel::new(&Scope::All);
        let mut stream = channel.paced.subscribe();
        stream.borrow_and_update();

        let first = rendered();
        channel.latest.send_replace(first.clone());
        assert!(
            !stream.has_changed().unwrap(),
            "not before the pacer forwards"
        );
        channel.forward();
        assert!(stream.has_changed().unwrap());
        assert!(Arc::ptr_eq(&stream.borrow_and_update(), &first));

        // Nothing new: forwarding again wakes no stream.
        channel.forward();
        assert!(!stream.has_changed().unwrap());

        // Two snapshots between forwards reach the streams as one: the latest.
        channel.latest.send_replace(rendered());
        let third = rendered();
        channel.latest.send_replace(third.clone());
        channel.forward();
        assert!(Arc::ptr_eq(&stream.borrow_and_update(), &third));
    }
}
