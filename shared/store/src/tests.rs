//! Store behaviour against an in-memory SQLite: tenant isolation above all.

use crate::test_support::{db, t0, tenant};
use crate::*;
use chrono::Duration;
use domain::{
    CaseAction, CaseId, CaseSource, CaseState, GridCode, GridLevel, GridNodeId, Location,
    ProblemKind, Role, TenantCode, TenantKind, TrackingCode, UserId,
};

fn new_user(login: &str) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: "张三".into(),
        role: Role::GridWorker,
        password_hash: "$argon2id$placeholder".into(),
        phone: None,
        department: None,
        agent_point: None,
    }
}

fn node(parent: Option<GridNodeId>, level: GridLevel, code: &str) -> NewGridNode {
    NewGridNode {
        parent,
        level,
        code: GridCode::parse(code).expect("code"),
        name: format!("node {code}"),
        households: None,
        geometry: None,
    }
}

fn new_case(code: &TrackingCode, grid: Option<GridNodeId>) -> NewCase {
    NewCase {
        grid_node: grid,
        location: Some(Location::new(30.0, 120.0).expect("location")),
        ..NewCase::basic(
            code.clone(),
            "environment",
            "垃圾堆放",
            CaseSource::Resident,
        )
    }
}

/// The same data in one tenant: a township, a community, a user, a case.
struct Seeded {
    root: GridNodeId,
    community: GridNodeId,
    user: UserId,
    case: CaseId,
    tracking: TrackingCode,
}

fn seed(scope: &TenantScope<'_, NativeDb>, random: u8) -> Seeded {
    let root = scope
        .create_grid_node(node(None, GridLevel::Township, "T1"))
        .expect("root");
    let community = scope
        .create_grid_node(node(Some(root.id), GridLevel::Community, "C1"))
        .expect("community");
    let user = scope
        .create_user(new_user("wang13800"), t0())
        .expect("user");
    let tracking = TrackingCode::from_random([random; 8]);
    let case = scope
        .insert_case(new_case(&tracking, Some(community.id)), t0())
        .expect("case");
    Seeded {
        root: root.id,
        community: community.id,
        user: user.id,
        case: case.id,
        tracking,
    }
}

fn problem_kind(e: Error) -> ProblemKind {
    domain::Problem::from(e).kind
}

#[test]
fn tenants_are_created_found_and_unique() {
    let db = db();
    let a = tenant(&db, "jinkai");
    assert_eq!(a.status, domain::TenantStatus::Active);
    assert_eq!(a.created_at, t0());
    let found = find_tenant(&db, &a.code).expect("find");
    assert_eq!(found.as_ref(), Some(&a));
    let missing = TenantCode::parse("nowhere").expect("code");
    assert_eq!(find_tenant(&db, &missing).expect("find"), None);
    let dup = create_tenant(
        &db,
        NewTenant {
            code: a.code.clone(),
            name: "again".into(),
            kind: TenantKind::Street,
            time_zone: "Asia/Shanghai".into(),
        },
        t0(),
    )
    .expect_err("duplicate");
    assert!(matches!(dup, Error::Conflict(_)), "{dup:?}");
    tenant(&db, "another");
    let codes: Vec<String> = list_tenants(&db)
        .expect("list")
        .into_iter()
        .map(|t| t.code.to_string())
        .collect();
    assert_eq!(codes, ["another", "jinkai"]);
}

#[test]
fn platform_admins_are_apart_from_tenant_users() {
    let db = db();
    let admin = create_platform_admin(
        &db,
        NewPlatformAdmin {
            login: "root".into(),
            display_name: "平台".into(),
            password_hash: "$argon2id$x".into(),
        },
        t0(),
    )
    .expect("admin");
    assert_eq!(admin.tenant, None);
    assert_eq!(admin.role, Role::PlatformAdmin);
    let again = create_platform_admin(
        &db,
        NewPlatformAdmin {
            login: "root".into(),
            display_name: "again".into(),
            password_hash: "$argon2id$x".into(),
        },
        t0(),
    );
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    scope
        .create_user(new_user("root"), t0())
        .expect("same login in a tenant is fine");
    assert_eq!(
        find_platform_user(&db, "root").expect("find").map(|u| u.id),
        Some(admin.id)
    );
    assert_eq!(scope.find_user(admin.id).expect("find"), None);
    let refused = scope
        .create_user(
            NewUser {
                role: Role::PlatformAdmin,
                ..new_user("sneaky")
            },
            t0(),
        )
        .expect_err("platform admin in a tenant");
    assert_eq!(problem_kind(refused), ProblemKind::Validation);
}

#[test]
fn users_are_unique_per_tenant() {
    let db = db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let u = scope.create_user(new_user("wang"), t0()).expect("create");
    assert_eq!(u.tenant, Some(a.id));
    assert_eq!(u.token_version, 0);
    let found = scope.find_user_by_login(" wang ").expect("find");
    assert_eq!(found.as_ref().map(|f| f.id), Some(u.id));
    let dup = scope.create_user(new_user("wang"), t0()).expect_err("dup");
    assert!(matches!(dup, Error::Conflict(_)));
    let blank = scope.create_user(new_user("  "), t0()).expect_err("blank");
    assert_eq!(problem_kind(blank), ProblemKind::Validation);
}

