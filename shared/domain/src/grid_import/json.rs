//! Reading an import from a nested JSON tree: a child's parent is the node it is nested
//! in; items are numbered in document order and each problem is named by its path.

use super::{GridImportRow, RowProblem, parse_level};
use crate::geo::Geometry;
use crate::grid::GridCode;
use serde_json::Value;

/// Parses a whole area as a nested tree:
/// `{"nodes": [{"code", "name", "level", "households"?, "geometry"?, "children": [...]}]}`.
/// A child's parent is the node it is nested in; a top-level node may name an existing
/// `parent_code` (to import under a node already in the tenant) or be a root.
pub fn parse_json(bytes: &[u8]) -> Result<Vec<GridImportRow>, Vec<RowProblem>> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![RowProblem::new(
            0,
            "body",
            format!(
                "not valid JSON (UTF-8) at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )]
    })?;
    let Some(nodes) = document.get("nodes").and_then(Value::as_array) else {
        return Err(vec![RowProblem::new(
            0,
            "nodes",
            "the document must be an object with a \"nodes\" array",
        )]);
    };
    let mut walk = JsonWalk::default();
    for (i, node) in nodes.iter().enumerate() {
        walk.node(node, &format!("nodes[{i}]"), None, true);
    }
    if walk.problems.is_empty() {
        Ok(walk.rows)
    } else {
        Err(walk.problems)
    }
}

#[derive(Default)]
struct JsonWalk {
    item: usize,
    rows: Vec<GridImportRow>,
    problems: Vec<RowProblem>,
}

impl JsonWalk {
    /// `parent`: `Some(code)` when nested under a node whose code parsed, `None` at the top
    /// (or under a node whose code did not parse, which is already reported).
    fn node(&mut self, value: &Value, path: &str, parent: Option<&GridCode>, top: bool) {
        self.item += 1;
        let line = self.item;
        let before = self.problems.len();
        let Some(object) = value.as_object() else {
            self.problems
                .push(RowProblem::new(line, path, "a node must be an object"));
            return;
        };
        let mut report = |field: &str, detail: String| {
            self.problems
                .push(RowProblem::new(line, format!("{path}.{field}"), detail));
        };
        for key in object.keys() {
            let allowed = matches!(
                key.as_str(),
                "code" | "name" | "level" | "households" | "geometry" | "children"
            ) || (top && key == "parent_code");
            if !allowed {
                report(
                    key,
                    "unknown field: a node has code, name, level, households, geometry \
                     and children (and parent_code at the top level only)"
                        .into(),
                );
            }
        }
        let text = |key: &str| object.get(key).and_then(Value::as_str);
        let code = match text("code") {
            Some(s) => GridCode::parse(s)
                .map_err(|p| report("code", p.detail))
                .ok(),
            None => {
                report("code", "a node needs a \"code\" string".into());
                None
            }
        };
        let parent_code = if top {
            match object.get("parent_code") {
                None | Some(Value::Null) => Some(None),
                Some(Value::String(s)) => GridCode::parse(s)
                    .map(Some)
                    .map_err(|p| report("parent_code", p.detail))
                    .ok(),
                Some(_) => {
                    report("parent_code", "parent_code must be a string".into());
                    None
                }
            }
        } else {
            parent.cloned().map(Some)
        };
        let level = match object.get("level") {
            Some(Value::String(s)) => parse_level(s).map_err(|d| report("level", d)).ok(),
            Some(Value::Number(n)) => parse_level(&n.to_string())
                .map_err(|d| report("level", d))
                .ok(),
            _ => {
                report("level", "a node needs a \"level\"".into());
                None
            }
        };
        let name = match text("name") {
            Some(s) => Some(s.trim().to_owned()),
            None => {
                report("name", "a node needs a \"name\" string".into());
                None
            }
        };
        let households = match object.get("households") {
            None | Some(Value::Null) => Some(None),
            // JSON Schema's integers include `3.0`.
            Some(v) => match v.as_i64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 2f64.powi(53))
                    .map(|f| f as i64)
            }) {
                Some(n) if n >= 0 => Some(Some(n)),
                _ => {
                    report(
                        "households",
                        "households must be a whole number, 0 or more".into(),
                    );
                    None
                }
            },
        };
        let geometry = match object.get("geometry") {
            None | Some(Value::Null) => Some(None),
            Some(v) => match Geometry::from_geojson_at(v, &format!("{path}.geometry")) {
                Ok(g) => Some(Some(g)),
                Err(p) => {
                    let field = p.field.unwrap_or_else(|| format!("{path}.geometry"));
                    self.problems.push(RowProblem {
                        kind: p.kind,
                        ..RowProblem::new(line, field, p.detail)
                    });
                    None
                }
            },
        };
        let children = match object.get("children") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => {
                self.problems.push(RowProblem::new(
                    line,
                    format!("{path}.children"),
                    "children must be an array of nodes",
                ));
                &[][..]
            }
        };
        if self.problems.len() == before
            && let (Some(code), Some(parent_code), Some(level), Some(name), Some(h), Some(g)) =
                (&code, parent_code, level, name, households, geometry)
        {
            self.rows.push(GridImportRow {
                line,
                code: code.clone(),
                parent_code,
                level,
                name,
                households: h,
                geometry: g,
            });
        }
        for (i, child) in children.iter().enumerate() {
            self.node(
                child,
                &format!("{path}.children[{i}]"),
                code.as_ref(),
                false,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::checks::{Expected, check_problems};
    use super::*;

    fn check_json(input: serde_json::Value, expected: Expected<'_>) {
        check_problems(parse_json(input.to_string().as_bytes()), expected);
    }

    #[test]
    fn json_parsing() {
        use serde_json::json;
        check_json(
            json!({"nodes": [
                {"code": "T1", "name": "镇", "level": "township", "children": [
                    {"code": "C1", "name": "社区", "level": 2, "children": [
                        {"code": "G1", "name": "网格", "level": "grid"}]},
                    {"code": "C2", "name": "社区", "level": "community", "households": null}]},
                {"code": "C3", "parent_code": "T0", "name": "社区", "level": "community",
                 "geometry": {"type": "Point", "coordinates": [120.1, 30.2]}}]}),
            Ok(vec![
                ("T1", None),
                ("C1", Some("T1")),
                ("G1", Some("C1")),
                ("C2", Some("T1")),
                ("C3", Some("T0")),
            ]),
        );
        check_json(
            json!({"nodes": [
                {"code": "T1", "name": "镇", "level": "township", "children": [
                    {"code": "C1", "name": "社区", "level": "village", "parent_code": "X"},
                    {"code": "C2", "name": 5, "level": 2, "households": -1,
                     "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
                     "children": {}}]},
                {"code": "bad code", "level": 9}]}),
            Err(vec![
                (2, "nodes[0].children[0].parent_code", "unknown field"),
                (2, "nodes[0].children[0].level", "not a grid level"),
                (3, "nodes[0].children[1].name", "name"),
                (3, "nodes[0].children[1].households", "0 or more"),
                (
                    3,
                    "nodes[0].children[1].geometry.coordinates[0]",
                    "at least 4",
                ),
                (3, "nodes[0].children[1].children", "array"),
                (4, "nodes[1].code", "only ASCII"),
                (4, "nodes[1].level", "not a grid level"),
                (4, "nodes[1].name", "name"),
            ]),
        );
        check_problems(
            parse_json(b"{\"nodes\": [}"),
            Err(vec![(0, "body", "not valid JSON")]),
        );
        check_json(json!([1]), Err(vec![(0, "nodes", "\"nodes\" array")]));
    }
}
