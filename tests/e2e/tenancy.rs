//! Tenants, the grid, people and access, over HTTP.

use e2e::{Reply, TestApp};
use serde_json::{Value, json};

use crate::workflow::admin_creates;

/// The platform admin suspends or resumes tenant `alpha`.
fn set_status(app: &TestApp, platform: &str, status: &str) -> Reply {
    app.client
        .send_json(
            "PUT",
            "/api/platform/tenants/alpha/status",
            Some(platform),
            &json!({ "status": status }),
        )
        .unwrap()
}

/// `method path` with no body, as the holder of `token`.
fn send(app: &TestApp, token: &str, method: &str, path: &str) -> Reply {
    app.client.send(method, path, Some(token), None).unwrap()
}

#[test]
fn a_suspended_tenant_keeps_its_data_but_takes_no_logins_or_writes() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let report = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾" }),
        )
        .expect(201);
    let code = report["tracking_code"].as_str().unwrap().to_string();
    let platform = app.platform_token();
    let suspended = set_status(&app, &platform, "suspended");
    assert_eq!(suspended.expect(200)["status"], "suspended");

    let login = app
        .client
        .post_json(
            "/api/t/alpha/auth/login",
            None,
            &json!({ "login": "admin", "password": "admin-password-1" }),
        )
        .unwrap();
    assert_eq!(login.status, 403, "{}", login.body);
    assert_eq!(app.get("/api/t/alpha/cases", Some(&admin)).status, 403);
    let write = app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "again" }),
    );
    assert_eq!(write.status, 403);
    let lookup = app.get(&format!("/api/t/alpha/status/{code}"), None);
    assert_eq!(lookup.status, 200, "residents can still look their case up");

    set_status(&app, &platform, "active").expect(200);
    let admin = app.login("/api/t/alpha/auth/login", "admin", "admin-password-1");
    let audit = app
        .get("/api/t/alpha/admin/audit", Some(&admin))
        .expect(200);
    let statuses: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "set_tenant_status")
        .map(|e| e["after"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["suspended", "active"],
        "the tenant sees what was done to it"
    );
}

#[test]
fn a_tenant_is_exported_then_deleted_on_request() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    app.tenant_with_admin("beta");
    let platform = app.platform_token();
    let delete = || send(&app, &platform, "DELETE", "/api/platform/tenants/alpha");
    let early = delete();
    assert_eq!(
        early.status, 409,
        "an active tenant is not deleted: {}",
        early.body
    );
    set_status(&app, &platform, "suspended").expect(200);
    let unexported = delete();
    assert_eq!(unexported.status, 409, "export first: {}", unexported.body);

    let export = app
        .get("/api/platform/tenants/alpha/export", Some(&platform))
        .expect(200);
    assert_eq!(export["format"], "gridgov-tenant-export");
    assert_eq!(export["tables"]["users"][0]["login"], "admin");
    assert!(
        !export.to_string().contains("argon2"),
        "no password hashes leave in an export"
    );

    delete().expect(200);
    assert_eq!(
        app.get("/api/platform/tenants/alpha", Some(&platform))
            .status,
        404
    );
    assert_eq!(app.get("/api/t/alpha/admin/categories", None).status, 404);
    let beta = app.login("/api/t/beta/auth/login", "admin", "admin-password-1");
    app.get("/api/t/beta/auth/me", Some(&beta)).expect(200);
    let log = app.get("/api/platform/audit", Some(&platform)).expect(200);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"export_tenant") && actions.contains(&"delete_tenant"),
        "{actions:?}"
    );
}

#[test]
fn the_grid_is_built_changed_retired_and_read_as_a_tree() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let area = a_township_two_communities_and_a_grid_no_level_skipped(&app, &admin);
    let micro = a_micro_grid_is_drawn_and_found_by_a_point(&app, &admin, &area);
    the_grid_moves_and_the_tree_is_read_from_any_root(&app, &admin, &area);
    what_a_case_refers_to_is_retired_never_deleted(&app, &admin, &area, micro);
}

