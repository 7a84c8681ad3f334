//! The case flow's other paths over HTTP: joint handling with an assisting
//! department, transfer, re-categorising a misrouted case, the reporting
//! grid worker checking the result, declines, returns, extensions and
//! rejected checks, queue filters, and webhooks receiving signed
//! CloudEvents when the sweep runs.

use crate::workflow::{act, ok, result_photo, setup};
use e2e::{LOCAL_RECEIVERS, OPERATOR_KEY, TestApp};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Creates a department with one staff member; returns the staff's token.
fn department_with_staff(app: &TestApp, admin: &str, code: &str) -> String {
    let department = ok(
        app.client
            .post_json(
                "/api/t/alpha/admin/departments",
                Some(admin),
                &json!({ "code": code, "name": code }),
            )
            .unwrap(),
        201,
    );
    let login = format!("{code}-staff");
    ok(
        app.client
            .post_json(
                "/api/t/alpha/admin/users",
                Some(admin),
                &json!({ "login": login, "display_name": login, "role": "department_staff",
                         "department_id": department["id"], "password": "password-1" }),
            )
            .unwrap(),
        201,
    );
    app.login("/api/t/alpha/auth/login", &login, "password-1")
}

fn try_act(app: &TestApp, token: &str, case: &Value, body: Value) -> e2e::Reply {
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

fn get(app: &TestApp, token: &str, path: &str) -> Value {
    ok(app.client.get(path, Some(token)).unwrap(), 200)
}

#[test]
fn a_jointly_handled_case_waits_for_its_assisting_department() {
    let app = TestApp::product();
    let s = setup(&app);
    let police = department_with_staff(&app, &s.admin, "police");
    ok(
        app.client
            .post_json(
                "/api/t/alpha/admin/users",
                Some(&s.admin),
                &json!({ "login": "wang", "display_name": "网格员", "role": "grid_worker", "password": "password-1" }),
            )
            .unwrap(),
        201,
    );
    let worker = app.login("/api/t/alpha/auth/login", "wang", "password-1");
    let report = ok(
        app.client
            .post_json(
                "/api/t/alpha/reports",
                Some(&worker),
                &json!({ "category": "street_light", "description": "路口占道经营，路灯被挡" }),
            )
            .unwrap(),
        201,
    );
    let case = get(
        &app,
        &s.centre,
        &format!("/api/t/alpha/cases/{}", report["id"]),
    );
    let case = act(&app, &s.centre, &case, json!({ "action": "accept" }));
    let case = act(&app, &s.centre, &case, json!({ "action": "register" }));
    let case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "dispatch", "department": "sanitation",
                "assisting": [{ "department": "police", "part": "劝离占道摊贩" }] }),
    );
    // The assisting department sees it in its inbox, but may not act on the case.
    let inbox = get(&app, &police, "/api/t/alpha/queues/inbox");
    assert_eq!(inbox["cases"][0]["id"], case["id"]);
    assert_eq!(
        try_act(&app, &police, &case, json!({ "action": "sign_for" })).status,
        403
    );
    let case = act(&app, &s.staff, &case, json!({ "action": "sign_for" }));
    let case = act(&app, &s.staff, &case, json!({ "action": "start_work" }));
    let resolve = |token: &str| {
        json!({ "action": "resolve", "answer": "已清理并恢复照明",
                "attachment_ids": [result_photo(&app, token)] })
    };
    let early = try_act(&app, &s.staff, &case, resolve(&s.staff));
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early.body.contains("police"));
    let no_photo = try_act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": "好了" }),
    );
    assert_eq!(no_photo.status, 400);
    assert_eq!(no_photo.json()["field"], "attachment_ids");

    let part = ok(
        app.client
            .post_json(
                &format!("/api/t/alpha/cases/{}/assists", case["id"]),
                Some(&police),
                &json!({ "answer": "摊贩已劝离" }),
            )
            .unwrap(),
        200,
    );
    assert!(part["done_at"].is_string());
    assert!(
        get(&app, &police, "/api/t/alpha/queues/inbox")["cases"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a finished part leaves the inbox"
    );
    let case = get(
        &app,
        &s.staff,
        &format!("/api/t/alpha/cases/{}", case["id"]),
    );
    assert_eq!(case["assists"][0]["answer"], "摊贩已劝离");
    let case = act(&app, &s.staff, &case, resolve(&s.staff));
    assert_eq!(case["state"], "resolved");

    // The grid worker who reported it checks the result on the spot.
    let other_case_worker = try_act(&app, &police, &case, json!({ "action": "verify" }));
    assert_eq!(other_case_worker.status, 403);
    let case = act(&app, &worker, &case, json!({ "action": "verify" }));
    assert_eq!(case["state"], "verified");
    let full = get(
        &app,
        &s.centre,
        &format!("/api/t/alpha/cases/{}", case["id"]),
    );
    let actions: Vec<&str> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"assist_done"), "{actions:?}");
    let results: Vec<&Value> = full["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["purpose"] == "result")
        .collect();
    assert_eq!(results.len(), 1, "the resolution's photo is on the case");
}

