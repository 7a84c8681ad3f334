//! Enterprise services over HTTP: a company registers with its credit code
//! and is approved by a department; its request is routed to the
//! department as a case with its own clock; the answer goes to the policy
//! Q&A anonymised, is found by search and suggested before the next
//! question; policies are published, superseded and searched.

use e2e::{Reply, TestApp};
use serde_json::{Value, json};

use crate::workflow::{act, admin_creates, get_case, problem, timeline_actions};

const TENANT: &str = "/api/t/alpha";
const DESK: &str = "/api/t/alpha/enterprise";
const CREDIT_CODE: &str = "91350100M000100Y43";
const COMPANY: &str = "星河智能科技有限公司";
/// The company's inquiry, naming the company and its caller as people do.
const QUESTION: &str =
    "我是星河智能科技有限公司的陈晓明，电话13900001111：研发费用加计扣除比例是多少？";

pub(crate) fn registration(code: &str, name: &str, login: &str) -> Value {
    json!({
        "credit_code": code, "name": name, "address": "开发区创业路 8 号", "industry": "软件和信息技术服务",
        "contact": { "name": "陈晓明", "phone": "139 0000 1111" },
        "account": { "login": login, "password": "password-1", "display_name": "陈晓明" }
    })
}

/// Approves registration `id` as the holder of `token`.
fn approve(app: &TestApp, token: &str, id: &Value) -> Reply {
    app.client
        .post_json(
            &format!("{DESK}/registrations/{id}/decision"),
            Some(token),
            &json!({ "approve": true, "note": "营业执照核验通过" }),
        )
        .unwrap()
}

pub(crate) struct Desk {
    pub admin: String,
    pub staff: String,
    pub firm: String,
    pub department: i64,
}

/// A tenant with a tax bureau (and one of its staff), and an approved enterprise.
pub(crate) fn open_desk(app: &TestApp) -> Desk {
    let admin = app.tenant_with_admin("alpha");
    let department = admin_creates(
        app,
        &admin,
        "departments",
        json!({ "code": "tax", "name": "税务所" }),
    )["id"]
        .as_i64()
        .unwrap();
    admin_creates(
        app,
        &admin,
        "users",
        json!({ "login": "tax1", "display_name": "税务专员", "role": "department_staff",
                "password": "password-1", "department_id": department }),
    );
    let staff = app.login(&format!("{TENANT}/auth/login"), "tax1", "password-1");

    let post = |body: &Value| {
        app.client
            .post_json(&format!("{DESK}/registrations"), None, body)
            .unwrap()
    };
    // The shape is the document's (400); the check character is beyond it (422).
    let wrong = problem(
        post(&registration("91350100M000100Y44", COMPANY, "xinghe")),
        422,
        Some("credit_code"),
    );
    assert!(
        wrong["detail"]
            .as_str()
            .unwrap()
            .contains("check character")
    );
    problem(
        post(&registration("9135", COMPANY, "xinghe")),
        400,
        Some("credit_code"),
    );
    let registered = post(&registration(CREDIT_CODE, COMPANY, "xinghe")).expect(201);
    assert_eq!(registered["enterprise"]["status"], "pending");
    problem(
        post(&registration(CREDIT_CODE, "另一家", "other")),
        409,
        None,
    );
    let early = app
        .client
        .post_json(
            &format!("{TENANT}/auth/login"),
            None,
            &json!({ "login": "xinghe", "password": "password-1" }),
        )
        .unwrap();
    assert!(
        matches!(early.status, 401 | 403),
        "no login before approval"
    );

    // A department approves it (after the admin could have).
    let pending = app
        .get(
            &format!("{DESK}/registrations?status=pending"),
            Some(&staff),
        )
        .expect(200);
    let id = &pending["enterprises"][0]["id"];
    assert_eq!(approve(app, &staff, id).expect(200)["status"], "approved");
    problem(approve(app, &admin, id), 409, None);
    let firm = app.login(&format!("{TENANT}/auth/login"), "xinghe", "password-1");
    Desk {
        admin,
        staff,
        firm,
        department,
    }
}

