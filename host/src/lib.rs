//! A small, Spin-compatible host on wasmtime: the project's dev runner and
//! test harness. It reads `spin.toml`, routes HTTP requests by Spin's rules,
//! runs each in a fresh instance of its component (wasi:http proxy world),
//! and provides the Spin key-value, SQLite and variables interfaces backed
//! by files under `.spin/`. Anything that passes here must pass unchanged on
//! real Spin; see `docs/host.md` for what it does and does not reproduce.

pub mod cli;
pub mod headers;
pub mod manifest;
pub mod outbound;
pub mod problem;
pub mod routes;
pub mod runtime;
pub mod server;
pub mod spin_apis;
