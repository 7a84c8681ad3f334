//! The store's tests, against an in-memory SQLite: one module a subject, and
//! `fixtures` for what more than one of them starts from. They live inside
//! the crate because some reach crate-private items (`time::to_text`,
//! `TenantScope::auto_dispatch_for`, `migrations::backfill_figures`). Unit
//! tests of one module's private helpers stay beside them (`db`, `error`,
//! `migrations`, `native`, `scoped::fulltext`, `scoped::open311`).

pub(crate) mod fixtures;

mod action_sequences;
mod board;
// `scoped::bulk` exists only with the `native` feature.
#[cfg(feature = "native")]
mod bulk;
mod cases;
mod enterprise;
mod grid;
mod isolation;
mod joint_handling;
mod map_settings;
mod mediation;
mod patrols;
mod sms;
mod stats;
mod tenancy;
mod triage;
mod uploads;
mod warnings;
mod webhooks;
mod workflow;