#[test]
fn a_misrouted_case_is_transferred_or_recategorised() {
    let app = TestApp::product();
    let s = setup(&app);
    let police = department_with_staff(&app, &s.admin, "police");
    // Routed to sanitation by the rule, but it is a matter for the police.
    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "有人倾倒建筑垃圾并打架" }),
        ),
        201,
    );
    let inbox = get(&app, &s.staff, "/api/t/alpha/queues/inbox");
    let case = inbox["cases"][0].clone();
    assert_eq!(case["tracking_code"], receipt["tracking_code"]);
    let refused = try_act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "transfer", "department": "police", "reason": "x" }),
    );
    assert_eq!(refused.status, 403, "transfers are the command centre's");
    let offered = |token: &str| -> Vec<String> {
        get(&app, token, &format!("/api/t/alpha/cases/{}", case["id"]))["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    };
    let for_staff = offered(&s.staff);
    assert!(for_staff.contains(&"sign_for".to_string()), "{for_staff:?}");
    assert!(
        !for_staff.contains(&"transfer".to_string()),
        "only what this person may take"
    );
    assert!(offered(&s.centre).contains(&"transfer".to_string()));
    let moved = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "transfer", "department": "police", "reason": "涉及治安" }),
    );
    assert_eq!(moved["state"], "dispatched");
    assert_eq!(moved["resolution_due_at"], case["resolution_due_at"]);
    let police_inbox = get(&app, &police, "/api/t/alpha/queues/inbox");
    assert_eq!(police_inbox["cases"][0]["id"], case["id"]);

    let back = act(
        &app,
        &s.centre,
        &moved,
        json!({ "action": "recategorise", "category": "street_light", "reason": "实为路灯损坏" }),
    );
    assert_eq!(back["state"], "registered");
    assert_eq!(back["category"], "street_light");
    assert!(back["department_id"].is_null());
    let unassigned = get(&app, &s.centre, "/api/t/alpha/queues/unassigned");
    assert_eq!(unassigned["cases"][0]["id"], case["id"]);
    let unknown = try_act(
        &app,
        &s.centre,
        &back,
        json!({ "action": "recategorise", "category": "nothing", "reason": "x" }),
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["field"], "category");
}

#[test]
fn queues_filter_and_sort_by_deadline() {
    let app = TestApp::product();
    let s = setup(&app);
    for n in 0..3 {
        ok(
            app.post_report(
                "alpha",
                &json!({ "category": "garbage", "description": format!("垃圾 {n}") }),
            ),
            201,
        );
    }
    let first = get(&app, &s.staff, "/api/t/alpha/queues/inbox?sort=due&limit=2");
    assert_eq!(first["cases"].as_array().unwrap().len(), 2);
    let next = first["next_after"].as_str().expect("a cursor").to_string();
    let rest = get(
        &app,
        &s.staff,
        &format!("/api/t/alpha/queues/inbox?sort=due&limit=2&after={next}"),
    );
    assert_eq!(rest["cases"].as_array().unwrap().len(), 1);
    let filtered = get(&app, &s.staff, "/api/t/alpha/queues/inbox?state=signed_for");
    assert!(filtered["cases"].as_array().unwrap().is_empty());
    let bad = app
        .client
        .get("/api/t/alpha/queues/inbox?sort=sideways", Some(&s.staff))
        .unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "sort");
}

/// A request as the receiver got it: its headers (lower-case names) and body.
type Received = (Vec<(String, String)>, String);

/// A receiver on loopback that answers 204 to every POST and keeps what it got.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let keep = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = Vec::new();
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    let trimmed = line.trim_end();
                    if trimmed.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = trimmed.split_once(':') {
                        headers.push((name.trim().to_lowercase(), value.trim().to_string()));
                    }
                }
                let header = |name: &str| {
                    headers
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.clone())
                };
                let body = match header("content-length") {
                    Some(length) => {
                        let mut body = vec![0; length.parse().unwrap()];
                        reader.read_exact(&mut body).unwrap();
                        body
                    }
                    None => read_chunked(&mut reader),
                };
                keep.lock()
                    .unwrap()
                    .push((headers, String::from_utf8(body).unwrap()));
                let _ = stream.write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Receiver { url, got }
    }
}

