//! Tenants and tenant isolation above all, against an in-memory SQLite:
//! tenants and platform admins, users and their names, and no read, write
//! or reference crossing from one tenant into another.

use super::fixtures::{
    fixed_now, fresh_db, new_grid_node, new_located_case, new_user, problem_kind, seed, tenant,
};
use crate::*;
use domain::{
    CaseAction, CaseState, GridLevel, ProblemKind, Role, TenantCode, TenantKind, TrackingCode,
    UserId,
};

#[test]
fn tenants_are_created_found_and_unique() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    assert_eq!(a.status, domain::TenantStatus::Active);
    assert_eq!(a.created_at, fixed_now());
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
        fixed_now(),
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
    let db = fresh_db();
    let admin = create_platform_admin(
        &db,
        NewPlatformAdmin {
            login: "root".into(),
            display_name: "平台".into(),
            password_hash: "$argon2id$x".into(),
        },
        fixed_now(),
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
        fixed_now(),
    );
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    scope
        .create_user(new_user("root"), fixed_now())
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
            fixed_now(),
        )
        .expect_err("platform admin in a tenant");
    assert_eq!(problem_kind(refused), ProblemKind::Validation);
}

#[test]
fn users_are_unique_per_tenant() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let u = scope
        .create_user(new_user("wang"), fixed_now())
        .expect("create");
    assert_eq!(u.tenant, Some(a.id));
    assert_eq!(u.token_version, 0);
    let found = scope.find_user_by_login(" wang ").expect("find");
    assert_eq!(found.as_ref().map(|f| f.id), Some(u.id));
    let dup = scope
        .create_user(new_user("wang"), fixed_now())
        .expect_err("dup");
    assert!(matches!(dup, Error::Conflict(_)));
    let blank = scope
        .create_user(new_user("  "), fixed_now())
        .expect_err("blank");
    assert_eq!(problem_kind(blank), ProblemKind::Validation);
}

#[test]
fn people_are_named_with_their_department_and_only_in_their_tenant() {
    let db = fresh_db();
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
            fixed_now(),
        )
        .expect("staff");
    let worker = scope
        .create_user(new_user("worker"), fixed_now())
        .expect("worker");
    let stranger = TenantScope::new(&db, &b)
        .create_user(new_user("stranger"), fixed_now())
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
    let db = fresh_db();
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
        .apply_action(sb.case, 1, &CaseAction::Accept, "user:1", fixed_now())
        .expect_err("not A's case");
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    let b_case = scope_b.case_by_id(sb.case).expect("read").expect("found");
    assert_eq!((b_case.state, b_case.version), (CaseState::Reported, 1));
}

#[test]
fn references_into_another_tenant_are_refused() {
    let db = fresh_db();
    let a = tenant(&db, "tenant-a");
    let b = tenant(&db, "tenant-b");
    let scope_a = TenantScope::new(&db, &a);
    let scope_b = TenantScope::new(&db, &b);
    let sb = seed(&scope_b, 2);

    let e = scope_a
        .create_grid_node(new_grid_node(Some(sb.root), GridLevel::Community, "C9"))
        .expect_err("parent of another tenant");
    let p = domain::Problem::from(e);
    assert_eq!(
        (p.kind, p.field.as_deref()),
        (ProblemKind::NotFound, Some("parent_id"))
    );
    assert_eq!(scope_a.count_grid_nodes().expect("count"), 0);

    let e = scope_a
        .insert_case(
            new_located_case(&TrackingCode::from_random([3; 8]), Some(sb.community)),
            fixed_now(),
        )
        .expect_err("grid node of another tenant");
    assert_eq!(
        domain::Problem::from(e).field.as_deref(),
        Some("grid_node_id")
    );
    let e = scope_a
        .insert_case(
            NewCase {
                reporter: Some(sb.user),
                ..new_located_case(&TrackingCode::from_random([4; 8]), None)
            },
            fixed_now(),
        )
        .expect_err("reporter of another tenant");
    assert_eq!(domain::Problem::from(e).field.as_deref(), Some("reporter"));
    assert!(scope_a.list_cases(None, 10).expect("list").is_empty());
}

#[test]
fn unmigrated_database_is_503() {
    let db = NativeDb::open_in_memory().expect("open");
    let code = TenantCode::parse("jinkai").expect("code");
    let e = find_tenant(&db, &code).expect_err("no tables");
    assert!(matches!(e, Error::Store(StoreError::NotMigrated)));
    assert_eq!(domain::Problem::from(e).status(), 503);
}
