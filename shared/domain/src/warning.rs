//! Early warnings (预警: from fire-fighting to prevention): the kinds of
//! warning, the rules that raise them with their thresholds (a tenant sets
//! them: [`WarningRules`]), the states a warning moves through when the
//! command centre handles it, and the `warning.raised` CloudEvent.
//!
//! Three kinds (`docs/warnings.md`):
//! - [`WarningKind::Recurring`]: the same category in the same micro-grid
//!   `recurring_count` times or more in `recurring_days` days, even when
//!   each case was closed;
//! - [`WarningKind::Repeat`]: a matter brought again — by the same reporter
//!   (phone) or at the same place (the same micro-grid, within
//!   `repeat_metres`) while an earlier case of the category is unresolved
//!   or was closed with a low rating; or a dispute whose parties have
//!   disputed before;
//! - [`WarningKind::LateRisk`]: an open case, not yet at the 80% mark,
//!   whose department is behind on the category (its share resolved late,
//!   or its median resolution time against the case's allowed time).
//!
//! The store finds the candidates (from the kept figures and an
//! incremental cursor); this module decides.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::analytics::Figures;
use crate::case::Location;
use crate::intake::distance_metres;
use crate::limits::{Bounds, Text};
use crate::problem::{Problem, ProblemCode};
use crate::workflow::Escalation;

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Recurring,
    Repeat,
    LateRisk,
}

impl WarningKind {
    pub const ALL: [WarningKind; 3] = [Self::Recurring, Self::Repeat, Self::LateRisk];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recurring => "recurring",
            Self::Repeat => "repeat",
            Self::LateRisk => "late_risk",
        }
    }

    pub fn parse(s: &str) -> Result<WarningKind, Problem> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Problem::validation("kind", "kind is recurring, repeat or late_risk"))
    }
}

/// Where a warning stands: open until the command centre acknowledges it,
/// turns it into a case, or supervises its cases (督办).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningState {
    Open,
    Acknowledged,
    /// Turned into a case: a new case in triage for the root cause.
    CaseOpened,
    Supervised,
}

impl WarningState {
    pub const ALL: [WarningState; 4] = [
        Self::Open,
        Self::Acknowledged,
        Self::CaseOpened,
        Self::Supervised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::CaseOpened => "case_opened",
            Self::Supervised => "supervised",
        }
    }

    pub fn parse(s: &str) -> Result<WarningState, Problem> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Problem::validation(
                    "state",
                    "state is open, acknowledged, case_opened or supervised",
                )
            })
    }
}

/// What the command centre does with an open warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningAction {
    Acknowledge,
    /// Open a case for the root cause.
    OpenCase,
    /// Supervise (督办) the warning's open cases.
    Supervise,
}

impl WarningAction {
    /// The state the action leads to, from `state`: only an open warning is
    /// handled, once (409 `warning_not_open` otherwise).
    pub fn apply(self, state: WarningState) -> Result<WarningState, Problem> {
        if state != WarningState::Open {
            return Err(Problem::coded(
                ProblemCode::WarningNotOpen,
                format!("this warning was already handled ({})", state.as_str()),
            ));
        }
        Ok(match self {
            Self::Acknowledge => WarningState::Acknowledged,
            Self::OpenCase => WarningState::CaseOpened,
            Self::Supervise => WarningState::Supervised,
        })
    }
}

/// The reason the command centre gives when it handles a warning.
pub const NOTE: Text = Text::new("note", 1000);

/// A tenant's thresholds. Every field has a range ([`RULE_BOUNDS`]); the
/// defaults are the issue's: three in thirty days, fifty metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WarningRules {
    /// Cases of a category in one micro-grid that make a recurring problem.
    pub recurring_count: i64,
    /// Over how many days (today included).
    pub recurring_days: i64,
    /// How close a new report must be to an earlier one to be the same place.
    pub repeat_metres: i64,
    /// How far back an earlier case counts for a repeat.
    pub repeat_days: i64,
    /// A rating at or below this, on a closed case, leaves the matter unsettled.
    pub repeat_low_rating: i64,
    /// A department is behind when at least this share (percent) of its
    /// closed cases of the category were resolved late...
    pub late_share_percent: i64,
    /// ...or its median resolution time is past the case's allowed time;
    /// judged only on at least this many closed cases...
    pub late_min_closed: i64,
    /// ...in this many days before today.
    pub late_window_days: i64,
}

