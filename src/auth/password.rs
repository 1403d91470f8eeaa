//! Password hashing with argon2id at the OWASP setting (m=19456 KiB, t=2, p=1). Every call here
//! is slow on purpose: run it off the async workers.

use std::{collections::HashSet, sync::OnceLock};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::error::{AppError, AppResult};

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
