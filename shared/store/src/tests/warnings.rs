//! Early warnings: the sweep raises each kind once from the cases changed
//! since its cursor and the kept figures, updates an open warning as more
//! cases come, posts `warning.raised` to the webhooks, and the command
//! centre's three actions settle a warning once.

use super::fixtures::{
    beijing, fresh_db, new_grid_node, new_user, route_garbage_to, tenant_with_urban_and_garbage,
};
use crate::db::Database;
use crate::*;
use chrono::{DateTime, Duration, Utc};
use domain::receiver::Reach;
use domain::warning::{WarningKind, WarningRules, WarningState};
use domain::{CaseSource, GridLevel, GridNodeId, Location, ProblemCode, TrackingCode};

/// A township with two micro-grids under one grid: their ids.
fn micro_grids(scope: &TenantScope<'_, NativeDb>) -> (GridNodeId, GridNodeId) {
    let mut parent = None;
    for (level, code) in [
        (GridLevel::Township, "T"),
        (GridLevel::Community, "T-C"),
        (GridLevel::Grid, "T-C-G"),
    ] {
        parent = Some(
            scope
                .create_grid_node(new_grid_node(parent, level, code))
                .unwrap()
                .id,
        );
    }
    let micro = |code| {
        scope
            .create_grid_node(new_grid_node(parent, GridLevel::MicroGrid, code))
            .unwrap()
            .id
    };
    (micro("T-C-G-1"), micro("T-C-G-2"))
}

/// A resident's garbage report `n` on `grid` at `at`, with `phone`; each
/// `n` about 100 m east of the one before (not the same place).
fn report(
    scope: &TenantScope<'_, NativeDb>,
    n: u8,
    grid: GridNodeId,
    phone: Option<&str>,
    at: DateTime<Utc>,
) -> Case {
    let mut new = NewCase::basic(
        TrackingCode::from_random([n; 8]),
        "garbage",
        "垃圾又堆在楼下",
        CaseSource::Resident,
    );
    new.grid_node = Some(grid);
    new.location = Some(Location::new(30.2741, 120.1551 + f64::from(n) * 1e-3).unwrap());
    new.contact.phone = phone.map(str::to_string);
    scope.insert_case(new, at).unwrap()
}

fn open_warnings(scope: &TenantScope<'_, NativeDb>, kind: WarningKind) -> Vec<Warning> {
    scope
        .warnings(
            &WarningQuery {
                state: Some(WarningState::Open),
                kind: Some(kind),
                after: None,
            },
            50,
        )
        .unwrap()
}

fn case_ids(scope: &TenantScope<'_, NativeDb>, warning: &Warning) -> Vec<i64> {
    scope
        .warning_cases(warning.id)
        .unwrap()
        .iter()
        .map(|c| c.id.0)
        .collect()
}

#[test]
fn a_recurring_problem_is_raised_once_with_its_cases_and_grows() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, there) = micro_grids(&scope);
    let at = beijing("2026-03-02 09:00");
    scope
        .create_webhook(
            "https://ops.example.cn/w",
            "whsec_c2VjcmV0",
            Reach::LocalToo,
            at,
        )
        .unwrap();
    let first = report(&scope, 1, here, None, at);
    let second = report(&scope, 2, here, None, at + Duration::days(3));
    report(&scope, 3, there, None, at + Duration::days(4));
    let now = at + Duration::days(5);
    let swept = scope.sweep_warnings(now).unwrap();
    assert_eq!(
        (swept.read, swept.raised),
        (3, 0),
        "two in one micro-grid are not three"
    );

    let third = report(&scope, 4, here, None, now + Duration::hours(1));
    let now = now + Duration::hours(2);
    assert_eq!(scope.sweep_warnings(now).unwrap().raised, 1);
    let raised = open_warnings(&scope, WarningKind::Recurring);
    assert_eq!(raised.len(), 1);
    let warning = &raised[0];
    assert_eq!(warning.category.as_deref(), Some("garbage"));
    assert_eq!(warning.grid_node, Some(here.0));
    assert_eq!(warning.case_count, 3);
    assert_eq!(
        case_ids(&scope, warning),
        vec![first.id.0, second.id.0, third.id.0]
    );
    // Announced once, as a warning, not a case event.
    let due = scope.due_deliveries(now, 100).unwrap();
    let announced: Vec<_> = due
        .iter()
        .filter(|d| d.message_id == format!("alpha-warning-{}", warning.id))
        .collect();
    assert_eq!(announced.len(), 1);
    let event: serde_json::Value = serde_json::from_str(&announced[0].payload).unwrap();
    assert_eq!(event["type"], "cn.gridgov.warning.raised");
    assert_eq!(event["data"]["cases"].as_array().map(Vec::len), Some(3));

    // Nothing new: nothing raised; a fourth case joins the open warning.
    let again = scope.sweep_warnings(now + Duration::minutes(5)).unwrap();
    assert_eq!((again.raised, again.updated), (0, 0));
    let fourth = report(&scope, 5, here, None, now + Duration::hours(1));
    let grew = scope.sweep_warnings(now + Duration::hours(2)).unwrap();
    assert_eq!((grew.raised, grew.updated), (0, 1));
    let warning = &open_warnings(&scope, WarningKind::Recurring)[0];
    assert_eq!(warning.case_count, 4);
    assert!(case_ids(&scope, warning).contains(&fourth.id.0));
    let announcements = scope
        .due_deliveries(now + Duration::hours(2), 100)
        .unwrap()
        .iter()
        .filter(|d| d.message_id.contains("-warning-"))
        .count();
    assert_eq!(
        announcements, 1,
        "a warning is announced when raised, not on each update"
    );
}