#[test]
fn an_inquiry_is_routed_answered_and_becomes_anonymised_knowledge() {
    let app = TestApp::product();
    let desk = open_desk(&app);
    a_company_has_several_users(&app, &desk);
    the_admin_gives_inquiries_a_category_and_a_route(&app, &desk);
    let case_id = the_company_asks_and_the_rule_routes_it(&app, &desk);
    the_bureau_sees_who_is_asking(&app, &desk, case_id);
    the_inquirys_category_is_the_desks_alone(&app);
    the_bureau_answers_in_words(&app, &desk, case_id);
    the_company_follows_its_request(&app, &desk, case_id);
    let other_id = another_company_does_not_see_it(&app, &desk, case_id);
    let published = the_answer_is_published_without_the_company(&app, &desk, case_id, &other_id);
    anyone_finds_the_answer_until_it_is_withdrawn(&app, &desk, &published);
}

fn a_company_has_several_users(app: &TestApp, desk: &Desk) {
    app.client
        .post_json(
            &format!("{DESK}/me/users"),
            Some(&desk.firm),
            &json!({ "login": "xinghe2", "password": "password-1", "display_name": "林财务",
                     "phone": "13900002222" }),
        )
        .unwrap()
        .expect(201);
    let me = app.get(&format!("{DESK}/me"), Some(&desk.firm)).expect(200);
    assert_eq!(me["credit_code"], CREDIT_CODE);
    assert_eq!(me["users"].as_array().unwrap().len(), 2);
}

/// The admin files the kind's category with its own deadlines and routes it.
fn the_admin_gives_inquiries_a_category_and_a_route(app: &TestApp, desk: &Desk) {
    admin_creates(
        app,
        &desk.admin,
        "categories",
        json!({ "code": "enterprise_policy_inquiry", "name_zh": "政策咨询", "name_en": "Policy inquiry",
                "response_hours": 4, "resolution_hours": 16 }),
    );
    app.client
        .send_json(
            "PUT",
            &format!("{TENANT}/admin/routing-rules"),
            Some(&desk.admin),
            &json!({ "rules": [{ "category": "enterprise_policy_inquiry",
                                 "department_id": desk.department }] }),
        )
        .unwrap()
        .expect(200);
}

/// The inquiry's case id, once nothing was there to suggest before it and
/// a kind the desk does not know was refused.
fn the_company_asks_and_the_rule_routes_it(app: &TestApp, desk: &Desk) -> i64 {
    let nothing_yet = app
        .get(
            &format!("{DESK}/similar-answers?question=研发费用加计扣除"),
            Some(&desk.firm),
        )
        .expect(200);
    assert_eq!(nothing_yet["answers"], json!([]));
    problem(
        app.client
            .post_json(
                &format!("{DESK}/requests"),
                Some(&desk.firm),
                &json!({ "kind": "tax_refund", "title": "退税", "description": "问" }),
            )
            .unwrap(),
        400,
        Some("kind"),
    );
    let request = app
        .client
        .post_json(
            &format!("{DESK}/requests"),
            Some(&desk.firm),
            &json!({ "kind": "policy_inquiry", "title": "研发费用加计扣除", "description": QUESTION,
                     "details": { "tax_year": 2026 } }),
        )
        .unwrap()
        .expect(201);
    assert_eq!(request["state"], "dispatched", "routed by the rule");
    assert_eq!(request["department"], "税务所");
    assert!(request["resolution_due_at"].is_string(), "its own deadline");
    request["id"].as_i64().unwrap()
}

