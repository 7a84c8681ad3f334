//! A tenant's grid tree. The shape rule (root is level 1, each child one level down) and
//! "the parent is in this tenant" are checked here, in the same transaction as the write.
//!
//! Nodes are retired, not deleted, once anything refers to them: old cases must keep
//! pointing at the grid they were reported in.

use super::TenantScope;
use crate::db::{Database, Row, StoreError, Value, in_transaction};
use crate::decoded;
use crate::error::{Error, unique_to_conflict};
use domain::limits;
use domain::{
    GridCode, GridImportRow, GridLevel, GridNode, GridNodeId, Problem, geo::Geometry, plan_import,
};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGridNode {
    pub parent: Option<GridNodeId>,
    pub level: GridLevel,
    pub code: GridCode,
    pub name: String,
    pub households: Option<i64>,
    pub geometry: Option<Geometry>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
}

const GRID_COLUMNS: &str = "id, parent_id, level, code, name, retired, geometry, households";

/// Rows per multi-row INSERT of an import: 11 parameters each stays under SQLite's
/// historical limit of 999 bound parameters.
const IMPORT_CHUNK: usize = 80;

pub(super) fn grid_node_from_row(row: &Row<'_>) -> Result<GridNode, StoreError> {
    let level = row.get_i64("level")?;
    let geometry = match row.get_opt_str("geometry")? {
        None => None,
        Some(text) => {
            let value = serde_json::from_str(text).map_err(|_| StoreError::Decode {
                column: "geometry".into(),
                expected: "GeoJSON text",
            })?;
            Some(decoded("geometry", Geometry::from_geojson(&value))?)
        }
    };
    Ok(GridNode {
        id: GridNodeId(row.get_i64("id")?),
        parent: row.get_opt_i64("parent_id")?.map(GridNodeId),
        level: GridLevel::from_number(level).ok_or_else(|| StoreError::Decode {
            column: "level".into(),
            expected: "a grid level 1..=4",
        })?,
        code: decoded("code", GridCode::parse(row.get_str("code")?))?,
        name: row.get_string("name")?,
        retired: row.get_bool("retired")?,
        geometry,
        households: row.get_opt_i64("households")?,
    })
}

fn first_node(rows: &crate::db::Rows) -> Result<Option<GridNode>, Error> {
    Ok(rows.first().map(|r| grid_node_from_row(&r)).transpose()?)
}

/// The geometry column and its bounding box: `[geometry, min_lat, min_lon, max_lat, max_lon]`.
fn geometry_values(geometry: Option<&Geometry>) -> [Value; 5] {
    match geometry {
        None => [
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ],
        Some(g) => {
            let b = g.bbox();
            [
                g.to_geojson().to_string().into(),
                b.min_lat.into(),
                b.min_lon.into(),
                b.max_lat.into(),
                b.max_lon.into(),
            ]
        }
    }
}

fn check_households(households: Option<i64>) -> Result<(), Problem> {
    match households {
        Some(h) if h < 0 => Err(Problem::validation(
            "households",
            "households must be 0 or more",
        )),
        _ => Ok(()),
    }
}

