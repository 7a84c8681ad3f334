//! The command centre's picture over HTTP: figures that follow the cases,
//! hot spots as GeoJSON, league tables, CSV and GeoJSON exports (streamed),
//! the recount, and the platform's view of each tenant's activity.

use crate::workflow::{act, ok, result_photo, setup};
use e2e::{OPERATOR_KEY, TestApp};
use serde_json::{Value, json};

fn get(app: &TestApp, token: &str, path: &str) -> Value {
    ok(app.client.get(path, Some(token)).unwrap(), 200)
}

#[test]
fn the_dashboard_follows_the_cases() {
    let app = TestApp::product();
    let s = setup(&app);
    for description in ["满了", "又满了"] {
        ok(
            app.post_report(
                "alpha",
                &json!({ "category": "garbage", "description": description }),
            ),
            201,
        );
    }
    let inbox = get(&app, &s.staff, "/api/t/alpha/queues/inbox");
    let mut case = inbox["cases"][0].clone();
    for action in ["sign_for", "start_work"] {
        case = act(&app, &s.staff, &case, json!({ "action": action }));
    }
    case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": "已清运", "attachment_ids": [result_photo(&app, &s.staff)] }),
    );
    for action in ["verify", "close"] {
        case = act(&app, &s.centre, &case, json!({ "action": action }));
    }

    let figures = get(&app, &s.centre, "/api/t/alpha/dashboard/figures");
    let totals = &figures["totals"];
    assert_eq!(totals["received"], 2, "{figures}");
    assert_eq!(totals["closed"], 1);
    assert_eq!(totals["closure_rate"], 0.5);
    assert_eq!(totals["on_time_rate"], 1.0);
    assert_eq!(figures["now"]["open"], 1);
    assert_eq!(figures["series"].as_array().unwrap().len(), 1, "one day");
    let by_month = get(
        &app,
        &s.centre,
        "/api/t/alpha/dashboard/figures?by=month&category=street_light",
    );
    assert_eq!(by_month["totals"]["received"], 0);
    let bad = app
        .client
        .get(
            "/api/t/alpha/dashboard/figures?from=yesterday",
            Some(&s.centre),
        )
        .unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "from");
    let staff = app
        .client
        .get("/api/t/alpha/dashboard/figures", Some(&s.staff))
        .unwrap();
    assert_eq!(staff.status, 403, "the dashboard is the command centre's");

    let hotspots = app
        .client
        .get("/api/t/alpha/dashboard/hotspots", Some(&s.centre))
        .unwrap();
    assert_eq!(hotspots.status, 200);
    assert!(hotspots.content_type.starts_with("application/geo+json"));
    assert_eq!(hotspots.json()["type"], "FeatureCollection");
    let alerts = get(&app, &s.centre, "/api/t/alpha/dashboard/alerts");
    assert!(
        alerts["alerts"].as_array().unwrap().is_empty(),
        "two cases are no spike"
    );
    let league = get(&app, &s.centre, "/api/t/alpha/dashboard/league/departments");
    assert_eq!(league["departments"][0]["code"], "sanitation");
    assert_eq!(league["departments"][0]["closed"], 1);

    let csv = app
        .client
        .get("/api/t/alpha/dashboard/export/figures", Some(&s.centre))
        .unwrap();
    assert_eq!(csv.status, 200);
    assert!(
        csv.bytes.starts_with("\u{FEFF}start,received".as_bytes()),
        "BOM, then the header"
    );
    let cases = app
        .client
        .get("/api/t/alpha/dashboard/export/cases", Some(&s.centre))
        .unwrap();
    assert_eq!(cases.status, 200, "{}", cases.body);
    let text = String::from_utf8(cases.bytes.clone()).unwrap();
    assert_eq!(text.lines().count(), 3, "header and two cases: {text}");
    assert!(text.contains(case["tracking_code"].as_str().unwrap()));
    let geojson = app
        .client
        .get(
            "/api/t/alpha/dashboard/export/cases?format=geojson",
            Some(&s.centre),
        )
        .unwrap();
    assert_eq!(geojson.json()["features"].as_array().unwrap().len(), 2);

    let recount = ok(
        app.client
            .post_json(
                "/api/t/alpha/dashboard/rebuild",
                Some(OPERATOR_KEY),
                &json!({}),
            )
            .unwrap(),
        200,
    );
    assert_eq!(recount["cases"], 2);
    let again = get(&app, &s.centre, "/api/t/alpha/dashboard/figures");
    assert_eq!(again["totals"], figures["totals"], "the recount agrees");

    let platform = app.platform_token();
    let activity = get(&app, &platform, "/api/platform/activity");
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
