//! Rate limits on anonymous writes, against floods and enumeration: fixed
//! one-minute windows counted in the key-value store, per client address and
//! per tenant. The key-value interface has no atomic increment, so two
//! requests racing in the same instant may both count as one; a limit is a
//! brake, not an exact quota, and that is enough for it.

use chrono::Utc;
use domain::Problem;
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

/// Counts one request of `what` against its limits, refusing with 429 and
/// `Retry-After` when a window is full.
pub fn check(request: &Request, tenant: &str, what: &str) -> Result<(), Problem> {
    let store = Store::open_default().map_err(|e| {
        Problem::service_unavailable("the key-value store is not available")
            .with_cause(format!("{e:?}"))
    })?;
    let now = Utc::now().timestamp();
    let window = now / 60;
    let retry_after = 60 - now % 60;
    let address = client_address(request);
    let counters = [
        (
            format!("limit/{what}/address/{address}/{window}"),
            PER_ADDRESS_PER_MINUTE,
        ),
        (
            format!("limit/{what}/tenant/{tenant}/{window}"),
            PER_TENANT_PER_MINUTE,
        ),
    ];
    for (key, limit) in counters {
        let count = store
            .get(&key)
            .ok()
            .flatten()
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        if count >= limit {
            return Err(Problem::too_many_requests(format!(
                "too many requests: at most {limit} a minute; try again in {retry_after} seconds"
            ))
            .with_retry_after(retry_after));
        }
        store
            .set(&key, (count + 1).to_string().as_bytes())
            .map_err(|e| {
                Problem::internal("key-value store failed").with_cause(format!("{e:?}"))
            })?;
    }
    Ok(())
}
