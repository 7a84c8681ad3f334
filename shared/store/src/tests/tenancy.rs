//! Tenancy: people, organisation, catalogue, calendar, audit, export and
//! deletion, against an in-memory SQLite.

use super::fixtures::{fresh_db, problem_kind, tenant};
use crate::*;
use chrono::{DateTime, TimeZone, Utc};
use domain::{
    AgentPointLevel, Code, GridCode, GridLevel, ProblemKind, Role, TenantCode, TenantStatus, UserId,
};
use serde_json::json;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid")
}

fn person(login: &str, role: Role) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: "李四".into(),
        role,
        password_hash: "$argon2id$secret-hash".into(),
        phone: None,
        department: None,
        agent_point: None,
    }
}

fn code(s: &str) -> Code {
    Code::parse(s).expect("code")
}

#[test]
fn the_export_and_delete_lists_cover_every_tenant_table() {
    let db = fresh_db();
    let tables = db
        .execute(
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'tenant_id' ORDER BY m.name",
            &[],
        )
        .unwrap();
    let mut in_schema: Vec<String> = tables
        .iter()
        .map(|r| r.get_string("name").unwrap())
        .collect();
    let mut listed: Vec<String> = tenant_data::TENANT_TABLES
        .iter()
        .map(|(t, _)| t.to_string())
        .collect();
    in_schema.sort();
    listed.sort();
    assert_eq!(
        in_schema, listed,
        "tenant_data::TENANT_TABLES is out of date"
    );
}

#[test]
fn nested_transactions_are_savepoints() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let result: Result<(), Error> = in_transaction(&db, |db| {
        let scope = TenantScope::new(db, &a);
        scope.create_department(&code("keep"), "保留")?;
        let inner: Result<(), Error> = in_transaction(db, |db| {
            TenantScope::new(db, &a).create_department(&code("drop"), "回滚")?;
            Err(Error::Conflict("inner fails".into()))
        });
        assert!(inner.is_err());
        Ok(())
    });
    result.unwrap();
    let codes: Vec<String> = TenantScope::new(&db, &a)
        .list_departments()
        .unwrap()
        .into_iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    assert_eq!(codes, ["keep"]);
}

#[test]
fn people_log_in_by_name_or_phone_and_role_changes_revoke_tokens() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &a);
    let mut new = person("wang", Role::GridWorker);
    new.phone = Some("138 0013 8000".into());
    let user = scope.create_user(new, now()).unwrap();
    assert_eq!(user.phone.as_deref(), Some("13800138000"));
    assert_eq!(
        scope.find_user_by_login("13800138000").unwrap().unwrap().id,
        user.id
    );
    assert_eq!(
        scope.find_user_by_login("wang").unwrap().unwrap().id,
        user.id
    );

    let renamed = scope
        .update_user(
            user.id,
            UserChanges {
                display_name: Some("王五".into()),
                ..UserChanges::default()
            },
        )
        .unwrap();
    assert_eq!(
        renamed.token_version, user.token_version,
        "a rename keeps tokens"
    );
    let promoted = scope
        .update_user(
            user.id,
            UserChanges {
                role: Some(Role::CommandCentre),
                ..UserChanges::default()
            },
        )
        .unwrap();
    assert_eq!(promoted.token_version, user.token_version + 1);
    scope.set_password(user.id, "$argon2id$new").unwrap();
    scope.revoke_tokens(user.id).unwrap();
    let after = scope.find_user(user.id).unwrap().unwrap();
    assert_eq!(after.token_version, user.token_version + 3);

    let mut clash = person("other", Role::GridWorker);
    clash.phone = Some("13800138000".into());
    assert_eq!(
        problem_kind(scope.create_user(clash, now()).unwrap_err()),
        ProblemKind::Conflict
    );
    let mut bad_phone = person("third", Role::GridWorker);
    bad_phone.phone = Some("12345".into());
    assert!(scope.create_user(bad_phone, now()).is_err());
}