/// A department sees it in its inbox, with who is asking.
fn the_bureau_sees_who_is_asking(app: &TestApp, desk: &Desk, case_id: i64) {
    let inbox = app
        .get(&format!("{TENANT}/queues/inbox"), Some(&desk.staff))
        .expect(200);
    assert!(
        inbox["cases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case_id && c["source"] == "enterprise")
    );
    let staff_view = app
        .get(&format!("{DESK}/cases/{case_id}"), Some(&desk.staff))
        .expect(200);
    assert_eq!(staff_view["enterprise"]["name"], COMPANY);
    assert_eq!(staff_view["details"]["tax_year"], 2026);
}

/// The inquiry's category is the enterprise desk's: marked so in the
/// catalogue, not offered to 311 clients, refused from residents.
fn the_inquirys_category_is_the_desks_alone(app: &TestApp) {
    let catalogue = app
        .get(&format!("{TENANT}/admin/categories"), None)
        .expect(200);
    let inquiry = catalogue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "enterprise_policy_inquiry")
        .expect("created on first use");
    assert_eq!(inquiry["desk"], "enterprise");
    let services = app
        .get("/open311/v2/services.json?jurisdiction_id=alpha", None)
        .expect(200);
    assert!(
        !services.to_string().contains("enterprise_policy_inquiry"),
        "{services}"
    );
    let refused = app.post_report(
        "alpha",
        &json!({ "category": "enterprise_policy_inquiry", "description": "研发费用怎么加计扣除？",
                 "latitude": 30.0, "longitude": 120.0 }),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.json()["field"], "category");
}

/// The department answers: in words, with no photo to show (an inquiry
/// is not a fix in a place).
fn the_bureau_answers_in_words(app: &TestApp, desk: &Desk, case_id: i64) {
    let mut case = get_case(app, &desk.staff, &case_id.into());
    for body in [
        json!({ "action": "sign_for" }),
        json!({ "action": "start_work" }),
        json!({ "action": "resolve", "answer": "制造业企业研发费用可按100%加计扣除，联系人陈晓明已知悉。",
                "attachment_ids": [] }),
    ] {
        case = act(app, &desk.staff, &case, body);
    }
}

/// The enterprise sees its request with the public timeline.
fn the_company_follows_its_request(app: &TestApp, desk: &Desk, case_id: i64) {
    let seen = app
        .get(&format!("{DESK}/requests/{case_id}"), Some(&desk.firm))
        .expect(200);
    assert_eq!(seen["state"], "resolved");
    let actions = timeline_actions(&seen);
    assert_eq!(actions.first(), Some(&"report"));
    assert_eq!(actions.last(), Some(&"resolve"));
    let listed = app
        .get(&format!("{DESK}/requests"), Some(&desk.firm))
        .expect(200);
    assert_eq!(listed["requests"][0]["id"], case_id);
}

/// The other company's id, once it has seen neither the request nor any.
fn another_company_does_not_see_it(app: &TestApp, desk: &Desk, case_id: i64) -> Value {
    app.client
        .post_json(
            &format!("{DESK}/registrations"),
            None,
            &registration("911100001000079554", "别家公司", "other"),
        )
        .unwrap()
        .expect(201);
    let other_id = app
        .get(
            &format!("{DESK}/registrations?status=pending"),
            Some(&desk.admin),
        )
        .expect(200)["enterprises"][0]["id"]
        .clone();
    approve(app, &desk.admin, &other_id).expect(200);
    let other = app.login(&format!("{TENANT}/auth/login"), "other", "password-1");
    problem(
        app.get(&format!("{DESK}/requests/{case_id}"), Some(&other)),
        404,
        None,
    );
    assert_eq!(
        app.get(&format!("{DESK}/requests"), Some(&other))
            .expect(200)["requests"],
        json!([])
    );
    other_id
}

