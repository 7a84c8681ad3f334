//! One test binary for all end-to-end tests (one build, one link).
//! `host`: the Spin-compatible host's behaviours, on its probe fixture.
//! `foundation`: the product's components on the host.

mod foundation;
mod host;
