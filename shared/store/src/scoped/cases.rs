//! A tenant's cases and their append-only history.
//!
//! State changes use optimistic concurrency: the client sends the `version` it saw, and
//! the UPDATE matches on it, so two dispatchers acting on one case cannot both win. The
//! state machine itself is `domain::CaseState::next`; this module only persists it.

use super::TenantScope;
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::decoded;
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Utc};
use domain::intake::Priority;
use domain::limits;
use domain::{
    CaseAction, CaseId, CaseSource, CaseState, GridNodeId, Location, TrackingCode, UserId,
};

/// Largest page [`TenantScope::list_cases`] returns, whatever the caller asks.
pub const MAX_PAGE: u32 = 200;

/// The `action` of the first event of every case: its intake.
pub const REPORT_ACTION: &str = "report";

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: CaseId,
    pub tracking_code: TrackingCode,
    pub category: String,
    pub description: String,
    pub grid_node: Option<GridNodeId>,
    pub location: Option<Location>,
    pub state: CaseState,
    /// Starts at 1; every accepted action adds one.
    pub version: i64,
    pub source: CaseSource,
    pub reporter: Option<UserId>,
    pub priority: Priority,
    /// The category's extra fields, as reported (a JSON object).
    pub extra: serde_json::Value,
    pub address: Option<String>,
    /// Private: never in public or Open311 output; the reporter may erase it.
    pub contact: Contact,
    /// SHA-256 of the resident's secret (see `domain::intake::reporter_secret`).
    pub reporter_secret_hash: Option<String>,
    pub editable_until: Option<DateTime<Utc>>,
    /// Other residents who reported the same ("me too").
    pub me_too_count: i64,
    pub fixed_on_the_spot: bool,
    /// The workflow: who holds the case and its clock (see `scoped::workflow`).
    pub department: Option<i64>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub escalation_level: i64,
    /// The reporter's rating of the outcome, 1 to 5, once closed.
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub reopened_by_rating: bool,
    pub rated_at: Option<DateTime<Utc>>,
    /// When the case reached its outcome (closed or declined); cleared on reopen.
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A reporter's contact details: private to staff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// From `TrackingCode::from_random`; a collision is a conflict and the caller retries.
    pub tracking_code: TrackingCode,
    pub category: String,
    pub description: String,
    pub grid_node: Option<GridNodeId>,
    pub location: Option<Location>,
    pub source: CaseSource,
    pub reporter: Option<UserId>,
    pub priority: Priority,
    /// A JSON object, already checked against the category's extra fields.
    pub extra: serde_json::Value,
    pub address: Option<String>,
    pub contact: Contact,
    pub reporter_secret_hash: Option<String>,
    pub editable_until: Option<DateTime<Utc>>,
}

impl NewCase {
    /// A case with only the essentials; the rest empty or default.
    pub fn basic(
        tracking_code: TrackingCode,
        category: impl Into<String>,
        description: impl Into<String>,
        source: CaseSource,
    ) -> NewCase {
        NewCase {
            tracking_code,
            category: category.into(),
            description: description.into(),
            grid_node: None,
            location: None,
            source,
            reporter: None,
            priority: Priority::Normal,
            extra: serde_json::json!({}),
            address: None,
            contact: Contact::default(),
            reporter_secret_hash: None,
            editable_until: None,
        }
    }
}

/// One step of a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub id: i64,
    pub case_id: CaseId,
    pub at: DateTime<Utc>,
    /// Who acted, as the caller described them (e.g. `user:42`, `resident`).
    pub actor: String,
    /// An `ActionKind` name, or [`REPORT_ACTION`] for the intake.
    pub action: String,
    /// `None` for the intake.
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub note: Option<String>,
    /// The step's data beside the note, for readers that must not parse it
    /// (`CaseAction::details`, `publication::assist_details`, an
    /// escalation's level).
    pub details: Option<serde_json::Value>,
    /// Shown on the public tracking page.
    pub public: bool,
}

