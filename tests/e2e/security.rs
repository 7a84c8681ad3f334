//! Attacks over HTTP, each one a request that once worked: forged tokens,
//! leaks through Open311, stale tokens of a tenant created anew, publishing
//! on others' cases, squatted phones, webhooks into the machine, cached
//! hidden photos, control characters, look-up enumeration, stuffed "me
//! too"s, and login throttles that lock out offices or named people.
//! docs/permissions.md and docs/status.md say what is promised instead.

use std::net::Ipv4Addr;

use chrono::{Duration, Utc};
use domain::throttle;
use domain::{Claims, TokenKeys};
use e2e::TestApp;
use serde_json::{Value, json};

use crate::enterprise::open_desk;
use crate::workflow::{admin_creates, grid_worker, setup};

/// The signing secret and operator key `cargo xtask up` once fell back to,
/// written in the source: what anyone could forge tokens with.
const PUBLISHED_JWT_SECRET: &str = "dev-only-jwt-secret-change-me-in-production";
const PUBLISHED_OPERATOR_KEY: &str = "dev-operator-key";

#[test]
fn a_served_app_signs_with_its_own_random_secret_never_a_published_one() {
    // As `cargo xtask up` starts it: secrets drawn into the state folder.
    let state = tempfile::tempdir().unwrap();
    let secrets = xtask::secrets::Secrets::load_or_create(state.path()).unwrap();
    assert_ne!(secrets.jwt_secret, PUBLISHED_JWT_SECRET);
    let app = TestApp::product_with_env(&secrets.env());
    let platform = app.platform_token();
    app.get("/api/platform/tenants", Some(&platform))
        .expect(200);

    let forged = TokenKeys::new(PUBLISHED_JWT_SECRET.as_bytes())
        .issue(&Claims::for_platform_admin(
            "1",
            Utc::now(),
            Duration::hours(1),
        ))
        .unwrap();
    let refused = app.get("/api/platform/tenants", Some(&forged));
    assert_eq!(refused.status, 401, "{}", refused.body);
    let operator = app
        .client
        .post_json(
            "/api/platform/admins",
            Some(PUBLISHED_OPERATOR_KEY),
            &json!({ "login": "intruder", "password": "intruder-pass-1", "display_name": "x" }),
        )
        .unwrap();
    assert_eq!(operator.status, 403, "{}", operator.body);
}

#[test]
fn open311_shows_no_desk_cases_and_masks_people_as_the_status_page_does() {
    let app = TestApp::product();
    let desk = open_desk(&app);
    let secret_question = "星河智能科技有限公司投诉：园区物业乱收费，请保密处理";
    app.client
        .post_json(
            "/api/t/alpha/enterprise/requests",
            Some(&desk.firm),
            &json!({ "kind": "complaint", "title": "物业乱收费", "description": secret_question }),
        )
        .unwrap()
        .expect(201);
    let resident = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾没人收", "name": "李秘密",
                     "phone": "13912345678" }),
        )
        .expect(201);
    let code = resident["tracking_code"].as_str().unwrap().to_string();
    // The centre (here the admin) answers in public, naming the reporter.
    let case_id = resident["id"].clone();
    app.client
        .post_json(
            &format!("/api/t/alpha/cases/{case_id}/comments"),
            Some(&desk.admin),
            &json!({ "text": "已联系李秘密（13912345678）处理完毕", "public": true }),
        )
        .unwrap()
        .expect(201);

    let requests = app.get("/open311/v2/requests.json?jurisdiction_id=alpha", None);
    assert_eq!(requests.status, 200, "{}", requests.body);
    assert!(requests.body.contains(&code), "{}", requests.body);
    for private in ["星河", "物业乱收费", "保密", "91350100"] {
        assert!(
            !requests.body.contains(private),
            "Open311 lists a desk's case ({private}): {}",
            requests.body
        );
    }
    let updates = app.get(
        "/open311/v2/servicerequestupdates.json?jurisdiction_id=alpha",
        None,
    );
    assert_eq!(updates.status, 200, "{}", updates.body);
    assert!(updates.body.contains("已联系某某"), "{}", updates.body);
    for private in ["李秘密", "13912345678"] {
        assert!(!updates.body.contains(private), "{}", updates.body);
    }
    // The status page shows the same note the same way.
    let status = app
        .get(&format!("/api/t/alpha/status/{code}"), None)
        .expect(200);
    assert!(status.to_string().contains("已联系某某"), "{status}");
}

