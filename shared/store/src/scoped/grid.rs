//! A tenant's grid tree. The shape rule (root is level 1, each child one level down) and
//! "the parent is in this tenant" are checked here, in the same transaction as the insert.

use super::TenantScope;
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::error::{Error, unique_to_conflict};
use crate::{decoded, non_blank};
use domain::{GridCode, GridLevel, GridNode, GridNodeId, Problem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGridNode {
    pub parent: Option<GridNodeId>,
    pub level: GridLevel,
    pub code: GridCode,
    pub name: String,
}

const GRID_COLUMNS: &str = "id, parent_id, level, code, name, retired";

fn grid_node_from_row(row: &Row<'_>) -> Result<GridNode, StoreError> {
    let level = row.get_i64("level")?;
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
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Refuses (400, field `parent`) a parent that is not in this tenant, or retired, and
    /// (400, field `level`) a level that breaks the tree rule. A taken code is a conflict.
    pub fn create_grid_node(&self, new: NewGridNode) -> Result<GridNode, Error> {
        non_blank("name", &new.name, 100)?;
        in_transaction(self.db, |db| {
            let parent_level = match new.parent {
                None => None,
                Some(parent_id) => {
                    let parent = self.grid_node(parent_id)?.ok_or_else(|| {
                        Problem::validation("parent", "no such parent grid node in this tenant")
                    })?;
                    if parent.retired {
                        return Err(Problem::validation(
                            "parent",
                            "the parent grid node is retired",
                        )
                        .into());
                    }
                    Some(parent.level)
                }
            };
            if !new.level.can_be_child_of(parent_level) {
                let detail = match parent_level {
                    None => format!(
                        "a root grid node must be a township, not a {}",
                        new.level.name_en()
                    ),
                    Some(p) => format!(
                        "a {} cannot be placed under a {}",
                        new.level.name_en(),
                        p.name_en()
                    ),
                };
                return Err(Problem::validation("level", detail).into());
            }
            let rows = db
                .execute(
                    &format!(
                        "INSERT INTO grid_nodes (tenant_id, parent_id, level, code, name, retired) \
                         VALUES (?, ?, ?, ?, ?, 0) RETURNING {GRID_COLUMNS}"
                    ),
                    &[
                        self.tenant.0.into(),
                        new.parent.map(|p| p.0).into(),
                        new.level.number().into(),
                        new.code.as_str().into(),
                        new.name.trim().into(),
                    ],
                )
                .map_err(|e| {
                    unique_to_conflict(e, || format!("grid code '{}' is taken", new.code))
                })?;
            let row = rows
                .first()
                .ok_or_else(|| StoreError::Sql("INSERT ... RETURNING returned no row".into()))?;
            Ok(grid_node_from_row(&row)?)
        })
    }

    pub fn grid_node(&self, id: GridNodeId) -> Result<Option<GridNode>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {GRID_COLUMNS} FROM grid_nodes WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.0.into()],
        )?;
        Ok(rows.first().map(|r| grid_node_from_row(&r)).transpose()?)
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
}