pub(crate) const CASE_COLUMNS: &str = "id, tracking_code, category, description, grid_node_id, latitude, \
     longitude, state, version, source, reporter_user_id, priority, extra, address, \
     reporter_name, reporter_phone, reporter_email, reporter_secret_hash, editable_until, \
     me_too_count, fixed_on_the_spot, department_id, dispatched_at, response_due_at, \
     resolution_due_at, responded_at, resolved_at, paused_at, escalation_level, \
     rating, rating_comment, reopened_by_rating, rated_at, closed_at, reopen_count, created_at, \
     updated_at";

const EVENT_COLUMNS: &str =
    "id, case_id, at, actor, action, from_state, to_state, note, details, public";

fn case_from_row(row: &Row<'_>) -> Result<Case, StoreError> {
    let location = match (row.get_opt_f64("latitude")?, row.get_opt_f64("longitude")?) {
        (None, None) => None,
        (Some(lat), Some(lon)) => Some(decoded("latitude", Location::new(lat, lon))?),
        _ => {
            return Err(StoreError::Decode {
                column: "latitude".into(),
                expected: "latitude and longitude both set or both null",
            });
        }
    };
    Ok(Case {
        id: CaseId(row.get_i64("id")?),
        tracking_code: decoded(
            "tracking_code",
            TrackingCode::parse(row.get_str("tracking_code")?),
        )?,
        category: row.get_string("category")?,
        description: row.get_string("description")?,
        grid_node: row.get_opt_i64("grid_node_id")?.map(GridNodeId),
        location,
        state: decoded("state", CaseState::parse(row.get_str("state")?))?,
        version: row.get_i64("version")?,
        source: decoded("source", CaseSource::parse(row.get_str("source")?))?,
        reporter: row.get_opt_i64("reporter_user_id")?.map(UserId),
        priority: decoded("priority", Priority::parse(row.get_str("priority")?))?,
        extra: serde_json::from_str(row.get_str("extra")?).map_err(|_| StoreError::Decode {
            column: "extra".into(),
            expected: "a JSON object",
        })?,
        address: row.get_opt_string("address")?,
        contact: Contact {
            name: row.get_opt_string("reporter_name")?,
            phone: row.get_opt_string("reporter_phone")?,
            email: row.get_opt_string("reporter_email")?,
        },
        reporter_secret_hash: row.get_opt_string("reporter_secret_hash")?,
        editable_until: get_opt_time(row, "editable_until")?,
        me_too_count: row.get_i64("me_too_count")?,
        fixed_on_the_spot: row.get_bool("fixed_on_the_spot")?,
        department: row.get_opt_i64("department_id")?,
        dispatched_at: get_opt_time(row, "dispatched_at")?,
        response_due_at: get_opt_time(row, "response_due_at")?,
        resolution_due_at: get_opt_time(row, "resolution_due_at")?,
        responded_at: get_opt_time(row, "responded_at")?,
        resolved_at: get_opt_time(row, "resolved_at")?,
        paused_at: get_opt_time(row, "paused_at")?,
        escalation_level: row.get_i64("escalation_level")?,
        rating: row.get_opt_i64("rating")?,
        rating_comment: row.get_opt_string("rating_comment")?,
        reopened_by_rating: row.get_bool("reopened_by_rating")?,
        rated_at: get_opt_time(row, "rated_at")?,
        closed_at: get_opt_time(row, "closed_at")?,
        reopen_count: row.get_i64("reopen_count")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn event_from_row(row: &Row<'_>) -> Result<CaseEvent, StoreError> {
    Ok(CaseEvent {
        id: row.get_i64("id")?,
        case_id: CaseId(row.get_i64("case_id")?),
        at: get_time(row, "at")?,
        actor: row.get_string("actor")?,
        action: row.get_string("action")?,
        from_state: row
            .get_opt_str("from_state")?
            .map(|s| decoded("from_state", CaseState::parse(s)))
            .transpose()?,
        to_state: decoded("to_state", CaseState::parse(row.get_str("to_state")?))?,
        note: row.get_opt_string("note")?,
        details: row
            .get_opt_str("details")?
            .map(|d| {
                serde_json::from_str(d).map_err(|_| StoreError::Decode {
                    column: "details".into(),
                    expected: "a JSON object",
                })
            })
            .transpose()?,
        public: row.get_bool("public")?,
    })
}

pub(crate) fn first_case(rows: &crate::Rows) -> Result<Option<Case>, StoreError> {
    rows.first().map(|r| case_from_row(&r)).transpose()
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    pub fn case_by_id(&self, id: CaseId) -> Result<Option<Case>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.0.into()],
        )?;
        Ok(first_case(&rows)?)
    }

    pub fn case_by_tracking_code(&self, code: &TrackingCode) -> Result<Option<Case>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE tenant_id = ? AND tracking_code = ?"),
            &[self.tenant.0.into(), code.as_str().into()],
        )?;
        Ok(first_case(&rows)?)
    }

    /// Cases in id order, after `after` (a cursor: the last id of the previous page).
    /// `limit` is clamped to 1..=[`MAX_PAGE`]. Cursor paging stays cheap on deep pages,
    /// unlike OFFSET.
    pub fn list_cases(&self, after: Option<CaseId>, limit: u32) -> Result<Vec<Case>, Error> {
        self.cases_where(
            "id > ? ORDER BY id LIMIT ?",
            &[
                self.tenant.0.into(),
                after.map_or(0, |c| c.0).into(),
                limit.clamp(1, MAX_PAGE).into(),
            ],
        )
    }

    /// Applies `action` if the case is still at `expected_version` and the state machine
    /// allows it; updates the case and appends the event in one short transaction.
    ///
    /// Errors: unknown case → `NotFound`; other version → `version_conflict`; refused action →
    /// `Domain` (409 IllegalTransition, or 400 for blank text). Nothing is written then.
    pub fn apply_action(
        &self,
        case_id: CaseId,
        expected_version: i64,
        action: &CaseAction,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, Error> {
        in_transaction(self.db, |_| {
            let (before, after) = self.transition(case_id, expected_version, action, actor, now)?;
            self.restat(Some(&before), Some(&after))?;
            Ok(after)
        })
    }

    /// The state change of [`Self::apply_action`] and its event, without the
    /// figures: for callers that change more of the case in the same
    /// transaction and count the whole change once. Returns (before, after).
    pub(crate) fn transition(
        &self,
        case_id: CaseId,
        expected_version: i64,
        action: &CaseAction,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Case, Case), Error> {
        action.check_fields()?;
        limits::ACTOR.check(actor)?;
        in_transaction(self.db, |db| {
            let case = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound(format!("no case {}", case_id.0)))?;
            if case.version != expected_version {
                return Err(stale(case.version));
            }
            action.check_evidence(case.source)?;
            let next = case.state.next(action)?;
            let at = to_text(now);
            // The outcome's time: set on reaching one, cleared when the case
            // opens again, kept through archiving.
            let closed_at = match next {
                CaseState::Closed | CaseState::Declined if case.state.is_open() => Some(at.clone()),
                state if state.is_open() => None,
                _ => case.closed_at.map(to_text),
            };
            let reopened = i64::from(action.kind() == domain::ActionKind::Reopen);
            let rows = db.execute(
                &format!(
                    "UPDATE cases SET state = ?, version = version + 1, updated_at = ?, \
                     closed_at = ?, reopen_count = reopen_count + ? \
                     WHERE id = ? AND tenant_id = ? AND version = ? RETURNING {CASE_COLUMNS}"
                ),
                &[
                    next.as_str().into(),
                    at.clone().into(),
                    closed_at.into(),
                    reopened.into(),
                    case_id.0.into(),
                    self.tenant.0.into(),
                    expected_version.into(),
                ],
            )?;
            // Unreachable under BEGIN IMMEDIATE, but the WHERE clause is what guarantees it
            // on any backend; keep the check rather than trust the isolation level.
            let updated = first_case(&rows)?.ok_or_else(|| stale(expected_version + 1))?;
            self.append_event(
                &updated,
                NewEvent {
                    at: now,
                    actor: actor.trim(),
                    action: action.name(),
                    from: Some(case.state),
                    to: next,
                    note: action.note().as_deref(),
                    details: action.details().as_ref(),
                    public: action.kind().is_public(),
                },
            )?;
            Ok((case, updated))
        })
    }

    /// The case's history, oldest first. Empty for a case of another tenant.
    pub fn case_events(&self, case_id: CaseId) -> Result<Vec<CaseEvent>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM case_events WHERE tenant_id = ? AND case_id = ? \
                 ORDER BY id"
            ),
            &[self.tenant.0.into(), case_id.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| event_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Cases matching `condition` (SQL after `WHERE tenant_id = ? AND`);
    /// `params` start with the tenant id. For this crate's own queries.
    pub(crate) fn cases_where(
        &self,
        condition: &str,
        params: &[crate::Value],
    ) -> Result<Vec<Case>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE tenant_id = ? AND {condition}"),
            params,
        )?;
        Ok(rows
            .iter()
            .map(|r| case_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Adds a note to a case's history without changing its state (a
    /// reporter's extra information, a comment from an Open311 system).
    /// `action` names the kind of note; `public` notes show on the status page.
    /// Returns the note's event id.
    pub fn add_note(
        &self,
        case_id: CaseId,
        actor: &str,
        action: &str,
        note: &str,
        public: bool,
        now: DateTime<Utc>,
    ) -> Result<i64, Error> {
        limits::NOTE.check(note)?;
        in_transaction(self.db, |db| {
            let case = self
                .case_by_id(case_id)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?;
            let at = to_text(now);
            let id = self.append_event(
                &case,
                NewEvent {
                    at: now,
                    actor,
                    action,
                    from: Some(case.state),
                    to: case.state,
                    note: Some(note.trim()),
                    details: None,
                    public,
                },
            )?;
            db.execute(
                "UPDATE cases SET updated_at = ? WHERE tenant_id = ? AND id = ?",
                &[at.into(), self.tenant.0.into(), case_id.0.into()],
            )?;
            Ok(id)
        })
    }

    /// Appends to the case's history and, in the same transaction, queues
    /// the event for the tenant's webhooks and the reporter's SMS (the
    /// outboxes the sweep delivers).
    pub(crate) fn append_event(&self, case: &Case, event: NewEvent<'_>) -> Result<i64, Error> {
        let ids = self.append_events(case, &[event])?;
        Ok(ids[0])
    }

    /// [`Self::append_event`] for several events in order, in two
    /// statements whatever their number. Returns their ids in that order.
    pub(crate) fn append_events(
        &self,
        case: &Case,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<i64>, Error> {
        let mut params: Vec<crate::Value> = Vec::with_capacity(events.len() * 10);
        for event in events {
            params.extend([
                self.tenant.0.into(),
                case.id.0.into(),
                to_text(event.at).into(),
                event.actor.into(),
                event.action.into(),
                event.from.map(CaseState::as_str).into(),
                event.to.as_str().into(),
                event.note.into(),
                event.details.map(|d| d.to_string()).into(),
                event.public.into(),
            ]);
        }
        let rows = self.db.execute(
            &format!(
                "INSERT INTO case_events \
                 (tenant_id, case_id, at, actor, action, from_state, to_state, note, details, \
                 public) VALUES {} RETURNING id",
                vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; events.len()].join(", ")
            ),
            &params,
        )?;
        // RETURNING's row order is unspecified, but one INSERT numbers its
        // rows in the order of its VALUES: sorted ids are the events' ids.
        let mut ids = rows
            .iter()
            .map(|r| r.get_i64("id"))
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort_unstable();
        if ids.len() != events.len() {
            return Err(StoreError::Sql("INSERT ... RETURNING lost a row".into()).into());
        }
        let queued: Vec<_> = ids.iter().copied().zip(events).collect();
        self.queue_notifications(case, &queued)?;
        self.queue_sms(case, &queued)?;
        Ok(ids)
    }
}

/// One entry of a case's history, as it is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewEvent<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    /// An `ActionKind` name, [`REPORT_ACTION`], or the kind of a note.
    pub action: &'a str,
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub note: Option<&'a str>,
    pub details: Option<&'a serde_json::Value>,
    pub public: bool,
}

fn stale(current: i64) -> Error {
    Error::Domain(
        domain::Problem::coded(
            domain::ProblemCode::VersionConflict,
            format!(
                "the case was changed by someone else (now at version {current}); reload and retry"
            ),
        )
        .with_field("version"),
    )
}