#[test]
fn a_token_dies_with_its_tenant_even_when_the_code_is_taken_again() {
    let app = TestApp::product();
    let old_admin = app.tenant_with_admin("alpha");
    let platform = app.platform_token();
    let old_id = app
        .get("/api/t/alpha/auth/me", Some(&old_admin))
        .expect(200)["subject"]
        .clone();
    for step in [
        ("PUT", "/api/platform/tenants/alpha/status"),
        ("GET", "/api/platform/tenants/alpha/export"),
        ("DELETE", "/api/platform/tenants/alpha"),
    ] {
        let reply = match step.0 {
            "GET" => app.get(step.1, Some(&platform)),
            method => app
                .client
                .send_json(
                    method,
                    step.1,
                    Some(&platform),
                    &json!({ "status": "suspended" }),
                )
                .unwrap(),
        };
        assert!(reply.status < 300, "{step:?}: {}", reply.body);
    }
    assert_eq!(app.create_tenant(&platform, "alpha").status, 201);
    let new_admin = app.login("/api/t/alpha/auth/login", "admin", "admin-password-1");
    let new_id = app
        .get("/api/t/alpha/auth/me", Some(&new_admin))
        .expect(200)["subject"]
        .clone();
    assert_ne!(new_id, old_id, "people's ids are never used twice");
    let stale = app.get("/api/t/alpha/auth/me", Some(&old_admin));
    assert_eq!(stale.status, 401, "{}", stale.body);
    let stale = app.get("/api/t/alpha/admin/users", Some(&old_admin));
    assert_eq!(stale.status, 401, "{}", stale.body);
}

#[test]
fn only_those_who_answer_for_a_case_publish_on_it() {
    let app = TestApp::product();
    let s = setup(&app);
    let worker = grid_worker(&app, &s.admin, "worker");
    let other_department = admin_creates(
        &app,
        &s.admin,
        "departments",
        json!({ "code": "parks", "name": "园林所" }),
    );
    admin_creates(
        &app,
        &s.admin,
        "users",
        json!({ "login": "parks", "display_name": "园林", "role": "department_staff",
                "password": "password-1", "department_id": other_department["id"] }),
    );
    let elsewhere = app.login("/api/t/alpha/auth/login", "parks", "password-1");
    // Routed to sanitation (`s.staff`) at intake.
    let case = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "满了" }),
        )
        .expect(201);
    let comment = |token: &str, public: bool| {
        app.client
            .post_json(
                &format!("/api/t/alpha/cases/{}/comments", case["id"]),
                Some(token),
                &json!({ "text": "我们已处理", "public": public }),
            )
            .unwrap()
    };
    for (who, token) in [("grid worker", &worker), ("another department", &elsewhere)] {
        let refused = comment(token, true);
        assert_eq!(refused.status, 403, "{who}: {}", refused.body);
        assert_eq!(refused.json()["field"], "public", "{who}");
        comment(token, false).expect(201);
    }
    for token in [&s.staff, &s.centre, &s.admin] {
        comment(token, true).expect(201);
    }
    let code = case["tracking_code"].as_str().unwrap();
    let public = app
        .get(&format!("/api/t/alpha/status/{code}"), None)
        .expect(200);
    let notes = public["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["note"] == "我们已处理")
        .count();
    assert_eq!(notes, 3, "only the three allowed are public: {public}");
}

#[test]
fn no_registration_takes_a_phone_as_its_login() {
    let app = TestApp::product();
    let desk = open_desk(&app);
    admin_creates(
        &app,
        &desk.admin,
        "users",
        json!({ "login": "zhang", "display_name": "张", "role": "command_centre",
                "password": "password-1", "phone": "13811119999" }),
    );
    for login in ["13811119999", "+86 138 0000 1234", "88886666"] {
        let body = crate::enterprise::registration("911100001000079554", "冒名公司", login);
        let squat = app
            .client
            .post_json("/api/t/alpha/enterprise/registrations", None, &body)
            .unwrap();
        assert_eq!(squat.status, 409, "{login}: {}", squat.body);
        assert_eq!(squat.json()["field"], "login", "{login}");
        let made = app
            .client
            .post_json(
                "/api/t/alpha/admin/users",
                Some(&desk.admin),
                &json!({ "login": login, "display_name": "x", "role": "grid_worker",
                         "password": "password-1" }),
            )
            .unwrap();
        assert_eq!(made.status, 409, "{login}: {}", made.body);
    }
    // The staff member signs in by phone, however it is written.
    for phone in ["13811119999", "138 1111 9999", "+86 138-1111-9999"] {
        app.login("/api/t/alpha/auth/login", phone, "password-1");
    }
}

