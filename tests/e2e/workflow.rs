//! The case flow over HTTP: routing rules dispatch on intake, the
//! department works the case through to closure with its clock shown, the
//! command centre triages what no rule routes, and the sweep runs.

use e2e::{OPERATOR_KEY, Reply, TestApp};
use serde_json::{Value, json};

pub(crate) fn ok(reply: Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    reply.json()
}

pub(crate) struct Setup {
    pub admin: String,
    pub staff: String,
    pub centre: String,
}

pub(crate) fn setup(app: &TestApp) -> Setup {
    let admin = app.tenant_with_admin("alpha");
    let department = ok(
        app.client
            .post_json(
                "/api/t/alpha/admin/departments",
                Some(&admin),
                &json!({ "code": "sanitation", "name": "环卫所" }),
            )
            .unwrap(),
        201,
    );
    for (login, role, extra) in [
        (
            "staff",
            "department_staff",
            json!({ "department_id": department["id"] }),
        ),
        ("centre", "command_centre", json!({})),
    ] {
        let mut body = json!({ "login": login, "display_name": login, "role": role, "password": "password-1" });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        ok(
            app.client
                .post_json("/api/t/alpha/admin/users", Some(&admin), &body)
                .unwrap(),
            201,
        );
    }
    ok(
        app.client
            .send_json(
                "PUT",
                "/api/t/alpha/admin/routing-rules",
                Some(&admin),
                &json!({ "rules": [{ "category": "garbage", "department_id": department["id"] }] }),
            )
            .unwrap(),
        200,
    );
    Setup {
        staff: app.login("/api/t/alpha/auth/login", "staff", "password-1"),
        centre: app.login("/api/t/alpha/auth/login", "centre", "password-1"),
        admin,
    }
}

pub(crate) fn act(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    let mut body = body;
    body["version"] = case["version"].clone();
    ok(
        app.client
            .post_json(
                &format!("/api/t/alpha/cases/{}/actions", case["id"]),
                Some(token),
                &body,
            )
            .unwrap(),
        200,
    )
}

#[test]
fn a_routed_case_is_worked_through_to_closure_on_the_clock() {
    let app = TestApp::product();
    let s = setup(&app);
    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾未清运" }),
        ),
        201,
    );
    assert_eq!(
        receipt["state"], "dispatched",
        "a rule dispatches at intake"
    );

    let inbox = ok(
        app.client
            .get("/api/t/alpha/queues/inbox", Some(&s.staff))
            .unwrap(),
        200,
    );
    let case = inbox["cases"][0].clone();
    assert_eq!(case["tracking_code"], receipt["tracking_code"]);
    assert!(
        case["resolution_due_at"].is_string(),
        "the clock started at dispatch: {case}"
    );
    assert!(case["resolution_minutes_left"].as_i64().unwrap() > 0);

    let case = act(&app, &s.staff, &case, json!({ "action": "sign_for" }));
    let case = act(&app, &s.staff, &case, json!({ "action": "start_work" }));
    let case = act(&app, &s.staff, &case, json!({ "action": "await_reporter" }));
    assert_eq!(case["paused"], true);
    let case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "reporter_replied" }),
    );
    assert_eq!(case["paused"], false);
    let case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": "已清运", "attachment_ids": [result_photo(&app, &s.staff)] }),
    );
    assert!(
        case["resolution_minutes_left"].is_null(),
        "a resolved case's clock stops"
    );
    let case = act(&app, &s.centre, &case, json!({ "action": "verify" }));
    let case = act(&app, &s.centre, &case, json!({ "action": "close" }));
    assert_eq!(case["state"], "closed");

    let full = ok(
        app.client
            .get(
                &format!("/api/t/alpha/cases/{}", case["id"]),
                Some(&s.centre),
            )
            .unwrap(),
        200,
    );
    let actions: Vec<&str> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "report",
            "accept",
            "register",
            "dispatch",
            "sign_for",
            "start_work",
            "await_reporter",
            "reporter_replied",
            "resolve",
            "verify",
            "close"
        ]
    );
    // Who took each step, as it was recorded and as staff read it: a
    // person by name (department staff with their department), the
    // resident and the routing rules as no person.
    let who: Vec<(&str, Value, Value)> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let actor = e["actor"].as_str().unwrap();
            let kind = actor.split(':').next().unwrap();
            (kind, e["actor_name"].clone(), e["actor_department"].clone())
        })
        .collect();
    let resident = ("resident", Value::Null, Value::Null);
    let rules = ("system", Value::Null, Value::Null);
    let staff = ("department_staff", json!("staff"), json!("环卫所"));
    let centre = ("command_centre", json!("centre"), Value::Null);
    assert_eq!(
        who,
        [
            resident.clone(),
            rules.clone(),
            rules.clone(),
            rules,
            staff.clone(),
            staff.clone(),
            staff.clone(),
            staff.clone(),
            staff,
            centre.clone(),
            centre
        ],
        "{full}"
    );
    assert_eq!(full["timeline"][0]["actor"], "resident");
    assert_eq!(full["timeline"][1]["actor"], "system:routing");
    let code = receipt["tracking_code"].as_str().unwrap();
    let public = ok(
        app.client
            .get(&format!("/api/t/alpha/status/{code}"), None)
            .unwrap(),
        200,
    );
    assert_eq!(public["state"], "closed");

    // Staff comment: an internal one stays off the public page.
    ok(
        app.client
            .post_json(
                &format!("/api/t/alpha/cases/{}/comments", case["id"]),
                Some(&s.staff),
                &json!({ "text": "内部备注" }),
            )
            .unwrap(),
        201,
    );
    let public = ok(
        app.client
            .get(&format!("/api/t/alpha/status/{code}"), None)
            .unwrap(),
        200,
    );
    assert!(!public.to_string().contains("内部备注"));

    // 满意度回访: a low rating reopens the case, once.
    let secret = receipt["reporter_secret"].as_str().unwrap().to_string();
    let rate = |body: Value| {
        let url = format!("{}/api/t/alpha/reports/{code}/rating", app.client.base());
        match ureq::post(&url)
            .set("reporter-secret", &secret)
            .send_json(body)
        {
            Ok(r) => (r.status(), r.into_json::<Value>().unwrap()),
            Err(ureq::Error::Status(status, r)) => {
                (status, r.into_json::<Value>().unwrap_or_default())
            }
            Err(e) => panic!("{e}"),
        }
    };
    let (status, rated) = rate(json!({ "score": 1, "comment": "没处理干净", "reopen": true }));
    assert_eq!(status, 200, "{rated}");
    assert_eq!(rated["state"], "in_progress");
    assert_eq!(rate(json!({ "score": 6 })).0, 400);
    assert_eq!(
        rate(json!({ "score": 2, "reopen": true })).0,
        409,
        "not while the case is open"
    );
    let _ = s.admin;
}