/// The answer is published without the company or its people.
fn the_answer_is_published_without_the_company(
    app: &TestApp,
    desk: &Desk,
    case_id: i64,
    other_id: &Value,
) -> Value {
    let publish = || {
        app.client
            .post_json(
                &format!("{DESK}/qa"),
                Some(&desk.staff),
                &json!({ "case_id": case_id }),
            )
            .unwrap()
    };
    // The inquiry names its company: another one named beside it is refused.
    problem(
        app.client
            .post_json(
                &format!("{DESK}/qa"),
                Some(&desk.staff),
                &json!({ "case_id": case_id, "enterprise_id": other_id }),
            )
            .unwrap(),
        422,
        Some("enterprise_id"),
    );
    let published = publish().expect(201);
    let text = format!("{} {}", published["question"], published["answer"]);
    for private in [COMPANY, "陈晓明", "13900001111"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    assert!(
        published["question"]
            .as_str()
            .unwrap()
            .contains("研发费用加计扣除比例")
    );
    problem(publish(), 409, None);
    published
}

/// Anyone finds it; nothing typed makes a search fail. Withdrawn, it is
/// gone from the Q&A.
fn anyone_finds_the_answer_until_it_is_withdrawn(app: &TestApp, desk: &Desk, published: &Value) {
    let search = |q: &str| {
        let path = format!("{DESK}/qa?q={}", urlencode(q));
        app.get(&path, None).expect(200)["answers"].clone()
    };
    assert_eq!(search("加计扣除")[0]["id"], published["id"]);
    assert_eq!(search("研发 扣除")[0]["id"], published["id"]);
    for hostile in [
        "\"",
        "*",
        "AND",
        "NEAR(",
        "'; DROP TABLE policy_answers; --",
        "政策 OR",
        "%",
        "研发\"",
        "(",
        "^",
    ] {
        search(hostile);
    }
    let suggested = app
        .get(
            &format!(
                "{DESK}/similar-answers?question={}",
                urlencode("请问研发费用加计扣除的比例？")
            ),
            Some(&desk.firm),
        )
        .expect(200);
    assert_eq!(suggested["answers"][0]["id"], published["id"]);

    let withdrawn = app
        .client
        .send(
            "DELETE",
            &format!("{DESK}/qa/{}", published["id"]),
            Some(&desk.staff),
            None,
        )
        .unwrap();
    assert_eq!(withdrawn.status, 204, "{}", withdrawn.body);
    assert_eq!(search("加计扣除"), json!([]));
}

#[test]
fn a_company_sees_where_its_registration_stands_and_files_nothing_before_approval() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let (waiting, account) = pending_the_company_reads_its_registration_but_cannot_sign_in(&app);
    an_account_enabled_by_hand_files_nothing_before_approval(&app, &admin, &account);
    refused_the_company_reads_why_and_may_apply_again(&app, &admin);
    // Approved: the same call says so, and the account signs in.
    decide(&app, &admin, &waiting, true, "营业执照核验通过");
    assert_eq!(
        registration_status(&app, "xinghe", "password-1").expect(200)["enterprise"]["status"],
        "approved"
    );
    enterprise_login(&app, "xinghe").expect(200);
}

/// Registers a company with the desk: its enterprise id.
fn register(app: &TestApp, code: &str, name: &str, login: &str) -> Value {
    app.client
        .post_json(
            &format!("{DESK}/registrations"),
            None,
            &registration(code, name, login),
        )
        .unwrap()
        .expect(201)["enterprise"]["id"]
        .clone()
}

/// Where a company's registration stands, asked with its account's login.
fn registration_status(app: &TestApp, login: &str, password: &str) -> Reply {
    app.client
        .post_json(
            &format!("{DESK}/registration-status"),
            None,
            &json!({ "login": login, "password": password }),
        )
        .unwrap()
}

/// A company user's login attempt with the password `password-1`.
fn enterprise_login(app: &TestApp, login: &str) -> Reply {
    app.client
        .post_json(
            &format!("{TENANT}/auth/login"),
            None,
            &json!({ "login": login, "password": "password-1" }),
        )
        .unwrap()
}

/// The admin's decision on registration `id`.
fn decide(app: &TestApp, admin: &str, id: &Value, approve: bool, note: &str) -> Value {
    app.client
        .post_json(
            &format!("{DESK}/registrations/{id}/decision"),
            Some(admin),
            &json!({ "approve": approve, "note": note }),
        )
        .unwrap()
        .expect(200)
}

