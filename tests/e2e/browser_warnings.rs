//! Early warnings in headless Chromium (`tests/browser/warnings.mjs`) on
//! the demo tenant: residents' reports and the sweep raise three warnings,
//! the dashboard counts them by kind, and the command centre handles each in
//! the console's 预警 panel with a reason. Afterwards the API must hold what
//! the page did: one supervised (its open cases each with the supervision
//! step), one acknowledged, one turned into a case waiting in triage.

use e2e::{OPERATOR_KEY, TestApp};
use serde_json::Value;

#[test]
fn the_command_centre_handles_early_warnings_in_the_console() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");

    crate::browser::run_scenarios(&app, "warnings.mjs");

    let admin = app.login(
        "/api/t/demo/auth/login",
        xtask::demo::DEMO_ADMIN.0,
        xtask::demo::DEMO_ADMIN.1,
    );
    let listed = app.get("/api/t/demo/warnings", Some(&admin)).expect(200);
    let warnings = listed["warnings"].as_array().expect("warnings");
    let by_state = |state: &str| -> Value {
        warnings
            .iter()
            .find(|w| w["state"] == state)
            .unwrap_or_else(|| panic!("a warning {state}: {listed}"))
            .clone()
    };
    assert_eq!(warnings.len(), 3, "{listed}");
    let supervised = by_state("supervised");
    assert_eq!(supervised["kind"], "repeat");
    assert_eq!(supervised["note"], "请环卫所两日内清运并回访");
    let shown = app
        .get(
            &format!("/api/t/demo/warnings/{}", supervised["id"]),
            Some(&admin),
        )
        .expect(200);
    for case in shown["cases"].as_array().expect("cases") {
        let case = app
            .get(&format!("/api/t/demo/cases/{}", case["id"]), Some(&admin))
            .expect(200);
        let steps = case["timeline"].as_array().expect("timeline");
        assert!(
            steps
                .iter()
                .any(|s| s["action"] == "escalate" && s["details"]["level"] == "supervised"),
            "{case}"
        );
    }
    assert_eq!(by_state("acknowledged")["note"], "已安排电工排查线路");
    let opened = by_state("case_opened");
    let root = app
        .get(
            &format!("/api/t/demo/cases/{}", opened["root_case_id"]),
            Some(&admin),
        )
        .expect(200);
    assert_eq!(root["state"], "reported");
    assert_eq!(root["category"], "street_light");
    assert_eq!(listed["open"]["recurring"], 0);
    let rules = app
        .get("/api/t/demo/admin/warning-rules", Some(&admin))
        .expect(200);
    assert_eq!(
        (
            &rules["recurring_count"],
            &rules["recurring_days"],
            &rules["repeat_low_rating"]
        ),
        (&Value::from(4), &Value::from(14), &Value::from(2)),
        "what the admin page saved: {rules}"
    );
}
