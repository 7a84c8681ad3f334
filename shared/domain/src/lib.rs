//! The domain of the grid-governance platform: tenancy, the four-level grid, the case
//! life cycle, tracking codes, tokens and passwords.
//!
//! Invariant: this crate does no I/O and knows nothing of Spin. It has no clock and no
//! randomness of its own (callers pass `now` and random bytes), so every rule here is
//! tested natively and deterministically, and the same code runs in the components.

pub mod acting;
pub mod agent;
pub mod analytics;
pub mod auth;
pub mod calendar;
pub mod case;
pub mod case_kind;
pub mod deadline;
pub mod effect;
pub mod enterprise;
#[cfg(test)]
mod fuzz;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod geo;
pub mod grid;
pub mod grid_import;
pub mod intake;
pub mod limits;
pub mod map;
pub mod mediation;
pub mod notification;
pub mod organisation;
pub mod password;
pub mod patrol;
pub mod permissions;
pub mod phone;
pub mod policy;
pub mod problem;
pub mod problem_code;
pub mod publication;
pub mod receiver;
pub mod report;
pub mod sms;
pub mod tenant;
#[cfg(test)]
mod testing;
pub mod throttle;
pub mod tracking;
pub mod triage;
pub mod warning;
pub mod workflow;

pub use auth::{Claims, Role, TokenKeys, UserId, require_platform_admin, require_tenant};
pub use calendar::{CalendarDay, DayKind, WorkingHours};
pub use case::{
    ActionKind, CaseAction, CaseId, CaseSource, CaseState, IllegalTransition, Location, TRANSITIONS,
};
pub use geo::{BBox, Geometry, MultiPolygon, Polygon, Position, Ring};
pub use grid::{GridCode, GridLevel, GridNode, GridNodeId};
pub use grid_import::{GridImportRow, RowProblem, parse_csv, parse_json, plan_import, seed_zone};
pub use organisation::{AgentPointLevel, Code, ExtraField, ExtraFieldKind};
pub use password::{Password, hash_password, verify_password};
pub use permissions::Permission;
pub use problem::{Problem, ProblemBody, ProblemCode, ProblemKind};
pub use tenant::{Tenant, TenantCode, TenantId, TenantKind, TenantStatus};
pub use tracking::TrackingCode;