impl Default for WarningRules {
    fn default() -> Self {
        WarningRules {
            recurring_count: 3,
            recurring_days: 30,
            repeat_metres: 50,
            repeat_days: 90,
            repeat_low_rating: 2,
            late_share_percent: 30,
            late_min_closed: 5,
            late_window_days: 90,
        }
    }
}

/// Each rule's name and range, for the store, the edge and the document.
pub const RULE_BOUNDS: [(&str, Bounds); 8] = [
    ("recurring_count", Bounds { min: 2, max: 100 }),
    ("recurring_days", Bounds { min: 1, max: 365 }),
    ("repeat_metres", Bounds { min: 5, max: 1000 }),
    ("repeat_days", Bounds { min: 1, max: 365 }),
    ("repeat_low_rating", Bounds { min: 1, max: 4 }),
    ("late_share_percent", Bounds { min: 1, max: 100 }),
    ("late_min_closed", Bounds { min: 1, max: 1000 }),
    ("late_window_days", Bounds { min: 7, max: 365 }),
];

impl WarningRules {
    /// The rules as (name, value), in [`RULE_BOUNDS`]' order.
    pub fn values(&self) -> [(&'static str, i64); 8] {
        [
            ("recurring_count", self.recurring_count),
            ("recurring_days", self.recurring_days),
            ("repeat_metres", self.repeat_metres),
            ("repeat_days", self.repeat_days),
            ("repeat_low_rating", self.repeat_low_rating),
            ("late_share_percent", self.late_share_percent),
            ("late_min_closed", self.late_min_closed),
            ("late_window_days", self.late_window_days),
        ]
    }

    /// Refuses a value out of its range, naming it.
    pub fn check(&self) -> Result<(), Problem> {
        for ((name, value), (_, bounds)) in self.values().iter().zip(RULE_BOUNDS) {
            if !bounds.contains(*value) {
                return Err(Problem::validation(
                    *name,
                    format!("{name} is {} to {}", bounds.min, bounds.max),
                ));
            }
        }
        Ok(())
    }
}

/// Whether `count` cases of a category in one micro-grid within the
/// window make a recurring problem.
pub fn is_recurring(count: i64, rules: &WarningRules) -> bool {
    count >= rules.recurring_count
}

/// The dedupe key of a recurring problem: one open warning per micro-grid
/// and category.
pub fn recurring_key(grid_node: i64, category: &str) -> String {
    format!("recurring:{grid_node}:{category}")
}

/// The dedupe key of a case's late risk: raised once per case, ever.
pub fn late_key(case: i64) -> String {
    format!("late:{case}")
}

/// The dedupe key of a repeat: its earliest case.
pub fn repeat_key(earliest_case: i64) -> String {
    format!("repeat:{earliest_case}")
}

/// How an earlier case stands to a new report of the same category.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Earlier {
    /// Still open (not closed, declined or archived).
    pub open: bool,
    /// Closed (or archived) with this rating, if rated.
    pub closed_rating: Option<i64>,
    pub same_phone: bool,
    pub same_micro_grid: bool,
    pub location: Option<Location>,
}

/// Why a new report repeats an earlier matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepeatBasis {
    /// The same reporter's phone.
    Phone,
    /// The same micro-grid, within `repeat_metres`.
    Place,
    /// A dispute's party disputed before.
    Parties,
}