#[test]
fn staff_belong_to_a_department_of_their_own_tenant() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let b = tenant(&db, "beta");
    let b_department = TenantScope::new(&db, &b)
        .create_department(&code("police"), "派出所")
        .unwrap();
    let scope = TenantScope::new(&db, &a);
    let mut staff = person("li", Role::DepartmentStaff);
    assert!(
        scope.create_user(staff.clone(), now()).is_err(),
        "needs a department"
    );
    staff.department = Some(b_department.id);
    let err = scope.create_user(staff.clone(), now()).unwrap_err();
    assert_eq!(
        domain::Problem::from(err).field.as_deref(),
        Some("department_id"),
        "another tenant's department is no department"
    );
    let own = scope.create_department(&code("police"), "派出所").unwrap();
    staff.department = Some(own.id);
    assert!(scope.create_user(staff, now()).is_ok());
    let mut worker = person("zhao", Role::GridWorker);
    worker.department = Some(own.id);
    assert!(
        scope.create_user(worker, now()).is_err(),
        "only staff have departments"
    );
}

#[test]
fn a_micro_grid_has_one_chief() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &a);
    let mut parent = None;
    let mut micro = None;
    for (level, c) in [
        (GridLevel::Township, "T"),
        (GridLevel::Community, "T-C"),
        (GridLevel::Grid, "T-C-G"),
        (GridLevel::MicroGrid, "T-C-G-M"),
    ] {
        let node = scope
            .create_grid_node(NewGridNode {
                parent,
                level,
                code: GridCode::parse(c).unwrap(),
                name: c.into(),
                households: None,
                geometry: None,
            })
            .unwrap();
        parent = Some(node.id);
        micro = Some(node.id);
    }
    let micro = micro.unwrap();
    let grid = parent.unwrap();
    let first = scope
        .create_user(person("w1", Role::GridWorker), now())
        .unwrap();
    let second = scope
        .create_user(person("w2", Role::GridWorker), now())
        .unwrap();
    scope
        .set_grid_assignments(first.id, &[(micro, true)])
        .unwrap();
    let clash = scope.set_grid_assignments(second.id, &[(micro, true)]);
    assert_eq!(problem_kind(clash.unwrap_err()), ProblemKind::Conflict);
    scope
        .set_grid_assignments(second.id, &[(micro, false)])
        .unwrap();
    assert_eq!(scope.grid_assignments(first.id).unwrap(), [(micro.0, true)]);
    let named = scope.assigned_grids(first.id).unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!((named[0].0.id, named[0].1), (micro, true));
    assert!(named[0].0.geometry.is_none(), "names, not shapes");
    let _ = grid;
    let admin = scope
        .create_user(person("boss", Role::TenantAdmin), now())
        .unwrap();
    assert!(
        scope
            .set_grid_assignments(admin.id, &[(micro, false)])
            .is_err()
    );
}

#[test]
fn categories_check_their_deadlines_fields_and_department() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &a);
    let dept = scope.create_department(&code("urban"), "城管").unwrap();
    let category = |response, resolution, fields: serde_json::Value| NewCategory {
        code: code("parking"),
        name_zh: "违章停车".into(),
        name_en: "Illegal parking".into(),
        default_department: Some(dept.id),
        response_hours: response,
        resolution_hours: resolution,
        extra_fields: serde_json::from_value(fields).unwrap(),
        place_required: true,
    };
    assert!(scope.create_category(category(4, 2, json!([]))).is_err());
    let fields = json!([{ "key": "plate", "label_zh": "车牌", "label_en": "Plate", "kind": "text", "required": true }]);
    let created = scope.create_category(category(2, 24, fields)).unwrap();
    assert_eq!(created.extra_fields.len(), 1);
    assert_eq!(
        problem_kind(
            scope
                .create_category(category(2, 24, json!([])))
                .unwrap_err()
        ),
        ProblemKind::Conflict
    );
    let retired = scope
        .update_category(
            created.id,
            CategoryChanges {
                retired: Some(true),
                ..CategoryChanges::default()
            },
        )
        .unwrap();
    assert!(retired.retired);
    assert!(
        retired.place_required,
        "a change leaves the place rule as it was"
    );
    let placeless = scope
        .update_category(
            created.id,
            CategoryChanges {
                place_required: Some(false),
                ..CategoryChanges::default()
            },
        )
        .unwrap();
    assert!(!placeless.place_required);
    assert!(
        !scope
            .category_by_code(&code("parking"))
            .unwrap()
            .unwrap()
            .place_required,
        "kept"
    );
    assert_eq!(
        scope
            .category_by_code(&code("parking"))
            .unwrap()
            .unwrap()
            .id,
        created.id
    );
}

