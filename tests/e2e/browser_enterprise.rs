//! The enterprise portal and the public board in headless Chromium
//! (`tests/browser/enterprise.mjs`) on the demo tenant: a company registers
//! (a mistyped credit code first) and, signing in too early, reads that it
//! awaits approval; the tenant admin approves it, refuses another company
//! (which reads why when it signs in), and publishes an answer for the
//! company that asked, masked, resting on a policy; the company signs in,
//! is offered the closest published answer, asks a policy question and
//! follows it, searches the Q&A and opens a policy's file; the public
//! board shows its figures, the map and a closed case with its result
//! photo, and the company's request by its code. Then the API is asked
//! whether all that really happened.

use e2e::{OPERATOR_KEY, TINY_PNG, TestApp};
use serde_json::json;
use xtask::demo::DEMO_ADMIN;

use crate::browser::run_scenarios;

const DEMO: &str = "/api/t/demo";
/// The company the browser registers, as enterprise.mjs names it.
const CREDIT_CODE: &str = "91330100MA2J000T15";
const LOGIN: (&str, &str) = ("xingzhi", "xingzhi-2026-pass");
/// The company the admin refuses, as enterprise.mjs names it.
const REFUSED: (&str, &str) = ("yunfan", "yunfan-2026-pass");

#[test]
fn companies_and_the_public_use_their_pages_in_a_browser() {
    let app = TestApp::product();
    for _ in 0..2 {
        // Twice: the demo seeds idempotently (it runs on every `cargo xtask up`).
        xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");
    }
    let policies = app
        .get(&format!("{DEMO}/enterprise/policies"), None)
        .expect(200);
    assert_eq!(
        policies["policies"].as_array().map(Vec::len),
        Some(1),
        "{policies}"
    );
    let answers = app.get(&format!("{DEMO}/enterprise/qa"), None).expect(200);
    assert_eq!(
        answers["answers"].as_array().map(Vec::len),
        Some(1),
        "{answers}"
    );
    let admin = app.login(&format!("{DEMO}/auth/login"), DEMO_ADMIN.0, DEMO_ADMIN.1);
    close_a_case_with_a_result_photo(&app, &admin);

    run_scenarios(&app, "enterprise.mjs");

    let approved = app
        .get(
            &format!("{DEMO}/enterprise/registrations?status=approved"),
            Some(&admin),
        )
        .expect(200);
    let company = approved["enterprises"]
        .as_array()
        .and_then(|all| all.iter().find(|e| e["credit_code"] == CREDIT_CODE))
        .unwrap_or_else(|| panic!("the company the page registered is approved: {approved}"));
    assert_eq!(company["decision_note"], "营业执照核验通过");
    let firm = app.login(&format!("{DEMO}/auth/login"), LOGIN.0, LOGIN.1);
    let requests = app
        .get(&format!("{DEMO}/enterprise/requests"), Some(&firm))
        .expect(200);
    let [request] = requests["requests"]
        .as_array()
        .expect("requests")
        .as_slice()
    else {
        panic!("the page filed one request: {requests}");
    };
    assert_eq!(request["kind"]["code"], "policy_inquiry");
    assert_eq!(request["title"], "研发费用加计扣除");
    let case = app
        .get(&format!("{DEMO}/cases/{}", request["id"]), Some(&admin))
        .expect(200);
    assert_eq!(case["source"], "enterprise", "{case}");
    assert_eq!(case["category"], "enterprise_policy_inquiry", "{case}");
    let asker = app
        .get(
            &format!("{DEMO}/enterprise/cases/{}", request["id"]),
            Some(&admin),
        )
        .expect(200);
    assert_eq!(asker["enterprise"]["credit_code"], CREDIT_CODE);
    let colleagues = app
        .get(&format!("{DEMO}/enterprise/me"), Some(&firm))
        .expect(200);
    assert_eq!(
        colleagues["users"].as_array().map(Vec::len),
        Some(2),
        "{colleagues}"
    );
    let published = app
        .get(&format!("{DEMO}/enterprise/policies?q=房租减免"), None)
        .expect(200);
    let [policy] = published["policies"]
        .as_array()
        .expect("policies")
        .as_slice()
    else {
        panic!("the page published one policy: {published}");
    };
    let policy = app
        .get(
            &format!("{DEMO}/enterprise/policies/{}", policy["id"]),
            None,
        )
        .expect(200);
    assert_eq!(
        policy["files"][0]["content_type"], "application/pdf",
        "{policy}"
    );
    let answers = app
        .get(&format!("{DEMO}/enterprise/qa?q=房租减免"), None)
        .expect(200);
    let [answer] = answers["answers"].as_array().expect("answers").as_slice() else {
        panic!("the page published one answer: {answers}");
    };
    for private in ["13900003333", "星智制造"] {
        assert!(!answer.to_string().contains(private), "{private}: {answer}");
    }
    assert_eq!(
        answer["policies"],
        json!([{ "id": policy["id"], "title": "关于小微企业房租减免的通知", "superseded": false }])
    );
    let refused = app
        .client
        .post_json(
            &format!("{DEMO}/enterprise/registration-status"),
            None,
            &json!({ "login": REFUSED.0, "password": REFUSED.1 }),
        )
        .unwrap()
        .expect(200);
    assert_eq!(refused["enterprise"]["status"], "rejected", "{refused}");
    assert_eq!(
        refused["enterprise"]["decision_note"],
        "营业执照已过期，请换发后重新注册"
    );
}

/// A resident's report in the first grid, worked by the tenant admin to
/// closure with a photo of the result, for the board to show.
fn close_a_case_with_a_result_photo(app: &TestApp, admin: &str) {
    let report = app
        .post_report(
            "demo",
            &json!({ "category": "road_damage", "description": "井盖松动，车辆经过有响声。",
                     "latitude": 30.275, "longitude": 120.153, "insist": true }),
        )
        .expect(201);
    let photo = app.upload("demo", Some(admin), TINY_PNG).expect(201)["id"].clone();
    let id = report["id"].clone();
    for (action, fields) in [
        ("sign_for", json!({})),
        ("start_work", json!({})),
        (
            "resolve",
            json!({ "answer": "已更换井盖并加固。", "attachment_ids": [photo] }),
        ),
        ("verify", json!({})),
        ("close", json!({})),
    ] {
        let case = app
            .get(&format!("{DEMO}/cases/{id}"), Some(admin))
            .expect(200);
        let mut body = fields;
        body["action"] = json!(action);
        body["version"] = case["version"].clone();
        app.client
            .post_json(&format!("{DEMO}/cases/{id}/actions"), Some(admin), &body)
            .unwrap()
            .expect(200);
    }
}
