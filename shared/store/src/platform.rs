//! Platform-level operations, outside any tenant: onboarding tenants and platform admins.
//!
//! These are the only functions that take the raw database; they touch only the tables
//! that are not tenant-owned (`tenants`, and `users` rows with no tenant).

use crate::db::{Database, Row, StoreError, placeholders};
use crate::decoded;
use crate::error::{Error, unique_to_conflict};
use crate::scoped::users::{USER_COLUMNS, User, user_from_row};
use crate::time::{get_time, to_text};
use chrono::{DateTime, Utc};
use domain::limits;
use domain::{Role, Tenant, TenantCode, TenantId, TenantKind, TenantStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    pub code: TenantCode,
    pub name: String,
    pub kind: TenantKind,
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlatformAdmin {
    pub login: String,
    pub display_name: String,
    /// A PHC string from `domain::hash_password`.
    pub password_hash: String,
}

const TENANT_COLUMNS: &str = "id, code, name, kind, time_zone, status, created_at";

fn tenant_from_row(row: &Row<'_>) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: TenantId(row.get_i64("id")?),
        code: decoded("code", TenantCode::parse(row.get_str("code")?))?,
        name: row.get_string("name")?,
        kind: decoded("kind", TenantKind::parse(row.get_str("kind")?))?,
        time_zone: row.get_string("time_zone")?,
        status: decoded("status", TenantStatus::parse(row.get_str("status")?))?,
        created_at: get_time(row, "created_at")?,
    })
}

/// Creates an active tenant. A taken code is a [`Error::Conflict`].
pub fn create_tenant<D: Database + ?Sized>(
    db: &D,
    new: NewTenant,
    now: DateTime<Utc>,
) -> Result<Tenant, Error> {
    limits::TENANT_NAME.check(&new.name)?;
    limits::TIME_ZONE.check(&new.time_zone)?;
    let rows = db
        .execute(
            &format!(
                "INSERT INTO tenants (code, name, kind, time_zone, status, created_at) \
                 VALUES (?, ?, ?, ?, 'active', ?) RETURNING {TENANT_COLUMNS}"
            ),
            &[
                new.code.as_str().into(),
                new.name.trim().into(),
                new.kind.as_str().into(),
                new.time_zone.trim().into(),
                to_text(now).into(),
            ],
        )
        .map_err(|e| unique_to_conflict(e, || format!("tenant code '{}' is taken", new.code)))?;
    let tenant = tenant_from_row(&rows.returned()?)?;
    // A new tenant starts with China's official calendar; its admin can change it.
    crate::in_transaction(db, |db| {
        crate::TenantScope::new(db, &tenant).set_calendar(
            domain::WorkingHours::DEFAULT,
            &domain::calendar::china_2026(),
        )
    })?;
    Ok(tenant)
}

pub fn find_tenant<D: Database + ?Sized>(
    db: &D,
    code: &TenantCode,
) -> Result<Option<Tenant>, Error> {
    let rows = db.execute(
        &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE code = ?"),
        &[code.as_str().into()],
    )?;
    Ok(rows.first().map(|r| tenant_from_row(&r)).transpose()?)
}

pub fn list_tenants<D: Database + ?Sized>(db: &D) -> Result<Vec<Tenant>, Error> {
    let rows = db.execute(
        &format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY code"),
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| tenant_from_row(&r))
        .collect::<Result<_, _>>()?)
}

/// Creates a user with no tenant and the platform-admin role. A taken login is a conflict.
pub fn create_platform_admin<D: Database + ?Sized>(
    db: &D,
    new: NewPlatformAdmin,
    now: DateTime<Utc>,
) -> Result<User, Error> {
    limits::LOGIN.check(&new.login)?;
    limits::DISPLAY_NAME.check(&new.display_name)?;
    let rows = db
        .execute(
            &format!(
                "INSERT INTO users (tenant_id, login, display_name, role, password_hash, created_at) \
                 VALUES (NULL, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
            ),
            &[
                new.login.trim().into(),
                new.display_name.trim().into(),
                Role::PlatformAdmin.as_str().into(),
                new.password_hash.into(),
                to_text(now).into(),
            ],
        )
        .map_err(|e| unique_to_conflict(e, || format!("login '{}' is taken", new.login.trim())))?;
    let row = rows
        .first()
        .ok_or_else(|| StoreError::Sql("INSERT ... RETURNING returned no row".into()))?;
    Ok(user_from_row(&row)?)
}

