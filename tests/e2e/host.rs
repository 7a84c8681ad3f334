//! The host's behaviours that the product relies on, shown on the probe
//! fixture over real HTTP.

use e2e::{PROBE_SECRET, TestApp};
use serde_json::Value;

#[test]
fn sets_spins_request_headers() {
    let app = TestApp::probe(&[]);
    let reply = app.get("/probe/headers?x=1", None);
    assert_eq!(reply.status, 200);
    let headers: Value = reply.json();
    let expect = |name: &str, value: &str| {
        assert_eq!(headers[name], value, "{name} in {headers}");
    };
    expect(
        "spin-full-url",
        &format!("{}/probe/headers?x=1", app.client.base()),
    );
    expect("spin-path-info", "/headers");
    expect("spin-matched-route", "/probe/...");
    expect("spin-raw-component-route", "/probe/...");
    expect("spin-component-route", "/probe");
    expect("spin-base-path", "/");
    assert!(
        headers["spin-client-addr"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{headers}"
    );
}

#[test]
fn a_client_cannot_spoof_spin_headers() {
    let app = TestApp::probe(&[]);
    let spoofed = raw_get(&app, "/probe/headers", "spin-client-addr: 6.6.6.6:1");
    let spoofed: Value = serde_json::from_str(&spoofed).unwrap();
    let addr = spoofed["spin-client-addr"].as_str().unwrap_or_default();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "the host's value wins: {spoofed}"
    );
}

#[test]
fn unknown_routes_get_a_404_problem() {
    let app = TestApp::probe(&[]);
    let reply = app.get("/nowhere", None);
    assert_eq!(reply.status, 404);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.json()["status"], 404);
}

#[test]
fn exact_route_is_served_and_does_not_match_below_it() {
    let app = TestApp::probe(&[]);
    let exact = app.get("/exact", None);
    assert_ne!(
        exact.content_type, "application/problem+json",
        "reached the component"
    );
    assert_eq!(app.get("/exact/below", None).status, 404);
}

#[test]
fn key_value_and_sqlite_data_survive_requests_and_restarts() {
    let mut app = TestApp::probe(&[]);
    let put = app
        .client
        .send(
            "PUT",
            "/probe/kv/greeting",
            None,
            Some(("text/plain", b"ni hao")),
        )
        .unwrap();
    assert_eq!(put.status, 204, "{}", put.body);
    assert_eq!(app.get("/probe/kv/greeting", None).body, "ni hao");
    let first = app
        .client
        .send("POST", "/probe/sql", None, Some(("text/plain", b"one")))
        .unwrap();
    assert_eq!(first.body, "1");

    app.restart();

    assert_eq!(app.get("/probe/kv/greeting", None).body, "ni hao");
    let second = app
        .client
        .send("POST", "/probe/sql", None, Some(("text/plain", b"two")))
        .unwrap();
    assert_eq!(
        second.body, "2",
        "the row written before the restart is still there"
    );
    assert_eq!(app.get("/probe/kv/absent", None).status, 404);
}

/// The host keeps closed connections for later requests: a transaction a
/// request left open, or was inside when it trapped, must be rolled back,
/// not seen by the next request nor holding the write lock.
#[test]
fn a_transaction_a_request_leaves_open_is_rolled_back() {
    let app = TestApp::probe(&[]);
    let insert = |path: &str, note: &[u8]| {
        app.client
            .send("POST", path, None, Some(("text/plain", note)))
            .unwrap()
    };
    assert_eq!(insert("/probe/sql", b"kept").body, "1");
    let left_open = insert("/probe/sql/abandon", b"left open");
    assert_eq!(left_open.status, 200, "{}", left_open.body);
    let trapped = insert("/probe/sql/abandon-and-trap", b"trapped");
    assert_eq!(trapped.status, 500, "{}", trapped.body);
    for n in 2..=5 {
        let started = std::time::Instant::now();
        let next = insert("/probe/sql", b"kept too");
        assert_eq!(
            next.body,
            n.to_string(),
            "only committed rows count: {}",
            next.body
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "no request waits for a lock an abandoned transaction holds"
        );
    }
}

