//! The resident portal at a township's own address and the grid worker's
//! app, as their people use them, in headless Chromium
//! (`tests/browser/portal.mjs`) on the demo tenant at phone and desktop
//! widths: `/t/demo/` with no tenant field; a report refused without a
//! place, then sent with the phone's position; the success screen whose
//! buttons copy the code and the secret (read back from the clipboard),
//! kept under "my reports"; the look-up before closure saying when rating
//! opens, with no rating form; an unknown township's address asking for
//! the code. The worker app: the 当场解决 switch leading the form,
//! locating that shows the marker and picks the grid, a report without a
//! place asked for one, "saved, will send" offline that clears once sent,
//! and a row of my reports opening its case. Afterwards the API must hold
//! what the pages did.

use e2e::{OPERATOR_KEY, TestApp};
use serde_json::Value;

#[test]
fn the_resident_portal_and_the_worker_app_work_in_a_browser() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");

    crate::browser::run_scenarios(&app, "portal.mjs");

    // Each width's resident report reached the API once, with its place.
    let admin = app.login(
        "/api/t/demo/auth/login",
        xtask::demo::DEMO_ADMIN.0,
        xtask::demo::DEMO_ADMIN.1,
    );
    let cases = app
        .get("/api/t/demo/cases?limit=100", Some(&admin))
        .expect(200);
    let ours = |prefix: &str| -> Vec<Value> {
        cases["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter(|c| {
                c["description"]
                    .as_str()
                    .is_some_and(|d| d.starts_with(prefix))
            })
            .cloned()
            .collect()
    };
    for kind in ["手机", "电脑"] {
        let reported = ours(&format!("浏览器测试（{kind}）：")).len();
        // The resident's report, the worker's fixed one and the offline one.
        assert_eq!(reported, 3, "{kind}: {cases}");
    }
    let resident = ours("浏览器测试（手机）：路灯故障");
    assert_eq!(resident.len(), 1, "sent once: {cases}");
    let case = app
        .get(
            &format!("/api/t/demo/cases/{}", resident[0]["id"]),
            Some(&admin),
        )
        .expect(200);
    let path: Vec<&str> = case["place"]["grid_path"]
        .as_array()
        .expect("a grid path")
        .iter()
        .filter_map(|n| n["code"].as_str())
        .collect();
    assert!(
        path.contains(&"JK-01-G1-M1"),
        "placed where the phone was: {case}"
    );
    let offline = ours("浏览器测试（手机）：离线上报");
    assert_eq!(offline.len(), 1, "the offline report, sent once: {cases}");
}
