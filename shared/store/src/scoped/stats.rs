//! The figures' storage: `case_stats` holds, per grid node (and node 0, the
//! whole tenant), day and dimension, the sum of every case's contribution
//! (`domain::analytics::contribution`). Every case change calls
//! [`TenantScope::restat`] in its own transaction: the old contribution out,
//! the new one in. [`TenantScope::rebuild_stats`] recomputes the table from
//! the cases; the two agree (a property test checks it).

use super::TenantScope;
use super::cases::Case;
use super::workflow::open_states;
use crate::Value;
use crate::db::{Database, Row, StoreError, in_transaction, placeholders};
use crate::error::Error;
use chrono::{FixedOffset, NaiveDate};
use domain::analytics::{CaseFacts, Counters, StatKey, WIDTH, column_names, contribution};
use domain::deadline::zone_offset;
use domain::{CaseId, GridLevel, GridNodeId};
use std::collections::{BTreeMap, HashMap};

/// Node 0 in `case_stats`: the whole tenant.
pub const WHOLE_TENANT: i64 = 0;

/// Which sums to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsFilter {
    /// A grid node (its whole subtree counts); `None` for the whole tenant.
    pub node: Option<GridNodeId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<String>,
    pub department: Option<i64>,
    pub source: Option<String>,
}

/// Open cases as they stand now (not sums over a period).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenNow {
    pub open: i64,
    pub overdue: i64,
}

/// The grids of a level with their counts, and what none of them holds:
/// the rows of the hot-spot layer and the grid league table, which add up
/// to `total`.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCounts {
    pub grids: Vec<GridCount>,
    /// 未定位: the cases counted in `total` that no grid of the level holds
    /// (reported without a place, or placed above the level).
    pub unplaced: Counters,
    /// Everything under the filter's node (the whole tenant without one).
    pub total: Counters,
}

/// One grid's counts for the hot-spot layer and the grid league table.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCount {
    pub node: GridNodeId,
    pub code: String,
    pub name: String,
    pub households: Option<i64>,
    /// GeoJSON geometry, as stored.
    pub geometry: Option<String>,
    pub counters: Counters,
}

fn facts(case: &Case) -> CaseFacts<'_> {
    CaseFacts {
        category: &case.category,
        department: case.department,
        source: case.source,
        state: case.state,
        created_at: case.created_at,
        responded_at: case.responded_at,
        resolved_at: case.resolved_at,
        resolution_due_at: case.resolution_due_at,
        closed_at: case.closed_at,
        fixed_on_the_spot: case.fixed_on_the_spot,
        reopen_count: case.reopen_count,
        rating: case.rating,
        rated_at: case.rated_at,
    }
}

fn counters_from_row(row: &Row<'_>, columns: &[String]) -> Result<Counters, StoreError> {
    let mut counters = Counters::default();
    for (slot, column) in counters.0.iter_mut().zip(columns) {
        *slot = row.get_opt_i64(column)?.unwrap_or(0);
    }
    Ok(counters)
}

