//! The public board's reads: a filtered, cursor-paged list of cases newest
//! first, the figures over a window, and open and resolved counts per grid
//! for the map. Every statement is bounded by an index (see the plans
//! checked in `tests::board`).

use super::TenantScope;
use super::cases::Case;
use super::publication::{attachment_facts, case_facts};
use crate::db::{Database, Value, placeholders};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::publication::{AttachmentFacts, CaseFacts, FigureCounts, Outcome};
use domain::{CaseId, GridNode, GridNodeId};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// What the board lists.
#[derive(Debug, Clone, Default)]
pub struct BoardQuery {
    pub category: Option<String>,
    /// A community (or any grid node): its cases and those below it.
    pub community: Option<GridNodeId>,
    pub outcome: Option<Outcome>,
    /// The cursor: the last id of the previous page.
    pub before: Option<CaseId>,
    pub limit: u32,
}

/// One case on the board, with its outcome: the last public answer and the
/// files.
#[derive(Debug, Clone)]
pub struct BoardEntry {
    pub case: Case,
    pub grid_path: Vec<GridNode>,
    pub answer: Option<String>,
    pub attachments: Vec<super::intake::Attachment>,
}

impl BoardEntry {
    pub fn facts(&self) -> CaseFacts<'_> {
        case_facts(&self.case, &self.grid_path)
    }

    pub fn attachment_facts(&self) -> Vec<AttachmentFacts> {
        self.attachments.iter().map(attachment_facts).collect()
    }
}

/// A grid node on the public map: the centre of its box (or of its
/// children's), never a case's own point.
#[derive(Debug, Clone, PartialEq)]
pub struct MapCell {
    pub node: GridNodeId,
    pub code: String,
    pub name: String,
    pub level: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub open: i64,
    pub resolved: i64,
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// A page of the board, newest first. The filters are written with a
    /// unary `+` so that SQLite walks `cases_board` in id order and filters
    /// as it goes, instead of collecting every match of a filter's index and
    /// sorting it: a page then costs about `limit / share of matches` rows.
    pub fn board_page(&self, query: &BoardQuery) -> Result<Vec<BoardEntry>, Error> {
        let mut condition = String::from("id < ?");
        let mut params: Vec<Value> = vec![
            self.tenant.0.into(),
            query.before.map_or(i64::MAX, |c| c.0).into(),
        ];
        if let Some(category) = &query.category {
            condition.push_str(" AND +category = ?");
            params.push(category.as_str().into());
        }
        if let Some(outcome) = query.outcome {
            let states = outcome.states();
            condition.push_str(&format!(" AND +state IN ({})", placeholders(states.len())));
            params.extend(states.into_iter().map(Value::from));
        }
        if let Some(node) = query.community {
            condition.push_str(
                " AND +grid_node_id IN (SELECT id FROM grid_nodes WHERE tenant_id = ? AND \
                 (id = ? OR parent_id = ? OR parent_id IN \
                 (SELECT id FROM grid_nodes WHERE tenant_id = ? AND parent_id = ?)))",
            );
            let t = self.tenant.0;
            params.extend([t, node.0, node.0, t, node.0].map(Value::from));
        }
        condition.push_str(" ORDER BY id DESC LIMIT ?");
        params.push(query.limit.clamp(1, domain::limits::BOARD_PAGE.max).into());
        let cases = self.cases_where(&condition, &params)?;
        let ids: Vec<i64> = cases.iter().map(|c| c.id.0).collect();
        let mut answers = self.last_answers(&ids)?;
        let mut paths: HashMap<GridNodeId, Vec<GridNode>> = HashMap::new();
        let mut entries = Vec::with_capacity(cases.len());
        for case in cases {
            let grid_path = match case.grid_node {
                Some(node) => match paths.entry(node) {
                    Entry::Occupied(known) => known.get().clone(),
                    Entry::Vacant(new) => new.insert(self.grid_path(node)?).clone(),
                },
                None => Vec::new(),
            };
            entries.push(BoardEntry {
                answer: answers.remove(&case.id.0),
                attachments: self.case_attachments(case.id)?,
                grid_path,
                case,
            });
        }
        Ok(entries)
    }

    /// The last public answer (`resolve` note) of each case.
    fn last_answers(&self, cases: &[i64]) -> Result<HashMap<i64, String>, Error> {
        if cases.is_empty() {
            return Ok(HashMap::new());
        }
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        params.extend(cases.iter().map(|c| Value::from(*c)));
        let rows = self.db.execute(
            &format!(
                "SELECT case_id, note FROM case_events WHERE tenant_id = ? AND case_id IN ({}) \
                 AND action = 'resolve' AND public = 1 AND note IS NOT NULL ORDER BY id",
                placeholders(cases.len())
            ),
            &params,
        )?;
        let mut answers = HashMap::new();
        for row in rows.iter() {
            answers.insert(row.get_i64("case_id")?, row.get_string("note")?);
        }
        Ok(answers)
    }

