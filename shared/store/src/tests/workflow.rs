//! The workflow against an in-memory SQLite: rules, dispatch and its clock,
//! pauses, the sweep, queues.

use super::fixtures::{
    CountingDb, beijing, calendar, fresh_db, report_garbage, route_garbage_to,
    tenant_with_urban_and_garbage,
};
use crate::*;
use chrono::Utc;
use domain::{CaseAction, CaseSource, CaseState, Code, TrackingCode};

/// A case recorded already dispatched (`Routing::Automatic`) is the case
/// the three steps taken one by one leave: the same state, version,
/// department, clock, history and figures; and it costs a handful of
/// statements, three of them writes under the lock.
#[test]
fn a_case_dispatched_on_intake_equals_one_dispatched_step_by_step() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let at = beijing("2026-03-06 16:00");
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let step_by_step = scope
        .auto_dispatch(report_garbage(&scope, 1, at), at)
        .unwrap();

    let counting = CountingDb::new(&db);
    let counted = TenantScope::new(&counting, &t);
    let new = NewCase::basic(
        TrackingCode::from_random([2; 8]),
        "garbage",
        "垃圾",
        CaseSource::Resident,
    );
    let prepared = counted.prepare_case(new, Routing::Automatic, at).unwrap();
    let at_once = counted.record_case(&prepared, at).unwrap();
    let (statements, locked) = counting.counts();
    assert!(
        statements <= 9 && locked <= 6,
        "{statements} statements, {locked} under the lock: {:#?}",
        counting.statements.borrow()
    );

    let fields = |c: &Case| {
        (
            c.state,
            c.version,
            c.department,
            c.dispatched_at,
            c.response_due_at,
            c.resolution_due_at,
        )
    };
    assert_eq!(fields(&at_once), fields(&step_by_step));
    let history = |c: &Case| {
        scope
            .case_events(c.id)
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.action,
                    e.actor,
                    e.from_state,
                    e.to_state,
                    e.note,
                    e.public,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(history(&at_once), history(&step_by_step));
    // Both counted alike: the kept figures equal a recount.
    let kept = scope.stats_rows().unwrap();
    scope.rebuild_stats().unwrap();
    assert_eq!(kept, scope.stats_rows().unwrap());
}

#[test]
fn a_rule_dispatches_on_intake_and_the_clock_starts_then() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let unrouted = report_garbage(&scope, 1, beijing("2026-03-06 16:00"));
    let same = scope
        .auto_dispatch(unrouted, beijing("2026-03-06 16:00"))
        .unwrap();
    assert_eq!(same.state, CaseState::Reported, "no rule: triage");
    assert_eq!(
        scope
            .queue(Queue::Triage, &QueueQuery::default(), 50)
            .unwrap()
            .cases
            .len(),
        1
    );

    route_garbage_to(&scope, urban);
    let case = report_garbage(&scope, 2, beijing("2026-03-06 16:00"));
    let dispatched = scope
        .auto_dispatch(case, beijing("2026-03-06 16:00"))
        .unwrap();
    assert_eq!(dispatched.state, CaseState::Dispatched);
    assert_eq!(dispatched.department, Some(urban));
    assert_eq!(
        dispatched.response_due_at,
        Some(beijing("2026-03-09 09:30"))
    );
    assert_eq!(
        dispatched.resolution_due_at,
        Some(beijing("2026-03-09 15:30"))
    );
    assert_eq!(
        scope
            .queue(Queue::Department(urban), &QueueQuery::default(), 50)
            .unwrap()
            .cases
            .len(),
        1
    );

    // A return and a re-dispatch do not restart the clock.
    let cal = calendar();
    let returned = scope
        .act(
            dispatched.id,
            dispatched.version,
            &CaseAction::Return {
                reason: "不归我们".into(),
            },
            "user:2",
            beijing("2026-03-09 09:00"),
            &cal,
        )
        .unwrap();
    assert_eq!(returned.department, None);
    let again = scope
        .act(
            returned.id,
            returned.version,
            &CaseAction::Dispatch {
                department: "urban".into(),
                assisting: Vec::new(),
            },
            "user:1",
            beijing("2026-03-09 10:00"),
            &cal,
        )
        .unwrap();
    assert_eq!(again.resolution_due_at, dispatched.resolution_due_at);
}

#[test]
fn waiting_for_the_reporter_pauses_the_clock() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let cal = calendar();
    let case = scope
        .auto_dispatch(
            report_garbage(&scope, 3, beijing("2026-03-02 09:00")),
            beijing("2026-03-02 09:00"),
        )
        .unwrap();
    let mut case = case;
    for (action, at) in [
        (CaseAction::SignFor, "2026-03-02 09:10"),
        (CaseAction::StartWork, "2026-03-02 09:20"),
        (CaseAction::AwaitReporter, "2026-03-02 10:00"),
        (CaseAction::ReporterReplied, "2026-03-03 10:00"),
    ] {
        case = scope
            .act(case.id, case.version, &action, "user:2", beijing(at), &cal)
            .unwrap();
    }
    // A whole working day (510 minutes) paused moves the deadline by as much.
    assert_eq!(case.resolution_due_at, Some(beijing("2026-03-03 17:00")));
    assert_eq!(case.responded_at, Some(beijing("2026-03-02 09:10")));
    assert!(case.paused_at.is_none());
}

