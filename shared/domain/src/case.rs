//! The case (事件) life cycle: which action is legal in which state.
//!
//! The legal moves are written once, as data, in [`TRANSITIONS`]; [`CaseState::next`]
//! only looks them up. Documentation, the API's list of allowed actions and the tests
//! all read the same table, so they cannot drift apart.

use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a case stands. The wire names (`as_str`) are stored in the database and sent to
/// clients: renaming one needs a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Reported,
    Accepted,
    Registered,
    /// Terminal: the centre decided it is not a case for the platform.
    Declined,
    Dispatched,
    SignedFor,
    InProgress,
    /// Waiting for the reporter to supply something; the deadline clock is paused.
    AwaitingReporter,
    Resolved,
    Verified,
    Closed,
    /// Terminal: counted in reviews and frozen.
    Archived,
}

impl CaseState {
    pub const ALL: [CaseState; 12] = [
        Self::Reported,
        Self::Accepted,
        Self::Registered,
        Self::Declined,
        Self::Dispatched,
        Self::SignedFor,
        Self::InProgress,
        Self::AwaitingReporter,
        Self::Resolved,
        Self::Verified,
        Self::Closed,
        Self::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Accepted => "accepted",
            Self::Registered => "registered",
            Self::Declined => "declined",
            Self::Dispatched => "dispatched",
            Self::SignedFor => "signed_for",
            Self::InProgress => "in_progress",
            Self::AwaitingReporter => "awaiting_reporter",
            Self::Resolved => "resolved",
            Self::Verified => "verified",
            Self::Closed => "closed",
            Self::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Problem::validation("state", format!("unknown case state '{s}'")))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Reported => "上报",
            Self::Accepted => "受理",
            Self::Registered => "立案",
            Self::Declined => "不予立案",
            Self::Dispatched => "分拨",
            Self::SignedFor => "签收",
            Self::InProgress => "处置",
            Self::AwaitingReporter => "待补充",
            Self::Resolved => "办结反馈",
            Self::Verified => "核查通过",
            Self::Closed => "结案",
            Self::Archived => "归档",
        }
    }

    /// Counted as not yet closed (dashboards, closure rate, overdue checks).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Declined | Self::Closed | Self::Archived)
    }

    /// Whether the deadline clock stops while the case is here, so that waiting on the
    /// reporter is not charged to the department.
    pub fn clock_paused(self) -> bool {
        matches!(self, Self::AwaitingReporter)
    }

    /// No action is legal any more.
    pub fn is_terminal(self) -> bool {
        !TRANSITIONS.iter().any(|(from, _, _)| *from == self)
    }

    /// The actions legal in this state, in table order (e.g. to render buttons).
    pub fn allowed_actions(self) -> impl Iterator<Item = ActionKind> {
        TRANSITIONS
            .iter()
            .filter(move |(from, _, _)| *from == self)
            .map(|(_, action, _)| *action)
    }

    /// The state after `action`, or why it is refused. Pure: the caller persists.
    pub fn next(&self, action: &CaseAction) -> Result<CaseState, IllegalTransition> {
        let kind = action.kind();
        TRANSITIONS
            .iter()
            .find(|(from, a, _)| from == self && *a == kind)
            .map(|(_, _, to)| *to)
            .ok_or(IllegalTransition {
                state: *self,
                action: kind,
            })
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What someone does to a case. The data is what the case history must record.
/// Wire form: `{"action": "decline", "reason": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    Accept,
    Decline {
        reason: String,
    },
    Register,
    /// To a lead department, with any assisting departments for a jointly
    /// handled case (联办), each with its own part.
    Dispatch {
        department: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        assisting: Vec<AssistingPart>,
    },
    /// 转办: the command centre moves a dispatched case to another department;
    /// the clock keeps running from the first dispatch.
    Transfer {
        department: String,
        reason: String,
    },
    /// A misrouted case gets its right category; a dispatched one comes back
    /// to the command centre for re-dispatch, its clock recounted from the
    /// first dispatch with the new category's hours.
    Recategorise {
        category: String,
        reason: String,
    },
    SignFor,
    /// 退单: the department hands the case back for re-dispatch.
    Return {
        reason: String,
    },
    RequestExtension,
    GrantExtension,
    RefuseExtension,
    StartWork,
    AwaitReporter,
    ReporterReplied,
    /// The answer and the result's attachments (photos of the work done),
    /// uploaded beforehand; at least one is required.
    Resolve {
        answer: String,
        #[serde(default)]
        attachment_ids: Vec<i64>,
    },
    Verify,
    RejectVerification {
        reason: String,
    },
    Close,
    Reopen {
        reason: String,
    },
    Archive,
    /// 当场解决: a grid worker records a problem already fixed; it skips the whole flow.
    FixedOnTheSpot,
    /// 撤销智能分拨: the command centre takes back a dispatch the smart
    /// triage made (the department had not yet moved it on), sending the
    /// case back to triage; the triage model forgets the case.
    UndoTriage {
        reason: String,
    },
}

