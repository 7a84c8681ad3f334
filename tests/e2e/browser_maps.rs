//! The maps as people use them, in headless Chromium
//! (`tests/browser/maps.mjs`) on the demo tenant, with tiles answered from
//! a local fixture and no request leaving the machine: the GCJ-02
//! conversion against reference points; 天地图 without a key (the grid on a
//! plain background, and a notice); a tenant on AMap (GCJ-02) set through
//! the API, where a resident picks a place by tapping, dragging and the
//! keyboard, and "use my location" names the grid; the admin page switching
//! to 天地图 with a key; the worker app's and the board's maps. Afterwards the
//! API must show what the pages did: the tenant's tiles, and a report whose
//! place was picked on GCJ-02 tiles stored in WGS-84, in the micro-grid it
//! was picked in.

use e2e::{OPERATOR_KEY, TestApp};
use serde_json::Value;

#[test]
fn maps_pick_places_over_the_tenants_tiles_in_a_browser() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");

    crate::browser::run_scenarios(&app, "maps.mjs");

    let tiles = app.get("/api/t/demo/admin/map", None).expect(200);
    assert_eq!(tiles["configured"], true, "{tiles}");
    assert_eq!(
        tiles["crs"], "cgcs2000",
        "the admin page chose 天地图: {tiles}"
    );
    assert_eq!(tiles["key"], "0123456789abcdef0123456789abcdef", "{tiles}");

    let admin = app.login(
        "/api/t/demo/auth/login",
        xtask::demo::DEMO_ADMIN.0,
        xtask::demo::DEMO_ADMIN.1,
    );
    let cases = app
        .get("/api/t/demo/cases?limit=100", Some(&admin))
        .expect(200);
    let ours: Vec<&Value> = cases["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| {
            c["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("地图测试"))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one report from the map: {cases}");
    let case = app
        .get(
            &format!("/api/t/demo/cases/{}", ours[0]["id"]),
            Some(&admin),
        )
        .expect(200);
    // Picked on AMap's GCJ-02 tiles inside 2号楼微网格 (120.155–120.159 E,
    // 30.273–30.277 N as stored): the page sent WGS-84, so the server found
    // the same micro-grid. Unconverted, the point would lie some 500 m off.
    let place = &case["place"];
    let (lat, lon) = (
        place["latitude"].as_f64().expect("latitude"),
        place["longitude"].as_f64().expect("longitude"),
    );
    assert!(
        (120.155..120.159).contains(&lon) && (30.273..30.277).contains(&lat),
        "stored in WGS-84 inside 2号楼微网格: {place}"
    );
    let path: Vec<&str> = place["grid_path"]
        .as_array()
        .expect("grid path")
        .iter()
        .filter_map(|n| n["code"].as_str())
        .collect();
    assert_eq!(path.last(), Some(&"JK-01-G1-M2"), "{place}");
}