#[test]
fn the_sweep_climbs_the_escalation_ladder_once_per_step() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let cal = calendar();
    let case = scope
        .auto_dispatch(
            report_garbage(&scope, 4, beijing("2026-03-02 09:00")),
            beijing("2026-03-02 09:00"),
        )
        .unwrap();
    let check = |at: &str, escalated: usize, level: i64| {
        let report = scope.sweep(beijing(at), &cal).unwrap();
        assert_eq!(report.escalated, escalated, "{at}");
        assert_eq!(
            scope.case_by_id(case.id).unwrap().unwrap().escalation_level,
            level,
            "{at}"
        );
    };
    check("2026-03-02 12:00", 0, 0); // 3 of 8 hours
    check("2026-03-02 16:30", 1, 1); // 7 h 30 of 8: warned
    check("2026-03-02 16:40", 0, 1); // nothing new
    check("2026-03-03 10:00", 1, 2); // overdue
    check("2026-03-04 09:00", 1, 4); // twice the time: summoned
    assert_eq!(
        scope
            .queue(Queue::Overdue, &QueueQuery::default(), 50)
            .unwrap()
            .cases
            .len(),
        1
    );
    assert_eq!(
        scope
            .queue(Queue::Escalated, &QueueQuery::default(), 50)
            .unwrap()
            .cases
            .len(),
        1
    );
    let events = scope.case_events(case.id).unwrap();
    let escalations: Vec<_> = events.iter().filter(|e| e.action == "escalate").collect();
    assert_eq!(escalations.len(), 3);
    assert!(
        escalations.iter().all(|e| !e.public),
        "escalations are internal"
    );
}

#[test]
fn rules_match_in_order_within_grid_subtrees() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let sanitation = scope
        .create_department(&Code::parse("sanitation").unwrap(), "环卫")
        .unwrap();
    let mut parent = None;
    let mut nodes = Vec::new();
    for (level, code) in [
        (domain::GridLevel::Township, "T"),
        (domain::GridLevel::Community, "C"),
        (domain::GridLevel::Grid, "G"),
    ] {
        let node = scope
            .create_grid_node(NewGridNode {
                parent,
                level,
                code: domain::GridCode::parse(code).unwrap(),
                name: code.into(),
                households: None,
                geometry: None,
            })
            .unwrap();
        parent = Some(node.id);
        nodes.push(node.id);
    }
    scope
        .set_routing_rules(&[
            RoutingRule {
                category: "garbage".into(),
                grid_node: Some(nodes[1]),
                department: sanitation.id,
            },
            RoutingRule {
                category: "garbage".into(),
                grid_node: None,
                department: urban,
            },
        ])
        .unwrap();
    // A rule for a node covers its subtree; the path is the case's node and those above it.
    let department = |category: &str, path: &[domain::GridNodeId]| {
        let ids: Vec<i64> = path.iter().map(|n| n.0).collect();
        scope
            .auto_dispatch_for(category, &ids, domain::intake::Priority::Normal, Utc::now())
            .unwrap()
            .map(|d| d.department)
    };
    assert_eq!(department("garbage", &nodes), Some(sanitation.id));
    assert_eq!(department("garbage", &nodes[..1]), Some(urban));
    assert_eq!(department("garbage", &[]), Some(urban));
    assert_eq!(department("noise", &[]), None);
    let bad = scope.set_routing_rules(&[RoutingRule {
        category: "unicorns".into(),
        grid_node: None,
        department: urban,
    }]);
    assert!(bad.is_err());
}

#[test]
fn returns_are_limited_and_an_extension_moves_the_deadline() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let cal = calendar();
    let at = beijing("2026-03-02 09:00");
    let mut case = scope
        .auto_dispatch(report_garbage(&scope, 5, at), at)
        .unwrap();
    for _ in 0..domain::workflow::MAX_RETURNS {
        case = scope
            .act(
                case.id,
                case.version,
                &CaseAction::Return {
                    reason: "非本部门".into(),
                },
                "user:2",
                at,
                &cal,
            )
            .unwrap();
        case = scope
            .act(
                case.id,
                case.version,
                &CaseAction::Dispatch {
                    department: "urban".into(),
                    assisting: Vec::new(),
                },
                "user:1",
                at,
                &cal,
            )
            .unwrap();
    }
    let refused = scope.act(
        case.id,
        case.version,
        &CaseAction::Return {
            reason: "again".into(),
        },
        "user:2",
        at,
        &cal,
    );
    assert_eq!(domain::Problem::from(refused.unwrap_err()).status(), 409);

    let before = case.resolution_due_at.unwrap();
    for action in [
        CaseAction::SignFor,
        CaseAction::RequestExtension,
        CaseAction::GrantExtension,
    ] {
        case = scope
            .act(case.id, case.version, &action, "user:1", at, &cal)
            .unwrap();
    }
    // Eight more working hours from 17:00 Monday: 30 minutes that day,
    // 7 h 30 on Tuesday.
    assert_eq!(before, beijing("2026-03-02 17:00"));
    assert_eq!(case.resolution_due_at, Some(beijing("2026-03-03 16:30")));
}

