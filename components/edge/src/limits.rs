//! Rate limits on anonymous requests, against floods and enumeration: fixed
//! one-minute windows counted in the key-value store, per client address and
//! per tenant. The key-value interface has no atomic increment, so two
//! requests racing in the same instant may both count as one; a limit is a
//! brake, not an exact quota, and that is enough for it.

use chrono::Utc;
use domain::{Problem, ProblemCode};
use spin_sdk::http::Request;
use spin_sdk::key_value::Store;

/// Requests one address may make per minute to one kind of anonymous write.
/// Generous, because mobile carriers put many phones behind one address.
pub const PER_ADDRESS_PER_MINUTE: u32 = 60;
/// Anonymous writes one tenant accepts per minute from everyone together.
pub const PER_TENANT_PER_MINUTE: u32 = 600;

/// The client's address as Spin reports it, without the port.
pub fn client_address(request: &Request) -> String {
    request
        .header("spin-client-addr")
        .and_then(|h| h.as_str())
        .and_then(|a| {
            a.rsplit_once(':')
                .map(|(ip, _)| ip.trim_matches(['[', ']']).to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// A rate limit on one kind of anonymous request.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Names the counters (`report`, `upload`, `status-miss`, …).
    pub what: &'static str,
    /// The code of the 429 when a window is full.
    pub code: ProblemCode,
    pub per_address: u32,
    pub per_tenant: u32,
}

/// Look-ups by tracking code that find nothing, per address and per tenant
/// a minute, wherever a code is looked up (the status page, Open311). Only
/// misses count: enumeration is all misses (codes carry 50 random bits),
/// while a resident checking their case again and again is not braked.
pub const LOOKUP_MISSES: Limit = Limit {
    what: "status-miss",
    code: ProblemCode::TooManyLookups,
    per_address: 30,
    per_tenant: 600,
};

impl Limit {
    /// The limits of an anonymous write.
    pub const fn write(what: &'static str) -> Limit {
        Limit {
            what,
            code: ProblemCode::TooManyRequests,
            per_address: PER_ADDRESS_PER_MINUTE,
            per_tenant: PER_TENANT_PER_MINUTE,
        }
    }
}

/// Counts one request of `what` against its limits, refusing with 429 and
/// `Retry-After` when a window is full.
pub fn check(request: &Request, tenant: &str, what: &'static str) -> Result<(), Problem> {
    let limit = Limit::write(what);
    refuse_when_spent(request, tenant, limit)?;
    count(request, tenant, limit)
}

/// Refuses with 429 and `Retry-After` when a window of `limit` is full,
/// without counting this request: for limits that count only some outcomes
/// (the status look-up counts only misses, so that enumeration is braked
/// and residents checking their own cases are not).
pub fn refuse_when_spent(request: &Request, tenant: &str, limit: Limit) -> Result<(), Problem> {
    let store = open()?;
    let window = Window::now();
    for (key, max) in counters(request, tenant, limit, window.index) {
        if read(&store, &key) >= max {
            return Err(Problem::coded(
                limit.code,
                format!(
                    "too many requests: at most {max} a minute; try again in {} seconds",
                    window.retry_after
                ),
            )
            .with_retry_after(window.retry_after));
        }
    }
    Ok(())
}

/// Counts one request against `limit`'s windows.
pub fn count(request: &Request, tenant: &str, limit: Limit) -> Result<(), Problem> {
    count_many(request, tenant, limit, 1)
}

/// Counts `n` against `limit`'s windows at once (one request that looked
/// up several codes, say); nothing when `n` is 0.
pub fn count_many(request: &Request, tenant: &str, limit: Limit, n: u32) -> Result<(), Problem> {
    if n == 0 {
        return Ok(());
    }
    let store = open()?;
    for (key, _) in counters(request, tenant, limit, Window::now().index) {
        let next = read(&store, &key).saturating_add(n);
        store.set(&key, next.to_string().as_bytes()).map_err(|e| {
            Problem::internal("key-value store failed").with_cause(format!("{e:?}"))
        })?;
    }
    Ok(())
}

/// The current one-minute window.
struct Window {
    index: i64,
    retry_after: i64,
}

impl Window {
    fn now() -> Window {
        let now = Utc::now().timestamp();
        Window {
            index: now / 60,
            retry_after: 60 - now % 60,
        }
    }
}

fn counters(request: &Request, tenant: &str, limit: Limit, window: i64) -> [(String, u32); 2] {
    let what = limit.what;
    let address = client_address(request);
    [
        (
            format!("limit/{what}/address/{address}/{window}"),
            limit.per_address,
        ),
        (
            format!("limit/{what}/tenant/{tenant}/{window}"),
            limit.per_tenant,
        ),
    ]
}

fn open() -> Result<Store, Problem> {
    Store::open_default().map_err(|e| {
        Problem::service_unavailable("the key-value store is not available")
            .with_cause(format!("{e:?}"))
    })
}

fn read(store: &Store, key: &str) -> u32 {
    store
        .get(key)
        .ok()
        .flatten()
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0)
}
