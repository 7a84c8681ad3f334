//! Logging in: a user name or phone number and a password give a signed token.

use chrono::{Duration, Utc};
use domain::{Claims, Problem};
use edge::{Ctx, HandlerResult, auth, json};
use serde::Deserialize;
use serde_json::json;

/// How long a login lasts: one working day and then some.
const SESSION: Duration = Duration::hours(12);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    login: String,
    password: String,
}

/// The same answer for an unknown login and a wrong password, so that
/// logins cannot be probed.
fn bad_credentials() -> Problem {
    Problem::unauthorized("the login or the password is wrong")
}

pub fn login(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let body: Credentials = ctx.json_body()?;
    let user = ctx
        .scope(&tenant)?
        .find_user_by_login(&body.login)?
        .ok_or_else(bad_credentials)?;
    if !domain::verify_password(&body.password, &user.password_hash) {
        return Err(bad_credentials());
    }
    if tenant.status == domain::TenantStatus::Suspended {
        return Err(Problem::forbidden("this tenant is suspended"));
    }
    let claims = Claims::for_tenant(
        user.id.0.to_string(),
        &tenant.code,
        user.role,
        Utc::now(),
        SESSION,
    );
    issue(&claims)
}

pub fn platform_login(ctx: &mut Ctx) -> HandlerResult {
    let body: Credentials = ctx.json_body()?;
    let db = ctx.db()?;
    let user = store::platform::find_platform_user(db, &body.login)?.ok_or_else(bad_credentials)?;
    if !domain::verify_password(&body.password, &user.password_hash) {
        return Err(bad_credentials());
    }
    issue(&Claims::for_platform_admin(
        user.id.0.to_string(),
        Utc::now(),
        SESSION,
    ))
}

fn issue(claims: &Claims) -> HandlerResult {
    let token = auth::token_keys()?.issue(claims)?;
    Ok(json(
        200,
        &json!({
            "token": token,
            "token_type": "Bearer",
            "role": claims.role,
            "tenant": claims.tenant,
            "expires_at": chrono::DateTime::from_timestamp(claims.exp, 0).map(|t| t.to_rfc3339()),
        }),
    ))
}

pub fn who_am_i(ctx: &mut Ctx) -> HandlerResult {
    let (tenant, claims) = ctx.tenant_caller()?;
    Ok(json(
        200,
        &json!({
            "subject": claims.sub,
            "role": claims.role,
            "tenant": { "code": tenant.code.as_str(), "name": tenant.name },
        }),
    ))
}
