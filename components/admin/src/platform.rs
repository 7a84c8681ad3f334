//! Platform operations: schema migrations and the first platform admin
//! (operator key), tenants (platform admin).

use chrono::Utc;
use domain::{Password, Problem, Role, TenantCode, TenantKind};
use edge::{Ctx, HandlerResult, auth, json};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn apply_migrations(ctx: &mut Ctx) -> HandlerResult {
    auth::require_operator(ctx.request())?;
    let db = ctx.db()?;
    let applied = store::migrations::migrate(db)?;
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
    auth::require_operator(ctx.request())?;
    let body: NewAccount = ctx.json_body()?;
    let hash = hash_new_password(&body.password)?;
    let db = ctx.db()?;
    let user = store::create_platform_admin(
        db,
        store::NewPlatformAdmin {
            login: body.login,
            display_name: body.display_name,
            password_hash: hash,
        },
        Utc::now(),
    )?;
    Ok(json(201, &json!({ "id": user.id.0, "login": user.login })))
}

pub fn list_tenants(ctx: &mut Ctx) -> HandlerResult {
    ctx.platform_admin()?;
    let db = ctx.db()?;
    let tenants = store::platform::list_tenants(db)?;
    let wire: Vec<TenantWire> = tenants.iter().map(TenantWire::from).collect();
    Ok(json(200, &json!({ "tenants": wire })))
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
}

fn default_time_zone() -> String {
    "Asia/Shanghai".into()
}

/// A tenant as the API shows it.
#[derive(Serialize)]
pub struct TenantWire {
    code: String,
    name: String,
    kind: &'static str,
    time_zone: String,
    status: &'static str,
    created_at: String,
}

impl From<&domain::Tenant> for TenantWire {
    fn from(t: &domain::Tenant) -> Self {
        TenantWire {
            code: t.code.as_str().to_string(),
            name: t.name.clone(),
            kind: t.kind.as_str(),
            time_zone: t.time_zone.clone(),
            status: t.status.as_str(),
            created_at: t.created_at.to_rfc3339(),
        }
    }
}

/// Creates the tenant and its first tenant admin together: a tenant no one
/// can administer is never left behind.
pub fn create_tenant(ctx: &mut Ctx) -> HandlerResult {
    ctx.platform_admin()?;
    let body: NewTenantBody = ctx.json_body()?;
    let code = TenantCode::parse(&body.code).map_err(|p| p.with_field("code"))?;
    let kind = TenantKind::parse(&body.kind).map_err(|p| p.with_field("kind"))?;
    if body.name.trim().is_empty() {
        return Err(Problem::validation("name", "a tenant needs a name"));
    }
    let hash =
        hash_new_password(&body.admin.password).map_err(|p| p.with_field("admin.password"))?;
    let db = ctx.db()?;
    let tenant = store::in_transaction(db, |db| -> Result<_, store::Error> {
        let tenant = store::platform::create_tenant(
            db,
            store::platform::NewTenant {
                code: code.clone(),
                name: body.name.trim().to_string(),
                kind,
                time_zone: body.time_zone.clone(),
            },
            Utc::now(),
        )?;
        store::TenantScope::new(db, &tenant).create_user(
            store::NewUser {
                login: body.admin.login.clone(),
                display_name: body.admin.display_name.clone(),
                role: Role::TenantAdmin,
                password_hash: hash.clone(),
            },
            Utc::now(),
        )?;
        Ok(tenant)
    })?;
    Ok(json(201, &TenantWire::from(&tenant)))
}

/// Checks the password rules, then hashes with a fresh salt.
pub fn hash_new_password(password: &str) -> Result<String, Problem> {
    let password = Password::parse(password).map_err(|p| p.with_field("password"))?;
    domain::hash_password(password.as_str(), &edge::random_bytes::<16>()?)
}
