//! One test binary for all end-to-end tests (one build, one link).
//! `host`: the Spin-compatible host's behaviours, on its probe fixture.
//! `foundation`: the product's components on the host.
//! `tenancy`: tenants, the grid, people and access.
//! `isolation`: every route against every kind of wrong caller.

mod foundation;
mod host;
mod isolation;
mod tenancy;