/// A `transfer-encoding: chunked` body (what wasi-http sends when the
/// length is not set up front).
fn read_chunked(reader: &mut impl BufRead) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).unwrap();
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

#[test]
fn webhooks_receive_signed_cloud_events_when_the_sweep_runs() {
    let app = TestApp::product_with_env(LOCAL_RECEIVERS);
    let s = setup(&app);
    let receiver = Receiver::start();
    let bad = app
        .client
        .post_json(
            "/api/t/alpha/admin/webhooks",
            Some(&s.admin),
            &json!({ "url": "ftp://example.cn/" }),
        )
        .unwrap();
    assert_eq!(bad.status, 400);
    let hook = ok(
        app.client
            .post_json(
                "/api/t/alpha/admin/webhooks",
                Some(&s.admin),
                &json!({ "url": receiver.url }),
            )
            .unwrap(),
        201,
    );
    let secret = hook["secret"].as_str().expect("shown once").to_string();
    let listed = get(&app, &s.admin, "/api/t/alpha/admin/webhooks");
    assert!(listed["items"][0]["secret"].is_null(), "never shown again");

    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "满了" }),
        ),
        201,
    );
    assert!(
        receiver.got.lock().unwrap().is_empty(),
        "nothing before the sweep"
    );
    let swept = ok(
        app.client
            .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
            .unwrap(),
        200,
    );
    // report, accept, register, dispatch: the rule dispatched at intake.
    assert_eq!(swept["webhooks"]["delivered"], 4, "{swept}");
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 4);
    let (headers, body) = &got[0];
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} header"))
    };
    assert_eq!(header("content-type"), "application/cloudevents+json");
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["type"], "cn.gridgov.case.report");
    assert_eq!(event["subject"], receipt["tracking_code"]);
    assert_eq!(header("webhook-id"), event["id"].as_str().unwrap());
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
    assert_eq!(
        header("webhook-signature"),
        domain::notification::signature(&secret, &header("webhook-id"), timestamp, body),
        "signed with the secret shown at creation"
    );
    let deliveries = get(
        &app,
        &s.admin,
        &format!("/api/t/alpha/admin/webhooks/{}/deliveries", hook["id"]),
    );
    assert_eq!(deliveries["items"].as_array().unwrap().len(), 4);
    assert!(
        deliveries["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "delivered" && d["last_status"] == 204)
    );
    let again = ok(
        app.client
            .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
            .unwrap(),
        200,
    );
    assert_eq!(again["webhooks"]["delivered"], 0, "delivered once");
    ok(
        app.client
            .send(
                "DELETE",
                &format!("/api/t/alpha/admin/webhooks/{}", hook["id"]),
                Some(&s.admin),
                None,
            )
            .unwrap(),
        200,
    );
}

/// A receiver that takes connections and never answers.
fn silent_receiver() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    url
}

/// A receiver that never answers fails its attempt at the delivery time
/// limit; the sweep ends in time, records it, and the other webhook's
/// deliveries go out (in this sweep or the next, while the slow one waits
/// for its backoff).
#[test]
fn a_receiver_that_never_answers_fails_alone_and_in_time() {
    let app = TestApp::product_with_env(LOCAL_RECEIVERS);
    let s = setup(&app);
    let good = Receiver::start();
    let create = |url: &str| {
        ok(
            app.client
                .post_json(
                    "/api/t/alpha/admin/webhooks",
                    Some(&s.admin),
                    &json!({ "url": url }),
                )
                .unwrap(),
            201,
        )
    };
    let silent = create(&silent_receiver());
    create(&good.url);
    ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "满了" }),
        ),
        201,
    );
    let mut sweeps = 0;
    while good.got.lock().unwrap().len() < 4 {
        sweeps += 1;
        assert!(sweeps <= 4, "the good receiver's four events went out");
        let started = std::time::Instant::now();
        let swept = app
            .client
            .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
            .unwrap();
        assert_eq!(swept.status, 200, "{}", swept.body);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(25),
            "the sweep ends well within the host's 30 s"
        );
    }
    let deliveries = get(
        &app,
        &s.admin,
        &format!("/api/t/alpha/admin/webhooks/{}/deliveries", silent["id"]),
    );
    let failed: Vec<&Value> = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["attempts"].as_i64() > Some(0))
        .collect();
    assert!(!failed.is_empty(), "{deliveries}");
    for d in failed {
        assert_eq!(d["state"], "pending", "retried later: {d}");
        assert!(
            d["last_error"]
                .as_str()
                .is_some_and(|e| e.to_lowercase().contains("timeout")),
            "{d}"
        );
    }
}

