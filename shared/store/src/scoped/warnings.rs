//! Early warnings (预警, `domain::warning`, docs/warnings.md): raised by
//! the sweep, handled by the command centre.
//!
//! The sweep never reads all cases. It reads the cases created or changed
//! since its cursor (`cases_changed`, at most [`BATCH`] a call) and, for
//! each, only what indexes reach: the micro-grid's count of the category
//! from the kept figures (`case_stats`) and, when that reaches the rule,
//! the micro-grid's cases of the category in the window
//! (`cases_duplicates`); the reporter's earlier cases (`cases_reporter_phone`),
//! the place's (`cases_duplicates`), a dispute's parties' earlier disputes
//! (`mediation_parties_by_phone`, `…_by_name`). Late risks read the
//! departments' records per category from the kept figures (one grouped
//! statement over the whole tenant's row, node 0) and then only the open
//! cases of the departments behind (`cases_department`).
//!
//! A warning is written with its cases and its webhook deliveries (the
//! outbox, `warning.raised`) in one transaction; one open warning per key
//! (a unique index), so it is raised once and updated as more cases come.

use super::TenantScope;
use super::cases::{Case, NewCase, NewEvent};
use super::new_case::Routing;
use super::workflow::open_states;
use crate::db::{Database, Row, StoreError, in_transaction, placeholders};
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::analytics::{Counters, Figures, column_names};
use domain::deadline::zone_offset;
use domain::warning::{
    self, Earlier, LateBound, RaisedNotice, RepeatBasis, WarningAction, WarningKind, WarningRules,
    WarningState,
};
use domain::workflow::Escalation;
use domain::{CaseSource, CaseState, GridLevel, TrackingCode, UserId};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Changed cases one sweep reads at most; the rest wait for the next.
pub const BATCH: u32 = 200;

/// Open cases at risk one sweep warns about at most (only cases at risk
/// are read, so the rest are the next sweep's).
pub const LATE_CANDIDATES: u32 = 500;

/// How far back a sweep re-reads past the last one's end: a case written
/// by a transaction that began before the last sweep read, and committed
/// after, is not missed. Reading a case twice changes nothing.
const OVERLAP: Duration = Duration::minutes(2);

/// A warning as the command centre sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub id: i64,
    pub kind: WarningKind,
    pub state: WarningState,
    pub key: String,
    pub category: Option<String>,
    pub grid_node: Option<i64>,
    pub department: Option<i64>,
    pub details: Value,
    pub case_count: i64,
    pub raised_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
    pub handled_by: Option<String>,
    pub note: Option<String>,
    /// The case opened for the root cause.
    pub root_case: Option<i64>,
}

/// Which warnings to list: newest first, before `after` (an id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningQuery {
    pub state: Option<WarningState>,
    pub kind: Option<WarningKind>,
    pub after: Option<i64>,
}

/// What one sweep did about warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarningSweep {
    /// Changed cases read.
    pub read: usize,
    /// Warnings raised.
    pub raised: usize,
    /// Open warnings that took more cases.
    pub updated: usize,
}

const WARNING_COLUMNS: &str = "id, kind, state, dedupe_key, category, grid_node_id, \
     department_id, details, case_count, raised_at, updated_at, handled_at, handled_by, note, \
     root_case_id";

fn decode(column: &str, expected: &'static str) -> StoreError {
    StoreError::Decode {
        column: column.into(),
        expected,
    }
}

fn warning_from_row(row: &Row<'_>) -> Result<Warning, StoreError> {
    Ok(Warning {
        id: row.get_i64("id")?,
        kind: WarningKind::parse(row.get_str("kind")?).map_err(|_| decode("kind", "a kind"))?,
        state: WarningState::parse(row.get_str("state")?)
            .map_err(|_| decode("state", "a warning state"))?,
        key: row.get_string("dedupe_key")?,
        category: row.get_opt_string("category")?,
        grid_node: row.get_opt_i64("grid_node_id")?,
        department: row.get_opt_i64("department_id")?,
        details: serde_json::from_str(row.get_str("details")?)
            .map_err(|_| decode("details", "JSON"))?,
        case_count: row.get_i64("case_count")?,
        raised_at: get_time(row, "raised_at")?,
        updated_at: get_time(row, "updated_at")?,
        handled_at: get_opt_time(row, "handled_at")?,
        handled_by: row.get_opt_string("handled_by")?,
        note: row.get_opt_string("note")?,
        root_case: row.get_opt_i64("root_case_id")?,
    })
}