#[test]
fn the_tenants_rule_decides_and_a_handled_warning_is_not_raised_again_from_its_cases() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, _) = micro_grids(&scope);
    let rules = WarningRules {
        recurring_count: 2,
        recurring_days: 7,
        ..WarningRules::default()
    };
    scope
        .set_warning_rules(&rules, beijing("2026-03-01 09:00"))
        .unwrap();
    assert_eq!(scope.warning_rules().unwrap(), rules);
    let refused = scope
        .set_warning_rules(
            &WarningRules {
                recurring_days: 0,
                ..rules
            },
            beijing("2026-03-01 09:00"),
        )
        .expect_err("out of range");
    assert_eq!(
        Problem::from(refused).field.as_deref(),
        Some("recurring_days")
    );

    let at = beijing("2026-03-02 09:00");
    // Ten days apart: outside the 7-day window.
    report(&scope, 1, here, None, at - Duration::days(10));
    report(&scope, 2, here, None, at);
    assert_eq!(
        scope
            .sweep_warnings(at + Duration::hours(1))
            .unwrap()
            .raised,
        0
    );
    report(&scope, 3, here, None, at + Duration::days(1));
    let now = at + Duration::days(1) + Duration::hours(1);
    assert_eq!(scope.sweep_warnings(now).unwrap().raised, 1);
    let warning = open_warnings(&scope, WarningKind::Recurring).remove(0);
    assert_eq!(warning.case_count, 2);
    scope
        .acknowledge_warning(warning.id, "command_centre:9", "已安排清运", now)
        .unwrap();
    // One more case after it was handled is not two: no new warning.
    report(&scope, 4, here, None, now + Duration::hours(1));
    let later = now + Duration::hours(2);
    assert_eq!(scope.sweep_warnings(later).unwrap().raised, 0);
    report(&scope, 5, here, None, later + Duration::hours(1));
    assert_eq!(
        scope
            .sweep_warnings(later + Duration::hours(2))
            .unwrap()
            .raised,
        1,
        "two new cases after the handled warning make a new one"
    );
    assert_eq!(
        open_warnings(&scope, WarningKind::Recurring)[0].case_count,
        2
    );
}

#[test]
fn the_same_phone_bringing_an_open_matter_again_is_a_repeat() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, there) = micro_grids(&scope);
    let at = beijing("2026-03-02 09:00");
    let earlier = report(&scope, 1, here, Some("13900001111"), at);
    report(
        &scope,
        2,
        there,
        Some("13900002222"),
        at + Duration::hours(1),
    );
    assert_eq!(
        scope
            .sweep_warnings(at + Duration::hours(2))
            .unwrap()
            .raised,
        0
    );
    let again = report(
        &scope,
        3,
        there,
        Some("13900001111"),
        at + Duration::days(2),
    );
    let now = at + Duration::days(2) + Duration::hours(1);
    assert_eq!(scope.sweep_warnings(now).unwrap().raised, 1);
    let repeats = open_warnings(&scope, WarningKind::Repeat);
    assert_eq!(repeats.len(), 1);
    assert_eq!(repeats[0].details["basis"], "phone");
    assert_eq!(
        case_ids(&scope, &repeats[0]),
        vec![earlier.id.0, again.id.0]
    );
    // Read again (the cursor's overlap): still one, with the same cases.
    scope.sweep_warnings(now + Duration::minutes(1)).unwrap();
    assert_eq!(open_warnings(&scope, WarningKind::Repeat)[0].case_count, 2);
}

