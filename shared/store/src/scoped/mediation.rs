//! The mediation centre's disputes: cases (`source = 'mediation'`) with
//! their parties, sessions and outcome in side tables.
//!
//! Intake files the case under its kind's category and, when the window
//! names the lead and assisting departments, accepts, registers and
//! dispatches it through the case flow in the same transaction (otherwise
//! the tenant's routing rules or the command centre's triage take it).
//! Recording an outcome ends the case through the case flow too: "not
//! accepted" declines it; every other outcome resolves, verifies and closes
//! it. Each operation is one transaction: a refusal writes nothing.

use super::TenantScope;
use super::cases::{Case, NewCase};
use super::intake::Purpose;
use super::side_cases::require_open;
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::decoded;
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Utc};
use domain::case::AssistingPart;
use domain::case_kind::CaseKind;
use domain::intake::{Priority, Uploader};
use domain::limits;
use domain::mediation::{
    Amount, DisputeFact, DisputeKind, Outcome, OutcomeKind, Party, PartyKind, SessionRecord, Side,
    check_not_before_intake, check_parties, check_session_record,
};
use domain::{
    CaseAction, CaseId, CaseSource, CaseState, GridNodeId, Problem, TrackingCode, UserId,
};

/// What the window takes down.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDispute {
    pub kind: DisputeKind,
    pub subject: String,
    pub amount: Option<Amount>,
    /// The window that took it in (e.g. "3号窗口").
    pub window: String,
    pub parties: Vec<Party>,
    /// Uploaded beforehand (`POST …/attachments`); hidden from the public.
    pub document_ids: Vec<i64>,
    pub priority: Priority,
    pub grid_node: Option<GridNodeId>,
    /// The lead department and any assisting ones, when the window assigns
    /// them at once.
    pub handling: Option<Handling>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handling {
    pub department: String,
    pub assisting: Vec<AssistingPart>,
}

/// A case that is a dispute.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispute {
    pub case: Case,
    pub kind: DisputeKind,
    pub subject: String,
    pub amount: Option<Amount>,
    pub window: String,
    pub taken_in_by: UserId,
    pub taken_in_at: DateTime<Utc>,
    pub outcome: Option<RecordedOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedOutcome {
    pub kind: OutcomeKind,
    pub text: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredParty {
    pub id: i64,
    pub party: Party,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub scheduled_by: Option<String>,
    /// Set once the session was held and recorded.
    pub record: Option<SessionRecord>,
    pub recorded_by: Option<String>,
}

/// A session to put in the diary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub scheduled_for: DateTime<Utc>,
    pub place: Option<String>,
}

const DISPUTE_COLUMNS: &str = "case_id, kind, subject, amount_fen, intake_window, taken_in_by, \
    taken_in_at, outcome, outcome_text, outcome_by, outcome_at";
const SESSION_COLUMNS: &str =
    "id, scheduled_for, place, held_at, participants, agreed, scheduled_by, recorded_by";

