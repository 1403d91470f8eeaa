//! Rate limits for the endpoints an attacker would hammer (governor, keyed). Limits refill with
//! time, so nothing locks an account: the per-account login limit is keyed by account *and*
//! client address, so an attacker elsewhere cannot spend a real user's allowance.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{AppError, AppResult};

/// Requests allowed per period, all usable at once (burst) and refilled evenly over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u32,
    pub period: Duration,
}

impl Limit {
    fn quota(self) -> Quota {
        let requests = NonZeroU32::new(self.requests).unwrap_or(NonZeroU32::MIN);
        let replenish = self.period / requests.get();
        // The period is at least a millisecond, so `with_period` always gives a quota.
        Quota::with_period(replenish.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(requests))
            .allow_burst(requests)
    }
}

struct Keyed<K: std::hash::Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: std::hash::Hash + Eq + Clone> Keyed<K> {
    fn new(limit: Limit) -> Self {
        Self {
            limiter: RateLimiter::keyed(limit.quota()),
            checks: AtomicU64::new(0),
        }
    }

    fn check(&self, key: &K) -> AppResult<()> {
        // Forget idle keys now and then, so memory follows active clients, not all clients ever.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            AppError::TooManyRequests {
                // Whole seconds, rounded up: a client that waits this long is let in.
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// The limits in force, from settings.
pub struct RateLimits {
    login_per_ip: Keyed<IpAddr>,
    login_per_account: Keyed<(String, IpAddr)>,
    register_per_ip: Keyed<IpAddr>,
    reset_per_ip: Keyed<IpAddr>,
}

#[derive(Debug, Clone, Copy)]
pub struct RateLimitSettings {
    pub login_per_ip: Limit,
    pub login_per_account: Limit,
    pub register_per_ip: Limit,
    pub reset_per_ip: Limit,
}

impl RateLimitSettings {
    /// The limits the settings ask for.
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        let per = |requests, secs| Limit {
            requests,
            period: Duration::from_secs(secs),
        };
        RateLimitSettings {
            login_per_ip: per(settings.login_per_ip_per_minute, 60),
            login_per_account: per(settings.login_per_account_per_minute, 60),
            register_per_ip: per(settings.register_per_ip_per_hour, 3600),
            reset_per_ip: per(settings.reset_per_ip_per_hour, 3600),
        }
    }
}

impl RateLimits {
    pub fn new(settings: RateLimitSettings) -> Self {
        Self {
            login_per_ip: Keyed::new(settings.login_per_ip),
            login_per_account: Keyed::new(settings.login_per_account),
            register_per_ip: Keyed::new(settings.register_per_ip),
            reset_per_ip: Keyed::new(settings.reset_per_ip),
        }
    }

    /// A login attempt from `ip` for `email` (lowercased). Both limits are asked, and a
    /// refusal names the longest wait among those that refused: retrying sooner is pointless.
    pub fn login(&self, ip: IpAddr, email: &str) -> AppResult<()> {
        longest_wait([
            self.login_per_ip.check(&ip),
            self.login_per_account.check(&(email.to_owned(), ip)),
        ])
    }

    pub fn register(&self, ip: IpAddr) -> AppResult<()> {
        self.register_per_ip.check(&ip)
    }

    pub fn password_reset(&self, ip: IpAddr) -> AppResult<()> {
        self.reset_per_ip.check(&ip)
    }
}

/// The first error if none is a rate limit, else the rate limit with the longest wait.
fn longest_wait<const N: usize>(results: [AppResult<()>; N]) -> AppResult<()> {
    let mut refused: Option<u64> = None;
    for result in results {
        match result {
            Ok(()) => {}
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                refused = Some(refused.map_or(retry_after_secs, |w| w.max(retry_after_secs)));
            }
            Err(other) => return Err(other),
        }
    }
    match refused {
        Some(retry_after_secs) => Err(AppError::TooManyRequests { retry_after_secs }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(n: u32) -> RateLimits {
        let limit = Limit {
            requests: n,
            period: Duration::from_secs(60),
        };
        RateLimits::new(RateLimitSettings {
            login_per_ip: Limit {
                requests: 100,
                ..limit
            },
            login_per_account: limit,
            register_per_ip: limit,
            reset_per_ip: limit,
        })
    }

    #[test]
    fn one_over_the_burst_is_refused_with_a_retry_time() {
        let l = limits(3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            l.register(ip).unwrap();
        }
        match l.register(ip) {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        // Another client is unaffected.
        l.register("192.0.2.2".parse().unwrap()).unwrap();
    }

    #[test]
    fn a_refused_login_names_the_longest_wait_among_the_limits_it_hit() {
        // Per address: 2 a second; per account: 5 a minute (12 s each).
        let l = RateLimits::new(RateLimitSettings {
            login_per_ip: Limit {
                requests: 2,
                period: Duration::from_secs(1),
            },
            login_per_account: Limit {
                requests: 5,
                period: Duration::from_secs(60),
            },
            register_per_ip: Limit {
                requests: 1,
                period: Duration::from_secs(60),
            },
            reset_per_ip: Limit {
                requests: 1,
                period: Duration::from_secs(60),
            },
        });
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let mut waits = Vec::new();
        for _ in 0..10 {
            if let Err(AppError::TooManyRequests { retry_after_secs }) = l.login(ip, "a@b.org") {
                waits.push(retry_after_secs);
            }
        }
        assert!(
            waits.iter().any(|&w| w >= 9),
            "the account limit's wait shows: {waits:?}"
        );
    }

    #[test]
    fn an_attacker_elsewhere_cannot_spend_a_users_login_allowance() {
        let l = limits(2);
        let attacker: IpAddr = "198.51.100.7".parse().unwrap();
        let user: IpAddr = "192.0.2.1".parse().unwrap();
        l.login(attacker, "amina@ict.gov.gh").unwrap();
        l.login(attacker, "amina@ict.gov.gh").unwrap();
        assert!(l.login(attacker, "amina@ict.gov.gh").is_err());
        l.login(user, "amina@ict.gov.gh").unwrap();
    }
}
