//! The workflow's storage: routing rules, the effects of each action on a
//! case's department and clock, automatic dispatch at intake, and the sweep
//! that escalates late cases. (The work queues are in `queues`.)

use super::TenantScope;
use super::cases::{Case, NewEvent};
use super::intake::Purpose;
use crate::db::{Database, Row, StoreError, in_transaction, placeholders};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::deadline::WorkCalendar;
use domain::effect::{self, CategoryHours, Change, Effect, StepFacts};
use domain::intake::Uploader;
use domain::workflow::Escalation;
use domain::{ActionKind, CaseAction, CaseId, CaseState, Code, GridNodeId, Problem};

/// Who acts when the platform itself dispatches or escalates.
pub const SYSTEM_ACTOR: &str = "system:routing";

/// Category (and optionally a grid subtree) to a department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRule {
    pub category: String,
    pub grid_node: Option<GridNodeId>,
    pub department: i64,
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Running clocks evaluated.
    pub checked: usize,
    /// Cases raised a step on the escalation ladder.
    pub escalated: usize,
    /// Uploads deleted for being on nothing past their retention.
    pub purged_uploads: usize,
}

fn rule_from_row(row: &Row<'_>) -> Result<RoutingRule, StoreError> {
    Ok(RoutingRule {
        category: row.get_string("category")?,
        grid_node: row.get_opt_i64("grid_node_id")?.map(GridNodeId),
        department: row.get_i64("department_id")?,
    })
}

pub(crate) fn open_states() -> Vec<&'static str> {
    CaseState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}

