//! The command centre's picture over HTTP: figures that follow the cases,
//! hot spots as GeoJSON, league tables, CSV and GeoJSON exports (streamed),
//! the recount, and the platform's view of each tenant's activity.

use crate::workflow::{Setup, setup, work_to_closure};
use e2e::{OPERATOR_KEY, TestApp};
use serde_json::{Value, json};

#[test]
fn the_dashboard_follows_the_cases() {
    let app = TestApp::product();
    let s = setup(&app);
    let case = two_reports_of_which_one_is_worked_to_closure(&app, &s);
    let figures = the_figures_follow_the_cases_for_the_command_centre_alone(&app, &s);
    hot_spots_alerts_and_the_league_table(&app, &s);
    the_exports_are_csv_and_geojson(&app, &s, &case);
    let recount = recount(&app);
    assert_eq!(recount["cases"], 2);
    let again = dashboard_figures(&app, &s.centre);
    assert_eq!(again["totals"], figures["totals"], "the recount agrees");
    the_platform_sees_counts_never_cases(&app);
}

/// The dashboard's figures as the holder of `token` reads them.
pub(crate) fn dashboard_figures(app: &TestApp, token: &str) -> Value {
    app.get("/api/t/alpha/dashboard/figures", Some(token))
        .expect(200)
}

/// The operator's recount of the dashboard's kept sums: what it counted.
pub(crate) fn recount(app: &TestApp) -> Value {
    app.client
        .post_json(
            "/api/t/alpha/dashboard/rebuild",
            Some(OPERATOR_KEY),
            &json!({}),
        )
        .unwrap()
        .expect(200)
}

/// The closed case.
fn two_reports_of_which_one_is_worked_to_closure(app: &TestApp, s: &Setup) -> Value {
    for description in ["满了", "又满了"] {
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": description }),
        )
        .expect(201);
    }
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
    work_to_closure(app, s, &inbox["cases"][0], "已清运")
}

fn the_figures_follow_the_cases_for_the_command_centre_alone(app: &TestApp, s: &Setup) -> Value {
    let figures = dashboard_figures(app, &s.centre);
    let totals = &figures["totals"];
    assert_eq!(totals["received"], 2, "{figures}");
    assert_eq!(totals["closed"], 1);
    assert_eq!(totals["closure_rate"], 0.5);
    assert_eq!(totals["on_time_rate"], 1.0);
    assert_eq!(figures["now"]["open"], 1);
    assert_eq!(figures["series"].as_array().unwrap().len(), 1, "one day");
    let by_month = app
        .get(
            "/api/t/alpha/dashboard/figures?by=month&category=street_light",
            Some(&s.centre),
        )
        .expect(200);
    assert_eq!(by_month["totals"]["received"], 0);
    let bad = app.get(
        "/api/t/alpha/dashboard/figures?from=yesterday",
        Some(&s.centre),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "from");
    let staff = app.get("/api/t/alpha/dashboard/figures", Some(&s.staff));
    assert_eq!(staff.status, 403, "the dashboard is the command centre's");
    figures
}

fn hot_spots_alerts_and_the_league_table(app: &TestApp, s: &Setup) {
    let hotspots = app.get("/api/t/alpha/dashboard/hotspots", Some(&s.centre));
    assert_eq!(hotspots.status, 200);
    assert!(hotspots.content_type.starts_with("application/geo+json"));
    assert_eq!(hotspots.json()["type"], "FeatureCollection");
    the_grid_rows_add_up_with_the_unplaced_row(app, s, &hotspots.json());
    let alerts = app
        .get("/api/t/alpha/dashboard/alerts", Some(&s.centre))
        .expect(200);
    assert!(
        alerts["alerts"].as_array().unwrap().is_empty(),
        "two cases are no spike"
    );
    let league = app
        .get("/api/t/alpha/dashboard/league/departments", Some(&s.centre))
        .expect(200);
    assert_eq!(league["departments"][0]["code"], "sanitation");
    assert_eq!(league["departments"][0]["closed"], 1);
}

/// Both reports came with no place: the hot spots and the grid league
/// show them as their own 未定位 row, so their rows add up to the figures'
/// total, and the grid table's CSV names that row.
fn the_grid_rows_add_up_with_the_unplaced_row(app: &TestApp, s: &Setup, hotspots: &Value) {
    let received = dashboard_figures(app, &s.centre)["totals"]["received"].clone();
    assert_eq!(received, 2);
    let features = hotspots["features"].as_array().expect("features");
    let last = &features.last().expect("the unplaced feature")["properties"];
    assert_eq!(
        (&last["unplaced"], &last["received"], &last["rank"]),
        (&json!(true), &json!(2), &Value::Null),
        "{hotspots}"
    );
    let sum = |rows: &[Value], counted: fn(&Value) -> &Value| -> i64 {
        rows.iter()
            .filter_map(|r| counted(r)["received"].as_i64())
            .sum()
    };
    assert_eq!(json!(sum(features, |f| &f["properties"])), received);
    assert_eq!(hotspots["total"]["received"], received);
    let league = app
        .get("/api/t/alpha/dashboard/league/grids", Some(&s.centre))
        .expect(200);
    let rows = league["grids"].as_array().expect("grids");
    assert_eq!(rows.last().expect("the unplaced row")["unplaced"], true);
    assert_eq!(json!(sum(rows, |r| r)), received, "{league}");
    assert_eq!(league["total"]["received"], received);
    let csv = app.get("/api/t/alpha/dashboard/export/grids", Some(&s.centre));
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(
        text.lines().last().is_some_and(|l| l.contains(",未定位,")),
        "{text}"
    );
}

fn the_exports_are_csv_and_geojson(app: &TestApp, s: &Setup, closed: &Value) {
    let csv = app.get("/api/t/alpha/dashboard/export/figures", Some(&s.centre));
    assert_eq!(csv.status, 200);
    assert!(
        csv.bytes.starts_with("\u{FEFF}start,received".as_bytes()),
        "BOM, then the header"
    );
    let cases = app.get("/api/t/alpha/dashboard/export/cases", Some(&s.centre));
    assert_eq!(cases.status, 200, "{}", cases.body);
    let text = String::from_utf8(cases.bytes.clone()).unwrap();
    assert_eq!(text.lines().count(), 3, "header and two cases: {text}");
    assert!(text.contains(closed["tracking_code"].as_str().unwrap()));
    let geojson = app.get(
        "/api/t/alpha/dashboard/export/cases?format=geojson",
        Some(&s.centre),
    );
    assert_eq!(geojson.json()["features"].as_array().unwrap().len(), 2);
}

fn the_platform_sees_counts_never_cases(app: &TestApp) {
    let platform = app.platform_token();
    let activity = app
        .get("/api/platform/activity", Some(&platform))
        .expect(200);
    let alpha = activity["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "alpha")
        .expect("alpha")
        .clone();
    assert_eq!(alpha["cases"], 2);
    assert_eq!(alpha["open_now"], 1);
    assert!(
        !activity.to_string().contains("满了"),
        "counts, never cases"
    );
}
