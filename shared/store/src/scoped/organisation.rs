//! Departments (职能部门) and agent points (代办点) of a tenant.

use super::TenantScope;
use super::grid::grid_node_from_row;
use crate::db::{Database, Row, StoreError};
use crate::decoded;
use crate::error::{Error, unique_to_conflict};
use domain::limits;
use domain::{AgentPointLevel, Code, GridNode, GridNodeId, Problem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub code: Code,
    pub name: String,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPoint {
    pub id: i64,
    pub code: Code,
    pub name: String,
    pub level: AgentPointLevel,
    pub grid_node_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgentPoint {
    pub code: Code,
    pub name: String,
    pub level: AgentPointLevel,
    pub grid_node: Option<GridNodeId>,
}

const DEPARTMENT_COLUMNS: &str = "id, code, name, retired";
const AGENT_POINT_COLUMNS: &str = "id, code, name, level, grid_node_id";

fn department_from_row(row: &Row<'_>) -> Result<Department, StoreError> {
    Ok(Department {
        id: row.get_i64("id")?,
        code: decoded("code", Code::parse(row.get_str("code")?))?,
        name: row.get_string("name")?,
        retired: row.get_bool("retired")?,
    })
}

fn agent_point_from_row(row: &Row<'_>) -> Result<AgentPoint, StoreError> {
    Ok(AgentPoint {
        id: row.get_i64("id")?,
        code: decoded("code", Code::parse(row.get_str("code")?))?,
        name: row.get_string("name")?,
        level: decoded("level", AgentPointLevel::parse(row.get_str("level")?))?,
        grid_node_id: row.get_opt_i64("grid_node_id")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    pub fn create_department(&self, code: &Code, name: &str) -> Result<Department, Error> {
        limits::DEPARTMENT_NAME.check(name)?;
        let rows = self
            .db
            .execute(
                &format!(
                    "INSERT INTO departments (tenant_id, code, name) VALUES (?, ?, ?) \
                     RETURNING {DEPARTMENT_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    code.as_str().into(),
                    name.trim().into(),
                ],
            )
            .map_err(|e| {
                unique_to_conflict(e, || format!("department '{}' exists", code.as_str()))
            })?;
        Ok(department_from_row(&rows.returned()?)?)
    }

    pub fn list_departments(&self) -> Result<Vec<Department>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE tenant_id = ? ORDER BY code"
            ),
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| department_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    pub fn department(&self, id: i64) -> Result<Option<Department>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| department_from_row(&r)).transpose()?)
    }

    /// Renames and/or retires a department; retired ones keep their cases
    /// and staff but receive no new routing.
    pub fn update_department(
        &self,
        id: i64,
        name: Option<&str>,
        retired: Option<bool>,
    ) -> Result<Department, Error> {
        let current = self
            .department(id)?
            .ok_or_else(|| Error::NotFound("no such department".into()))?;
        let name = match name {
            Some(n) => {
                limits::DEPARTMENT_NAME.check(n)?;
                n.trim().to_string()
            }
            None => current.name,
        };
        let rows = self.db.execute(
            &format!(
                "UPDATE departments SET name = ?, retired = ? WHERE tenant_id = ? AND id = ? \
                 RETURNING {DEPARTMENT_COLUMNS}"
            ),
            &[
                name.into(),
                retired.unwrap_or(current.retired).into(),
                self.tenant.0.into(),
                id.into(),
            ],
        )?;
        Ok(department_from_row(&rows.returned()?)?)
    }

    pub fn create_agent_point(&self, new: NewAgentPoint) -> Result<AgentPoint, Error> {
        limits::AGENT_POINT_NAME.check(&new.name)?;
        if let Some(node) = new.grid_node
            && !self.exists("grid_nodes", node.0)?
        {
            return Err(Problem::unknown("grid_node_id", "no such grid node").into());
        }
        let code = new.code.as_str().to_string();
        let rows = self
            .db
            .execute(
                &format!(
                    "INSERT INTO agent_points (tenant_id, code, name, level, grid_node_id) \
                     VALUES (?, ?, ?, ?, ?) RETURNING {AGENT_POINT_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    code.as_str().into(),
                    new.name.trim().into(),
                    new.level.as_str().into(),
                    new.grid_node.map(|g| g.0).into(),
                ],
            )
            .map_err(|e| unique_to_conflict(e, || format!("agent point '{code}' exists")))?;
        Ok(agent_point_from_row(&rows.returned()?)?)
    }

    pub fn list_agent_points(&self) -> Result<Vec<AgentPoint>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {AGENT_POINT_COLUMNS} FROM agent_points WHERE tenant_id = ? ORDER BY code"
            ),
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| agent_point_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Replaces the grids a grid worker holds. `chief` marks the micro-grids
    /// they lead; a micro-grid has at most one chief.
    pub fn set_grid_assignments(
        &self,
        user: domain::UserId,
        grids: &[(GridNodeId, bool)],
    ) -> Result<(), Error> {
        let person = self
            .find_user(user)?
            .ok_or_else(|| Error::NotFound("no such user".into()))?;
        if person.role != domain::Role::GridWorker {
            return Err(Problem::conflict("only grid workers hold grids")
                .with_field("grids")
                .into());
        }
        for (i, (node, chief)) in grids.iter().enumerate() {
            let Some(found) = self.grid_node(*node)? else {
                return Err(
                    Problem::unknown(format!("grids[{i}].grid_node_id"), "no such grid").into(),
                );
            };
            if *chief && found.level != domain::GridLevel::MicroGrid {
                return Err(Problem::unprocessable(
                    format!("grids[{i}].chief"),
                    "only a micro-grid has a chief",
                )
                .into());
            }
        }
        crate::in_transaction(self.db, |db| -> Result<(), Error> {
            db.execute(
                "DELETE FROM grid_assignments WHERE tenant_id = ? AND user_id = ?",
                &[self.tenant.0.into(), user.0.into()],
            )?;
            for (node, chief) in grids {
                db.execute(
                    "INSERT INTO grid_assignments (tenant_id, user_id, grid_node_id, is_chief) \
                     VALUES (?, ?, ?, ?)",
                    &[
                        self.tenant.0.into(),
                        user.0.into(),
                        node.0.into(),
                        (*chief).into(),
                    ],
                )
                .map_err(|e| {
                    unique_to_conflict(e, || format!("micro-grid {} already has a chief", node.0))
                })?;
            }
            Ok(())
        })
    }

    /// The grids a worker holds, with their names and levels but not their
    /// shapes, and whether they are the chief: `(node, is chief)`, in one
    /// statement.
    pub fn assigned_grids(&self, user: domain::UserId) -> Result<Vec<(GridNode, bool)>, Error> {
        let rows = self.db.execute(
            "SELECT g.id, g.parent_id, g.level, g.code, g.name, g.retired, NULL AS geometry, \
             g.households, a.is_chief FROM grid_assignments a \
             JOIN grid_nodes g ON g.tenant_id = a.tenant_id AND g.id = a.grid_node_id \
             WHERE a.tenant_id = ? AND a.user_id = ? ORDER BY g.code",
            &[self.tenant.0.into(), user.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| Ok((grid_node_from_row(&r)?, r.get_bool("is_chief")?)))
            .collect::<Result<_, StoreError>>()?)
    }

    /// The grids a worker holds: `(grid node id, is chief)`.
    pub fn grid_assignments(&self, user: domain::UserId) -> Result<Vec<(i64, bool)>, Error> {
        let rows = self.db.execute(
            "SELECT grid_node_id, is_chief FROM grid_assignments \
             WHERE tenant_id = ? AND user_id = ? ORDER BY grid_node_id",
            &[self.tenant.0.into(), user.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.get_i64("grid_node_id")?, r.get_bool("is_chief")?)))
            .collect::<Result<_, StoreError>>()?)
    }
}
