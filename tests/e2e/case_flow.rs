//! What a case's flow tells the pages, so that no page decides a rule or
//! reads a sentence: each step the caller may take with the fields its form
//! needs and whether the result needs photos (`allowed_steps`), and each
//! step of the timeline with its data (`details`: departments and
//! categories by code) and what kind of actor took it (`actor_kind`).

use e2e::TestApp;
use serde_json::{Value, json};

use crate::workflow::{act, department_with_staff, get_case, setup};

/// The `allowed_steps` entry of `case` for `action`.
fn step<'a>(case: &'a Value, action: &str) -> &'a Value {
    case["allowed_steps"]
        .as_array()
        .expect("allowed_steps")
        .iter()
        .find(|s| s["action"] == action)
        .unwrap_or_else(|| panic!("no step {action}: {}", case["allowed_steps"]))
}

/// The last timeline entry of `case` for `action`.
fn last<'a>(case: &'a Value, action: &str) -> &'a Value {
    case["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .rev()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {}", case["timeline"]))
}

#[test]
fn steps_come_with_their_fields_and_the_timeline_with_its_data() {
    let app = TestApp::product();
    let s = setup(&app);
    let police = department_with_staff(&app, &s.admin, "police");
    let reported = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾成堆", "insist": true }),
        )
        .expect(201);

    // The routing rule dispatched it: the platform's step, with its department.
    let case = get_case(&app, &s.staff, &reported["id"]);
    let dispatch = last(&case, "dispatch");
    assert_eq!(dispatch["actor_kind"], "system");
    assert_eq!(
        dispatch["details"],
        json!({ "department": "sanitation", "assisting": [] })
    );
    assert_eq!(last(&case, "report")["actor_kind"], "resident");
    let actions: Vec<&Value> = case["allowed_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["action"])
        .collect();
    assert_eq!(
        actions,
        case["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        "the same steps, with their forms"
    );
    assert_eq!(step(&case, "sign_for")["fields"], json!([]));
    assert_eq!(step(&case, "return")["fields"], json!(["reason"]));

    // The centre moves it to the police: the transfer names both parts.
    let case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "transfer", "department": "police", "reason": "占道经营: 归派出所" }),
    );
    let case = get_case(&app, &s.centre, &case["id"]);
    let transfer = last(&case, "transfer");
    assert_eq!(transfer["actor_kind"], "command_centre");
    assert_eq!(transfer["actor_name"], "centre");
    assert_eq!(
        transfer["details"],
        json!({ "department": "police", "reason": "占道经营: 归派出所" })
    );

    // The police work it: a resident's case is resolved with a photo.
    let mut case = case;
    for action in ["sign_for", "start_work"] {
        case = act(&app, &police, &case, json!({ "action": action }));
    }
    let case = get_case(&app, &police, &case["id"]);
    let resolve = step(&case, "resolve");
    assert_eq!(resolve["fields"], json!(["answer", "attachment_ids"]));
    assert_eq!(resolve["photos_required"], true);
    assert_eq!(last(&case, "sign_for")["details"], Value::Null);
}