/// Pending: the company's own account reads it, and still cannot sign
/// in. The enterprise's id and its account's.
fn pending_the_company_reads_its_registration_but_cannot_sign_in(app: &TestApp) -> (Value, Value) {
    let waiting = register(app, CREDIT_CODE, COMPANY, "xinghe");
    let pending = registration_status(app, "xinghe", "password-1").expect(200);
    assert_eq!(pending["enterprise"]["id"], waiting);
    assert_eq!(pending["enterprise"]["status"], "pending");
    assert_eq!(pending["enterprise"]["name"], COMPANY);
    assert_eq!(pending["enterprise"]["decided_at"], Value::Null);
    assert_eq!(pending["account"]["login"], "xinghe");
    assert_eq!(pending["account"]["disabled"], true);
    assert!(pending.get("token").is_none(), "{pending}");
    problem(enterprise_login(app, "xinghe"), 401, None);
    // The login's refusal, in the login's words, for a wrong password or login.
    for (who, password) in [("xinghe", "password-2"), ("nobody", "password-1")] {
        let refused = problem(registration_status(app, who, password), 401, None);
        assert_eq!(refused["detail"], "the login or the password is wrong");
    }
    problem(
        app.client
            .post_json(
                &format!("{DESK}/registration-status"),
                None,
                &json!({ "login": "xinghe" }),
            )
            .unwrap(),
        400,
        Some("password"),
    );
    (waiting, pending["account"]["id"].clone())
}

/// Even an account an admin enables by hand files nothing for a company
/// not approved.
fn an_account_enabled_by_hand_files_nothing_before_approval(
    app: &TestApp,
    admin: &str,
    user: &Value,
) {
    app.client
        .send_json(
            "PATCH",
            &format!("{TENANT}/admin/users/{user}"),
            Some(admin),
            &json!({ "disabled": false }),
        )
        .unwrap()
        .expect(200);
    let early = app.login(&format!("{TENANT}/auth/login"), "xinghe", "password-1");
    problem(
        app.client
            .post_json(
                &format!("{DESK}/requests"),
                Some(&early),
                &json!({ "kind": "policy_inquiry", "title": "研发", "description": "研发费用怎么扣除？" }),
            )
            .unwrap(),
        403,
        None,
    );
}

/// Refused: the company reads why. Refused is not final: the company puts
/// its papers right and applies again with the same code, and waits for a
/// decision as before.
fn refused_the_company_reads_why_and_may_apply_again(app: &TestApp, admin: &str) {
    let refused = register(app, "911100001000079554", "别家公司", "other");
    decide(
        app,
        admin,
        &refused,
        false,
        "营业执照已过期，请更新后重新提交",
    );
    let rejected = registration_status(app, "other", "password-1").expect(200);
    assert_eq!(rejected["enterprise"]["status"], "rejected");
    assert_eq!(
        rejected["enterprise"]["decision_note"],
        "营业执照已过期，请更新后重新提交"
    );
    assert!(rejected["enterprise"]["decided_at"].is_string());
    assert_eq!(rejected["account"]["disabled"], true);
    problem(enterprise_login(app, "other"), 401, None);
    let again = register(app, "911100001000079554", "别家公司（执照已更新）", "other");
    assert_eq!(again, refused, "one registration per credit code");
    let reopened = registration_status(app, "other", "password-1").expect(200);
    assert_eq!(reopened["enterprise"]["status"], "pending");
    assert_eq!(reopened["enterprise"]["name"], "别家公司（执照已更新）");
    assert_eq!(reopened["enterprise"]["decision_note"], Value::Null);
    assert_eq!(reopened["account"]["disabled"], true);
}

