//! Slowing down password guessing: after a few failed logins, each further
//! attempt must wait, twice as long each time, up to a cap. Following
//! OWASP's guidance (Authentication and Credential Stuffing cheat sheets),
//! failures are kept under three keys, each with its own bar:
//! - one account from one address ([`PAIR`]): the bar someone mistyping or
//!   guessing one password meets; a success clears it;
//! - one address, every account ([`ADDRESS`]): far higher, since a
//!   township office or a carrier puts many people behind one address;
//!   it catches one machine trying many accounts;
//! - one account, every address ([`ACCOUNT`]): guessing spread over many
//!   addresses. It does not apply from an address the account signed in
//!   from before, so no one can lock a person out by naming them.
//!
//! The caller stores the state (key-value) and decides which keys apply.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many failures a key takes before waits begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub free_failures: u32,
}

/// One account from one address.
pub const PAIR: Bar = Bar { free_failures: 5 };
/// One address, whatever the accounts: a whole office behind one NAT.
pub const ADDRESS: Bar = Bar { free_failures: 100 };
/// One account, whatever the addresses (not from its known addresses).
pub const ACCOUNT: Bar = Bar { free_failures: 20 };
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
    /// How long the next attempt must still wait at `bar`, if at all.
    pub fn wait(&self, now: DateTime<Utc>, bar: Bar) -> Option<Duration> {
        let current = self.current(now);
        if current.count < bar.free_failures {
            return None;
        }
        let doublings = (current.count - bar.free_failures).min(16);
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
        for _ in 0..PAIR.free_failures - 1 {
            f = f.after_failure(at(0));
            assert_eq!(f.wait(at(0), PAIR), None);
        }
        f = f.after_failure(at(0));
        assert_eq!(f.wait(at(0), PAIR), Some(Duration::seconds(30)));
        assert_eq!(f.wait(at(10), PAIR), Some(Duration::seconds(20)));
        assert_eq!(f.wait(at(30), PAIR), None);
        f = f.after_failure(at(30));
        assert_eq!(f.wait(at(30), PAIR), Some(Duration::seconds(60)));
    }

    #[test]
    fn an_address_takes_far_more_failures_than_one_account_from_it() {
        let f = Failures {
            count: PAIR.free_failures * 3,
            last: at(0).timestamp(),
        };
        assert!(f.wait(at(0), PAIR).is_some());
        assert!(f.wait(at(0), ACCOUNT).is_none());
        assert!(f.wait(at(0), ADDRESS).is_none());
        let ten_accounts_locked = Failures {
            count: PAIR.free_failures * 10,
            last: at(0).timestamp(),
        };
        assert!(ten_accounts_locked.wait(at(0), ADDRESS).is_none());
    }

    #[test]
    fn waits_are_capped_and_old_failures_forgotten() {
        let f = Failures {
            count: 40,
            last: at(0).timestamp(),
        };
        assert_eq!(f.wait(at(0), PAIR), Some(MAX_WAIT));
        let later = at(FORGET_AFTER.num_seconds() + 1);
        assert_eq!(f.wait(later, PAIR), None);
        assert_eq!(f.after_failure(later).count, 1);
    }
}
