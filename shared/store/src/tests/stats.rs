//! The figures kept on every change agree with a recount from the cases,
//! whatever happened; and they say what happened.

use super::fixtures::{
    add_road_damage_category, beijing, calendar, fresh_db, photo_upload, route_garbage_to,
    tenant_with_urban_and_garbage,
};
use crate::*;
use chrono::Duration;
use domain::analytics::Figures;
use domain::{ActionKind, CaseAction, CaseSource, GridCode, GridLevel, GridNodeId, TrackingCode};
use proptest::prelude::*;

/// township → community → two grids; returns the grids.
fn grid(scope: &TenantScope<'_, NativeDb>) -> (GridNodeId, GridNodeId, GridNodeId) {
    let node = |parent: Option<GridNodeId>, level, code: &str| {
        scope
            .create_grid_node(NewGridNode {
                parent,
                level,
                code: GridCode::parse(code).unwrap(),
                name: code.into(),
                households: Some(100),
                geometry: None,
            })
            .unwrap()
            .id
    };
    let town = node(None, GridLevel::Township, "T");
    let community = node(Some(town), GridLevel::Community, "T-C");
    (
        community,
        node(Some(community), GridLevel::Grid, "T-C-1"),
        node(Some(community), GridLevel::Grid, "T-C-2"),
    )
}

fn new_case(
    scope: &TenantScope<'_, NativeDb>,
    n: u8,
    node: GridNodeId,
    at: chrono::DateTime<chrono::Utc>,
) -> Case {
    let mut new = NewCase::basic(
        TrackingCode::from_random([n; 8]),
        "garbage",
        "垃圾",
        CaseSource::Resident,
    );
    new.grid_node = Some(node);
    scope.insert_case(new, at).unwrap()
}

fn photo(scope: &TenantScope<'_, NativeDb>, n: usize) -> i64 {
    photo_upload(scope, n as u64, "user:1", beijing("2026-03-02 09:00"))
}

/// One step of the case flow, by the command centre, at `at`.
fn take(
    scope: &TenantScope<'_, NativeDb>,
    case: &Case,
    action: CaseAction,
    at: chrono::DateTime<chrono::Utc>,
) -> Case {
    scope
        .act(case.id, case.version, &action, "user:1", at, &calendar())
        .unwrap()
}

fn figures(scope: &TenantScope<'_, NativeDb>, node: Option<GridNodeId>) -> Figures {
    let days = scope
        .stats_by_day(&StatsFilter {
            node,
            ..StatsFilter::default()
        })
        .unwrap();
    let mut total = domain::analytics::Counters::default();
    for (_, c) in &days {
        total.accumulate(c, 1);
    }
    Figures::from(&total)
}

#[test]
fn a_closed_case_counts_at_its_grid_and_every_level_above() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let (community, one, two) = grid(&scope);
    let at = beijing("2026-03-02 09:00");
    let mut case = scope
        .auto_dispatch(new_case(&scope, 1, one, at), at)
        .unwrap();
    new_case(&scope, 2, two, at);
    let cal = calendar();
    for action in [
        CaseAction::SignFor,
        CaseAction::StartWork,
        CaseAction::Resolve {
            answer: "好".into(),
            attachment_ids: vec![photo(&scope, 1)],
        },
        CaseAction::Verify,
        CaseAction::Close,
    ] {
        case = take(&scope, &case, action, at + Duration::hours(2));
    }
    scope
        .rate(case.id, 5, None, false, at + Duration::hours(3), &cal)
        .unwrap();
    let at_one = figures(&scope, Some(one));
    assert_eq!((at_one.received, at_one.closed, at_one.rated), (1, 1, 1));
    assert_eq!(at_one.on_time_rate, Some(1.0));
    assert_eq!(at_one.average_resolution_hours, Some(2.0));
    let at_community = figures(&scope, Some(community));
    assert_eq!((at_community.received, at_community.closed), (2, 1));
    assert_eq!(at_community.closure_rate, Some(0.5));
    assert_eq!(figures(&scope, None).received, 2);
    assert_eq!(figures(&scope, Some(two)).closed, 0);
    let by_department = scope.stats_by_department(&StatsFilter::default()).unwrap();
    assert!(
        by_department
            .iter()
            .any(|(d, c)| *d == urban && Figures::from(c).closed == 1)
    );
    let grids = scope
        .stats_by_grid(GridLevel::Grid, &StatsFilter::default())
        .unwrap()
        .grids;
    assert_eq!(grids.len(), 2);
    assert!(
        grids
            .iter()
            .all(|g| Figures::from(&g.counters).received == 1)
    );
    let open = scope
        .open_now(&StatsFilter {
            node: Some(community),
            ..StatsFilter::default()
        })
        .unwrap();
    assert_eq!(open.open, 1);
}