/// A platform admin by login; tenant users with the same login are not found here.
pub fn find_platform_user<D: Database + ?Sized>(
    db: &D,
    login: &str,
) -> Result<Option<User>, Error> {
    let rows = db.execute(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id IS NULL AND login = ?"),
        &[login.trim().into()],
    )?;
    Ok(rows.first().map(|r| user_from_row(&r)).transpose()?)
}

/// A platform admin by id (to check a token's version and the account).
pub fn find_platform_user_by_id<D: Database + ?Sized>(
    db: &D,
    id: domain::UserId,
) -> Result<Option<User>, Error> {
    let rows = db.execute(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id IS NULL AND id = ?"),
        &[id.0.into()],
    )?;
    Ok(rows.first().map(|r| user_from_row(&r)).transpose()?)
}

/// Suspends or resumes a tenant. A suspended tenant keeps its data; the
/// edge refuses its logins and every write.
pub fn set_tenant_status<D: Database + ?Sized>(
    db: &D,
    tenant: &Tenant,
    status: TenantStatus,
) -> Result<Tenant, Error> {
    let rows = db.execute(
        &format!("UPDATE tenants SET status = ? WHERE id = ? RETURNING {TENANT_COLUMNS}"),
        &[status.as_str().into(), tenant.id.0.into()],
    )?;
    Ok(tenant_from_row(&rows.returned()?)?)
}

/// Appends a platform-wide audit entry (no tenant).
pub fn audit<D: Database + ?Sized>(
    db: &D,
    record: crate::AuditRecord,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    crate::scoped::audit::append(db, None, record, now)
}

/// The platform-wide audit log, oldest first, paged by id.
pub fn audit_log<D: Database + ?Sized>(
    db: &D,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<crate::AuditEntry>, Error> {
    crate::scoped::audit::list(db, None, after, limit)
}

/// A tenant's size and activity, as the platform admin sees it: counts,
/// never cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantActivity {
    pub tenant: Tenant,
    pub cases: i64,
    /// Received since `since` (a local date, inclusive).
    pub received_recently: i64,
    pub open_now: i64,
    pub users: i64,
    pub grid_nodes: i64,
}

/// Every tenant's size and activity, from the kept figures and counts.
pub fn tenant_activity<D: Database + ?Sized>(
    db: &D,
    since: chrono::NaiveDate,
) -> Result<Vec<TenantActivity>, Error> {
    let open: Vec<&str> = domain::CaseState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let mut params: Vec<crate::Value> = vec![since.to_string().into()];
    params.extend(open.iter().map(|s| crate::Value::from(*s)));
    let rows = db.execute(
        &format!(
            "SELECT {TENANT_COLUMNS}, \
             (SELECT COUNT(*) FROM cases c WHERE c.tenant_id = t.id) AS cases, \
             (SELECT COALESCE(SUM(received), 0) FROM case_stats s \
              WHERE s.tenant_id = t.id AND s.grid_node_id = 0 AND s.day >= ?) AS received_recently, \
             (SELECT COUNT(*) FROM cases c WHERE c.tenant_id = t.id AND c.state IN ({})) AS open_now, \
             (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id) AS users, \
             (SELECT COUNT(*) FROM grid_nodes g WHERE g.tenant_id = t.id) AS grid_nodes \
             FROM tenants t ORDER BY code",
            placeholders(open.len())
        ),
        &params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(TenantActivity {
                tenant: tenant_from_row(&r)?,
                cases: r.get_i64("cases")?,
                received_recently: r.get_i64("received_recently")?,
                open_now: r.get_i64("open_now")?,
                users: r.get_i64("users")?,
                grid_nodes: r.get_i64("grid_nodes")?,
            })
        })
        .collect()
}