/// The department's record in the kept figures: 5 closed garbage cases,
/// each resolved in 8 to 24 hours (histogram bucket 3: a median of 16 h),
/// none late.
fn behind_on_garbage(db: &NativeDb, t: &domain::Tenant, urban: i64) {
    db.execute(
        "INSERT INTO case_stats (tenant_id, grid_node_id, day, category, department_id, \
         source, closed, on_time, resolved, resolution_minutes, resolution_b3) \
         VALUES (?, 0, '2026-02-20', 'garbage', ?, 'resident', 5, 5, 5, 4800, 5)",
        &[t.id.0.into(), urban.into()],
    )
    .unwrap();
}

#[test]
fn an_open_case_of_a_department_behind_on_its_category_is_at_risk() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, _) = micro_grids(&scope);
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-02 09:00");
    let case = scope
        .auto_dispatch(report(&scope, 1, here, None, at), at)
        .unwrap();
    assert!(case.resolution_due_at.is_some());
    assert_eq!(
        scope
            .sweep_warnings(at + Duration::hours(1))
            .unwrap()
            .raised,
        0
    );
    behind_on_garbage(&db, &t, urban);
    let now = at + Duration::hours(2);
    assert_eq!(scope.sweep_warnings(now).unwrap().raised, 1);
    let risks = open_warnings(&scope, WarningKind::LateRisk);
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0].department, Some(urban));
    assert_eq!(case_ids(&scope, &risks[0]), vec![case.id.0]);
    assert_eq!(risks[0].details["closed"], 5);
    // Raised once per case, even once handled.
    scope
        .acknowledge_warning(risks[0].id, "command_centre:9", "已电话提醒", now)
        .unwrap();
    assert_eq!(
        scope
            .sweep_warnings(now + Duration::hours(1))
            .unwrap()
            .raised,
        0
    );
}

#[test]
fn the_command_centre_settles_a_warning_once_and_each_action_does_its_part() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, _) = micro_grids(&scope);
    let centre = scope
        .create_user(new_user("zhihui"), beijing("2026-03-01 09:00"))
        .unwrap();
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-02 09:00");
    let mut cases = Vec::new();
    for n in 1..=3 {
        cases.push(
            scope
                .auto_dispatch(report(&scope, n, here, None, at), at)
                .unwrap(),
        );
    }
    let now = at + Duration::hours(1);
    scope.sweep_warnings(now).unwrap();
    let warning = open_warnings(&scope, WarningKind::Recurring).remove(0);

    // A note is required.
    let blank = scope
        .supervise_warning(warning.id, "command_centre:9", "  ", now)
        .expect_err("blank");
    assert_eq!(Problem::from(blank).field.as_deref(), Some("note"));
    let (supervised, count) = scope
        .supervise_warning(warning.id, "command_centre:9", "三天内清运完毕", now)
        .unwrap();
    assert_eq!((supervised.state, count), (WarningState::Supervised, 3));
    assert_eq!(supervised.note.as_deref(), Some("三天内清运完毕"));
    for case in &cases {
        let last = scope.case_events(case.id).unwrap().pop().unwrap();
        assert_eq!(last.action, "escalate");
        assert_eq!(last.actor, "command_centre:9");
        assert_eq!(last.details.as_ref().unwrap()["level"], "supervised");
    }
    // Handled once: every other action is refused with its code.
    let twice = scope
        .acknowledge_warning(warning.id, "command_centre:9", "再看", now)
        .expect_err("handled");
    assert_eq!(Problem::from(twice).code(), ProblemCode::WarningNotOpen);
    let twice = scope
        .open_case_for_warning(
            warning.id,
            "command_centre:9",
            centre.id,
            TrackingCode::from_random([77; 8]),
            "根治",
            now,
        )
        .expect_err("handled");
    assert_eq!(Problem::from(twice).code(), ProblemCode::WarningNotOpen);

    // Another recurring warning (after the handled one) becomes a case.
    for n in 4..=6 {
        report(&scope, n, here, None, now + Duration::hours(1));
    }
    scope.sweep_warnings(now + Duration::hours(2)).unwrap();
    let next = open_warnings(&scope, WarningKind::Recurring).remove(0);
    let (settled, root) = scope
        .open_case_for_warning(
            next.id,
            "command_centre:9",
            centre.id,
            TrackingCode::from_random([78; 8]),
            "楼下垃圾反复堆放：增设垃圾桶",
            now + Duration::hours(2),
        )
        .unwrap();
    assert_eq!(settled.state, WarningState::CaseOpened);
    assert_eq!(settled.root_case, Some(root.id.0));
    assert_eq!(
        root.state,
        domain::CaseState::Reported,
        "the root cause waits in triage"
    );
    assert_eq!(
        (root.category.as_str(), root.grid_node),
        ("garbage", Some(here))
    );
    assert_eq!(
        scope.warning(next.id).unwrap().unwrap().state,
        WarningState::CaseOpened
    );
    let counts = scope.open_warning_counts().unwrap();
    assert!(counts.iter().all(|(_, n)| *n == 0), "{counts:?}");
}

