//! People of a tenant: accounts, roles, and the grids grid workers hold.

use chrono::Utc;
use domain::{GridNodeId, Problem, Role, UserId};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;

use crate::platform::hash_new_password;
use crate::wire::{self, Page};

pub fn list_users(ctx: &mut Ctx) -> HandlerResult {
    let after = ctx.query_i64("after")?.map(UserId);
    let limit = ctx.page_limit()?;
    let users = ctx.scope()?.list_users(after, limit)?;
    Ok(json(200, &Page::of(&users, limit, |u| u.id.0, wire::user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    login: String,
    display_name: String,
    role: String,
    password: String,
    phone: Option<String>,
    department_id: Option<i64>,
    agent_point_id: Option<i64>,
}

pub fn create_user(ctx: &mut Ctx) -> HandlerResult {
    let body: NewUserBody = ctx.json_body()?;
    let role = Role::parse(&body.role).map_err(|p| p.with_field("role"))?;
    let password_hash = hash_new_password(&body.password)?;
    let new = store::NewUser {
        login: body.login,
        display_name: body.display_name,
        role,
        password_hash,
        phone: body.phone,
        department: body.department_id,
        agent_point: body.agent_point_id,
    };
    let created = ctx.transaction(|ctx| {
        let user = ctx.scope()?.create_user(new, Utc::now())?;
        let after = wire::user(&user);
        ctx.audit("create", "user", user.id.0, None, Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(201, &created))
}

/// Absent fields stay; `null` clears phone, department or agent point.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChangesBody {
    display_name: Option<String>,
    role: Option<String>,
    #[serde(default, deserialize_with = "edge::nullable")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "edge::nullable")]
    department_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "edge::nullable")]
    agent_point_id: Option<Option<i64>>,
    disabled: Option<bool>,
}

pub fn update_user(ctx: &mut Ctx) -> HandlerResult {
    let id = UserId(ctx.id_param("id", "user")?);
    let body: UserChangesBody = ctx.json_body()?;
    let role = body
        .role
        .as_deref()
        .map(|r| Role::parse(r).map_err(|p| p.with_field("role")))
        .transpose()?;
    if ctx.caller()?.user.id == id && (role.is_some() || body.disabled == Some(true)) {
        return Err(Problem::forbidden(
            "you cannot change your own role or disable yourself; ask another admin",
        ));
    }
    let changes = store::UserChanges {
        display_name: body.display_name,
        role,
        phone: body.phone,
        department: body.department_id,
        agent_point: body.agent_point_id,
        disabled: body.disabled,
    };
    let updated = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .find_user(id)?
            .ok_or_else(|| Problem::not_found("no such user"))?;
        let after = scope.update_user(id, changes)?;
        let (before, after) = (wire::user(&before), wire::user(&after));
        ctx.audit("update", "user", id.0, Some(before), Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(200, &updated))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentsBody {
    grids: Vec<AssignmentBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    grid_node_id: i64,
    #[serde(default)]
    chief: bool,
}

/// Replaces the set of grids a grid worker holds.
pub fn set_grid_assignments(ctx: &mut Ctx) -> HandlerResult {
    let id = UserId(ctx.id_param("id", "user")?);
    let body: AssignmentsBody = ctx.json_body()?;
    let grids: Vec<(GridNodeId, bool)> = body
        .grids
        .iter()
        .map(|g| (GridNodeId(g.grid_node_id), g.chief))
        .collect();
    let wire_of = |list: &[(i64, bool)]| {
        json!(
            list.iter()
                .map(|(node, chief)| json!({ "grid_node_id": node, "chief": chief }))
                .collect::<Vec<_>>()
        )
    };
    let after = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope.grid_assignments(id)?;
        scope.set_grid_assignments(id, &grids)?;
        let after = scope.grid_assignments(id)?;
        let (before, after) = (wire_of(&before), wire_of(&after));
        ctx.audit("set_grids", "user", id.0, Some(before), Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(200, &json!({ "grids": after })))
}
