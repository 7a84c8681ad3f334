//! The mediation centre and the agent service over HTTP: a dispute taken in
//! at a window is a case the lead department works through the ordinary
//! case flow, with sessions and an outcome that closes it; an agent takes a
//! resident's matter, keeps its lists and passes it up; both count in their
//! own figures and the dashboard's, and nothing of the parties or the
//! resident reaches the public look-up, the board or Open311.

use e2e::{Reply, TestApp};
use serde_json::{Value, json};

use crate::workflow::{
    Setup, act, department_with_staff, get_case, problem, result_photo, setup, timeline_actions,
    try_act, work_to_closure,
};

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
    let dispute = Dispute::taken_in_at_the_window(&app);
    let case = dispute.the_lead_department_sees_one_case_on_the_clock();
    dispute.a_session_is_scheduled_in_local_time_and_recorded();
    let agreement = dispute.an_agreement_needs_its_text_and_the_work_started();
    let case = dispute.the_lead_department_starts_by_name(&case);
    dispute.the_agreement_closes_it_and_no_session_follows(agreement);
    dispute.the_centre_and_the_dashboard_count_it();
    nothing_private_is_public_and_the_public_sees_how_it_ended(&app, &case);
}

/// A labour dispute taken in at the window and handled by `labour`.
struct Dispute<'a> {
    app: &'a TestApp,
    s: Setup,
    /// The lead department's staff (their token).
    labour: String,
    /// The dispute's case id.
    id: Value,
}

impl<'a> Dispute<'a> {
    fn taken_in_at_the_window(app: &'a TestApp) -> Self {
        let s = setup(app);
        let labour = department_with_staff(app, &s.admin, "labour");
        let intake = json!({
            "kind": "labour", "subject": SUBJECT, "amount_in_dispute": 12000, "window": "3号窗口",
            "parties": [
                { "side": "applicant", "kind": "person", "name": APPLICANT, "phone": APPLICANT_PHONE },
                { "side": "respondent", "kind": "organisation", "name": RESPONDENT }
            ],
            "document_ids": [result_photo(app, &s.centre)],
            "handling": { "department": "labour" }
        });
        let mut one_sided = intake.clone();
        one_sided["parties"].as_array_mut().unwrap().pop();
        problem(
            post(app, &s.centre, "/mediation/disputes", one_sided),
            400,
            Some("parties"),
        );
        let dispute = post(app, &s.centre, "/mediation/disputes", intake).expect(201);
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
        Dispute {
            app,
            id: dispute["case_id"].clone(),
            s,
            labour,
        }
    }

    /// The one case model: the routing component shows and moves it.
    fn the_lead_department_sees_one_case_on_the_clock(&self) -> Value {
        let c = get_case(self.app, &self.labour, &self.id);
        assert_eq!(c["source"], "mediation");
        assert!(c["resolution_due_at"].is_string(), "the clock runs");
        c
    }

    fn sessions(&self) -> String {
        format!("/mediation/disputes/{}/sessions", self.id)
    }

    fn outcome(&self) -> String {
        format!("/mediation/disputes/{}/outcome", self.id)
    }

    fn a_session_is_scheduled_in_local_time_and_recorded(&self) {
        let (app, s, sessions) = (self.app, &self.s, self.sessions());
        let scheduled = post(
            app,
            &s.centre,
            &sessions,
            json!({ "scheduled_for": "2099-01-05T06:00:00Z", "place": "调解室" }),
        )
        .expect(201);
        problem(
            post(
                app,
                &s.centre,
                &sessions,
                json!({ "held_at": "2099-01-05T06:00:00Z", "participants": ["王五"] }),
            ),
            422,
            Some("held_at"),
        );
        let record = app
            .client
            .send_json(
                "PUT",
                &format!("{TENANT}{sessions}/{}", scheduled["id"]),
                Some(&s.centre),
                &json!({ "held_at": chrono::Utc::now().to_rfc3339(),
                         "participants": ["调解员王五", APPLICANT, RESPONDENT], "agreed": "分两期支付" }),
            )
            .unwrap();
        assert_eq!(record.expect(200)["agreed"], "分两期支付");
        // The timeline says when the session is in the tenant's local time
        // (Asia/Shanghai), and who put it in the diary.
        let timeline = get_case(app, &self.labour, &self.id)["timeline"].clone();
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
    }

