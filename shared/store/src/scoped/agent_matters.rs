//! The agent service's matters: cases (`source = 'agent'`) with the
//! resident, the needs, task and time lists, and the levels the matter was
//! worked at in side tables.
//!
//! A matter is filed under its kind's category at the agent point's grid
//! node and dispatched by the tenant's routing rules like any case; it is
//! done when its case is closed. Each operation is one transaction: a
//! refusal writes nothing.

use super::TenantScope;
use super::cases::{Case, NewCase};
use super::organisation::AgentPoint;
use super::side_cases::require_open;
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::decoded;
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, NaiveDate, Utc};
use domain::agent::{
    MatterFact, MatterKind, check_consent, check_date_not_before_start, check_needs, check_pass_up,
};
use domain::case_kind::CaseKind;
use domain::intake::Priority;
use domain::limits;
use domain::{
    AgentPointLevel, CaseId, CaseSource, CaseState, GridNodeId, Problem, TrackingCode, UserId,
};

/// The resident an agent acts for: private to the agent service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub task: String,
    /// Who does it (a person or an office, as the agent writes it).
    pub owner: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPromise {
    pub promise: String,
    pub promised_on: NaiveDate,
}

/// What the agent takes down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMatter {
    pub kind: MatterKind,
    pub resident: Resident,
    /// The resident agreed to the agent acting for them.
    pub consent: bool,
    pub needs: Vec<String>,
    pub tasks: Vec<NewTask>,
    pub promises: Vec<NewPromise>,
    pub priority: Priority,
}

/// A case that is an agent matter.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentMatter {
    pub case: Case,
    pub kind: MatterKind,
    /// The agent point that took it, and the agent.
    pub agent_point: i64,
    pub taken_by: UserId,
    pub resident: Resident,
    pub consent_at: DateTime<Utc>,
    pub needs: Vec<String>,
    /// The level it is worked at now, and the agent point it was passed to.
    pub level: AgentPointLevel,
    pub level_point: Option<i64>,
    pub began_on: NaiveDate,
}

