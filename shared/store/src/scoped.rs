//! Tenant scoping in the types.
//!
//! All access to tenant-owned tables goes through a [`TenantScope`]. It holds the tenant
//! id privately and every method binds `tenant_id` itself, so code holding a scope cannot
//! forget the `WHERE tenant_id = ?`, and cannot reach the raw database to write its own.
//! Identifiers from requests (case ids, grid node ids) are always looked up together with
//! the tenant, so an id of another tenant behaves exactly like one that does not exist.

pub mod agent_matters;
pub mod audit;
pub mod board;
#[cfg(feature = "native")]
pub mod bulk;
pub mod calendar;
pub mod cases;
pub mod catalogue;
pub mod enterprises;
pub(crate) mod fulltext;
pub mod grid;
pub mod grid_days;
pub mod intake;
pub mod joint;
pub mod map_settings;
pub mod mediation;
pub mod new_case;
pub mod notices;
pub mod open311;
pub mod organisation;
pub(crate) mod outbox;
pub mod patrols;
pub mod policies;
pub mod policy_answers;
pub mod publication;
pub mod queues;
mod side_cases;
pub mod sms;
pub mod stats;
pub mod triage;
pub mod users;
pub mod warnings;
pub mod webhooks;
pub mod workflow;

use crate::db::{Database, StoreError};
use domain::{Tenant, TenantCode, TenantId};
use std::fmt;

pub use agent_matters::{
    AgentMatter, LevelStep, NewMatter, NewPromise, NewTask, Promise, Resident, Task,
};
pub use audit::{AuditEntry, AuditRecord};
pub use board::{BoardEntry, BoardQuery, MapCell};
pub use cases::{Case, CaseEvent, Contact, MAX_PAGE, NewCase, REPORT_ACTION};
pub use catalogue::{Category, CategoryChanges, NewCategory};
pub use enterprises::{Enterprise, EnterpriseRequest, NewEnterprise, NewRequest};
pub use grid::{ImportReport, NewGridNode};
pub use grid_days::{GridDay, GridDayMember, MyGridDay};
pub use intake::{Attachment, MeToo, NewAttachment, Purpose, StoredResponse};
pub use joint::Assist;
pub use mediation::{
    Dispute, Handling, NewDispute, NewSession, RecordedOutcome, Session, StoredParty,
};
pub use new_case::{PreparedCase, Routing};
pub use notices::{MAX_NOTICE_PAGE, NewNotice, Notice};
pub use open311::{ApiKey, ApiKeyCheck, CaseUpdate, Open311Filter, hash_api_key};
pub use organisation::{AgentPoint, Department, NewAgentPoint};
pub use patrols::{
    CoverageNode, FigureRow, NewPatrol, Patrol, PatrolFigures, PatrolProblem, PatrolQuery,
    PieceOutcome, Visit,
};
pub use policies::{NewPolicy, NewPolicyFile, Policy, PolicyFile, PolicyQuery};
pub use policy_answers::{CitedPolicy, NewPolicyAnswer, PolicyAnswer};
pub use publication::CaseRecord;
pub use queues::{Clock, Queue, QueuePage, QueueQuery, QueueSort};
pub use sms::{DueSms, SmsDelivery};
pub use stats::{GridCount, GridCounts, OpenNow, StatsFilter};
pub use users::{NewUser, PersonName, User, UserChanges};
pub use warnings::{Warning, WarningQuery, WarningSweep};
pub use webhooks::{AttemptOutcome, Delivery, DueDelivery, Webhook};
pub use workflow::{RoutingRule, SweepReport};

/// A database handle that sees one tenant's rows only.
pub struct TenantScope<'a, D: Database + ?Sized> {
    db: &'a D,
    tenant: TenantId,
    code: TenantCode,
    /// Deadlines count in the tenant's local time.
    time_zone: String,
}

impl<D: Database + ?Sized> fmt::Debug for TenantScope<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantScope")
            .field("tenant", &self.tenant)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl<'a, D: Database + ?Sized> TenantScope<'a, D> {
    /// Takes a whole [`Tenant`] (as loaded by `platform::find_tenant`) rather than a bare
    /// id, so a scope is built from a tenant that was looked up, not from a number. Whether
    /// a suspended tenant may be served is the edge's decision, not the scope's.
    pub fn new(db: &'a D, tenant: &Tenant) -> Self {
        TenantScope {
            db,
            tenant: tenant.id,
            code: tenant.code.clone(),
            time_zone: tenant.time_zone.clone(),
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    pub fn tenant_code(&self) -> &TenantCode {
        &self.code
    }

    /// Whether row `id` of `table` belongs to this tenant. `table` is one of
    /// ours, never from a request.
    pub(crate) fn exists(&self, table: &'static str, id: i64) -> Result<bool, StoreError> {
        let rows = self.db.execute(
            &format!("SELECT 1 AS found FROM {table} WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(!rows.is_empty())
    }
}
