//! The case flow's other paths over HTTP: joint handling with an assisting
//! department, transfer, re-categorising a misrouted case, the reporting
//! grid worker checking the result, declines, returns, extensions and
//! rejected checks, queue filters, and webhooks receiving signed
//! CloudEvents when the sweep runs.

use crate::workflow::{
    Setup, act, department_with_staff, get_case, grid_worker, result_photo, setup,
    timeline_actions, try_act,
};
use e2e::{LOCAL_RECEIVERS, OPERATOR_KEY, TestApp};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[test]
fn a_jointly_handled_case_waits_for_its_assisting_department() {
    let app = TestApp::product();
    let joint = Joint::new(&app);
    let case = joint.the_centre_dispatches_with_the_police_assisting();
    joint.the_police_see_it_in_their_inbox_but_may_not_act(&case);
    let case = joint.sanitation_may_not_resolve_before_the_police_part(&case);
    let case = joint.the_police_finish_their_part(&case);
    let case = joint.sanitation_resolves_and_the_reporting_worker_verifies(&case);
    joint.the_case_shows_the_part_done_and_one_result_photo(&case);
}

/// A grid worker's report that sanitation handles and the police assist.
struct Joint<'a> {
    app: &'a TestApp,
    s: Setup,
    police: String,
    worker: String,
}

impl<'a> Joint<'a> {
    fn new(app: &'a TestApp) -> Self {
        let s = setup(app);
        let police = department_with_staff(app, &s.admin, "police");
        let worker = grid_worker(app, &s.admin, "wang");
        Joint {
            app,
            s,
            police,
            worker,
        }
    }

    fn the_centre_dispatches_with_the_police_assisting(&self) -> Value {
        let (app, s) = (self.app, &self.s);
        let report = app
            .client
            .post_json(
                "/api/t/alpha/reports",
                Some(&self.worker),
                &json!({ "category": "street_light", "description": "路口占道经营，路灯被挡" }),
            )
            .unwrap()
            .expect(201);
        let case = get_case(app, &s.centre, &report["id"]);
        let case = act(app, &s.centre, &case, json!({ "action": "accept" }));
        let case = act(app, &s.centre, &case, json!({ "action": "register" }));
        act(
            app,
            &s.centre,
            &case,
            json!({ "action": "dispatch", "department": "sanitation",
                    "assisting": [{ "department": "police", "part": "劝离占道摊贩" }] }),
        )
    }

    fn the_police_see_it_in_their_inbox_but_may_not_act(&self, case: &Value) {
        let inbox = self.police_inbox();
        assert_eq!(inbox["cases"][0]["id"], case["id"]);
        assert_eq!(
            try_act(
                self.app,
                &self.police,
                case,
                json!({ "action": "sign_for" })
            )
            .status,
            403
        );
    }

    fn sanitation_may_not_resolve_before_the_police_part(&self, case: &Value) -> Value {
        let (app, s) = (self.app, &self.s);
        let case = act(app, &s.staff, case, json!({ "action": "sign_for" }));
        let case = act(app, &s.staff, &case, json!({ "action": "start_work" }));
        let early = try_act(app, &s.staff, &case, self.resolution());
        assert_eq!(early.status, 409, "{}", early.body);
        assert!(early.body.contains("police"));
        let no_photo = try_act(
            app,
            &s.staff,
            &case,
            json!({ "action": "resolve", "answer": "好了" }),
        );
        assert_eq!(no_photo.status, 422);
        assert_eq!(no_photo.json()["field"], "attachment_ids");
        case
    }

    fn the_police_finish_their_part(&self, case: &Value) -> Value {
        let part = self
            .app
            .client
            .post_json(
                &format!("/api/t/alpha/cases/{}/assists", case["id"]),
                Some(&self.police),
                &json!({ "answer": "摊贩已劝离" }),
            )
            .unwrap()
            .expect(200);
        assert!(part["done_at"].is_string());
        assert!(
            self.police_inbox()["cases"].as_array().unwrap().is_empty(),
            "a finished part leaves the inbox"
        );
        let case = get_case(self.app, &self.s.staff, &case["id"]);
        assert_eq!(case["assists"][0]["answer"], "摊贩已劝离");
        case
    }

    /// The grid worker who reported it checks the result on the spot.
    fn sanitation_resolves_and_the_reporting_worker_verifies(&self, case: &Value) -> Value {
        let app = self.app;
        let case = act(app, &self.s.staff, case, self.resolution());
        assert_eq!(case["state"], "resolved");
        let other_case_worker = try_act(app, &self.police, &case, json!({ "action": "verify" }));
        assert_eq!(other_case_worker.status, 403);
        let case = act(app, &self.worker, &case, json!({ "action": "verify" }));
        assert_eq!(case["state"], "verified");
        case
    }

