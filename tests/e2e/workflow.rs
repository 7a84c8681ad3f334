//! The case flow over HTTP: routing rules dispatch on intake, the
//! department works the case through to closure with its clock shown, the
//! command centre triages what no rule routes, and the sweep runs.
//!
//! Also the steps the other modules share on tenant `alpha`: [`setup`]
//! (sanitation, its staff, the command centre and the garbage rule),
//! [`act`] and [`try_act`] (a step of the case flow), [`get_case`],
//! [`admin_creates`], [`department_with_staff`], [`grid_worker`],
//! [`work_to_closure`], [`result_photo`] and [`problem`].

use e2e::{OPERATOR_KEY, Reply, TestApp};
use serde_json::{Value, json};

pub(crate) struct Setup {
    pub admin: String,
    pub staff: String,
    pub centre: String,
}

pub(crate) fn setup(app: &TestApp) -> Setup {
    let admin = app.tenant_with_admin("alpha");
    let department = admin_creates(
        app,
        &admin,
        "departments",
        json!({ "code": "sanitation", "name": "环卫所" }),
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
        admin_creates(app, &admin, "users", body);
    }
    app.client
        .send_json(
            "PUT",
            "/api/t/alpha/admin/routing-rules",
            Some(&admin),
            &json!({ "rules": [{ "category": "garbage", "department_id": department["id"] }] }),
        )
        .unwrap()
        .expect(200);
    Setup {
        staff: app.login("/api/t/alpha/auth/login", "staff", "password-1"),
        centre: app.login("/api/t/alpha/auth/login", "centre", "password-1"),
        admin,
    }
}

/// `body`'s step taken on `case` (at its version) by the holder of `token`.
pub(crate) fn try_act(app: &TestApp, token: &str, case: &Value, body: Value) -> Reply {
    let mut body = body;
    body["version"] = case["version"].clone();
    app.client
        .post_json(
            &format!("/api/t/alpha/cases/{}/actions", case["id"]),
            Some(token),
            &body,
        )
        .unwrap()
}

/// [`try_act`], which must succeed: the case after the step.
#[track_caller]
pub(crate) fn act(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    try_act(app, token, case, body).expect(200)
}

/// `case`, dispatched to sanitation, worked to its end: its staff sign
/// for it, start and resolve it with `answer` and a photo of the result;
/// the command centre checks and closes it. The closed case.
pub(crate) fn work_to_closure(app: &TestApp, s: &Setup, case: &Value, answer: &str) -> Value {
    let mut case = case.clone();
    for action in ["sign_for", "start_work"] {
        case = act(app, &s.staff, &case, json!({ "action": action }));
    }
    case = act(
        app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": answer, "attachment_ids": [result_photo(app, &s.staff)] }),
    );
    for action in ["verify", "close"] {
        case = act(app, &s.centre, &case, json!({ "action": action }));
    }
    case
}

/// The case behind `id` as staff see it (`GET …/cases/:id`).
#[track_caller]
pub(crate) fn get_case(app: &TestApp, token: &str, id: &Value) -> Value {
    app.get(&format!("/api/t/alpha/cases/{id}"), Some(token))
        .expect(200)
}

/// The actions of a case's timeline, oldest first.
pub(crate) fn timeline_actions(case: &Value) -> Vec<&str> {
    case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

/// What `alpha`'s admin creates under `/api/t/alpha/admin/{what}` (users,
/// departments, grid nodes, categories, …), which must be created: the new row.
#[track_caller]
pub(crate) fn admin_creates(app: &TestApp, admin: &str, what: &str, body: Value) -> Value {
    app.client
        .post_json(&format!("/api/t/alpha/admin/{what}"), Some(admin), &body)
        .unwrap()
        .expect(201)
}

/// The department `code` of `alpha` and a member of its staff (their token).
pub(crate) fn department_with_staff(app: &TestApp, admin: &str, code: &str) -> String {
    let department = admin_creates(
        app,
        admin,
        "departments",
        json!({ "code": code, "name": code }),
    );
    let login = format!("{code}-staff");
    admin_creates(
        app,
        admin,
        "users",
        json!({ "login": login, "display_name": login, "role": "department_staff",
                "department_id": department["id"], "password": "password-1" }),
    );
    app.login("/api/t/alpha/auth/login", &login, "password-1")
}

/// A grid worker of `alpha` with the password `password-1`: their token.
pub(crate) fn grid_worker(app: &TestApp, admin: &str, login: &str) -> String {
    admin_creates(
        app,
        admin,
        "users",
        json!({ "login": login, "display_name": "网格员", "role": "grid_worker", "password": "password-1" }),
    );
    app.login("/api/t/alpha/auth/login", login, "password-1")
}

#[test]
fn a_routed_case_is_worked_through_to_closure_on_the_clock() {
    let app = TestApp::product();
    let s = setup(&app);
    let receipt = a_rule_dispatches_the_report_at_intake(&app);
    let case = the_department_finds_it_in_its_inbox_on_the_clock(&app, &s, &receipt);
    let case = it_is_worked_to_closure_with_the_clock_paused_and_stopped(&app, &s, &case);
    the_timeline_says_who_took_each_step(&app, &s, &case);
    the_public_sees_it_closed_but_never_an_internal_comment(&app, &s, &case, &receipt);
    a_low_rating_reopens_it_once(&app, &receipt);
}

fn a_rule_dispatches_the_report_at_intake(app: &TestApp) -> Value {
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾未清运" }),
        )
        .expect(201);
    assert_eq!(
        receipt["state"], "dispatched",
        "a rule dispatches at intake"
    );
    receipt
}