/// The grid nodes the story builds on.
struct Area {
    c1: i64,
    c2: i64,
    /// A grid of community C1.
    grid: i64,
}

/// A grid node of `alpha` (`body` as the API takes it): its id.
fn node(app: &TestApp, admin: &str, body: Value) -> i64 {
    admin_creates(app, admin, "grid", body)["id"]
        .as_i64()
        .unwrap()
}

fn a_township_two_communities_and_a_grid_no_level_skipped(app: &TestApp, admin: &str) -> Area {
    let node = |parent: Option<i64>, level: &str, code: &str| -> i64 {
        node(
            app,
            admin,
            json!({ "parent_id": parent, "level": level, "code": code, "name": code }),
        )
    };
    let township = node(None, "township", "T");
    let c1 = node(Some(township), "community", "C1");
    let c2 = node(Some(township), "community", "C2");
    let grid = node(Some(c1), "grid", "G1");
    let skip = app
        .client
        .post_json(
            "/api/t/alpha/admin/grid",
            Some(admin),
            &json!({ "parent_id": township, "level": "grid", "code": "BAD", "name": "跳级" }),
        )
        .unwrap();
    assert_eq!(
        skip.status, 422,
        "a grid under a township skips a level: {}",
        skip.body
    );
    Area { c1, c2, grid }
}

fn a_micro_grid_is_drawn_and_found_by_a_point(app: &TestApp, admin: &str, area: &Area) -> i64 {
    let square = json!({ "type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1], [120.0, 30.0]]] });
    let micro = node(
        app,
        admin,
        json!({ "parent_id": area.grid, "level": "micro_grid", "code": "M1", "name": "一号楼",
                "households": 40, "geometry": square }),
    );
    let found = app
        .get(
            "/api/t/alpha/admin/grid/locate?lat=30.05&lon=120.05",
            Some(admin),
        )
        .expect(200);
    assert_eq!(found["id"], micro);
    assert_eq!(
        app.get("/api/t/alpha/admin/grid/locate?lat=31&lon=121", Some(admin))
            .status,
        404
    );
    micro
}

fn the_grid_moves_and_the_tree_is_read_from_any_root(app: &TestApp, admin: &str, area: &Area) {
    let (grid, c2) = (area.grid, area.c2);
    let moved = app
        .client
        .send_json(
            "PATCH",
            &format!("/api/t/alpha/admin/grid/{grid}"),
            Some(admin),
            &json!({ "parent_id": c2, "name": "第一网格" }),
        )
        .unwrap();
    let moved = moved.expect(200);
    assert_eq!(
        (moved["parent_id"].as_i64(), moved["name"].as_str()),
        (Some(c2), Some("第一网格"))
    );

    let tree = app.get("/api/t/alpha/admin/grid", Some(admin)).expect(200);
    assert_eq!(tree["count"], 5);
    assert_eq!(tree["nodes"][0]["code"], "T");
    let sub = app
        .get(&format!("/api/t/alpha/admin/grid?root={c2}"), Some(admin))
        .expect(200);
    assert_eq!(sub["count"], 3, "C2, G1 and M1");
    assert_eq!(sub["nodes"][0]["children"][0]["children"][0]["code"], "M1");
}

/// A case refers to the micro-grid: it can be retired, never deleted.
fn what_a_case_refers_to_is_retired_never_deleted(
    app: &TestApp,
    admin: &str,
    area: &Area,
    micro: i64,
) {
    app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "x", "grid_node_id": micro }),
    )
    .expect(201);
    let deleted = send(
        app,
        admin,
        "DELETE",
        &format!("/api/t/alpha/admin/grid/{micro}"),
    );
    assert_eq!(deleted.status, 409, "{}", deleted.body);
    let parent_first = send(
        app,
        admin,
        "POST",
        &format!("/api/t/alpha/admin/grid/{}/retirement", area.grid),
    );
    assert_eq!(
        parent_first.status, 409,
        "children first: {}",
        parent_first.body
    );
    let retired = send(
        app,
        admin,
        "POST",
        &format!("/api/t/alpha/admin/grid/{micro}/retirement"),
    )
    .expect(200);
    assert_eq!(retired["retired"], true);
    send(
        app,
        admin,
        "DELETE",
        &format!("/api/t/alpha/admin/grid/{}", area.c1),
    )
    .expect(200);
}