/// An assisting department's share of a jointly handled case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistingPart {
    pub department: String,
    /// What this department is to do.
    pub part: String,
}

/// The data-less twin of [`CaseAction`], for the transition table and for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Accept,
    Decline,
    Register,
    Dispatch,
    Transfer,
    Recategorise,
    SignFor,
    Return,
    RequestExtension,
    GrantExtension,
    RefuseExtension,
    StartWork,
    AwaitReporter,
    ReporterReplied,
    Resolve,
    Verify,
    RejectVerification,
    Close,
    Reopen,
    Archive,
    FixedOnTheSpot,
    UndoTriage,
}

impl ActionKind {
    /// The fields a step asks for besides the version, as its JSON names
    /// them: what a page's form for it shows, all required. (A dispatch may
    /// also name `assisting` departments; a resolution's `attachment_ids`
    /// may be empty where [`CaseSource::results_are_photographed`] is not.)
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Decline
            | Self::Return
            | Self::RejectVerification
            | Self::Reopen
            | Self::UndoTriage => &["reason"],
            Self::Dispatch => &["department"],
            Self::Transfer => &["department", "reason"],
            Self::Recategorise => &["category", "reason"],
            Self::Resolve => &["answer", "attachment_ids"],
            _ => &[],
        }
    }

    pub const ALL: [ActionKind; 22] = [
        Self::Accept,
        Self::Decline,
        Self::Register,
        Self::Dispatch,
        Self::Transfer,
        Self::Recategorise,
        Self::SignFor,
        Self::Return,
        Self::RequestExtension,
        Self::GrantExtension,
        Self::RefuseExtension,
        Self::StartWork,
        Self::AwaitReporter,
        Self::ReporterReplied,
        Self::Resolve,
        Self::Verify,
        Self::RejectVerification,
        Self::Close,
        Self::Reopen,
        Self::Archive,
        Self::FixedOnTheSpot,
        Self::UndoTriage,
    ];

    /// Whether the public tracking page shows this step. Internal back-and-forth (returns,
    /// extensions, failed checks) is for the back office and the performance review.
    pub fn is_public(self) -> bool {
        !matches!(
            self,
            Self::Return
                | Self::Recategorise
                | Self::RequestExtension
                | Self::GrantExtension
                | Self::RefuseExtension
                | Self::RejectVerification
                | Self::UndoTriage
        )
    }

    /// Stable wire name, the same as the `action` tag of [`CaseAction`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Register => "register",
            Self::Dispatch => "dispatch",
            Self::Transfer => "transfer",
            Self::Recategorise => "recategorise",
            Self::SignFor => "sign_for",
            Self::Return => "return",
            Self::RequestExtension => "request_extension",
            Self::GrantExtension => "grant_extension",
            Self::RefuseExtension => "refuse_extension",
            Self::StartWork => "start_work",
            Self::AwaitReporter => "await_reporter",
            Self::ReporterReplied => "reporter_replied",
            Self::Resolve => "resolve",
            Self::Verify => "verify",
            Self::RejectVerification => "reject_verification",
            Self::Close => "close",
            Self::Reopen => "reopen",
            Self::Archive => "archive",
            Self::FixedOnTheSpot => "fixed_on_the_spot",
            Self::UndoTriage => "undo_triage",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CaseAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Accept => ActionKind::Accept,
            Self::Decline { .. } => ActionKind::Decline,
            Self::Register => ActionKind::Register,
            Self::Dispatch { .. } => ActionKind::Dispatch,
            Self::Transfer { .. } => ActionKind::Transfer,
            Self::Recategorise { .. } => ActionKind::Recategorise,
            Self::SignFor => ActionKind::SignFor,
            Self::Return { .. } => ActionKind::Return,
            Self::RequestExtension => ActionKind::RequestExtension,
            Self::GrantExtension => ActionKind::GrantExtension,
            Self::RefuseExtension => ActionKind::RefuseExtension,
            Self::StartWork => ActionKind::StartWork,
            Self::AwaitReporter => ActionKind::AwaitReporter,
            Self::ReporterReplied => ActionKind::ReporterReplied,
            Self::Resolve { .. } => ActionKind::Resolve,
            Self::Verify => ActionKind::Verify,
            Self::RejectVerification { .. } => ActionKind::RejectVerification,
            Self::Close => ActionKind::Close,
            Self::Reopen { .. } => ActionKind::Reopen,
            Self::Archive => ActionKind::Archive,
            Self::FixedOnTheSpot => ActionKind::FixedOnTheSpot,
            Self::UndoTriage { .. } => ActionKind::UndoTriage,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// What the history records of the action's data (reason, department,
    /// answer), in words a reader of the timeline understands.
    pub fn note(&self) -> Option<String> {
        match self {
            Self::Decline { reason }
            | Self::Return { reason }
            | Self::RejectVerification { reason }
            | Self::Reopen { reason }
            | Self::UndoTriage { reason } => Some(reason.trim().to_string()),
            Self::Dispatch {
                department,
                assisting,
            } if assisting.is_empty() => Some(department.clone()),
            Self::Dispatch {
                department,
                assisting,
            } => {
                let helpers: Vec<&str> = assisting.iter().map(|a| a.department.as_str()).collect();
                Some(format!("{department} (assisting: {})", helpers.join(", ")))
            }
            Self::Transfer { department, reason } => {
                Some(format!("to {department}: {}", reason.trim()))
            }
            Self::Recategorise { category, reason } => {
                Some(format!("to {category}: {}", reason.trim()))
            }
            Self::Resolve { answer, .. } => Some(answer.trim().to_string()),
            _ => None,
        }
    }

    /// The step's data as the timeline carries it beside the note, so that
    /// no reader parses the note: a dispatch's department and assisting
    /// departments, a transfer's department and reason, a
    /// recategorisation's category and reason (codes: pages name them).
    pub fn details(&self) -> Option<serde_json::Value> {
        use serde_json::json;
        match self {
            Self::Dispatch {
                department,
                assisting,
            } => Some(json!({
                "department": department,
                "assisting": assisting.iter().map(|a| &a.department).collect::<Vec<_>>(),
            })),
            Self::Transfer { department, reason } => {
                Some(json!({ "department": department, "reason": reason.trim() }))
            }
            Self::Recategorise { category, reason } => {
                Some(json!({ "category": category, "reason": reason.trim() }))
            }
            _ => None,
        }
    }

    /// The texts the action must not leave blank, with the field each is in.
    fn required_texts(&self) -> Vec<(String, &str)> {
        match self {
            Self::Decline { reason }
            | Self::Return { reason }
            | Self::RejectVerification { reason }
            | Self::Reopen { reason }
            | Self::UndoTriage { reason } => vec![("reason".into(), reason)],
            Self::Dispatch {
                department,
                assisting,
            } => {
                let mut texts = vec![("department".into(), department.as_str())];
                for (i, part) in assisting.iter().enumerate() {
                    texts.push((format!("assisting[{i}].department"), &part.department));
                    texts.push((format!("assisting[{i}].part"), &part.part));
                }
                texts
            }
            Self::Transfer { department, reason } => {
                vec![("department".into(), department), ("reason".into(), reason)]
            }
            Self::Recategorise { category, reason } => {
                vec![("category".into(), category), ("reason".into(), reason)]
            }
            Self::Resolve { answer, .. } => vec![("answer".into(), answer)],
            _ => Vec::new(),
        }
    }

    /// Refuses blank text: a decline without a reason or an answer without
    /// content is exactly what "every case gets an answer" forbids.
    pub fn check_fields(&self) -> Result<(), Problem> {
        for (field, text) in self.required_texts() {
            if text.trim().is_empty() {
                return Err(Problem::validation(
                    field.clone(),
                    format!("'{}' needs a non-empty {field}", self.name()),
                ));
            }
        }
        if let Self::Dispatch {
            department,
            assisting,
        } = self
        {
            for (i, part) in assisting.iter().enumerate() {
                let repeated = part.department == *department
                    || assisting[..i]
                        .iter()
                        .any(|p| p.department == part.department);
                if repeated {
                    // Each once across the list: beyond what the document states.
                    return Err(Problem::unprocessable(
                        format!("assisting[{i}].department"),
                        "each department takes one part: the lead and the assisting departments differ",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl CaseAction {
    /// Refuses resolving a problem in the field without a photo of the work
    /// done; a case whose result is a text (a policy answer, an agreement, a
    /// matter's outcome) may attach documents but need not.
    pub fn check_evidence(&self, source: CaseSource) -> Result<(), Problem> {
        if let Self::Resolve { attachment_ids, .. } = self
            && attachment_ids.is_empty()
            && source.results_are_photographed()
        {
            // Hangs on the case's source, which the request does not carry.
            return Err(Problem::coded(
                crate::ProblemCode::ResultPhotoRequired,
                "'resolve' needs at least one result attachment (a photo of the work done)",
            )
            .with_field("attachment_ids"));
        }
        Ok(())
    }
}

/// Database identity of a case. Internal: the public sees only the tracking code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub i64);

/// Where a case came in; the report counts closure rates per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    GridWorker,
    Resident,
    Enterprise,
    /// The mediation centre's single window (矛调中心).
    Mediation,
    /// A petition agent acting for a resident (代办员).
    Agent,
}

impl CaseSource {
    pub const ALL: [CaseSource; 5] = [
        Self::GridWorker,
        Self::Resident,
        Self::Enterprise,
        Self::Mediation,
        Self::Agent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GridWorker => "grid_worker",
            Self::Resident => "resident",
            Self::Enterprise => "enterprise",
            Self::Mediation => "mediation",
            Self::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| Problem::validation("source", format!("unknown case source '{s}'")))
    }

    /// Whether the case is a problem in a place (reported by a grid worker
    /// or a resident), fixed there and shown fixed by a photo.
    pub fn results_are_photographed(self) -> bool {
        matches!(self, Self::GridWorker | Self::Resident)
    }
}

/// A WGS-84 point. Valid by construction, so a stored location is always plottable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LocationWire", into = "LocationWire")]
pub struct Location {
    latitude: f64,
    longitude: f64,
}

#[derive(Serialize, Deserialize)]
struct LocationWire {
    latitude: f64,
    longitude: f64,
}

impl Location {
    pub fn new(latitude: f64, longitude: f64) -> Result<Location, Problem> {
        if !(-crate::geo::MAX_LATITUDE..=crate::geo::MAX_LATITUDE).contains(&latitude) {
            return Err(Problem::validation(
                "latitude",
                "latitude must be within -90..90",
            ));
        }
        if !(-crate::geo::MAX_LONGITUDE..=crate::geo::MAX_LONGITUDE).contains(&longitude) {
            return Err(Problem::validation(
                "longitude",
                "longitude must be within -180..180",
            ));
        }
        Ok(Location {
            latitude,
            longitude,
        })
    }

    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    pub fn longitude(&self) -> f64 {
        self.longitude
    }
}

impl TryFrom<LocationWire> for Location {
    type Error = Problem;
    fn try_from(w: LocationWire) -> Result<Self, Problem> {
        Location::new(w.latitude, w.longitude)
    }
}

impl From<Location> for LocationWire {
    fn from(l: Location) -> Self {
        LocationWire {
            latitude: l.latitude,
            longitude: l.longitude,
        }
    }
}

/// Every legal move: (from, action, to). The single source of truth of the life cycle.
/// Extension requests leave the state unchanged but are only legal while a department
/// holds the case.
pub const TRANSITIONS: &[(CaseState, ActionKind, CaseState)] = {
    use ActionKind as A;
    use CaseState as S;
    &[
        (S::Reported, A::Accept, S::Accepted),
        (S::Reported, A::FixedOnTheSpot, S::Closed),
        (S::Accepted, A::Register, S::Registered),
        (S::Accepted, A::Decline, S::Declined),
        (S::Registered, A::Dispatch, S::Dispatched),
        (S::Reported, A::Recategorise, S::Reported),
        (S::Accepted, A::Recategorise, S::Accepted),
        (S::Registered, A::Recategorise, S::Registered),
        (S::Dispatched, A::Recategorise, S::Registered),
        (S::SignedFor, A::Recategorise, S::Registered),
        (S::Dispatched, A::Transfer, S::Dispatched),
        (S::SignedFor, A::Transfer, S::Dispatched),
        (S::InProgress, A::Transfer, S::Dispatched),
        (S::Dispatched, A::SignFor, S::SignedFor),
        (S::Dispatched, A::UndoTriage, S::Registered),
        (S::SignedFor, A::UndoTriage, S::Registered),
        (S::Dispatched, A::Return, S::Registered),
        (S::SignedFor, A::Return, S::Registered),
        (S::SignedFor, A::StartWork, S::InProgress),
        (S::SignedFor, A::RequestExtension, S::SignedFor),
        (S::SignedFor, A::GrantExtension, S::SignedFor),
        (S::SignedFor, A::RefuseExtension, S::SignedFor),
        (S::InProgress, A::RequestExtension, S::InProgress),
        (S::InProgress, A::GrantExtension, S::InProgress),
        (S::InProgress, A::RefuseExtension, S::InProgress),
        (S::InProgress, A::AwaitReporter, S::AwaitingReporter),
        (S::InProgress, A::Resolve, S::Resolved),
        (S::AwaitingReporter, A::ReporterReplied, S::InProgress),
        (S::Resolved, A::Verify, S::Verified),
        (S::Resolved, A::RejectVerification, S::InProgress),
        (S::Verified, A::Close, S::Closed),
        (S::Closed, A::Reopen, S::InProgress),
        (S::Closed, A::Archive, S::Archived),
    ]
};

/// An action refused in a state. Becomes a 409 problem naming both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot '{action}' a case in state '{state}'")]
pub struct IllegalTransition {
    pub state: CaseState,
    pub action: ActionKind,
}

impl From<IllegalTransition> for Problem {
    fn from(e: IllegalTransition) -> Problem {
        Problem::illegal_transition(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The fields a page is told a step asks for are the ones its wire form
    /// has: a body of just those (and the action) is that step, and a
    /// body missing one of them is refused.
    #[test]
    fn each_steps_fields_are_its_wire_forms() {
        for kind in ActionKind::ALL {
            let sample = serde_json::to_value(sample(kind)).unwrap();
            let mut wire: Vec<&str> = sample
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "action" && *k != "assisting")
                .collect();
            wire.sort_unstable();
            let mut told = kind.fields().to_vec();
            told.sort_unstable();
            assert_eq!(told, wire, "{kind:?}");
        }
    }

    /// A sample action of each kind, with placeholder text.
    fn sample(kind: ActionKind) -> CaseAction {
        let t = || "x".to_owned();
        match kind {
            ActionKind::Accept => CaseAction::Accept,
            ActionKind::Decline => CaseAction::Decline { reason: t() },
            ActionKind::Register => CaseAction::Register,
            ActionKind::Dispatch => CaseAction::Dispatch {
                department: t(),
                assisting: Vec::new(),
            },
            ActionKind::Transfer => CaseAction::Transfer {
                department: t(),
                reason: t(),
            },
            ActionKind::Recategorise => CaseAction::Recategorise {
                category: t(),
                reason: t(),
            },
            ActionKind::SignFor => CaseAction::SignFor,
            ActionKind::Return => CaseAction::Return { reason: t() },
            ActionKind::RequestExtension => CaseAction::RequestExtension,
            ActionKind::GrantExtension => CaseAction::GrantExtension,
            ActionKind::RefuseExtension => CaseAction::RefuseExtension,
            ActionKind::StartWork => CaseAction::StartWork,
            ActionKind::AwaitReporter => CaseAction::AwaitReporter,
            ActionKind::ReporterReplied => CaseAction::ReporterReplied,
            ActionKind::Resolve => CaseAction::Resolve {
                answer: t(),
                attachment_ids: vec![1],
            },
            ActionKind::Verify => CaseAction::Verify,
            ActionKind::RejectVerification => CaseAction::RejectVerification { reason: t() },
            ActionKind::Close => CaseAction::Close,
            ActionKind::Reopen => CaseAction::Reopen { reason: t() },
            ActionKind::Archive => CaseAction::Archive,
            ActionKind::FixedOnTheSpot => CaseAction::FixedOnTheSpot,
            ActionKind::UndoTriage => CaseAction::UndoTriage { reason: t() },
        }
    }

    /// Written independently of the table, from domain.md's case flow.
    fn check(from: CaseState, action: ActionKind, expected: Option<CaseState>) {
        let actual = from.next(&sample(action)).ok();
        assert_eq!(actual, expected, "{from} --{action}-->");
    }

    #[test]
    fn the_typical_flow() {
        use ActionKind as A;
        use CaseState as S;
        check(S::Reported, A::Accept, Some(S::Accepted));
        check(S::Reported, A::FixedOnTheSpot, Some(S::Closed));
        check(S::Reported, A::SignFor, None);
        check(S::Reported, A::Register, None);
        check(S::Accepted, A::Register, Some(S::Registered));
        check(S::Accepted, A::Decline, Some(S::Declined));
        check(S::Registered, A::Dispatch, Some(S::Dispatched));
        check(S::Registered, A::Resolve, None);
        check(S::Registered, A::Recategorise, Some(S::Registered));
        check(S::Dispatched, A::Recategorise, Some(S::Registered));
        check(S::SignedFor, A::Recategorise, Some(S::Registered));
        check(S::InProgress, A::Recategorise, None);
        check(S::Dispatched, A::Transfer, Some(S::Dispatched));
        check(S::InProgress, A::Transfer, Some(S::Dispatched));
        check(S::Registered, A::Transfer, None);
        check(S::Resolved, A::Transfer, None);
        check(S::Dispatched, A::SignFor, Some(S::SignedFor));
        check(S::Dispatched, A::Return, Some(S::Registered));
        check(S::Dispatched, A::RequestExtension, None);
        check(S::SignedFor, A::Return, Some(S::Registered));
        check(S::SignedFor, A::RequestExtension, Some(S::SignedFor));
        check(S::SignedFor, A::StartWork, Some(S::InProgress));
        check(S::InProgress, A::GrantExtension, Some(S::InProgress));
        check(S::InProgress, A::AwaitReporter, Some(S::AwaitingReporter));
        check(S::AwaitingReporter, A::Resolve, None);
        check(S::AwaitingReporter, A::ReporterReplied, Some(S::InProgress));
        check(S::InProgress, A::Resolve, Some(S::Resolved));
        check(S::Resolved, A::RejectVerification, Some(S::InProgress));
        check(S::Resolved, A::Verify, Some(S::Verified));
        check(S::Resolved, A::Close, None);
        check(S::Verified, A::Close, Some(S::Closed));
        check(S::Closed, A::Reopen, Some(S::InProgress));
        check(S::Closed, A::Archive, Some(S::Archived));
        check(S::Archived, A::Reopen, None);
        check(S::Declined, A::Accept, None);
    }

    #[test]
    fn illegal_transition_problem_names_state_and_action() {
        let err = CaseState::Reported
            .next(&CaseAction::SignFor)
            .expect_err("illegal");
        let problem = Problem::from(err);
        assert_eq!(problem.status(), 409);
        assert_eq!(problem.kind, crate::ProblemKind::IllegalTransition);
        assert_eq!(
            problem.detail,
            "cannot 'sign_for' a case in state 'reported'"
        );
    }

    #[test]
    fn table_is_a_function() {
        let keys: BTreeSet<_> = TRANSITIONS.iter().map(|(f, a, _)| (*f, *a)).collect();
        assert_eq!(keys.len(), TRANSITIONS.len(), "duplicate (state, action)");
    }

    #[test]
    fn terminal_states_accept_nothing() {
        let terminal: Vec<_> = CaseState::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal, [CaseState::Declined, CaseState::Archived]);
        for state in terminal {
            assert!(!state.is_open());
            for kind in ActionKind::ALL {
                assert!(state.next(&sample(kind)).is_err());
            }
        }
    }

    #[test]
    fn all_states_reachable_from_reported() {
        let mut seen = BTreeSet::from([CaseState::Reported]);
        let mut frontier = vec![CaseState::Reported];
        while let Some(state) = frontier.pop() {
            for kind in state.allowed_actions() {
                let next = state.next(&sample(kind)).expect("allowed");
                if seen.insert(next) {
                    frontier.push(next);
                }
            }
        }
        assert_eq!(seen.len(), CaseState::ALL.len());
    }

    #[test]
    fn every_action_is_used_somewhere() {
        for kind in ActionKind::ALL {
            assert!(TRANSITIONS.iter().any(|(_, a, _)| *a == kind), "{kind}");
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for state in CaseState::ALL {
            assert_eq!(CaseState::parse(state.as_str()), Ok(state));
            let json = serde_json::to_string(&state).expect("serialise");
            assert_eq!(json, format!("\"{state}\""));
        }
        for kind in ActionKind::ALL {
            let action = sample(kind);
            let json = serde_json::to_value(&action).expect("serialise");
            assert_eq!(json["action"], kind.name());
            let back: CaseAction = serde_json::from_value(json).expect("deserialise");
            assert_eq!(back, action);
        }
        let decline: CaseAction =
            serde_json::from_str(r#"{"action":"decline","reason":"not ours"}"#).expect("parse");
        assert_eq!(
            decline,
            CaseAction::Decline {
                reason: "not ours".into()
            }
        );
        assert!(serde_json::from_str::<CaseAction>(r#"{"action":"decline"}"#).is_err());
        assert!(serde_json::from_str::<CaseAction>(r#"{"action":"explode"}"#).is_err());
    }

    #[test]
    fn blank_text_is_refused() {
        let p = CaseAction::Resolve {
            answer: " ".into(),
            attachment_ids: vec![1],
        }
        .check_fields()
        .expect_err("blank");
        assert_eq!(p.field.as_deref(), Some("answer"));
        assert!(CaseAction::Accept.check_fields().is_ok());
        let dispatch = |assisting: &[(&str, &str)]| CaseAction::Dispatch {
            department: "urban".into(),
            assisting: assisting
                .iter()
                .map(|(department, part)| AssistingPart {
                    department: department.to_string(),
                    part: part.to_string(),
                })
                .collect(),
        };
        assert!(dispatch(&[]).check_fields().is_ok());
        assert!(dispatch(&[("police", "keep order")]).check_fields().is_ok());
        let blank_part = dispatch(&[("police", " ")])
            .check_fields()
            .expect_err("blank");
        assert_eq!(blank_part.field.as_deref(), Some("assisting[0].part"));
        let lead_again = dispatch(&[("police", "a"), ("urban", "b")])
            .check_fields()
            .expect_err("lead assists itself");
        assert_eq!(lead_again.field.as_deref(), Some("assisting[1].department"));
        let twice = dispatch(&[("police", "a"), ("police", "b")]).check_fields();
        assert!(twice.is_err());
        let blank_reason = CaseAction::Transfer {
            department: "police".into(),
            reason: "".into(),
        }
        .check_fields()
        .expect_err("blank");
        assert_eq!(blank_reason.field.as_deref(), Some("reason"));
    }

    #[test]
    fn a_resolution_shows_its_result() {
        let unphotographed = CaseAction::Resolve {
            answer: "已修复".into(),
            attachment_ids: vec![],
        };
        for source in CaseSource::ALL {
            let checked = unphotographed.check_evidence(source);
            if source.results_are_photographed() {
                let p = checked.expect_err("no photo of a fix");
                assert_eq!(p.field.as_deref(), Some("attachment_ids"));
            } else {
                assert!(checked.is_ok(), "{source:?}: an answer stands alone");
            }
        }
        assert!(unphotographed.check_fields().is_ok());
        assert_eq!(
            CaseAction::Transfer {
                department: "police".into(),
                reason: " 属公安管辖 ".into()
            }
            .note()
            .as_deref(),
            Some("to police: 属公安管辖")
        );
    }

    #[test]
    fn clock_and_openness() {
        assert!(CaseState::AwaitingReporter.clock_paused());
        assert!(!CaseState::InProgress.clock_paused());
        assert!(CaseState::Resolved.is_open());
        assert!(!CaseState::Closed.is_open());
    }

    #[test]
    fn locations() {
        assert!(Location::new(30.1, 120.2).is_ok());
        assert!(Location::new(-90.0, 180.0).is_ok());
        let p = Location::new(91.0, 0.0).expect_err("out of range");
        assert_eq!(p.field.as_deref(), Some("latitude"));
        assert!(Location::new(0.0, -180.5).is_err());
        assert!(Location::new(f64::NAN, 0.0).is_err());
        assert!(serde_json::from_str::<Location>(r#"{"latitude":100,"longitude":0}"#).is_err());
        for source in CaseSource::ALL {
            assert_eq!(CaseSource::parse(source.as_str()), Ok(source));
        }
    }

    proptest! {
        #[test]
        fn random_walks_stay_inside_the_table(
            picks in proptest::collection::vec(0..ActionKind::ALL.len(), 0..60)
        ) {
            let reachable: BTreeSet<_> = TRANSITIONS
                .iter()
                .map(|(_, _, to)| *to)
                .chain([CaseState::Reported])
                .collect();
            let mut state = CaseState::Reported;
            for i in picks {
                let kind = ActionKind::ALL[i];
                let in_table = TRANSITIONS
                    .iter()
                    .find(|(f, a, _)| *f == state && *a == kind)
                    .map(|(_, _, to)| *to);
                match state.next(&sample(kind)) {
                    Ok(next) => {
                        prop_assert_eq!(Some(next), in_table);
                        prop_assert!(!state.is_terminal());
                        state = next;
                    }
                    Err(e) => {
                        prop_assert_eq!(in_table, None);
                        prop_assert_eq!(e, IllegalTransition { state, action: kind });
                    }
                }
                prop_assert!(reachable.contains(&state));
            }
        }
    }
}