fn the_department_finds_it_in_its_inbox_on_the_clock(
    app: &TestApp,
    s: &Setup,
    receipt: &Value,
) -> Value {
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
    let case = inbox["cases"][0].clone();
    assert_eq!(case["tracking_code"], receipt["tracking_code"]);
    assert!(
        case["resolution_due_at"].is_string(),
        "the clock started at dispatch: {case}"
    );
    assert!(case["resolution_minutes_left"].as_i64().unwrap() > 0);
    case
}

fn it_is_worked_to_closure_with_the_clock_paused_and_stopped(
    app: &TestApp,
    s: &Setup,
    case: &Value,
) -> Value {
    let case = act(app, &s.staff, case, json!({ "action": "sign_for" }));
    let case = act(app, &s.staff, &case, json!({ "action": "start_work" }));
    let case = act(app, &s.staff, &case, json!({ "action": "await_reporter" }));
    assert_eq!(case["paused"], true);
    let case = act(
        app,
        &s.staff,
        &case,
        json!({ "action": "reporter_replied" }),
    );
    assert_eq!(case["paused"], false);
    let case = act(
        app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": "已清运", "attachment_ids": [result_photo(app, &s.staff)] }),
    );
    assert!(
        case["resolution_minutes_left"].is_null(),
        "a resolved case's clock stops"
    );
    let case = act(app, &s.centre, &case, json!({ "action": "verify" }));
    let case = act(app, &s.centre, &case, json!({ "action": "close" }));
    assert_eq!(case["state"], "closed");
    case
}

/// Who took each step, as it was recorded and as staff read it: a person
/// by name (department staff with their department), the resident and the
/// routing rules as no person.
fn the_timeline_says_who_took_each_step(app: &TestApp, s: &Setup, case: &Value) {
    let full = get_case(app, &s.centre, &case["id"]);
    assert_eq!(
        timeline_actions(&full),
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
}

/// Staff comment: an internal one stays off the public page.
fn the_public_sees_it_closed_but_never_an_internal_comment(
    app: &TestApp,
    s: &Setup,
    case: &Value,
    receipt: &Value,
) {
    let public_page = || {
        let code = receipt["tracking_code"].as_str().unwrap();
        app.get(&format!("/api/t/alpha/status/{code}"), None)
            .expect(200)
    };
    assert_eq!(public_page()["state"], "closed");
    app.client
        .post_json(
            &format!("/api/t/alpha/cases/{}/comments", case["id"]),
            Some(&s.staff),
            &json!({ "text": "内部备注" }),
        )
        .unwrap()
        .expect(201);
    assert!(!public_page().to_string().contains("内部备注"));
}

/// 满意度回访: a low rating reopens the case, once.
fn a_low_rating_reopens_it_once(app: &TestApp, receipt: &Value) {
    let code = receipt["tracking_code"].as_str().unwrap();
    let secret = receipt["reporter_secret"].as_str().unwrap().to_string();
    let rate = |body: Value| {
        let reply = app
            .client
            .send_with_headers(
                "POST",
                &format!("/api/t/alpha/reports/{code}/rating"),
                None,
                &[("reporter-secret", &secret)],
                Some(("application/json", &serde_json::to_vec(&body).unwrap())),
            )
            .unwrap();
        let json = serde_json::from_str::<Value>(&reply.body).unwrap_or_default();
        (reply.status, json)
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
}

#[test]
fn what_no_rule_routes_waits_in_triage_for_the_command_centre() {
    let app = TestApp::product();
    let s = setup(&app);
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "street_light", "description": "路灯" }),
        )
        .expect(201);
    assert_eq!(receipt["state"], "reported");
    let triage = app
        .get("/api/t/alpha/queues/triage", Some(&s.centre))
        .expect(200);
    let case = triage["cases"][0].clone();
    assert_eq!(case["tracking_code"], receipt["tracking_code"]);
    let case = act(&app, &s.centre, &case, json!({ "action": "accept" }));
    let case = act(&app, &s.centre, &case, json!({ "action": "register" }));
    let unknown = try_act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "dispatch", "department": "nobody" }),
    );
    assert_eq!(unknown.status, 404);
    let not_theirs = try_act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "dispatch", "department": "sanitation" }),
    );
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
    let forbidden = app.get("/api/t/alpha/queues/inbox", Some(&s.centre));
    assert_eq!(
        forbidden.status, 403,
        "the command centre has no department inbox"
    );
    assert_eq!(
        app.get("/api/t/alpha/queues/nonsense", Some(&s.centre))
            .status,
        404
    );
}

#[test]
fn the_sweep_runs_for_a_scheduler_with_the_operator_key() {
    let app = TestApp::product();
    let s = setup(&app);
    app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "x" }),
    )
    .expect(201);
    let swept = app
        .client
        .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200);
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
#[track_caller]
pub(crate) fn result_photo(app: &TestApp, token: &str) -> Value {
    app.upload("alpha", Some(token), e2e::TINY_JPEG).expect(201)["id"].clone()
}

/// A problem answer: its status, media type and, when given, the field at fault.
#[track_caller]
pub(crate) fn problem(reply: Reply, status: u16, field: Option<&str>) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json");
    let body = reply.json();
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
    body
}