#[test]
fn a_whole_area_is_imported_at_once_or_not_at_all() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let import = |content_type: &str, body: &[u8]| {
        app.client
            .send(
                "POST",
                "/api/t/alpha/admin/grid/import",
                Some(&admin),
                Some((content_type, body)),
            )
            .unwrap()
    };
    let bad = "code,parent_code,level,name\nT1,,township,甲\nC1,T1,community,乙\nC1,T1,community,重复\nG1,NOPE,grid,丙\nX1,T1,planet,丁\n";
    // The document says what a JSON import holds, not a CSV file: what is
    // wrong with one is 422.
    let reply = import("text/csv", bad.as_bytes());
    assert_eq!(reply.status, 422, "{}", reply.body);
    let problems = reply.json()["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let at: Vec<(u64, &str)> = problems
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["field"].as_str().unwrap()))
        .collect();
    assert!(at.contains(&(6, "level")), "{at:?}");
    let gbk_bytes: &[u8] = b"code,parent_code,level,name\nT1,,township,\xd6\xd0\xce\xc4\n";
    let gbk = import("text/csv", gbk_bytes);
    assert_eq!(gbk.status, 422);
    assert_eq!(
        gbk.json()["problems"][0]["field"],
        "encoding",
        "{}",
        gbk.body
    );
    let cycle = import(
        "text/csv",
        b"code,parent_code,level,name\nA,B,community,a\nB,A,community,b\n",
    );
    assert_eq!(cycle.status, 422, "a rule between rows: {}", cycle.body);
    let tree = app.get("/api/t/alpha/admin/grid", Some(&admin)).expect(200);
    assert_eq!(tree["count"], 0, "nothing half-written");

    let created = import("text/csv", xtask::seed_zone_csv().as_bytes()).expect(201);
    assert_eq!(created["created"], 7825);
    let tree = app.get("/api/t/alpha/admin/grid", Some(&admin)).expect(200);
    assert_eq!(tree["count"], 7825);
    assert_eq!(
        tree["nodes"].as_array().unwrap().len(),
        8,
        "eight townships"
    );
    let again = import("text/csv", xtask::seed_zone_csv().as_bytes());
    assert_eq!(
        again.status, 409,
        "codes that exist are refused row by row: {}",
        again.body
    );

    let json_tree = json!({ "nodes": [{ "code": "Z", "name": "新区", "level": "township", "children": [
        { "code": "Z-C", "name": "社区", "level": "community", "children": [] } ] }] });
    let by_json = import("application/json", json_tree.to_string().as_bytes());
    assert_eq!(by_json.expect(201)["created"], 2);
    assert_eq!(import("text/plain", b"x").status, 415);
}

#[test]
fn people_roles_and_their_tokens() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let (department, staff) = department_staff_need_their_department(&app, &admin);
    let token = they_sign_in_by_phone_and_may_not_manage_the_grid(&app, &department);
    let fresh = a_password_change_revokes_the_old_token(&app, &token);
    a_role_change_and_a_logout_revoke_tokens_too(&app, &admin, &staff, &fresh);
    the_role_change_is_audited_with_who_made_it(&app, &admin);
}

/// A department and a member of its staff: (the department, the user).
fn department_staff_need_their_department(app: &TestApp, admin: &str) -> (Value, Value) {
    let department = admin_creates(
        app,
        admin,
        "departments",
        json!({ "code": "police", "name": "派出所" }),
    );
    let no_department = app
        .client
        .post_json(
            "/api/t/alpha/admin/users",
            Some(admin),
            &json!({ "login": "cop", "display_name": "民警", "role": "department_staff", "password": "password-1" }),
        )
        .unwrap();
    assert_eq!(no_department.status, 422);
    assert_eq!(no_department.json()["field"], "department_id");
    let staff = admin_creates(
        app,
        admin,
        "users",
        json!({ "login": "cop", "display_name": "民警", "role": "department_staff", "password": "password-1",
                "phone": "13900001111", "department_id": department["id"] }),
    );
    assert!(staff.get("password_hash").is_none());
    (department, staff)
}