impl RepeatBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Place => "place",
            Self::Parties => "parties",
        }
    }

    pub fn parse(s: &str) -> Option<RepeatBasis> {
        [Self::Phone, Self::Place, Self::Parties]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// A repeat warning's `details` once more cases join it: `basis` stays the
/// one it was raised with; `bases` lists every basis its cases came by
/// (`kept`'s, then `joined`'s), each once, in the order first seen. `kept`
/// is the open warning's details (`None` when it is being raised; a
/// warning written before `bases` has its `basis` alone).
pub fn repeat_details(kept: Option<&Value>, joined: &[RepeatBasis]) -> Value {
    let mut bases: Vec<String> = Vec::new();
    if let Some(kept) = kept {
        let listed = kept["bases"].as_array().map_or_else(
            || kept["basis"].as_str().into_iter().collect::<Vec<_>>(),
            |list| list.iter().filter_map(Value::as_str).collect(),
        );
        bases.extend(listed.into_iter().map(str::to_string));
    }
    for basis in joined {
        if !bases.iter().any(|b| b == basis.as_str()) {
            bases.push(basis.as_str().to_string());
        }
    }
    json!({ "basis": bases.first(), "bases": bases })
}

/// Whether a new report at `location` brings `earlier`'s matter again: the
/// earlier case is unresolved or was closed with a low rating, and it is
/// the same reporter or the same place.
pub fn repeats(
    earlier: &Earlier,
    location: Option<Location>,
    rules: &WarningRules,
) -> Option<RepeatBasis> {
    let unsettled = earlier.open
        || earlier
            .closed_rating
            .is_some_and(|r| r <= rules.repeat_low_rating);
    if !unsettled {
        return None;
    }
    if earlier.same_phone {
        return Some(RepeatBasis::Phone);
    }
    let near = match (earlier.location, location) {
        (Some(a), Some(b)) => distance_metres(a, b) <= rules.repeat_metres as f64,
        _ => false,
    };
    (earlier.same_micro_grid && near).then_some(RepeatBasis::Place)
}

/// Why a department is behind on a category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Behind {
    /// Its closed cases of the category in the window.
    pub closed: i64,
    /// Of those, the share resolved after their deadline.
    pub late_share: f64,
    /// Its median resolution time, in hours (from the kept histogram).
    pub median_hours: Option<f64>,
}

/// Which open cases of a category a department's `record` (the kept
/// figures over the window) puts at risk, by each case's allowed time
/// ([`allowed_minutes`]): the store selects exactly these, so every case it
/// reads is warned about and none waits behind cases that are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateBound {
    /// Its late share is at or over the rule's: every case.
    Every,
    /// Only its median resolution time is behind: the cases allowed fewer
    /// whole minutes than it (the median, in minutes, rounded up).
    AllowedUnder(i64),
}

/// Whether a department's `record` on a category is behind for any case:
/// enough closed cases, and a late share at or over the rule's
/// ([`LateBound::Every`]), or a median resolution time
/// ([`LateBound::AllowedUnder`]); `None` when no case's deadline makes it
/// behind.
pub fn late_bound(record: &Figures, rules: &WarningRules) -> Option<LateBound> {
    if record.closed < rules.late_min_closed {
        return None;
    }
    let late_share = 1.0 - record.on_time_rate.unwrap_or(1.0);
    if late_share * 100.0 >= rules.late_share_percent as f64 {
        return Some(LateBound::Every);
    }
    // For whole minutes m: m < median ⇔ m < ⌈median⌉.
    let median = record.median_resolution_hours? * 60.0;
    Some(LateBound::AllowedUnder(median.ceil() as i64))
}

/// A case's allowed time, from report to deadline, in whole minutes, from
/// whole seconds since the epoch (the store counts it the same way in SQL:
/// `strftime('%s', …)`).
pub fn allowed_minutes(created: DateTime<Utc>, due: DateTime<Utc>) -> i64 {
    (due.timestamp() - created.timestamp()) / 60
}

/// Whether an open case is likely to run late: not yet at the 80% mark
/// ([`Escalation::Warned`]), and its department's record on the category
/// (`record`: the kept figures over the window) is behind for a case
/// allowed `allowed_minutes` from report to deadline ([`late_bound`]).
pub fn late_risk(
    escalation: Escalation,
    record: &Figures,
    allowed_minutes: i64,
    rules: &WarningRules,
) -> Option<Behind> {
    if escalation >= Escalation::Warned {
        return None;
    }
    let behind = match late_bound(record, rules)? {
        LateBound::Every => true,
        LateBound::AllowedUnder(minutes) => allowed_minutes < minutes,
    };
    let late_share = 1.0 - record.on_time_rate.unwrap_or(1.0);
    behind.then_some(Behind {
        closed: record.closed,
        late_share: (late_share * 1000.0).round() / 1000.0,
        median_hours: record.median_resolution_hours,
    })
}