#[test]
fn queues_filter_sort_by_deadline_and_page_with_cursors() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    // Reported one after another, dispatched at once: later reports are due later,
    // so reverse the report order by priority to make the deadline order differ.
    let mut cases = Vec::new();
    for n in 0..5u8 {
        let at = beijing("2026-03-02 09:00") + chrono::Duration::minutes(i64::from(n) * 30);
        let mut new = NewCase::basic(
            TrackingCode::from_random([n + 10; 8]),
            "garbage",
            "垃圾",
            CaseSource::Resident,
        );
        if n == 4 {
            new.priority = domain::intake::Priority::Urgent;
        }
        cases.push(
            scope
                .auto_dispatch(scope.insert_case(new, at).unwrap(), at)
                .unwrap(),
        );
    }
    let unrouted = report_garbage(&scope, 99, beijing("2026-03-02 09:00"));
    let inbox = Queue::Department(urban);
    let by_due = QueueQuery {
        sort: QueueSort::Due,
        ..QueueQuery::default()
    };
    let mut seen = Vec::new();
    let mut query = by_due.clone();
    loop {
        let page = scope.queue(inbox, &query, 2).unwrap();
        seen.extend(page.cases.iter().map(|c| c.id));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let mut expected: Vec<_> = cases.iter().collect();
    expected.sort_by_key(|c| (c.resolution_due_at, c.id));
    assert_eq!(seen, expected.iter().map(|c| c.id).collect::<Vec<_>>());
    assert_eq!(seen[0], cases[4].id, "the urgent case is due first");

    let newest = QueueQuery {
        sort: QueueSort::Newest,
        ..QueueQuery::default()
    };
    let first = scope.queue(inbox, &newest, 1).unwrap();
    assert_eq!(first.cases[0].id, cases[4].id);
    let filtered = QueueQuery {
        state: Some(CaseState::Dispatched),
        category: Some("garbage".into()),
        ..QueueQuery::default()
    };
    assert_eq!(scope.queue(inbox, &filtered, 50).unwrap().cases.len(), 5);
    let overdue_only = QueueQuery {
        clock: Some(Clock::Overdue),
        ..QueueQuery::default()
    };
    assert!(
        scope
            .queue(inbox, &overdue_only, 50)
            .unwrap()
            .cases
            .is_empty()
    );
    let unassigned = scope
        .queue(Queue::Unassigned, &QueueQuery::default(), 50)
        .unwrap();
    assert_eq!(
        unassigned.cases.iter().map(|c| c.id).collect::<Vec<_>>(),
        [unrouted.id]
    );
    let bad = QueueQuery {
        sort: QueueSort::Due,
        after: Some("17".into()),
        ..QueueQuery::default()
    };
    let refused = scope.queue(inbox, &bad, 2).unwrap_err();
    assert_eq!(
        domain::Problem::from(refused).field.as_deref(),
        Some("after")
    );
}

/// Inside a handler's transaction a case joins it without a savepoint, and
/// a taken tracking code fails before anything is written: the caller
/// draws again and the transaction goes on to commit one case.
#[test]
fn a_taken_tracking_code_inside_a_transaction_is_drawn_again() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let at = beijing("2026-03-06 16:00");
    let taken = TrackingCode::from_random([7; 8]);
    let scope = TenantScope::new(&db, &t);
    let first = NewCase::basic(taken.clone(), "garbage", "垃圾", CaseSource::Resident);
    scope.insert_case(first, at).unwrap();

    let counting = CountingDb::new(&db);
    let counted = TenantScope::new(&counting, &t);
    let new = NewCase::basic(taken, "garbage", "又一堆垃圾", CaseSource::Resident);
    let mut prepared = counted.prepare_case(new, Routing::Automatic, at).unwrap();
    let recorded = crate::in_transaction(&counting, |_| {
        let again = counted.record_case(&prepared, at);
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
        prepared.with_tracking_code(TrackingCode::from_random([8; 8]));
        counted.record_case(&prepared, at)
    })
    .unwrap();
    assert!(
        !counting
            .statements
            .borrow()
            .iter()
            .any(|s| s.starts_with("SAVEPOINT")),
        "{:#?}",
        counting.statements.borrow()
    );
    let history = scope.case_events(recorded.id).unwrap();
    assert_eq!(history.len(), 1, "one intake event: {history:?}");
    let all = scope.list_cases(None, 10).unwrap();
    assert_eq!(all.len(), 2);
}
