//! A new case, in two steps that keep SQLite's write lock short and the
//! round trips few (each statement is one on libSQL):
//! [`TenantScope::prepare_case`] reads everything the case needs — its grid
//! node and the nodes above it, its reporter, the routing rule that
//! dispatches it at once, the category's hours and the working calendar —
//! before any transaction; [`TenantScope::record_case`] then writes the case
//! already in the state its automatic steps leave it, its history in one
//! statement, the webhooks' outbox in one and the figures in one.
//!
//! A rule or calendar changed between the two steps is as if the report had
//! arrived a moment earlier: the case gets the rule as it stood when read.

use super::TenantScope;
use super::cases::{CASE_COLUMNS, Case, NewCase, NewEvent, REPORT_ACTION, first_case};
use super::workflow::SYSTEM_ACTOR;
use crate::db::{Database, StoreError, in_transaction_or_joined};
use crate::error::{Error, unique_to_conflict};
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::limits;
use domain::triage::{Suggestion, TRIAGE_ACTOR};
use domain::workflow::Deadlines;
use domain::{CaseAction, CaseState, Code, Problem, TrackingCode};

/// Whether a new case may be dispatched by the routing rules at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// When a rule names a department for the category (and place), the
    /// platform accepts, registers and dispatches the case on intake; when
    /// none does and the tenant switched automatic dispatch on, the smart
    /// triage may (`domain::triage::auto_dispatch`).
    Automatic,
    /// The case waits in the command centre's triage queue.
    Triage,
}

/// A new case with what its writing needs, read by
/// [`TenantScope::prepare_case`].
#[derive(Debug, Clone)]
pub struct PreparedCase {
    new: NewCase,
    /// The case's grid node and every node above it, root first.
    grid_path: Vec<i64>,
    dispatch: Option<AutoDispatch>,
    /// The patrol it was found on (`cases.patrol_id`), if any.
    patrol: Option<i64>,
}

impl PreparedCase {
    /// Draws the tracking code again (after a collision, which
    /// [`TenantScope::record_case`] reports as a conflict).
    pub fn with_tracking_code(&mut self, code: TrackingCode) {
        self.new.tracking_code = code;
    }

    /// Records the case as found on `patrol` (checked by the caller:
    /// `TenantScope::patrol_for_report`).
    pub fn on_patrol(&mut self, patrol: i64) {
        self.patrol = Some(patrol);
    }
}

/// Where the routing rules send a case, and its clock from now.
#[derive(Debug, Clone)]
pub(crate) struct AutoDispatch {
    pub department: i64,
    pub department_code: String,
    pub deadlines: Deadlines,
    /// The triage's department suggestion when the triage dispatches (智能分拨),
    /// `None` for a routing rule.
    pub triage: Option<Suggestion>,
}

impl AutoDispatch {
    /// The steps the platform takes for the case, in order.
    pub fn steps(&self) -> [CaseAction; 3] {
        // (Who takes them: `actor`.)
        [
            CaseAction::Accept,
            CaseAction::Register,
            CaseAction::Dispatch {
                department: self.department_code.clone(),
                assisting: Vec::new(),
            },
        ]
    }
}