#[test]
fn webhooks_never_reach_inside_the_deployment() {
    let app = TestApp::product();
    let s = setup(&app);
    for url in [
        "http://localhost:22/",
        &format!("{}/api/platform/tenants", app.client.base()),
        "https://169.254.169.254/latest/meta-data/",
        "http://[::1]:3000/",
        "http://2130706433/",
        "http://10.1.2.3/hook",
        "http://metadata.google.internal/",
    ] {
        let refused = app
            .client
            .post_json(
                "/api/t/alpha/admin/webhooks",
                Some(&s.admin),
                &json!({ "url": url }),
            )
            .unwrap();
        // Well-formed URLs: the host's reach is what refuses them (422).
        assert_eq!(refused.status, 422, "{url}: {}", refused.body);
        assert_eq!(refused.json()["field"], "url", "{url}");
    }
    app.client
        .post_json(
            "/api/t/alpha/admin/webhooks",
            Some(&s.admin),
            &json!({ "url": "https://receiver.example.cn/grid" }),
        )
        .unwrap()
        .expect(201);
}

#[test]
fn a_hidden_photo_is_never_served_from_a_cache() {
    let app = TestApp::product();
    let s = setup(&app);
    let photo = app.upload("alpha", None, e2e::TINY_JPEG).expect(201)["id"].clone();
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "满了", "attachment_ids": [photo] }),
        )
        .expect(201);
    let path = format!("/api/t/alpha/attachments/{photo}");
    let first = app.get(&path, None);
    assert_eq!(first.status, 200, "{}", first.body);
    let cache = first.header("cache-control").unwrap_or("").to_string();
    let etag = first.header("etag").unwrap().to_string();
    assert!(
        cache.contains("no-cache"),
        "revalidated every time: {cache}"
    );
    assert!(!cache.contains("immutable"), "{cache}");
    let revalidated = app.get_with_headers(&path, None, &[("if-none-match", &etag)]);
    assert_eq!(revalidated.status, 304);

    app.client
        .send_json("PATCH", &path, Some(&s.centre), &json!({ "public": false }))
        .unwrap()
        .expect(200);
    let hidden = app.get_with_headers(&path, None, &[("if-none-match", &etag)]);
    assert_eq!(hidden.status, 404, "a cache asking again learns it is gone");

    // The reporter still sees their own evidence, with their secret.
    let secret = receipt["reporter_secret"].as_str().unwrap();
    let own = app.get_with_headers(&path, None, &[("reporter-secret", secret)]);
    assert_eq!(own.status, 200);
    assert!(own.header("cache-control").unwrap().starts_with("private"));
    let wrong = app.get_with_headers(&path, None, &[("reporter-secret", "not-the-secret")]);
    assert_eq!(wrong.status, 404);
}

#[test]
fn control_characters_in_what_users_type_get_an_answer_not_a_500() {
    let app = TestApp::product();
    let desk = open_desk(&app);
    for path in [
        "/api/t/alpha/enterprise/qa?q=a%00b",
        "/api/t/alpha/enterprise/qa?q=%00",
        "/api/t/alpha/enterprise/policies?q=a%00b",
        "/api/t/alpha/enterprise/policies?q=%01%1F%7F",
        "/api/t/alpha/enterprise/similar-answers?question=%E7%A0%94%00%E5%8F%91",
    ] {
        let reply = app.get(path, Some(&desk.firm));
        assert!(
            (200..500).contains(&reply.status),
            "{path}: {} {}",
            reply.status,
            reply.body
        );
    }
    let report = app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "a\u{0}b\u{1b}[31m" }),
    );
    assert!((200..500).contains(&report.status), "{}", report.body);
}

#[test]
fn open311_look_ups_are_capped_and_their_misses_counted() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let many: Vec<String> = (0..1000).map(|i| format!("AAAAA-{i:05}")).collect();
    let capped = app.get(
        &format!(
            "/open311/v2/requests.json?jurisdiction_id=alpha&service_request_id={}",
            many.join(",")
        ),
        None,
    );
    assert_eq!(capped.status, 400, "{}", capped.body);
    // Single misses count as the status page's do: 30 a minute.
    let (refused, lookup) = app.within_one_rate_window(|address| {
        let mut refused = None;
        for i in 0..40 {
            let miss = app.get_from(
                address,
                &format!("/open311/v2/requests/ZZZZZ-{i:05}.json?jurisdiction_id=alpha"),
            );
            if miss.status == 429 {
                refused = Some((i, miss));
                break;
            }
            assert_eq!(miss.status, 404, "{}", miss.body);
        }
        // And the status page shares the count.
        let lookup = app.get_from(address, "/api/t/alpha/status/ZZZZZ-99999");
        (refused, lookup)
    });
    let (after, refused) = refused.expect("the 31st miss in a minute is refused");
    assert_eq!(after, 30, "{}", refused.body);
    assert!(refused.retry_after.is_some());
    assert_eq!(lookup.status, 429, "{}", lookup.body);
}

