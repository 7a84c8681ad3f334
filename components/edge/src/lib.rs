//! The HTTP edge shared by every component. This crate (with each
//! component's entry point) is the only code that touches spin-sdk: it turns
//! a Spin request into calls on the domain and store crates, and their
//! answers (or `Problem`s) into responses. Tenant identity is derived here,
//! once, from the route's `:tenant` segment and checked against the token.

pub mod auth;
pub mod case_flow;
pub mod context;
pub mod db;
pub mod files;
pub mod idempotency;
pub mod limits;
pub mod outbound;
pub mod people;
pub mod respond;
pub mod router;
pub mod snapshots;
pub mod stream;
pub mod throttle;

pub use context::{Caller, Ctx};
pub use respond::{Response, json, problem_response};
pub use router::Router;

/// What handlers return: a response, or a problem the edge renders.
pub type HandlerResult = Result<Response, domain::Problem>;

/// Runs `create` with a fresh tracking code, drawing again on the rare
/// collision (50 random bits: once in 2^50), twice at most. `create`'s
/// only conflict must be the tracking code's.
pub fn with_fresh_tracking_code<T>(
    mut create: impl FnMut(domain::TrackingCode) -> Result<T, store::Error>,
) -> Result<T, domain::Problem> {
    let mut attempt = 0;
    loop {
        let code = domain::TrackingCode::from_random(random_bytes::<8>()?);
        match create(code) {
            Err(store::Error::Conflict(_)) if attempt < 2 => attempt += 1,
            other => return other.map_err(Into::into),
        }
    }
}

/// Where the next page starts: the last item's cursor when the page came
/// back full (`limit` items), else `None` (this was the last page). Every
/// list answers its `next_after`/`next_before`/`next_cursor` from here.
pub fn next_page<T, C>(items: &[T], limit: u32, cursor: impl Fn(&T) -> C) -> Option<C> {
    (items.len() == limit as usize)
        .then(|| items.last().map(cursor))
        .flatten()
}

/// Random bytes from the platform (WASI `random`), for tracking codes,
/// salts and token ids.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], domain::Problem> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        domain::Problem::internal("no randomness available").with_cause(e.to_string())
    })?;
    Ok(bytes)
}

/// An optional field that may be absent but never `null` (the document
/// states its type without null): absent is `None`, `null` is refused like
/// any other wrong type. Use with `#[serde(default, deserialize_with =
/// "edge::absent_or")]`.
pub fn absent_or<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null`
/// (`Some(None)`). Use with `#[serde(default, deserialize_with = "edge::nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