    /// The agreement the centre records, once it is refused without its
    /// text and before the department has started.
    fn an_agreement_needs_its_text_and_the_work_started(&self) -> Value {
        let (app, s, outcome) = (self.app, &self.s, self.outcome());
        problem(
            post(
                app,
                &s.centre,
                &outcome,
                json!({ "outcome": "agreement", "document_ids": [1] }),
            ),
            400,
            Some("text"),
        );
        let signed = result_photo(app, &s.centre);
        let agreement =
            json!({ "outcome": "agreement", "text": AGREEMENT, "document_ids": [signed] });
        problem(post(app, &s.centre, &outcome, agreement.clone()), 409, None);
        agreement
    }

    fn the_lead_department_starts_by_name(&self, case: &Value) -> Value {
        let mut c = case.clone();
        for action in ["sign_for", "start_work"] {
            c = act(self.app, &self.labour, &c, json!({ "action": action }));
        }
        let signed_for = get_case(self.app, &self.s.centre, &self.id)["timeline"]
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
        c
    }

    fn the_agreement_closes_it_and_no_session_follows(&self, agreement: Value) {
        let (app, s) = (self.app, &self.s);
        let ended = post(app, &s.centre, &self.outcome(), agreement).expect(200);
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
                app,
                &s.centre,
                &self.sessions(),
                json!({ "held_at": chrono::Utc::now().to_rfc3339(), "participants": ["王五"] }),
            ),
            409,
            None,
        );
        assert_eq!(
            app.get(
                &format!("{TENANT}/mediation/disputes/{}", self.id),
                Some(&s.centre)
            )
            .expect(200)["sessions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    fn the_centre_and_the_dashboard_count_it(&self) {
        let (app, s) = (self.app, &self.s);
        let figures = app
            .get(&format!("{TENANT}/mediation/figures"), Some(&s.centre))
            .expect(200);
        // The window's staff see their centre's figures as the centre does.
        assert_eq!(
            app.get(&format!("{TENANT}/mediation/figures"), Some(&s.staff))
                .expect(200),
            figures
        );
        assert_eq!(figures["total"]["taken_in"], 1);
        assert_eq!(figures["total"]["resolved"], 1);
        assert_eq!(figures["by_kind"][0]["kind"], "labour");
        assert_eq!(figures["by_department"][0]["code"], "labour");
        let dashboard = app
            .get(
                &format!("{TENANT}/dashboard/figures?source=mediation"),
                Some(&s.centre),
            )
            .expect(200);
        assert_eq!(dashboard["totals"]["received"], 1, "{dashboard}");
        assert_eq!(dashboard["totals"]["closed"], 1);
    }
}

/// Nothing private is public: look-up, board, Open311.
fn nothing_private_is_public_and_the_public_sees_how_it_ended(app: &TestApp, case: &Value) {
    let code = case["tracking_code"].as_str().unwrap().to_string();
    for (path, what) in [
        (format!("{TENANT}/status/{code}"), "the look-up"),
        (format!("{TENANT}/board"), "the board"),
        (
            "/open311/v2/requests.json?jurisdiction_id=alpha".to_string(),
            "Open311",
        ),
    ] {
        let reply = app.get(&path, None);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_private(&reply.body, what);
    }
    let lookup = app.get(&format!("{TENANT}/status/{code}"), None).body;
    assert!(
        lookup.contains("调解成功"),
        "the public sees how it ended: {lookup}"
    );
}