    fn the_case_shows_the_part_done_and_one_result_photo(&self, case: &Value) {
        let full = get_case(self.app, &self.s.centre, &case["id"]);
        let actions = timeline_actions(&full);
        assert!(actions.contains(&"assist_done"), "{actions:?}");
        let results: Vec<&Value> = full["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["purpose"] == "result")
            .collect();
        assert_eq!(results.len(), 1, "the resolution's photo is on the case");
    }

    fn police_inbox(&self) -> Value {
        self.app
            .get("/api/t/alpha/queues/inbox", Some(&self.police))
            .expect(200)
    }

    /// Sanitation's resolution, with a freshly uploaded photo of the result.
    fn resolution(&self) -> Value {
        json!({ "action": "resolve", "answer": "已清理并恢复照明",
                "attachment_ids": [result_photo(self.app, &self.s.staff)] })
    }
}

#[test]
fn a_misrouted_case_is_transferred_or_recategorised() {
    let app = TestApp::product();
    let s = setup(&app);
    let police = department_with_staff(&app, &s.admin, "police");
    // Routed to sanitation by the rule, but it is a matter for the police.
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "有人倾倒建筑垃圾并打架" }),
        )
        .expect(201);
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
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
        get_case(&app, token, &case["id"])["allowed_actions"]
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
    let police_inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&police))
        .expect(200);
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
    let unassigned = app
        .get("/api/t/alpha/queues/unassigned", Some(&s.centre))
        .expect(200);
    assert_eq!(unassigned["cases"][0]["id"], case["id"]);
    let unknown = try_act(
        &app,
        &s.centre,
        &back,
        json!({ "action": "recategorise", "category": "nothing", "reason": "x" }),
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["field"], "category");
}

#[test]
fn queues_filter_and_sort_by_deadline() {
    let app = TestApp::product();
    let s = setup(&app);
    for n in 0..3 {
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": format!("垃圾 {n}") }),
        )
        .expect(201);
    }
    let first = app
        .get("/api/t/alpha/queues/inbox?sort=due&limit=2", Some(&s.staff))
        .expect(200);
    assert_eq!(first["cases"].as_array().unwrap().len(), 2);
    let next = first["next_after"].as_str().expect("a cursor").to_string();
    let rest = app
        .get(
            &format!("/api/t/alpha/queues/inbox?sort=due&limit=2&after={next}"),
            Some(&s.staff),
        )
        .expect(200);
    assert_eq!(rest["cases"].as_array().unwrap().len(), 1);
    let filtered = app
        .get("/api/t/alpha/queues/inbox?state=signed_for", Some(&s.staff))
        .expect(200);
    assert!(filtered["cases"].as_array().unwrap().is_empty());
    let bad = app.get("/api/t/alpha/queues/inbox?sort=sideways", Some(&s.staff));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "sort");
}

/// A request as the receiver got it: its headers (lower-case names) and body.
pub(crate) type Received = (Vec<(String, String)>, String);

/// A receiver on loopback that answers 204 to every POST and keeps what it got.
pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let keep = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (headers, body) = read_request(&mut reader);
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

/// One request as a receiver reads it: its headers (lower-case names) and
/// body (of the `content-length` given, or chunked).
pub(crate) fn read_request(reader: &mut impl BufRead) -> (Vec<(String, String)>, Vec<u8>) {
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
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap());
    let body = match length {
        Some(length) => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            body
        }
        None => read_chunked(reader),
    };
    (headers, body)
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
    let hook = app
        .client
        .post_json(
            "/api/t/alpha/admin/webhooks",
            Some(&s.admin),
            &json!({ "url": receiver.url }),
        )
        .unwrap()
        .expect(201);
    let secret = hook["secret"].as_str().expect("shown once").to_string();
    let listed = app
        .get("/api/t/alpha/admin/webhooks", Some(&s.admin))
        .expect(200);
    assert!(listed["items"][0]["secret"].is_null(), "never shown again");

    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "满了" }),
        )
        .expect(201);
    assert!(
        receiver.got.lock().unwrap().is_empty(),
        "nothing before the sweep"
    );
    let swept = app
        .client
        .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200);
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
    let deliveries = app
        .get(
            &format!("/api/t/alpha/admin/webhooks/{}/deliveries", hook["id"]),
            Some(&s.admin),
        )
        .expect(200);
    assert_eq!(deliveries["items"].as_array().unwrap().len(), 4);
    assert!(
        deliveries["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "delivered" && d["last_status"] == 204)
    );
    let again = app
        .client
        .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200);
    assert_eq!(again["webhooks"]["delivered"], 0, "delivered once");
    app.client
        .send(
            "DELETE",
            &format!("/api/t/alpha/admin/webhooks/{}", hook["id"]),
            Some(&s.admin),
            None,
        )
        .unwrap()
        .expect(200);
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
        app.client
            .post_json(
                "/api/t/alpha/admin/webhooks",
                Some(&s.admin),
                &json!({ "url": url }),
            )
            .unwrap()
            .expect(201)
    };
    let silent = create(&silent_receiver());
    create(&good.url);
    app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "满了" }),
    )
    .expect(201);
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
    let deliveries = app
        .get(
            &format!("/api/t/alpha/admin/webhooks/{}/deliveries", silent["id"]),
            Some(&s.admin),
        )
        .expect(200);
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