#[test]
fn a_component_not_granted_a_store_or_database_is_refused() {
    let app = TestApp::probe(&[]);
    let kv = app
        .client
        .send("PUT", "/denied/kv/x", None, Some(("text/plain", b"v")))
        .unwrap();
    assert_eq!(kv.status, 403);
    assert!(kv.body.contains("AccessDenied"), "{}", kv.body);
    let sql = app
        .client
        .send("POST", "/denied/sql", None, Some(("text/plain", b"v")))
        .unwrap();
    assert_eq!(sql.status, 403);
    assert!(sql.body.contains("AccessDenied"), "{}", sql.body);
}

#[test]
fn variables_come_from_the_environment_or_the_manifest_default() {
    let app = TestApp::probe(&[]);
    let secret = app.get("/probe/variable/secret", None);
    assert_eq!(secret.body, PROBE_SECRET);
    let greeting = app.get("/probe/variable/greeting", None);
    assert_eq!(greeting.body, "hello from the manifest");
    let undeclared = app.get("/probe/variable/other", None);
    assert_eq!(
        undeclared.status, 404,
        "a component reads only its own variables"
    );
    // The same wasm under another name declares no variables.
    assert_eq!(app.get("/denied/variable/secret", None).status, 404);
}

#[test]
fn a_trapping_request_fails_alone() {
    let mut app = TestApp::probe(&[]);
    let trap = app.get("/probe/trap", None);
    assert_eq!(trap.status, 500);
    assert_eq!(trap.content_type, "application/problem+json");
    assert!(app.is_running());
    assert_eq!(app.get("/probe/hello", None).body, "hello");
}

#[test]
fn a_request_past_its_time_limit_is_stopped_with_a_500() {
    let mut app = TestApp::probe(&["--request-timeout-secs", "1"]);
    let started = std::time::Instant::now();
    let looping = app.get("/probe/loop", None);
    assert_eq!(looping.status, 500);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(app.is_running());
    assert_eq!(app.get("/probe/hello", None).body, "hello");
}

#[test]
fn request_bodies_over_the_limit_get_413() {
    let app = TestApp::probe(&["--max-body-bytes", "1024"]);
    let small = app
        .client
        .send(
            "POST",
            "/probe/echo-size",
            None,
            Some(("text/plain", &[b'x'; 1024])),
        )
        .unwrap();
    assert_eq!(small.body, "1024");
    let large = app
        .client
        .send(
            "POST",
            "/probe/echo-size",
            None,
            Some(("text/plain", &[b'x'; 1025])),
        )
        .unwrap();
    assert_eq!(large.status, 413);
    assert_eq!(large.content_type, "application/problem+json");
}

#[test]
fn each_request_is_logged_once_with_component_status_and_time() {
    let app = TestApp::probe(&[]);
    app.get("/probe/hello", None);
    let line = app.log_line_for("GET", "/probe/hello").expect("a log line");
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(
        fields[..4],
        ["GET", "/probe/hello", "probe", "200"],
        "{line}"
    );
    assert!(fields[4].ends_with("ms"), "{line}");
    let count = app
        .log_lines()
        .iter()
        .filter(|l| l.starts_with("GET /probe/hello "))
        .count();
    assert_eq!(count, 1);
}

#[test]
fn each_request_gets_a_fresh_instance() {
    let app = TestApp::probe(&[]);
    for _ in 0..3 {
        let reply = app.get("/probe/memory", None);
        assert_eq!(reply.body, "1", "no memory survives between requests");
    }
}

/// A GET with one extra raw header line: the body of the answer.
fn raw_get(app: &TestApp, path: &str, header: &str) -> String {
    let response = app.raw_get(path, &[header]);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    // The probe answers with a content-length body; strip chunk framing if any.
    body.lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or(body)
        .to_string()
}