#[test]
fn an_answer_written_directly_hides_the_company_named_and_cites_its_policies() {
    let app = TestApp::product();
    let desk = open_desk(&app);
    let me = app.get(&format!("{DESK}/me"), Some(&desk.firm)).expect(200);
    let policy = |title: &str, body: &str| {
        app.client
            .post_json(
                &format!("{DESK}/policies"),
                Some(&desk.staff),
                &json!({ "title": title, "body": body, "issuer": "开发区管委会",
                             "effective_from": "2026-01-01" }),
            )
            .unwrap()
            .expect(201)["id"]
            .clone()
    };
    let rnd = policy("研发投入补贴办法", "研发投入补贴比例为百分之十五。");
    let rent = policy("小微企业房租减免通知", "符合条件的可减免三个月房租。");
    let publish = |body: Value| {
        app.client
            .post_json(&format!("{DESK}/qa"), Some(&desk.staff), &body)
            .unwrap()
    };
    // The company as staff heard it on the phone: brackets and digits as typed.
    let question = "星河智能科技有限公司（代码 91350100m000100y43）的陈晓明来电：研发补贴和房租减免能同时享受吗？";
    let answer = "可以同时享受，请星河智能科技有限公司按两份文件分别申报。";
    let direct = |extra: Value| {
        let mut body = json!({ "question": question, "answer": answer, "policies": [rent, rnd] });
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };

    // Bad input is refused at its field, and nothing is published.
    problem(
        publish(direct(json!({ "enterprise_id": 999_999 }))),
        404,
        Some("enterprise_id"),
    );
    let unknown = problem(
        publish(direct(json!({ "policies": [rnd, 999_999] }))),
        404,
        Some("policies"),
    );
    assert!(
        unknown["detail"].as_str().unwrap().contains("999999"),
        "{unknown}"
    );
    problem(
        publish(direct(json!({ "policies": "研发" }))),
        400,
        Some("policies"),
    );
    let nothing = app.get(&format!("{DESK}/qa"), None).expect(200);
    assert_eq!(nothing["answers"], json!([]));

    // Without the company named, only numbers and e-mail addresses go.
    let unnamed = publish(direct(json!({}))).expect(201);
    assert!(
        unnamed["question"].as_str().unwrap().contains(COMPANY),
        "{unnamed}"
    );
    let withdrawn = app
        .client
        .send(
            "DELETE",
            &format!("{DESK}/qa/{}", unnamed["id"]),
            Some(&desk.staff),
            None,
        )
        .unwrap();
    assert_eq!(withdrawn.status, 204, "{}", withdrawn.body);

    // Named, it is masked like an inquiry's company.
    let published = publish(direct(json!({ "enterprise_id": me["id"] }))).expect(201);
    assert_eq!(
        published["question"],
        "某企业（代码 ***）的某某来电：研发补贴和房租减免能同时享受吗？"
    );
    assert_eq!(
        published["answer"],
        "可以同时享受，请某企业按两份文件分别申报。"
    );
    let cited = json!([
        { "id": rnd, "title": "研发投入补贴办法", "superseded": false },
        { "id": rent, "title": "小微企业房租减免通知", "superseded": false },
    ]);
    assert_eq!(published["policies"], cited);

    // The search, the suggestions and the single answer cite the same policies.
    let searched = app
        .get(&format!("{DESK}/qa?q={}", urlencode("房租减免")), None)
        .expect(200);
    assert_eq!(searched["answers"][0]["id"], published["id"]);
    assert_eq!(searched["answers"][0]["policies"], cited);
    let suggested = app
        .get(
            &format!(
                "{DESK}/similar-answers?question={}",
                urlencode("研发补贴和房租减免可以一起申请吗")
            ),
            Some(&desk.firm),
        )
        .expect(200);
    assert_eq!(suggested["answers"][0]["policies"], cited);
    let one = app
        .get(&format!("{DESK}/qa/{}", published["id"]), None)
        .expect(200);
    assert_eq!(one["policies"], cited);
    for private in [COMPANY, "陈晓明", "91350100"] {
        assert!(!one.to_string().contains(private), "{private} in {one}");
    }
}