#[test]
fn what_no_rule_routes_waits_in_triage_for_the_command_centre() {
    let app = TestApp::product();
    let s = setup(&app);
    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "street_light", "description": "路灯" }),
        ),
        201,
    );
    assert_eq!(receipt["state"], "reported");
    let triage = ok(
        app.client
            .get("/api/t/alpha/queues/triage", Some(&s.centre))
            .unwrap(),
        200,
    );
    let case = triage["cases"][0].clone();
    assert_eq!(case["tracking_code"], receipt["tracking_code"]);
    let case = act(&app, &s.centre, &case, json!({ "action": "accept" }));
    let case = act(&app, &s.centre, &case, json!({ "action": "register" }));
    let unknown = app
        .client
        .post_json(
            &format!("/api/t/alpha/cases/{}/actions", case["id"]),
            Some(&s.centre),
            &json!({ "version": case["version"], "action": "dispatch", "department": "nobody" }),
        )
        .unwrap();
    assert_eq!(unknown.status, 400);
    let not_theirs = app
        .client
        .post_json(
            &format!("/api/t/alpha/cases/{}/actions", case["id"]),
            Some(&s.staff),
            &json!({ "version": case["version"], "action": "dispatch", "department": "sanitation" }),
        )
        .unwrap();
    assert_eq!(
        not_theirs.status, 403,
        "dispatching is the command centre's step"
    );
    assert_eq!(unknown.json()["field"], "department");
    let case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "dispatch", "department": "sanitation" }),
    );
    assert_eq!(case["state"], "dispatched");
    assert!(case["response_due_at"].is_string());
    let forbidden = app
        .client
        .get("/api/t/alpha/queues/inbox", Some(&s.centre))
        .unwrap();
    assert_eq!(
        forbidden.status, 403,
        "the command centre has no department inbox"
    );
    assert_eq!(
        app.client
            .get("/api/t/alpha/queues/nonsense", Some(&s.centre))
            .unwrap()
            .status,
        404
    );
}

#[test]
fn the_sweep_runs_for_a_scheduler_with_the_operator_key() {
    let app = TestApp::product();
    let s = setup(&app);
    ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "x" }),
        ),
        201,
    );
    let swept = ok(
        app.client
            .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
            .unwrap(),
        200,
    );
    assert_eq!(swept["checked"], 1);
    assert_eq!(swept["escalated"], 0, "a fresh case is not late");
    assert_eq!(
        app.client
            .post_json("/api/t/alpha/cases/sweep", Some(&s.admin), &json!({}))
            .unwrap()
            .status,
        403
    );
}

/// A photo of the work done, uploaded by staff before they resolve.
pub(crate) fn result_photo(app: &TestApp, token: &str) -> Value {
    ok(app.upload("alpha", Some(token), e2e::TINY_JPEG), 201)["id"].clone()
}

/// A problem answer: its status, media type and, when given, the field at fault.
pub(crate) fn problem(reply: Reply, status: u16, field: Option<&str>) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json");
    let body = reply.json();
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
    body
}
