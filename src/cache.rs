//! In-memory copies that spare the database a round trip: the pledge vocabulary
//! ([`Vocabularies`]) and the public answers ([`PublicViews`]).
//!
//! A bounded in-memory cache of answers as the public reads them (a published pledge, a page of
//! the catalogue, rendered once), so that the most read answers cost neither a database round
//! trip nor a rendering.
//!
//! Freshness: every write this instance answers clears it before the answer goes out (read
//! after write holds on one instance), and an entry lives at most `ttl`, the same short while
//! anonymous answers may be kept by any HTTP cache, so a change made through another instance
//! shows within that while everywhere. The cache is bounded in bytes: when full, the oldest
//! entries go first.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError, RwLock,
    },
    time::{Duration, Instant},
};

use bytes::Bytes;

use crate::{
    db::DbConnection,
    domain::{
        errors::Invalid,
        pledge::{validate, PledgeChanges, PledgeInput, ValidPledge, Vocabulary},
    },
    error::{AppError, AppResult},
};

/// The vocabulary pledges are checked against (tracks, focus areas, pillars, countries,
/// regions), held in memory so that checking a pledge needs no query. It only ever grows
/// (nothing deletes a track or a country), so a value the copy does not know may be one added
/// since, by this instance or another: the caller then reloads it ([`Self::hold`]) and checks
/// again before a refusal stands.
#[derive(Default)]
pub struct Vocabularies {
    held: RwLock<Option<Arc<Vocabulary>>>,
}

impl Vocabularies {
    /// The answer of the held copy, or `None` when there is none yet or it does not know a value
    /// the pledge names (then reload, hold and validate).
    pub fn validate(&self, input: &PledgeInput) -> Option<Result<ValidPledge, Invalid>> {
        let held = self
            .held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        match validate(input, &held) {
            Err(invalid) if invalid.names_unknown_value() => None,
            answer => Some(answer),
        }
    }

    /// Keeps a freshly loaded vocabulary and validates `input` against it.
    pub fn hold(&self, loaded: Vocabulary, input: &PledgeInput) -> Result<ValidPledge, Invalid> {
        let answer = validate(input, &loaded);
        *self.held.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(loaded));
        answer
    }

    /// `changes` merged over a pledge's content `base` and checked as a whole, reloading the
    /// vocabulary on `conn` when the held copy does not know a value: what an edit of a pledge
    /// and a proposed amendment to one both do with their body.
    pub fn apply(
        &self,
        conn: &mut DbConnection,
        base: &ValidPledge,
        changes: &PledgeChanges,
    ) -> AppResult<ValidPledge> {
        let base = base.to_input().map_err(AppError::internal)?;
        let edited = changes
            .apply_to(&base)
            .map_err(|e| AppError::MalformedJson(e.to_string()))?;
        Ok(match self.validate(&edited) {
            Some(answer) => answer?,
            None => self.hold(crate::db::taxonomy::vocabulary(conn)?, &edited)?,
        })
    }
}

/// One rendered answer with its validator (and, for a page, the link to the next one).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
    pub link: Option<String>,
}

struct Entry {
    rendered: Rendered,
    stored_at: Instant,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<String, Entry>,
    /// Keys in the order they were stored, oldest first (a key stored again appears twice;
    /// the stale occurrence is skipped when it comes up).
    order: VecDeque<(String, Instant)>,
    bytes: usize,
}

pub struct PublicViews {
    entries: Mutex<Entries>,
    /// Moves on every clear: an answer rendered from a read older than a clear is not stored.
    generation: AtomicU64,
    ttl: Duration,
    max_bytes: usize,
}

impl PublicViews {
    pub fn new(ttl: Duration, max_bytes: usize) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            generation: AtomicU64::new(0),
            ttl,
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The generation to pass to [`Self::put`]: take it before reading what will be rendered.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The fresh answer stored for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Rendered> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.lock();
        let entry = entries.by_key.get(key)?;
        (entry.stored_at.elapsed() < self.ttl).then(|| entry.rendered.clone())
    }

    /// Stores an answer rendered from a read begun at `generation`; dropped if anything was
    /// written since, or if it alone exceeds the bound.
    pub fn put(&self, key: &str, rendered: Rendered, generation: u64) {
        let size = rendered.body.len() + key.len();
        if self.ttl.is_zero() || size > self.max_bytes {
            return;
        }
        let mut entries = self.lock();
        if self.generation() != generation {
            return;
        }
        let now = Instant::now();
        if let Some(old) = entries.by_key.insert(
            key.to_owned(),
            Entry {
                rendered,
                stored_at: now,
            },
        ) {
            entries.bytes -= old.rendered.body.len() + key.len();
        }
        entries.bytes += size;
        entries.order.push_back((key.to_owned(), now));
        while entries.bytes > self.max_bytes {
            let Some((oldest, stored_at)) = entries.order.pop_front() else {
                break;
            };
            let current = entries.by_key.get(&oldest).map(|e| e.stored_at);
            if current == Some(stored_at) {
                if let Some(gone) = entries.by_key.remove(&oldest) {
                    entries.bytes -= gone.rendered.body.len() + oldest.len();
                }
            }
        }
        // Occurrences of keys stored again pile up only as long as the map holds few entries.
        if entries.order.len() > 2 * entries.by_key.len() + 64 {
            let Entries { by_key, order, .. } = &mut *entries;
            order.retain(|(key, at)| by_key.get(key).is_some_and(|e| e.stored_at == *at));
        }
    }

    /// Forgets everything: something this instance wrote may be in any answer.
    pub fn clear(&self) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        *entries = Entries::default();
    }

    /// Bytes held, for the memory bound's sake.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(body: &str) -> Rendered {
        Rendered {
            body: Bytes::from(body.to_owned()),
            etag: format!("\"{body}\""),
            link: None,
        }
    }

    #[test]
    fn stores_serves_and_forgets_on_a_write() {
        let cache = PublicViews::new(Duration::from_secs(60), 1_000);
        let generation = cache.generation();
        cache.put("a", rendered("one"), generation);
        assert_eq!(cache.get("a").unwrap().body, "one");
        cache.clear();
        assert!(cache.get("a").is_none());
        // An answer read before the write is not stored after it.
        cache.put("a", rendered("stale"), generation);
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn entries_expire() {
        let cache = PublicViews::new(Duration::from_millis(20), 1_000);
        cache.put("a", rendered("one"), cache.generation());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn the_bound_in_bytes_holds_and_the_oldest_go_first() {
        let cache = PublicViews::new(Duration::from_secs(60), 100);
        for i in 0..50 {
            cache.put(
                &format!("k{i:02}"),
                rendered(&"x".repeat(20)),
                cache.generation(),
            );
            assert!(cache.bytes() <= 100, "{}", cache.bytes());
        }
        assert!(cache.get("k49").is_some());
        assert!(cache.get("k00").is_none());
        // Storing one key again and again keeps the bookkeeping small.
        for _ in 0..1_000 {
            cache.put("k49", rendered("y"), cache.generation());
        }
        assert!(cache.lock().order.len() < 200);
        // A body larger than the bound is never stored.
        cache.put("big", rendered(&"z".repeat(200)), cache.generation());
        assert!(cache.get("big").is_none());
    }
}