#[test]
fn policies_are_published_with_files_superseded_and_searched() {
    let app = TestApp::product();
    let desk = open_desk(&app);
    let upload = |name: &str, bytes: &[u8]| {
        app.client
            .send(
                "POST",
                &format!("{DESK}/policy-files?name={}", urlencode(name)),
                Some(&desk.staff),
                Some(("application/octet-stream", bytes)),
            )
            .unwrap()
    };
    let pdf = b"%PDF-1.7\n% policy text\n";
    let file = upload("研发补贴办法.pdf", pdf).expect(201);
    assert_eq!(file["content_type"], "application/pdf");
    problem(
        upload("page.pdf", b"<html>not a pdf</html>"),
        415,
        Some("file"),
    );
    let oversize = upload("big.pdf", &[b'%'; (20 << 20) + 1]);
    assert_eq!(oversize.status, 413, "{}", oversize.body);
    problem(
        app.client
            .send(
                "POST",
                &format!("{DESK}/policy-files?name=a.pdf"),
                Some(&desk.firm),
                Some(("application/pdf", pdf)),
            )
            .unwrap(),
        403,
        None,
    );

    let publish = |body: Value| {
        app.client
            .post_json(&format!("{DESK}/policies"), Some(&desk.staff), &body)
            .unwrap()
    };
    problem(
        publish(json!({ "title": "办法", "body": "正文", "issuer": "管委会",
                        "effective_from": "2026-06-01", "effective_to": "2026-01-01" })),
        422,
        Some("effective_to"),
    );
    let old = publish(json!({
        "title": "研发投入补贴办法（2025版）", "body": "研发投入补贴比例为百分之十。",
        "issuer": "开发区管委会", "effective_from": "2025-01-01", "tags": ["科技"]
    }))
    .expect(201);
    let new = publish(json!({
        "title": "研发投入补贴办法（2026版）", "body": "研发投入补贴比例提高到百分之十五。",
        "issuer": "开发区管委会", "effective_from": "2026-01-01", "tags": ["科技", "补贴"],
        "supersedes": old["id"], "files": [file["id"]]
    }))
    .expect(201);
    assert_eq!(new["files"][0]["name"], "研发补贴办法.pdf");
    problem(
        publish(
            json!({ "title": "第三版", "body": "正文", "issuer": "开发区管委会",
                        "effective_from": "2026-02-01", "supersedes": old["id"] }),
        ),
        409,
        None,
    );

    let read_old = app
        .get(&format!("{DESK}/policies/{}", old["id"]), None)
        .expect(200);
    assert_eq!(read_old["superseded"], true);
    assert_eq!(read_old["superseded_by"], new["id"]);
    let served = app.get(&format!("{DESK}/policy-files/{}", file["id"]), None);
    assert_eq!(served.status, 200);
    assert_eq!(served.bytes, pdf);

    let found = |query: &str| -> Vec<Value> {
        let reply = app.get(&format!("{DESK}/policies?{query}"), Some(&desk.firm));
        reply.expect(200)["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect()
    };
    assert_eq!(
        found(&format!("q={}", urlencode("研发投入"))),
        [new["id"].clone()]
    );
    assert_eq!(
        found(&format!("q={}&superseded=true", urlencode("研发投入"))).len(),
        2
    );
    assert_eq!(
        found(&format!("tag={}", urlencode("补贴"))),
        [new["id"].clone()]
    );
    assert_eq!(
        found("in_force=2025-06-01"),
        Vec::<Value>::new(),
        "the 2025 one is superseded"
    );
    assert_eq!(
        found("in_force=2025-06-01&superseded=true"),
        [old["id"].clone()]
    );
    for hostile in ["%22", "NEAR(", "%27%3B%20DROP%20TABLE%20policies", "*"] {
        found(&format!("q={hostile}"));
    }
    problem(
        app.get(&format!("{DESK}/policies?in_force=tomorrow"), None),
        400,
        Some("in_force"),
    );
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
