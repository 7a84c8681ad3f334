//! The tenant's four-level grid (township, community, grid, micro-grid).

use domain::{GridCode, GridLevel, GridNode, GridNodeId, Problem, Role};
use edge::{Ctx, HandlerResult, json};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Serialize)]
struct GridNodeWire {
    id: i64,
    parent_id: Option<i64>,
    level: GridLevel,
    code: String,
    name: String,
    retired: bool,
}

impl From<&GridNode> for GridNodeWire {
    fn from(n: &GridNode) -> Self {
        GridNodeWire {
            id: n.id.0,
            parent_id: n.parent.map(|p| p.0),
            level: n.level,
            code: n.code.as_str().to_string(),
            name: n.name.clone(),
            retired: n.retired,
        }
    }
}

/// The children of `?parent=ID`, or the top level without it.
pub fn list_grid_nodes(ctx: &mut Ctx) -> HandlerResult {
    let (tenant, _) = ctx.tenant_caller()?;
    let parent = match ctx.query("parent") {
        None => None,
        Some(p) => Some(GridNodeId(p.parse().map_err(|_| {
            Problem::validation("parent", "parent must be a grid node id")
        })?)),
    };
    let nodes = ctx.scope(&tenant)?.grid_children(parent)?;
    let wire: Vec<GridNodeWire> = nodes.iter().map(GridNodeWire::from).collect();
    Ok(json(200, &json!({ "nodes": wire })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGridNodeBody {
    parent_id: Option<i64>,
    level: String,
    code: String,
    name: String,
}

pub fn create_grid_node(ctx: &mut Ctx) -> HandlerResult {
    let (tenant, claims) = ctx.tenant_caller()?;
    if claims.role != Role::TenantAdmin {
        return Err(Problem::forbidden("only a tenant admin manages the grid"));
    }
    let body: NewGridNodeBody = ctx.json_body()?;
    let level = GridLevel::parse(&body.level).map_err(|p| p.with_field("level"))?;
    let code = GridCode::parse(&body.code).map_err(|p| p.with_field("code"))?;
    if body.name.trim().is_empty() {
        return Err(Problem::validation("name", "a grid node needs a name"));
    }
    let node = ctx.scope(&tenant)?.create_grid_node(store::NewGridNode {
        parent: body.parent_id.map(GridNodeId),
        level,
        code,
        name: body.name.trim().to_string(),
    })?;
    Ok(json(201, &GridNodeWire::from(&node)))
}
