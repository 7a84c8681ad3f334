//! What the public may see of a case (晒), decided here and nowhere else.
//!
//! Callers hand over everything they know of a case, private parts included
//! ([`CaseFacts`]), so that the decision to leave something out is made in
//! this module, not by each caller forgetting to copy a field:
//! - the reporter's name, phone, e-mail and address are never published, and
//!   are masked wherever they recur in published text; so are phone-like
//!   digit runs (phones, ID-card numbers) and e-mail addresses;
//! - the place is named at grid level (community and grid), never the
//!   micro-grid (a building) and never the exact point; Open311 gets the
//!   point rounded to ~100 m ([`public_point`]);
//! - only public timeline steps appear, each with who acted as a department
//!   or a role, never a person;
//! - an attachment is public only while on a case (or notice) and not hidden.
//!
//! With the reporter's secret, [`ReporterView`] adds back what is theirs.

use chrono::{DateTime, Utc};

use crate::auth::Role;
use crate::case::{CaseSource, CaseState, Location};
use crate::grid::{GridLevel, GridNode, GridNodeId};
use crate::intake::AttachmentKind;
use crate::problem::Problem;

/// Everything known of a case that publication decides on.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub tracking_code: &'a str,
    pub category: &'a str,
    pub description: &'a str,
    pub state: CaseState,
    /// The case's grid node and its ancestors, root first (empty if none).
    pub grid_path: &'a [GridNode],
    pub reported_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub response_due_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub fixed_on_the_spot: bool,
    pub me_too_count: i64,
    pub rating: Option<i64>,
    pub private: PrivateFacts<'a>,
}

/// The reporter's own data: never public.
#[derive(Debug, Clone, Default)]
pub struct PrivateFacts<'a> {
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
    pub location: Option<Location>,
    pub rating_comment: Option<&'a str>,
    pub reopened_by_rating: bool,
}

/// One step of the case's history, as stored.
#[derive(Debug, Clone)]
pub struct EventFacts<'a> {
    pub at: DateTime<Utc>,
    /// An `ActionKind` name, `report`, or the kind of a note (`comment`, …).
    pub action: &'a str,
    pub to_state: CaseState,
    pub note: Option<&'a str>,
    pub public: bool,
    /// As recorded: `role:user id`, `reporter`, a case source, `system:…`, `open311:…`.
    pub actor: &'a str,
    /// The department the step is credited to, when known: the acting
    /// staff member's department, or the one a dispatch sent the case to.
    pub department: Option<&'a str>,
}

/// A file on a case, as stored.
#[derive(Debug, Clone, Copy)]
pub struct AttachmentFacts {
    pub id: i64,
    pub kind: AttachmentKind,
    /// The department's result (true) or the reporter's evidence.
    pub result: bool,
    /// Not hidden by staff.
    pub public: bool,
}

/// Whether anyone may see a file: it must be of a kind that may be public
/// (a dispute's PDF paper never is), on a case or a notice (an upload not
/// yet used by anything is its uploader's alone) and not hidden.
pub fn attachment_is_public(
    kind: AttachmentKind,
    not_hidden: bool,
    on_case_or_notice: bool,
) -> bool {
    kind.may_be_public() && not_hidden && on_case_or_notice
}

/// Whether the holder of a case's secret sees one of its files: their own
/// evidence always (hidden from the public or not), the department's
/// result photos while public, and never a dispute's PDF paper.
pub fn reporter_sees(attachment: &AttachmentFacts) -> bool {
    attachment.kind.may_be_public() && (!attachment.result || attachment.public)
}

/// A point as Open311 publishes it: rounded to three decimals (~100 m).
pub fn public_point(location: Location) -> (f64, f64) {
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    (round(location.latitude()), round(location.longitude()))
}

/// A named grid node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceName {
    pub code: String,
    pub name: String,
}

