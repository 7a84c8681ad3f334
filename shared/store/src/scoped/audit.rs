//! The audit log: every admin action, who, when, what, before and after.
//! Append-only: nothing here updates or deletes an entry.

use super::TenantScope;
use crate::db::{Database, Row, StoreError};
use crate::error::Error;
use crate::time::{get_time, to_text};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;

/// What to record. `before` and `after` are the record's wire form (JSON);
/// secrets (password hashes) must already be left out.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub actor: String,
    pub action: String,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

fn entry_from_row(row: &Row<'_>) -> Result<AuditEntry, StoreError> {
    let json = |column: &str| -> Result<Option<Json>, StoreError> {
        row.get_opt_str(column)?
            .map(|text| {
                serde_json::from_str(text).map_err(|_| StoreError::Decode {
                    column: column.to_owned(),
                    expected: "JSON",
                })
            })
            .transpose()
    };
    Ok(AuditEntry {
        id: row.get_i64("id")?,
        at: get_time(row, "at")?,
        actor: row.get_string("actor")?,
        action: row.get_string("action")?,
        target_type: row.get_string("target_type")?,
        target_id: row.get_opt_string("target_id")?,
        before: json("before")?,
        after: json("after")?,
    })
}

/// Appends an entry; `tenant` is `None` for platform-wide actions.
pub(crate) fn append<D: Database + ?Sized>(
    db: &D,
    tenant: Option<i64>,
    record: AuditRecord,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    db.execute(
        "INSERT INTO audit_log (tenant_id, at, actor, action, target_type, target_id, before, after) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            tenant.into(),
            to_text(now).into(),
            record.actor.into(),
            record.action.into(),
            record.target_type.into(),
            record.target_id.into(),
            record.before.map(|j| j.to_string()).into(),
            record.after.map(|j| j.to_string()).into(),
        ],
    )?;
    Ok(())
}

pub(crate) fn list<D: Database + ?Sized>(
    db: &D,
    tenant: Option<i64>,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>, Error> {
    let rows = db.execute(
        "SELECT id, at, actor, action, target_type, target_id, before, after FROM audit_log \
         WHERE tenant_id IS ? AND id > ? ORDER BY id LIMIT ?",
        &[
            tenant.into(),
            after.unwrap_or(0).into(),
            limit.clamp(1, 200).into(),
        ],
    )?;
    Ok(rows
        .iter()
        .map(|r| entry_from_row(&r))
        .collect::<Result<_, _>>()?)
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    pub fn audit(&self, record: AuditRecord, now: DateTime<Utc>) -> Result<(), Error> {
        append(self.db, Some(self.tenant.0), record, now)
    }

    /// The tenant's audit log, oldest first, paged by id.
    pub fn audit_log(&self, after: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, Error> {
        list(self.db, Some(self.tenant.0), after, limit)
    }
}
