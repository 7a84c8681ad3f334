//! A case's own life in the store, against an in-memory SQLite: its steps
//! and history, optimistic versions, refused steps that change nothing, and
//! paging through a tenant's cases.

use super::fixtures::{fixed_now, fresh_db, new_located_case, problem_kind, seed, tenant};
use crate::*;
use chrono::Duration;
use domain::{CaseAction, CaseId, CaseState, ProblemKind, TrackingCode};

#[test]
fn a_case_is_reported_then_walks_the_flow() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let s = seed(&scope, 5);
    let case = scope.case_by_id(s.case).expect("read").expect("found");
    assert_eq!((case.state, case.version), (CaseState::Reported, 1));
    assert_eq!(case.grid_node, Some(s.community));
    assert_eq!(case.location.map(|l| l.latitude()), Some(30.0));

    let steps = [
        CaseAction::Accept,
        CaseAction::Register,
        CaseAction::Dispatch {
            department: "城管".into(),
            assisting: Vec::new(),
        },
        CaseAction::Return {
            reason: "不属于本部门".into(),
        },
        CaseAction::Dispatch {
            department: "环卫".into(),
            assisting: Vec::new(),
        },
        CaseAction::SignFor,
        CaseAction::StartWork,
        CaseAction::Resolve {
            answer: "已清理".into(),
            attachment_ids: vec![1],
        },
        CaseAction::Verify,
        CaseAction::Close,
    ];
    let mut version = 1;
    for (i, action) in steps.iter().enumerate() {
        let later = fixed_now() + Duration::minutes(i as i64 + 1);
        let updated = scope
            .apply_action(s.case, version, action, "user:1", later)
            .expect("legal step");
        assert_eq!(updated.version, version + 1);
        assert_eq!(updated.updated_at, later);
        version = updated.version;
    }
    let events = scope.case_events(s.case).expect("events");
    assert_eq!(events.len(), steps.len() + 1);
    assert_eq!(events[0].action, crate::scoped::REPORT_ACTION);
    assert_eq!(events[0].from_state, None);
    assert_eq!(events[0].actor, "resident");
    let returned = &events[4];
    assert_eq!(returned.action, "return");
    assert_eq!(returned.note.as_deref(), Some("不属于本部门"));
    assert!(!returned.public);
    let last = events.last().expect("last");
    assert_eq!(
        (last.from_state, last.to_state),
        (Some(CaseState::Verified), CaseState::Closed)
    );
    assert!(last.public);
}

#[test]
fn stale_version_is_a_conflict() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let s = seed(&scope, 6);
    scope
        .apply_action(s.case, 1, &CaseAction::Accept, "user:1", fixed_now())
        .expect("first writer wins");
    let e = scope
        .apply_action(s.case, 1, &CaseAction::Register, "user:2", fixed_now())
        .expect_err("second writer is stale");
    let problem = domain::Problem::from(e);
    assert_eq!(problem.kind, ProblemKind::Conflict);
    assert_eq!(problem.code(), domain::ProblemCode::VersionConflict);
    assert_eq!(problem.field.as_deref(), Some("version"));
    let case = scope.case_by_id(s.case).expect("read").expect("found");
    assert_eq!((case.state, case.version), (CaseState::Accepted, 2));
    assert_eq!(scope.case_events(s.case).expect("events").len(), 2);
}

#[test]
fn illegal_transition_changes_nothing() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let s = seed(&scope, 7);
    let before = scope.case_by_id(s.case).expect("read");
    let events_before = scope.case_events(s.case).expect("events");
    let e = scope
        .apply_action(s.case, 1, &CaseAction::SignFor, "user:1", fixed_now())
        .expect_err("illegal");
    let p = domain::Problem::from(e);
    assert_eq!(p.kind, ProblemKind::IllegalTransition);
    assert_eq!(p.detail, "cannot 'sign_for' a case in state 'reported'");
    let blank = scope
        .apply_action(
            s.case,
            1,
            &CaseAction::Decline { reason: " ".into() },
            "user:1",
            fixed_now(),
        )
        .expect_err("blank reason");
    assert_eq!(problem_kind(blank), ProblemKind::Validation);
    assert_eq!(scope.case_by_id(s.case).expect("read"), before);
    assert_eq!(scope.case_events(s.case).expect("events"), events_before);
    // The transaction was rolled back, so the connection is usable for the next write.
    scope
        .apply_action(s.case, 1, &CaseAction::Accept, "user:1", fixed_now())
        .expect("legal after refusal");
}

#[test]
fn cursor_paging_and_duplicate_tracking_codes() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let ids: Vec<CaseId> = (0..5u8)
        .map(|i| {
            scope
                .insert_case(
                    new_located_case(&TrackingCode::from_random([i; 8]), None),
                    fixed_now(),
                )
                .expect("insert")
                .id
        })
        .collect();
    let page1 = scope.list_cases(None, 2).expect("page");
    let page2 = scope
        .list_cases(page1.last().map(|c| c.id), 2)
        .expect("page");
    let page3 = scope
        .list_cases(page2.last().map(|c| c.id), 2)
        .expect("page");
    let all: Vec<CaseId> = [page1, page2, page3]
        .concat()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all, ids);
    assert_eq!(scope.list_cases(None, 0).expect("clamped").len(), 1);
    let dup = scope
        .insert_case(
            new_located_case(&TrackingCode::from_random([0; 8]), None),
            fixed_now(),
        )
        .expect_err("tracking code taken");
    assert!(matches!(dup, Error::Conflict(_)));
}