/// A warning to raise, or the open one of its key to add cases to.
struct Raise {
    kind: WarningKind,
    key: String,
    category: Option<String>,
    grid_node: Option<i64>,
    department: Option<i64>,
    details: Value,
    cases: Vec<i64>,
}

/// What of a case the repeat rule reads.
struct Prior {
    id: i64,
    earlier: Earlier,
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The tenant's thresholds (the defaults until an admin sets them).
    pub fn warning_rules(&self) -> Result<WarningRules, Error> {
        let names: Vec<&str> = warning::RULE_BOUNDS.iter().map(|(n, _)| *n).collect();
        let rows = self.db.execute(
            &format!(
                "SELECT {} FROM warning_rules WHERE tenant_id = ?",
                names.join(", ")
            ),
            &[self.tenant.0.into()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(WarningRules::default());
        };
        Ok(WarningRules {
            recurring_count: row.get_i64("recurring_count")?,
            recurring_days: row.get_i64("recurring_days")?,
            repeat_metres: row.get_i64("repeat_metres")?,
            repeat_days: row.get_i64("repeat_days")?,
            repeat_low_rating: row.get_i64("repeat_low_rating")?,
            late_share_percent: row.get_i64("late_share_percent")?,
            late_min_closed: row.get_i64("late_min_closed")?,
            late_window_days: row.get_i64("late_window_days")?,
        })
    }

    /// Replaces the tenant's thresholds (each checked against its range).
    pub fn set_warning_rules(
        &self,
        rules: &WarningRules,
        now: DateTime<Utc>,
    ) -> Result<WarningRules, Error> {
        rules.check()?;
        let values = rules.values();
        let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
        let mut params: Vec<crate::Value> = vec![self.tenant.0.into()];
        params.extend(values.iter().map(|(_, v)| crate::Value::from(*v)));
        params.push(to_text(now).into());
        let updates: Vec<String> = names
            .iter()
            .map(|n| format!("{n} = excluded.{n}"))
            .collect();
        self.db.execute(
            &format!(
                "INSERT INTO warning_rules (tenant_id, {}, updated_at) VALUES (?, {}, ?) \
                 ON CONFLICT (tenant_id) DO UPDATE SET {}, updated_at = excluded.updated_at",
                names.join(", "),
                placeholders(names.len()),
                updates.join(", ")
            ),
            &params,
        )?;
        self.warning_rules()
    }

    /// A page of warnings, newest first.
    pub fn warnings(&self, query: &WarningQuery, limit: u32) -> Result<Vec<Warning>, Error> {
        let mut conditions = String::new();
        let mut params: Vec<crate::Value> = vec![self.tenant.0.into()];
        if let Some(state) = query.state {
            conditions.push_str(" AND state = ?");
            params.push(state.as_str().into());
        }
        if let Some(kind) = query.kind {
            conditions.push_str(" AND kind = ?");
            params.push(kind.as_str().into());
        }
        params.push(query.after.unwrap_or(i64::MAX).into());
        params.push(limit.clamp(1, super::MAX_PAGE).into());
        let rows = self.db.execute(
            &format!(
                "SELECT {WARNING_COLUMNS} FROM warnings WHERE tenant_id = ?{conditions} \
                 AND id < ? ORDER BY id DESC LIMIT ?"
            ),
            &params,
        )?;
        Ok(rows
            .iter()
            .map(|r| warning_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// How many warnings are open, by kind (every kind, zeros included).
    pub fn open_warning_counts(&self) -> Result<Vec<(WarningKind, i64)>, Error> {
        let rows = self.db.execute(
            "SELECT kind, COUNT(*) AS n FROM warnings WHERE tenant_id = ? AND state = 'open' \
             GROUP BY kind",
            &[self.tenant.0.into()],
        )?;
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for row in rows.iter() {
            counts.insert(
                WarningKind::parse(row.get_str("kind")?)?.as_str(),
                row.get_i64("n")?,
            );
        }
        Ok(WarningKind::ALL
            .iter()
            .map(|k| (*k, counts.get(k.as_str()).copied().unwrap_or(0)))
            .collect())
    }

    pub fn warning(&self, id: i64) -> Result<Option<Warning>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {WARNING_COLUMNS} FROM warnings WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| warning_from_row(&r)).transpose()?)
    }

    /// A warning's cases, oldest first.
    pub fn warning_cases(&self, id: i64) -> Result<Vec<Case>, Error> {
        self.cases_where(
            "id IN (SELECT case_id FROM warning_cases WHERE tenant_id = ? AND warning_id = ?) \
             ORDER BY id",
            &[self.tenant.0.into(), self.tenant.0.into(), id.into()],
        )
    }

    /// Reads the cases changed since the last sweep and raises or updates
    /// the warnings they call for; then judges the open cases of the
    /// departments behind for late risk.
    pub fn sweep_warnings(&self, now: DateTime<Utc>) -> Result<WarningSweep, Error> {
        let rules = self.warning_rules()?;
        let (since_at, since_id) = self.warning_cursor(now, &rules)?;
        let changed = self.cases_where(
            "(updated_at > ? OR (updated_at = ? AND id > ?)) ORDER BY updated_at, id LIMIT ?",
            &[
                self.tenant.0.into(),
                to_text(since_at).into(),
                to_text(since_at).into(),
                since_id.into(),
                BATCH.into(),
            ],
        )?;
        let mut sweep = WarningSweep {
            read: changed.len(),
            ..WarningSweep::default()
        };
        let mut raises = self.recurring(&changed, &rules, now)?;
        for case in changed.iter().filter(|c| c.created_at >= since_at) {
            raises.extend(self.repeat(case, &rules)?);
        }
        raises.extend(self.late_risks(&rules, now)?);
        for raise in raises {
            match self.raise(raise, now)? {
                Some(true) => sweep.raised += 1,
                Some(false) => sweep.updated += 1,
                None => {}
            }
        }
        // A full batch continues where it stopped; otherwise the next sweep
        // starts a little before now (see OVERLAP).
        let next = match changed.last() {
            Some(last) if changed.len() == BATCH as usize => (last.updated_at, last.id.0),
            _ => (now - OVERLAP, 0),
        };
        self.db.execute(
            "INSERT INTO warning_cursors (tenant_id, swept_at, swept_id) VALUES (?, ?, ?) \
             ON CONFLICT (tenant_id) DO UPDATE SET swept_at = excluded.swept_at, \
             swept_id = excluded.swept_id",
            &[self.tenant.0.into(), to_text(next.0).into(), next.1.into()],
        )?;
        Ok(sweep)
    }

    /// Where this sweep starts reading: the last one's end, or, on the
    /// first sweep, the longest window a rule looks back over.
    fn warning_cursor(
        &self,
        now: DateTime<Utc>,
        rules: &WarningRules,
    ) -> Result<(DateTime<Utc>, i64), Error> {
        let rows = self.db.execute(
            "SELECT swept_at, swept_id FROM warning_cursors WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        Ok(match rows.first() {
            Some(row) => (get_time(&row, "swept_at")?, row.get_i64("swept_id")?),
            None => (now - Duration::days(rules.recurring_days), 0),
        })
    }

