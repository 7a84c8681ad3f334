//! Login throttling state in the key-value store: one record per account
//! and one per client address (Spin's `spin-client-addr`, without the port).

use chrono::Utc;
use domain::Problem;
use domain::throttle::Failures;
use spin_sdk::http::Request;
use spin_sdk::key_value::Store;

/// The keys an attempt is counted under.
pub struct LoginAttempt {
    keys: [String; 2],
}

impl LoginAttempt {
    /// `scope` is the tenant code, or `platform` for platform logins.
    pub fn new(request: &Request, scope: &str, login: &str) -> Self {
        let address = request
            .header("spin-client-addr")
            .and_then(|h| h.as_str())
            .and_then(|a| a.rsplit_once(':').map(|(ip, _)| ip.to_string()))
            .unwrap_or_else(|| "unknown".into());
        LoginAttempt {
            keys: [
                format!(
                    "login-failures/account/{scope}/{}",
                    login.trim().to_lowercase()
                ),
                format!("login-failures/address/{address}"),
            ],
        }
    }

    /// Refuses with 429 and the seconds to wait while either record says so.
    pub fn check(&self) -> Result<(), Problem> {
        let store = open()?;
        let now = Utc::now();
        let wait = self
            .keys
            .iter()
            .filter_map(|key| read(&store, key).wait(now))
            .max();
        match wait {
            None => Ok(()),
            Some(wait) => Err(Problem::too_many_requests(format!(
                "too many failed logins: try again in {} seconds",
                wait.num_seconds().max(1)
            ))
            .with_retry_after(wait.num_seconds().max(1))),
        }
    }

    pub fn failed(&self) -> Result<(), Problem> {
        let store = open()?;
        let now = Utc::now();
        for key in &self.keys {
            let next = read(&store, key).after_failure(now);
            write(&store, key, &next)?;
        }
        Ok(())
    }

    /// A success clears the account's record; the address keeps its own,
    /// so one good password does not reset guessing at many accounts.
    pub fn succeeded(&self) -> Result<(), Problem> {
        open()?
            .delete(&self.keys[0])
            .map_err(|e| Problem::internal("key-value store failed").with_cause(format!("{e:?}")))
    }
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
    store
        .set(key, &bytes)
        .map_err(|e| Problem::internal("key-value store failed").with_cause(format!("{e:?}")))
}
