//! The mediation centre and the agent service over HTTP: a dispute taken in
//! at a window is a case the lead department works through the ordinary
//! case flow, with sessions and an outcome that closes it; an agent takes a
//! resident's matter, keeps its lists and passes it up; both count in their
//! own figures and the dashboard's, and nothing of the parties or the
//! resident reaches the public look-up, the board or Open311.

use e2e::{Reply, TestApp};
use serde_json::{Value, json};

use crate::workflow::{Setup, act, ok, problem, result_photo, setup};

const TENANT: &str = "/api/t/alpha";
const APPLICANT: &str = "张秀英";
const APPLICANT_PHONE: &str = "139 1111 2222";
const RESPONDENT: &str = "宏达建筑劳务有限公司";
const SUBJECT: &str = "追讨拖欠工资一万二千元";
const AGREEMENT: &str = "宏达建筑于三十日内向张秀英支付工资";
const RESIDENT: &str = "李桂兰";
const RESIDENT_PHONE: &str = "13722223333";
const NEED: &str = "补办李桂兰的残疾证";
/// A small but whole PDF: an IOU as the window scans it.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
    2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    app.client
        .post_json(&format!("{TENANT}{path}"), Some(token), &body)
        .unwrap()
}

fn get(app: &TestApp, token: Option<&str>, path: &str) -> Value {
    ok(
        app.client.get(&format!("{TENANT}{path}"), token).unwrap(),
        200,
    )
}

/// `POST …/attachments` with `bytes` declared as `content_type`.
fn upload(app: &TestApp, token: Option<&str>, content_type: &str, bytes: &[u8]) -> Reply {
    app.client
        .send(
            "POST",
            &format!("{TENANT}/attachments"),
            token,
            Some((content_type, bytes)),
        )
        .unwrap()
}

/// The department `code` and a member of its staff (their token).
fn department_with_staff(app: &TestApp, s: &Setup, code: &str) -> String {
    let department = ok(
        post(
            app,
            &s.admin,
            "/admin/departments",
            json!({ "code": code, "name": code }),
        ),
        201,
    );
    let login = format!("{code}-staff");
    ok(
        post(
            app,
            &s.admin,
            "/admin/users",
            json!({ "login": login, "display_name": login, "role": "department_staff",
                    "password": "password-1", "department_id": department["id"] }),
        ),
        201,
    );
    app.login(&format!("{TENANT}/auth/login"), &login, "password-1")
}

/// The case behind a dispute or matter, as the routing component shows it.
fn case(app: &TestApp, token: &str, id: &Value) -> Value {
    get(app, Some(token), &format!("/cases/{id}"))
}