/// The grid rows and the 未定位 row add up to the figures' total: a report
/// with no place, and one placed at its community only, are no grid's.
#[test]
fn the_grid_rows_and_the_unplaced_row_add_up_to_the_total() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (community, one, two) = grid(&scope);
    let at = beijing("2026-03-02 09:00");
    new_case(&scope, 1, one, at);
    new_case(&scope, 2, one, at);
    new_case(&scope, 3, two, at);
    new_case(&scope, 4, community, at);
    let mut nowhere = NewCase::basic(
        TrackingCode::from_random([5; 8]),
        "garbage",
        "没有位置的上报",
        CaseSource::Resident,
    );
    nowhere.grid_node = None;
    scope.insert_case(nowhere, at).unwrap();

    let check = |node: Option<GridNodeId>, grids: &[i64], unplaced: i64| {
        let filter = StatsFilter {
            node,
            ..StatsFilter::default()
        };
        let counts = scope.stats_by_grid(GridLevel::Grid, &filter).unwrap();
        let received: Vec<i64> = counts
            .grids
            .iter()
            .map(|g| Figures::from(&g.counters).received)
            .collect();
        assert_eq!(received, grids, "the grids under {node:?}");
        assert_eq!(Figures::from(&counts.unplaced).received, unplaced);
        let total = Figures::from(&counts.total).received;
        assert_eq!(total, figures(&scope, node).received, "the figures' total");
        assert_eq!(
            received.iter().sum::<i64>() + unplaced,
            total,
            "the rows add up"
        );
    };
    check(None, &[2, 1], 2);
    check(Some(community), &[2, 1], 1);
    check(Some(two), &[1], 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn kept_figures_equal_a_recount_after_random_workloads(
        steps in proptest::collection::vec((0usize..4, 0u8..16, 0i64..3000), 1..80)
    ) {
        let db = fresh_db();
        let (t, urban) = tenant_with_urban_and_garbage(&db);
        let scope = TenantScope::new(&db, &t);
        add_road_damage_category(&scope);
        route_garbage_to(&scope, urban);
        let (_, one, two) = grid(&scope);
        let cal = calendar();
        let mut now = beijing("2026-03-01 22:00");
        let mut ids = Vec::new();
        for n in 0..4u8 {
            let node = if n % 2 == 0 { one } else { two };
            let case = new_case(&scope, n, node, now);
            ids.push(scope.auto_dispatch(case, now).unwrap().id);
        }
        for (i, (which, pick, wait)) in steps.into_iter().enumerate() {
            now += Duration::minutes(wait);
            let case = scope.case_by_id(ids[which]).unwrap().unwrap();
            if pick >= 12 {
                let _ = scope.rate(case.id, i64::from(pick % 5) + 1, None, pick % 2 == 0, now, &cal);
                continue;
            }
            // One of the moves the case's state allows, so walks reach the end.
            let allowed: Vec<ActionKind> = case.state.allowed_actions().collect();
            let Some(kind) = allowed.get(usize::from(pick) % allowed.len().max(1)) else {
                continue;
            };
            let action = match kind {
                ActionKind::Resolve => CaseAction::Resolve { answer: "好".into(), attachment_ids: vec![photo(&scope, i)] },
                ActionKind::Reopen => CaseAction::Reopen { reason: "又坏了".into() },
                ActionKind::Return => CaseAction::Return { reason: "不归我们".into() },
                ActionKind::Dispatch => CaseAction::Dispatch { department: "urban".into(), assisting: vec![] },
                ActionKind::Transfer => continue,
                ActionKind::Recategorise => {
                    let category = if case.category == "garbage" { "road_damage" } else { "garbage" };
                    CaseAction::Recategorise { category: category.into(), reason: "错了".into() }
                }
                ActionKind::Decline => CaseAction::Decline { reason: "不受理".into() },
                ActionKind::RejectVerification => CaseAction::RejectVerification { reason: "没修好".into() },
                ActionKind::Accept => CaseAction::Accept,
                ActionKind::Register => CaseAction::Register,
                ActionKind::SignFor => CaseAction::SignFor,
                ActionKind::RequestExtension => CaseAction::RequestExtension,
                ActionKind::GrantExtension => CaseAction::GrantExtension,
                ActionKind::RefuseExtension => CaseAction::RefuseExtension,
                ActionKind::StartWork => CaseAction::StartWork,
                ActionKind::AwaitReporter => CaseAction::AwaitReporter,
                ActionKind::ReporterReplied => CaseAction::ReporterReplied,
                ActionKind::Verify => CaseAction::Verify,
                ActionKind::Close => CaseAction::Close,
                ActionKind::Archive => CaseAction::Archive,
                ActionKind::FixedOnTheSpot => continue,
                // Refused: no case here was dispatched by the triage.
                ActionKind::UndoTriage => CaseAction::UndoTriage { reason: "错派".into() },
            };
            let _ = scope.act(case.id, case.version, &action, "user:1", now, &cal);
        }
        let kept = scope.stats_rows().unwrap();
        scope.rebuild_stats().unwrap();
        let recounted = scope.stats_rows().unwrap();
        prop_assert_eq!(kept, recounted);
    }
}