    /// Counts over the cases received since `since` (read from the
    /// covering index `cases_figures`).
    pub fn figure_counts(&self, since: DateTime<Utc>) -> Result<FigureCounts, Error> {
        let resolved = Outcome::Resolved.states();
        let list = placeholders(resolved.len());
        let mut params: Vec<Value> = Vec::new();
        // The resolved states are bound once per use, in order.
        for _ in 0..4 {
            params.extend(resolved.iter().map(|s| Value::from(*s)));
        }
        params.push(self.tenant.0.into());
        params.push(to_text(since).into());
        let rows = self.db.execute(
            &format!(
                "SELECT COUNT(*) AS received, \
                 COALESCE(SUM(state = 'declined'), 0) AS declined, \
                 COALESCE(SUM(state IN ({list})), 0) AS resolved, \
                 COALESCE(SUM(state IN ({list}) AND (resolution_due_at IS NULL \
                   OR resolved_at <= resolution_due_at)), 0) AS on_time, \
                 COALESCE(SUM(state IN ({list}) AND resolved_at IS NOT NULL), 0) AS timed, \
                 TOTAL(CASE WHEN state IN ({list}) AND resolved_at IS NOT NULL \
                   THEN julianday(resolved_at) - julianday(created_at) END) AS days, \
                 COUNT(rating) AS rated, COALESCE(SUM(rating), 0) AS rating_sum, \
                 COALESCE(SUM(rating >= 4), 0) AS satisfied \
                 FROM cases WHERE tenant_id = ? AND created_at >= ?"
            ),
            &params,
        )?;
        let row = rows.returned()?;
        Ok(FigureCounts {
            received: row.get_i64("received")?,
            declined: row.get_i64("declined")?,
            resolved: row.get_i64("resolved")?,
            on_time: row.get_i64("on_time")?,
            timed: row.get_i64("timed")?,
            days_to_resolve: row.get_f64("days")?,
            rated: row.get_i64("rated")?,
            rating_sum: row.get_i64("rating_sum")?,
            satisfied: row.get_i64("satisfied")?,
        })
    }

    /// Open and resolved cases received since `since`, per grid (a
    /// micro-grid's cases count for its grid), at the centre of the grid's
    /// box or, when it has no shape, of its micro-grids' boxes. Nodes
    /// without any shape are left off the map.
    pub fn map_cells(&self, since: DateTime<Utc>) -> Result<Vec<MapCell>, Error> {
        let open = Outcome::Open.states();
        let resolved = Outcome::Resolved.states();
        let mut params: Vec<Value> = Vec::new();
        params.extend(open.iter().map(|s| Value::from(*s)));
        params.extend(resolved.iter().map(|s| Value::from(*s)));
        params.push(self.tenant.0.into());
        params.push(to_text(since).into());
        let rows = self.db.execute(
            &format!(
                "WITH counts AS ( \
                   SELECT CASE WHEN g.level = 4 THEN g.parent_id ELSE g.id END AS node, \
                     SUM(c.state IN ({})) AS open, SUM(c.state IN ({})) AS resolved \
                   FROM cases c JOIN grid_nodes g ON g.tenant_id = c.tenant_id AND g.id = c.grid_node_id \
                   WHERE c.tenant_id = ? AND c.created_at >= ? AND g.level > 1 GROUP BY node), \
                 boxes AS ( \
                   SELECT n.id, n.code, n.name, n.level, counts.open, counts.resolved, \
                     COALESCE(n.min_lat, (SELECT MIN(k.min_lat) FROM grid_nodes k WHERE k.tenant_id = n.tenant_id AND k.parent_id = n.id)) AS min_lat, \
                     COALESCE(n.max_lat, (SELECT MAX(k.max_lat) FROM grid_nodes k WHERE k.tenant_id = n.tenant_id AND k.parent_id = n.id)) AS max_lat, \
                     COALESCE(n.min_lon, (SELECT MIN(k.min_lon) FROM grid_nodes k WHERE k.tenant_id = n.tenant_id AND k.parent_id = n.id)) AS min_lon, \
                     COALESCE(n.max_lon, (SELECT MAX(k.max_lon) FROM grid_nodes k WHERE k.tenant_id = n.tenant_id AND k.parent_id = n.id)) AS max_lon \
                   FROM counts JOIN grid_nodes n ON n.id = counts.node) \
                 SELECT id, code, name, level, open, resolved, \
                   (min_lat + max_lat) / 2 AS latitude, (min_lon + max_lon) / 2 AS longitude \
                 FROM boxes WHERE min_lat IS NOT NULL AND min_lon IS NOT NULL ORDER BY code",
                placeholders(open.len()),
                placeholders(resolved.len())
            ),
            &params,
        )?;
        rows.iter()
            .map(|row| {
                Ok(MapCell {
                    node: GridNodeId(row.get_i64("id")?),
                    code: row.get_string("code")?,
                    name: row.get_string("name")?,
                    level: row.get_i64("level")?,
                    latitude: row.get_f64("latitude")?,
                    longitude: row.get_f64("longitude")?,
                    open: row.get_i64("open")?,
                    resolved: row.get_i64("resolved")?,
                })
            })
            .collect()
    }

    /// A grid node by its code, for the board's `community` filter.
    pub fn grid_node_by_code(&self, code: &str) -> Result<Option<GridNode>, Error> {
        let rows = self.db.execute(
            "SELECT id FROM grid_nodes WHERE tenant_id = ? AND code = ?",
            &[self.tenant.0.into(), code.into()],
        )?;
        match rows.first() {
            Some(row) => self.grid_node(GridNodeId(row.get_i64("id")?)),
            None => Ok(None),
        }
    }
}