#[test]
fn an_agent_matter_keeps_its_lists_and_climbs_the_levels() {
    let app = TestApp::product();
    let desk = AgentDesk::open(&app);
    let matter = desk.a_matter_needs_consent_and_dates_ahead();
    let matter = desk.the_village_agent_takes_it(matter);
    desk.the_agent_reads_their_matter_but_no_case(&matter);
    desk.the_agent_keeps_its_task_and_promise_lists(&matter);
    desk.it_is_passed_up_to_the_township_never_down(&matter);
    let case = desk.the_ordinary_case_flow_closes_it(&matter);
    desk.the_agent_follows_the_flow_by_name(&matter);
    desk.the_figures_count_it_and_a_done_matter_takes_no_promise(&matter);
    let code = case["tracking_code"].as_str().unwrap();
    let lookup = app.get(&format!("{TENANT}/status/{code}"), None);
    assert_eq!(lookup.status, 200);
    assert_private(&lookup.body, "the look-up");
}

/// The agent service of `alpha`: agents at two villages and the township.
struct AgentDesk<'a> {
    app: &'a TestApp,
    s: Setup,
    village: Value,
    township: Value,
    /// The agent at `village`, who takes the matter.
    chen: String,
    /// The agent at another village.
    wu: String,
    /// The agent at `township`.
    zhou: String,
}

/// A matter the village agent took: its case id and its path under the tenant.
struct Matter {
    id: Value,
    path: String,
}

impl<'a> AgentDesk<'a> {
    fn open(app: &'a TestApp) -> Self {
        let s = setup(app);
        let point = |code: &str, level: &str| {
            post(
                app,
                &s.admin,
                "/admin/agent-points",
                json!({ "code": code, "name": code, "level": level }),
            )
            .expect(201)["id"]
                .clone()
        };
        let village = point("east-village", "village");
        let other_village = point("west-village", "village");
        let township = point("town-hall", "township");
        let agent = |login: &str, point: &Value| {
            post(
                app,
                &s.admin,
                "/admin/users",
                json!({ "login": login, "display_name": login, "role": "agent",
                    "password": "password-1", "agent_point_id": point }),
            )
            .expect(201);
            app.login(&format!("{TENANT}/auth/login"), login, "password-1")
        };
        let chen = agent("chen", &village);
        let wu = agent("wu", &other_village);
        let zhou = agent("zhou", &township);
        AgentDesk {
            app,
            s,
            village,
            township,
            chen,
            wu,
            zhou,
        }
    }

    /// The matter as the holder of `token` reads it.
    fn matter_as(&self, matter: &Matter, token: &str) -> Reply {
        self.app
            .get(&format!("{TENANT}{}", matter.path), Some(token))
    }

    /// The matter to take, once a matter without consent or with a task
    /// due in the past is refused and writes nothing.
    fn a_matter_needs_consent_and_dates_ahead(&self) -> Value {
        let (app, chen) = (self.app, &self.chen);
        let matter = json!({
            "kind": "certificate", "resident": { "name": RESIDENT, "phone": RESIDENT_PHONE },
            "consent": true, "needs": [NEED],
            "tasks": [{ "task": "递交材料", "owner": "代办员小陈", "due_on": "2099-01-10" }],
            "promises": [{ "promise": "十个工作日内办结", "promised_on": "2099-01-20" }]
        });
        let mut no_consent = matter.clone();
        no_consent["consent"] = json!(false);
        problem(
            post(app, chen, "/agent/matters", no_consent),
            400,
            Some("consent"),
        );
        let mut early = matter.clone();
        early["tasks"][0]["due_on"] = json!("2000-01-01");
        problem(
            post(app, chen, "/agent/matters", early),
            422,
            Some("tasks[0].due_on"),
        );
        assert_eq!(
            app.get(&format!("{TENANT}/agent/matters"), Some(chen))
                .expect(200)["matters"]
                .as_array()
                .unwrap()
                .len(),
            0,
            "nothing half-written"
        );
        matter
    }

    fn the_village_agent_takes_it(&self, matter: Value) -> Matter {
        let taken = post(self.app, &self.chen, "/agent/matters", matter).expect(201);
        let id = taken["case_id"].clone();
        assert_eq!(
            (taken["level"].as_str(), taken["agent_point_id"].clone()),
            (Some("village"), self.village.clone())
        );
        assert_eq!(taken["resident"]["name"], RESIDENT);
        // The agent follows their matter's case flow without seeing every case:
        // the timeline comes with the matter; the case itself, or an ordinary
        // case, is not theirs to read.
        assert_eq!(timeline_actions(&taken), ["report"], "{taken}");
        assert_eq!(
            taken["allowed_actions"],
            json!([]),
            "an agent takes no step"
        );
        Matter {
            path: format!("/agent/matters/{id}"),
            id,
        }
    }

