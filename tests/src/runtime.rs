//! The runtime a test process runs the product on: the project's own host
//! (the default) or one of the Spin ones (see [`xtask::runtime`]), chosen
//! by `E2E_RUNTIME`; the `across_runtimes` test runs the product tests
//! once for each Spin one.

pub use xtask::runtime::*;

/// The environment variable that picks the runtime of a test process.
pub const RUNTIME_VARIABLE: &str = "E2E_RUNTIME";

/// This process's runtime, from [`RUNTIME_VARIABLE`] (the host when unset).
pub fn current() -> Runtime {
    Runtime::named(&std::env::var(RUNTIME_VARIABLE).unwrap_or_default()).unwrap_or(Runtime::Host)
}