/// A database upgraded to the figures step counts the cases it already
/// had: their outcome times come from their history, then the recount.
#[test]
fn an_upgraded_database_counts_the_cases_it_had() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let (_, one, _) = grid(&scope);
    let at = beijing("2026-03-02 09:00");
    let mut case = scope
        .auto_dispatch(new_case(&scope, 7, one, at), at)
        .unwrap();
    for action in [
        CaseAction::SignFor,
        CaseAction::StartWork,
        CaseAction::Resolve {
            answer: "好".into(),
            attachment_ids: vec![photo(&scope, 7)],
        },
        CaseAction::Verify,
        CaseAction::Close,
        CaseAction::Reopen {
            reason: "又坏了".into(),
        },
        CaseAction::Resolve {
            answer: "再修好".into(),
            attachment_ids: vec![photo(&scope, 8)],
        },
        CaseAction::Verify,
        CaseAction::Close,
    ] {
        case = take(&scope, &case, action, at + Duration::hours(1));
    }
    let counted = scope.stats_rows().unwrap();
    // As a database from before the step: no outcome times, no figures.
    db.execute("UPDATE cases SET closed_at = NULL, reopen_count = 0", &[])
        .unwrap();
    db.execute("DELETE FROM case_stats", &[]).unwrap();
    let step = crate::MIGRATIONS
        .iter()
        .find(|m| m.name == "analytics")
        .unwrap();
    for update in step.statements().iter().filter(|s| s.starts_with("UPDATE")) {
        db.execute(update, &[]).unwrap();
    }
    crate::migrations::backfill_figures(&db).unwrap();
    assert_eq!(scope.stats_rows().unwrap(), counted);
    let again = scope.case_by_id(case.id).unwrap().unwrap();
    assert_eq!((again.reopen_count, again.closed_at.is_some()), (1, true));
}