impl AgentMatter {
    /// Closed (or archived): the figures' "done".
    pub fn done(&self) -> bool {
        matches!(self.case.state, CaseState::Closed | CaseState::Archived)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    pub task: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promise {
    pub id: i64,
    pub promise: String,
    pub promised_on: NaiveDate,
}

/// One level of a matter's way up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelStep {
    pub level: AgentPointLevel,
    pub agent_point: Option<i64>,
    pub reason: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

const MATTER_COLUMNS: &str = "case_id, kind, agent_point_id, taken_by, resident_name, \
    resident_phone, resident_address, consent_at, needs, level, level_point_id, began_on";

/// What the case itself says of a matter: its kind, never the resident.
fn case_description(kind: MatterKind) -> String {
    format!("{}（代办点受理，群众信息仅代办员可见）", kind.name_zh())
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// An agent takes a resident's matter at their agent point: the case at
    /// the point's grid node, the matter with its lists, and the first level
    /// (the point's own), then the routing rules, in one transaction.
    pub fn take_matter(
        &self,
        point: &AgentPoint,
        taken_by: UserId,
        actor: &str,
        new: NewMatter,
        tracking_code: TrackingCode,
        now: DateTime<Utc>,
    ) -> Result<AgentMatter, Error> {
        check_consent(new.consent)?;
        limits::RESIDENT_NAME.check(&new.resident.name)?;
        check_needs(&new.needs)?;
        let began_on = self.local_date(now)?;
        for (i, task) in new.tasks.iter().enumerate() {
            check_task(task, began_on).map_err(|p| indexed(p, "tasks", i))?;
        }
        for (i, promise) in new.promises.iter().enumerate() {
            check_promise(promise, began_on).map_err(|p| indexed(p, "promises", i))?;
        }
        in_transaction(self.db, |db| {
            let category = self.category_for_kind(new.kind)?;
            let case = self.insert_case(
                NewCase {
                    reporter: Some(taken_by),
                    priority: new.priority,
                    grid_node: point.grid_node_id.map(GridNodeId),
                    ..NewCase::basic(
                        tracking_code,
                        category,
                        case_description(new.kind),
                        CaseSource::Agent,
                    )
                },
                now,
            )?;
            let needs: Vec<&str> = new
                .needs
                .iter()
                .map(|n| n.trim())
                .filter(|n| !n.is_empty())
                .collect();
            db.execute(
                "INSERT INTO agent_matters (case_id, tenant_id, kind, agent_point_id, taken_by, \
                 resident_name, resident_phone, resident_address, consent_at, needs, level, \
                 began_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    case.id.0.into(),
                    self.tenant.0.into(),
                    new.kind.as_str().into(),
                    point.id.into(),
                    taken_by.0.into(),
                    new.resident.name.trim().into(),
                    new.resident.phone.clone().into(),
                    new.resident.address.clone().into(),
                    to_text(now).into(),
                    serde_json::json!(needs).to_string().into(),
                    point.level.as_str().into(),
                    began_on.to_string().into(),
                ],
            )?;
            self.record_level(case.id, point.level, Some(point.id), None, actor, now)?;
            for task in &new.tasks {
                self.insert_task(case.id, task)?;
            }
            for promise in &new.promises {
                self.insert_promise(case.id, promise)?;
            }
            let id = case.id;
            self.auto_dispatch(case, now)?;
            self.agent_matter(id)?
                .ok_or_else(|| Error::NotFound("the matter just taken".into()))
        })
    }

    /// An agent point of this tenant by id.
    pub fn agent_point(&self, id: i64) -> Result<Option<AgentPoint>, Error> {
        Ok(self.list_agent_points()?.into_iter().find(|p| p.id == id))
    }

    pub fn agent_matter(&self, case: CaseId) -> Result<Option<AgentMatter>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {MATTER_COLUMNS} FROM agent_matters WHERE tenant_id = ? AND case_id = ?"
            ),
            &[self.tenant.0.into(), case.0.into()],
        )?;
        Ok(self
            .with_their_cases(&rows, "an agent matter", matter_from_row)?
            .pop())
    }

    /// Matters newest first, paged by case id; with `point`, only those
    /// taken at it or passed up to it.
    pub fn agent_matters(
        &self,
        point: Option<i64>,
        before: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<AgentMatter>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {MATTER_COLUMNS} FROM agent_matters WHERE tenant_id = ? \
                 AND (? IS NULL OR agent_point_id = ? OR level_point_id = ?) \
                 AND case_id < ? ORDER BY case_id DESC LIMIT ?"
            ),
            &[
                self.tenant.0.into(),
                point.into(),
                point.into(),
                point.into(),
                before.map_or(i64::MAX, |c| c.0).into(),
                limit.clamp(1, 200).into(),
            ],
        )?;
        self.with_their_cases(&rows, "an agent matter", matter_from_row)
    }

    pub fn matter_tasks(&self, case: CaseId) -> Result<Vec<Task>, Error> {
        let rows = self.db.execute(
            "SELECT id, task, owner, due_on, done_at, done_by FROM agent_matter_tasks \
             WHERE tenant_id = ? AND case_id = ? ORDER BY due_on, id",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(Task {
                    id: row.get_i64("id")?,
                    task: row.get_string("task")?,
                    owner: row.get_string("owner")?,
                    due_on: get_date(&row, "due_on")?,
                    done_at: get_opt_time(&row, "done_at")?,
                    done_by: row.get_opt_string("done_by")?,
                })
            })
            .collect()
    }

    pub fn matter_promises(&self, case: CaseId) -> Result<Vec<Promise>, Error> {
        let rows = self.db.execute(
            "SELECT id, promise, promised_on FROM agent_matter_promises \
             WHERE tenant_id = ? AND case_id = ? ORDER BY promised_on, id",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(Promise {
                    id: row.get_i64("id")?,
                    promise: row.get_string("promise")?,
                    promised_on: get_date(&row, "promised_on")?,
                })
            })
            .collect()
    }

    pub fn matter_levels(&self, case: CaseId) -> Result<Vec<LevelStep>, Error> {
        let rows = self.db.execute(
            "SELECT level, agent_point_id, reason, by_actor, at FROM agent_matter_levels \
             WHERE tenant_id = ? AND case_id = ? ORDER BY id",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(LevelStep {
                    level: decoded("level", AgentPointLevel::parse(row.get_str("level")?))?,
                    agent_point: row.get_opt_i64("agent_point_id")?,
                    reason: row.get_opt_string("reason")?,
                    by: row.get_string("by_actor")?,
                    at: get_time(&row, "at")?,
                })
            })
            .collect()
    }

    /// Adds a task to an open matter's task list; its date may not lie
    /// before the matter began (400).
    pub fn add_matter_task(&self, case: CaseId, task: &NewTask) -> Result<Task, Error> {
        in_transaction(self.db, |_| {
            let matter = self.open_matter(case)?;
            check_task(task, matter.began_on)?;
            let id = self.insert_task(case, task)?;
            self.matter_tasks(case)?
                .into_iter()
                .find(|t| t.id == id)
                .ok_or_else(|| Error::NotFound("the task just added".into()))
        })
    }

    /// Marks a task done (409 if it already is).
    pub fn complete_matter_task(
        &self,
        case: CaseId,
        task: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Task, Error> {
        in_transaction(self.db, |db| {
            self.open_matter(case)?;
            let current = self
                .matter_tasks(case)?
                .into_iter()
                .find(|t| t.id == task)
                .ok_or_else(|| Error::NotFound("no such task of this matter".into()))?;
            if current.done_at.is_some() {
                return Err(Problem::conflict("this task is already done").into());
            }
            db.execute(
                "UPDATE agent_matter_tasks SET done_at = ?, done_by = ? \
                 WHERE tenant_id = ? AND id = ?",
                &[
                    to_text(now).into(),
                    actor.into(),
                    self.tenant.0.into(),
                    task.into(),
                ],
            )?;
            Ok(Task {
                done_at: Some(now),
                done_by: Some(actor.to_string()),
                ..current
            })
        })
    }

    /// Adds a promised date to an open matter's time list.
    pub fn add_matter_promise(&self, case: CaseId, promise: &NewPromise) -> Result<Promise, Error> {
        in_transaction(self.db, |_| {
            let matter = self.open_matter(case)?;
            check_promise(promise, matter.began_on)?;
            let id = self.insert_promise(case, promise)?;
            Ok(Promise {
                id,
                promise: promise.promise.trim().to_string(),
                promised_on: promise.promised_on,
            })
        })
    }

    /// Passes an open matter up to a higher level (optionally to one agent
    /// point of that level, whose agents then see it), recording the step.
    pub fn pass_matter_up(
        &self,
        case: CaseId,
        to: AgentPointLevel,
        point: Option<&AgentPoint>,
        reason: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<AgentMatter, Error> {
        limits::PASS_UP_REASON.check(reason)?;
        if let Some(point) = point
            && point.level != to
        {
            // The point named and the level asked for, together: 422.
            return Err(Problem::unprocessable(
                "agent_point_id",
                format!("this agent point works at {} level", point.level.as_str()),
            )
            .into());
        }
        in_transaction(self.db, |db| {
            let matter = self.open_matter(case)?;
            check_pass_up(matter.level, to)?;
            let point_id = point.map(|p| p.id);
            db.execute(
                "UPDATE agent_matters SET level = ?, level_point_id = ? \
                 WHERE tenant_id = ? AND case_id = ?",
                &[
                    to.as_str().into(),
                    point_id.into(),
                    self.tenant.0.into(),
                    case.0.into(),
                ],
            )?;
            self.record_level(case, to, point_id, Some(reason.trim()), actor, now)?;
            let level_zh = match to {
                AgentPointLevel::Village => "村（社区）",
                AgentPointLevel::Township => "镇（街道）",
                AgentPointLevel::District => "区",
            };
            self.add_note(
                case,
                actor,
                "agent_passed_up",
                &format!("代办事项上交{level_zh}级办理"),
                false,
                now,
            )?;
            self.agent_matter(case)?
                .ok_or_else(|| Error::NotFound("no such matter".into()))
        })
    }

    /// Every matter begun between two local dates, as the figures count it.
    pub fn matter_facts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MatterFact>, Error> {
        let rows = self.db.execute(
            "SELECT m.level, c.state FROM agent_matters m \
             JOIN cases c ON c.id = m.case_id AND c.tenant_id = m.tenant_id \
             WHERE m.tenant_id = ? AND m.began_on >= ? AND m.began_on < ?",
            &[
                self.tenant.0.into(),
                from.to_string().into(),
                to.to_string().into(),
            ],
        )?;
        rows.iter()
            .map(|row| {
                let state = decoded("state", CaseState::parse(row.get_str("state")?))?;
                Ok(MatterFact {
                    level: decoded("level", AgentPointLevel::parse(row.get_str("level")?))?,
                    done: matches!(state, CaseState::Closed | CaseState::Archived),
                })
            })
            .collect()
    }

    /// The matter, if its case is still open (409 otherwise).
    fn open_matter(&self, case: CaseId) -> Result<AgentMatter, Error> {
        let matter = self
            .agent_matter(case)?
            .ok_or_else(|| Error::NotFound("no such agent matter".into()))?;
        require_open(&matter.case, "matter", "nothing more can be added")?;
        Ok(matter)
    }

    fn insert_task(&self, case: CaseId, task: &NewTask) -> Result<i64, Error> {
        let rows = self.db.execute(
            "INSERT INTO agent_matter_tasks (tenant_id, case_id, task, owner, due_on) \
             VALUES (?, ?, ?, ?, ?) RETURNING id",
            &[
                self.tenant.0.into(),
                case.0.into(),
                task.task.trim().into(),
                task.owner.trim().into(),
                task.due_on.to_string().into(),
            ],
        )?;
        Ok(rows.returned()?.get_i64("id")?)
    }

    fn insert_promise(&self, case: CaseId, promise: &NewPromise) -> Result<i64, Error> {
        let rows = self.db.execute(
            "INSERT INTO agent_matter_promises (tenant_id, case_id, promise, promised_on) \
             VALUES (?, ?, ?, ?) RETURNING id",
            &[
                self.tenant.0.into(),
                case.0.into(),
                promise.promise.trim().into(),
                promise.promised_on.to_string().into(),
            ],
        )?;
        Ok(rows.returned()?.get_i64("id")?)
    }

    fn record_level(
        &self,
        case: CaseId,
        level: AgentPointLevel,
        point: Option<i64>,
        reason: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.db.execute(
            "INSERT INTO agent_matter_levels (tenant_id, case_id, level, agent_point_id, reason, \
             by_actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                self.tenant.0.into(),
                case.0.into(),
                level.as_str().into(),
                point.into(),
                reason.into(),
                actor.into(),
                to_text(now).into(),
            ],
        )?;
        Ok(())
    }
}

