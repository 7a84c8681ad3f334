//! Storage for the platform, behind the [`Database`] trait.
//!
//! Invariants: no spin-sdk here (components implement [`Database`] over Spin's SQLite;
//! the `native` feature adds a rusqlite one); SQL that SQLite and libSQL both accept;
//! tenant-owned tables are reachable only through a [`TenantScope`], which binds the
//! tenant on every statement. Migrations are an operator step, never run per request.

pub mod db;
pub mod error;
pub mod migrations;
#[cfg(any(test, feature = "native"))]
pub mod native;
pub mod platform;
pub mod scoped;
pub mod tenant_data;
mod time;

#[cfg(test)]
mod tests;

pub use db::{
    Database, OpenTransaction, Row, Rows, StoreError, Value, begin, finish, in_transaction,
};
pub use error::Error;
pub use migrations::{MIGRATIONS, Migration, migrate, pending};
#[cfg(any(test, feature = "native"))]
pub use native::NativeDb;
pub use platform::{
    NewPlatformAdmin, NewTenant, TenantActivity, create_platform_admin, create_tenant,
    find_platform_user, find_tenant, list_tenants, tenant_activity,
};
pub use scoped::{
    AgentMatter, Dispute, Handling, LevelStep, NewDispute, NewMatter, NewPromise, NewSession,
    NewTask, Promise, RecordedOutcome, Resident, Session, StoredParty, Task,
};
pub use scoped::{
    AgentPoint, ApiKey, Assist, Attachment, AttemptOutcome, AuditEntry, AuditRecord, Case,
    CaseEvent, Category, CategoryChanges, Clock, Contact, Delivery, Department, DueDelivery,
    GridCount, GridCounts, ImportReport, NewAgentPoint, NewAttachment, NewCase, NewCategory,
    NewGridNode, NewUser, OpenNow, PersonName, PreparedCase, Purpose, Queue, QueuePage, QueueQuery,
    QueueSort, Routing, RoutingRule, StatsFilter, StoredResponse, SweepReport, TenantScope, User,
    UserChanges, Webhook,
};
pub use scoped::{BoardEntry, BoardQuery, CaseRecord, MapCell, NewNotice, Notice};
pub use scoped::{
    CitedPolicy, Enterprise, EnterpriseRequest, NewEnterprise, NewPolicy, NewPolicyAnswer,
    NewPolicyFile, NewRequest, Policy, PolicyAnswer, PolicyFile, PolicyQuery,
};
pub use scoped::{
    CoverageNode, FigureRow, GridDay, GridDayMember, MyGridDay, NewPatrol, Patrol, PatrolFigures,
    PatrolProblem, PatrolQuery, PieceOutcome, Visit,
};
pub use scoped::{DueSms, SmsDelivery};
pub use scoped::{Warning, WarningQuery, WarningSweep};
pub use tenant_data::{delete_tenant, export_tenant};

use domain::Problem;

/// Maps a domain parse failure on stored data to a decode error: the row is corrupt
/// (or written by a newer version), which is our fault, not the client's.
pub(crate) fn decoded<T>(column: &str, parsed: Result<T, Problem>) -> Result<T, StoreError> {
    parsed.map_err(|_| StoreError::Decode {
        column: column.to_owned(),
        expected: "a value the domain accepts",
    })
}
