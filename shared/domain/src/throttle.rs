//! Slowing down password guessing: after a few failed logins, each further
//! attempt must wait, twice as long each time, up to a cap. Kept per account
//! and per client address (the caller stores the state, e.g. in key-value).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Failures allowed before any wait.
pub const FREE_FAILURES: u32 = 5;
/// The first wait; each further failure doubles it.
pub const FIRST_WAIT: Duration = Duration::seconds(30);
/// No wait is longer than this.
pub const MAX_WAIT: Duration = Duration::minutes(15);
/// Failures this long after the last one are forgotten.
pub const FORGET_AFTER: Duration = Duration::hours(1);

/// Failed attempts of one account or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Failures {
    pub count: u32,
    /// Unix seconds of the last failure.
    pub last: i64,
}

impl Failures {
    /// How long the next attempt must still wait, if at all.
    pub fn wait(&self, now: DateTime<Utc>) -> Option<Duration> {
        let current = self.current(now);
        if current.count < FREE_FAILURES {
            return None;
        }
        let doublings = (current.count - FREE_FAILURES).min(16);
        let wait = (FIRST_WAIT * 2_i32.pow(doublings)).min(MAX_WAIT);
        let until = DateTime::from_timestamp(current.last, 0)? + wait;
        (until > now).then(|| until - now)
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(&self, now: DateTime<Utc>) -> Failures {
        Failures {
            count: self.current(now).count.saturating_add(1),
            last: now.timestamp(),
        }
    }

    /// Old failures are forgotten.
    fn current(&self, now: DateTime<Utc>) -> Failures {
        let stale = DateTime::from_timestamp(self.last, 0).is_none_or(|t| now - t > FORGET_AFTER);
        if stale { Failures::default() } else { *self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn the_first_failures_cost_nothing_then_waits_double() {
        let mut f = Failures::default();
        for _ in 0..FREE_FAILURES - 1 {
            f = f.after_failure(at(0));
            assert_eq!(f.wait(at(0)), None);
        }
        f = f.after_failure(at(0));
        assert_eq!(f.wait(at(0)), Some(Duration::seconds(30)));
        assert_eq!(f.wait(at(10)), Some(Duration::seconds(20)));
        assert_eq!(f.wait(at(30)), None);
        f = f.after_failure(at(30));
        assert_eq!(f.wait(at(30)), Some(Duration::seconds(60)));
    }

    #[test]
    fn waits_are_capped_and_old_failures_forgotten() {
        let f = Failures {
            count: 40,
            last: at(0).timestamp(),
        };
        assert_eq!(f.wait(at(0)), Some(MAX_WAIT));
        let later = at(FORGET_AFTER.num_seconds() + 1);
        assert_eq!(f.wait(later), None);
        assert_eq!(f.after_failure(later).count, 1);
    }
}
