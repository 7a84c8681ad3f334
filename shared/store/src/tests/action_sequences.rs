//! Random sequences of actions against the real store (in-memory SQLite):
//! whatever anyone tries, in whatever order, with stale versions mixed in,
//! the case never reaches a state the transition table does not allow, a
//! refused action writes nothing, the history stays a chain that ends in the
//! case's state, and time spent waiting for the reporter never counts.

use super::fixtures::{
    add_road_damage_category, beijing, calendar, fresh_db, photo_upload, report_garbage,
    tenant_with_urban_and_garbage,
};
use crate::*;
use chrono::{DateTime, Duration, Utc};
use domain::case::AssistingPart;
use domain::workflow::{MAX_RETURNS, minutes_left};
use domain::{ActionKind, CaseAction, CaseState, Code};
use proptest::prelude::*;

/// What a step tries. Texts and departments are fixed: the property is
/// about order and concurrency, not about text validation (tested apart).
#[derive(Debug, Clone)]
enum Step {
    /// Any action, legal or not here.
    Act(u8),
    /// One of the actions the state allows, so that walks get deep.
    Legal(u8),
    /// An assisting department reports its part done.
    CompleteAssist,
}

/// The concrete action for a pick; `photo` is a fresh upload for `resolve`.
fn action(pick: u8, photo: i64) -> CaseAction {
    let text = || "原因".to_string();
    match pick % 22 {
        0 => CaseAction::Accept,
        1 => CaseAction::Decline { reason: text() },
        2 => CaseAction::Register,
        3 => CaseAction::Dispatch {
            department: "urban".into(),
            assisting: Vec::new(),
        },
        4 => CaseAction::Dispatch {
            department: "urban".into(),
            assisting: vec![AssistingPart {
                department: "police".into(),
                part: "维持秩序".into(),
            }],
        },
        5 => CaseAction::Transfer {
            department: "police".into(),
            reason: text(),
        },
        6 => CaseAction::Recategorise {
            category: "road_damage".into(),
            reason: text(),
        },
        7 => CaseAction::SignFor,
        8 => CaseAction::Return { reason: text() },
        9 => CaseAction::RequestExtension,
        10 => CaseAction::GrantExtension,
        11 => CaseAction::RefuseExtension,
        12 => CaseAction::StartWork,
        13 => CaseAction::AwaitReporter,
        14 => CaseAction::ReporterReplied,
        15 => CaseAction::Resolve {
            answer: "已处理".into(),
            attachment_ids: vec![photo],
        },
        16 => CaseAction::Verify,
        17 => CaseAction::RejectVerification { reason: text() },
        18 => CaseAction::Close,
        19 => CaseAction::Reopen { reason: text() },
        20 => CaseAction::Archive,
        _ => CaseAction::Recategorise {
            category: "garbage".into(),
            reason: text(),
        },
    }
}

fn steps() -> impl Strategy<Value = Vec<(Step, bool, i64)>> {
    let step = prop_oneof![
        4 => (0u8..22).prop_map(Step::Act),
        5 => any::<u8>().prop_map(Step::Legal),
        1 => Just(Step::CompleteAssist),
    ];
    // (what, with a stale version?, minutes until the next step)
    proptest::collection::vec((step, proptest::bool::weighted(0.1), 0i64..900), 1..60)
}