/// What the case itself says of a dispute: its kind, nothing that names
/// anyone. The subject and the parties stay in the side tables, so the
/// public look-up, the board and Open311 cannot show them.
fn case_description(kind: DisputeKind) -> String {
    format!("{}（矛调中心受理，详情仅中心可见）", kind.name_zh())
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Takes a dispute in at a window: the case, its parties and documents,
    /// and (when the window assigns them) the dispatch to the lead and
    /// assisting departments, all in one transaction.
    pub fn take_in_dispute(
        &self,
        new: NewDispute,
        taken_in_by: UserId,
        actor: &str,
        tracking_code: TrackingCode,
        now: DateTime<Utc>,
    ) -> Result<Dispute, Error> {
        limits::DISPUTE_SUBJECT.check(&new.subject)?;
        limits::WINDOW.check(&new.window)?;
        check_parties(&new.parties)?;
        in_transaction(self.db, |db| {
            let category = self.category_for_kind(new.kind)?;
            let case = self.insert_case(
                NewCase {
                    reporter: Some(taken_in_by),
                    priority: new.priority,
                    grid_node: new.grid_node,
                    ..NewCase::basic(
                        tracking_code,
                        category,
                        case_description(new.kind),
                        CaseSource::Mediation,
                    )
                },
                now,
            )?;
            db.execute(
                "INSERT INTO mediation_disputes (case_id, tenant_id, kind, subject, amount_fen, \
                 intake_window, taken_in_by, taken_in_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    case.id.0.into(),
                    self.tenant.0.into(),
                    new.kind.as_str().into(),
                    new.subject.trim().into(),
                    new.amount.map(Amount::fen).into(),
                    new.window.trim().into(),
                    taken_in_by.0.into(),
                    to_text(now).into(),
                ],
            )?;
            for party in &new.parties {
                db.execute(
                    "INSERT INTO mediation_parties (tenant_id, case_id, side, kind, name, \
                     phone, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    &[
                        self.tenant.0.into(),
                        case.id.0.into(),
                        party.side.as_str().into(),
                        party.kind.as_str().into(),
                        party.name.trim().into(),
                        trimmed(&party.phone).into(),
                        trimmed(&party.address).into(),
                    ],
                )?;
            }
            let by = Uploader::Account(actor.to_string());
            self.attach_private(case.id, &new.document_ids, Purpose::Evidence, &by)
                .map_err(|e| renamed_field(e, "attachment_ids", "document_ids"))?;
            let id = case.id;
            match &new.handling {
                Some(handling) => self.assign_at_the_window(case, handling, actor, now)?,
                None => self.auto_dispatch(case, now)?,
            };
            self.dispute(id)?
                .ok_or_else(|| Error::NotFound("the dispute just taken in".into()))
        })
    }

    /// One-stop handling: the window accepts and registers the dispute and
    /// sends it to its lead department with any assisting ones (联办).
    fn assign_at_the_window(
        &self,
        case: Case,
        handling: &Handling,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, Error> {
        let calendar = self.work_calendar()?;
        let dispatch = CaseAction::Dispatch {
            department: handling.department.clone(),
            assisting: handling.assisting.clone(),
        };
        dispatch
            .check_fields()
            .map_err(|p| prefixed(p, "handling"))?;
        let mut case = case;
        for action in [CaseAction::Accept, CaseAction::Register, dispatch] {
            case = self
                .act(case.id, case.version, &action, actor, now, &calendar)
                .map_err(|e| match e {
                    Error::Domain(p) => Error::Domain(prefixed(p, "handling")),
                    other => other,
                })?;
        }
        Ok(case)
    }

    /// A dispute by its case id; `None` for any other case or tenant.
    pub fn dispute(&self, case: CaseId) -> Result<Option<Dispute>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {DISPUTE_COLUMNS} FROM mediation_disputes \
                 WHERE tenant_id = ? AND case_id = ?"
            ),
            &[self.tenant.0.into(), case.0.into()],
        )?;
        Ok(self
            .with_their_cases(&rows, "a dispute", dispute_from_row)?
            .pop())
    }

    /// Disputes, newest first, paged by case id (`before`).
    pub fn disputes(&self, before: Option<CaseId>, limit: u32) -> Result<Vec<Dispute>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {DISPUTE_COLUMNS} FROM mediation_disputes WHERE tenant_id = ? \
                 AND case_id < ? ORDER BY case_id DESC LIMIT ?"
            ),
            &[
                self.tenant.0.into(),
                before.map_or(i64::MAX, |c| c.0).into(),
                limit.clamp(1, 200).into(),
            ],
        )?;
        self.with_their_cases(&rows, "a dispute", dispute_from_row)
    }

    pub fn dispute_parties(&self, case: CaseId) -> Result<Vec<StoredParty>, Error> {
        let rows = self.db.execute(
            "SELECT id, side, kind, name, phone, address FROM mediation_parties \
             WHERE tenant_id = ? AND case_id = ? ORDER BY id",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(StoredParty {
                    id: row.get_i64("id")?,
                    party: Party {
                        side: decoded("side", Side::parse(row.get_str("side")?))?,
                        kind: decoded("kind", PartyKind::parse(row.get_str("kind")?))?,
                        name: row.get_string("name")?,
                        phone: row.get_opt_string("phone")?,
                        address: row.get_opt_string("address")?,
                    },
                })
            })
            .collect()
    }

    pub fn dispute_sessions(&self, case: CaseId) -> Result<Vec<Session>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM mediation_sessions \
                 WHERE tenant_id = ? AND case_id = ? ORDER BY id"
            ),
            &[self.tenant.0.into(), case.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| session_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// More documents for a dispute (hidden from the public like the
    /// first), uploaded by `actor`.
    pub fn add_dispute_documents(
        &self,
        case: CaseId,
        ids: &[i64],
        actor: &str,
    ) -> Result<(), Error> {
        in_transaction(self.db, |_| {
            self.open_dispute(case)?;
            let by = Uploader::Account(actor.to_string());
            self.attach_private(case, ids, Purpose::Evidence, &by)
                .map_err(|e| renamed_field(e, "attachment_ids", "document_ids"))
        })
    }

    /// Puts a session in the diary of an open dispute.
    pub fn schedule_session(
        &self,
        case: CaseId,
        new: NewSession,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Session, Error> {
        if let Some(place) = &new.place {
            limits::SESSION_PLACE.check(place)?;
        }
        in_transaction(self.db, |db| {
            let dispute = self.open_dispute(case)?;
            check_not_before_intake("scheduled_for", new.scheduled_for, dispute.taken_in_at)?;
            let rows = db.execute(
                &format!(
                    "INSERT INTO mediation_sessions (tenant_id, case_id, scheduled_for, place, \
                     scheduled_by) VALUES (?, ?, ?, ?, ?) RETURNING {SESSION_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    case.0.into(),
                    to_text(new.scheduled_for).into(),
                    trimmed(&new.place).into(),
                    actor.into(),
                ],
            )?;
            let session = session_from_row(&rows.returned()?)?;
            let zone = domain::deadline::zone_offset(&self.time_zone)?;
            self.add_note(
                case,
                actor,
                "mediation_session_scheduled",
                &domain::mediation::scheduled_note(new.scheduled_for, zone),
                false,
                now,
            )?;
            Ok(session)
        })
    }

    /// Records a session that was held: a scheduled one (`session`), or one
    /// held without being scheduled here (`None`). A recorded session
    /// cannot be recorded again (409).
    pub fn record_session(
        &self,
        case: CaseId,
        session: Option<i64>,
        record: SessionRecord,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Session, Error> {
        if let Some(agreed) = &record.agreed {
            limits::AGREED.check(agreed)?;
        }
        in_transaction(self.db, |db| {
            let dispute = self.open_dispute(case)?;
            check_session_record(&record, dispute.taken_in_at, now)?;
            let participants = serde_json::to_string(
                &record
                    .participants
                    .iter()
                    .map(|p| p.trim())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| StoreError::Sql(e.to_string()))?;
            let params = [
                to_text(record.held_at).into(),
                participants.into(),
                trimmed(&record.agreed).into(),
                actor.into(),
            ];
            let rows = match session {
                Some(id) => {
                    let existing = self
                        .dispute_sessions(case)?
                        .into_iter()
                        .find(|s| s.id == id)
                        .ok_or_else(|| Error::NotFound("no such session of this dispute".into()))?;
                    if existing.record.is_some() {
                        return Err(Problem::conflict("this session is already recorded").into());
                    }
                    let mut all = params.to_vec();
                    all.extend([self.tenant.0.into(), id.into()]);
                    db.execute(
                        &format!(
                            "UPDATE mediation_sessions SET held_at = ?, participants = ?, \
                             agreed = ?, recorded_by = ? WHERE tenant_id = ? AND id = ? \
                             RETURNING {SESSION_COLUMNS}"
                        ),
                        &all,
                    )?
                }
                None => {
                    let mut all = vec![self.tenant.0.into(), case.0.into()];
                    all.extend(params);
                    db.execute(
                        &format!(
                            "INSERT INTO mediation_sessions (tenant_id, case_id, held_at, \
                             participants, agreed, recorded_by) VALUES (?, ?, ?, ?, ?, ?) \
                             RETURNING {SESSION_COLUMNS}"
                        ),
                        &all,
                    )?
                }
            };
            let recorded = session_from_row(&rows.returned()?)?;
            let note = if record.agreed.is_some() {
                "调解会议已召开，形成共识（记录仅中心可见）"
            } else {
                "调解会议已召开，未达成共识"
            };
            self.add_note(case, actor, "mediation_session_held", note, false, now)?;
            Ok(recorded)
        })
    }

    /// Records how the dispute ended and ends its case through the case
    /// flow: "not accepted" declines a dispute not yet taken up; every other
    /// outcome needs the lead department at work (`in_progress`) and at
    /// least one document (the signed agreement, the withdrawal, the
    /// referral), and resolves, verifies and closes the case. The public
    /// timeline says only the kind of ending.
    pub fn record_outcome(
        &self,
        case_id: CaseId,
        outcome: &Outcome,
        document_ids: &[i64],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Dispute, Error> {
        let kind = outcome.kind();
        if kind.ends_handling() && document_ids.is_empty() {
            return Err(Problem::validation(
                "document_ids",
                "an outcome comes with its document (the agreement, the withdrawal, the referral): \
                 upload it first",
            )
            .into());
        }
        in_transaction(self.db, |db| {
            let dispute = self.open_dispute(case_id)?;
            let calendar = self.work_calendar()?;
            let label = kind.public_label().to_string();
            let steps: Vec<CaseAction> = match (kind.ends_handling(), dispute.case.state) {
                (false, CaseState::Reported) => {
                    vec![CaseAction::Accept, CaseAction::Decline { reason: label }]
                }
                (false, CaseState::Accepted) => vec![CaseAction::Decline { reason: label }],
                (false, state) => {
                    return Err(Problem::conflict(format!(
                        "the dispute was already taken up (state '{state}'): it can be withdrawn \
                         or referred, no longer refused"
                    ))
                    .into());
                }
                (true, CaseState::InProgress) => vec![
                    CaseAction::Resolve {
                        answer: label,
                        attachment_ids: document_ids.to_vec(),
                    },
                    CaseAction::Verify,
                    CaseAction::Close,
                ],
                (true, state) => {
                    return Err(Problem::conflict(format!(
                        "an outcome is recorded while the lead department works the dispute \
                         (state 'in_progress'); it is '{state}'"
                    ))
                    .into());
                }
            };
            let mut case = dispute.case;
            for step in &steps {
                case = self
                    .act(case.id, case.version, step, actor, now, &calendar)
                    .map_err(|e| renamed_field(e, "attachment_ids", "document_ids"))?;
            }
            self.hide_attachments(document_ids)?;
            db.execute(
                "UPDATE mediation_disputes SET outcome = ?, outcome_text = ?, outcome_by = ?, \
                 outcome_at = ? WHERE tenant_id = ? AND case_id = ?",
                &[
                    kind.as_str().into(),
                    outcome.text().into(),
                    actor.into(),
                    to_text(now).into(),
                    self.tenant.0.into(),
                    case_id.0.into(),
                ],
            )?;
            self.dispute(case_id)?
                .ok_or_else(|| Error::NotFound("no such dispute".into()))
        })
    }

    /// The dispute, if its case is still open: sessions, documents and
    /// outcomes are for disputes still being handled (409 otherwise).
    fn open_dispute(&self, case: CaseId) -> Result<Dispute, Error> {
        let dispute = self
            .dispute(case)?
            .ok_or_else(|| Error::NotFound("no such dispute".into()))?;
        require_open(&dispute.case, "dispute", "reopen it first")?;
        Ok(dispute)
    }

    /// Every dispute taken in between two moments, as the figures count it.
    pub fn dispute_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DisputeFact>, Error> {
        let rows = self.db.execute(
            "SELECT d.kind, d.taken_in_at, d.outcome, c.department_id \
             FROM mediation_disputes d JOIN cases c ON c.id = d.case_id AND c.tenant_id = d.tenant_id \
             WHERE d.tenant_id = ? AND d.taken_in_at >= ? AND d.taken_in_at < ?",
            &[
                self.tenant.0.into(),
                to_text(from).into(),
                to_text(to).into(),
            ],
        )?;
        rows.iter()
            .map(|row| {
                Ok(DisputeFact {
                    kind: decoded("kind", DisputeKind::parse(row.get_str("kind")?))?,
                    department: row.get_opt_i64("department_id")?,
                    taken_in_on: self.local_date(get_time(&row, "taken_in_at")?)?,
                    outcome: row
                        .get_opt_str("outcome")?
                        .map(|o| decoded("outcome", OutcomeKind::parse(o)))
                        .transpose()?,
                })
            })
            .collect()
    }
}

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The case flow names its fields (`attachment_ids`, `department`); the
/// dispute's request names them differently.
fn renamed_field(error: Error, from: &str, to: &str) -> Error {
    match error {
        Error::Domain(p) => match p.field.as_deref() {
            Some(field) if field.starts_with(from) => {
                let renamed = field.replacen(from, to, 1);
                Error::Domain(p.with_field(renamed))
            }
            _ => Error::Domain(p),
        },
        other => other,
    }
}

fn prefixed(problem: Problem, prefix: &str) -> Problem {
    match problem.field.clone() {
        Some(field) => problem.with_field(format!("{prefix}.{field}")),
        None => problem,
    }
}

fn dispute_from_row(row: &Row<'_>, case: Case) -> Result<Dispute, StoreError> {
    let outcome = match row.get_opt_str("outcome")? {
        None => None,
        Some(kind) => Some(RecordedOutcome {
            kind: decoded("outcome", OutcomeKind::parse(kind))?,
            text: row.get_opt_string("outcome_text")?,
            by: row.get_opt_string("outcome_by")?.unwrap_or_default(),
            at: get_time(row, "outcome_at")?,
        }),
    };
    Ok(Dispute {
        case,
        kind: decoded("kind", DisputeKind::parse(row.get_str("kind")?))?,
        subject: row.get_string("subject")?,
        amount: row.get_opt_i64("amount_fen")?.map(Amount::from_fen),
        window: row.get_string("intake_window")?,
        taken_in_by: UserId(row.get_i64("taken_in_by")?),
        taken_in_at: get_time(row, "taken_in_at")?,
        outcome,
    })
}

fn session_from_row(row: &Row<'_>) -> Result<Session, StoreError> {
    let record = match get_opt_time(row, "held_at")? {
        None => None,
        Some(held_at) => Some(SessionRecord {
            held_at,
            participants: serde_json::from_str(row.get_str("participants")?).map_err(|_| {
                StoreError::Decode {
                    column: "participants".into(),
                    expected: "a JSON list of strings",
                }
            })?,
            agreed: row.get_opt_string("agreed")?,
        }),
    };
    Ok(Session {
        id: row.get_i64("id")?,
        scheduled_for: get_opt_time(row, "scheduled_for")?,
        place: row.get_opt_string("place")?,
        scheduled_by: row.get_opt_string("scheduled_by")?,
        record,
        recorded_by: row.get_opt_string("recorded_by")?,
    })
}