#[test]
fn another_tenants_warnings_are_not_there() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, _) = micro_grids(&scope);
    let at = beijing("2026-03-02 09:00");
    for n in 1..=3 {
        report(&scope, n, here, None, at);
    }
    scope.sweep_warnings(at + Duration::hours(1)).unwrap();
    let warning = open_warnings(&scope, WarningKind::Recurring).remove(0);
    let other = super::fixtures::tenant(&db, "beta");
    let theirs = TenantScope::new(&db, &other);
    assert_eq!(theirs.warning(warning.id).unwrap(), None);
    assert!(theirs.warning_cases(warning.id).unwrap().is_empty());
    let refused = theirs
        .acknowledge_warning(warning.id, "command_centre:1", "看过", at)
        .expect_err("not theirs");
    assert!(matches!(refused, Error::NotFound(_)));
}

/// The sweep reads the cases changed since the last one, at most a batch a
/// call, never the tenant's whole history: once caught up, a sweep with
/// nothing new sends the same few statements whatever the number of cases.
#[test]
fn the_sweep_reads_what_changed_not_every_case() {
    use super::fixtures::{CountingDb, calendar};
    use crate::scoped::bulk::BulkSpec;
    use crate::scoped::warnings::BATCH;
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (a, b) = micro_grids(&scope);
    let now = beijing("2026-03-02 12:00");
    let spec = BulkSpec {
        cases: 20_000,
        days: 365,
        end: now - Duration::hours(1),
        departments: vec![urban],
        grid_nodes: vec![a.0, b.0],
        seed: 7,
    };
    assert_eq!(scope.bulk_fill(&spec, &calendar()).unwrap(), 20_000);
    scope.rebuild_stats().unwrap();
    let mut sweeps = 0;
    let mut read = 0;
    loop {
        let counting = CountingDb::new(&db);
        let swept = TenantScope::new(&counting, &t)
            .sweep_warnings(now + Duration::minutes(sweeps))
            .unwrap();
        let (statements, _) = counting.counts();
        assert!(swept.read <= BATCH as usize);
        assert!(
            statements <= 8 * BATCH as usize,
            "{statements} statements for {} cases read",
            swept.read
        );
        sweeps += 1;
        read += swept.read;
        if swept.read < BATCH as usize {
            break;
        }
    }
    // The first sweep starts `recurring_days` back: about a twelfth of the
    // year's cases, not all 20,000.
    assert!(read < 3_000, "{read} cases read in {sweeps} sweeps");
    assert_eq!(open_warnings(&scope, WarningKind::Recurring).len(), 2);
    let counting = CountingDb::new(&db);
    let idle = TenantScope::new(&counting, &t)
        .sweep_warnings(now + Duration::hours(1))
        .unwrap();
    assert_eq!((idle.raised, idle.updated), (0, 0));
    let (statements, _) = counting.counts();
    assert!(
        statements <= 12,
        "a sweep with nothing new: {:#?}",
        counting.statements.borrow()
    );
}