/// Where a case is, as precisely as the public may know: the community and
/// the grid, never the micro-grid (a building or a few households).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPlace {
    pub community: Option<PlaceName>,
    pub grid: Option<PlaceName>,
}

impl PublicPlace {
    /// From a node's path, root first; `None` when nothing below the
    /// township (the tenant itself) is known.
    pub fn from_path(path: &[GridNode]) -> Option<PublicPlace> {
        let at = |level: GridLevel| {
            path.iter().find(|n| n.level == level).map(|n| PlaceName {
                code: n.code.as_str().to_string(),
                name: n.name.clone(),
            })
        };
        let place = PublicPlace {
            community: at(GridLevel::Community),
            grid: at(GridLevel::Grid),
        };
        (place.community.is_some() || place.grid.is_some()).then_some(place)
    }

    /// "东湖社区 · 第一网格".
    pub fn label(&self) -> String {
        [&self.community, &self.grid]
            .into_iter()
            .flatten()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The deepest node of a path the public may be shown (level 3 at most):
/// where a case is drawn on the public map.
pub fn public_node(path: &[GridNode]) -> Option<&GridNode> {
    path.iter()
        .filter(|n| n.level.number() <= GridLevel::Grid.number())
        .max_by_key(|n| n.level.number())
}

/// Masks what identifies people in text that is about to be published.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Known private strings (the reporter's details) and what each becomes.
    known: Vec<(String, &'static str)>,
}

/// What a masked phone number, ID number or e-mail becomes.
pub const MASK: &str = "***";
/// What a masked name becomes.
pub const MASKED_NAME: &str = "某某";
/// Digit runs this long or longer are taken for phone or ID numbers.
const MIN_MASKED_DIGITS: usize = 7;

impl Redactor {
    /// A redactor that also masks the reporter's own details wherever they
    /// recur (a resident who signs the description with their name).
    pub fn for_case(private: &PrivateFacts<'_>) -> Redactor {
        let known = [
            (private.name, MASKED_NAME),
            (private.address, MASKED_NAME),
            (private.phone, MASK),
            (private.email, MASK),
        ]
        .into_iter()
        .filter_map(|(text, mask)| Some((text?.trim(), mask)))
        // One character is too common to mask without mangling the text.
        .filter(|(text, _)| text.chars().count() >= 2)
        .map(|(text, mask)| (text.to_string(), mask))
        .collect();
        Redactor { known }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (known, mask) in &self.known {
            text = text.replace(known.as_str(), mask);
        }
        mask_emails(&mask_digit_runs(&text))
    }
}

/// Replaces runs of at least [`MIN_MASKED_DIGITS`] digits (single spaces or
/// hyphens between digits allowed, as phone numbers are written) with
/// [`MASK`]; shorter numbers (house numbers, counts, years) stay.
fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                end = j + 1;
                j += 1;
            } else if matches!(chars[j], ' ' | '-')
                && chars.get(j + 1).is_some_and(char::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= MIN_MASKED_DIGITS {
            out.push_str(MASK);
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

fn is_email_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

/// Replaces `local@domain.tld` with [`MASK`].
fn mask_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let local = out.chars().rev().take_while(|c| is_email_char(*c)).count();
            let domain: String = chars[i + 1..]
                .iter()
                .take_while(|c| is_email_char(**c))
                .collect();
            if local > 0 && domain.contains('.') {
                let keep = out.chars().count() - local;
                out = out.chars().take(keep).collect();
                out.push_str(MASK);
                i += 1 + domain.chars().count();
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A state in plain words, for residents: (Chinese, English).
pub fn plain_status(state: CaseState) -> (&'static str, &'static str) {
    use CaseState as S;
    match state {
        S::Reported => ("已收到，等待受理", "received, waiting to be accepted"),
        S::Accepted => ("已受理，正在核实", "accepted, being checked"),
        S::Registered => ("已立案，等待分派", "registered, to be assigned"),
        S::Declined => ("不予立案", "not taken up"),
        S::Dispatched => ("已分派给职能部门", "assigned to a department"),
        S::SignedFor => ("部门已接单", "the department has taken it"),
        S::InProgress => ("正在处理", "being handled"),
        S::AwaitingReporter => ("等待您补充信息", "waiting for more information"),
        S::Resolved => ("已处理，等待核查", "handled, being checked"),
        S::Verified => ("已核查，即将办结", "checked, about to close"),
        S::Closed => ("已办结", "done"),
        S::Archived => ("已办结归档", "done and archived"),
    }
}

/// What a timeline step was, in plain words: (Chinese, English).
pub fn action_label(action: &str) -> (&'static str, &'static str) {
    match action {
        "report" => ("群众上报", "reported"),
        "accept" => ("受理", "accepted"),
        "decline" => ("不予立案", "declined"),
        "register" => ("立案", "registered"),
        "dispatch" => ("分派", "assigned"),
        "transfer" => ("转办", "passed to another department"),
        "sign_for" => ("签收", "taken by the department"),
        "start_work" => ("开始处置", "work started"),
        "await_reporter" => ("请群众补充", "asked for more information"),
        "reporter_replied" => ("群众已补充", "information added"),
        "resolve" => ("办结反馈", "handled, with the result"),
        "verify" => ("核查通过", "checked"),
        "close" => ("结案", "closed"),
        "reopen" => ("重新办理", "reopened"),
        "archive" => ("归档", "archived"),
        "fixed_on_the_spot" => ("当场解决", "fixed on the spot"),
        _ => ("处理进展", "update"),
    }
}

/// Whose step it was, as the public may know: a department's name, or a
/// role, never a person.
pub fn actor_label(actor: &str, department: Option<&str>) -> String {
    if let Some(department) = department {
        return department.to_string();
    }
    match crate::auth::Actor::parse(actor).kind {
        "tenant_admin" | "command_centre" => "指挥中心",
        "department_staff" => "职能部门",
        "grid_worker" => "网格员",
        "volunteer" => "志愿者",
        // Reports made with an account (grid workers, agents) record `user:id`.
        "user" => "工作人员",
        "agent" => "代办员",
        "enterprise" => "企业",
        "mediation" => "矛调中心",
        // A resident reporting, or later with the reporter's secret.
        "resident" | "reporter" => "群众",
        "open311" => "外部系统",
        crate::triage::TRIAGE_ACTOR => "智能分拨",
        // The routing rules, the sweep, and any actor added later: never
        // shown as the resident's own doing.
        _ => "平台",
    }
    .to_string()
}

/// The steps whose note is written for the public (an answer, a reason);
/// the notes of the rest name departments or carry back-office detail.
fn note_is_public(action: &str) -> bool {
    !matches!(action, "dispatch" | "transfer" | "report")
}

/// A step's note as published: only notes written for the public, masked.
pub fn public_note(action: &str, note: Option<&str>, redactor: &Redactor) -> Option<String> {
    note.filter(|_| note_is_public(action))
        .map(|n| redactor.redact(n))
}

/// The step of an assisting department reporting its part done (联办).
pub const ASSIST_DONE: &str = "assist_done";

/// The details of an assisting department's step (its note is the answer):
/// the department, by code.
pub fn assist_details(department_code: &str) -> serde_json::Value {
    serde_json::json!({ "department": department_code })
}

/// The department a step names in its details, by code: where a dispatch
/// or a transfer sent the case, whose part an assisting step reports
/// (`CaseAction::details`, [`assist_details`]).
pub fn named_department(details: Option<&serde_json::Value>) -> Option<&str> {
    details?
        .get("department")?
        .as_str()
        .filter(|c| !c.is_empty())
}

/// One public step of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicEvent {
    pub at: DateTime<Utc>,
    pub action: String,
    pub label: (&'static str, &'static str),
    pub state: CaseState,
    /// The department or role that acted.
    pub by: String,
    pub note: Option<String>,
}

/// A published file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicAttachment {
    pub id: i64,
    pub kind: AttachmentKind,
    pub result: bool,
}

/// Whether a deadline was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineOutcome {
    /// No clock (not yet dispatched, or fixed on the spot).
    NotSet,
    Pending {
        due: DateTime<Utc>,
    },
    Overdue {
        due: DateTime<Utc>,
    },
    Kept {
        due: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    Missed {
        due: DateTime<Utc>,
        at: DateTime<Utc>,
    },
}

impl DeadlineOutcome {
    pub fn of(due: Option<DateTime<Utc>>, done: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match (due, done) {
            (None, _) => Self::NotSet,
            (Some(due), Some(at)) if at <= due => Self::Kept { due, at },
            (Some(due), Some(at)) => Self::Missed { due, at },
            (Some(due), None) if now > due => Self::Overdue { due },
            (Some(due), None) => Self::Pending { due },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotSet => "not_set",
            Self::Pending { .. } => "pending",
            Self::Overdue { .. } => "overdue",
            Self::Kept { .. } => "kept",
            Self::Missed { .. } => "missed",
        }
    }

    pub fn due(self) -> Option<DateTime<Utc>> {
        match self {
            Self::NotSet => None,
            Self::Pending { due }
            | Self::Overdue { due }
            | Self::Kept { due, .. }
            | Self::Missed { due, .. } => Some(due),
        }
    }
}

/// A case as anyone with its tracking code sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCase {
    pub tracking_code: String,
    pub category: String,
    pub state: CaseState,
    pub status: (&'static str, &'static str),
    pub open: bool,
    pub place: Option<PublicPlace>,
    pub reported_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub timeline: Vec<PublicEvent>,
    pub attachments: Vec<PublicAttachment>,
    pub response: DeadlineOutcome,
    pub resolution: DeadlineOutcome,
    pub fixed_on_the_spot: bool,
    pub me_too_count: i64,
    /// The reporter's score (1–5); their comment stays private.
    pub rating: Option<i64>,
}

impl PublicCase {
    pub fn new(
        case: &CaseFacts<'_>,
        events: &[EventFacts<'_>],
        attachments: &[AttachmentFacts],
        now: DateTime<Utc>,
    ) -> PublicCase {
        let redactor = Redactor::for_case(&case.private);
        let timeline = events
            .iter()
            .filter(|e| e.public)
            .map(|e| PublicEvent {
                at: e.at,
                action: e.action.to_string(),
                label: action_label(e.action),
                state: e.to_state,
                by: actor_label(e.actor, e.department),
                note: public_note(e.action, e.note, &redactor),
            })
            .collect();
        let attachments = attachments
            .iter()
            .filter(|a| attachment_is_public(a.kind, a.public, true))
            .map(|a| PublicAttachment {
                id: a.id,
                kind: a.kind,
                result: a.result,
            })
            .collect();
        PublicCase {
            tracking_code: case.tracking_code.to_string(),
            category: case.category.to_string(),
            state: case.state,
            status: plain_status(case.state),
            open: case.state.is_open(),
            place: PublicPlace::from_path(case.grid_path),
            reported_at: case.reported_at,
            updated_at: case.updated_at,
            timeline,
            attachments,
            response: DeadlineOutcome::of(case.response_due_at, case.responded_at, now),
            resolution: DeadlineOutcome::of(case.resolution_due_at, case.resolved_at, now),
            fixed_on_the_spot: case.fixed_on_the_spot,
            me_too_count: case.me_too_count,
            rating: case.rating,
        }
    }
}

/// Whether Open311 exchanges a case at all: GeoReport v2 is for the public
/// service requests of a 311 system, which a resident's or a grid worker's
/// report is. What a company asks the enterprise desk, a dispute brought
/// to the mediation centre and a matter a village agent handles were told
/// to a desk, not to the public, and their text names the company or the
/// parties: Open311 neither lists them nor answers for their codes (the
/// board shows them by category alone, and the holder of a code still
/// looks it up on the status page).
pub fn exchanged_through_open311(source: CaseSource) -> bool {
    matches!(source, CaseSource::Resident | CaseSource::GridWorker)
}

/// The sources whose cases Open311 exchanges, for queries.
pub fn open311_sources() -> Vec<CaseSource> {
    CaseSource::ALL
        .into_iter()
        .filter(|s| exchanged_through_open311(*s))
        .collect()
}

/// The request text an Open311 partner receives, masked. The status page
/// and board leave the reporter's words out (the category says what the
/// case is about, the answer what was done); GeoReport v2 exchanges the
/// text with 311 systems, so Open311 carries it with people's details
/// masked.
pub fn open311_description(case: &CaseFacts<'_>) -> String {
    Redactor::for_case(&case.private).redact(case.description)
}

/// A department's answer as the board shows it beside the case.
pub fn public_answer(case: &CaseFacts<'_>, answer: &str) -> String {
    Redactor::for_case(&case.private).redact(answer)
}

/// What the reporter (with the case's secret) sees beyond the public view.
#[derive(Debug, Clone, PartialEq)]
pub struct ReporterView {
    pub description: String,
    pub address: Option<String>,
    pub location: Option<Location>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Hidden files are still the reporter's own evidence.
    pub attachments: Vec<PublicAttachment>,
    pub rating: RatingForm,
}

/// The rating form (满意度回访): whether it is open and what it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingForm {
    /// Open once the case is closed (the store refuses a rating before).
    pub can_rate: bool,
    /// While it is not open, what must happen first; `None` when it is
    /// open, and for a case declined (never rated: nothing was done).
    pub opens_after: Option<RatingWait>,
    pub score: Option<i64>,
    pub comment: Option<String>,
    /// A low score may send the case back to work, once.
    pub can_reopen: bool,
}

/// What a case must go through before its reporter may rate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingWait {
    /// The department has yet to resolve it; `expected_by` is the
    /// resolution deadline while one is set (from dispatch on), which may
    /// have passed.
    Resolution { expected_by: Option<DateTime<Utc>> },
    /// Resolved: the command centre checks the result and closes it.
    Verification,
}

