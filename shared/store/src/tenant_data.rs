//! A tenant's data as a whole: exported as JSON (data portability) and
//! deleted on request after an export (offboarding). The list of
//! tenant-owned tables is kept here, and a test checks it against the
//! schema, so a new table cannot be forgotten by either.

use crate::db::{Database, Value};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::{Problem, Tenant, TenantStatus};
use serde_json::{Map, Value as Json, json};

/// Every table with a `tenant_id`, children before parents (the order
/// deletion needs), with the columns an export must leave out.
pub const TENANT_TABLES: &[(&str, &[&str])] = &[
    ("triage_unconfirmed", &[]),
    ("triage_counts", &[]),
    ("triage_settings", &[]),
    ("triage_learned", &[]),
    ("triage_grams", &[]),
    ("triage_labels", &[]),
    ("case_stats", &[]),
    ("patrol_figures", &[]),
    ("micro_grid_visits", &[]),
    ("patrol_settings", &[]),
    ("patrol_visits", &[]),
    ("patrol_track_pieces", &[]),
    ("me_too_presses", &["presser"]),
    ("agent_matter_levels", &[]),
    ("agent_matter_promises", &[]),
    ("agent_matter_tasks", &[]),
    ("agent_matters", &[]),
    ("mediation_sessions", &[]),
    ("mediation_parties", &[]),
    ("mediation_disputes", &[]),
    ("policy_answer_policies", &[]),
    ("policy_answers", &[]),
    ("policy_files", &[]),
    ("policies", &[]),
    ("enterprise_requests", &[]),
    ("notice_attachments", &[]),
    ("notices", &[]),
    ("sms_deliveries", &[]),
    ("sms_settings", &["access_key_secret"]),
    ("webhook_deliveries", &[]),
    ("webhooks", &["secret"]),
    ("warning_cases", &[]),
    ("warnings", &[]),
    ("warning_rules", &[]),
    ("warning_cursors", &[]),
    ("case_assists", &[]),
    ("routing_rules", &[]),
    ("idempotency_keys", &["response"]),
    ("files_to_delete", &[]),
    ("attachments", &[]),
    ("api_keys", &["key_hash"]),
    ("case_events", &[]),
    ("cases", &[]),
    ("patrols", &[]),
    ("grid_day_members", &[]),
    ("grid_day_grids", &[]),
    ("grid_days", &[]),
    ("grid_assignments", &[]),
    ("audit_log", &[]),
    ("calendar_days", &[]),
    ("map_settings", &[]),
    ("users", &["password_hash", "token_version"]),
    ("enterprises", &[]),
    ("agent_points", &[]),
    ("categories", &[]),
    ("departments", &[]),
    ("grid_nodes", &[]),
];

/// The whole tenant as one JSON document, and the export is recorded.
pub fn export_tenant<D: Database + ?Sized>(
    db: &D,
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> Result<Json, Error> {
    let mut tables = Map::new();
    // Parents first reads more naturally in an export.
    for (table, secret_columns) in TENANT_TABLES.iter().rev() {
        let rows = db.execute(
            &format!("SELECT * FROM {table} WHERE tenant_id = ?"),
            &[tenant.id.0.into()],
        )?;
        let records: Vec<Json> = rows
            .rows
            .iter()
            .map(|values| {
                let record: Map<String, Json> = rows
                    .columns
                    .iter()
                    .zip(values)
                    .filter(|(column, _)| {
                        column.as_str() != "tenant_id" && !secret_columns.contains(&column.as_str())
                    })
                    .map(|(column, value)| (column.clone(), to_json(value)))
                    .collect();
                Json::Object(record)
            })
            .collect();
        tables.insert((*table).to_string(), Json::Array(records));
    }
    db.execute(
        "UPDATE tenants SET exported_at = ? WHERE id = ?",
        &[to_text(now).into(), tenant.id.0.into()],
    )?;
    Ok(json!({
        "format": "gridgov-tenant-export",
        "version": 1,
        "exported_at": to_text(now),
        "tenant": {
            "code": tenant.code.as_str(),
            "name": tenant.name,
            "kind": tenant.kind.as_str(),
            "time_zone": tenant.time_zone,
            "status": tenant.status.as_str(),
            "created_at": to_text(tenant.created_at),
        },
        "tables": tables,
    }))
}

/// Deletes the tenant and everything it owns. Refused unless the tenant is
/// suspended and was exported after its last change of status, so that
/// deletion is always a deliberate, recoverable-by-export step.
pub fn delete_tenant<D: Database + ?Sized>(db: &D, tenant: &Tenant) -> Result<(), Error> {
    if tenant.status != TenantStatus::Suspended {
        return Err(Problem::conflict("suspend the tenant before deleting it").into());
    }
    let rows = db.execute(
        "SELECT exported_at FROM tenants WHERE id = ?",
        &[tenant.id.0.into()],
    )?;
    let exported = rows.returned()?.get_opt_string("exported_at")?;
    if exported.is_none() {
        return Err(Problem::conflict("export the tenant's data before deleting it").into());
    }
    crate::in_transaction(db, |db| -> Result<(), Error> {
        // Full-text indexes hold copies of the text: emptied first, while
        // the rows they must be told about still exist.
        for index in crate::scoped::fulltext::INDEXES {
            db.execute(&index.unindex_tenant(), &[tenant.id.0.into()])?;
        }
        for (table, _) in TENANT_TABLES {
            db.execute(
                &format!("DELETE FROM {table} WHERE tenant_id = ?"),
                &[tenant.id.0.into()],
            )?;
        }
        db.execute("DELETE FROM tenants WHERE id = ?", &[tenant.id.0.into()])?;
        Ok(())
    })
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Integer(i) => json!(i),
        Value::Real(r) => json!(r),
        Value::Text(t) => {
            // JSON columns (extra fields, audit before/after, geometry) stay JSON.
            match t.chars().next() {
                Some('{' | '[') => serde_json::from_str(t).unwrap_or_else(|_| json!(t)),
                _ => json!(t),
            }
        }
        Value::Blob(b) => json!(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
    }
}