#[test]
fn the_same_spot_in_the_same_micro_grid_while_the_first_is_open_is_a_repeat_by_place() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, there) = micro_grids(&scope);
    let at = beijing("2026-03-02 09:00");
    let at_spot = |n: u8, grid: GridNodeId, metres_east: f64, at: DateTime<Utc>| {
        let mut new = NewCase::basic(
            TrackingCode::from_random([n; 8]),
            "garbage",
            "同一个垃圾点",
            CaseSource::Resident,
        );
        new.grid_node = Some(grid);
        // About 96 m to a thousandth of a degree of longitude, here.
        new.location = Some(Location::new(30.2741, 120.1551 + metres_east / 96_000.0).unwrap());
        scope.insert_case(new, at).unwrap()
    };
    let first = at_spot(1, here, 0.0, at);
    at_spot(2, here, 300.0, at);
    at_spot(3, there, 10.0, at);
    assert_eq!(
        scope
            .sweep_warnings(at + Duration::hours(1))
            .unwrap()
            .raised,
        0,
        "far, or another micro-grid"
    );
    let again = at_spot(4, here, 20.0, at + Duration::minutes(90));
    // A repeat, and (three in the micro-grid) a recurring problem.
    assert_eq!(
        scope
            .sweep_warnings(at + Duration::hours(2))
            .unwrap()
            .raised,
        2
    );
    let repeat = open_warnings(&scope, WarningKind::Repeat).remove(0);
    assert_eq!(repeat.details["basis"], "place");
    assert_eq!(case_ids(&scope, &repeat), vec![first.id.0, again.id.0]);
}

/// More open cases of a department behind than one sweep judges
/// (`LATE_CANDIDATES`), none of them at risk (each allowed a month, past
/// the department's median): a newer case at risk is still warned about,
/// within one sweep, and those not at risk never are.
#[test]
fn a_case_at_risk_is_found_behind_more_open_cases_than_one_sweep_judges() {
    use crate::scoped::warnings::LATE_CANDIDATES;
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-02 09:00");
    let dispatched = |n: u32| {
        let new = NewCase::basic(
            TrackingCode::from_random(u64::from(n + 1).to_be_bytes()),
            "garbage",
            "垃圾又堆在楼下",
            CaseSource::Resident,
        );
        scope
            .auto_dispatch(scope.insert_case(new, at).unwrap(), at)
            .unwrap()
    };
    let patient: Vec<Case> = (0..=LATE_CANDIDATES).map(dispatched).collect();
    db.execute(
        "UPDATE cases SET resolution_due_at = ? WHERE tenant_id = ? AND id <= ?",
        &[
            crate::time::to_text(at + Duration::days(30)).into(),
            t.id.0.into(),
            patient[patient.len() - 1].id.0.into(),
        ],
    )
    .unwrap();
    let urgent = dispatched(LATE_CANDIDATES + 1);
    behind_on_garbage(&db, &t, urban);
    let now = at + Duration::hours(2);
    let swept = scope.sweep_warnings(now).unwrap();
    let risks = open_warnings(&scope, WarningKind::LateRisk);
    assert_eq!(
        risks
            .iter()
            .map(|w| case_ids(&scope, w))
            .collect::<Vec<_>>(),
        vec![vec![urgent.id.0]],
        "{swept:?}"
    );
    scope.sweep_warnings(now + Duration::minutes(5)).unwrap();
    assert_eq!(open_warnings(&scope, WarningKind::LateRisk).len(), 1);
}

/// A repeat warning keeps the basis it was raised with (`basis`) and lists
/// every basis its cases came by (`bases`): two reports by one phone, then
/// a third by another phone at the first one's spot.
#[test]
fn a_repeat_keeps_its_basis_when_a_case_joins_it_by_another() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let (here, _) = micro_grids(&scope);
    let at = beijing("2026-03-02 09:00");
    let spot = |n: u8, metres_east: f64, phone: &str, at: DateTime<Utc>| {
        let mut new = NewCase::basic(
            TrackingCode::from_random([n; 8]),
            "garbage",
            "垃圾又堆在楼下",
            CaseSource::Resident,
        );
        new.grid_node = Some(here);
        new.location = Some(Location::new(30.2741, 120.1551 + metres_east / 96_000.0).unwrap());
        new.contact.phone = Some(phone.into());
        scope.insert_case(new, at).unwrap()
    };
    let first = spot(1, 0.0, "13900001111", at);
    let second = spot(2, 300.0, "13900001111", at + Duration::minutes(10));
    scope.sweep_warnings(at + Duration::minutes(30)).unwrap();
    let raised = open_warnings(&scope, WarningKind::Repeat).remove(0);
    assert_eq!(raised.details["basis"], "phone");
    let third = spot(3, 20.0, "13900002222", at + Duration::hours(1));
    scope.sweep_warnings(at + Duration::hours(2)).unwrap();
    let grown = open_warnings(&scope, WarningKind::Repeat).remove(0);
    assert_eq!(
        case_ids(&scope, &grown),
        vec![first.id.0, second.id.0, third.id.0]
    );
    assert_eq!(grown.details["basis"], "phone", "{}", grown.details);
    assert_eq!(
        grown.details["bases"],
        serde_json::json!(["phone", "place"])
    );
}
