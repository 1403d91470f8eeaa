//! Password hashing with argon2id at the OWASP setting (m=19456 KiB, t=2, p=1). Every call here
//! is slow on purpose: run it off the async workers.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, OnceLock,
    },
    time::Duration,
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::error::{AppError, AppResult};

/// How long a password check waits for a free slot before it is answered 503.
const GATE_WAIT: Duration = Duration::from_secs(2);

/// Admits at most so many password checks at once, with a bounded number waiting (each for at
/// most [`GATE_WAIT`]); past that the caller hears 503 at once. Hashing is slow on purpose: left
/// unbounded, a login storm would take every core from the rest of the service and queue
/// without end. Held around the whole request, so that a waiting check holds no database
/// connection either.
pub struct Gate {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
}

/// A place in the gate; the next check goes in when it is dropped.
pub struct Admitted(#[allow(dead_code)] OwnedSemaphorePermit);

impl Gate {
    /// `concurrency` 0 means half the cores, at least one.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = if concurrency == 0 {
            std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
        } else {
            concurrency
        };
        Gate {
            running: Arc::new(Semaphore::new(concurrency)),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// Waits for a slot, or refuses with `Unavailable` when the queue is full or the wait
    /// too long.
    pub async fn enter(&self) -> AppResult<Admitted> {
        if let Ok(permit) = self.running.clone().try_acquire_owned() {
            return Ok(Admitted(permit));
        }
        let busy = || AppError::Unavailable("too many password checks at once".to_owned());
        // Counted out again however the wait ends, the client's disconnect included.
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let _waiting = Waiting(&self.waiting);
        match tokio::time::timeout(GATE_WAIT, self.running.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Admitted(permit)),
            _ => Err(busy()),
        }
    }
}

const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

fn hasher() -> AppResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| AppError::internal(format!("argon2 parameters refused: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC-format argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        // Verification uses the parameters recorded in the hash, whatever they are.
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as checking a real account, for logins and resets of unknown
/// addresses: the answer's timing must not tell whether an account exists.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    match DUMMY.get_or_init(|| hash("an unguessable placeholder password").ok()) {
        Some(stored) => {
            let _ = verify(password, stored);
        }
        // Hashing takes as long as verifying.
        None => {
            let _ = hash(password);
        }
    }
}

/// Whether `stored` was made with other parameters than today's, so it should be replaced by a
/// fresh hash the next time the password is known (at login).
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    params.m_cost() != MEMORY_KIB || params.t_cost() != ITERATIONS || params.p_cost() != PARALLELISM
}

/// Whether `lowercased` is among the 10,000 most common passwords (see
/// `src/auth/COMMON_PASSWORDS_SOURCE.md`).
pub fn is_common(lowercased: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
    .contains(lowercased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_gate_admits_its_share_queues_a_few_and_refuses_the_rest_at_once() {
        let gate = Arc::new(Gate::new(1, 1));
        let first = gate.enter().await.unwrap();
        // The second waits in the queue; the third finds it full and is refused at once.
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let refused = gate.enter().await;
        assert!(matches!(refused, Err(AppError::Unavailable(_))));
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "refused promptly"
        );
        drop(first);
        waiting.await.unwrap().unwrap();
        // Everyone is out again: a new check goes straight in.
        assert_eq!(gate.waiting.load(Ordering::SeqCst), 0);
        gate.enter().await.unwrap();
    }

    #[test]
    fn hashes_verify_and_use_current_parameters() {
        let stored = hash("correct horse battery staple").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapler", &stored));
        assert!(!needs_rehash(&stored));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn weaker_hashes_are_flagged_for_upgrade() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(
            b"correct horse battery staple",
            &SaltString::generate(&mut OsRng),
        )
        .unwrap()
        .to_string();
        assert!(verify("correct horse battery staple", &weak));
        assert!(needs_rehash(&weak));
    }

    #[test]
    fn the_common_list_is_shipped() {
        assert!(is_common("password"));
        assert!(is_common("123456"));
        assert!(!is_common("amina's ministry of communications 2023"));
        let count = include_str!("common_passwords.txt")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count();
        assert_eq!(count, 10_000);
    }
}
