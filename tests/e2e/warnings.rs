//! Early warnings (预警) over HTTP: each kind raised by real reports and
//! the sweep (`POST …/cases/sweep`), once; posted to the webhooks as
//! `cn.gridgov.warning.raised`; the command centre's three actions, each
//! once; and who may not see them (the public, a department, a grid
//! worker, another tenant).

use crate::workflow::{
    Setup, admin_creates, get_case, grid_worker, problem, setup, work_to_closure,
};
use crate::workflow_paths::Receiver;
use e2e::{LOCAL_RECEIVERS, OPERATOR_KEY, TestApp};
use serde_json::{Value, json};
use std::net::Ipv4Addr;

/// Alpha's grid: a township, a community, a grid and three micro-grids
/// under it; their ids.
fn micro_grids(app: &TestApp, admin: &str) -> Vec<Value> {
    let mut parent = Value::Null;
    for (level, code) in [("township", "T"), ("community", "T-C"), ("grid", "T-C-G")] {
        let node = admin_creates(
            app,
            admin,
            "grid",
            json!({ "parent_id": parent, "level": level, "code": code, "name": code }),
        );
        parent = node["id"].clone();
    }
    (1..=3)
        .map(|n| {
            admin_creates(
                app,
                admin,
                "grid",
                json!({ "parent_id": parent, "level": "micro_grid",
                        "code": format!("T-C-G-{n}"), "name": format!("{n}号楼") }),
            )["id"]
                .clone()
        })
        .collect()
}

/// Report `n`, from a client address of its own (the anonymous limit is
/// per address): `body` with a place about 100 m east of report `n - 1`'s.
fn report(app: &TestApp, n: u8, body: Value) -> Value {
    let mut body = body;
    body["latitude"] = json!(30.2741);
    body["longitude"] = json!(120.1551 + f64::from(n) * 0.001);
    body["insist"] = json!(true);
    app.post_json_from(Ipv4Addr::new(127, 0, 1, n), "/api/t/alpha/reports", &body)
        .expect(201)
}

fn sweep(app: &TestApp) -> Value {
    app.client
        .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200)
}

fn warnings(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(&format!("/api/t/alpha/warnings{query}"), Some(token))
        .expect(200)
}

/// The ids of `warning`'s cases, as `GET …/warnings/{id}` lists them.
fn cases_of(app: &TestApp, token: &str, warning: &Value) -> Vec<i64> {
    let shown = app
        .get(
            &format!("/api/t/alpha/warnings/{}", warning["id"]),
            Some(token),
        )
        .expect(200);
    case_ids(&shown)
}