    fn local_day(&self, at: DateTime<Utc>) -> Result<NaiveDate, Error> {
        Ok(at
            .with_timezone(&zone_offset(&self.time_zone)?)
            .date_naive())
    }

    /// Recurring problems among the micro-grids and categories of `changed`.
    fn recurring(
        &self,
        changed: &[Case],
        rules: &WarningRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<Raise>, Error> {
        let nodes: BTreeSet<i64> = changed
            .iter()
            .filter_map(|c| c.grid_node.map(|g| g.0))
            .collect();
        if nodes.is_empty() {
            return Ok(Vec::new());
        }
        let mut params: Vec<crate::Value> = vec![self.tenant.0.into()];
        params.extend(nodes.iter().map(|n| crate::Value::from(*n)));
        params.push((GridLevel::MicroGrid as i64).into());
        let rows = self.db.execute(
            &format!(
                "SELECT id FROM grid_nodes WHERE tenant_id = ? AND id IN ({}) AND level = ?",
                placeholders(nodes.len())
            ),
            &params,
        )?;
        let micro: BTreeSet<i64> = rows
            .iter()
            .map(|r| r.get_i64("id"))
            .collect::<Result<_, _>>()?;
        let pairs: BTreeSet<(i64, &str)> = changed
            .iter()
            .filter_map(|c| {
                let node = c.grid_node?.0;
                micro.contains(&node).then_some((node, c.category.as_str()))
            })
            .collect();
        let window = now - Duration::days(rules.recurring_days);
        let first_day = self.local_day(now)? - Duration::days(rules.recurring_days - 1);
        let mut raises = Vec::new();
        for (node, category) in pairs {
            // The kept figures first: one row per day at most.
            let rows = self.db.execute(
                "SELECT COALESCE(SUM(received), 0) AS n FROM case_stats WHERE tenant_id = ? \
                 AND grid_node_id = ? AND category = ? AND day >= ?",
                &[
                    self.tenant.0.into(),
                    node.into(),
                    category.into(),
                    first_day.to_string().into(),
                ],
            )?;
            let counted = rows
                .first()
                .map(|r| r.get_i64("n"))
                .transpose()?
                .unwrap_or(0);
            if !warning::is_recurring(counted, rules) {
                continue;
            }
            let key = warning::recurring_key(node, category);
            // Cases a handled warning of the key already carried are not
            // counted again: the window starts when it was handled.
            let handled = self.db.execute(
                "SELECT MAX(handled_at) AS at FROM warnings WHERE tenant_id = ? \
                 AND dedupe_key = ? AND state <> 'open'",
                &[self.tenant.0.into(), key.clone().into()],
            )?;
            let handled_at = handled
                .first()
                .map(|r| get_opt_time(&r, "at"))
                .transpose()?
                .flatten();
            let from = handled_at.map_or(window, |h| h.max(window));
            let rows = self.db.execute(
                "SELECT id FROM cases WHERE tenant_id = ? AND category = ? AND grid_node_id = ? \
                 AND created_at > ? ORDER BY id",
                &[
                    self.tenant.0.into(),
                    category.into(),
                    node.into(),
                    to_text(from).into(),
                ],
            )?;
            let cases: Vec<i64> = rows
                .iter()
                .map(|r| r.get_i64("id"))
                .collect::<Result<_, _>>()?;
            if !warning::is_recurring(cases.len() as i64, rules) {
                continue;
            }
            raises.push(Raise {
                kind: WarningKind::Recurring,
                key,
                category: Some(category.to_string()),
                grid_node: Some(node),
                department: None,
                details: json!({
                    "count": cases.len(),
                    "days": rules.recurring_days,
                }),
                cases,
            });
        }
        Ok(raises)
    }

    /// A new report (or dispute) that brings an unsettled matter again:
    /// the warning to raise, or the open one to add it to.
    fn repeat(&self, case: &Case, rules: &WarningRules) -> Result<Option<Raise>, Error> {
        let judged = self.db.execute(
            "SELECT 1 AS found FROM warning_cases c JOIN warnings w \
             ON w.tenant_id = c.tenant_id AND w.id = c.warning_id \
             WHERE c.tenant_id = ? AND c.case_id = ? AND w.kind = 'repeat' LIMIT 1",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        if !judged.is_empty() {
            return Ok(None);
        }
        let (bases, mut matched) = if case.source == CaseSource::Mediation {
            (vec![RepeatBasis::Parties], self.earlier_disputes(case)?)
        } else {
            let from = case.created_at - Duration::days(rules.repeat_days);
            let mut bases = Vec::new();
            let mut matched = Vec::new();
            for prior in self.priors(case, from)? {
                if let Some(b) = warning::repeats(&prior.earlier, case.location, rules) {
                    bases.push(b);
                    matched.push(prior.id);
                }
            }
            if bases.is_empty() {
                return Ok(None);
            }
            (bases, matched)
        };
        if matched.is_empty() {
            return Ok(None);
        }
        // An open repeat warning that carries one of them takes this case.
        let mut params: Vec<crate::Value> = vec![self.tenant.0.into()];
        params.extend(matched.iter().map(|id| crate::Value::from(*id)));
        let rows = self.db.execute(
            &format!(
                "SELECT w.dedupe_key FROM warning_cases c JOIN warnings w \
                 ON w.tenant_id = c.tenant_id AND w.id = c.warning_id \
                 WHERE c.tenant_id = ? AND c.case_id IN ({}) AND w.kind = 'repeat' \
                 AND w.state = 'open' ORDER BY w.id LIMIT 1",
                placeholders(matched.len())
            ),
            &params,
        )?;
        let first = matched.iter().copied().min().unwrap_or(case.id.0);
        let key = match rows.first() {
            Some(row) => row.get_string("dedupe_key")?,
            None => warning::repeat_key(first),
        };
        matched.push(case.id.0);
        Ok(Some(Raise {
            kind: WarningKind::Repeat,
            key,
            category: Some(case.category.clone()),
            grid_node: case.grid_node.map(|g| g.0),
            department: None,
            // Merged with the open warning's by `raise`.
            details: warning::repeat_details(None, &bases),
            cases: matched,
        }))
    }

    /// The earlier cases of `case`'s category by the same phone, and at the
    /// same micro-grid, since `from`.
    fn priors(&self, case: &Case, from: DateTime<Utc>) -> Result<Vec<Prior>, Error> {
        const COLUMNS: &str =
            "id, state, rating, grid_node_id, latitude, longitude, reporter_phone";
        let mut rows = Vec::new();
        if let Some(phone) = &case.contact.phone {
            rows.push(self.db.execute(
                &format!(
                    "SELECT {COLUMNS} FROM cases WHERE tenant_id = ? AND reporter_phone = ? \
                     AND category = ? AND created_at >= ? AND id < ? ORDER BY id DESC LIMIT 50"
                ),
                &[
                    self.tenant.0.into(),
                    phone.clone().into(),
                    case.category.clone().into(),
                    to_text(from).into(),
                    case.id.0.into(),
                ],
            )?);
        }
        let mut micro = None;
        if let (Some(node), Some(_)) = (case.grid_node, case.location) {
            let level = self.db.execute(
                "SELECT level FROM grid_nodes WHERE tenant_id = ? AND id = ?",
                &[self.tenant.0.into(), node.0.into()],
            )?;
            if level.first().map(|r| r.get_i64("level")).transpose()?
                == Some(GridLevel::MicroGrid as i64)
            {
                micro = Some(node.0);
                rows.push(self.db.execute(
                    &format!(
                        "SELECT {COLUMNS} FROM cases WHERE tenant_id = ? AND category = ? \
                         AND grid_node_id = ? AND created_at >= ? AND id < ? \
                         ORDER BY id DESC LIMIT 200"
                    ),
                    &[
                        self.tenant.0.into(),
                        case.category.clone().into(),
                        node.0.into(),
                        to_text(from).into(),
                        case.id.0.into(),
                    ],
                )?);
            }
        }
        let mut seen = BTreeSet::new();
        let mut priors = Vec::new();
        for row in rows.iter().flat_map(|r| r.iter()) {
            let id = row.get_i64("id")?;
            if !seen.insert(id) {
                continue;
            }
            let state = CaseState::parse(row.get_str("state")?)?;
            let location = match (row.get_opt_f64("latitude")?, row.get_opt_f64("longitude")?) {
                (Some(lat), Some(lon)) => domain::Location::new(lat, lon).ok(),
                _ => None,
            };
            priors.push(Prior {
                id,
                earlier: Earlier {
                    open: state.is_open(),
                    closed_rating: matches!(state, CaseState::Closed | CaseState::Archived)
                        .then_some(row.get_opt_i64("rating")?)
                        .flatten(),
                    same_phone: case.contact.phone.is_some()
                        && row.get_opt_str("reporter_phone")? == case.contact.phone.as_deref(),
                    same_micro_grid: micro.is_some() && row.get_opt_i64("grid_node_id")? == micro,
                    location,
                },
            });
        }
        Ok(priors)
    }

    /// The earlier disputes any party of dispute `case` took part in: by
    /// phone, and organisations by name (people's names are too common).
    fn earlier_disputes(&self, case: &Case) -> Result<Vec<i64>, Error> {
        let parties = self.db.execute(
            "SELECT kind, name, phone FROM mediation_parties WHERE tenant_id = ? AND case_id = ?",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        let mut earlier = BTreeSet::new();
        for party in parties.iter() {
            let mut found = Vec::new();
            if let Some(phone) = party.get_opt_string("phone")? {
                found.push(self.db.execute(
                    "SELECT DISTINCT case_id FROM mediation_parties WHERE tenant_id = ? \
                     AND phone = ? AND case_id < ? LIMIT 50",
                    &[self.tenant.0.into(), phone.into(), case.id.0.into()],
                )?);
            }
            if party.get_str("kind")? == "organisation" {
                found.push(self.db.execute(
                    "SELECT DISTINCT case_id FROM mediation_parties WHERE tenant_id = ? \
                     AND kind = 'organisation' AND name = ? AND case_id < ? LIMIT 50",
                    &[
                        self.tenant.0.into(),
                        party.get_string("name")?.into(),
                        case.id.0.into(),
                    ],
                )?);
            }
            for row in found.iter().flat_map(|r| r.iter()) {
                earlier.insert(row.get_i64("case_id")?);
            }
        }
        Ok(earlier.into_iter().collect())
    }

    /// Open cases not yet at the 80% mark whose department is behind on
    /// their category, by the kept figures of the rule's window.
    fn late_risks(&self, rules: &WarningRules, now: DateTime<Utc>) -> Result<Vec<Raise>, Error> {
        let columns = column_names();
        let first_day = self.local_day(now)? - Duration::days(rules.late_window_days);
        let sums: Vec<String> = columns.iter().map(|c| format!("SUM({c}) AS {c}")).collect();
        let rows = self.db.execute(
            &format!(
                "SELECT category, department_id, {} FROM case_stats WHERE tenant_id = ? \
                 AND grid_node_id = 0 AND department_id <> 0 AND day >= ? \
                 GROUP BY category, department_id",
                sums.join(", ")
            ),
            &[self.tenant.0.into(), first_day.to_string().into()],
        )?;
        let mut records: BTreeMap<(i64, String), (Figures, LateBound)> = BTreeMap::new();
        for row in rows.iter() {
            let mut counters = Counters::default();
            for (slot, column) in counters.0.iter_mut().zip(&columns) {
                *slot = row.get_opt_i64(column)?.unwrap_or(0);
            }
            let figures = Figures::from(&counters);
            // A record that no case's deadline could make behind is left out.
            if let Some(bound) = warning::late_bound(&figures, rules) {
                records.insert(
                    (row.get_i64("department_id")?, row.get_string("category")?),
                    (figures, bound),
                );
            }
        }
        if records.is_empty() {
            return Ok(Vec::new());
        }
        // Only the cases at risk, by each record's bound (every case, or
        // those allowed fewer minutes than its median; whole minutes counted
        // as `warning::allowed_minutes` counts them): each one read is
        // raised and read no more, so a case at risk never waits behind
        // cases that are not, however many those are.
        let open = open_states();
        let mut params: Vec<crate::Value> = vec![self.tenant.0.into()];
        for ((department, category), (_, bound)) in &records {
            params.push((*department).into());
            params.push(category.clone().into());
            params.push(match bound {
                LateBound::Every => crate::Value::Null,
                LateBound::AllowedUnder(minutes) => (*minutes).into(),
            });
        }
        params.push(self.tenant.0.into());
        params.extend(open.iter().map(|s| crate::Value::from(*s)));
        params.push(LATE_CANDIDATES.into());
        let candidates = self.cases_where(
            &format!(
                "id IN (SELECT c.id FROM (VALUES {}) r JOIN cases c \
                 ON c.tenant_id = ? AND c.department_id = r.column1 AND c.category = r.column2 \
                 WHERE c.state IN ({}) AND c.escalation_level = 0 \
                 AND c.resolution_due_at IS NOT NULL AND (r.column3 IS NULL \
                 OR (CAST(strftime('%s', c.resolution_due_at) AS INTEGER) \
                 - CAST(strftime('%s', c.created_at) AS INTEGER)) / 60 < r.column3) \
                 AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.tenant_id = c.tenant_id \
                 AND w.dedupe_key = 'late:' || c.id)) ORDER BY id LIMIT ?",
                vec!["(?, ?, ?)"; records.len()].join(", "),
                placeholders(open.len()),
            ),
            &params,
        )?;
        let mut raises = Vec::new();
        for case in candidates {
            let (Some(department), Some(due)) = (case.department, case.resolution_due_at) else {
                continue;
            };
            let Some((record, _)) = records.get(&(department, case.category.clone())) else {
                continue;
            };
            let allowed = warning::allowed_minutes(case.created_at, due);
            let escalation = Escalation::from_level(case.escalation_level);
            if let Some(behind) = warning::late_risk(escalation, record, allowed, rules) {
                raises.push(Raise {
                    kind: WarningKind::LateRisk,
                    key: warning::late_key(case.id.0),
                    category: Some(case.category.clone()),
                    grid_node: case.grid_node.map(|g| g.0),
                    department: Some(department),
                    details: json!({
                        "closed": behind.closed,
                        "late_share": behind.late_share,
                        "median_hours": behind.median_hours,
                        "allowed_hours": (allowed as f64 / 6.0).round() / 10.0,
                    }),
                    cases: vec![case.id.0],
                });
            }
        }
        Ok(raises)
    }

    /// Raises `raise` (`Some(true)`), or adds its cases to the open warning
    /// of its key (`Some(false)`; `None` when it had them all), with the
    /// webhook deliveries of a new one, in one transaction.
    fn raise(&self, raise: Raise, now: DateTime<Utc>) -> Result<Option<bool>, Error> {
        in_transaction(self.db, |db| {
            let open = db.execute(
                "SELECT id, details FROM warnings WHERE tenant_id = ? AND dedupe_key = ? \
                 AND state = 'open'",
                &[self.tenant.0.into(), raise.key.clone().into()],
            )?;
            let existing = open.first().map(|r| r.get_i64("id")).transpose()?;
            // A repeat keeps the basis it was raised with and adds the new
            // cases' (`warning::repeat_details`); the others' facts are new.
            let details = match (open.first(), raise.kind) {
                (Some(row), WarningKind::Repeat) => {
                    let kept: Value = serde_json::from_str(row.get_str("details")?)
                        .map_err(|_| decode("details", "JSON"))?;
                    let joined: Vec<RepeatBasis> = raise.details["bases"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|b| b.as_str().and_then(RepeatBasis::parse))
                        .collect();
                    warning::repeat_details(Some(&kept), &joined)
                }
                _ => raise.details.clone(),
            };
            let id = match existing {
                Some(id) => id,
                None => {
                    let rows = db.execute(
                        "INSERT INTO warnings (tenant_id, kind, dedupe_key, category, grid_node_id, \
                         department_id, details, raised_at, updated_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &[
                            self.tenant.0.into(),
                            raise.kind.as_str().into(),
                            raise.key.clone().into(),
                            raise.category.clone().into(),
                            raise.grid_node.into(),
                            raise.department.into(),
                            raise.details.to_string().into(),
                            to_text(now).into(),
                            to_text(now).into(),
                        ],
                    )?;
                    rows.returned()?.get_i64("id")?
                }
            };
            let mut params: Vec<crate::Value> = Vec::new();
            for case in &raise.cases {
                params.extend([
                    self.tenant.0.into(),
                    id.into(),
                    (*case).into(),
                    to_text(now).into(),
                ]);
            }
            let added = db.execute(
                &format!(
                    "INSERT OR IGNORE INTO warning_cases (tenant_id, warning_id, case_id, added_at) \
                     VALUES {} RETURNING case_id",
                    vec!["(?, ?, ?, ?)"; raise.cases.len()].join(", ")
                ),
                &params,
            )?;
            if existing.is_some() && added.is_empty() {
                return Ok(None);
            }
            let rows = db.execute(
                &format!(
                    "UPDATE warnings SET case_count = (SELECT COUNT(*) FROM warning_cases \
                     WHERE tenant_id = ? AND warning_id = ?), details = ?, updated_at = ? \
                     WHERE tenant_id = ? AND id = ? RETURNING {WARNING_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    id.into(),
                    details.to_string().into(),
                    to_text(now).into(),
                    self.tenant.0.into(),
                    id.into(),
                ],
            )?;
            let raised = warning_from_row(&rows.returned()?)?;
            if existing.is_some() {
                return Ok(Some(false));
            }
            let cases: Vec<i64> = self.warning_cases(id)?.iter().map(|c| c.id.0).collect();
            let notice = RaisedNotice {
                tenant: self.code.as_str(),
                warning_id: id,
                kind: raised.kind,
                key: &raised.key,
                cases: &cases,
                details: &json!({
                    "category": raised.category,
                    "grid_node_id": raised.grid_node,
                    "department_id": raised.department,
                    "facts": raised.details,
                }),
                at: now,
            };
            db.execute(
                "INSERT INTO webhook_deliveries \
                 (tenant_id, webhook_id, warning_id, payload, next_attempt_at, created_at) \
                 SELECT tenant_id, id, ?, ?, ?, ? FROM webhooks \
                 WHERE tenant_id = ? AND retired_at IS NULL ORDER BY id",
                &[
                    id.into(),
                    notice.cloud_event().to_string().into(),
                    to_text(now).into(),
                    to_text(now).into(),
                    self.tenant.0.into(),
                ],
            )?;
            Ok(Some(true))
        })
    }

    /// Moves an open warning to the state `action` leads to, noting who and
    /// why. Call inside the transaction of what else the action does.
    fn settle(
        &self,
        id: i64,
        action: WarningAction,
        actor: &str,
        note: &str,
        root_case: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Warning, Error> {
        warning::NOTE.check(note)?;
        let current = self
            .warning(id)?
            .ok_or_else(|| Error::NotFound("no such warning".into()))?;
        let state = action.apply(current.state)?;
        let rows = self.db.execute(
            &format!(
                "UPDATE warnings SET state = ?, handled_at = ?, handled_by = ?, note = ?, \
                 root_case_id = ?, updated_at = ? WHERE tenant_id = ? AND id = ? \
                 AND state = 'open' RETURNING {WARNING_COLUMNS}"
            ),
            &[
                state.as_str().into(),
                to_text(now).into(),
                actor.into(),
                note.trim().into(),
                root_case.into(),
                to_text(now).into(),
                self.tenant.0.into(),
                id.into(),
            ],
        )?;
        match rows.first() {
            Some(row) => Ok(warning_from_row(&row)?),
            // Someone handled it between the read and the write.
            None => Err(domain::Problem::coded(
                domain::ProblemCode::WarningNotOpen,
                "this warning was handled a moment ago: reload it",
            )
            .into()),
        }
    }

    /// The command centre has seen the warning and notes why nothing more
    /// is done.
    pub fn acknowledge_warning(
        &self,
        id: i64,
        actor: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Warning, Error> {
        in_transaction(self.db, |_| {
            self.settle(id, WarningAction::Acknowledge, actor, note, None, now)
        })
    }

    /// 督办: each open case of the warning gets the case flow's
    /// supervision step (`escalate`, level `supervised`, by the person,
    /// with the reason; internal), in the transaction that settles the
    /// warning. Returns the warning and how many cases were supervised; a
    /// warning without open cases has nothing to supervise (409).
    pub fn supervise_warning(
        &self,
        id: i64,
        actor: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(Warning, usize), Error> {
        in_transaction(self.db, |_| {
            let open: Vec<Case> = self
                .warning_cases(id)?
                .into_iter()
                .filter(|c| c.state.is_open())
                .collect();
            if open.is_empty() {
                return Err(domain::Problem::conflict(
                    "none of this warning's cases is open: acknowledge it or open a case instead",
                )
                .into());
            }
            let settled = self.settle(id, WarningAction::Supervise, actor, note, None, now)?;
            let details = json!({ "level": "supervised", "warning": id });
            for case in &open {
                self.append_event(
                    case,
                    NewEvent {
                        at: now,
                        actor,
                        action: "escalate",
                        from: Some(case.state),
                        to: case.state,
                        note: Some(note.trim()),
                        details: Some(&details),
                        public: false,
                    },
                )?;
            }
            Ok((settled, open.len()))
        })
    }

    /// Turns the warning into a case: a new case in triage for the root
    /// cause (the warning's category and place, `description` the centre's
    /// words, reported by `reporter` from inside: source `grid_worker`),
    /// linked to the warning, in one transaction.
    pub fn open_case_for_warning(
        &self,
        id: i64,
        actor: &str,
        reporter: UserId,
        tracking_code: TrackingCode,
        description: &str,
        now: DateTime<Utc>,
    ) -> Result<(Warning, Case), Error> {
        warning::NOTE.check(description)?;
        let current = self
            .warning(id)?
            .ok_or_else(|| Error::NotFound("no such warning".into()))?;
        WarningAction::OpenCase.apply(current.state)?;
        let category = match &current.category {
            Some(c) => c.clone(),
            None => self
                .warning_cases(id)?
                .first()
                .map(|c| c.category.clone())
                .ok_or_else(|| Error::NotFound("the warning has no case".into()))?,
        };
        let mut new = NewCase::basic(
            tracking_code,
            category,
            description.trim(),
            CaseSource::GridWorker,
        );
        new.grid_node = current.grid_node.map(domain::GridNodeId);
        new.reporter = Some(reporter);
        let prepared = self.prepare_case(new, Routing::Triage, now)?;
        in_transaction(self.db, |_| {
            let case = self.record_case(&prepared, now)?;
            let settled = self.settle(
                id,
                WarningAction::OpenCase,
                actor,
                description,
                Some(case.id.0),
                now,
            )?;
            Ok((settled, case))
        })
    }
}
