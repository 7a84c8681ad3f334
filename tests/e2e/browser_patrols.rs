//! Patrols and grid days as people use them, in headless Chromium
//! (`tests/browser/patrols.mjs`) on the demo tenant, the phone's position
//! moved by Playwright and its network taken away and given back: a grid
//! worker walks a patrol in the worker app (a visit, a problem fixed on the
//! spot, offline and back with a track piece's answer lost, a reload
//! mid-patrol, the end and its summary); a volunteer signs in to a grid of
//! today's grid day; the admin schedules a grid day and sets the track
//! retention; the dashboard shows the on-the-spot rate and the coverage
//! map; the command centre opens the track. Afterwards the API must hold
//! what the pages did: one ended patrol of the worker's with its two visits,
//! its problem fixed on the spot (a closed case linked to it) and its whole
//! track, uploaded once per piece; the grid day; the retention.

use e2e::{OPERATOR_KEY, TestApp};

#[test]
fn people_patrol_and_schedule_grid_days_in_a_browser() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");

    crate::browser::run_scenarios(&app, "patrols.mjs");

    let worker = app.login("/api/t/demo/auth/login", "wangwu", "demo-worker-2026");
    let list = app.get("/api/t/demo/patrols", Some(&worker)).expect(200);
    let patrols = list["items"].as_array().expect("items");
    assert_eq!(patrols.len(), 1, "one patrol, started once: {list}");
    let summary = &patrols[0];
    assert_eq!(summary["state"], "ended", "{summary}");
    assert_eq!(summary["visits"], 2, "{summary}");
    assert_eq!(summary["problems_found"], 1, "{summary}");
    assert_eq!(summary["fixed_on_the_spot"], 1, "{summary}");
    let patrol = app
        .get(
            &format!("/api/t/demo/patrols/{}", summary["id"]),
            Some(&worker),
        )
        .expect(200);
    let kinds: Vec<&str> = patrol["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .filter_map(|v| v["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["company", "building"], "{patrol}");
    assert!(
        patrol["visits"]
            .as_array()
            .expect("visits")
            .iter()
            .all(|v| v["place"].is_object()),
        "each visit where the phone was: {patrol}"
    );
    let problems = patrol["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 1, "{patrol}");
    assert_eq!(problems[0]["fixed_on_the_spot"], true, "{patrol}");
    assert_eq!(
        problems[0]["state"], "closed",
        "fixed on the spot: {patrol}"
    );
    // The walk: at least the twelve steps the scenario took, times never going back.
    let track = patrol["track"].as_array().expect("track");
    assert!(track.len() >= 12, "{} points", track.len());
    let times: Vec<&str> = track.iter().filter_map(|p| p["at"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let metres = patrol["metres"].as_f64().expect("metres");
    assert!(
        (100.0..1000.0).contains(&metres),
        "some 140 m walked: {metres}"
    );

    let admin = app.login(
        "/api/t/demo/auth/login",
        xtask::demo::DEMO_ADMIN.0,
        xtask::demo::DEMO_ADMIN.1,
    );
    let days = app
        .get(
            "/api/t/demo/grid-days?from=2000-01-01&to=2100-01-01",
            Some(&admin),
        )
        .expect(200);
    assert!(
        days["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|d| d["title"] == "下周三网格日"),
        "the admin's grid day: {days}"
    );
    let settings = app
        .get("/api/t/demo/admin/patrol-settings", Some(&admin))
        .expect(200);
    assert_eq!(settings["track_retention_days"], 90, "{settings}");
}
