//! The tenant's four-level grid (township, community, grid, micro-grid):
//! the tree in one call, single-node changes, bulk import of a whole area
//! (CSV or JSON, all-or-nothing, every bad row reported), and locating a
//! point in its micro-grid.

use domain::{GridCode, GridLevel, GridNode, GridNodeId, Problem, grid_import};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};

/// A node on the wire; geometry only when asked for (it dominates the size
/// of a whole-area tree).
fn node_wire(node: &GridNode, with_geometry: bool) -> Value {
    let mut wire = json!({
        "id": node.id.0,
        "parent_id": node.parent.map(|p| p.0),
        "level": node.level,
        "code": node.code.as_str(),
        "name": node.name,
        "retired": node.retired,
        "households": node.households,
    });
    if with_geometry {
        wire["geometry"] = node
            .geometry
            .as_ref()
            .map_or(Value::Null, |g| g.to_geojson());
    }
    wire
}

/// Nests a parents-first list into a tree of `children` arrays.
fn nest(nodes: &[GridNode], with_geometry: bool) -> Vec<Value> {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<i64> = nodes.iter().map(|n| n.id.0).collect();
    let mut children: HashMap<Option<i64>, Vec<&GridNode>> = HashMap::new();
    for node in nodes {
        // The subtree's root hangs from a parent outside the list.
        let parent = node.parent.map(|p| p.0).filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(node);
    }
    fn build(
        parent: Option<i64>,
        children: &HashMap<Option<i64>, Vec<&GridNode>>,
        with_geometry: bool,
    ) -> Vec<Value> {
        children
            .get(&parent)
            .map(|list| {
                list.iter()
                    .map(|node| {
                        let mut wire = node_wire(node, with_geometry);
                        wire["children"] = json!(build(Some(node.id.0), children, with_geometry));
                        wire
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    build(None, &children, with_geometry)
}

/// The whole tree, or the subtree under `?root=ID`; `?geometry=true` adds shapes.
pub fn get_grid_tree(ctx: &mut Ctx) -> HandlerResult {
    let root = ctx.query_i64("root")?.map(GridNodeId);
    let with_geometry = ctx.query("geometry").as_deref() == Some("true");
    let nodes = ctx.scope()?.grid_tree(root)?;
    Ok(json(
        200,
        &json!({ "count": nodes.len(), "nodes": nest(&nodes, with_geometry) }),
    ))
}

fn parse_geometry(value: Option<&Value>) -> Result<Option<domain::geo::Geometry>, Problem> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => domain::geo::Geometry::from_geojson_at(v, "geometry").map(Some),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGridNodeBody {
    parent_id: Option<i64>,
    level: String,
    code: String,
    name: String,
    households: Option<i64>,
    geometry: Option<Value>,
}

pub fn create_grid_node(ctx: &mut Ctx) -> HandlerResult {
    let body: NewGridNodeBody = ctx.json_body()?;
    let new = store::NewGridNode {
        parent: body.parent_id.map(GridNodeId),
        level: GridLevel::parse(&body.level).map_err(|p| p.with_field("level"))?,
        code: GridCode::parse(&body.code).map_err(|p| p.with_field("code"))?,
        name: body.name,
        households: body.households,
        geometry: parse_geometry(body.geometry.as_ref())?,
    };
    let created = ctx.transaction(|ctx| {
        let node = ctx.scope()?.create_grid_node(new)?;
        let after = node_wire(&node, true);
        ctx.audit("create", "grid_node", node.id.0, None, Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(201, &created))
}

/// Absent fields stay; `"parent_id": null` makes the node a root;
/// `"geometry": null` clears its shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridChangesBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "edge::nullable")]
    parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "edge::nullable")]
    geometry: Option<Option<Value>>,
    #[serde(default, deserialize_with = "edge::nullable")]
    households: Option<Option<i64>>,
}

pub fn update_grid_node(ctx: &mut Ctx) -> HandlerResult {
    let id = GridNodeId(ctx.id_param("id", "grid node")?);
    let body: GridChangesBody = ctx.json_body()?;
    let geometry = body
        .geometry
        .as_ref()
        .map(|g| parse_geometry(g.as_ref()))
        .transpose()?;
    let updated = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .grid_node(id)?
            .ok_or_else(|| Problem::not_found("no such grid node"))?;
        let mut node = before.clone();
        if let Some(name) = &body.name {
            node = scope.rename_grid_node(id, name)?;
        }
        if let Some(parent) = body.parent_id {
            node = scope.move_grid_node(id, parent.map(GridNodeId))?;
        }
        if geometry.is_some() || body.households.is_some() {
            let shape = geometry.clone().unwrap_or(node.geometry.clone());
            let households = body.households.unwrap_or(node.households);
            node = scope.set_grid_geometry(id, shape, households)?;
        }
        let (before, after) = (node_wire(&before, true), node_wire(&node, true));
        ctx.audit(
            "update",
            "grid_node",
            id.0,
            Some(before),
            Some(after.clone()),
        )?;
        Ok(after)
    })?;
    Ok(json(200, &updated))
}

/// Retires a node: it stays readable, and old cases keep pointing at it.
pub fn retire_grid_node(ctx: &mut Ctx) -> HandlerResult {
    let id = GridNodeId(ctx.id_param("id", "grid node")?);
    let retired = ctx.transaction(|ctx| {
        let node = ctx.scope()?.retire_grid_node(id)?;
        let after = node_wire(&node, false);
        ctx.audit("retire", "grid_node", id.0, None, Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(200, &retired))
}

/// Deletes a node nothing refers to; anything referred to must be retired.
pub fn delete_grid_node(ctx: &mut Ctx) -> HandlerResult {
    let id = GridNodeId(ctx.id_param("id", "grid node")?);
    ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .grid_node(id)?
            .ok_or_else(|| Problem::not_found("no such grid node"))?;
        scope.delete_grid_node(id)?;
        ctx.audit(
            "delete",
            "grid_node",
            id.0,
            Some(node_wire(&before, true)),
            None,
        )
    })?;
    Ok(json(200, &json!({ "deleted": id.0 })))
}

/// A whole area at once: `text/csv` (UTF-8; columns code, parent_code,
/// level, name, households, geometry) or `application/json` (a nested
/// tree). All rows or none; every problem is listed by line and field.
pub fn import_grid(ctx: &mut Ctx) -> HandlerResult {
    let body = ctx.request().body();
    let parsed = match ctx.content_type().as_str() {
        // The API document states what a JSON import holds, node by node;
        // of a CSV file it says only its columns, in prose, so what is
        // wrong with one is beyond it (422).
        "text/csv" => grid_import::parse_csv(body).map_err(|problems| {
            problems
                .into_iter()
                .map(|p| grid_import::RowProblem {
                    kind: domain::ProblemKind::UnprocessableContent,
                    ..p
                })
                .collect()
        }),
        "application/json" => grid_import::parse_json(body),
        other => {
            return Err(Problem::unsupported_media_type(format!(
                "send the grid as text/csv or application/json, not '{other}'"
            )));
        }
    };
    let rows = parsed.map_err(row_problems)?;
    let result = ctx.transaction(|ctx| {
        let report = ctx.scope()?.import_grid(rows).map_err(|e| match e {
            store::Error::Rows(problems) => row_problems(problems),
            other => other.into(),
        })?;
        let summary = json!({ "created": report.created });
        ctx.audit("import", "grid", "grid", None, Some(summary.clone()))?;
        Ok(summary)
    })?;
    Ok(json(201, &result))
}

/// A 400 whose `problems` member lists every bad row.
fn row_problems(problems: Vec<grid_import::RowProblem>) -> Problem {
    let lines = problems
        .iter()
        .map(|p| p.line)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let list = serde_json::to_value(&problems).unwrap_or(Value::Null);
    Problem::new(
        grid_import::kind_of(&problems),
        format!("{lines} row(s) of the import have problems; nothing was imported"),
    )
    .with_field(
        problems
            .first()
            .map(|p| p.field.clone())
            .unwrap_or_default(),
    )
    .with_extension("problems", list)
}

/// The micro-grid containing `?lat=..&lon=..`, or 404 when none does.
pub fn locate_grid(ctx: &mut Ctx) -> HandlerResult {
    let coordinate = |name: &str| -> Result<f64, Problem> {
        ctx.query_value(name)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| Problem::validation(name, format!("{name} must be a number")))
    };
    let location = domain::Location::new(coordinate("lat")?, coordinate("lon")?)?;
    let node = ctx
        .scope()?
        .locate(location.latitude(), location.longitude())?
        .ok_or_else(|| Problem::not_found("no micro-grid contains this point"))?;
    Ok(json(200, &node_wire(&node, false)))
}