/// Login by phone number; the staff member cannot manage the grid.
fn they_sign_in_by_phone_and_may_not_manage_the_grid(app: &TestApp, department: &Value) -> String {
    let token = app.login("/api/t/alpha/auth/login", "13900001111", "password-1");
    let forbidden = app
        .client
        .post_json(
            "/api/t/alpha/admin/departments",
            Some(&token),
            &json!({ "code": "x", "name": "x" }),
        )
        .unwrap();
    assert_eq!(forbidden.status, 403);
    let me = app.get("/api/t/alpha/auth/me", Some(&token)).expect(200);
    assert_eq!(me["department"]["id"], department["id"]);
    assert_eq!(me["department"]["name"], department["name"]);
    assert_eq!(me["grids"], json!([]));
    token
}

/// A password change revokes the old token and answers with a new one.
fn a_password_change_revokes_the_old_token(app: &TestApp, token: &str) -> String {
    let changed = app
        .client
        .send_json(
            "PUT",
            "/api/t/alpha/auth/password",
            Some(token),
            &json!({ "current_password": "password-1", "new_password": "password-2" }),
        )
        .unwrap()
        .expect(200);
    assert_eq!(app.get("/api/t/alpha/auth/me", Some(token)).status, 401);
    let fresh = changed["token"].as_str().unwrap().to_string();
    app.get("/api/t/alpha/auth/me", Some(&fresh)).expect(200);
    fresh
}

fn a_role_change_and_a_logout_revoke_tokens_too(
    app: &TestApp,
    admin: &str,
    staff: &Value,
    fresh: &str,
) {
    let id = staff["id"].as_i64().unwrap();
    app.client
        .send_json(
            "PATCH",
            &format!("/api/t/alpha/admin/users/{id}"),
            Some(admin),
            &json!({ "role": "command_centre", "department_id": null }),
        )
        .unwrap()
        .expect(200);
    assert_eq!(app.get("/api/t/alpha/auth/me", Some(fresh)).status, 401);
    let again = app.login("/api/t/alpha/auth/login", "cop", "password-2");
    app.client
        .post_json("/api/t/alpha/auth/logout", Some(&again), &json!({}))
        .unwrap()
        .expect(200);
    assert_eq!(app.get("/api/t/alpha/auth/me", Some(&again)).status, 401);
}

fn the_role_change_is_audited_with_who_made_it(app: &TestApp, admin: &str) {
    let audit = app.get("/api/t/alpha/admin/audit", Some(admin)).expect(200);
    let update = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "update" && e["target_type"] == "user")
        .expect("the role change is audited")
        .clone();
    assert_eq!(update["before"]["role"], "department_staff");
    assert_eq!(update["after"]["role"], "command_centre");
    // Who acted, in words beside the account string the log keeps.
    assert!(
        update["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("tenant_admin:"))
    );
    assert_eq!(update["actor_name"], "管理员");
    assert_eq!(update["actor_department"], Value::Null);
}

