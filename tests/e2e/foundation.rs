//! The product's components on the host: every route reaches its
//! component, data persists, tenants are apart, bad input gets problems.

use e2e::{OPERATOR_KEY, Runtime, TestApp};
use serde_json::json;

/// A concrete path for a route pattern.
fn sample_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            ":tenant" => "demo",
            ":id" => "1",
            ":code" => "AAAAA-AAAAA",
            ":queue" => "open",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_api_route_reaches_its_component() {
    let app = TestApp::product();
    for route in api::all() {
        let path = sample_path(route.path);
        let body = (route.method == "POST").then_some(("application/json", &b"{}"[..]));
        let reply = app.client.send(route.method, &path, None, body).unwrap();
        // The host logs which component served each request; Spin does
        // not, and there a misrouted request meets another component's
        // router, which the next assertion catches.
        if app.runtime() == Runtime::Host {
            let line = app
                .log_line_for(route.method, &path)
                .unwrap_or_else(|| panic!("no log line for {} {path}", route.method));
            let served_by = line.split(' ').nth(2).unwrap_or_default();
            assert_eq!(
                served_by, route.component,
                "{} {path} should reach '{}' through spin.toml: {line}",
                route.method, route.component
            );
        }
        assert!(
            !reply.body.contains("no route matches") && reply.status != 405,
            "{} {path}: the component has no handler for it: {} {}",
            route.method,
            reply.status,
            reply.body
        );
        assert!(
            reply.status < 500,
            "{} {path}: {} {}",
            route.method,
            reply.status,
            reply.body
        );
    }
}

#[test]
fn the_openapi_document_and_the_pages_are_served() {
    let app = TestApp::product();
    let doc = app.get("/api/openapi.json", None);
    assert_eq!(doc.status, 200);
    assert_eq!(doc.content_type, "application/json");
    let paths = &doc.json()["paths"];
    for route in api::all() {
        assert!(
            paths.get(api::openapi_path(route.path)).is_some(),
            "{} missing from the served document",
            route.path
        );
    }
    let page = app.get("/", None);
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("lang=\"zh-CN\""));
    assert_eq!(app.get("/no-such-page.html", None).status, 404);
    let api = app.get("/api/nothing/here", None);
    assert_eq!(
        (api.status, api.content_type.as_str()),
        (404, "application/problem+json")
    );
}

#[test]
fn migrations_need_the_operator_key_and_are_idempotent() {
    let app = TestApp::product();
    let none = app
        .client
        .post_json("/api/platform/migrations", None, &json!({}))
        .unwrap();
    assert_eq!(none.status, 401);
    let wrong = app
        .client
        .post_json("/api/platform/migrations", Some("guess"), &json!({}))
        .unwrap();
    assert_eq!(wrong.status, 403);
    // `product()` already migrated: nothing is left to apply.
    let again = app
        .client
        .post_json("/api/platform/migrations", Some(OPERATOR_KEY), &json!({}))
        .unwrap();
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["applied"], json!([]));
    assert!(again.json()["latest"].as_u64().is_some_and(|v| v >= 1));
}

#[test]
fn a_tenant_is_onboarded_and_its_admin_logs_in() {
    let app = TestApp::product();
    let token = app.tenant_with_admin("alpha");
    let me = app.get("/api/t/alpha/auth/me", Some(&token));
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["role"], "tenant_admin");
    assert_eq!(me.json()["tenant"]["code"], "alpha");

    let platform = app.platform_token();
    let duplicate = app.create_tenant(&platform, "alpha");
    assert_eq!(duplicate.status, 409, "{}", duplicate.body);
    let listed = app.get("/api/platform/tenants", Some(&platform));
    assert_eq!(listed.json()["tenants"][0]["code"], "alpha");
    let wrong_password = app
        .client
        .post_json(
            "/api/t/alpha/auth/login",
            None,
            &json!({ "login": "admin", "password": "not-the-password" }),
        )
        .unwrap();
    assert_eq!(wrong_password.status, 401);
}

#[test]
fn a_token_of_one_tenant_is_refused_by_another() {
    let app = TestApp::product();
    let alpha = app.tenant_with_admin("alpha");
    let beta = app.tenant_with_admin("beta");
    for path in [
        "/api/t/beta/auth/me",
        "/api/t/beta/cases",
        "/api/t/beta/admin/users",
    ] {
        let reply = app.get(path, Some(&alpha));
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        assert_eq!(reply.content_type, "application/problem+json");
    }
    assert_eq!(app.get("/api/t/beta/cases", Some(&beta)).status, 200);
    let tampered = format!("{alpha}x");
    assert_eq!(app.get("/api/t/alpha/cases", Some(&tampered)).status, 401);
    let platform = app.platform_token();
    assert_eq!(
        app.get("/api/t/alpha/cases", Some(&platform)).status,
        403,
        "a platform token does not open a tenant's cases"
    );
}