/// Who took each step of a timeline, as staff read them: their name and
/// department, null for no person.
fn timeline_people(view: &Value) -> Vec<(Value, Value)> {
    view["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|e| (e["actor_name"].clone(), e["actor_department"].clone()))
        .collect()
}

/// The steps of a timeline (a matter's or a case's), oldest first.
fn timeline_actions(view: &Value) -> Vec<&str> {
    view["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect()
}

fn assert_private(text: &str, what: &str) {
    for private in [
        APPLICANT,
        "13911112222",
        APPLICANT_PHONE,
        RESPONDENT,
        SUBJECT,
        AGREEMENT,
        RESIDENT,
        RESIDENT_PHONE,
        NEED,
    ] {
        assert!(!text.contains(private), "{what} shows {private}: {text}");
    }
}

#[test]
fn a_dispute_goes_from_the_window_to_an_agreement_through_the_case_flow() {
    let app = TestApp::product();
    let s = setup(&app);
    let labour = department_with_staff(&app, &s, "labour");
    let intake = json!({
        "kind": "labour", "subject": SUBJECT, "amount_in_dispute": 12000, "window": "3号窗口",
        "parties": [
            { "side": "applicant", "kind": "person", "name": APPLICANT, "phone": APPLICANT_PHONE },
            { "side": "respondent", "kind": "organisation", "name": RESPONDENT }
        ],
        "document_ids": [result_photo(&app, &s.centre)],
        "handling": { "department": "labour" }
    });
    let mut one_sided = intake.clone();
    one_sided["parties"].as_array_mut().unwrap().pop();
    problem(
        post(&app, &s.centre, "/mediation/disputes", one_sided),
        400,
        Some("parties"),
    );
    let dispute = ok(post(&app, &s.centre, "/mediation/disputes", intake), 201);
    assert_eq!(
        dispute["state"], "dispatched",
        "one-stop: assigned at the window"
    );
    assert_eq!(dispute["category"], "mediation_labour");
    assert_eq!(
        dispute["parties"][0]["phone"], APPLICANT_PHONE,
        "the centre sees contacts"
    );
    assert_eq!(dispute["documents"][0]["public"], false);
    let id = dispute["case_id"].clone();

    // The one case model: the routing component shows and moves it.
    let mut c = case(&app, &labour, &id);
    assert_eq!(c["source"], "mediation");
    assert!(c["resolution_due_at"].is_string(), "the clock runs");
    let sessions = format!("/mediation/disputes/{id}/sessions");
    let scheduled = ok(
        post(
            &app,
            &s.centre,
            &sessions,
            json!({ "scheduled_for": "2099-01-05T06:00:00Z", "place": "调解室" }),
        ),
        201,
    );
    problem(
        post(
            &app,
            &s.centre,
            &sessions,
            json!({ "held_at": "2099-01-05T06:00:00Z", "participants": ["王五"] }),
        ),
        400,
        Some("held_at"),
    );
    let record = app
        .client
        .send_json(
            "PUT",
            &format!("{TENANT}{sessions}/{}", scheduled["id"]),
            Some(&s.centre),
            &json!({ "held_at": chrono::Utc::now().to_rfc3339(), "participants": ["调解员王五", APPLICANT, RESPONDENT], "agreed": "分两期支付" }),
        )
        .unwrap();
    assert_eq!(ok(record, 200)["agreed"], "分两期支付");
    // The timeline says when the session is in the tenant's local time
    // (Asia/Shanghai), and who put it in the diary.
    let timeline = case(&app, &labour, &id)["timeline"].clone();
    let scheduling = timeline
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "mediation_session_scheduled")
        .unwrap_or_else(|| panic!("the scheduling is in the timeline: {timeline}"));
    assert_eq!(scheduling["note"], "调解会议安排于 2099年1月5日 14:00");
    assert_eq!(
        (
            scheduling["actor_name"].clone(),
            scheduling["actor_department"].clone()
        ),
        (json!("centre"), Value::Null),
        "{scheduling}"
    );

    let outcome = format!("/mediation/disputes/{id}/outcome");
    problem(
        post(
            &app,
            &s.centre,
            &outcome,
            json!({ "outcome": "agreement", "document_ids": [1] }),
        ),
        400,
        Some("text"),
    );
    let signed = result_photo(&app, &s.centre);
    let agreement = json!({ "outcome": "agreement", "text": AGREEMENT, "document_ids": [signed] });
    problem(
        post(&app, &s.centre, &outcome, agreement.clone()),
        409,
        None,
    );
    for action in ["sign_for", "start_work"] {
        c = act(&app, &labour, &c, json!({ "action": action }));
    }
    let signed_for = case(&app, &s.centre, &id)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "sign_for")
        .cloned()
        .expect("signed for");
    assert_eq!(
        (
            signed_for["actor_name"].clone(),
            signed_for["actor_department"].clone()
        ),
        (json!("labour-staff"), json!("labour")),
        "the lead department's staff, by name: {signed_for}"
    );
    let ended = ok(post(&app, &s.centre, &outcome, agreement), 200);
    assert_eq!(ended["state"], "closed");
    assert_eq!(ended["outcome"]["text"], AGREEMENT);
    assert!(
        ended["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["public"] == false)
    );
    problem(
        post(
            &app,
            &s.centre,
            &sessions,
            json!({ "held_at": chrono::Utc::now().to_rfc3339(), "participants": ["王五"] }),
        ),
        409,
        None,
    );
    assert_eq!(
        get(&app, Some(&s.centre), &format!("/mediation/disputes/{id}"))["sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let figures = get(&app, Some(&s.centre), "/mediation/figures");
    // The window's staff see their centre's figures as the centre does.
    assert_eq!(get(&app, Some(&s.staff), "/mediation/figures"), figures);
    assert_eq!(figures["total"]["taken_in"], 1);
    assert_eq!(figures["total"]["resolved"], 1);
    assert_eq!(figures["by_kind"][0]["kind"], "labour");
    assert_eq!(figures["by_department"][0]["code"], "labour");
    let dashboard = get(&app, Some(&s.centre), "/dashboard/figures?source=mediation");
    assert_eq!(dashboard["totals"]["received"], 1, "{dashboard}");
    assert_eq!(dashboard["totals"]["closed"], 1);

    // Nothing private is public: look-up, board, Open311.
    let code = c["tracking_code"].as_str().unwrap().to_string();
    for (path, what) in [
        (format!("{TENANT}/status/{code}"), "the look-up"),
        (format!("{TENANT}/board"), "the board"),
        (
            "/open311/v2/requests.json?jurisdiction_id=alpha".to_string(),
            "Open311",
        ),
    ] {
        let reply = app.client.get(&path, None).unwrap();
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_private(&reply.body, what);
    }
    let lookup = app
        .client
        .get(&format!("{TENANT}/status/{code}"), None)
        .unwrap()
        .body;
    assert!(
        lookup.contains("调解成功"),
        "the public sees how it ended: {lookup}"
    );
}

#[test]
fn an_agent_matter_keeps_its_lists_and_climbs_the_levels() {
    let app = TestApp::product();
    let s = setup(&app);
    let point = |code: &str, level: &str| {
        ok(
            post(
                &app,
                &s.admin,
                "/admin/agent-points",
                json!({ "code": code, "name": code, "level": level }),
            ),
            201,
        )["id"]
            .clone()
    };
    let village = point("east-village", "village");
    let other_village = point("west-village", "village");
    let township = point("town-hall", "township");
    let agent = |login: &str, point: &Value| {
        ok(
            post(
                &app,
                &s.admin,
                "/admin/users",
                json!({ "login": login, "display_name": login, "role": "agent",
                "password": "password-1", "agent_point_id": point }),
            ),
            201,
        );
        app.login(&format!("{TENANT}/auth/login"), login, "password-1")
    };
    let chen = agent("chen", &village);
    let wu = agent("wu", &other_village);
    let zhou = agent("zhou", &township);

    let matter = json!({
        "kind": "certificate", "resident": { "name": RESIDENT, "phone": RESIDENT_PHONE },
        "consent": true, "needs": [NEED],
        "tasks": [{ "task": "递交材料", "owner": "代办员小陈", "due_on": "2099-01-10" }],
        "promises": [{ "promise": "十个工作日内办结", "promised_on": "2099-01-20" }]
    });
    let mut no_consent = matter.clone();
    no_consent["consent"] = json!(false);
    problem(
        post(&app, &chen, "/agent/matters", no_consent),
        400,
        Some("consent"),
    );
    let mut early = matter.clone();
    early["tasks"][0]["due_on"] = json!("2000-01-01");
    problem(
        post(&app, &chen, "/agent/matters", early),
        400,
        Some("tasks[0].due_on"),
    );
    assert_eq!(
        get(&app, Some(&chen), "/agent/matters")["matters"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing half-written"
    );

    let taken = ok(post(&app, &chen, "/agent/matters", matter), 201);
    let id = taken["case_id"].clone();
    assert_eq!(
        (taken["level"].as_str(), taken["agent_point_id"].clone()),
        (Some("village"), village.clone())
    );
    assert_eq!(taken["resident"]["name"], RESIDENT);
    let path = format!("/agent/matters/{id}");
    // The agent follows their matter's case flow without seeing every case:
    // the timeline comes with the matter; the case itself, or an ordinary
    // case, is not theirs to read.
    assert_eq!(timeline_actions(&taken), ["report"], "{taken}");
    assert_eq!(
        taken["allowed_actions"],
        json!([]),
        "an agent takes no step"
    );
    let ordinary = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾未清运" }),
        ),
        201,
    )["id"]
        .clone();
    for case_id in [&id, &ordinary] {
        problem(
            app.client
                .get(&format!("{TENANT}/cases/{case_id}"), Some(&chen))
                .unwrap(),
            403,
            None,
        );
    }
    problem(
        app.client
            .get(&format!("{TENANT}/agent/matters/{ordinary}"), Some(&chen))
            .unwrap(),
        404,
        None,
    );
    problem(
        app.client
            .get(&format!("{TENANT}{path}"), Some(&wu))
            .unwrap(),
        404,
        None,
    );
    problem(
        app.client
            .get(&format!("{TENANT}{path}"), Some(&zhou))
            .unwrap(),
        404,
        None,
    );
    problem(
        post(
            &app,
            &chen,
            &format!("{path}/tasks"),
            json!({ "task": "补拍照片", "owner": "小陈", "due_on": "2001-01-01" }),
        ),
        400,
        Some("due_on"),
    );
    let task = ok(
        post(
            &app,
            &chen,
            &format!("{path}/tasks"),
            json!({ "task": "补拍照片", "owner": "小陈", "due_on": "2099-01-08" }),
        ),
        201,
    );
    assert_eq!(task["done_by_name"], Value::Null, "not done yet: {task}");
    let done = ok(
        post(
            &app,
            &chen,
            &format!("{path}/tasks/{}/done", task["id"]),
            json!({}),
        ),
        200,
    );
    assert_eq!(done["done_by_name"], "chen", "who did it, by name: {done}");
    problem(
        post(
            &app,
            &chen,
            &format!("{path}/tasks/{}/done", task["id"]),
            json!({}),
        ),
        409,
        None,
    );
    ok(
        post(
            &app,
            &chen,
            &format!("{path}/promises"),
            json!({ "promise": "回访", "promised_on": "2099-02-01" }),
        ),
        201,
    );

    let up = ok(
        post(
            &app,
            &chen,
            &format!("{path}/level"),
            json!({ "level": "township", "reason": "需镇残联审批", "agent_point_id": township }),
        ),
        200,
    );
    assert_eq!(up["levels"].as_array().unwrap().len(), 2);
    assert_eq!(
        up["levels"][1]["by_name"], "chen",
        "who passed it up, by name: {up}"
    );
    let done_by: Vec<(&str, &str)> = up["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| Some((t["task"].as_str()?, t["done_by_name"].as_str()?)))
        .collect();
    assert_eq!(done_by, [("补拍照片", "chen")], "{up}");
    problem(
        post(
            &app,
            &zhou,
            &format!("{path}/level"),
            json!({ "level": "village", "reason": "退回" }),
        ),
        409,
        None,
    );
    assert_eq!(
        get(&app, Some(&zhou), &path)["level"],
        "township",
        "passed up to the township's agents"
    );

    // The case flow is the ordinary one; done when the case is closed.
    let mut c = case(&app, &s.centre, &id);
    assert_eq!(c["source"], "agent");
    assert_eq!(
        get(&app, Some(&s.centre), &path)["allowed_actions"],
        c["allowed_actions"],
        "the centre gets its steps with the matter"
    );
    assert!(
        c["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("accept"))
    );
    for action in [
        json!({ "action": "accept" }),
        json!({ "action": "register" }),
        json!({ "action": "dispatch", "department": "sanitation" }),
    ] {
        c = act(&app, &s.centre, &c, action);
    }
    for action in ["sign_for", "start_work"] {
        c = act(&app, &s.staff, &c, json!({ "action": action }));
    }
    c = act(
        &app,
        &s.staff,
        &c,
        json!({ "action": "resolve", "answer": "证件已补办", "attachment_ids": [result_photo(&app, &s.staff)] }),
    );
    for action in ["verify", "close"] {
        c = act(&app, &s.centre, &c, json!({ "action": action }));
    }
    // The flow as the agent sees it is the case's own timeline.
    let followed = get(&app, Some(&chen), &path);
    assert_eq!(followed["timeline"], case(&app, &s.centre, &id)["timeline"]);
    let (by_chen, centre) = ((json!("chen"), Value::Null), (json!("centre"), Value::Null));
    let staff = (json!("staff"), json!("环卫所"));
    assert_eq!(
        timeline_people(&followed),
        [
            by_chen.clone(),
            by_chen,
            centre.clone(),
            centre.clone(),
            centre.clone(),
            staff.clone(),
            staff.clone(),
            staff,
            centre.clone(),
            centre
        ],
        "the agent reads who took each step by name: {followed}"
    );
    assert_eq!(
        timeline_actions(&followed),
        [
            "report",
            "agent_passed_up",
            "accept",
            "register",
            "dispatch",
            "sign_for",
            "start_work",
            "resolve",
            "verify",
            "close"
        ],
        "{followed}"
    );
    let figures = get(&app, Some(&s.centre), "/agent/figures");
    assert_eq!(get(&app, Some(&chen), "/agent/figures"), figures);
    assert_eq!(figures["by_level"]["township"]["taken"], 1, "{figures}");
    assert_eq!(figures["by_level"]["township"]["done"], 1);
    assert_eq!(figures["by_level"]["village"]["taken"], 0);
    assert_eq!(figures["total"]["completion_rate"], 1.0);
    problem(
        post(
            &app,
            &chen,
            &format!("{path}/promises"),
            json!({ "promise": "再回访", "promised_on": "2099-03-01" }),
        ),
        409,
        None,
    );

    let code = c["tracking_code"].as_str().unwrap();
    let lookup = app
        .client
        .get(&format!("{TENANT}/status/{code}"), None)
        .unwrap();
    assert_eq!(lookup.status, 200);
    assert_private(&lookup.body, "the look-up");
}

#[test]
fn a_disputes_pdf_papers_are_the_centres_and_never_a_reports() {
    let app = TestApp::product();
    let s = setup(&app);
    // The bytes decide, not the declared type.
    let iou = ok(
        upload(&app, Some(&s.centre), "application/octet-stream", PDF),
        201,
    );
    assert_eq!(
        (&iou["kind"], &iou["content_type"], &iou["public"]),
        (&json!("document"), &json!("application/pdf"), &json!(false))
    );
    let posing = b"<html><body>%PDF-1.4 not really</body></html>";
    problem(
        upload(&app, Some(&s.centre), "application/pdf", posing),
        415,
        Some("file"),
    );
    // Residents upload what a report carries, as before.
    problem(
        upload(&app, None, "application/pdf", PDF),
        415,
        Some("file"),
    );

    // A resident's report naming the paper is refused as an unknown file
    // would be (an upload is its uploader's alone), and files nothing. That
    // a report takes no PDF even from its uploader, the store's tests show:
    // nobody who may upload one reports with an account.
    let refused = problem(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾未清运", "attachment_ids": [iou["id"]] }),
        ),
        400,
        Some("attachment_ids[0]"),
    );
    assert_eq!(refused["detail"], "no such attachment", "{refused}");
    let inbox = get(&app, Some(&s.staff), "/queues/inbox");
    assert_eq!(inbox["cases"], json!([]), "nothing filed: {inbox}");

    let dispute = ok(
        post(
            &app,
            &s.centre,
            "/mediation/disputes",
            json!({
                "kind": "contract", "subject": SUBJECT, "window": "1号窗口",
                "parties": [
                    { "side": "applicant", "kind": "person", "name": APPLICANT },
                    { "side": "respondent", "kind": "organisation", "name": RESPONDENT }
                ],
                "document_ids": [iou["id"]],
                "handling": { "department": "sanitation" }
            }),
        ),
        201,
    );
    assert_eq!(dispute["documents"][0]["kind"], "document");
    let id = dispute["case_id"].clone();
    let file = format!("{TENANT}/attachments/{}", iou["id"]);
    let downloaded = app.client.get(&file, Some(&s.centre)).unwrap();
    assert_eq!(
        (downloaded.status, downloaded.content_type.as_str()),
        (200, "application/pdf")
    );
    assert_eq!(downloaded.bytes, PDF);
    problem(app.client.get(&file, None).unwrap(), 404, None);
    problem(
        app.client
            .send_json("PATCH", &file, Some(&s.centre), &json!({ "public": true }))
            .unwrap(),
        409,
        None,
    );

    // The outcome's paper may be a PDF too; a department resolving an
    // ordinary case may not hand one in as its result.
    let mut c = case(&app, &s.staff, &id);
    for action in ["sign_for", "start_work"] {
        c = act(&app, &s.staff, &c, json!({ "action": action }));
    }
    let ordinary = inbox_case_with_a_pdf_result_refused(&app, &s);
    assert_eq!(ordinary["state"], "in_progress");
    let agreement = ok(upload(&app, Some(&s.staff), "application/pdf", PDF), 201);
    let ended = ok(
        post(
            &app,
            &s.staff,
            &format!("/mediation/disputes/{id}/outcome"),
            json!({ "outcome": "agreement", "text": AGREEMENT, "document_ids": [agreement["id"]] }),
        ),
        200,
    );
    assert_eq!(ended["state"], "closed");
    let kinds: Vec<&Value> = ended["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["kind"])
        .collect();
    assert_eq!(kinds, [&json!("document"), &json!("document")]);

    let code = c["tracking_code"].as_str().unwrap();
    let lookup = get(&app, None, &format!("/status/{code}"));
    assert_eq!(lookup["attachments"], json!([]), "{lookup}");
}

/// A resident's case worked by the department to `in_progress`, whose
/// resolution with a PDF as its result is refused (400) and changes nothing.
fn inbox_case_with_a_pdf_result_refused(app: &TestApp, s: &Setup) -> Value {
    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾未清运" }),
        ),
        201,
    );
    let mut c = case(app, &s.staff, &receipt["id"]);
    for action in ["sign_for", "start_work"] {
        c = act(app, &s.staff, &c, json!({ "action": action }));
    }
    let paper = ok(upload(app, Some(&s.staff), "application/pdf", PDF), 201);
    let reply = app
        .client
        .post_json(
            &format!("{TENANT}/cases/{}/actions", c["id"]),
            Some(&s.staff),
            &json!({ "version": c["version"], "action": "resolve", "answer": "已清运",
                     "attachment_ids": [paper["id"]] }),
        )
        .unwrap();
    problem(reply, 400, Some("attachment_ids[0]"));
    case(app, &s.staff, &receipt["id"])
}