/// A warning raised, as the tenant's systems receive it (a webhook).
#[derive(Debug, Clone, PartialEq)]
pub struct RaisedNotice<'a> {
    pub tenant: &'a str,
    pub warning_id: i64,
    pub kind: WarningKind,
    pub key: &'a str,
    pub cases: &'a [i64],
    pub details: &'a Value,
    pub at: DateTime<Utc>,
}

/// The CloudEvent `type` of a raised warning.
pub const RAISED_TYPE: &str = "cn.gridgov.warning.raised";

impl RaisedNotice<'_> {
    /// The CloudEvent id (also `webhook-id`): unique per tenant and
    /// warning, apart from the case events' `{tenant}-{event}`.
    pub fn id(&self) -> String {
        message_id(self.tenant, self.warning_id)
    }

    /// The CloudEvents 1.0 document (structured mode), like the case events'.
    pub fn cloud_event(&self) -> Value {
        json!({
            "specversion": "1.0",
            "id": self.id(),
            "source": format!("/api/t/{}/warnings/{}", self.tenant, self.warning_id),
            "type": RAISED_TYPE,
            "subject": self.key,
            "time": self.at.to_rfc3339(),
            "datacontenttype": "application/json",
            "data": {
                "warning_id": self.warning_id,
                "kind": self.kind.as_str(),
                "key": self.key,
                "cases": self.cases,
                "details": self.details,
            },
        })
    }
}

