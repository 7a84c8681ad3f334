//! Login throttling state in the key-value store, under the keys and bars
//! `domain::throttle` describes: one account from one address, one address,
//! one account (not from an address it signed in from before). The address
//! is Spin's `spin-client-addr`, without the port.

use chrono::Utc;
use domain::Problem;
use domain::throttle::{self, Bar, Failures};
use spin_sdk::http::Request;
use spin_sdk::key_value::Store;

use crate::limits::client_address;

/// One login attempt and the keys it is counted under.
pub struct LoginAttempt {
    pair: String,
    address: String,
    account: String,
    /// Present when the account signed in from this address before.
    known_address: String,
}

impl LoginAttempt {
    /// `scope` is the tenant code, or `platform` for platform logins.
    pub fn new(request: &Request, scope: &str, login: &str) -> Self {
        let address = client_address(request);
        let login = login.trim().to_lowercase();
        LoginAttempt {
            pair: format!("login-failures/pair/{scope}/{login}/{address}"),
            address: format!("login-failures/address/{address}"),
            account: format!("login-failures/account/{scope}/{login}"),
            known_address: format!("login-known/{scope}/{login}/{address}"),
        }
    }

    /// The keys that apply to this attempt, with their bars.
    fn keys(&self, store: &Store) -> Vec<(&str, Bar)> {
        let mut keys = vec![
            (self.pair.as_str(), throttle::PAIR),
            (self.address.as_str(), throttle::ADDRESS),
        ];
        // Guessing at an account from everywhere does not lock its owner
        // out where they signed in before.
        if !matches!(store.exists(&self.known_address), Ok(true)) {
            keys.push((self.account.as_str(), throttle::ACCOUNT));
        }
        keys
    }

    /// Refuses with 429 and the seconds to wait while any record says so.
    pub fn check(&self) -> Result<(), Problem> {
        let store = open()?;
        let now = Utc::now();
        let wait = self
            .keys(&store)
            .into_iter()
            .filter_map(|(key, bar)| read(&store, key).wait(now, bar))
            .max();
        match wait {
            None => Ok(()),
            Some(wait) => Err(Problem::coded(
                domain::ProblemCode::TooManyLogins,
                format!(
                    "too many failed logins: try again in {} seconds",
                    wait.num_seconds().max(1)
                ),
            )
            .with_retry_after(wait.num_seconds().max(1))),
        }
    }

    /// Counts a failure under every key (the account's too: whether it
    /// applies is decided when the next attempt is checked).
    pub fn failed(&self) -> Result<(), Problem> {
        let store = open()?;
        let now = Utc::now();
        for key in [&self.pair, &self.address, &self.account] {
            let next = read(&store, key).after_failure(now);
            write(&store, key, &next)?;
        }
        Ok(())
    }

    /// A success clears its own pair and makes the address known to the
    /// account. The address keeps its record, so one good password does
    /// not reset guessing at many accounts; the account keeps its own,
    /// which decays, since its owner's success says nothing of the guesser.
    pub fn succeeded(&self) -> Result<(), Problem> {
        let store = open()?;
        store.delete(&self.pair).map_err(kv_failed)?;
        store
            .set(&self.known_address, Utc::now().to_rfc3339().as_bytes())
            .map_err(kv_failed)
    }
}

fn kv_failed(e: spin_sdk::key_value::Error) -> Problem {
    Problem::internal("key-value store failed").with_cause(format!("{e:?}"))
}

fn open() -> Result<Store, Problem> {
    Store::open_default().map_err(|e| {
        Problem::service_unavailable("the key-value store is not available")
            .with_cause(format!("{e:?}"))
    })
}

fn read(store: &Store, key: &str) -> Failures {
    store
        .get(key)
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn write(store: &Store, key: &str, failures: &Failures) -> Result<(), Problem> {
    let bytes = serde_json::to_vec(failures)
        .map_err(|e| Problem::internal("cannot encode").with_cause(e.to_string()))?;
    store.set(key, &bytes).map_err(kv_failed)
}
