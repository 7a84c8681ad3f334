//! Public answers kept in the key-value store, so that the busiest public
//! read — a case's status by its tracking code — needs no database at all:
//! on Spin every request opens SQLite afresh and its first statement parses
//! the whole schema (about 1 ms), while the key-value store is one
//! connection Spin keeps for all requests (docs/benchmarks/README.md).
//!
//! Why a kept answer is never older than what it shows:
//! - every request that may change a tenant's data (any method but GET and
//!   HEAD routed with the tenant's code, the platform's tenant routes
//!   included) draws the tenant a new random *write mark* once it has been
//!   answered, that is after its transaction committed ([`tenant_written`]);
//! - a reader reads the mark before it reads the database, and keeps its
//!   answer with that mark; an answer is served only while its mark is
//!   still the tenant's, so a write committed after the read leaves it
//!   behind;
//! - and never longer than [`MAX_AGE_SECONDS`], the freshness the public
//!   answer already declares to HTTP caches (it holds times relative to
//!   now, and a database replaced under a kept store draws no mark).
//!
//! A mark that cannot be written (the store is down after a commit) is
//! logged; kept answers then stay at most [`MAX_AGE_SECONDS`] behind.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use spin_sdk::key_value::Store;

/// The longest a kept answer is served, in seconds.
pub const MAX_AGE_SECONDS: i64 = 60;

/// The tenant's current write mark ("" before its first write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark(String);

#[derive(Serialize, Deserialize)]
struct Kept {
    mark: String,
    /// When the answer was made, in Unix seconds.
    at: i64,
    body: String,
}

fn mark_key(tenant: &str) -> String {
    format!("writes/{tenant}")
}

fn answer_key(tenant: &str, name: &str) -> String {
    format!("answer/{tenant}/{name}")
}

/// Records that `tenant`'s data may have changed: every answer kept so far
/// stops being served. Called by the router after each writing request.
pub fn tenant_written(tenant: &str) {
    let written = crate::random_bytes::<16>()
        .map_err(|p| format!("{p:?}"))
        .and_then(|bytes| {
            let mark = domain::intake::sha256_hex(&bytes);
            let store = Store::open_default().map_err(|e| format!("{e:?}"))?;
            store
                .set(&mark_key(tenant), mark.as_bytes())
                .map_err(|e| format!("{e:?}"))
        });
    if let Err(e) = written {
        eprintln!("kept answers of {tenant} may be up to {MAX_AGE_SECONDS} s stale: {e}");
    }
}

fn read_mark(store: &Store, tenant: &str) -> Option<Mark> {
    let mark = store.get(&mark_key(tenant)).ok()?.unwrap_or_default();
    Some(Mark(String::from_utf8(mark).ok()?))
}

/// The tenant's mark, read before the database. `None` when the store
/// cannot be read: then nothing is kept or served from it.
pub fn mark(tenant: &str) -> Option<Mark> {
    read_mark(&Store::open_default().ok()?, tenant)
}

/// The answer kept as `name` for `tenant`, if it was made under the
/// tenant's current mark within [`MAX_AGE_SECONDS`].
pub fn fresh(tenant: &str, name: &str) -> Option<String> {
    let store = Store::open_default().ok()?;
    let current = read_mark(&store, tenant)?;
    let kept: Kept = serde_json::from_slice(&store.get(&answer_key(tenant, name)).ok()??).ok()?;
    let age = Utc::now().timestamp() - kept.at;
    (kept.mark == current.0 && (0..=MAX_AGE_SECONDS).contains(&age)).then_some(kept.body)
}

/// Keeps `body` as `name` for `tenant`, made under `mark` (read before the
/// database). A store that cannot be written only costs the next reader.
pub fn keep(tenant: &str, name: &str, mark: &Mark, body: &str) {
    let kept = Kept {
        mark: mark.0.clone(),
        at: Utc::now().timestamp(),
        body: body.to_string(),
    };
    if let (Ok(store), Ok(bytes)) = (Store::open_default(), serde_json::to_vec(&kept)) {
        let _ = store.set(&answer_key(tenant, name), &bytes);
    }
}