fn case_ids(warning: &Value) -> Vec<i64> {
    warning["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect()
}

fn act(app: &TestApp, token: &str, warning: &Value, action: &str, note: &str) -> e2e::Reply {
    app.client
        .post_json(
            &format!("/api/t/alpha/warnings/{}/{action}", warning["id"]),
            Some(token),
            &json!({ "note": note }),
        )
        .unwrap()
}

#[test]
fn each_kind_is_raised_once_by_reports_and_the_sweep_and_posted_to_webhooks() {
    let app = TestApp::product_with_env(LOCAL_RECEIVERS);
    let s = setup(&app);
    let receiver = Receiver::start();
    app.client
        .post_json(
            "/api/t/alpha/admin/webhooks",
            Some(&s.admin),
            &json!({ "url": receiver.url }),
        )
        .unwrap()
        .expect(201);
    let grids = micro_grids(&app, &s.admin);
    let light = |grid: &Value| json!({ "category": "street_light", "description": "路灯又不亮了", "grid_node_id": grid });

    // Recurring: the same category in one micro-grid three times.
    let first = report(&app, 1, light(&grids[0]));
    report(&app, 2, light(&grids[0]));
    report(&app, 3, light(&grids[1]));
    let swept = sweep(&app);
    assert_eq!(swept["warnings"]["raised"], 0, "two are not three: {swept}");
    let third = report(&app, 4, light(&grids[0]));
    let swept = sweep(&app);
    assert_eq!(swept["warnings"]["raised"], 1, "{swept}");
    let listed = warnings(&app, &s.centre, "?kind=recurring&state=open");
    assert_eq!(listed["warnings"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["open"]["recurring"], 1);
    let recurring = &listed["warnings"][0];
    assert_eq!(recurring["category"], "street_light");
    assert_eq!(recurring["grid_node_id"], grids[0]);
    assert_eq!(recurring["case_count"], 3);
    let ids = cases_of(&app, &s.centre, recurring);
    assert_eq!(ids.len(), 3);
    assert!(
        ids.contains(&first["id"].as_i64().unwrap())
            && ids.contains(&third["id"].as_i64().unwrap())
    );
    // Swept again, nothing new: not raised twice.
    assert_eq!(sweep(&app)["warnings"]["raised"], 0);
    assert_eq!(
        warnings(&app, &s.centre, "?kind=recurring")["warnings"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Repeat: the same phone with its first matter still open.
    let phone = "13900001111";
    let earlier = report(
        &app,
        5,
        json!({ "category": "garbage", "description": "楼道垃圾没人收", "phone": phone }),
    );
    let again = report(
        &app,
        6,
        json!({ "category": "garbage", "description": "垃圾还是没人收", "phone": phone }),
    );
    let swept = sweep(&app);
    assert_eq!(swept["warnings"]["raised"], 1, "{swept}");
    let repeat = &warnings(&app, &s.centre, "?kind=repeat")["warnings"][0];
    assert_eq!(repeat["details"]["basis"], "phone");
    assert_eq!(repeat["details"]["bases"], json!(["phone"]));
    assert_eq!(
        cases_of(&app, &s.centre, repeat),
        vec![
            earlier["id"].as_i64().unwrap(),
            again["id"].as_i64().unwrap()
        ]
    );

    // Likely late: sanitation closed both its garbage cases late; a new
    // one is at risk long before its 80% mark.
    app.client
        .send_json(
            "PUT",
            "/api/t/alpha/admin/warning-rules",
            Some(&s.admin),
            &json!({ "late_min_closed": 2, "late_share_percent": 50 }),
        )
        .unwrap()
        .expect(200);
    for id in [&earlier["id"], &again["id"]] {
        let closed = work_to_closure(&app, &s, &get_case(&app, &s.centre, id), "已清运");
        app.make_resolved_case_late(closed["id"].as_i64().unwrap());
    }
    app.client
        .post_json(
            "/api/t/alpha/dashboard/rebuild",
            Some(OPERATOR_KEY),
            &json!({}),
        )
        .unwrap()
        .expect(200);
    let at_risk = report(
        &app,
        7,
        json!({ "category": "garbage", "description": "小区门口垃圾满了" }),
    );
    assert_eq!(
        get_case(&app, &s.centre, &at_risk["id"])["escalation"],
        "none"
    );
    let swept = sweep(&app);
    assert_eq!(swept["warnings"]["raised"], 1, "{swept}");
    let late = &warnings(&app, &s.centre, "?kind=late_risk")["warnings"][0];
    assert_eq!(late["category"], "garbage");
    assert_eq!(late["details"]["closed"], 2);
    assert_eq!(late["details"]["late_share"], 1.0);
    assert_eq!(
        cases_of(&app, &s.centre, late),
        vec![at_risk["id"].as_i64().unwrap()]
    );
    assert_eq!(sweep(&app)["warnings"]["raised"], 0, "once per case");

    // Each warning went to the webhook once, as its own CloudEvent.
    let got = receiver.got.lock().unwrap().clone();
    let raised: Vec<Value> = got
        .iter()
        .map(|(_, body)| serde_json::from_str::<Value>(body).unwrap())
        .filter(|e| e["type"] == "cn.gridgov.warning.raised")
        .collect();
    let mut kinds: Vec<&str> = raised
        .iter()
        .map(|e| e["data"]["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["late_risk", "recurring", "repeat"]);
    let event = raised
        .iter()
        .find(|e| e["data"]["kind"] == "recurring")
        .unwrap();
    assert_eq!(event["id"], format!("alpha-warning-{}", recurring["id"]));
    assert_eq!(
        event["source"],
        format!("/api/t/alpha/warnings/{}", recurring["id"])
    );
    assert_eq!(event["data"]["cases"].as_array().map(Vec::len), Some(3));
    assert_eq!(event["data"]["details"]["category"], "street_light");
    let (headers, _) = got
        .iter()
        .find(|(_, body)| body.contains("warning.raised"))
        .unwrap();
    assert!(
        headers
            .iter()
            .any(|(n, v)| n == "webhook-id" && v.starts_with("alpha-warning-")),
        "{headers:?}"
    );
}

#[test]
fn a_dispute_whose_party_disputed_before_is_a_repeat() {
    let app = TestApp::product();
    let s = setup(&app);
    // A dispute taken in at a window: `applicant` against the company.
    let dispute = |subject: &str, applicant: Value| {
        app.client
            .post_json(
                "/api/t/alpha/mediation/disputes",
                Some(&s.centre),
                &json!({
                    "kind": "contract", "subject": subject, "window": "1号窗口",
                    "parties": [
                        applicant,
                        { "side": "respondent", "kind": "organisation", "name": "某装饰公司" }
                    ],
                    "handling": { "department": "sanitation" }
                }),
            )
            .unwrap()
            .expect(201)
    };
    let first = dispute(
        "装修款纠纷",
        json!({ "side": "applicant", "kind": "person", "name": "李四", "phone": "13900003333" }),
    );
    assert_eq!(sweep(&app)["warnings"]["raised"], 0);
    // Another applicant, the same company.
    let second = dispute(
        "又一起装修款纠纷",
        json!({ "side": "applicant", "kind": "person", "name": "王五" }),
    );
    let swept = sweep(&app);
    assert_eq!(swept["warnings"]["raised"], 1, "{swept}");
    let repeat = &warnings(&app, &s.centre, "?kind=repeat")["warnings"][0];
    assert_eq!(repeat["details"]["basis"], "parties");
    assert_eq!(repeat["details"]["bases"], json!(["parties"]));
    assert_eq!(
        cases_of(&app, &s.centre, repeat),
        vec![
            first["case_id"].as_i64().unwrap(),
            second["case_id"].as_i64().unwrap()
        ]
    );
}

/// Three recurring warnings, one in each micro-grid: (setup, warnings, grids).
fn three_warnings(app: &TestApp) -> (Setup, Vec<Value>, Vec<Value>) {
    let s = setup(app);
    let grids = micro_grids(app, &s.admin);
    let mut n = 0;
    for grid in &grids {
        for _ in 0..3 {
            n += 1;
            report(
                app,
                n,
                json!({ "category": "street_light", "description": "路灯不亮", "grid_node_id": grid }),
            );
        }
    }
    assert_eq!(sweep(app)["warnings"]["raised"], 3);
    let mut listed = warnings(app, &s.centre, "?state=open")["warnings"]
        .as_array()
        .unwrap()
        .clone();
    listed.reverse(); // oldest first: grid by grid
    (s, listed, grids)
}

#[test]
fn the_command_centre_acknowledges_opens_a_case_or_supervises_each_warning_once() {
    let app = TestApp::product();
    let (s, listed, grids) = three_warnings(&app);

    // A reason is required.
    problem(
        act(&app, &s.centre, &listed[0], "acknowledge", " "),
        400,
        Some("note"),
    );
    let acknowledged =
        act(&app, &s.centre, &listed[0], "acknowledge", "已安排排查线路").expect(200);
    assert_eq!(acknowledged["state"], "acknowledged");
    assert_eq!(acknowledged["note"], "已安排排查线路");
    assert_eq!(acknowledged["handled_by_name"], "centre");
    for action in ["acknowledge", "case", "supervise"] {
        let again = problem(act(&app, &s.centre, &listed[0], action, "再来"), 409, None);
        assert_eq!(again["code"], "warning_not_open", "{action}");
    }

    // Turned into a case: the root cause waits in triage, at the micro-grid.
    let opened = act(
        &app,
        &s.admin,
        &listed[1],
        "case",
        "2号楼线路老化，整体更换",
    )
    .expect(201);
    assert_eq!(opened["state"], "case_opened");
    let root = get_case(&app, &s.centre, &opened["root_case_id"]);
    assert_eq!(root["state"], "reported");
    assert_eq!(root["category"], "street_light");
    assert_eq!(root["grid_node_id"], grids[1]);
    assert_eq!(root["description"], "2号楼线路老化，整体更换");
    let triage = app
        .get("/api/t/alpha/queues/triage?sort=newest", Some(&s.centre))
        .expect(200);
    assert_eq!(triage["cases"][0]["id"], root["id"]);

    // Supervised: each open case gets the supervision step, by the centre.
    let supervised = act(&app, &s.centre, &listed[2], "supervise", "三日内修复").expect(200);
    assert_eq!(supervised["state"], "supervised");
    for case in supervised["cases"].as_array().unwrap() {
        let case = get_case(&app, &s.centre, &case["id"]);
        let step = case["timeline"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(step["action"], "escalate", "{step}");
        assert_eq!(step["details"]["level"], "supervised");
        assert_eq!(step["details"]["warning"], listed[2]["id"]);
        assert_eq!(step["note"], "三日内修复");
        assert_eq!(step["actor_name"], "centre");
    }
    let open = warnings(&app, &s.centre, "");
    assert_eq!(
        open["open"],
        json!({ "recurring": 0, "repeat": 0, "late_risk": 0 })
    );
    let states: Vec<&str> = open["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["supervised", "case_opened", "acknowledged"]);
}

#[test]
fn only_the_command_centre_and_the_tenant_admin_see_and_handle_warnings() {
    let app = TestApp::product();
    let (s, listed, _) = three_warnings(&app);
    let warning = &listed[0];
    let one = format!("/api/t/alpha/warnings/{}", warning["id"]);
    let worker = grid_worker(&app, &s.admin, "wang");
    let other_admin = app.tenant_with_admin("beta");

    problem(app.get("/api/t/alpha/warnings", None), 401, None);
    problem(app.get(&one, None), 401, None);
    for (token, who) in [
        (&s.staff, "a department"),
        (&worker, "a grid worker"),
        (&other_admin, "another tenant"),
    ] {
        for path in ["/api/t/alpha/warnings", one.as_str()] {
            assert_eq!(app.get(path, Some(token)).status, 403, "{who}: {path}");
        }
        assert_eq!(
            act(&app, token, warning, "acknowledge", "看过").status,
            403,
            "{who}"
        );
    }
    // Another tenant's own address does not reach alpha's warning.
    problem(
        app.get(
            &format!("/api/t/beta/warnings/{}", warning["id"]),
            Some(&other_admin),
        ),
        404,
        None,
    );
    let theirs = app
        .get("/api/t/beta/warnings", Some(&other_admin))
        .expect(200);
    assert_eq!(theirs["warnings"], json!([]));
    assert_eq!(
        warnings(&app, &s.admin, "?state=open")["open"]["recurring"],
        3
    );

    // The rules: the tenant admin's.
    let rules = app
        .get("/api/t/alpha/admin/warning-rules", Some(&s.admin))
        .expect(200);
    assert_eq!(
        (
            rules["recurring_count"].clone(),
            rules["recurring_days"].clone()
        ),
        (json!(3), json!(30))
    );
    assert_eq!(
        app.get("/api/t/alpha/admin/warning-rules", Some(&s.centre))
            .status,
        403
    );
    let set = |token: &str, body: Value| {
        app.client
            .send_json(
                "PUT",
                "/api/t/alpha/admin/warning-rules",
                Some(token),
                &body,
            )
            .unwrap()
    };
    assert_eq!(set(&s.centre, json!({ "recurring_count": 4 })).status, 403);
    problem(
        set(&s.admin, json!({ "recurring_days": null })),
        400,
        Some("recurring_days"),
    );
    problem(
        set(&s.admin, json!({ "recurring_count": 1 })),
        400,
        Some("recurring_count"),
    );
    let changed = set(
        &s.admin,
        json!({ "recurring_count": 4, "recurring_days": 14 }),
    )
    .expect(200);
    assert_eq!(
        (
            changed["recurring_count"].clone(),
            changed["recurring_days"].clone(),
            changed["repeat_metres"].clone()
        ),
        (json!(4), json!(14), json!(50))
    );
}