    fn the_agent_reads_their_matter_but_no_case(&self, matter: &Matter) {
        let (app, chen) = (self.app, &self.chen);
        let ordinary = app
            .post_report(
                "alpha",
                &json!({ "category": "garbage", "description": "垃圾未清运" }),
            )
            .expect(201)["id"]
            .clone();
        for case_id in [&matter.id, &ordinary] {
            problem(
                app.get(&format!("{TENANT}/cases/{case_id}"), Some(chen)),
                403,
                None,
            );
        }
        problem(
            app.get(&format!("{TENANT}/agent/matters/{ordinary}"), Some(chen)),
            404,
            None,
        );
        problem(self.matter_as(matter, &self.wu), 404, None);
        problem(self.matter_as(matter, &self.zhou), 404, None);
    }

    fn the_agent_keeps_its_task_and_promise_lists(&self, matter: &Matter) {
        let (app, chen, path) = (self.app, &self.chen, &matter.path);
        problem(
            post(
                app,
                chen,
                &format!("{path}/tasks"),
                json!({ "task": "补拍照片", "owner": "小陈", "due_on": "2001-01-01" }),
            ),
            422,
            Some("due_on"),
        );
        let task = post(
            app,
            chen,
            &format!("{path}/tasks"),
            json!({ "task": "补拍照片", "owner": "小陈", "due_on": "2099-01-08" }),
        )
        .expect(201);
        assert_eq!(task["done_by_name"], Value::Null, "not done yet: {task}");
        let done = post(
            app,
            chen,
            &format!("{path}/tasks/{}/done", task["id"]),
            json!({}),
        )
        .expect(200);
        assert_eq!(done["done_by_name"], "chen", "who did it, by name: {done}");
        problem(
            post(
                app,
                chen,
                &format!("{path}/tasks/{}/done", task["id"]),
                json!({}),
            ),
            409,
            None,
        );
        post(
            app,
            chen,
            &format!("{path}/promises"),
            json!({ "promise": "回访", "promised_on": "2099-02-01" }),
        )
        .expect(201);
    }

    fn it_is_passed_up_to_the_township_never_down(&self, matter: &Matter) {
        let (app, path) = (self.app, &matter.path);
        let up = post(
            app,
            &self.chen,
            &format!("{path}/level"),
            json!({ "level": "township", "reason": "需镇残联审批", "agent_point_id": self.township }),
        )
        .expect(200);
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
                app,
                &self.zhou,
                &format!("{path}/level"),
                json!({ "level": "village", "reason": "退回" }),
            ),
            409,
            None,
        );
        assert_eq!(
            self.matter_as(matter, &self.zhou).expect(200)["level"],
            "township",
            "passed up to the township's agents"
        );
    }

    /// The case flow is the ordinary one; done when the case is closed.
    fn the_ordinary_case_flow_closes_it(&self, matter: &Matter) -> Value {
        let (app, s) = (self.app, &self.s);
        let mut c = get_case(app, &s.centre, &matter.id);
        assert_eq!(c["source"], "agent");
        assert_eq!(
            self.matter_as(matter, &s.centre).expect(200)["allowed_actions"],
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
            c = act(app, &s.centre, &c, action);
        }
        work_to_closure(app, s, &c, "证件已补办")
    }

    /// The flow as the agent sees it is the case's own timeline.
    fn the_agent_follows_the_flow_by_name(&self, matter: &Matter) {
        let followed = self.matter_as(matter, &self.chen).expect(200);
        assert_eq!(
            followed["timeline"],
            get_case(self.app, &self.s.centre, &matter.id)["timeline"]
        );
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
    }

    fn the_figures_count_it_and_a_done_matter_takes_no_promise(&self, matter: &Matter) {
        let (app, s) = (self.app, &self.s);
        let figures = app
            .get(&format!("{TENANT}/agent/figures"), Some(&s.centre))
            .expect(200);
        assert_eq!(
            app.get(&format!("{TENANT}/agent/figures"), Some(&self.chen))
                .expect(200),
            figures
        );
        assert_eq!(figures["by_level"]["township"]["taken"], 1, "{figures}");
        assert_eq!(figures["by_level"]["township"]["done"], 1);
        assert_eq!(figures["by_level"]["village"]["taken"], 0);
        assert_eq!(figures["total"]["completion_rate"], 1.0);
        problem(
            post(
                app,
                &self.chen,
                &format!("{}/promises", matter.path),
                json!({ "promise": "再回访", "promised_on": "2099-03-01" }),
            ),
            409,
            None,
        );
    }
}

