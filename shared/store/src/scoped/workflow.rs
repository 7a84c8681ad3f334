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
use domain::intake::Uploader;
use domain::workflow::{Deadlines, Escalation};
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
                return Err(Problem::validation(at("category"), "no such category").into());
            }
            match self.department(rule.department)? {
                Some(d) if !d.retired => {}
                _ => {
                    return Err(
                        Problem::validation(at("department_id"), "no such department").into(),
                    );
                }
            }
            if let Some(node) = rule.grid_node
                && !self.exists("grid_nodes", node.0)?
            {
                return Err(Problem::validation(at("grid_node_id"), "no such grid node").into());
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
        in_transaction(self.db, |db| {
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
            match action {
                CaseAction::Transfer { .. } if department == before.department => {
                    return Err(Problem::validation(
                        "department",
                        "the case is already with this department",
                    )
                    .into());
                }
                CaseAction::Recategorise { category, .. } => {
                    self.check_new_category(&before, category)?
                }
                CaseAction::Resolve { .. } => self.require_assists_done(case_id)?,
                _ => {}
            }
            if action.kind() == ActionKind::Return {
                let returns = self
                    .case_events(case_id)?
                    .iter()
                    .filter(|e| e.action == ActionKind::Return.name())
                    .count();
                if returns >= domain::workflow::MAX_RETURNS {
                    return Err(Problem::conflict(format!(
                        "this case was returned {returns} times: the command centre's dispatch is final"
                    ))
                    .into());
                }
            }
            let (before, case) = self.transition(case_id, expected_version, action, actor, now)?;
            let at = to_text(now);
            let set = |assignments: &str, params: Vec<crate::Value>| -> Result<(), Error> {
                let mut all = params;
                all.push(self.tenant.0.into());
                all.push(case_id.0.into());
                db.execute(
                    &format!("UPDATE cases SET {assignments} WHERE tenant_id = ? AND id = ?"),
                    &all,
                )?;
                Ok(())
            };
            match action {
                CaseAction::Dispatch { assisting, .. } => {
                    self.assign_assists(case_id, assisting, now)?;
                    let deadlines = match (case.response_due_at, case.resolution_due_at) {
                        (Some(r), Some(d)) => Deadlines {
                            response_due: r,
                            resolution_due: d,
                        },
                        _ => self.deadlines_for(&case, now, calendar)?,
                    };
                    set(
                        "department_id = ?, dispatched_at = COALESCE(dispatched_at, ?), \
                         response_due_at = ?, resolution_due_at = ?",
                        vec![
                            department.into(),
                            at.into(),
                            to_text(deadlines.response_due).into(),
                            to_text(deadlines.resolution_due).into(),
                        ],
                    )?;
                }
                CaseAction::Transfer { .. } => {
                    // The clock keeps running from the first dispatch: a
                    // transfer is not a fresh start for anyone.
                    set("department_id = ?", vec![department.into()])?
                }
                CaseAction::Recategorise { category, .. } => {
                    self.recategorise(&case, category, calendar)?
                }
                CaseAction::Resolve { attachment_ids, .. } => {
                    let by = Uploader::Account(actor.to_string());
                    self.attach(case_id, attachment_ids, Purpose::Result, &by)?;
                    set("resolved_at = ?", vec![at.into()])?
                }
                CaseAction::Return { .. } => set("department_id = NULL", vec![])?,
                CaseAction::GrantExtension => {
                    if let (Some(r), Some(d)) = (case.response_due_at, case.resolution_due_at) {
                        let code = Code::parse(&case.category)?;
                        let hours = self
                            .category_by_code(&code)?
                            .map_or(8, |c| c.resolution_hours);
                        let extended = Deadlines {
                            response_due: r,
                            resolution_due: d,
                        }
                        .extended(hours, case.priority, calendar);
                        // The ladder starts again against the new deadline;
                        // the escalations so far stay in the timeline.
                        set(
                            "resolution_due_at = ?, escalation_level = 0",
                            vec![to_text(extended.resolution_due).into()],
                        )?;
                    }
                }
                CaseAction::SignFor => {
                    set("responded_at = COALESCE(responded_at, ?)", vec![at.into()])?
                }
                CaseAction::Reopen { .. } => set("resolved_at = NULL", vec![])?,
                CaseAction::AwaitReporter => set("paused_at = ?", vec![at.into()])?,
                CaseAction::ReporterReplied => {
                    if let (Some(paused), Some(r), Some(d)) =
                        (case.paused_at, case.response_due_at, case.resolution_due_at)
                    {
                        let moved = Deadlines {
                            response_due: r,
                            resolution_due: d,
                        }
                        .after_pause(paused, now, calendar);
                        set(
                            "paused_at = NULL, response_due_at = ?, resolution_due_at = ?",
                            vec![
                                to_text(moved.response_due).into(),
                                to_text(moved.resolution_due).into(),
                            ],
                        )?;
                    } else {
                        set("paused_at = NULL", vec![])?;
                    }
                }
                _ => {}
            }
            let after = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            self.restat(Some(&before), Some(&after))?;
            Ok(after)
        })
    }

    /// The id of the department with this code, if it takes cases.
    pub fn department_by_code(&self, code: &str) -> Result<i64, Problem> {
        let code = Code::parse(code)?;
        self.list_departments()
            .map_err(Problem::from)?
            .into_iter()
            .find(|d| d.code == code && !d.retired)
            .map(|d| d.id)
            .ok_or_else(|| Problem::validation("department", "no such department"))
    }

    fn check_new_category(&self, case: &Case, category: &str) -> Result<(), Error> {
        let code = Code::parse(category).map_err(|p| p.with_field("category"))?;
        if self.category_by_code(&code)?.is_none() {
            return Err(Problem::validation("category", "no such category").into());
        }
        if case.category == category {
            return Err(
                Problem::validation("category", "the case already has this category").into(),
            );
        }
        Ok(())
    }

    /// Gives the case its new category. A case taken back from a department
    /// (the state machine sends it to `registered`) leaves that department;
    /// a clock already running keeps its start and is recounted with the new
    /// category's hours.
    fn recategorise(
        &self,
        case: &Case,
        category: &str,
        calendar: &WorkCalendar,
    ) -> Result<(), Error> {
        let mut moved = case.clone();
        moved.category = category.to_string();
        let deadlines = match case.dispatched_at {
            Some(start) => Some(self.deadlines_for(&moved, start, calendar)?),
            None => None,
        };
        let department = if case.state == CaseState::Registered {
            None
        } else {
            case.department
        };
        self.db.execute(
            "UPDATE cases SET category = ?, department_id = ?, \
             response_due_at = COALESCE(?, response_due_at), \
             resolution_due_at = COALESCE(?, resolution_due_at) \
             WHERE tenant_id = ? AND id = ?",
            &[
                category.into(),
                department.into(),
                deadlines.map(|d| to_text(d.response_due)).into(),
                deadlines.map(|d| to_text(d.resolution_due)).into(),
                self.tenant.0.into(),
                case.id.0.into(),
            ],
        )?;
        Ok(())
    }

    fn deadlines_for(
        &self,
        case: &Case,
        dispatched: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<Deadlines, Error> {
        let code = Code::parse(&case.category)?;
        let category = self
            .category_by_code(&code)?
            .ok_or_else(|| Problem::conflict("the case's category no longer exists"))?;
        Ok(Deadlines::at_dispatch(
            dispatched,
            category.response_hours,
            category.resolution_hours,
            case.priority,
            calendar,
        ))
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
                return Err(Problem::conflict("a case is rated once it is closed").into());
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