#[test]
fn people_are_named_with_their_department_and_only_in_their_tenant() {
    let db = db();
    let a = tenant(&db, "jinkai");
    let b = tenant(&db, "other");
    let scope = TenantScope::new(&db, &a);
    let urban = scope
        .create_department(&domain::Code::parse("urban").expect("code"), "城市管理局")
        .expect("department");
    let staff = scope
        .create_user(
            NewUser {
                display_name: "城管队员".into(),
                role: Role::DepartmentStaff,
                department: Some(urban.id),
                ..new_user("staff")
            },
            t0(),
        )
        .expect("staff");
    let worker = scope.create_user(new_user("worker"), t0()).expect("worker");
    let stranger = TenantScope::new(&db, &b)
        .create_user(new_user("stranger"), t0())
        .expect("stranger");

    let names = scope
        .names_of_users(&[staff.id, worker.id, staff.id, stranger.id, UserId(9999)])
        .expect("names");
    let expected = [
        (
            staff.id,
            PersonName {
                display_name: "城管队员".into(),
                department: Some("城市管理局".into()),
                agent_point: None,
            },
        ),
        (
            worker.id,
            PersonName {
                display_name: "张三".into(),
                department: None,
                agent_point: None,
            },
        ),
    ];
    assert_eq!(names, expected.into_iter().collect());
    assert!(scope.names_of_users(&[]).expect("none").is_empty());
}

#[test]
fn scoped_reads_never_see_another_tenant() {
    let db = db();
    let a = tenant(&db, "tenant-a");
    let b = tenant(&db, "tenant-b");
    let scope_a = TenantScope::new(&db, &a);
    let scope_b = TenantScope::new(&db, &b);
    let sa = seed(&scope_a, 1);
    // Identical codes and logins in B; the tracking code is identical too.
    let sb = seed(&scope_b, 1);
    assert_eq!(sa.tracking, sb.tracking);

    // By id: B's ids are unknown to A, and A's own are found.
    assert_eq!(scope_a.grid_node(sb.root).expect("read"), None);
    assert_eq!(scope_a.grid_node(sb.community).expect("read"), None);
    assert_eq!(scope_a.find_user(sb.user).expect("read"), None);
    assert_eq!(scope_a.case_by_id(sb.case).expect("read"), None);
    assert!(scope_a.case_events(sb.case).expect("read").is_empty());
    assert!(
        scope_a
            .grid_children(Some(sb.root))
            .expect("read")
            .is_empty()
    );
    assert!(scope_a.grid_node(sa.root).expect("read").is_some());

    // By natural keys: each scope gets its own row.
    let by_code_a = scope_a
        .case_by_tracking_code(&sa.tracking)
        .expect("read")
        .expect("found");
    let by_code_b = scope_b
        .case_by_tracking_code(&sb.tracking)
        .expect("read")
        .expect("found");
    assert_eq!(by_code_a.id, sa.case);
    assert_eq!(by_code_b.id, sb.case);
    let login_a = scope_a
        .find_user_by_login("wang13800")
        .expect("read")
        .expect("found");
    assert_eq!(login_a.id, sa.user);

    // Lists and counts.
    let roots_a: Vec<_> = scope_a
        .grid_children(None)
        .expect("read")
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(roots_a, [sa.root]);
    let children_a: Vec<_> = scope_a
        .grid_children(Some(sa.root))
        .expect("read")
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(children_a, [sa.community]);
    assert_eq!(scope_a.count_grid_nodes().expect("count"), 2);
    let cases_a: Vec<_> = scope_a
        .list_cases(None, 50)
        .expect("list")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(cases_a, [sa.case]);

    // Writes through A cannot touch B's case either.
    let e = scope_a
        .apply_action(sb.case, 1, &CaseAction::Accept, "user:1", t0())
        .expect_err("not A's case");
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    let b_case = scope_b.case_by_id(sb.case).expect("read").expect("found");
    assert_eq!((b_case.state, b_case.version), (CaseState::Reported, 1));
}