#[test]
fn a_resident_reports_and_looks_the_case_up() {
    let mut app = TestApp::product();
    app.tenant_with_admin("alpha");
    app.tenant_with_admin("beta");
    let report = app.post_report(
        "alpha",
        &json!({
            "category": "street_light",
            "description": "路灯不亮",
            "latitude": 30.27,
            "longitude": 120.15
        }),
    );
    assert_eq!(report.status, 201, "{}", report.body);
    let code = report.json()["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 11, "XXXXX-XXXXX: {code}");

    let status = app.get(&format!("/api/t/alpha/status/{code}"), None);
    assert_eq!(status.status, 200, "{}", status.body);
    let public = status.json();
    assert_eq!(public["state"], "reported");
    assert_eq!(public["category"], "street_light");
    for private in ["latitude", "longitude", "reporter", "description"] {
        assert!(
            public.get(private).is_none(),
            "{private} is not public: {public}"
        );
    }
    let lower = code.to_lowercase().replace('-', "");
    assert_eq!(
        app.get(&format!("/api/t/alpha/status/{lower}"), None)
            .status,
        200,
        "codes are read leniently"
    );
    for (path, why) in [
        (
            format!("/api/t/beta/status/{code}"),
            "another tenant's code",
        ),
        (
            "/api/t/alpha/status/AAAAA-AAAAA".to_string(),
            "an unknown code",
        ),
        (
            "/api/t/alpha/status/not-a-code!".to_string(),
            "a malformed code",
        ),
        (format!("/api/t/nobody/status/{code}"), "an unknown tenant"),
    ] {
        let reply = app.get(&path, None);
        assert_eq!(reply.status, 404, "{why}: {}", reply.body);
    }

    app.restart();
    let after = app.get(&format!("/api/t/alpha/status/{code}"), None);
    assert_eq!(after.status, 200, "the case survives a restart");
}

#[test]
fn staff_move_a_case_and_a_stale_version_gets_409() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let report = app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "垃圾未清运" }),
    );
    assert_eq!(report.status, 201, "{}", report.body);
    let id = report.json()["id"].as_i64().unwrap();
    let path = format!("/api/t/alpha/cases/{id}/actions");

    let accepted = app
        .client
        .post_json(
            &path,
            Some(&admin),
            &json!({ "version": 1, "action": "accept" }),
        )
        .unwrap();
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.json()["state"], "accepted");
    assert_eq!(accepted.json()["version"], 2);

    let stale = app
        .client
        .post_json(
            &path,
            Some(&admin),
            &json!({ "version": 1, "action": "register" }),
        )
        .unwrap();
    assert_eq!(stale.status, 409, "{}", stale.body);

    let illegal = app
        .client
        .post_json(
            &path,
            Some(&admin),
            &json!({ "version": 2, "action": "close" }),
        )
        .unwrap();
    assert_eq!(illegal.status, 409, "{}", illegal.body);
    let detail = illegal.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        detail.contains("accepted") && detail.contains("close"),
        "{detail}"
    );

    let case = app.get(&format!("/api/t/alpha/cases/{id}"), Some(&admin));
    assert_eq!(case.status, 200);
    let case = case.json();
    assert_eq!(case["state"], "accepted");
    assert_eq!(case["timeline"].as_array().map(Vec::len), Some(2));
    assert!(
        case["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "register")
    );
}

#[test]
fn bad_input_gets_a_problem_naming_the_field() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let check = |body: &[u8], status: u16, field: Option<&str>| {
        let reply = app
            .client
            .send(
                "POST",
                "/api/t/alpha/reports",
                None,
                Some(("application/json", body)),
            )
            .unwrap();
        assert_eq!(
            reply.status,
            status,
            "{}: {}",
            String::from_utf8_lossy(body),
            reply.body
        );
        assert_eq!(reply.content_type, "application/problem+json");
        let problem = reply.json();
        assert!(problem["type"].as_str().is_some() && problem["title"].as_str().is_some());
        if let Some(field) = field {
            assert_eq!(problem["field"], field, "{}", reply.body);
        }
    };
    check(b"{not json", 400, None);
    check(br#"{"description": "x"}"#, 400, Some("category"));
    check(
        br#"{"category": 5, "description": "x"}"#,
        400,
        Some("category"),
    );
    check(
        br#"{"category": "garbage", "description": "x", "latitude": 91, "longitude": 0}"#,
        400,
        Some("latitude"),
    );
    check(
        br#"{"category": "garbage", "description": ""}"#,
        400,
        Some("description"),
    );
    check(
        br#"{"category": "garbage", "description": "x", "surprise": 1}"#,
        400,
        Some("surprise"),
    );
    let unknown_tenant = app.post_report(
        "nobody",
        &json!({ "category": "garbage", "description": "x" }),
    );
    assert_eq!(unknown_tenant.status, 404);
    let big = vec![b' '; (1 << 20) + 1];
    check(&big, 413, None);
}