/// `SUM(received) AS received, ...` for every counter.
fn sums() -> String {
    column_names()
        .iter()
        .map(|c| format!("SUM({c}) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

type Delta = BTreeMap<(i64, StatKey), Counters>;

impl<D: Database + ?Sized> TenantScope<'_, D> {
    fn zone(&self) -> Result<FixedOffset, Error> {
        Ok(zone_offset(&self.time_zone)?)
    }

    /// The rows a case at `node` counts in: the node, every node above it,
    /// and the whole tenant.
    fn stat_nodes(&self, node: Option<GridNodeId>) -> Result<Vec<i64>, Error> {
        let mut nodes = vec![WHOLE_TENANT];
        if let Some(node) = node {
            nodes.extend(self.grid_ancestors(node)?);
        }
        Ok(nodes)
    }

    fn add_contribution(
        &self,
        delta: &mut Delta,
        case: &Case,
        nodes: &[i64],
        zone: FixedOffset,
        sign: i64,
    ) {
        for (key, counters) in contribution(&facts(case), zone) {
            for node in nodes {
                delta
                    .entry((*node, key.clone()))
                    .or_default()
                    .accumulate(&counters, sign);
            }
        }
    }

    /// Moves a case's contribution from `before` to `after` (either may be
    /// absent: a new case, a deleted one). Call inside the transaction that
    /// changed the case.
    pub(crate) fn restat(&self, before: Option<&Case>, after: Option<&Case>) -> Result<(), Error> {
        let zone = self.zone()?;
        let mut delta = Delta::new();
        let before_nodes = before.map(|c| self.stat_nodes(c.grid_node)).transpose()?;
        let after_nodes = match (before, after) {
            (Some(b), Some(a)) if b.grid_node == a.grid_node => before_nodes.clone(),
            (_, Some(a)) => Some(self.stat_nodes(a.grid_node)?),
            _ => None,
        };
        if let (Some(case), Some(nodes)) = (before, &before_nodes) {
            self.add_contribution(&mut delta, case, nodes, zone, -1);
        }
        if let (Some(case), Some(nodes)) = (after, &after_nodes) {
            self.add_contribution(&mut delta, case, nodes, zone, 1);
        }
        self.write_delta(&delta)
    }

    /// Counts a case just inserted at the end of `grid_path` (its node and
    /// the nodes above it, as [`TenantScope::grid_path`] reads them before
    /// the transaction): one statement, no read under the write lock.
    pub(crate) fn count_new_case(&self, case: &Case, grid_path: &[i64]) -> Result<(), Error> {
        let nodes: Vec<i64> = std::iter::once(WHOLE_TENANT)
            .chain(grid_path.iter().copied())
            .collect();
        let mut delta = Delta::new();
        self.add_contribution(&mut delta, case, &nodes, self.zone()?, 1);
        self.write_delta(&delta)
    }

    /// Adds `delta` to the kept sums: a case's change is one multi-row
    /// upsert (a statement per row was one round trip per grid level on
    /// libSQL); a recount goes in chunks that stay under SQLite's oldest
    /// limit of 999 bound values.
    fn write_delta(&self, delta: &Delta) -> Result<(), Error> {
        const ROWS_PER_STATEMENT: usize = 999 / (6 + WIDTH);
        let rows: Vec<_> = delta.iter().filter(|(_, c)| !c.is_zero()).collect();
        let columns = column_names();
        let updates = columns
            .iter()
            .map(|c| format!("{c} = {c} + excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = format!("(?, ?, ?, ?, ?, ?, {})", placeholders(WIDTH));
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO case_stats (tenant_id, grid_node_id, day, category, department_id, \
                 source, {}) VALUES {} \
                 ON CONFLICT (tenant_id, grid_node_id, day, category, department_id, source) \
                 DO UPDATE SET {updates}",
                columns.join(", "),
                vec![row.as_str(); chunk.len()].join(", "),
            );
            let mut params: Vec<Value> = Vec::with_capacity(chunk.len() * (6 + WIDTH));
            for ((node, key), counters) in chunk {
                params.extend([
                    self.tenant.0.into(),
                    (*node).into(),
                    key.day.to_string().into(),
                    key.category.clone().into(),
                    key.department.into(),
                    key.source.into(),
                ]);
                params.extend(counters.0.iter().map(|v| Value::from(*v)));
            }
            self.db.execute(&sql, &params)?;
        }
        Ok(())
    }

    /// Recomputes the tenant's figures from its cases. Returns the cases counted.
    pub fn rebuild_stats(&self) -> Result<usize, Error> {
        in_transaction(self.db, |db| {
            db.execute(
                "DELETE FROM case_stats WHERE tenant_id = ?",
                &[self.tenant.0.into()],
            )?;
            let zone = self.zone()?;
            let mut nodes_of: HashMap<Option<GridNodeId>, Vec<i64>> = HashMap::new();
            let mut delta = Delta::new();
            let mut after: Option<CaseId> = None;
            let mut counted = 0;
            loop {
                let page = self.list_cases(after, super::MAX_PAGE)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                for case in &page {
                    let nodes = match nodes_of.entry(case.grid_node) {
                        std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                        std::collections::hash_map::Entry::Vacant(new) => {
                            new.insert(self.stat_nodes(case.grid_node)?)
                        }
                    };
                    self.add_contribution(&mut delta, case, nodes, zone, 1);
                }
                counted += page.len();
            }
            self.write_delta(&delta)?;
            Ok(counted)
        })
    }

    /// Every stored row, for comparing the kept sums with a rebuild.
    pub fn stats_rows(&self) -> Result<Vec<(i64, StatKey, Counters)>, Error> {
        let columns = column_names();
        let rows = self.db.execute(
            &format!(
                "SELECT grid_node_id, day, category, department_id, source, {} FROM case_stats \
                 WHERE tenant_id = ? ORDER BY grid_node_id, day, category, department_id, source",
                columns.join(", ")
            ),
            &[self.tenant.0.into()],
        )?;
        let mut out = Vec::new();
        for row in rows.iter() {
            let counters = counters_from_row(&row, &columns)?;
            if counters.is_zero() {
                continue;
            }
            let source = domain::CaseSource::parse(row.get_str("source")?)?;
            out.push((
                row.get_i64("grid_node_id")?,
                StatKey {
                    day: crate::decoded(
                        "day",
                        NaiveDate::parse_from_str(row.get_str("day")?, "%Y-%m-%d")
                            .map_err(|_| domain::Problem::validation("day", "not a date")),
                    )?,
                    category: row.get_string("category")?,
                    department: row.get_i64("department_id")?,
                    source: source.as_str(),
                },
                counters,
            ));
        }
        Ok(out)
    }

    /// The filter's conditions after `WHERE tenant_id = ? AND grid_node_id = ?`,
    /// on the columns of the table aliased `table` (empty: unqualified).
    fn filter_sql(filter: &StatsFilter, table: &str, params: &mut Vec<Value>) -> String {
        let mut sql = String::new();
        if let Some(from) = filter.from {
            sql.push_str(&format!(" AND {table}day >= ?"));
            params.push(from.to_string().into());
        }
        if let Some(to) = filter.to {
            sql.push_str(&format!(" AND {table}day <= ?"));
            params.push(to.to_string().into());
        }
        sql.push_str(&Self::dimensions_sql(filter, table, params));
        sql
    }

    /// The filter's category, department and source, as ` AND …` conditions
    /// on columns both `cases` and `case_stats` have (of the table aliased
    /// `table`, e.g. `"s."`, or unqualified with `""`).
    fn dimensions_sql(filter: &StatsFilter, table: &str, params: &mut Vec<Value>) -> String {
        let mut sql = String::new();
        if let Some(category) = &filter.category {
            sql.push_str(&format!(" AND {table}category = ?"));
            params.push(category.clone().into());
        }
        if let Some(department) = filter.department {
            sql.push_str(&format!(" AND {table}department_id = ?"));
            params.push(department.into());
        }
        if let Some(source) = &filter.source {
            sql.push_str(&format!(" AND {table}source = ?"));
            params.push(source.clone().into());
        }
        sql
    }

    /// ` AND {column} IN (the node and everything under it)`.
    fn subtree_sql(&self, column: &str, node: GridNodeId, params: &mut Vec<Value>) -> String {
        params.extend([self.tenant.0.into(), node.0.into(), self.tenant.0.into()]);
        format!(
            " AND {column} IN (WITH RECURSIVE down(id) AS ( \
             SELECT id FROM grid_nodes WHERE tenant_id = ? AND id = ? \
             UNION ALL SELECT n.id FROM grid_nodes n JOIN down ON n.parent_id = down.id \
             WHERE n.tenant_id = ?) SELECT id FROM down)"
        )
    }

    /// The sums per day, in date order.
    pub fn stats_by_day(&self, filter: &StatsFilter) -> Result<Vec<(NaiveDate, Counters)>, Error> {
        let columns = column_names();
        let node = filter.node.map_or(WHOLE_TENANT, |n| n.0);
        let mut params: Vec<Value> = vec![self.tenant.0.into(), node.into()];
        let conditions = Self::filter_sql(filter, "", &mut params);
        let rows = self.db.execute(
            &format!(
                "SELECT day, {} FROM case_stats WHERE tenant_id = ? AND grid_node_id = ?{conditions} \
                 GROUP BY day ORDER BY day",
                sums()
            ),
            &params,
        )?;
        let mut out = Vec::new();
        for row in rows.iter() {
            let day = NaiveDate::parse_from_str(row.get_str("day")?, "%Y-%m-%d").map_err(|_| {
                StoreError::Decode {
                    column: "day".into(),
                    expected: "a date",
                }
            })?;
            out.push((day, counters_from_row(&row, &columns)?));
        }
        Ok(out)
    }

    /// The sums per department (0: none) over the filter, at the filter's node.
    pub fn stats_by_department(&self, filter: &StatsFilter) -> Result<Vec<(i64, Counters)>, Error> {
        let columns = column_names();
        let node = filter.node.map_or(WHOLE_TENANT, |n| n.0);
        let mut params: Vec<Value> = vec![self.tenant.0.into(), node.into()];
        let conditions = Self::filter_sql(filter, "", &mut params);
        let rows = self.db.execute(
            &format!(
                "SELECT department_id, {} FROM case_stats \
                 WHERE tenant_id = ? AND grid_node_id = ?{conditions} GROUP BY department_id",
                sums()
            ),
            &params,
        )?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.get_i64("department_id")?,
                    counters_from_row(&row, &columns)?,
                ))
            })
            .collect()
    }

    /// The sums per grid node of a level under the filter's node (every
    /// grid of the level when it has none), with each node's name,
    /// households and shape; and what no grid of the level holds, so that
    /// the rows add up to the node's total. A retired grid is listed while
    /// it holds counts in the period. One statement: the grids, then the
    /// node's total.
    pub fn stats_by_grid(
        &self,
        level: GridLevel,
        filter: &StatsFilter,
    ) -> Result<GridCounts, Error> {
        let columns = column_names();
        // The filter goes into the join, so a grid without cases in it still
        // appears, with zeros.
        let mut params: Vec<Value> = Vec::new();
        let conditions = Self::filter_sql(filter, "s.", &mut params);
        params.extend([self.tenant.0.into(), level.number().into()]);
        let under = match filter.node {
            Some(node) => self.subtree_sql("g.id", node, &mut params),
            None => String::new(),
        };
        let node = filter.node.map_or(WHOLE_TENANT, |n| n.0);
        params.extend([self.tenant.0.into(), node.into()]);
        let total_conditions = Self::filter_sql(filter, "", &mut params);
        let grid_sums: String = columns
            .iter()
            .map(|c| format!("COALESCE(SUM(s.{c}), 0) AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let total_sums: String = columns
            .iter()
            .map(|c| format!("COALESCE(SUM({c}), 0) AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = self.db.execute(
            &format!(
                "SELECT * FROM (SELECT 0 AS is_total, g.id, g.code, g.name, g.households, g.geometry, {grid_sums} \
                 FROM grid_nodes g LEFT JOIN case_stats s \
                 ON s.tenant_id = g.tenant_id AND s.grid_node_id = g.id{conditions} \
                 WHERE g.tenant_id = ? AND g.level = ?{under} \
                 GROUP BY g.id HAVING g.retired = 0 OR COUNT(s.grid_node_id) > 0) \
                 UNION ALL SELECT 1, NULL, NULL, NULL, NULL, NULL, {total_sums} FROM case_stats \
                 WHERE tenant_id = ? AND grid_node_id = ?{total_conditions} \
                 ORDER BY is_total, id"
            ),
            &params,
        )?;
        let mut counts = GridCounts {
            grids: Vec::new(),
            unplaced: Counters::default(),
            total: Counters::default(),
        };
        for row in rows.iter() {
            let counters = counters_from_row(&row, &columns)?;
            if row.get_i64("is_total")? == 1 {
                counts.total = counters;
                continue;
            }
            counts.grids.push(GridCount {
                node: GridNodeId(row.get_i64("id")?),
                code: row.get_string("code")?,
                name: row.get_string("name")?,
                households: row.get_opt_i64("households")?,
                geometry: row.get_opt_string("geometry")?,
                counters,
            });
        }
        counts.unplaced = counts.total;
        for grid in &counts.grids {
            counts.unplaced.accumulate(&grid.counters, -1);
        }
        Ok(counts)
    }

    /// Received per (grid node of `level`, category, day) since `from`, for
    /// the spike rule.
    pub fn received_by_grid_and_category(
        &self,
        level: GridLevel,
        from: NaiveDate,
    ) -> Result<Vec<(GridNodeId, String, NaiveDate, i64)>, Error> {
        let rows = self.db.execute(
            "SELECT s.grid_node_id, s.category, s.day, SUM(s.received) AS received \
             FROM case_stats s JOIN grid_nodes g ON g.id = s.grid_node_id AND g.tenant_id = s.tenant_id \
             WHERE s.tenant_id = ? AND g.level = ? AND s.day >= ? AND s.received > 0 \
             GROUP BY s.grid_node_id, s.category, s.day",
            &[
                self.tenant.0.into(),
                level.number().into(),
                from.to_string().into(),
            ],
        )?;
        rows.iter()
            .map(|row| {
                let day =
                    NaiveDate::parse_from_str(row.get_str("day")?, "%Y-%m-%d").map_err(|_| {
                        StoreError::Decode {
                            column: "day".into(),
                            expected: "a date",
                        }
                    })?;
                Ok((
                    GridNodeId(row.get_i64("grid_node_id")?),
                    row.get_string("category")?,
                    day,
                    row.get_i64("received")?,
                ))
            })
            .collect()
    }

    /// Open and overdue cases now, under a node (its subtree) and filters.
    pub fn open_now(&self, filter: &StatsFilter) -> Result<OpenNow, Error> {
        let open = open_states();
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        params.extend(open.iter().map(|s| Value::from(*s)));
        let mut sql = format!(
            "SELECT COUNT(*) AS open, COALESCE(SUM(escalation_level >= 2), 0) AS overdue \
             FROM cases WHERE tenant_id = ? AND state IN ({})",
            placeholders(open.len())
        );
        if let Some(node) = filter.node {
            let subtree = self.subtree_sql("grid_node_id", node, &mut params);
            sql.push_str(&subtree);
        }
        sql.push_str(&Self::dimensions_sql(filter, "", &mut params));
        let rows = self.db.execute(&sql, &params)?;
        let row = rows.returned()?;
        Ok(OpenNow {
            open: row.get_i64("open")?,
            overdue: row.get_i64("overdue")?,
        })
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Cases reported in the filter's period (the tenant's local dates),
    /// under its node, after `after`: the case lists' export, page by page.
    pub fn cases_for_export(
        &self,
        filter: &StatsFilter,
        after: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<Case>, Error> {
        let zone = self.zone()?;
        let local_midnight = |day: NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(zone).single())
                .map(|t| crate::time::to_text(t.with_timezone(&chrono::Utc)))
        };
        let mut conditions = vec!["id > ?".to_string()];
        let mut params: Vec<Value> = vec![self.tenant.0.into(), after.map_or(0, |c| c.0).into()];
        if let Some(from) = filter.from.and_then(local_midnight) {
            conditions.push("created_at >= ?".into());
            params.push(from.into());
        }
        if let Some(to) = filter
            .to
            .and_then(|d| d.succ_opt())
            .and_then(local_midnight)
        {
            conditions.push("created_at < ?".into());
            params.push(to.into());
        }
        let mut sql = conditions.join(" AND ");
        sql.push_str(&Self::dimensions_sql(filter, "", &mut params));
        if let Some(node) = filter.node {
            let subtree = self.subtree_sql("grid_node_id", node, &mut params);
            sql.push_str(&subtree);
        }
        params.push(limit.clamp(1, 1000).into());
        self.cases_where(&format!("{sql} ORDER BY id LIMIT ?"), &params)
    }
}
