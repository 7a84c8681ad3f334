//! The command centre's dashboard (数据驾驶舱) in headless Chromium
//! (`tests/browser/dashboard.mjs`) on the demo tenant, with one more report
//! than the demo's: one with only an address typed, which no grid holds
//! (no point, no grid chosen). The scenarios check that the
//! ECharts trend and hot-spot map draw the API's figures, that the grid
//! tables show the unplaced report as their own 未定位 row and add up to the
//! figures' total, that the page is Chinese and switches to English, and
//! they take screenshots at phone and desktop width and measure the first
//! load (`target/screenshots/page-sizes-dashboard.json`, under 200 KB).

use e2e::{OPERATOR_KEY, TestApp};
use serde_json::json;

#[test]
fn the_dashboard_draws_its_figures_in_a_browser() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");
    app.post_report(
        "demo",
        &json!({ "category": "garbage", "description": "浏览器测试：小区门口垃圾桶满了。",
                 "address": "老街口" }),
    )
    .expect(201);

    crate::browser::run_scenarios(&app, "dashboard.mjs");

    // What the page showed is what the API answers: the unplaced report is
    // the grid league's 未定位 row.
    let centre = app.login("/api/t/demo/auth/login", "zhihui", "demo-centre-2026");
    let grids = app
        .get("/api/t/demo/dashboard/league/grids", Some(&centre))
        .expect(200);
    let unplaced = grids["grids"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["unplaced"] == true))
        .unwrap_or_else(|| panic!("the 未定位 row: {grids}"));
    assert_eq!(unplaced["received"], 1, "{grids}");
}