impl RatingWait {
    /// When a case of `state` opens for rating, from its resolution deadline.
    pub fn of(state: CaseState, resolution_due_at: Option<DateTime<Utc>>) -> Option<RatingWait> {
        use CaseState as S;
        match state {
            S::Closed | S::Archived | S::Declined => None,
            S::Resolved | S::Verified => Some(Self::Verification),
            S::Reported
            | S::Accepted
            | S::Registered
            | S::Dispatched
            | S::SignedFor
            | S::InProgress
            | S::AwaitingReporter => Some(Self::Resolution {
                expected_by: resolution_due_at,
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolution { .. } => "resolution",
            Self::Verification => "verification",
        }
    }

    pub fn expected_by(self) -> Option<DateTime<Utc>> {
        match self {
            Self::Resolution { expected_by } => expected_by,
            Self::Verification => None,
        }
    }
}

/// Scores a rating takes; 1 and 2 are low (they may reopen).
pub const RATING_SCORES: std::ops::RangeInclusive<i64> = 1..=5;

impl ReporterView {
    pub fn new(case: &CaseFacts<'_>, attachments: &[AttachmentFacts]) -> ReporterView {
        let p = &case.private;
        let closed = matches!(case.state, CaseState::Closed | CaseState::Archived);
        ReporterView {
            description: case.description.to_string(),
            address: p.address.map(str::to_string),
            location: p.location,
            name: p.name.map(str::to_string),
            phone: p.phone.map(str::to_string),
            email: p.email.map(str::to_string),
            attachments: attachments
                .iter()
                .filter(|a| reporter_sees(a))
                .map(|a| PublicAttachment {
                    id: a.id,
                    kind: a.kind,
                    result: a.result,
                })
                .collect(),
            rating: RatingForm {
                can_rate: closed,
                opens_after: RatingWait::of(case.state, case.resolution_due_at),
                score: case.rating,
                comment: p.rating_comment.map(str::to_string),
                can_reopen: case.state == CaseState::Closed && !p.reopened_by_rating,
            },
        }
    }
}

/// Raw counts over a window, as the store aggregates them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FigureCounts {
    pub received: i64,
    pub declined: i64,
    /// Verified, closed or archived (办结).
    pub resolved: i64,
    /// Resolved with a resolution deadline that was kept, or without one
    /// (fixed on the spot).
    pub on_time: i64,
    /// Resolved cases that have a resolution time, and the sum of their days.
    pub timed: i64,
    pub days_to_resolve: f64,
    pub rated: i64,
    pub rating_sum: i64,
    /// Rated 4 or 5.
    pub satisfied: i64,
}

/// The public board's figures over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub received: i64,
    pub resolved: i64,
    /// 办结率: resolved of the received ones the platform took up (declined
    /// cases are not the platform's to close).
    pub closure_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub average_days_to_resolve: Option<f64>,
    /// Average score, 1–5.
    pub average_rating: Option<f64>,
    /// Share of ratings that are 4 or 5.
    pub satisfaction_rate: Option<f64>,
}

