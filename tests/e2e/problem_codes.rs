//! Every problem carries its `code` (`domain::ProblemCode`): the errors a
//! resident and staff meet, each answered with its status, its code and,
//! for a wait, `Retry-After`; every code answered is one the OpenAPI
//! document enumerates (its `Problem` schema's `code`).

use crate::workflow::{Setup, get_case, problem, setup, try_act};
use e2e::{Reply, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// The codes the served document lists for a problem's `code`.
fn documented(app: &TestApp) -> BTreeSet<String> {
    let document = app.get("/api/openapi.json", None).expect(200);
    document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .expect("the document enumerates the codes")
        .iter()
        .map(|c| c.as_str().expect("a code").to_string())
        .collect()
}

/// A problem of `status` with `code`, which the document lists.
#[track_caller]
fn coded(codes: &BTreeSet<String>, reply: Reply, status: u16, code: &str) -> Value {
    let body = problem(reply, status, None);
    assert_eq!(body["code"], code, "{body}");
    assert!(codes.contains(code), "{code} is not in the document");
    body
}

/// `Retry-After` of a refusal: whole seconds, within `max`.
#[track_caller]
fn retry_after(reply: &Reply, max: i64) -> i64 {
    let seconds: i64 = reply
        .header("retry-after")
        .unwrap_or_else(|| panic!("Retry-After on {}", reply.body))
        .parse()
        .expect("whole seconds");
    assert!((1..=max).contains(&seconds), "Retry-After {seconds}");
    seconds
}

#[test]
fn a_resident_meets_each_refusal_by_its_code() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let codes = documented(&app);

    let lookup = |path: &str| app.get(path, None);
    // No component serves it: the web component answers as the API does.
    coded(&codes, lookup("/api/no-such-route"), 404, "not_found");
    coded(
        &codes,
        lookup("/api/t/nowhere/status/AAAAA-AAAAA"),
        404,
        "unknown_tenant",
    );
    coded(
        &codes,
        lookup("/api/t/alpha/status/AAAAA-AAAAA"),
        404,
        "unknown_tracking_code",
    );

    let wrong = app.post_report(
        "alpha",
        &json!({ "category": "no_such_thing", "description": "路灯坏了" }),
    );
    let body = coded(&codes, wrong, 400, "unknown_category");
    assert_eq!(body["field"], "category");

    let report = json!({ "category": "street_light", "description": "路灯坏了", "latitude": 30.2741, "longitude": 120.1551 });
    let receipt = app.post_report("alpha", &report).expect(201);
    let near = json!({ "category": "street_light", "description": "这里路灯不亮", "latitude": 30.2745, "longitude": 120.1552 });
    let offered = coded(
        &codes,
        app.post_report("alpha", &near),
        409,
        "duplicate_nearby",
    );
    assert_eq!(
        offered["duplicates"][0]["tracking_code"],
        receipt["tracking_code"]
    );

    let mine = format!(
        "/api/t/alpha/status/{}",
        receipt["tracking_code"].as_str().unwrap()
    );
    let not_theirs = app.get_with_headers(&mine, None, &[("reporter-secret", "not-the-secret")]);
    coded(&codes, not_theirs, 403, "wrong_reporter_secret");

    // Misses are braked: the 31st look-up of a minute waits out the minute.
    let refused = app.within_one_rate_window(|address| {
        for _ in 0..30 {
            let miss = app.get_from(address, "/api/t/alpha/status/AAAAA-AAAAB");
            assert_eq!(miss.status, 404, "{}", miss.body);
        }
        app.get_from(address, "/api/t/alpha/status/AAAAA-AAAAB")
    });
    retry_after(&refused, 60);
    coded(&codes, refused, 429, "too_many_lookups");
}

#[test]
fn staff_meet_each_refusal_by_its_code() {
    let app = TestApp::product();
    let s = setup(&app);
    let codes = documented(&app);

    a_wrong_password_and_then_the_wait(&app, &codes);
    a_stale_version_and_a_step_not_allowed(&app, &s, &codes);
    a_session_that_ended(&app, &codes);
}

fn a_wrong_password_and_then_the_wait(app: &TestApp, codes: &BTreeSet<String>) {
    let from = Ipv4Addr::new(127, 0, 0, 77);
    let attempt = || {
        app.post_json_from(
            from,
            "/api/t/alpha/auth/login",
            &json!({ "login": "staff", "password": "not-the-password" }),
        )
    };
    for _ in 0..5 {
        coded(codes, attempt(), 401, "wrong_login");
    }
    let slowed = attempt();
    // The first wait after five failures is half a minute (domain::throttle).
    retry_after(&slowed, 30);
    coded(codes, slowed, 429, "too_many_logins");
}

fn a_stale_version_and_a_step_not_allowed(app: &TestApp, s: &Setup, codes: &BTreeSet<String>) {
    app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "垃圾没人清", "insist": true }),
    )
    .expect(201);
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
    let case = get_case(app, &s.staff, &inbox["cases"][0]["id"]);
    try_act(app, &s.staff, &case, json!({ "action": "sign_for" })).expect(200);
    // The same step again from the case as it was: someone changed it first.
    let stale = coded(
        codes,
        try_act(app, &s.staff, &case, json!({ "action": "sign_for" })),
        409,
        "version_conflict",
    );
    assert_eq!(stale["field"], "version");
    // From the case as it is now: signed for already, it cannot be again.
    let now = get_case(app, &s.staff, &case["id"]);
    coded(
        codes,
        try_act(app, &s.staff, &now, json!({ "action": "sign_for" })),
        409,
        "step_not_allowed",
    );
}

fn a_session_that_ended(app: &TestApp, codes: &BTreeSet<String>) {
    coded(
        codes,
        app.get("/api/t/alpha/auth/me", None),
        401,
        "not_signed_in",
    );
    let token = app.login("/api/t/alpha/auth/login", "centre", "password-1");
    app.client
        .post_json("/api/t/alpha/auth/logout", Some(&token), &json!({}))
        .unwrap()
        .expect(200);
    coded(
        codes,
        app.get("/api/t/alpha/auth/me", Some(&token)),
        401,
        "session_expired",
    );
}