#[test]
fn a_new_tenant_starts_with_chinas_calendar() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &a);
    let days = scope.calendar_days().unwrap();
    let mut expected = domain::calendar::china_2026();
    expected.sort_by_key(|d| d.day);
    assert_eq!(days, expected);
    assert_eq!(
        scope.working_hours().unwrap(),
        domain::WorkingHours::DEFAULT
    );
}

#[test]
fn audit_entries_stay_with_their_tenant() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let b = tenant(&db, "beta");
    let record = |action: &str| AuditRecord {
        actor: "user:1".into(),
        action: action.into(),
        target_type: "department",
        target_id: Some("7".into()),
        before: None,
        after: Some(json!({ "name": "城管" })),
    };
    TenantScope::new(&db, &a)
        .audit(record("create"), now())
        .unwrap();
    TenantScope::new(&db, &b)
        .audit(record("rename"), now())
        .unwrap();
    platform::audit(&db, record("platform"), now()).unwrap();
    let a_log = TenantScope::new(&db, &a).audit_log(None, 50).unwrap();
    assert_eq!(a_log.len(), 1);
    assert_eq!(a_log[0].action, "create");
    assert_eq!(a_log[0].after, Some(json!({ "name": "城管" })));
    let platform_log = platform::audit_log(&db, None, 50).unwrap();
    assert_eq!(platform_log.len(), 1);
    assert_eq!(platform_log[0].action, "platform");
}

#[test]
fn a_tenant_is_exported_then_deleted_and_others_are_untouched() {
    let db = fresh_db();
    let a = tenant(&db, "alpha");
    let b = tenant(&db, "beta");
    for t in [&a, &b] {
        let scope = TenantScope::new(&db, t);
        scope
            .create_user(person("admin", Role::TenantAdmin), now())
            .unwrap();
        scope.create_department(&code("police"), "派出所").unwrap();
        scope
            .create_agent_point(NewAgentPoint {
                code: code("v1"),
                name: "一村代办点".into(),
                level: AgentPointLevel::Village,
                grid_node: None,
            })
            .unwrap();
    }
    assert_eq!(
        problem_kind(delete_tenant(&db, &a).unwrap_err()),
        ProblemKind::Conflict
    );
    let a = platform::set_tenant_status(&db, &a, TenantStatus::Suspended).unwrap();
    assert_eq!(
        problem_kind(delete_tenant(&db, &a).unwrap_err()),
        ProblemKind::Conflict,
        "not exported yet"
    );
    let export = export_tenant(&db, &a, now()).unwrap();
    let text = export.to_string();
    assert!(
        !text.contains("secret-hash"),
        "no password hashes in an export"
    );
    assert_eq!(export["tenant"]["code"], "alpha");
    assert_eq!(export["tables"]["users"].as_array().unwrap().len(), 1);
    assert_eq!(export["tables"]["departments"][0]["code"], "police");
    assert_eq!(
        export["tables"]["calendar_days"].as_array().unwrap().len(),
        39
    );
    delete_tenant(&db, &a).unwrap();
    assert!(
        find_tenant(&db, &TenantCode::parse("alpha").unwrap())
            .unwrap()
            .is_none()
    );
    let beta = TenantScope::new(&db, &b);
    assert_eq!(beta.list_departments().unwrap().len(), 1);
    assert_eq!(beta.list_agent_points().unwrap().len(), 1);
    assert!(beta.find_user_by_login("admin").unwrap().is_some());
    let _ = UserId(0);
}