/// 不予立案: declined with a reason, and nothing more can happen.
#[test]
fn a_declined_case_takes_no_further_step() {
    let app = TestApp::product();
    let s = setup(&app);
    let declined = street_light_report(&app, "不是我们管的");
    let case = get_case(&app, &s.centre, &declined["id"]);
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
}

#[test]
fn returns_extensions_and_rejected_checks_over_http() {
    let app = TestApp::product();
    let s = setup(&app);
    let case = twice_returned_the_centres_dispatch_is_final(&app, &s);
    let case = an_extension_is_refused_then_granted_by_the_centre(&app, &s, &case);
    let case = resolved_sent_back_closed_reopened_and_archived(&app, &s, &case);
    an_archived_case_offers_no_step_and_keeps_its_internal_ones(&app, &s, &case);
}

fn street_light_report(app: &TestApp, description: &str) -> Value {
    app.post_report(
        "alpha",
        &json!({ "category": "street_light", "description": description }),
    )
    .expect(201)
}

/// 退单 twice, then the command centre's dispatch is final.
fn twice_returned_the_centres_dispatch_is_final(app: &TestApp, s: &Setup) -> Value {
    let worked = street_light_report(app, "路灯坏了");
    let mut case = get_case(app, &s.centre, &worked["id"]);
    for action in ["accept", "register"] {
        case = act(app, &s.centre, &case, json!({ "action": action }));
    }
    for _ in 0..2 {
        case = act(
            app,
            &s.centre,
            &case,
            json!({ "action": "dispatch", "department": "sanitation" }),
        );
        case = act(
            app,
            &s.staff,
            &case,
            json!({ "action": "return", "reason": "非本部门职责" }),
        );
        assert_eq!(case["state"], "registered");
    }
    case = act(
        app,
        &s.centre,
        &case,
        json!({ "action": "dispatch", "department": "sanitation" }),
    );
    let third = try_act(
        app,
        &s.staff,
        &case,
        json!({ "action": "return", "reason": "again" }),
    );
    assert_eq!(third.status, 409);
    let stale = try_act(
        app,
        &s.staff,
        &json!({ "id": case["id"], "version": 1 }),
        json!({ "action": "sign_for" }),
    );
    assert_eq!(stale.status, 409, "a stale version loses");
    case
}

/// 延期: asked by the department, ruled on by the command centre.
fn an_extension_is_refused_then_granted_by_the_centre(
    app: &TestApp,
    s: &Setup,
    case: &Value,
) -> Value {
    let case = act(app, &s.staff, case, json!({ "action": "sign_for" }));
    let due = case["resolution_due_at"].as_str().unwrap().to_string();
    let case = act(
        app,
        &s.staff,
        &case,
        json!({ "action": "request_extension" }),
    );
    let not_theirs = try_act(app, &s.staff, &case, json!({ "action": "grant_extension" }));
    assert_eq!(not_theirs.status, 403);
    let case = act(
        app,
        &s.centre,
        &case,
        json!({ "action": "refuse_extension" }),
    );
    assert_eq!(case["resolution_due_at"], due.as_str());
    let case = act(
        app,
        &s.staff,
        &case,
        json!({ "action": "request_extension" }),
    );
    let case = act(
        app,
        &s.centre,
        &case,
        json!({ "action": "grant_extension" }),
    );
    assert!(case["resolution_due_at"].as_str().unwrap() > due.as_str());
    case
}

/// Resolved, sent back by the check, resolved again, closed, reopened, archived.
fn resolved_sent_back_closed_reopened_and_archived(
    app: &TestApp,
    s: &Setup,
    case: &Value,
) -> Value {
    let resolve = || {
        json!({ "action": "resolve", "answer": "已更换灯泡",
                "attachment_ids": [result_photo(app, &s.staff)] })
    };
    let mut case = act(app, &s.staff, case, json!({ "action": "start_work" }));
    case = act(app, &s.staff, &case, resolve());
    case = act(
        app,
        &s.centre,
        &case,
        json!({ "action": "reject_verification", "reason": "现场仍不亮" }),
    );
    assert_eq!(case["state"], "in_progress");
    case = act(app, &s.staff, &case, resolve());
    for action in ["verify", "close"] {
        case = act(app, &s.centre, &case, json!({ "action": action }));
    }
    case = act(
        app,
        &s.centre,
        &case,
        json!({ "action": "reopen", "reason": "居民反映又坏了" }),
    );
    assert_eq!(case["state"], "in_progress");
    case = act(app, &s.staff, &case, resolve());
    for action in ["verify", "close", "archive"] {
        case = act(app, &s.centre, &case, json!({ "action": action }));
    }
    assert_eq!(case["state"], "archived");
    case
}

fn an_archived_case_offers_no_step_and_keeps_its_internal_ones(
    app: &TestApp,
    s: &Setup,
    case: &Value,
) {
    let full = get_case(app, &s.centre, &case["id"]);
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
