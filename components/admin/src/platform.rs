//! Platform operations: schema migrations and the first platform admin
//! (operator key); tenants' life cycle (platform admins): onboarding,
//! suspension, export and deletion, each recorded in the platform audit log.

use chrono::Utc;
use domain::{Problem, Role, Tenant, TenantCode, TenantKind, TenantStatus};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::wire;

pub fn apply_migrations(ctx: &mut Ctx) -> HandlerResult {
    let db = ctx.db()?;
    let applied = store::migrate(db)?;
    Ok(json(
        200,
        &json!({ "applied": applied, "latest": store::MIGRATIONS.last().map(|m| m.version) }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub login: String,
    pub password: String,
    pub display_name: String,
}

pub fn create_platform_admin(ctx: &mut Ctx) -> HandlerResult {
    let body: NewAccount = ctx.json_body()?;
    let hash = hash_new_password(&body.password)?;
    let db = ctx.db()?;
    let user = store::in_transaction(db, |db| -> Result<_, store::Error> {
        let user = store::create_platform_admin(
            db,
            store::NewPlatformAdmin {
                login: body.login,
                display_name: body.display_name,
                password_hash: hash,
            },
            Utc::now(),
        )?;
        store::platform::audit(
            db,
            platform_record(
                "operator",
                "create_platform_admin",
                "user",
                user.id.0,
                None,
                None,
            ),
            Utc::now(),
        )?;
        Ok(user)
    })?;
    Ok(json(201, &json!({ "id": user.id.0, "login": user.login })))
}

pub fn list_tenants(ctx: &mut Ctx) -> HandlerResult {
    let tenants = store::list_tenants(ctx.db()?)?;
    let items: Vec<_> = tenants.iter().map(wire::tenant).collect();
    Ok(json(200, &json!({ "tenants": items })))
}

/// Days counted as "recent" activity.
const RECENT_DAYS: i64 = 30;

/// `GET /api/platform/activity`: each tenant's size and activity (counts
/// only: the platform runs the service, it does not read townships' cases).
pub fn activity(ctx: &mut Ctx) -> HandlerResult {
    let since = (chrono::Utc::now() - chrono::Duration::days(RECENT_DAYS)).date_naive();
    let rows = store::tenant_activity(ctx.db()?, since)?;
    let items: Vec<_> = rows
        .iter()
        .map(|a| {
            let mut item = wire::tenant(&a.tenant);
            item["cases"] = json!(a.cases);
            item["received_last_30_days"] = json!(a.received_recently);
            item["open_now"] = json!(a.open_now);
            item["users"] = json!(a.users);
            item["grid_nodes"] = json!(a.grid_nodes);
            item
        })
        .collect();
    Ok(json(
        200,
        &json!({ "since": since.to_string(), "tenants": items }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTenantBody {
    code: String,
    name: String,
    kind: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    admin: NewAccount,
    /// The working calendar; China's official one when absent.
    calendar: Option<crate::calendar::CalendarBody>,
}

fn default_time_zone() -> String {
    "Asia/Shanghai".into()
}

/// Creates the tenant and its first tenant admin together: a tenant no one
/// can administer is never left behind. The tenant starts with China's
/// official working calendar.
pub fn create_tenant(ctx: &mut Ctx) -> HandlerResult {
    let body: NewTenantBody = ctx.json_body()?;
    let code = TenantCode::parse(&body.code).map_err(|p| p.with_field("code"))?;
    let kind = TenantKind::parse(&body.kind).map_err(|p| p.with_field("kind"))?;
    // Deadlines count in the tenant's local time: the zone must be one we can place.
    domain::deadline::zone_offset(&body.time_zone)?;
    let hash =
        hash_new_password(&body.admin.password).map_err(|p| p.with_field("admin.password"))?;
    let calendar = body
        .calendar
        .as_ref()
        .map(|c| c.parse().map_err(|p| p.with_field("calendar")))
        .transpose()?;
    let actor = ctx.caller()?.actor();
    let db = ctx.db()?;
    let tenant = store::in_transaction(db, |db| -> Result<_, store::Error> {
        let tenant = store::create_tenant(
            db,
            store::NewTenant {
                code: code.clone(),
                name: body.name.trim().to_string(),
                kind,
                time_zone: body.time_zone.clone(),
            },
            Utc::now(),
        )?;
        let scope = store::TenantScope::new(db, &tenant);
        if let Some((hours, days)) = &calendar {
            scope.set_calendar(*hours, days)?;
        }
        let admin = scope.create_user(
            store::NewUser {
                login: body.admin.login.clone(),
                display_name: body.admin.display_name.clone(),
                role: Role::TenantAdmin,
                password_hash: hash.clone(),
                phone: None,
                department: None,
                agent_point: None,
            },
            Utc::now(),
        )?;
        let after = json!({ "tenant": wire::tenant(&tenant), "admin": wire::user(&admin) });
        store::platform::audit(
            db,
            platform_record(
                &actor,
                "create_tenant",
                "tenant",
                code.as_str(),
                None,
                Some(after),
            ),
            Utc::now(),
        )?;
        Ok(tenant)
    })?;
    Ok(json(201, &wire::tenant(&tenant)))
}

/// The tenant named by the `:code` of a platform route.
fn tenant_of_path(ctx: &mut Ctx) -> Result<Tenant, Problem> {
    let code =
        TenantCode::parse(ctx.param("code")?).map_err(|_| Problem::not_found("no such tenant"))?;
    store::find_tenant(ctx.db()?, &code)?.ok_or_else(|| Problem::not_found("no such tenant"))
}

pub fn get_tenant(ctx: &mut Ctx) -> HandlerResult {
    let tenant = tenant_of_path(ctx)?;
    let db = ctx.db()?;
    let scope = store::TenantScope::new(db, &tenant);
    let mut wire = wire::tenant(&tenant);
    // Size and activity, not content: a platform admin does not read cases.
    wire["grid_nodes"] = json!(scope.count_grid_nodes()?);
    Ok(json(200, &wire))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: String,
}

/// Suspends (logins and writes refused, data kept) or resumes a tenant.
pub fn set_tenant_status(ctx: &mut Ctx) -> HandlerResult {
    let body: StatusBody = ctx.json_body()?;
    let status = TenantStatus::parse(&body.status).map_err(|p| p.with_field("status"))?;
    let tenant = tenant_of_path(ctx)?;
    let actor = ctx.caller()?.actor();
    let db = ctx.db()?;
    let updated = store::in_transaction(db, |db| -> Result<_, store::Error> {
        let updated = store::platform::set_tenant_status(db, &tenant, status)?;
        let record = platform_record(
            &actor,
            "set_tenant_status",
            "tenant",
            tenant.code.as_str(),
            Some(json!({ "status": tenant.status.as_str() })),
            Some(json!({ "status": updated.status.as_str() })),
        );
        store::platform::audit(db, record.clone(), Utc::now())?;
        // The tenant's own admins see what was done to their tenant.
        store::TenantScope::new(db, &tenant).audit(record, Utc::now())?;
        Ok(updated)
    })?;
    Ok(json(200, &wire::tenant(&updated)))
}

/// The whole tenant as JSON (data portability); recorded, since deletion
/// requires an export first.
pub fn export_tenant(ctx: &mut Ctx) -> HandlerResult {
    let tenant = tenant_of_path(ctx)?;
    let actor = ctx.caller()?.actor();
    let db = ctx.db()?;
    let export = store::in_transaction(db, |db| -> Result<_, store::Error> {
        let export = store::export_tenant(db, &tenant, Utc::now())?;
        store::platform::audit(
            db,
            platform_record(
                &actor,
                "export_tenant",
                "tenant",
                tenant.code.as_str(),
                None,
                None,
            ),
            Utc::now(),
        )?;
        Ok(export)
    })?;
    let mut response = json(200, &export);
    response.set_header(
        "content-disposition",
        format!(
            "attachment; filename=\"tenant-{}.json\"",
            tenant.code.as_str()
        ),
    );
    Ok(response)
}

/// Offboarding: deletes a suspended, exported tenant and all it owns.
pub fn delete_tenant(ctx: &mut Ctx) -> HandlerResult {
    let tenant = tenant_of_path(ctx)?;
    let actor = ctx.caller()?.actor();
    let db = ctx.db()?;
    store::in_transaction(db, |db| -> Result<_, store::Error> {
        store::delete_tenant(db, &tenant)?;
        store::platform::audit(
            db,
            platform_record(
                &actor,
                "delete_tenant",
                "tenant",
                tenant.code.as_str(),
                Some(wire::tenant(&tenant)),
                None,
            ),
            Utc::now(),
        )
    })?;
    Ok(json(200, &json!({ "deleted": tenant.code.as_str() })))
}

fn platform_record(
    actor: &str,
    action: &str,
    target_type: &'static str,
    target_id: impl ToString,
    before: Option<Value>,
    after: Option<Value>,
) -> store::AuditRecord {
    store::AuditRecord {
        actor: actor.to_string(),
        action: action.to_string(),
        target_type,
        target_id: Some(target_id.to_string()),
        before,
        after,
    }
}

pub use edge::auth::hash_new_password;
