//! The tools some tests run besides Rust (Chromium, playwright-core,
//! schemathesis, Spin, sqld, Redis). Tests never install them: `cargo xtask
//! test` does, in announced steps, before it runs `cargo test`; a test
//! whose tool is missing fails saying so (see [`xtask::setup`]).

use std::path::PathBuf;

pub use xtask::setup::{Tool, missing};

/// Where `tool` is; fails the test, naming the command that installs it,
/// when it is missing.
#[track_caller]
pub fn require(tool: Tool) -> PathBuf {
    tool.require().unwrap_or_else(|e| panic!("{e}"))
}