fn check_task(task: &NewTask, began_on: NaiveDate) -> Result<(), Problem> {
    limits::TASK.check(&task.task)?;
    limits::TASK_OWNER.check(&task.owner)?;
    check_date_not_before_start("due_on", task.due_on, began_on)
}

fn check_promise(promise: &NewPromise, began_on: NaiveDate) -> Result<(), Problem> {
    limits::PROMISE.check(&promise.promise)?;
    check_date_not_before_start("promised_on", promise.promised_on, began_on)
}

/// `tasks[2].due_on` for a problem with the third task's `due_on`.
fn indexed(problem: Problem, list: &str, i: usize) -> Problem {
    let field = problem.field.clone().unwrap_or_default();
    problem.with_field(format!("{list}[{i}].{field}"))
}

fn get_date(row: &Row<'_>, column: &str) -> Result<NaiveDate, StoreError> {
    row.get_str(column)?
        .parse()
        .map_err(|_| StoreError::Decode {
            column: column.into(),
            expected: "a date (YYYY-MM-DD)",
        })
}

fn matter_from_row(row: &Row<'_>, case: Case) -> Result<AgentMatter, StoreError> {
    Ok(AgentMatter {
        case,
        kind: decoded("kind", MatterKind::parse(row.get_str("kind")?))?,
        agent_point: row.get_i64("agent_point_id")?,
        taken_by: UserId(row.get_i64("taken_by")?),
        resident: Resident {
            name: row.get_string("resident_name")?,
            phone: row.get_opt_string("resident_phone")?,
            address: row.get_opt_string("resident_address")?,
        },
        consent_at: get_time(row, "consent_at")?,
        needs: serde_json::from_str(row.get_str("needs")?).map_err(|_| StoreError::Decode {
            column: "needs".into(),
            expected: "a JSON list of strings",
        })?,
        level: decoded("level", AgentPointLevel::parse(row.get_str("level")?))?,
        level_point: row.get_opt_i64("level_point_id")?,
        began_on: get_date(row, "began_on")?,
    })
}
