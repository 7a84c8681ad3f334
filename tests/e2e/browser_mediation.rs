//! The mediation window and the agent desk as their people use them, in
//! headless Chromium (`tests/browser/mediation.mjs`) on the demo tenant: the
//! justice office's mediator takes a dispute in with two parties, a scan
//! and a PDF, schedules and records a session, works the case flow and
//! records the agreement; the public look-up of its code names nobody; the
//! village agent takes a resident's matter with consent, completes a task
//! and passes it up to the township; the command centre sees the figures.
//! Afterwards the API must show what the pages did.

use e2e::{OPERATOR_KEY, TestApp};
use serde_json::{Value, json};
use xtask::demo::{DEMO_AGENT, DEMO_MEDIATOR};

#[test]
fn the_mediation_window_and_the_agent_desk_work_in_a_browser() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");
    // `cargo xtask up` seeds on every start: a second run changes nothing.
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo seeds again");

    // The scenarios also measure both pages and fail over 200 KB
    // (`target/screenshots/page-sizes-mediation.json`).
    crate::browser::run_scenarios(&app, "mediation.mjs");

    let login =
        |(login, password): (&str, &str)| app.login("/api/t/demo/auth/login", login, password);
    let mediator = login(DEMO_MEDIATOR);
    let listed = app
        .get("/api/t/demo/mediation/disputes", Some(&mediator))
        .expect(200);
    let ours: Vec<&Value> = listed["disputes"]
        .as_array()
        .expect("disputes")
        .iter()
        .filter(|d| {
            d["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("浏览器测试"))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one dispute taken in: {listed}");
    let dispute = app
        .get(
            &format!("/api/t/demo/mediation/disputes/{}", ours[0]["case_id"]),
            Some(&mediator),
        )
        .expect(200);
    assert_eq!(dispute["state"], "closed", "{dispute}");
    assert_eq!(dispute["outcome"]["outcome"], "agreement");
    assert!(
        dispute["outcome"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("三十日内")),
        "{dispute}"
    );
    assert_eq!(dispute["parties"].as_array().map(Vec::len), Some(2));
    assert_eq!(dispute["sessions"][0]["place"], "矛调中心2号调解室");
    assert!(dispute["sessions"][0]["held_at"].is_string(), "recorded");
    let kinds: Vec<&str> = dispute["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["photo", "document", "photo"],
        "the scan and the PDF taken in, and the signed agreement"
    );

    let agent = login(DEMO_AGENT);
    let matters = app
        .get("/api/t/demo/agent/matters", Some(&agent))
        .expect(200);
    let matter = &matters["matters"][0];
    assert_eq!(matter["level"], "township", "passed up: {matters}");
    let matter = app
        .get(
            &format!("/api/t/demo/agent/matters/{}", matter["case_id"]),
            Some(&agent),
        )
        .expect(200);
    assert!(matter["resident"]["consent_at"].is_string());
    assert_eq!(matter["levels"].as_array().map(Vec::len), Some(2));
    assert!(
        matter["tasks"][0]["done_at"].is_string(),
        "the task is done: {matter}"
    );
    // The agent who passed it up is named with their agent point, in the
    // desk's timeline and in the staff's case view alike.
    let passed_up = |case: &Value| -> Value {
        case["timeline"]
            .as_array()
            .and_then(|t| t.iter().find(|e| e["action"] == "agent_passed_up"))
            .map(|e| (e["actor_name"].clone(), e["actor_agent_point"].clone()))
            .map(|(name, point)| json!([name, point]))
            .unwrap_or_else(|| panic!("the pass-up step: {case}"))
    };
    let expected = json!(["开元村代办员", "开元村代办点"]);
    assert_eq!(passed_up(&matter), expected);
    let admin = login(xtask::demo::DEMO_ADMIN);
    let case = app
        .get(
            &format!("/api/t/demo/cases/{}", matters["matters"][0]["case_id"]),
            Some(&admin),
        )
        .expect(200);
    assert_eq!(passed_up(&case), expected);
}