impl AutoDispatch {
    /// Who takes the steps: the routing rules, or the triage.
    pub fn actor(&self) -> &'static str {
        match self.triage {
            Some(_) => TRIAGE_ACTOR,
            None => SYSTEM_ACTOR,
        }
    }

    /// The dispatch's details as the timeline carries them: the step's
    /// own, and for the triage's the confidence and the words that decided.
    fn details(&self, step: &CaseAction) -> Option<serde_json::Value> {
        let mut details = step.details()?;
        if let (Some(triage), CaseAction::Dispatch { .. }) = (&self.triage, step) {
            details["confidence"] = serde_json::json!(triage.confidence);
            details["reasons"] = serde_json::json!(triage.reasons);
        }
        Some(details)
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Records a new case in state `Reported`, version 1, with its intake
    /// event (no automatic dispatch). The grid node and reporter, if given,
    /// must belong to this tenant (400 otherwise).
    pub fn insert_case(&self, new: NewCase, now: DateTime<Utc>) -> Result<Case, Error> {
        let prepared = self.prepare_case(new, Routing::Triage, now)?;
        self.record_case(&prepared, now)
    }

    /// Checks `new` and reads what recording it needs, without writing.
    /// Call it before opening a transaction.
    pub fn prepare_case(
        &self,
        new: NewCase,
        routing: Routing,
        now: DateTime<Utc>,
    ) -> Result<PreparedCase, Error> {
        limits::CASE_CATEGORY.check(&new.category)?;
        limits::CASE_DESCRIPTION.check(&new.description)?;
        let grid_path = match new.grid_node {
            None => Vec::new(),
            Some(node) => {
                let path = self.grid_path(node)?;
                match path.last() {
                    None => {
                        return Err(Problem::unknown(
                            "grid_node_id",
                            "no such grid node in this tenant",
                        )
                        .into());
                    }
                    Some(n) if n.retired => {
                        return Err(Problem::conflict("the grid node is retired")
                            .with_field("grid_node_id")
                            .into());
                    }
                    Some(_) => path.iter().map(|n| n.id.0).collect(),
                }
            }
        };
        if let Some(reporter) = new.reporter
            && self.find_user(reporter)?.is_none()
        {
            return Err(Problem::validation("reporter", "no such user in this tenant").into());
        }
        let dispatch = match routing {
            Routing::Triage => None,
            Routing::Automatic => {
                match self.auto_dispatch_for(&new.category, &grid_path, new.priority, now)? {
                    Some(rule) => Some(rule),
                    None => self.triage_dispatch_for(&new, now)?,
                }
            }
        };
        Ok(PreparedCase {
            new,
            grid_path,
            dispatch,
            patrol: None,
        })
    }

    /// Writes a prepared case in one short transaction (inside a caller's,
    /// as part of it: a taken tracking code fails the first INSERT, before
    /// anything is written, so the caller may draw again): the case, already in the state its automatic steps
    /// leave it, its history, the webhooks' outbox and the figures. A
    /// tracking code already in use is a `Conflict`: draw another with
    /// [`PreparedCase::with_tracking_code`].
    pub fn record_case(&self, prepared: &PreparedCase, now: DateTime<Utc>) -> Result<Case, Error> {
        let new = &prepared.new;
        let steps = prepared
            .dispatch
            .as_ref()
            .map(|d| d.steps().to_vec())
            .unwrap_or_default();
        // The steps go through the one state machine, as if taken one by one.
        let mut states = vec![CaseState::Reported];
        for step in &steps {
            let last = states[states.len() - 1];
            states.push(last.next(step)?);
        }
        let state = states[states.len() - 1];
        let at = to_text(now);
        let dispatched = prepared.dispatch.as_ref();
        in_transaction_or_joined(self.db, |db| {
            let rows = db
                .execute(
                    &format!(
                        "INSERT INTO cases (tenant_id, tracking_code, category, description, \
                         grid_node_id, latitude, longitude, state, version, source, \
                         reporter_user_id, priority, extra, address, reporter_name, \
                         reporter_phone, reporter_email, reporter_secret_hash, editable_until, \
                         department_id, dispatched_at, response_due_at, resolution_due_at, \
                         created_at, updated_at, patrol_id) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
                         ?, ?, ?, ?, ?) RETURNING {CASE_COLUMNS}"
                    ),
                    &[
                        self.tenant.0.into(),
                        new.tracking_code.as_str().into(),
                        new.category.trim().into(),
                        new.description.trim().into(),
                        new.grid_node.map(|g| g.0).into(),
                        new.location.map(|l| l.latitude()).into(),
                        new.location.map(|l| l.longitude()).into(),
                        state.as_str().into(),
                        (1 + steps.len() as i64).into(),
                        new.source.as_str().into(),
                        new.reporter.map(|u| u.0).into(),
                        new.priority.as_str().into(),
                        new.extra.to_string().into(),
                        new.address.clone().into(),
                        new.contact.name.clone().into(),
                        new.contact.phone.clone().into(),
                        new.contact.email.clone().into(),
                        new.reporter_secret_hash.clone().into(),
                        new.editable_until.map(to_text).into(),
                        dispatched.map(|d| d.department).into(),
                        dispatched.map(|_| at.clone()).into(),
                        dispatched.map(|d| to_text(d.deadlines.response_due)).into(),
                        dispatched
                            .map(|d| to_text(d.deadlines.resolution_due))
                            .into(),
                        at.clone().into(),
                        at.clone().into(),
                        prepared.patrol.into(),
                    ],
                )
                .map_err(|e| {
                    unique_to_conflict(e, || {
                        format!("tracking code {} is already in use", new.tracking_code)
                    })
                })?;
            let case = first_case(&rows)?
                .ok_or_else(|| StoreError::Sql("INSERT ... RETURNING returned no row".into()))?;
            let reporter = match new.reporter {
                Some(user) => format!("user:{}", user.0),
                None => new.source.as_str().to_owned(),
            };
            let notes: Vec<Option<String>> = steps.iter().map(CaseAction::note).collect();
            let details: Vec<Option<serde_json::Value>> = steps
                .iter()
                .map(|step| dispatched.and_then(|d| d.details(step)))
                .collect();
            let actor = dispatched.map_or(SYSTEM_ACTOR, AutoDispatch::actor);
            let mut events = vec![NewEvent {
                at: now,
                actor: &reporter,
                action: REPORT_ACTION,
                from: None,
                to: CaseState::Reported,
                note: None,
                details: None,
                public: true,
            }];
            for (i, step) in steps.iter().enumerate() {
                events.push(NewEvent {
                    at: now,
                    actor,
                    action: step.name(),
                    from: Some(states[i]),
                    to: states[i + 1],
                    note: notes[i].as_deref(),
                    details: details[i].as_ref(),
                    public: step.kind().is_public(),
                });
            }
            self.append_events(&case, &events)?;
            self.count_new_case(&case, &prepared.grid_path)?;
            // The triage's dispatch is its own guess: learned only once the
            // department signs for it (`triage_confirmed`), never before.
            if dispatched.is_some_and(|d| d.triage.is_some()) {
                self.triage_unconfirmed(&case)?;
                self.count_triage(1, 0)?;
            }
            Ok(case)
        })
    }

    /// The department the first matching routing rule names (one that is
    /// not retired), and the clock dispatching there now starts; `None`
    /// when no rule matches. `grid_path` is the case's node and the nodes
    /// above it: a rule for a node covers its whole subtree.
    pub(crate) fn auto_dispatch_for(
        &self,
        category: &str,
        grid_path: &[i64],
        priority: domain::intake::Priority,
        now: DateTime<Utc>,
    ) -> Result<Option<AutoDispatch>, Error> {
        let Some((department, department_code)) = self.rule_department(category, grid_path)? else {
            return Ok(None);
        };
        let code = Code::parse(category.trim())?;
        let category = self
            .category_by_code(&code)?
            .ok_or_else(|| Problem::unknown("category", "no such category"))?;
        let calendar = self.work_calendar()?;
        Ok(Some(AutoDispatch {
            department,
            department_code,
            deadlines: Deadlines::at_dispatch(
                now,
                category.response_hours,
                category.resolution_hours,
                priority,
                &calendar,
            ),
            triage: None,
        }))
    }

    /// The department (id and code) the first matching routing rule names
    /// for a category at a place (`grid_path`: its node and those above),
    /// one that is not retired; one read.
    pub fn rule_department(
        &self,
        category: &str,
        grid_path: &[i64],
    ) -> Result<Option<(i64, String)>, Error> {
        let rules = self.db.execute(
            "SELECT r.grid_node_id, r.department_id, d.code FROM routing_rules r \
             JOIN departments d ON d.tenant_id = r.tenant_id AND d.id = r.department_id \
             WHERE r.tenant_id = ? AND r.category = ? AND d.retired = 0 ORDER BY r.position",
            &[self.tenant.0.into(), category.trim().into()],
        )?;
        let mut matched = None;
        for rule in rules.iter() {
            let covers = rule
                .get_opt_i64("grid_node_id")?
                .is_none_or(|root| grid_path.contains(&root));
            if covers {
                matched = Some((rule.get_i64("department_id")?, rule.get_string("code")?));
                break;
            }
        }
        Ok(matched)
    }

    /// Where the triage sends a report no rule took, when the tenant lets it
    /// (`triage_auto_dispatch`), and the clock dispatching there starts:
    /// `None` when it does not, or the department is retired, or the
    /// category is unknown (then the command centre triages it).
    fn triage_dispatch_for(
        &self,
        new: &NewCase,
        now: DateTime<Utc>,
    ) -> Result<Option<AutoDispatch>, Error> {
        let Some((department, suggestion)) = self.triage_auto_dispatch(&new.description)? else {
            return Ok(None);
        };
        let Some(found) = self.department(department)?.filter(|d| !d.retired) else {
            return Ok(None);
        };
        let Ok(code) = Code::parse(new.category.trim()) else {
            return Ok(None);
        };
        let Some(category) = self.category_by_code(&code)? else {
            return Ok(None);
        };
        let calendar = self.work_calendar()?;
        Ok(Some(AutoDispatch {
            department,
            department_code: found.code.as_str().to_string(),
            deadlines: Deadlines::at_dispatch(
                now,
                category.response_hours,
                category.resolution_hours,
                new.priority,
                &calendar,
            ),
            triage: Some(suggestion),
        }))
    }
}