impl Case {
    /// The case's holder and clock, as a step of the flow reads them.
    pub(crate) fn clock(&self) -> domain::effect::CaseClock {
        domain::effect::CaseClock {
            state: self.state,
            category: self.category.clone(),
            priority: self.priority,
            department: self.department,
            dispatched_at: self.dispatched_at,
            responded_at: self.responded_at,
            response_due_at: self.response_due_at,
            resolution_due_at: self.resolution_due_at,
            paused_at: self.paused_at,
        }
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The rules in the order they are tried.
    pub fn routing_rules(&self) -> Result<Vec<RoutingRule>, Error> {
        let rows = self.db.execute(
            "SELECT category, grid_node_id, department_id FROM routing_rules \
             WHERE tenant_id = ? ORDER BY position",
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| rule_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Replaces the rules with `rules`, in this order.
    pub fn set_routing_rules(&self, rules: &[RoutingRule]) -> Result<(), Error> {
        for (i, rule) in rules.iter().enumerate() {
            let at = |field: &str| format!("rules[{i}].{field}");
            let code = Code::parse(&rule.category).map_err(|p| p.with_field(at("category")))?;
            if self.category_by_code(&code)?.is_none() {
                return Err(Problem::unknown(at("category"), "no such category").into());
            }
            match self.department(rule.department)? {
                Some(d) if !d.retired => {}
                _ => {
                    return Err(Problem::unknown(at("department_id"), "no such department").into());
                }
            }
            if let Some(node) = rule.grid_node
                && !self.exists("grid_nodes", node.0)?
            {
                return Err(Problem::unknown(at("grid_node_id"), "no such grid node").into());
            }
        }
        in_transaction(self.db, |db| -> Result<(), Error> {
            db.execute(
                "DELETE FROM routing_rules WHERE tenant_id = ?",
                &[self.tenant.0.into()],
            )?;
            for (position, rule) in rules.iter().enumerate() {
                db.execute(
                    "INSERT INTO routing_rules (tenant_id, position, category, grid_node_id, \
                     department_id) VALUES (?, ?, ?, ?, ?)",
                    &[
                        self.tenant.0.into(),
                        (position as i64).into(),
                        rule.category.clone().into(),
                        rule.grid_node.map(|g| g.0).into(),
                        rule.department.into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// The node and every node above it.
    pub(crate) fn grid_ancestors(&self, node: GridNodeId) -> Result<Vec<i64>, Error> {
        let rows = self.db.execute(
            "WITH RECURSIVE up(id, parent_id) AS ( \
                 SELECT id, parent_id FROM grid_nodes WHERE tenant_id = ? AND id = ? \
                 UNION ALL \
                 SELECT g.id, g.parent_id FROM grid_nodes g JOIN up ON g.id = up.parent_id \
                 WHERE g.tenant_id = ? \
             ) SELECT id FROM up",
            &[self.tenant.0.into(), node.0.into(), self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| r.get_i64("id"))
            .collect::<Result<_, _>>()?)
    }

    /// Applies an action through the state machine and then its effects on
    /// the case's department and clock, in one transaction:
    /// dispatch sets the department and, the first time, the deadlines (a
    /// return and a re-dispatch do not restart the clock); sign-for and
    /// resolve stamp their time; waiting for the reporter pauses the clock
    /// and the reply moves the deadlines by the paused working time.
    pub fn act(
        &self,
        case_id: CaseId,
        expected_version: i64,
        action: &CaseAction,
        actor: &str,
        now: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<Case, Error> {
        in_transaction(self.db, |_| {
            let department = match action {
                CaseAction::Dispatch { department, .. }
                | CaseAction::Transfer { department, .. } => Some(
                    self.department_by_code(department)
                        .map_err(|e| e.with_field("department"))?,
                ),
                _ => None,
            };
            let before = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            // What the step lacks is said before what stands in its way.
            action.check_evidence(before.source)?;
            let timeline = if matches!(action.kind(), ActionKind::Return | ActionKind::UndoTriage) {
                self.case_events(case_id)?
            } else {
                Vec::new()
            };
            let returns_so_far = timeline
                .iter()
                .filter(|e| e.action == ActionKind::Return.name())
                .count();
            let dispatched_by_triage = domain::triage::dispatched_by_triage(
                timeline
                    .iter()
                    .map(|e| (e.action.as_str(), e.actor.as_str())),
            );
            let facts = StepFacts {
                now,
                calendar,
                department,
                hours: self.hours_for(action, &before)?,
                returns_so_far,
                dispatched_by_triage,
            };
            effect::check(action, &before.clock(), &facts)?;
            if matches!(action, CaseAction::Resolve { .. }) {
                self.require_assists_done(case_id)?;
            }
            let (before, case) = self.transition(case_id, expected_version, action, actor, now)?;
            let changes = effect::effect(action, &case.clock(), &facts)?;
            self.apply_effect(case_id, &changes)?;
            match action {
                CaseAction::Dispatch { assisting, .. } => {
                    self.assign_assists(case_id, assisting, now)?
                }
                CaseAction::Resolve { attachment_ids, .. } => {
                    let by = Uploader::Account(actor.to_string());
                    self.attach(case_id, attachment_ids, Purpose::Result, &by)?
                }
                _ => {}
            }
            let after = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            self.restat(Some(&before), Some(&after))?;
            // Staff decided where the case belongs: the triage model learns
            // it (a routing rule's dispatch is not a decision to learn from).
            let decides = matches!(
                action,
                CaseAction::Dispatch { .. }
                    | CaseAction::Transfer { .. }
                    | CaseAction::Recategorise { .. }
            );
            if decides && actor != SYSTEM_ACTOR {
                self.triage_decided(&after)?;
            }
            // The department signing for the triage's dispatch confirms it:
            // the models learn the case then (one statement for any other
            // sign-for).
            if action.kind() == ActionKind::SignFor && self.triage_confirmed(&after)? {
                self.triage_decided(&after)?;
            }
            // The triage's dispatch undone: the models forget what they
            // learned of the case (the wrong department no longer speaks for
            // its words; nothing when no one had confirmed it), and the
            // dashboard counts it.
            if action.kind() == ActionKind::UndoTriage {
                self.triage_confirmed(&after)?;
                self.triage_forget(&after)?;
                self.count_triage(0, 1)?;
            }
            Ok(after)
        })
    }

    /// The hours of the category `action` leaves the case in, when the step
    /// needs them (`effect::needs_category_hours`).
    fn hours_for(&self, action: &CaseAction, case: &Case) -> Result<Option<CategoryHours>, Error> {
        if !effect::needs_category_hours(action) {
            return Ok(None);
        }
        let code = match action {
            CaseAction::Recategorise { category, .. } => category,
            _ => &case.category,
        };
        let Ok(code) = Code::parse(code) else {
            return Ok(None);
        };
        Ok(self.category_by_code(&code)?.map(|c| CategoryHours {
            response: c.response_hours,
            resolution: c.resolution_hours,
        }))
    }

    /// Writes a step's effect on the case's row, in one statement.
    fn apply_effect(&self, case_id: CaseId, effect: &Effect) -> Result<(), Error> {
        let mut assignments: Vec<&str> = Vec::new();
        let mut params: Vec<crate::Value> = Vec::new();
        let mut set = |column: &'static str, value: crate::Value| {
            assignments.push(column);
            params.push(value);
        };
        let time = |t: DateTime<Utc>| crate::Value::from(to_text(t));
        let change = |c: &Change<DateTime<Utc>>| match c {
            Change::Keep => None,
            Change::Set(t) => Some(time(*t)),
            Change::Clear => Some(crate::Value::Null),
        };
        match effect.department {
            Change::Keep => {}
            Change::Set(id) => set("department_id = ?", id.into()),
            Change::Clear => set("department_id = ?", crate::Value::Null),
        }
        if let Some(category) = &effect.category {
            set("category = ?", category.clone().into());
        }
        if let Some(at) = effect.dispatched_at {
            set("dispatched_at = ?", time(at));
        }
        if let Some(at) = effect.responded_at {
            set("responded_at = ?", time(at));
        }
        if let Some(value) = change(&effect.resolved_at) {
            set("resolved_at = ?", value);
        }
        if let Some(value) = change(&effect.paused_at) {
            set("paused_at = ?", value);
        }
        if let Some(deadlines) = effect.deadlines {
            set("response_due_at = ?", time(deadlines.response_due));
            set("resolution_due_at = ?", time(deadlines.resolution_due));
        }
        if effect.restart_escalation {
            set("escalation_level = ?", 0i64.into());
        }
        if assignments.is_empty() {
            return Ok(());
        }
        params.push(self.tenant.0.into());
        params.push(case_id.0.into());
        self.db.execute(
            &format!(
                "UPDATE cases SET {} WHERE tenant_id = ? AND id = ?",
                assignments.join(", ")
            ),
            &params,
        )?;
        Ok(())
    }

    /// The id of the department with this code, if it takes cases.
    pub fn department_by_code(&self, code: &str) -> Result<i64, Problem> {
        let code = Code::parse(code)?;
        self.list_departments()
            .map_err(Problem::from)?
            .into_iter()
            .find(|d| d.code == code && !d.retired)
            .map(|d| d.id)
            .ok_or_else(|| Problem::unknown("department", "no such department"))
    }

    /// On intake: when a rule names a department, the platform accepts,
    /// registers and dispatches the case at once; otherwise it waits in the
    /// command centre's triage queue. Returns the case as it now stands.
    /// The calendar is read only when a rule matches: most intake pays for
    /// one query, not three.
    pub fn auto_dispatch(&self, case: Case, now: DateTime<Utc>) -> Result<Case, Error> {
        if case.state != CaseState::Reported {
            return Ok(case);
        }
        let path = match case.grid_node {
            None => Vec::new(),
            Some(node) => self.grid_ancestors(node)?,
        };
        let Some(dispatch) = self.auto_dispatch_for(&case.category, &path, case.priority, now)?
        else {
            return Ok(case);
        };
        let calendar = self.work_calendar()?;
        let mut case = case;
        for action in dispatch.steps() {
            case = self.act(case.id, case.version, &action, SYSTEM_ACTOR, now, &calendar)?;
        }
        Ok(case)
    }

    /// Evaluates every open, running clock and raises each case that has
    /// climbed the escalation ladder, recording each step as an internal
    /// event; then deletes the abandoned uploads (see
    /// [`Self::purge_abandoned_uploads`]; their bytes are the caller's to
    /// delete, through [`Self::delete_unused_files`]). Meant for an
    /// external scheduler (cron, a Kubernetes CronJob, Spin's cron trigger);
    /// reads evaluate the clock too.
    pub fn sweep(&self, now: DateTime<Utc>, calendar: &WorkCalendar) -> Result<SweepReport, Error> {
        let open = open_states();
        let in_list = placeholders(open.len());
        let mut params: Vec<crate::Value> = vec![self.tenant.0.into()];
        params.extend(open.iter().map(|s| crate::Value::from(*s)));
        let running = self.cases_where(
            &format!(
                "state IN ({in_list}) AND resolution_due_at IS NOT NULL \
                 AND dispatched_at IS NOT NULL AND paused_at IS NULL AND escalation_level < 4"
            ),
            &params,
        )?;
        let mut report = SweepReport::default();
        for case in running {
            report.checked += 1;
            let (Some(start), Some(due)) = (case.dispatched_at, case.resolution_due_at) else {
                continue;
            };
            let allowed = calendar.working_minutes_between(start, due);
            let used = calendar.working_minutes_between(start, now);
            let reached = Escalation::for_time_used(used, allowed);
            if reached.level() <= case.escalation_level {
                continue;
            }
            in_transaction(self.db, |db| -> Result<(), Error> {
                db.execute(
                    "UPDATE cases SET escalation_level = ? WHERE tenant_id = ? AND id = ? \
                     AND escalation_level < ?",
                    &[
                        reached.level().into(),
                        self.tenant.0.into(),
                        case.id.0.into(),
                        reached.level().into(),
                    ],
                )?;
                self.append_event(
                    &case,
                    NewEvent {
                        at: now,
                        actor: SYSTEM_ACTOR,
                        action: "escalate",
                        from: Some(case.state),
                        to: case.state,
                        note: Some(reached.as_str()),
                        details: Some(&serde_json::json!({ "level": reached.as_str() })),
                        public: false,
                    },
                )?;
                Ok(())
            })?;
            report.escalated += 1;
        }
        report.purged_uploads = self.purge_abandoned_uploads(now)?;
        Ok(report)
    }

    /// The reporter rates a closed case (1 to 5). A low rating (1 or 2) with
    /// `reopen` sends the case back to work, once per case.
    pub fn rate(
        &self,
        case_id: CaseId,
        score: i64,
        comment: Option<&str>,
        reopen: bool,
        now: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<Case, Error> {
        if !(1..=5).contains(&score) {
            return Err(Problem::validation("score", "a rating is 1 to 5").into());
        }
        in_transaction(self.db, |db| {
            let case = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            if !matches!(case.state, CaseState::Closed | CaseState::Archived) {
                return Err(Problem::coded(
                    domain::ProblemCode::NotClosedYet,
                    "a case is rated once it is closed",
                )
                .into());
            }
            db.execute(
                "UPDATE cases SET rating = ?, rating_comment = ?, rated_at = ? \
                 WHERE tenant_id = ? AND id = ?",
                &[
                    score.into(),
                    comment.map(str::trim).into(),
                    to_text(now).into(),
                    self.tenant.0.into(),
                    case_id.0.into(),
                ],
            )?;
            let rated = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            self.restat(Some(&case), Some(&rated))?;
            if !reopen {
                return Ok(self.case_by_id(case_id)?.unwrap_or(case));
            }
            if score > 2 {
                return Err(Problem::validation(
                    "reopen",
                    "only a low rating (1 or 2) reopens a case",
                )
                .into());
            }
            if case.reopened_by_rating || case.state != CaseState::Closed {
                return Err(
                    Problem::conflict("this case was already reopened once by its rating").into(),
                );
            }
            let reason = comment
                .filter(|c| !c.trim().is_empty())
                .unwrap_or("the reporter is not satisfied");
            let reopened = self.act(
                case_id,
                case.version,
                &CaseAction::Reopen {
                    reason: reason.to_string(),
                },
                "reporter",
                now,
                calendar,
            )?;
            db.execute(
                "UPDATE cases SET reopened_by_rating = 1 WHERE tenant_id = ? AND id = ?",
                &[self.tenant.0.into(), case_id.0.into()],
            )?;
            Ok(self.case_by_id(case_id)?.unwrap_or(reopened))
        })
    }
}
