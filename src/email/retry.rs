//! When to try a failed message again: exponential backoff with jitter, capped, for a limited
//! number of attempts. Pure code.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; after the last failure the message is dead.
    pub max_attempts: i32,
    /// Delay after the first failure; doubled after each further one.
    pub base: Duration,
    /// No delay is longer than this.
    pub cap: Duration,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// `attempts` is how many attempts have been made, the failed one included; `jitter` is a
    /// random number in `[0, 1)`. The delay is drawn from the upper half of the exponential
    /// step ("equal jitter"), so retries spread out but never come sooner than half the step.
    pub fn after_failure(&self, attempts: i32, jitter: f64) -> AfterFailure {
        if attempts >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let exponent = u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(30);
        let step = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        let jitter = jitter.clamp(0.0, 1.0);
        AfterFailure::RetryIn(step.mul_f64(0.5 + 0.5 * jitter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
        }
    }

    #[test]
    fn delays_double_and_stop_at_the_cap() {
        let p = policy();
        assert_eq!(
            p.after_failure(1, 1.0),
            AfterFailure::RetryIn(Duration::from_secs(10))
        );
        assert_eq!(
            p.after_failure(2, 1.0),
            AfterFailure::RetryIn(Duration::from_secs(20))
        );
        assert_eq!(
            p.after_failure(3, 1.0),
            AfterFailure::RetryIn(Duration::from_secs(40))
        );
        assert_eq!(
            p.after_failure(4, 1.0),
            AfterFailure::RetryIn(Duration::from_secs(60))
        );
    }

    #[test]
    fn jitter_stays_within_the_upper_half_of_the_step() {
        let p = policy();
        assert_eq!(
            p.after_failure(2, 0.0),
            AfterFailure::RetryIn(Duration::from_secs(10))
        );
        let AfterFailure::RetryIn(d) = p.after_failure(2, 0.5) else {
            panic!()
        };
        assert_eq!(d, Duration::from_secs(15));
    }

    #[test]
    fn the_last_attempt_gives_up() {
        assert_eq!(policy().after_failure(5, 0.3), AfterFailure::GiveUp);
        assert_eq!(policy().after_failure(9, 0.3), AfterFailure::GiveUp);
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let p = RetryPolicy {
            max_attempts: i32::MAX,
            ..policy()
        };
        assert_eq!(
            p.after_failure(1000, 1.0),
            AfterFailure::RetryIn(Duration::from_secs(60))
        );
    }
}
