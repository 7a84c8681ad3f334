//! Departments (职能部门) and agent points (代办点).

use domain::{AgentPointLevel, Code, GridNodeId};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;

use crate::wire;

pub fn list_departments(ctx: &mut Ctx) -> HandlerResult {
    let departments = ctx.scope()?.list_departments()?;
    let items: Vec<_> = departments.iter().map(wire::department).collect();
    Ok(json(200, &json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDepartmentBody {
    code: String,
    name: String,
}

pub fn create_department(ctx: &mut Ctx) -> HandlerResult {
    let body: NewDepartmentBody = ctx.json_body()?;
    let code = Code::parse(&body.code)?;
    let created = ctx.transaction(|ctx| {
        let department = ctx.scope()?.create_department(&code, &body.name)?;
        let after = wire::department(&department);
        ctx.audit(
            "create",
            "department",
            department.id,
            None,
            Some(after.clone()),
        )?;
        Ok(after)
    })?;
    Ok(json(201, &created))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentChangesBody {
    name: Option<String>,
    retired: Option<bool>,
}

pub fn update_department(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "department")?;
    let body: DepartmentChangesBody = ctx.json_body()?;
    let updated = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .department(id)?
            .ok_or_else(|| domain::Problem::not_found("no such department"))?;
        let after = scope.update_department(id, body.name.as_deref(), body.retired)?;
        let (before, after) = (wire::department(&before), wire::department(&after));
        ctx.audit(
            "update",
            "department",
            id,
            Some(before),
            Some(after.clone()),
        )?;
        Ok(after)
    })?;
    Ok(json(200, &updated))
}

pub fn list_agent_points(ctx: &mut Ctx) -> HandlerResult {
    let points = ctx.scope()?.list_agent_points()?;
    let items: Vec<_> = points.iter().map(wire::agent_point).collect();
    Ok(json(200, &json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgentPointBody {
    code: String,
    name: String,
    level: String,
    grid_node_id: Option<i64>,
}

pub fn create_agent_point(ctx: &mut Ctx) -> HandlerResult {
    let body: NewAgentPointBody = ctx.json_body()?;
    let new = store::NewAgentPoint {
        code: Code::parse(&body.code)?,
        name: body.name,
        level: AgentPointLevel::parse(&body.level)?,
        grid_node: body.grid_node_id.map(GridNodeId),
    };
    let created = ctx.transaction(|ctx| {
        let point = ctx.scope()?.create_agent_point(new)?;
        let after = wire::agent_point(&point);
        ctx.audit("create", "agent_point", point.id, None, Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(201, &created))
}
