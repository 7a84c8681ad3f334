//! Logging in and out: a user name or phone number and a password give a
//! signed token; logging out or changing the password revokes every earlier
//! token. Failed logins are slowed down per account and per address.

use chrono::{Duration, Utc};
use domain::{Claims, Problem, ProblemCode};
use edge::throttle::LoginAttempt;
use edge::{Ctx, HandlerResult, auth, json};
use serde::Deserialize;
use serde_json::json;

use crate::platform::hash_new_password;
use crate::wire;

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
    Problem::coded(
        ProblemCode::WrongLogin,
        "the login or the password is wrong",
    )
}

pub fn login(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let body: Credentials = ctx.json_body()?;
    let attempt = LoginAttempt::new(ctx.request(), tenant.code.as_str(), &body.login);
    attempt.check()?;
    let user = ctx
        .scope()?
        .find_user_by_login(&body.login)?
        .filter(|u| !u.disabled && domain::verify_password(&body.password, &u.password_hash));
    let Some(user) = user else {
        attempt.failed()?;
        return Err(bad_credentials());
    };
    attempt.succeeded()?;
    let claims = Claims::for_tenant(
        user.id.0.to_string(),
        &tenant,
        user.role,
        Utc::now(),
        SESSION,
    )
    .with_version(user.token_version);
    issue(&claims)
}

pub fn platform_login(ctx: &mut Ctx) -> HandlerResult {
    let body: Credentials = ctx.json_body()?;
    let attempt = LoginAttempt::new(ctx.request(), "platform", &body.login);
    attempt.check()?;
    let user = store::find_platform_user(ctx.db()?, &body.login)?
        .filter(|u| !u.disabled && domain::verify_password(&body.password, &u.password_hash));
    let Some(user) = user else {
        attempt.failed()?;
        return Err(bad_credentials());
    };
    attempt.succeeded()?;
    issue(
        &Claims::for_platform_admin(user.id.0.to_string(), Utc::now(), SESSION)
            .with_version(user.token_version),
    )
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

/// The caller with where they work: their department, agent point and
/// grids, so that a page can start where its user works (a grid worker's
/// app on their own grids) without reading the organisation first.
pub fn who_am_i(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let user = ctx.caller()?.user.clone();
    let subject = ctx.caller()?.claims.sub.clone();
    let scope = ctx.scope()?;
    let department = match user.department {
        Some(id) => scope.department(id)?.map(|d| wire::department(&d)),
        None => None,
    };
    let agent_point = match user.agent_point {
        Some(id) => scope
            .list_agent_points()?
            .iter()
            .find(|p| p.id == id)
            .map(wire::agent_point),
        None => None,
    };
    let grids: Vec<_> = scope
        .assigned_grids(user.id)?
        .iter()
        .map(|(node, chief)| {
            json!({
                "id": node.id.0,
                "code": node.code.as_str(),
                "name": node.name,
                "level": node.level.as_str(),
                "chief": chief,
            })
        })
        .collect();
    Ok(json(
        200,
        &json!({
            "subject": subject,
            "login": user.login,
            "display_name": user.display_name,
            "role": user.role,
            "tenant": { "code": tenant.code.as_str(), "name": tenant.name },
            "department": department,
            "agent_point": agent_point,
            "grids": grids,
        }),
    ))
}

/// Revokes every token of the caller: logging out everywhere.
pub fn logout(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.caller()?.user.id;
    ctx.scope()?.revoke_tokens(id)?;
    Ok(json(200, &json!({ "logged_out": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the caller's password, revokes every earlier token, and answers
/// with a fresh one so this session goes on.
pub fn change_password(ctx: &mut Ctx) -> HandlerResult {
    let body: PasswordChange = ctx.json_body()?;
    let tenant = ctx.tenant()?;
    let user = ctx.caller()?.user.clone();
    if !domain::verify_password(&body.current_password, &user.password_hash) {
        return Err(
            Problem::coded(ProblemCode::WrongPassword, "the current password is wrong")
                .with_field("current_password"),
        );
    }
    let hash = hash_new_password(&body.new_password).map_err(|p| p.with_field("new_password"))?;
    ctx.transaction(|ctx| {
        ctx.scope()?.set_password(user.id, &hash)?;
        ctx.audit("change_password", "user", user.id.0, None, None)
    })?;
    let claims = Claims::for_tenant(
        user.id.0.to_string(),
        &tenant,
        user.role,
        Utc::now(),
        SESSION,
    )
    .with_version(user.token_version + 1);
    issue(&claims)
}