fn level_detail(level: GridLevel, parent: Option<GridLevel>) -> String {
    match parent {
        None => format!(
            "a root grid node must be a township, not a {}",
            level.name_en()
        ),
        Some(p) => format!(
            "a {} cannot be placed under a {}",
            level.name_en(),
            p.name_en()
        ),
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Refuses (400, field `parent`) a parent that is not in this tenant, or retired, and
    /// (400, field `level`) a level that breaks the tree rule. A taken code is a conflict.
    pub fn create_grid_node(&self, new: NewGridNode) -> Result<GridNode, Error> {
        limits::GRID_NODE_NAME.check(&new.name)?;
        check_households(new.households)?;
        in_transaction(self.db, |db| {
            let parent_level = match new.parent {
                None => None,
                Some(parent_id) => {
                    let parent = self.grid_node(parent_id)?.ok_or_else(|| {
                        Problem::unknown("parent_id", "no such parent grid node in this tenant")
                    })?;
                    if parent.retired {
                        return Err(Problem::conflict("the parent grid node is retired")
                            .with_field("parent_id")
                            .into());
                    }
                    Some(parent.level)
                }
            };
            if !new.level.can_be_child_of(parent_level) {
                return Err(
                    Problem::unprocessable("level", level_detail(new.level, parent_level)).into(),
                );
            }
            let [geometry, min_lat, min_lon, max_lat, max_lon] =
                geometry_values(new.geometry.as_ref());
            let rows = db
                .execute(
                    &format!(
                        "INSERT INTO grid_nodes (tenant_id, parent_id, level, code, name, retired, \
                         geometry, min_lat, min_lon, max_lat, max_lon, households) \
                         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?) RETURNING {GRID_COLUMNS}"
                    ),
                    &[
                        self.tenant.0.into(),
                        new.parent.map(|p| p.0).into(),
                        new.level.number().into(),
                        new.code.as_str().into(),
                        new.name.trim().into(),
                        geometry,
                        min_lat,
                        min_lon,
                        max_lat,
                        max_lon,
                        new.households.into(),
                    ],
                )
                .map_err(|e| {
                    unique_to_conflict(e, || format!("grid code '{}' is taken", new.code))
                })?;
            first_node(&rows)?.ok_or_else(|| {
                Error::from(StoreError::Sql(
                    "INSERT ... RETURNING returned no row".into(),
                ))
            })
        })
    }

    pub fn grid_node(&self, id: GridNodeId) -> Result<Option<GridNode>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {GRID_COLUMNS} FROM grid_nodes WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.0.into()],
        )?;
        first_node(&rows)
    }

    /// A grid node and its ancestors, root first, in one statement, without
    /// their shapes (`geometry` is `None`): a place is named by its path,
    /// and a micro-grid's outline can be kilobytes of GeoJSON.
    pub fn grid_path(&self, node: GridNodeId) -> Result<Vec<GridNode>, Error> {
        let rows = self.db.execute(
            "WITH RECURSIVE path (id, parent_id, level, code, name, retired, households, depth) AS ( \
               SELECT id, parent_id, level, code, name, retired, households, 0 \
               FROM grid_nodes WHERE tenant_id = ? AND id = ? \
               UNION ALL \
               SELECT g.id, g.parent_id, g.level, g.code, g.name, g.retired, g.households, p.depth + 1 \
               FROM grid_nodes g JOIN path p ON g.id = p.parent_id WHERE g.tenant_id = ? \
             ) \
             SELECT id, parent_id, level, code, name, retired, NULL AS geometry, households \
             FROM path ORDER BY depth DESC",
            &[self.tenant.0.into(), node.0.into(), self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| grid_node_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    fn existing_grid_node(&self, id: GridNodeId) -> Result<GridNode, Error> {
        self.grid_node(id)?
            .ok_or_else(|| Error::NotFound(format!("grid node {}", id.0)))
    }

    /// The children of `parent`, or the roots for `None`, ordered by code.
    pub fn grid_children(&self, parent: Option<GridNodeId>) -> Result<Vec<GridNode>, Error> {
        let rows = match parent {
            Some(p) => self.db.execute(
                &format!(
                    "SELECT {GRID_COLUMNS} FROM grid_nodes \
                     WHERE tenant_id = ? AND parent_id = ? ORDER BY code"
                ),
                &[self.tenant.0.into(), p.0.into()],
            )?,
            None => self.db.execute(
                &format!(
                    "SELECT {GRID_COLUMNS} FROM grid_nodes \
                     WHERE tenant_id = ? AND parent_id IS NULL ORDER BY code"
                ),
                &[self.tenant.0.into()],
            )?,
        };
        Ok(rows
            .iter()
            .map(|r| grid_node_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    pub fn count_grid_nodes(&self) -> Result<i64, Error> {
        let rows = self.db.execute(
            "SELECT COUNT(*) AS n FROM grid_nodes WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Sql("COUNT returned no row".into()))?;
        Ok(row.get_i64("n")?)
    }

    /// Renames a node (retired ones too: their history stays readable).
    pub fn rename_grid_node(&self, id: GridNodeId, name: &str) -> Result<GridNode, Error> {
        limits::GRID_NODE_NAME.check(name)?;
        let rows = self.db.execute(
            &format!(
                "UPDATE grid_nodes SET name = ? WHERE tenant_id = ? AND id = ? \
                 RETURNING {GRID_COLUMNS}"
            ),
            &[name.trim().into(), self.tenant.0.into(), id.0.into()],
        )?;
        first_node(&rows)?.ok_or_else(|| Error::NotFound(format!("grid node {}", id.0)))
    }

    /// Hangs a node (and its subtree) under another parent, or makes it a root. Refuses
    /// (400, field `parent_id`) a parent not in this tenant, retired, the node itself or
    /// one of its descendants, or of the wrong level; a retired node is not moved (409).
    pub fn move_grid_node(
        &self,
        id: GridNodeId,
        new_parent: Option<GridNodeId>,
    ) -> Result<GridNode, Error> {
        in_transaction(self.db, |db| {
            let node = self.existing_grid_node(id)?;
            if node.retired {
                return Err(Error::Conflict(format!(
                    "grid node '{}' is retired and cannot be moved",
                    node.code
                )));
            }
            let parent_level = match new_parent {
                None => None,
                Some(parent_id) => {
                    let refuse =
                        |detail: &str| Error::from(Problem::unprocessable("parent_id", detail));
                    if parent_id == id {
                        return Err(refuse("a grid node cannot be moved under itself"));
                    }
                    let parent = self.grid_node(parent_id)?.ok_or_else(|| {
                        Problem::unknown("parent_id", "no such parent grid node in this tenant")
                    })?;
                    if parent.retired {
                        return Err(Problem::conflict("the parent grid node is retired")
                            .with_field("parent_id")
                            .into());
                    }
                    let below = db.execute(
                        "WITH RECURSIVE below(id, depth) AS ( \
                             SELECT id, 0 FROM grid_nodes WHERE tenant_id = ?1 AND parent_id = ?2 \
                             UNION ALL \
                             SELECT g.id, b.depth + 1 FROM below b CROSS JOIN grid_nodes g \
                             ON g.tenant_id = ?1 AND g.parent_id = b.id WHERE b.depth < 8) \
                         SELECT 1 AS hit FROM below WHERE id = ?3 LIMIT 1",
                        &[self.tenant.0.into(), id.0.into(), parent_id.0.into()],
                    )?;
                    if !below.is_empty() {
                        return Err(refuse(
                            "a grid node cannot be moved under one of its own descendants",
                        ));
                    }
                    Some(parent.level)
                }
            };
            if !node.level.can_be_child_of(parent_level) {
                return Err(Problem::unprocessable(
                    "parent_id",
                    level_detail(node.level, parent_level),
                )
                .into());
            }
            let rows = db.execute(
                &format!(
                    "UPDATE grid_nodes SET parent_id = ? WHERE tenant_id = ? AND id = ? \
                     RETURNING {GRID_COLUMNS}"
                ),
                &[
                    new_parent.map(|p| p.0).into(),
                    self.tenant.0.into(),
                    id.0.into(),
                ],
            )?;
            first_node(&rows)?.ok_or_else(|| Error::NotFound(format!("grid node {}", id.0)))
        })
    }

    /// Replaces a node's shape (and bounding box) and household count; `None` clears them.
    pub fn set_grid_geometry(
        &self,
        id: GridNodeId,
        geometry: Option<Geometry>,
        households: Option<i64>,
    ) -> Result<GridNode, Error> {
        check_households(households)?;
        let [geometry, min_lat, min_lon, max_lat, max_lon] = geometry_values(geometry.as_ref());
        let rows = self.db.execute(
            &format!(
                "UPDATE grid_nodes SET geometry = ?, min_lat = ?, min_lon = ?, max_lat = ?, \
                 max_lon = ?, households = ? WHERE tenant_id = ? AND id = ? \
                 RETURNING {GRID_COLUMNS}"
            ),
            &[
                geometry,
                min_lat,
                min_lon,
                max_lat,
                max_lon,
                households.into(),
                self.tenant.0.into(),
                id.0.into(),
            ],
        )?;
        first_node(&rows)?.ok_or_else(|| Error::NotFound(format!("grid node {}", id.0)))
    }

    /// Retires a node: it stays readable and referable by old cases but takes no new
    /// children. Refused (409) while it has children that are not retired. Idempotent.
    pub fn retire_grid_node(&self, id: GridNodeId) -> Result<GridNode, Error> {
        in_transaction(self.db, |db| {
            let node = self.existing_grid_node(id)?;
            if node.retired {
                return Ok(node);
            }
            let rows = db.execute(
                "SELECT COUNT(*) AS n FROM grid_nodes \
                 WHERE tenant_id = ? AND parent_id = ? AND retired = 0",
                &[self.tenant.0.into(), id.0.into()],
            )?;
            let active = rows.first().map_or(Ok(0), |r| r.get_i64("n"))?;
            if active > 0 {
                return Err(Error::Conflict(format!(
                    "grid node '{}' has {active} active child node(s): retire or move them first",
                    node.code
                )));
            }
            let rows = db.execute(
                &format!(
                    "UPDATE grid_nodes SET retired = 1 WHERE tenant_id = ? AND id = ? \
                     RETURNING {GRID_COLUMNS}"
                ),
                &[self.tenant.0.into(), id.0.into()],
            )?;
            first_node(&rows)?.ok_or_else(|| Error::NotFound(format!("grid node {}", id.0)))
        })
    }

    /// Deletes a node nothing refers to (a mistake just made). Once a case, a child node,
    /// a grid assignment or an agent point refers to it, refused (409): retire it instead.
    pub fn delete_grid_node(&self, id: GridNodeId) -> Result<(), Error> {
        in_transaction(self.db, |db| {
            let node = self.existing_grid_node(id)?;
            let t = Value::from(self.tenant.0);
            let n = Value::from(id.0);
            let rows = db.execute(
                "SELECT \
                   (SELECT COUNT(*) FROM cases WHERE tenant_id = ?1 AND grid_node_id = ?2) AS cases, \
                   (SELECT COUNT(*) FROM grid_nodes WHERE tenant_id = ?1 AND parent_id = ?2) AS children, \
                   (SELECT COUNT(*) FROM grid_assignments WHERE tenant_id = ?1 AND grid_node_id = ?2) \
                     AS assignments, \
                   (SELECT COUNT(*) FROM agent_points WHERE tenant_id = ?1 AND grid_node_id = ?2) \
                     AS agent_points",
                &[t.clone(), n.clone()],
            )?;
            let row = rows
                .first()
                .ok_or_else(|| StoreError::Sql("COUNT returned no row".into()))?;
            let references: Vec<String> = [
                ("case", "cases"),
                ("child node", "children"),
                ("grid assignment", "assignments"),
                ("agent point", "agent_points"),
            ]
            .into_iter()
            .map(|(what, column)| Ok((what, row.get_i64(column)?)))
            .collect::<Result<Vec<_>, StoreError>>()?
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(what, count)| format!("{count} {what}(s)"))
            .collect();
            if !references.is_empty() {
                return Err(Error::Conflict(format!(
                    "grid node '{}' is referred to by {}: retire it instead of deleting it",
                    node.code,
                    references.join(", ")
                )));
            }
            db.execute(
                "DELETE FROM grid_nodes WHERE tenant_id = ? AND id = ?",
                &[t, n],
            )?;
            Ok(())
        })
    }

    /// The whole grid (every root) or the subtree under `root` (included), in one query,
    /// depth first: a parent comes before its children, siblings ordered by code.
    pub fn grid_tree(&self, root: Option<GridNodeId>) -> Result<Vec<GridNode>, Error> {
        // A space sorts below every character a code may hold ('-', '_', digits,
        // letters), so ordering by the path walks the tree depth first. CROSS JOIN fixes
        // the join order (SQLite's documented hint): each queued node looks its children
        // up by the (tenant_id, parent_id) index instead of scanning the tenant per node.
        let (start, params) = match root {
            None => ("parent_id IS NULL", vec![Value::from(self.tenant.0)]),
            Some(r) => ("id = ?2", vec![Value::from(self.tenant.0), r.0.into()]),
        };
        let rows = self.db.execute(
            &format!(
                "WITH RECURSIVE tree(id, depth, path) AS ( \
                     SELECT id, 0, code FROM grid_nodes WHERE tenant_id = ?1 AND {start} \
                     UNION ALL \
                     SELECT g.id, t.depth + 1, t.path || ' ' || g.code \
                     FROM tree t CROSS JOIN grid_nodes g ON g.tenant_id = ?1 AND g.parent_id = t.id \
                     WHERE t.depth < 8) \
                 SELECT {GRID_COLUMNS} FROM tree CROSS JOIN grid_nodes USING (id) ORDER BY tree.path"
            ),
            &params,
        )?;
        if rows.is_empty()
            && let Some(r) = root
        {
            return Err(Error::NotFound(format!("grid node {}", r.0)));
        }
        Ok(rows
            .iter()
            .map(|r| grid_node_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Imports a whole area at once, all or nothing: checks every row (see
    /// [`domain::plan_import`]) against the tenant's grid, then inserts parents before
    /// children in one transaction. Row problems come back together as [`Error::Rows`].
    pub fn import_grid(&self, rows: Vec<GridImportRow>) -> Result<ImportReport, Error> {
        in_transaction(self.db, |db| {
            let existing = db.execute(
                "SELECT id, code, level, retired FROM grid_nodes WHERE tenant_id = ?",
                &[self.tenant.0.into()],
            )?;
            // code -> (id, level, retired)
            let mut known: HashMap<String, (i64, GridLevel, bool)> =
                HashMap::with_capacity(existing.len() + rows.len());
            for row in existing.iter() {
                let level = GridLevel::from_number(row.get_i64("level")?).ok_or_else(|| {
                    StoreError::Decode {
                        column: "level".into(),
                        expected: "a grid level 1..=4",
                    }
                })?;
                known.insert(
                    row.get_string("code")?,
                    (row.get_i64("id")?, level, row.get_bool("retired")?),
                );
            }
            let planned = plan_import(rows, &|code: &GridCode| {
                known.get(code.as_str()).map(|&(_, level, _)| level)
            })
            .map_err(Error::Rows)?;
            let retired_parents: Vec<_> = planned
                .iter()
                .filter_map(|r| {
                    let parent = r.parent_code.as_ref()?;
                    let &(_, _, retired) = known.get(parent.as_str())?;
                    retired.then(|| {
                        domain::RowProblem::conflict(
                            r.line,
                            "parent_code",
                            format!("the parent '{parent}' is retired"),
                        )
                    })
                })
                .collect();
            if !retired_parents.is_empty() {
                return Err(Error::Rows(retired_parents));
            }

            // Planned rows are ordered by level, so each chunk's parents already have ids.
            let created = planned.len();
            let mut start = 0;
            while start < planned.len() {
                let level = planned[start].level;
                let end = planned[start..]
                    .iter()
                    .take(IMPORT_CHUNK)
                    .take_while(|r| r.level == level)
                    .count()
                    + start;
                let chunk = &planned[start..end];
                let mut params = Vec::with_capacity(chunk.len() * 11);
                for row in chunk {
                    let parent = match &row.parent_code {
                        None => Value::Null,
                        Some(p) => known
                            .get(p.as_str())
                            .map(|&(id, _, _)| Value::Integer(id))
                            .ok_or_else(|| {
                                StoreError::Sql(format!("import: parent '{p}' has no id yet"))
                            })?,
                    };
                    let [geometry, min_lat, min_lon, max_lat, max_lon] =
                        geometry_values(row.geometry.as_ref());
                    params.extend([
                        self.tenant.0.into(),
                        parent,
                        row.level.number().into(),
                        row.code.as_str().into(),
                        row.name.trim().into(),
                        geometry,
                        min_lat,
                        min_lon,
                        max_lat,
                        max_lon,
                        row.households.into(),
                    ]);
                }
                let values = vec!["(?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
                let inserted = db
                    .execute(
                        &format!(
                            "INSERT INTO grid_nodes (tenant_id, parent_id, level, code, name, \
                             retired, geometry, min_lat, min_lon, max_lat, max_lon, households) \
                             VALUES {values} RETURNING id, code"
                        ),
                        &params,
                    )
                    .map_err(|e| {
                        unique_to_conflict(e, || {
                            "a grid code of the import was taken meanwhile; retry".into()
                        })
                    })?;
                for row in inserted.iter() {
                    known.insert(row.get_string("code")?, (row.get_i64("id")?, level, false));
                }
                start = end;
            }
            Ok(ImportReport { created })
        })
    }

    /// The micro-grid (level 4, not retired) whose outline contains the point, if any.
    /// The bounding-box columns narrow the search; the polygon decides.
    pub fn locate(&self, lat: f64, lon: f64) -> Result<Option<GridNode>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {GRID_COLUMNS} FROM grid_nodes \
                 WHERE tenant_id = ? AND level = ? AND retired = 0 AND geometry IS NOT NULL \
                 AND min_lat <= ? AND max_lat >= ? AND min_lon <= ? AND max_lon >= ? \
                 ORDER BY code"
            ),
            &[
                self.tenant.0.into(),
                GridLevel::MicroGrid.number().into(),
                lat.into(),
                lat.into(),
                lon.into(),
                lon.into(),
            ],
        )?;
        for row in rows.iter() {
            let node = grid_node_from_row(&row)?;
            if node.geometry.as_ref().is_some_and(|g| g.contains(lat, lon)) {
                return Ok(Some(node));
            }
        }
        Ok(None)
    }
}