#[test]
fn me_too_counts_a_person_once() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let case = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "满了" }),
        )
        .expect(201);
    let code = case["tracking_code"].as_str().unwrap();
    // Through the test client, which retries a busy database's 503 as a
    // well-behaved caller does (46 writes in a row on libSQL under load).
    let press = |device: Option<&str>| -> Value {
        let headers: Vec<(&str, &str)> = device.map(|d| ("device-id", d)).into_iter().collect();
        let reply = app
            .client
            .send_with_headers(
                "POST",
                &format!("/api/t/alpha/reports/{code}/me-too"),
                None,
                &headers,
                Some(("application/json", b"{}")),
            )
            .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    };
    let first = press(Some("phone-one-aaaaaaaa"));
    assert_eq!(
        (first["me_too_count"].as_i64(), first["counted"].as_bool()),
        (Some(1), Some(true))
    );
    for device in [None, Some("phone-one-aaaaaaaa"), Some("phone-two-bbbbbbbb")] {
        for _ in 0..15 {
            let again = press(device);
            assert_eq!(again["me_too_count"], 1, "{again}");
            assert_eq!(again["counted"], false);
        }
    }
    // Another person, at another address, counts.
    let neighbour = app.post_json_from(
        Ipv4Addr::new(127, 0, 0, 7),
        &format!("/api/t/alpha/reports/{code}/me-too"),
        &json!({}),
    );
    assert_eq!(neighbour.status, 200, "{}", neighbour.body);
    assert_eq!(neighbour.json()["me_too_count"], 2);
    let status = app
        .get(&format!("/api/t/alpha/status/{code}"), None)
        .expect(200);
    assert_eq!(status["me_too_count"], 2);
}

#[test]
fn failed_logins_lock_neither_an_office_nor_a_named_person() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let login = |from: [u8; 4], who: &str, password: &str| {
        app.post_json_from(
            Ipv4Addr::from(from),
            "/api/t/alpha/auth/login",
            &json!({ "login": who, "password": password }),
        )
        .status
    };
    let office = [127, 0, 0, 2];
    let stranger = [127, 0, 0, 4];
    // The admin signs in from the office once: it is a known address.
    assert_eq!(login(office, "admin", "admin-password-1"), 200);

    // A colleague in the office mistypes their password again and again:
    // their own pair is slowed, the office is not.
    for _ in 0..8 {
        login(office, "colleague", "wrong-password");
    }
    assert_eq!(login(office, "colleague", "wrong-password"), 429);
    assert_eq!(login(office, "admin", "admin-password-1"), 200);

    // Someone names the admin from four addresses, five guesses each: the
    // account's bar (20) is reached, and the admin is locked for strangers,
    // not where they signed in before.
    for last in 10..14 {
        for _ in 0..throttle::PAIR.free_failures {
            assert_eq!(login([127, 0, 0, last], "admin", "guess-password"), 401);
        }
    }
    assert_eq!(login([127, 0, 0, 10], "admin", "admin-password-1"), 429);
    assert_eq!(login(stranger, "admin", "admin-password-1"), 429);
    assert_eq!(login(office, "admin", "admin-password-1"), 200);

    // A success clears its own pair: the clerk's next typos start afresh.
    admin_creates(
        &app,
        &admin,
        "users",
        json!({ "login": "clerk", "display_name": "文员", "role": "grid_worker",
                "password": "password-1" }),
    );
    let cafe = [127, 0, 0, 5];
    for _ in 0..2 {
        for _ in 0..throttle::PAIR.free_failures - 1 {
            assert_eq!(login(cafe, "clerk", "wrong-password"), 401);
        }
        assert_eq!(login(cafe, "clerk", "password-1"), 200);
    }
}

#[test]
fn a_suspended_tenants_staff_read_no_files_and_the_pages_say_who_may_frame_them() {
    let app = TestApp::product();
    let s = setup(&app);
    let photo = app
        .upload("alpha", Some(&s.centre), e2e::TINY_JPEG)
        .expect(201)["id"]
        .clone();
    let path = format!("/api/t/alpha/attachments/{photo}");
    app.get(&path, Some(&s.centre)).expect(200);
    let platform = app.platform_token();
    app.client
        .send_json(
            "PUT",
            "/api/platform/tenants/alpha/status",
            Some(&platform),
            &json!({ "status": "suspended" }),
        )
        .unwrap()
        .expect(200);
    let refused = app.get(&path, Some(&s.centre));
    assert_eq!(refused.status, 403, "{}", refused.body);

    for page in ["/", "/console.html", "/worker/", "/no-such-page"] {
        let answer = app.get(page, None);
        let csp = answer.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{page}: {csp}");
        assert_eq!(answer.header("x-frame-options"), Some("DENY"), "{page}");
        assert!(answer.header("referrer-policy").is_some(), "{page}");
    }
}
