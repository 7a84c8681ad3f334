//! The case-flow paths beyond the straight line: transfer, re-categorising a
//! misrouted case, joint handling with assisting departments, and a
//! resolution that must show its result.

use super::fixtures::{
    add_road_damage_category, beijing, calendar, fresh_db, photo_upload, report_garbage,
    route_garbage_to, tenant_with_urban_and_garbage,
};
use crate::*;
use domain::case::AssistingPart;
use domain::{CaseAction, Code, Problem};

fn department(scope: &TenantScope<'_, NativeDb>, code: &str) -> i64 {
    scope
        .create_department(&Code::parse(code).unwrap(), code)
        .unwrap()
        .id
}

fn photo(scope: &TenantScope<'_, NativeDb>, n: u8) -> i64 {
    photo_upload(scope, n.into(), "user:1", beijing("2026-03-02 10:00"))
}

fn act(scope: &TenantScope<'_, NativeDb>, case: &Case, action: CaseAction) -> Result<Case, Error> {
    scope.act(
        case.id,
        case.version,
        &action,
        "user:1",
        beijing("2026-03-02 11:00"),
        &calendar(),
    )
}

fn status(result: Result<Case, Error>) -> u16 {
    Problem::from(result.expect_err("refused")).status()
}

#[test]
fn a_transfer_changes_hands_but_not_the_clock() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let police = department(&scope, "police");
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-02 09:00");
    let case = scope
        .auto_dispatch(report_garbage(&scope, 1, at), at)
        .unwrap();
    let signed = act(&scope, &case, CaseAction::SignFor).unwrap();
    let same = CaseAction::Transfer {
        department: "urban".into(),
        reason: "x".into(),
    };
    assert_eq!(status(act(&scope, &signed, same)), 409);
    let moved = act(
        &scope,
        &signed,
        CaseAction::Transfer {
            department: "police".into(),
            reason: "占道经营归公安".into(),
        },
    )
    .unwrap();
    assert_eq!(moved.state, domain::CaseState::Dispatched);
    assert_eq!(moved.department, Some(police));
    assert_eq!(moved.dispatched_at, case.dispatched_at);
    assert_eq!(moved.resolution_due_at, case.resolution_due_at);
    let events = scope.case_events(case.id).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.action, "transfer");
    assert_eq!(last.note.as_deref(), Some("to police: 占道经营归公安"));
}

#[test]
fn a_misrouted_case_is_recategorised_and_its_clock_recounted() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    add_road_damage_category(&scope);
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-02 09:00");
    let case = scope
        .auto_dispatch(report_garbage(&scope, 2, at), at)
        .unwrap();
    let unknown = CaseAction::Recategorise {
        category: "volcano".into(),
        reason: "x".into(),
    };
    assert_eq!(status(act(&scope, &case, unknown)), 404);
    let back = act(
        &scope,
        &case,
        CaseAction::Recategorise {
            category: "road_damage".into(),
            reason: "是路面塌陷，不是垃圾".into(),
        },
    )
    .unwrap();
    assert_eq!(back.state, domain::CaseState::Registered);
    assert_eq!(back.category, "road_damage");
    assert_eq!(back.department, None, "back with the command centre");
    assert_eq!(
        back.dispatched_at, case.dispatched_at,
        "the clock keeps its start"
    );
    // 24 working hours (1,440 minutes) from Monday 09:00 on 09:00-17:30
    // days: 510 on Monday, 510 on Tuesday, 420 on Wednesday, so 16:00.
    assert_eq!(back.resolution_due_at, Some(beijing("2026-03-04 16:00")));
    let internal = scope.case_events(case.id).unwrap();
    assert!(!internal.last().unwrap().public);
}