#[test]
fn a_disputes_pdf_papers_are_the_centres_and_never_a_reports() {
    let app = TestApp::product();
    let s = setup(&app);
    // The bytes decide, not the declared type.
    let iou = upload(&app, Some(&s.centre), "application/octet-stream", PDF).expect(201);
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
        404,
        Some("attachment_ids[0]"),
    );
    assert_eq!(refused["detail"], "no such attachment", "{refused}");
    let inbox = app
        .get(&format!("{TENANT}/queues/inbox"), Some(&s.staff))
        .expect(200);
    assert_eq!(inbox["cases"], json!([]), "nothing filed: {inbox}");

    let dispute = post(
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
    )
    .expect(201);
    assert_eq!(dispute["documents"][0]["kind"], "document");
    let id = dispute["case_id"].clone();
    let file = format!("{TENANT}/attachments/{}", iou["id"]);
    let downloaded = app.get(&file, Some(&s.centre));
    assert_eq!(
        (downloaded.status, downloaded.content_type.as_str()),
        (200, "application/pdf")
    );
    assert_eq!(downloaded.bytes, PDF);
    problem(app.get(&file, None), 404, None);
    problem(
        app.client
            .send_json("PATCH", &file, Some(&s.centre), &json!({ "public": true }))
            .unwrap(),
        409,
        None,
    );

    // The outcome's paper may be a PDF too; a department resolving an
    // ordinary case may not hand one in as its result.
    let mut c = get_case(&app, &s.staff, &id);
    for action in ["sign_for", "start_work"] {
        c = act(&app, &s.staff, &c, json!({ "action": action }));
    }
    let ordinary = inbox_case_with_a_pdf_result_refused(&app, &s);
    assert_eq!(ordinary["state"], "in_progress");
    let agreement = upload(&app, Some(&s.staff), "application/pdf", PDF).expect(201);
    let ended = post(
        &app,
        &s.staff,
        &format!("/mediation/disputes/{id}/outcome"),
        json!({ "outcome": "agreement", "text": AGREEMENT, "document_ids": [agreement["id"]] }),
    )
    .expect(200);
    assert_eq!(ended["state"], "closed");
    let kinds: Vec<&Value> = ended["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["kind"])
        .collect();
    assert_eq!(kinds, [&json!("document"), &json!("document")]);

    let code = c["tracking_code"].as_str().unwrap();
    let lookup = app
        .get(&format!("{TENANT}/status/{code}"), None)
        .expect(200);
    assert_eq!(lookup["attachments"], json!([]), "{lookup}");
}

/// A resident's case worked by the department to `in_progress`, whose
/// resolution with a PDF as its result is refused (400) and changes nothing.
fn inbox_case_with_a_pdf_result_refused(app: &TestApp, s: &Setup) -> Value {
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾未清运" }),
        )
        .expect(201);
    let mut c = get_case(app, &s.staff, &receipt["id"]);
    for action in ["sign_for", "start_work"] {
        c = act(app, &s.staff, &c, json!({ "action": action }));
    }
    let paper = upload(app, Some(&s.staff), "application/pdf", PDF).expect(201);
    let reply = try_act(
        app,
        &s.staff,
        &c,
        json!({ "action": "resolve", "answer": "已清运", "attachment_ids": [paper["id"]] }),
    );
    problem(reply, 400, Some("attachment_ids[0]"));
    get_case(app, &s.staff, &receipt["id"])
}