/// The state a department must hold the case in.
fn held(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Dispatched
            | CaseState::SignedFor
            | CaseState::InProgress
            | CaseState::AwaitingReporter
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn no_sequence_of_actions_breaks_the_case(plan in steps()) {
        let db = fresh_db();
        let (t, _urban) = tenant_with_urban_and_garbage(&db);
        let scope = TenantScope::new(&db, &t);
        let police = scope.create_department(&Code::parse("police").unwrap(), "派出所").unwrap().id;
        add_road_damage_category(&scope);
        let cal = calendar();
        let mut now: DateTime<Utc> = beijing("2026-03-02 08:30");
        let mut case = report_garbage(&scope, 1, now);
        let mut first_dispatch: Option<DateTime<Utc>> = None;
        // Working minutes left when the reporter was asked, to compare on reply.
        let mut left_at_pause: Option<i64> = None;

        for (n, (step, stale, wait)) in plan.into_iter().enumerate() {
            let events_before = scope.case_events(case.id).unwrap().len();
            let photo = photo_upload(&scope, n as u64, "user:1", now);
            let pick = match &step {
                Step::Act(pick) => Some(*pick),
                Step::Legal(n) => {
                    // Ending moves stay with `Act`: here they would end most walks early.
                    let allowed: Vec<_> = case
                        .state
                        .allowed_actions()
                        .filter(|k| !matches!(k, ActionKind::Decline | ActionKind::Archive))
                        .collect();
                    let wanted = allowed.get(usize::from(*n) % allowed.len().max(1)).copied();
                    // The first pick of that kind (terminal states allow none).
                    wanted.and_then(|kind| (0u8..22).find(|p| action(*p, photo).kind() == kind))
                }
                Step::CompleteAssist => None,
            };
            let tried = match (&step, pick) {
                (_, Some(pick)) => {
                    let action = action(pick, photo);
                    let version = if stale { case.version - 1 } else { case.version };
                    let outcome = scope.act(case.id, version, &action, "user:1", now, &cal);
                    Some((action, version, outcome))
                }
                (Step::CompleteAssist, None) => {
                    let _ = scope.complete_assist(case.id, police, "已完成", "user:3", now);
                    None
                }
                _ => None,
            };
            let after = scope.case_by_id(case.id).unwrap().unwrap();
            let events = scope.case_events(case.id).unwrap();

            if let Some((action, version, outcome)) = tried {
                let legal = case.state.next(&action);
                match outcome {
                    Ok(updated) => {
                        prop_assert_eq!(version, case.version, "a stale version never wins");
                        prop_assert_eq!(Ok(updated.state), legal);
                        prop_assert_eq!(updated.version, case.version + 1);
                        prop_assert_eq!(&updated, &after);
                        prop_assert_eq!(events.len(), events_before + 1);
                        match action {
                            CaseAction::AwaitReporter => {
                                let due = after.resolution_due_at.expect("a held case has a clock");
                                left_at_pause = Some(minutes_left(due, now, None, &cal));
                            }
                            CaseAction::ReporterReplied => {
                                let due = after.resolution_due_at.expect("clock");
                                let before = left_at_pause.take().expect("paused first");
                                prop_assert_eq!(minutes_left(due, now, None, &cal), before,
                                    "the pause was charged to the department");
                            }
                            CaseAction::Resolve { .. } => {
                                let open = scope.case_assists(case.id).unwrap()
                                    .iter().any(|a| a.done_at.is_none());
                                prop_assert!(!open, "resolved with a part still open");
                            }
                            _ => {}
                        }
                    }
                    Err(_) => {
                        prop_assert_eq!(&after, &case, "a refused action changed the case");
                        prop_assert_eq!(events.len(), events_before);
                    }
                }
            }

            // Invariants of every reachable case.
            prop_assert_eq!(after.paused_at.is_some(), after.state == CaseState::AwaitingReporter);
            if held(after.state) {
                prop_assert!(after.department.is_some(), "{} without a department", after.state);
            }
            if matches!(after.state, CaseState::Reported | CaseState::Accepted | CaseState::Registered) {
                prop_assert!(after.department.is_none(), "{} still with a department", after.state);
            }
            match (first_dispatch, after.dispatched_at) {
                (None, Some(at)) => first_dispatch = Some(at),
                (Some(first), at) => prop_assert_eq!(Some(first), at, "the clock restarted"),
                (None, None) => {}
            }
            if after.dispatched_at.is_some() {
                prop_assert!(after.response_due_at.is_some() && after.resolution_due_at.is_some());
            }
            let returns = events.iter().filter(|e| e.action == "return").count();
            prop_assert!(returns <= MAX_RETURNS);
            // The history is a chain ending in the case's state.
            prop_assert_eq!(events.last().map(|e| e.to_state), Some(after.state));
            for pair in events.windows(2) {
                prop_assert_eq!(pair[1].from_state, Some(pair[0].to_state));
            }
            case = after;
            now += Duration::minutes(wait);
        }
    }
}