/// The message id of warning `warning_id`'s webhook deliveries.
pub fn message_id(tenant: &str, warning_id: i64) -> String {
    format!("{tenant}-warning-{warning_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::Counters;

    fn at(lat: f64, lon: f64) -> Option<Location> {
        Some(Location::new(lat, lon).expect("a place"))
    }

    #[test]
    fn recurring_counts_against_the_tenants_threshold() {
        let check = |count: i64, threshold: i64, expected: bool| {
            let rules = WarningRules {
                recurring_count: threshold,
                ..WarningRules::default()
            };
            assert_eq!(
                is_recurring(count, &rules),
                expected,
                "{count} of {threshold}"
            );
        };
        check(2, 3, false);
        check(3, 3, true);
        check(4, 3, true);
        check(4, 5, false);
        check(5, 5, true);
        assert_eq!(
            recurring_key(12, "street_light"),
            "recurring:12:street_light"
        );
    }

    #[test]
    fn a_repeat_is_an_unsettled_matter_by_the_same_phone_or_place() {
        let here = at(30.2741, 120.1551);
        let ten_metres = at(30.27419, 120.1551);
        let two_hundred_metres = at(30.2759, 120.1551);
        let open = Earlier {
            open: true,
            closed_rating: None,
            same_phone: false,
            same_micro_grid: true,
            location: here,
        };
        let check = |earlier: Earlier, place: Option<Location>, expected: Option<RepeatBasis>| {
            assert_eq!(
                repeats(&earlier, place, &WarningRules::default()),
                expected,
                "{earlier:?} at {place:?}"
            );
        };
        check(open, ten_metres, Some(RepeatBasis::Place));
        check(open, two_hundred_metres, None);
        check(open, None, None);
        check(
            Earlier {
                same_micro_grid: false,
                ..open
            },
            ten_metres,
            None,
        );
        check(
            Earlier {
                same_phone: true,
                same_micro_grid: false,
                ..open
            },
            two_hundred_metres,
            Some(RepeatBasis::Phone),
        );
        let closed = |rating| Earlier {
            open: false,
            closed_rating: rating,
            same_phone: true,
            ..open
        };
        check(closed(Some(1)), None, Some(RepeatBasis::Phone));
        check(closed(Some(2)), None, Some(RepeatBasis::Phone));
        check(closed(Some(3)), None, None);
        check(closed(None), None, None);
    }

    /// A department's record: `closed` cases, `late` of them late, each
    /// resolved in `hours`.
    fn record(closed: i64, late: i64, hours: i64) -> Figures {
        use crate::analytics::{CaseFacts, contribution};
        use crate::case::{CaseSource, CaseState};
        let created = DateTime::parse_from_rfc3339("2026-03-02T01:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let resolved = created + chrono::Duration::hours(hours);
        let mut sum = Counters::default();
        for i in 0..closed {
            let due = if i < late {
                resolved - chrono::Duration::hours(1)
            } else {
                resolved
            };
            let facts = CaseFacts {
                category: "road",
                department: Some(1),
                source: CaseSource::Resident,
                state: CaseState::Closed,
                created_at: created,
                responded_at: None,
                resolved_at: Some(resolved),
                resolution_due_at: Some(due),
                closed_at: Some(resolved),
                fixed_on_the_spot: false,
                reopen_count: 0,
                rating: None,
                rated_at: None,
            };
            let zone = chrono::FixedOffset::east_opt(8 * 3600).expect("zone");
            for (_, part) in contribution(&facts, zone) {
                sum.accumulate(&part, 1);
            }
        }
        Figures::from(&sum)
    }

    #[test]
    fn a_case_is_at_risk_when_its_department_is_behind_before_the_80_percent_mark() {
        let rules = WarningRules::default();
        let check = |escalation, record: Figures, allowed_hours: i64, expected: bool| {
            assert_eq!(
                late_risk(escalation, &record, allowed_hours * 60, &rules).is_some(),
                expected,
                "{escalation:?}, {record:?}, {allowed_hours} h"
            );
        };
        // Late share: 2 of 5 late is 40%, over 30%.
        check(Escalation::None, record(5, 2, 10), 100, true);
        // 1 of 5 is 20%: fine, and the median is well inside.
        check(Escalation::None, record(5, 1, 10), 100, false);
        // None late, but its median (10 h) is past the case's 8 h.
        check(Escalation::None, record(5, 0, 10), 8, true);
        // Too few closed cases to judge.
        check(Escalation::None, record(4, 4, 10), 8, false);
        // At the 80% mark the ladder has already warned: no early warning.
        check(Escalation::Warned, record(5, 5, 10), 8, false);
        check(Escalation::Overdue, record(5, 5, 10), 8, false);
        let behind = late_risk(Escalation::None, &record(5, 2, 10), 6_000, &rules).expect("behind");
        assert_eq!(behind.closed, 5);
        assert_eq!(behind.late_share, 0.4);
    }

    /// The store selects a department's open cases by [`late_bound`]: each
    /// case it selects is at risk by [`late_risk`], and each it leaves out
    /// is not, at the bound's very minute.
    #[test]
    fn the_late_bound_selects_exactly_the_cases_at_risk() {
        let rules = WarningRules::default();
        let cases: [(Figures, Option<LateBound>); 5] = [
            (record(5, 2, 10), Some(LateBound::Every)),
            (record(4, 4, 10), None),
            // Each resolved in 10 h: the histogram's 8–24 h bucket, its
            // median interpolated to 16 h.
            (record(5, 1, 10), Some(LateBound::AllowedUnder(960))),
            // 30 h: the 24–48 h bucket, 36 h.
            (record(6, 0, 30), Some(LateBound::AllowedUnder(2160))),
            // Half a minute past 16 h: a case allowed 960 minutes is behind.
            (
                Figures {
                    median_resolution_hours: Some(16.0 + 0.5 / 60.0),
                    ..record(5, 0, 10)
                },
                Some(LateBound::AllowedUnder(961)),
            ),
        ];
        for (record, expected) in cases {
            let bound = late_bound(&record, &rules);
            assert_eq!(bound, expected, "{record:?}");
            for minutes in [0, 959, 960, 961, 2159, 2160, 100_000] {
                let selected = match bound {
                    None => false,
                    Some(LateBound::Every) => true,
                    Some(LateBound::AllowedUnder(under)) => minutes < under,
                };
                assert_eq!(
                    late_risk(Escalation::None, &record, minutes, &rules).is_some(),
                    selected,
                    "{minutes} min, {record:?}"
                );
            }
        }
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        for (created, due, minutes) in [
            ("2026-03-02T01:00:00.000Z", "2026-03-02T11:00:00.000Z", 600),
            ("2026-03-02T01:00:00.999Z", "2026-03-02T11:00:00.000Z", 600),
            ("2026-03-02T01:00:01.000Z", "2026-03-02T11:00:00.999Z", 599),
        ] {
            assert_eq!(allowed_minutes(at(created), at(due)), minutes, "{created}");
        }
    }

    /// A repeat keeps the basis it was raised with and lists each basis its
    /// cases came by, once, in the order first seen.
    #[test]
    fn a_repeat_keeps_its_first_basis_and_lists_them_all() {
        use RepeatBasis::{Parties, Phone, Place};
        let cases: [(Option<Value>, &[RepeatBasis], Value); 5] = [
            (
                None,
                &[Phone],
                json!({ "basis": "phone", "bases": ["phone"] }),
            ),
            (
                None,
                &[Place, Phone],
                json!({ "basis": "place", "bases": ["place", "phone"] }),
            ),
            (
                Some(json!({ "basis": "phone", "bases": ["phone"] })),
                &[Place],
                json!({ "basis": "phone", "bases": ["phone", "place"] }),
            ),
            (
                Some(json!({ "basis": "phone", "bases": ["phone", "place"] })),
                &[Place, Phone],
                json!({ "basis": "phone", "bases": ["phone", "place"] }),
            ),
            // Written before `bases`: its basis alone.
            (
                Some(json!({ "basis": "parties" })),
                &[Parties],
                json!({ "basis": "parties", "bases": ["parties"] }),
            ),
        ];
        for (kept, joined, expected) in cases {
            assert_eq!(
                repeat_details(kept.as_ref(), joined),
                expected,
                "{kept:?} + {joined:?}"
            );
        }
    }

    #[test]
    fn only_an_open_warning_is_handled_once() {
        use WarningAction as A;
        use WarningState as S;
        let check = |state: S, action: A, expected: Result<S, ()>| {
            assert_eq!(
                action.apply(state).map_err(|_| ()),
                expected,
                "{action:?} on {state:?}"
            );
        };
        check(S::Open, A::Acknowledge, Ok(S::Acknowledged));
        check(S::Open, A::OpenCase, Ok(S::CaseOpened));
        check(S::Open, A::Supervise, Ok(S::Supervised));
        for done in [S::Acknowledged, S::CaseOpened, S::Supervised] {
            for action in [A::Acknowledge, A::OpenCase, A::Supervise] {
                check(done, action, Err(()));
            }
        }
        let refused = A::Acknowledge.apply(S::Supervised).expect_err("handled");
        assert_eq!(refused.code(), ProblemCode::WarningNotOpen);
    }

    #[test]
    fn rules_are_checked_field_by_field() {
        assert_eq!(WarningRules::default().check(), Ok(()));
        let check = |rules: WarningRules, field: &str| {
            let refused = rules.check().expect_err("out of range");
            assert_eq!(refused.field.as_deref(), Some(field));
        };
        let d = WarningRules::default();
        check(
            WarningRules {
                recurring_count: 1,
                ..d
            },
            "recurring_count",
        );
        check(
            WarningRules {
                recurring_days: 0,
                ..d
            },
            "recurring_days",
        );
        check(
            WarningRules {
                repeat_metres: 5000,
                ..d
            },
            "repeat_metres",
        );
        check(
            WarningRules {
                late_share_percent: 101,
                ..d
            },
            "late_share_percent",
        );
        for (name, parse) in [
            ("kind", WarningKind::parse("x").err()),
            ("state", WarningState::parse("x").err()),
        ] {
            assert_eq!(parse.expect("refused").field.as_deref(), Some(name));
        }
    }

    #[test]
    fn the_raised_event_is_a_cloud_event_apart_from_case_events() {
        let details = json!({ "category": "road" });
        let notice = RaisedNotice {
            tenant: "demo",
            warning_id: 4,
            kind: WarningKind::Recurring,
            key: "recurring:9:road",
            cases: &[1, 2, 3],
            details: &details,
            at: DateTime::parse_from_rfc3339("2026-03-02T01:02:03Z")
                .expect("time")
                .with_timezone(&Utc),
        };
        let event = notice.cloud_event();
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["id"], "demo-warning-4");
        assert_eq!(event["type"], "cn.gridgov.warning.raised");
        assert_eq!(event["source"], "/api/t/demo/warnings/4");
        assert_eq!(event["data"]["cases"], json!([1, 2, 3]));
        assert_eq!(event["data"]["kind"], "recurring");
    }
}