#[test]
fn references_into_another_tenant_are_refused() {
    let db = db();
    let a = tenant(&db, "tenant-a");
    let b = tenant(&db, "tenant-b");
    let scope_a = TenantScope::new(&db, &a);
    let scope_b = TenantScope::new(&db, &b);
    let sb = seed(&scope_b, 2);

    let e = scope_a
        .create_grid_node(node(Some(sb.root), GridLevel::Community, "C9"))
        .expect_err("parent of another tenant");
    let p = domain::Problem::from(e);
    assert_eq!(
        (p.kind, p.field.as_deref()),
        (ProblemKind::Validation, Some("parent"))
    );
    assert_eq!(scope_a.count_grid_nodes().expect("count"), 0);

    let e = scope_a
        .insert_case(
            new_case(&TrackingCode::from_random([3; 8]), Some(sb.community)),
            t0(),
        )
        .expect_err("grid node of another tenant");
    assert_eq!(domain::Problem::from(e).field.as_deref(), Some("grid_node"));
    let e = scope_a
        .insert_case(
            NewCase {
                reporter: Some(sb.user),
                ..new_case(&TrackingCode::from_random([4; 8]), None)
            },
            t0(),
        )
        .expect_err("reporter of another tenant");
    assert_eq!(domain::Problem::from(e).field.as_deref(), Some("reporter"));
    assert!(scope_a.list_cases(None, 10).expect("list").is_empty());
}

#[test]
fn grid_tree_rules() {
    let db = db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let check = |parent, level, code: &str, expected: Result<(), &str>| {
        let actual = scope.create_grid_node(node(parent, level, code));
        match (actual, expected) {
            (Ok(n), Ok(())) => {
                assert_eq!((n.parent, n.level, n.retired), (parent, level, false));
            }
            (Err(e), Err(field)) => {
                assert_eq!(
                    domain::Problem::from(e).field.as_deref(),
                    Some(field),
                    "{code}"
                );
            }
            (actual, expected) => panic!("{code}: got {actual:?}, expected {expected:?}"),
        }
    };
    check(None, GridLevel::Community, "X1", Err("level"));
    check(None, GridLevel::Township, "T", Ok(()));
    let root = scope.grid_children(None).expect("roots")[0].id;
    check(Some(root), GridLevel::Grid, "X2", Err("level"));
    check(Some(root), GridLevel::Township, "X3", Err("level"));
    check(
        Some(GridNodeId(9999)),
        GridLevel::Community,
        "X4",
        Err("parent"),
    );
    check(Some(root), GridLevel::Community, "C", Ok(()));
    let community = scope.grid_children(Some(root)).expect("children")[0].id;
    check(Some(community), GridLevel::Grid, "G", Ok(()));
    let grid = scope.grid_children(Some(community)).expect("children")[0].id;
    check(Some(grid), GridLevel::MicroGrid, "M", Ok(()));
    assert_eq!(scope.count_grid_nodes().expect("count"), 4);
    let dup = scope
        .create_grid_node(node(Some(grid), GridLevel::MicroGrid, "M"))
        .expect_err("duplicate code");
    assert!(matches!(dup, Error::Conflict(_)));
}

#[test]
fn a_case_is_reported_then_walks_the_flow() {
    let db = db();
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
        let later = t0() + Duration::minutes(i as i64 + 1);
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
    let db = db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let s = seed(&scope, 6);
    scope
        .apply_action(s.case, 1, &CaseAction::Accept, "user:1", t0())
        .expect("first writer wins");
    let e = scope
        .apply_action(s.case, 1, &CaseAction::Register, "user:2", t0())
        .expect_err("second writer is stale");
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert_eq!(problem_kind(e), ProblemKind::Conflict);
    let case = scope.case_by_id(s.case).expect("read").expect("found");
    assert_eq!((case.state, case.version), (CaseState::Accepted, 2));
    assert_eq!(scope.case_events(s.case).expect("events").len(), 2);
}

#[test]
fn illegal_transition_changes_nothing() {
    let db = db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let s = seed(&scope, 7);
    let before = scope.case_by_id(s.case).expect("read");
    let events_before = scope.case_events(s.case).expect("events");
    let e = scope
        .apply_action(s.case, 1, &CaseAction::SignFor, "user:1", t0())
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
            t0(),
        )
        .expect_err("blank reason");
    assert_eq!(problem_kind(blank), ProblemKind::Validation);
    assert_eq!(scope.case_by_id(s.case).expect("read"), before);
    assert_eq!(scope.case_events(s.case).expect("events"), events_before);
    // The transaction was rolled back, so the connection is usable for the next write.
    scope
        .apply_action(s.case, 1, &CaseAction::Accept, "user:1", t0())
        .expect("legal after refusal");
}

#[test]
fn cursor_paging_and_duplicate_tracking_codes() {
    let db = db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let ids: Vec<CaseId> = (0..5u8)
        .map(|i| {
            scope
                .insert_case(new_case(&TrackingCode::from_random([i; 8]), None), t0())
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
        .insert_case(new_case(&TrackingCode::from_random([0; 8]), None), t0())
        .expect_err("tracking code taken");
    assert!(matches!(dup, Error::Conflict(_)));
}

#[test]
fn unmigrated_database_is_503() {
    let db = NativeDb::open_in_memory().expect("open");
    let code = TenantCode::parse("jinkai").expect("code");
    let e = find_tenant(&db, &code).expect_err("no tables");
    assert!(matches!(e, Error::Store(StoreError::NotMigrated)));
    assert_eq!(domain::Problem::from(e).status(), 503);
}