fn ratio(part: f64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part / whole as f64 * 10_000.0).round() / 10_000.0)
}

impl Figures {
    pub fn from_counts(c: FigureCounts) -> Figures {
        Figures {
            received: c.received,
            resolved: c.resolved,
            closure_rate: ratio(c.resolved as f64, c.received - c.declined),
            on_time_rate: ratio(c.on_time as f64, c.resolved),
            average_days_to_resolve: ratio(c.days_to_resolve, c.timed)
                .map(|d| (d * 10.0).round() / 10.0),
            average_rating: ratio(c.rating_sum as f64, c.rated)
                .map(|r| (r * 100.0).round() / 100.0),
            satisfaction_rate: ratio(c.satisfied as f64, c.rated),
        }
    }
}

/// Where a case stands for the board's filter and figures: every state is
/// exactly one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Open,
    /// Closed or archived: 办结.
    Resolved,
    Declined,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Self::Open, Self::Resolved, Self::Declined];

    pub fn of(state: CaseState) -> Outcome {
        match state {
            CaseState::Declined => Self::Declined,
            s if s.is_open() => Self::Open,
            _ => Self::Resolved,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Result<Outcome, Problem> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| Problem::validation("status", "status is open, resolved or declined"))
    }

    /// The states counted as this outcome (wire names, for queries).
    pub fn states(self) -> Vec<&'static str> {
        CaseState::ALL
            .into_iter()
            .filter(|s| Outcome::of(*s) == self)
            .map(CaseState::as_str)
            .collect()
    }
}

/// Whether someone may publish a notice to a grid node: tenant admins
/// anywhere; grid workers (a community's own staff) only to a node they are
/// assigned to or one below it. `target_path` is the node and its
/// ancestors; `assigned` the caller's assigned nodes.
pub fn may_publish_notice(
    role: Role,
    target_path: &[GridNodeId],
    assigned: &[GridNodeId],
) -> Result<(), Problem> {
    if !crate::permissions::allows(role, crate::Permission::PublishNotices) {
        return Err(Problem::forbidden(format!(
            "the role {} may not publish notices",
            role.as_str()
        )));
    }
    if role == Role::TenantAdmin || target_path.iter().any(|n| assigned.contains(n)) {
        return Ok(());
    }
    Err(Problem::forbidden(
        "you may publish notices only to the grid you are assigned to, or below it",
    )
    .with_field("grid_node"))
}

/// The windows the board reports, in days.
pub const FIGURE_WINDOWS: [i64; 3] = [7, 30, 365];

#[cfg(test)]
mod tests;
