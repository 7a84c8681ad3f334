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

/// Staff see where the problem is (pin, address, grid path to the
/// micro-grid) and, those who may call back, who reported it; the public
/// sees neither.
#[test]
fn staff_see_the_place_and_those_who_call_back_the_reporter() {
    let app = TestApp::product();
    let s = setup(&app);
    let grid = |parent: Value, level: &str, code: &str, geometry: Value| -> Value {
        crate::workflow::admin_creates(
            &app,
            &s.admin,
            "grid",
            json!({ "parent_id": parent, "level": level, "code": code,
                    "name": format!("{code}名"), "geometry": geometry }),
        )["id"]
            .clone()
    };
    let township = grid(Value::Null, "township", "T", Value::Null);
    let community = grid(township, "community", "C1", Value::Null);
    let g1 = grid(community, "grid", "G1", Value::Null);
    let square = json!({ "type": "Polygon", "coordinates": [[[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]] });
    grid(g1, "micro_grid", "M1", square);
    let reported = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾成堆", "insist": true,
                     "latitude": 30.005, "longitude": 120.005, "address": "金山路 8 号东门",
                     "name": "李女士", "phone": "13912345678" }),
        )
        .expect(201);

    let centre_view = get_case(&app, &s.centre, &reported["id"]);
    let place = &centre_view["place"];
    assert_eq!(
        (&place["latitude"], &place["longitude"], &place["address"]),
        (&json!(30.005), &json!(120.005), &json!("金山路 8 号东门"))
    );
    let path: Vec<&str> = place["grid_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["T名", "C1名", "G1名", "M1名"]);
    assert_eq!(place["grid_path"][3]["level"], "micro_grid");
    assert_eq!(centre_view["contact"]["phone"], "13912345678");
    assert_eq!(centre_view["contact"]["name"], "李女士");

    // The department holding it calls back too; one it was taken from does not.
    let holding = get_case(&app, &s.staff, &reported["id"]);
    assert_eq!(holding["contact"]["phone"], "13912345678");
    let police = department_with_staff(&app, &s.admin, "police");
    act(
        &app,
        &s.centre,
        &holding,
        json!({ "action": "transfer", "department": "police", "reason": "归派出所" }),
    );
    let gave_away = get_case(&app, &s.staff, &reported["id"]);
    assert_eq!(gave_away["place"]["address"], "金山路 8 号东门");
    assert!(gave_away.get("contact").is_none(), "{gave_away}");
    assert_eq!(
        get_case(&app, &police, &reported["id"])["contact"]["phone"],
        "13912345678"
    );

    // The public look-up has neither.
    let public = app
        .get(
            &format!(
                "/api/t/alpha/status/{}",
                reported["tracking_code"].as_str().unwrap()
            ),
            None,
        )
        .expect(200);
    let text = public.to_string();
    assert!(
        !text.contains("13912345678") && !text.contains("金山路 8 号"),
        "{text}"
    );
}

/// The command centre's queues say what is theirs to do: triage with the
/// time left to dispatch, and 待核查 (verification) with the resolved cases.
#[test]
fn the_centre_sees_triage_time_left_and_a_verification_queue() {
    let app = TestApp::product();
    let s = setup(&app);
    let queue = |name: &str| -> Vec<Value> {
        app.get(&format!("/api/t/alpha/queues/{name}"), Some(&s.centre))
            .expect(200)["cases"]
            .as_array()
            .unwrap()
            .clone()
    };
    let waiting = app
        .post_report(
            "alpha",
            &json!({ "category": "street_light", "description": "路灯不亮", "insist": true }),
        )
        .expect(201);
    let triage = queue("triage");
    assert_eq!(triage[0]["id"], waiting["id"]);
    let left = triage[0]["triage_minutes_left"]
        .as_i64()
        .expect("time left");
    assert!((110..=120).contains(&left), "two working hours: {left}");
    assert!(triage[0]["triage_due_at"].is_string());

    let routed = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾成堆", "insist": true }),
        )
        .expect(201);
    let dispatched = get_case(&app, &s.staff, &routed["id"]);
    assert_eq!(dispatched["triage_minutes_left"], Value::Null);
    let mut case = dispatched;
    for action in ["sign_for", "start_work"] {
        case = act(&app, &s.staff, &case, json!({ "action": action }));
    }
    assert!(queue("verification").is_empty());
    case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": "已清运",
                "attachment_ids": [crate::workflow::result_photo(&app, &s.staff)] }),
    );
    let ids = |cases: Vec<Value>| cases.iter().map(|c| c["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(queue("verification")), [routed["id"].clone()]);
    case = act(&app, &s.centre, &case, json!({ "action": "verify" }));
    assert_eq!(
        ids(queue("verification")),
        [routed["id"].clone()],
        "then close"
    );
    act(&app, &s.centre, &case, json!({ "action": "close" }));
    assert!(queue("verification").is_empty());
}
