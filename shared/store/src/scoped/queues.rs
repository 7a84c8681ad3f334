//! Work queues: what a person opens to see what is theirs to do, filtered,
//! sorted and paged with cursors that stay right while cases change.

use super::TenantScope;
use super::cases::Case;
use super::workflow::open_states;
use crate::Value;
use crate::db::{Database, placeholders};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::{CaseState, Problem, UserId};

/// Which cases a queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// The command centre's triage: reported, accepted or registered, not yet dispatched.
    Triage,
    /// Every open case.
    Open,
    /// Open cases past their resolution deadline.
    Overdue,
    /// Open cases raised above the command centre.
    Escalated,
    /// Open cases no department holds (triage, and cases handed back).
    Unassigned,
    /// 待核查: resolved cases waiting for the command centre to verify the
    /// result, and verified ones waiting to be closed.
    Verification,
    /// A department's inbox: open cases it leads, or assists with a part still open.
    Department(i64),
    /// A grid worker's own reports.
    ReportedBy(UserId),
}

/// Where a case's clock stands, as the inbox filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Warned: most of the time is used (the first rung of the ladder).
    DueSoon,
    /// Past the resolution deadline.
    Overdue,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Oldest first (by id): the default.
    #[default]
    Oldest,
    Newest,
    /// Soonest resolution deadline first; cases without one last.
    Due,
}

/// Filters, order and position of a queue page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueQuery {
    pub state: Option<CaseState>,
    pub category: Option<String>,
    pub clock: Option<Clock>,
    pub sort: QueueSort,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
    pub cases: Vec<Case>,
    /// Where the next page starts, when this one is full.
    pub next: Option<String>,
}

/// A position in a queue: the sort key of the last case seen. Ids for the
/// id orders; `{due}~{id}` (or `none~{id}`) for the deadline order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    Id(i64),
    Due(Option<String>, i64),
}

impl Cursor {
    fn parse(text: &str, sort: QueueSort) -> Result<Cursor, Problem> {
        // A cursor is whatever `next_after` gave; that it is one (and of
        // this sort) is beyond what the API document states: 422.
        let bad = || Problem::unprocessable("after", "not a cursor of this queue and sort");
        match sort {
            QueueSort::Oldest | QueueSort::Newest => {
                text.parse().map(Cursor::Id).map_err(|_| bad())
            }
            QueueSort::Due => {
                let (due, id) = text.rsplit_once('~').ok_or_else(bad)?;
                let id = id.parse().map_err(|_| bad())?;
                match due {
                    "none" => Ok(Cursor::Due(None, id)),
                    due => {
                        let at = DateTime::parse_from_rfc3339(due).map_err(|_| bad())?;
                        Ok(Cursor::Due(Some(to_text(at.with_timezone(&Utc))), id))
                    }
                }
            }
        }
    }

    fn after(case: &Case, sort: QueueSort) -> String {
        match sort {
            QueueSort::Oldest | QueueSort::Newest => case.id.0.to_string(),
            QueueSort::Due => match case.resolution_due_at {
                Some(due) => format!("{}~{}", to_text(due), case.id.0),
                None => format!("none~{}", case.id.0),
            },
        }
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// A page of a queue.
    pub fn queue(&self, queue: Queue, query: &QueueQuery, limit: u32) -> Result<QueuePage, Error> {
        let mut conditions: Vec<String> = Vec::new();
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        let open = open_states();
        let open_list = format!("state IN ({})", placeholders(open.len()));
        let open_params = || open.iter().map(|s| Value::from(*s)).collect::<Vec<_>>();
        match queue {
            Queue::Triage => {
                conditions.push("state IN (?, ?, ?)".into());
                params.extend(["reported", "accepted", "registered"].map(Value::from));
            }
            Queue::Verification => {
                conditions.push("state IN (?, ?)".into());
                params.extend(["resolved", "verified"].map(Value::from));
            }
            Queue::Open => {
                conditions.push(open_list);
                params.extend(open_params());
            }
            Queue::Overdue | Queue::Escalated => {
                conditions.push(format!("{open_list} AND escalation_level >= ?"));
                params.extend(open_params());
                params.push(if queue == Queue::Overdue { 2i64 } else { 3 }.into());
            }
            Queue::Unassigned => {
                conditions.push(format!("{open_list} AND department_id IS NULL"));
                params.extend(open_params());
            }
            Queue::Department(department) => {
                // The union lets each half use its index (cases by
                // department and state, assists by department); an `OR`
                // would scan every case of the tenant in id order.
                conditions.push(format!(
                    "id IN (SELECT id FROM cases WHERE tenant_id = ? AND department_id = ? \
                     AND {open_list} UNION SELECT case_id FROM case_assists \
                     WHERE tenant_id = ? AND department_id = ? AND done_at IS NULL) \
                     AND {open_list}"
                ));
                params.extend([self.tenant.0.into(), department.into()]);
                params.extend(open_params());
                params.extend([self.tenant.0.into(), department.into()]);
                params.extend(open_params());
            }
            Queue::ReportedBy(user) => {
                conditions.push("reporter_user_id = ?".into());
                params.push(user.0.into());
            }
        }
        if let Some(state) = query.state {
            conditions.push("state = ?".into());
            params.push(state.as_str().into());
        }
        if let Some(category) = &query.category {
            conditions.push("category = ?".into());
            params.push(category.clone().into());
        }
        match query.clock {
            Some(Clock::DueSoon) => conditions.push("escalation_level = 1".into()),
            Some(Clock::Overdue) => conditions.push("escalation_level >= 2".into()),
            None => {}
        }
        let cursor = query
            .after
            .as_deref()
            .map(|text| Cursor::parse(text, query.sort))
            .transpose()?;
        match cursor {
            None => {}
            Some(Cursor::Id(id)) => {
                let op = if query.sort == QueueSort::Newest {
                    "<"
                } else {
                    ">"
                };
                conditions.push(format!("id {op} ?"));
                params.push(id.into());
            }
            Some(Cursor::Due(Some(due), id)) => {
                conditions.push(
                    "(resolution_due_at > ? OR (resolution_due_at = ? AND id > ?) \
                     OR resolution_due_at IS NULL)"
                        .into(),
                );
                params.extend([due.clone().into(), due.into(), id.into()]);
            }
            Some(Cursor::Due(None, id)) => {
                conditions.push("resolution_due_at IS NULL AND id > ?".into());
                params.push(id.into());
            }
        }
        let order = match query.sort {
            QueueSort::Oldest => "id",
            QueueSort::Newest => "id DESC",
            QueueSort::Due => "resolution_due_at IS NULL, resolution_due_at, id",
        };
        let limit = limit.clamp(1, super::MAX_PAGE);
        params.push(limit.into());
        let cases = self.cases_where(
            &format!("{} ORDER BY {order} LIMIT ?", conditions.join(" AND ")),
            &params,
        )?;
        let next = (cases.len() == limit as usize)
            .then(|| cases.last().map(|c| Cursor::after(c, query.sort)))
            .flatten();
        Ok(QueuePage { cases, next })
    }
}
