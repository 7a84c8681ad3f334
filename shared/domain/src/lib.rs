//! The domain of the grid-governance platform: tenancy, the four-level grid, the case
//! life cycle, tracking codes, tokens and passwords.
//!
//! Invariant: this crate does no I/O and knows nothing of Spin. It has no clock and no
//! randomness of its own (callers pass `now` and random bytes), so every rule here is
//! tested natively and deterministically, and the same code runs in the components.

pub mod auth;
pub mod case;
pub mod grid;
pub mod password;
pub mod problem;
pub mod tenant;
pub mod tracking;

pub use auth::{Claims, Role, TokenKeys, UserId, require_platform_admin, require_tenant};
pub use case::{
    ActionKind, CaseAction, CaseId, CaseSource, CaseState, IllegalTransition, Location, TRANSITIONS,
};
pub use grid::{GridCode, GridLevel, GridNode, GridNodeId};
pub use password::{Password, hash_password, verify_password};
pub use problem::{Problem, ProblemBody, ProblemKind};
pub use tenant::{Tenant, TenantCode, TenantId, TenantKind, TenantStatus};
pub use tracking::TrackingCode;