#[test]
fn grid_workers_hold_grids_and_a_micro_grid_has_one_chief() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let mut parent: Option<i64> = None;
    for (level, code) in [
        ("township", "T"),
        ("community", "C"),
        ("grid", "G"),
        ("micro_grid", "M"),
    ] {
        parent = Some(node(
            &app,
            &admin,
            json!({ "parent_id": parent, "level": level, "code": code, "name": code }),
        ));
    }
    let micro = parent.unwrap();
    let worker = |login: &str| -> i64 {
        admin_creates(
            &app,
            &admin,
            "users",
            json!({ "login": login, "display_name": login, "role": "grid_worker", "password": "password-1" }),
        )["id"]
            .as_i64()
            .unwrap()
    };
    let (w1, w2) = (worker("w1"), worker("w2"));
    let assign = |user: i64, chief: bool| {
        app.client
            .send_json(
                "PUT",
                &format!("/api/t/alpha/admin/users/{user}/grids"),
                Some(&admin),
                &json!({ "grids": [{ "grid_node_id": micro, "chief": chief }] }),
            )
            .unwrap()
    };
    assign(w1, true).expect(200);
    assert_eq!(assign(w2, true).status, 409);
    assign(w2, false).expect(200);

    // A worker's own session names the grids they hold.
    let token = app.login("/api/t/alpha/auth/login", "w1", "password-1");
    let me = app.get("/api/t/alpha/auth/me", Some(&token)).expect(200);
    assert_eq!(
        me["grids"],
        json!([{ "id": micro, "code": "M", "name": "M", "level": "micro_grid", "chief": true }])
    );
    assert_eq!(me["department"], Value::Null);
}

#[test]
fn categories_agent_points_and_the_calendar() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let category = admin_creates(
        &app,
        &admin,
        "categories",
        json!({ "code": "parking", "name_zh": "违章停车", "name_en": "Illegal parking",
                "response_hours": 2, "resolution_hours": 24,
                "extra_fields": [{ "key": "plate", "label_zh": "车牌", "label_en": "Plate",
                                   "kind": "text", "required": true }] }),
    );
    let public = app.get("/api/t/alpha/admin/categories", None).expect(200);
    let parking = public["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "parking")
        .expect("the new category is listed publicly")
        .clone();
    assert_eq!(parking["extra_fields"][0]["key"], "plate");
    let bad = app
        .client
        .send_json(
            "PATCH",
            &format!("/api/t/alpha/admin/categories/{}", category["id"]),
            Some(&admin),
            &json!({ "resolution_hours": 1 }),
        )
        .unwrap();
    assert_eq!(bad.status, 422, "resolution before response: {}", bad.body);

    admin_creates(
        &app,
        &admin,
        "agent-points",
        json!({ "code": "v1", "name": "一村代办点", "level": "village" }),
    );
    let points = app
        .get("/api/t/alpha/admin/agent-points", Some(&admin))
        .expect(200);
    assert_eq!(points["items"][0]["level"], "village");

    let calendar = app
        .get("/api/t/alpha/admin/calendar", Some(&admin))
        .expect(200);
    assert_eq!(calendar["work_day_start"], "09:00");
    assert!(
        calendar["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["day"] == "2026-02-17" && d["kind"] == "holiday")
    );
    let twice = app
        .client
        .send_json("PUT", "/api/t/alpha/admin/calendar", Some(&admin), &json!({ "work_day_start": "08:30", "work_day_end": "17:00",
            "days": [{ "day": "2027-01-01", "kind": "holiday", "name": "元旦" }, { "day": "2027-01-01", "kind": "holiday", "name": "元旦" }] }))
        .unwrap();
    assert_eq!(twice.status, 422, "a day listed twice: {}", twice.body);
    let set = app
        .client
        .send_json(
            "PUT",
            "/api/t/alpha/admin/calendar",
            Some(&admin),
            &json!({ "work_day_start": "08:30", "work_day_end": "17:00",
                "days": [{ "day": "2027-01-01", "kind": "holiday", "name": "元旦" }] }),
        )
        .unwrap()
        .expect(200);
    assert_eq!(set["work_day_start"], "08:30");
}

#[test]
fn repeated_failed_logins_are_slowed_down() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let attempt = |password: &str| {
        app.client
            .post_json(
                "/api/t/alpha/auth/login",
                None,
                &json!({ "login": "admin", "password": password }),
            )
            .unwrap()
    };
    for _ in 0..domain::throttle::PAIR.free_failures {
        assert_eq!(attempt("wrong-password").status, 401);
    }
    let slowed = attempt("admin-password-1");
    assert_eq!(
        slowed.status, 429,
        "even the right password waits: {}",
        slowed.body
    );
    let wait: i64 = slowed
        .retry_after
        .as_deref()
        .unwrap_or("0")
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "Retry-After {wait}");
}
