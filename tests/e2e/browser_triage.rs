//! Smart triage in the pages, in headless Chromium
//! (`tests/browser/triage.mjs`) on the demo tenant after its command centre
//! decided enough cases through the API (the same reports as `triage`'s):
//! the console shows a triage case's suggestions with confidence and
//! reasons, and 采用建议 fills the dispatch form that the centre confirms;
//! the portal says "这看起来像：占道经营？" to a wrong pick and 改为 changes
//! it; the admin switches automatic dispatch on; the dashboard counts it.
//! Afterwards the API must hold what the pages did.

use crate::triage::PLACES;
use e2e::{OPERATOR_KEY, TestApp};
use serde_json::{Value, json};
use xtask::bench_triage_flow::TAUGHT;
use xtask::demo::{DEMO_ADMIN, DEMO_PEOPLE};

#[test]
fn the_console_portal_and_admin_page_use_the_triage() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");
    let admin = app.login("/api/t/demo/auth/login", DEMO_ADMIN.0, DEMO_ADMIN.1);
    let password = |login: &str| {
        DEMO_PEOPLE
            .iter()
            .find(|p| p.0 == login)
            .unwrap_or_else(|| panic!("no demo person {login}"))
            .3
    };
    let centre = app.login("/api/t/demo/auth/login", "zhihui", password("zhihui"));
    let worker = app.login("/api/t/demo/auth/login", "wangwu", password("wangwu"));
    teach(&app, &admin, &centre, &worker);

    crate::browser::run_scenarios(&app, "triage.mjs");

    let settings = app
        .get("/api/t/demo/admin/triage", Some(&admin))
        .expect(200);
    assert_eq!(settings["auto_dispatch"], true, "{settings}");
    assert_eq!(settings["threshold"], 0.6);
    let cases = app
        .get("/api/t/demo/cases?limit=200", Some(&centre))
        .expect(200);
    let dispatched = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["description"] == "北门口又有小贩摆摊卖水果，占了人行道")
        .expect("the console's case");
    assert_eq!(dispatched["state"], "dispatched", "{dispatched}");
    assert_eq!(
        dispatched["category"], "street_stall",
        "the suggested category"
    );
    let urban = department_id(&app, &admin, "urban");
    assert_eq!(
        dispatched["department_id"], urban,
        "the suggested department"
    );
}

/// The demo tenant's departments and categories for `TAUGHT`, and its
/// command centre's decisions on a report of each text.
fn teach(app: &TestApp, admin: &str, centre: &str, worker: &str) {
    let post = |path: &str, body: Value| {
        app.client
            .post_json(&format!("/api/t/demo{path}"), Some(admin), &body)
            .unwrap()
    };
    for (code, name) in [("power", "供电所"), ("water", "水务")] {
        post("/admin/departments", json!({ "code": code, "name": name })).expect(201);
    }
    for (code, name, _, _) in TAUGHT {
        let made = post(
            "/admin/categories",
            json!({ "code": code, "name_zh": name, "name_en": code, "response_hours": 4,
                    "resolution_hours": 24, "place_required": false }),
        );
        assert!(matches!(made.status, 201 | 409), "{}", made.body); // 路灯, 噪声: the demo's
    }
    for (c, (code, _, department, texts)) in TAUGHT.iter().enumerate() {
        for (i, text) in texts.iter().enumerate() {
            let place = PLACES[(i + c) % PLACES.len()];
            let receipt = app
                .client
                .post_json(
                    "/api/t/demo/reports",
                    Some(worker),
                    &json!({ "category": code, "description": format!("{place}{text}"),
                             "address": format!("{place}{}号", i + 1) }),
                )
                .unwrap()
                .expect(201);
            let mut case = app
                .get(
                    &format!("/api/t/demo/cases/{}", receipt["id"]),
                    Some(centre),
                )
                .expect(200);
            assert_eq!(case["state"], "reported", "no rule: {case}");
            for (action, extra) in [
                ("accept", json!({})),
                ("register", json!({})),
                ("dispatch", json!({ "department": department })),
            ] {
                let mut body = extra;
                body["action"] = json!(action);
                body["version"] = case["version"].clone();
                case = app
                    .client
                    .post_json(
                        &format!("/api/t/demo/cases/{}/actions", case["id"]),
                        Some(centre),
                        &body,
                    )
                    .unwrap()
                    .expect(200);
            }
        }
    }
    let settings = app.get("/api/t/demo/admin/triage", Some(admin)).expect(200);
    assert_eq!(settings["ready"], true, "{settings}");
}

fn department_id(app: &TestApp, admin: &str, code: &str) -> Value {
    let all = app
        .get("/api/t/demo/admin/departments", Some(admin))
        .expect(200);
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap()["id"]
        .clone()
}
