//! Joint handling (联办): besides the lead department (`cases.department_id`),
//! a case may have assisting departments, each with its own part. An
//! assisting department sees the case in its inbox while its part is open
//! and reports its part done; the lead cannot resolve the case before every
//! part is done.

use super::TenantScope;
use super::cases::NewEvent;
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Utc};
use domain::case::AssistingPart;
use domain::limits;
use domain::publication::{ASSIST_DONE, assist_details};
use domain::{CaseId, Problem};

/// An assisting department's part of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assist {
    pub department: i64,
    pub part: String,
    pub assigned_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub done_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

fn assist_from_row(row: &Row<'_>) -> Result<Assist, StoreError> {
    Ok(Assist {
        department: row.get_i64("department_id")?,
        part: row.get_string("part")?,
        assigned_at: get_time(row, "assigned_at")?,
        answer: row.get_opt_string("answer")?,
        done_by: row.get_opt_string("done_by")?,
        done_at: get_opt_time(row, "done_at")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The case's assisting departments, in the order they were named.
    pub fn case_assists(&self, case: CaseId) -> Result<Vec<Assist>, Error> {
        let rows = self.db.execute(
            "SELECT department_id, part, assigned_at, answer, done_by, done_at \
             FROM case_assists WHERE tenant_id = ? AND case_id = ? ORDER BY id",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| assist_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// At a dispatch: the named parts replace the open ones (a re-dispatch
    /// re-decides who assists); parts already done stay on the record.
    pub(crate) fn assign_assists(
        &self,
        case: CaseId,
        parts: &[AssistingPart],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut departments = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let id = self
                .department_by_code(&part.department)
                .map_err(|e| e.with_field(format!("assisting[{i}].department")))?;
            departments.push(id);
        }
        self.db.execute(
            "DELETE FROM case_assists WHERE tenant_id = ? AND case_id = ? AND done_at IS NULL",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        for (part, department) in parts.iter().zip(departments) {
            self.db.execute(
                "INSERT INTO case_assists (tenant_id, case_id, department_id, part, assigned_at) \
                 VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (tenant_id, case_id, department_id) DO UPDATE SET \
                 part = excluded.part, assigned_at = excluded.assigned_at, \
                 answer = NULL, done_by = NULL, done_at = NULL",
                &[
                    self.tenant.0.into(),
                    case.0.into(),
                    department.into(),
                    part.part.trim().into(),
                    to_text(now).into(),
                ],
            )?;
        }
        Ok(())
    }

    /// Refuses while an assisting department's part is still open.
    pub(crate) fn require_assists_done(&self, case: CaseId) -> Result<(), Error> {
        let open: Vec<i64> = self
            .case_assists(case)?
            .into_iter()
            .filter(|a| a.done_at.is_none())
            .map(|a| a.department)
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let codes: Vec<String> = open
            .iter()
            .map(|id| {
                self.department(*id)
                    .map(|d| d.map_or_else(|| id.to_string(), |d| d.code.as_str().to_string()))
            })
            .collect::<Result<_, _>>()?;
        Err(Problem::conflict(format!(
            "the assisting departments have not finished their parts yet: {}",
            codes.join(", ")
        ))
        .into())
    }

    /// An assisting department reports its part done, with what it did. The
    /// event is public: residents see each department's share of the work.
    pub fn complete_assist(
        &self,
        case_id: CaseId,
        department: i64,
        answer: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Assist, Error> {
        limits::ANSWER.check(answer)?;
        in_transaction(self.db, |db| {
            let case = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            if !case.state.is_open() {
                return Err(Problem::conflict(format!(
                    "the case is {}: its parts are settled",
                    case.state
                ))
                .into());
            }
            let rows = db.execute(
                "UPDATE case_assists SET answer = ?, done_by = ?, done_at = ? \
                 WHERE tenant_id = ? AND case_id = ? AND department_id = ? AND done_at IS NULL \
                 RETURNING department_id, part, assigned_at, answer, done_by, done_at",
                &[
                    answer.trim().into(),
                    actor.into(),
                    to_text(now).into(),
                    self.tenant.0.into(),
                    case_id.0.into(),
                    department.into(),
                ],
            )?;
            let assist = rows
                .first()
                .map(|r| assist_from_row(&r))
                .transpose()?
                .ok_or_else(|| {
                    Problem::conflict("this department has no open part in this case")
                })?;
            let code = self
                .department(department)?
                .map(|d| d.code.as_str().to_string())
                .unwrap_or_default();
            self.append_event(
                &case,
                NewEvent {
                    at: now,
                    actor,
                    action: ASSIST_DONE,
                    from: Some(case.state),
                    to: case.state,
                    note: Some(answer.trim()),
                    details: Some(&assist_details(&code)),
                    public: true,
                },
            )?;
            db.execute(
                "UPDATE cases SET updated_at = ? WHERE tenant_id = ? AND id = ?",
                &[to_text(now).into(), self.tenant.0.into(), case_id.0.into()],
            )?;
            Ok(assist)
        })
    }
}