#[test]
fn joint_handling_waits_for_every_part() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let police = department(&scope, "police");
    let market = department(&scope, "market");
    let at = beijing("2026-03-02 09:00");
    let mut case = report_garbage(&scope, 3, at);
    for action in [CaseAction::Accept, CaseAction::Register] {
        case = act(&scope, &case, action).unwrap();
    }
    let part = |department: &str, part: &str| AssistingPart {
        department: department.into(),
        part: part.into(),
    };
    let unknown = CaseAction::Dispatch {
        department: "urban".into(),
        assisting: vec![part("nobody", "x")],
    };
    let refused = Problem::from(act(&scope, &case, unknown).expect_err("unknown"));
    assert_eq!(refused.field.as_deref(), Some("assisting[0].department"));
    assert!(
        scope.case_assists(case.id).unwrap().is_empty(),
        "nothing half-written"
    );

    case = act(
        &scope,
        &case,
        CaseAction::Dispatch {
            department: "urban".into(),
            assisting: vec![part("police", "维持秩序"), part("market", "查处无照经营")],
        },
    )
    .unwrap();
    assert_eq!(case.department, Some(urban));
    let assists = scope.case_assists(case.id).unwrap();
    assert_eq!(
        assists.iter().map(|a| a.department).collect::<Vec<_>>(),
        [police, market]
    );
    // Each assisting department sees the case in its inbox while its part is open.
    let case_id = case.id;
    let in_inbox = |department| {
        scope
            .queue(Queue::Department(department), &QueueQuery::default(), 50)
            .unwrap()
            .cases
            .iter()
            .any(|c| c.id == case_id)
    };
    assert!(in_inbox(urban) && in_inbox(police) && in_inbox(market));

    for action in [CaseAction::SignFor, CaseAction::StartWork] {
        case = act(&scope, &case, action).unwrap();
    }
    let resolve = |n| CaseAction::Resolve {
        answer: "已整治".into(),
        attachment_ids: vec![photo(&scope, n)],
    };
    let early = act(&scope, &case, resolve(1)).expect_err("parts open");
    let early = Problem::from(early);
    assert_eq!(early.status(), 409);
    assert!(early.detail.contains("police") && early.detail.contains("market"));

    scope
        .complete_assist(
            case.id,
            police,
            "已派警力",
            "user:7",
            beijing("2026-03-02 12:00"),
        )
        .unwrap();
    let twice = scope.complete_assist(
        case.id,
        police,
        "again",
        "user:7",
        beijing("2026-03-02 12:00"),
    );
    assert_eq!(Problem::from(twice.unwrap_err()).status(), 409);
    assert!(!in_inbox(police), "a finished part leaves the inbox");
    scope
        .complete_assist(
            case.id,
            market,
            "已取缔",
            "user:8",
            beijing("2026-03-02 13:00"),
        )
        .unwrap();
    let case = scope.case_by_id(case.id).unwrap().unwrap();
    let resolved = act(&scope, &case, resolve(2)).unwrap();
    assert_eq!(resolved.state, domain::CaseState::Resolved);
    let public: Vec<_> = scope
        .case_events(case.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "assist_done")
        .map(|e| (e.details.unwrap_or_default(), e.note.unwrap_or_default()))
        .collect();
    assert_eq!(
        public,
        [
            (
                serde_json::json!({ "department": "police" }),
                "已派警力".to_string()
            ),
            (
                serde_json::json!({ "department": "market" }),
                "已取缔".to_string()
            ),
        ]
    );
}

#[test]
fn a_resolution_attaches_its_result_photos() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-02 09:00");
    let mut case = scope
        .auto_dispatch(report_garbage(&scope, 4, at), at)
        .unwrap();
    for action in [CaseAction::SignFor, CaseAction::StartWork] {
        case = act(&scope, &case, action).unwrap();
    }
    let unknown = CaseAction::Resolve {
        answer: "已清理".into(),
        attachment_ids: vec![999],
    };
    assert_eq!(status(act(&scope, &case, unknown)), 404);
    let unchanged = scope.case_by_id(case.id).unwrap().unwrap();
    assert_eq!(unchanged.version, case.version, "nothing half-written");
    let photo = photo(&scope, 9);
    let resolved = act(
        &scope,
        &case,
        CaseAction::Resolve {
            answer: "已清理".into(),
            attachment_ids: vec![photo],
        },
    )
    .unwrap();
    assert!(resolved.resolved_at.is_some());
    let attached = scope.case_attachments(case.id).unwrap();
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].purpose, Purpose::Result);
}