#[test]
fn declines_returns_extensions_and_rejections_over_http() {
    let app = TestApp::product();
    let s = setup(&app);
    // 不予立案: declined with a reason, and nothing more can happen.
    let report = |description: &str| {
        ok(
            app.post_report(
                "alpha",
                &json!({ "category": "street_light", "description": description }),
            ),
            201,
        )
    };
    let declined = report("不是我们管的");
    let case = get(
        &app,
        &s.centre,
        &format!("/api/t/alpha/cases/{}", declined["id"]),
    );
    let case = act(&app, &s.centre, &case, json!({ "action": "accept" }));
    let blank = try_act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "decline", "reason": " " }),
    );
    assert_eq!(blank.status, 400);
    let case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "decline", "reason": "属物业管理范围" }),
    );
    assert_eq!(case["state"], "declined");
    let after = try_act(&app, &s.centre, &case, json!({ "action": "register" }));
    assert_eq!(after.status, 409);
    assert!(
        after.body.contains("declined") && after.body.contains("register"),
        "{}",
        after.body
    );

    // 退单 twice, then the command centre's dispatch is final.
    let worked = report("路灯坏了");
    let mut case = get(
        &app,
        &s.centre,
        &format!("/api/t/alpha/cases/{}", worked["id"]),
    );
    for action in ["accept", "register"] {
        case = act(&app, &s.centre, &case, json!({ "action": action }));
    }
    for _ in 0..2 {
        case = act(
            &app,
            &s.centre,
            &case,
            json!({ "action": "dispatch", "department": "sanitation" }),
        );
        case = act(
            &app,
            &s.staff,
            &case,
            json!({ "action": "return", "reason": "非本部门职责" }),
        );
        assert_eq!(case["state"], "registered");
    }
    case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "dispatch", "department": "sanitation" }),
    );
    let third = try_act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "return", "reason": "again" }),
    );
    assert_eq!(third.status, 409);
    let stale = try_act(
        &app,
        &s.staff,
        &json!({ "id": case["id"], "version": 1 }),
        json!({ "action": "sign_for" }),
    );
    assert_eq!(stale.status, 409, "a stale version loses");

    // 延期: asked by the department, ruled on by the command centre.
    case = act(&app, &s.staff, &case, json!({ "action": "sign_for" }));
    let due = case["resolution_due_at"].as_str().unwrap().to_string();
    case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "request_extension" }),
    );
    let not_theirs = try_act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "grant_extension" }),
    );
    assert_eq!(not_theirs.status, 403);
    case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "refuse_extension" }),
    );
    assert_eq!(case["resolution_due_at"], due.as_str());
    case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "request_extension" }),
    );
    case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "grant_extension" }),
    );
    assert!(case["resolution_due_at"].as_str().unwrap() > due.as_str());

    // Resolved, sent back by the check, resolved again, closed, reopened, archived.
    case = act(&app, &s.staff, &case, json!({ "action": "start_work" }));
    let resolve = || {
        json!({ "action": "resolve", "answer": "已更换灯泡",
                "attachment_ids": [result_photo(&app, &s.staff)] })
    };
    case = act(&app, &s.staff, &case, resolve());
    case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "reject_verification", "reason": "现场仍不亮" }),
    );
    assert_eq!(case["state"], "in_progress");
    case = act(&app, &s.staff, &case, resolve());
    for action in ["verify", "close"] {
        case = act(&app, &s.centre, &case, json!({ "action": action }));
    }
    case = act(
        &app,
        &s.centre,
        &case,
        json!({ "action": "reopen", "reason": "居民反映又坏了" }),
    );
    assert_eq!(case["state"], "in_progress");
    case = act(&app, &s.staff, &case, resolve());
    for action in ["verify", "close", "archive"] {
        case = act(&app, &s.centre, &case, json!({ "action": action }));
    }
    assert_eq!(case["state"], "archived");
    let full = get(
        &app,
        &s.centre,
        &format!("/api/t/alpha/cases/{}", case["id"]),
    );
    assert!(full["allowed_actions"].as_array().unwrap().is_empty());
    let internal: Vec<&str> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["public"] == false)
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(internal.contains(&"return") && internal.contains(&"grant_extension"));
}
