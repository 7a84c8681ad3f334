//! The address a township publishes for its residents, `/t/{tenant}/`,
//! serves the resident portal (the `web` component's path mapping), which
//! reads the tenant from the address; nothing else lives under `/t/`.

use e2e::TestApp;

/// The portal's page as it lies in `static/`.
fn portal() -> String {
    std::fs::read_to_string(xtask::workspace_root().join("static/index.html"))
        .expect("static/index.html")
}

#[test]
fn a_townships_address_serves_the_resident_portal() {
    let app = TestApp::product();
    let page = portal();
    for path in [
        "/",
        "/t/demo/",
        "/t/demo",
        "/t/demo/index.html",
        "/t/jinkai-2/",
    ] {
        // No Accept-Encoding: the page as it is.
        let reply = app.get(path, None);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
        assert_eq!(reply.body, page, "GET {path} is the resident portal");
        assert!(
            reply.content_type.starts_with("text/html"),
            "{path}: {}",
            reply.content_type
        );
        assert!(
            reply
                .header("content-security-policy")
                .is_some_and(|csp| csp.contains("script-src 'self'")),
            "{path}: the pages' policy"
        );
    }
    // The portal's files are named from the root, so they load under /t/ too.
    for asset in ["/app.js", "/common.js", "/app.css"] {
        assert!(
            page.contains(&format!("\"{asset}\"")),
            "index.html names {asset} from the root"
        );
    }
}

#[test]
fn nothing_else_lives_under_a_townships_address() {
    let app = TestApp::product();
    for path in [
        "/t/",
        "/t//",
        "/t/demo/app.js",
        "/t/demo/board.html",
        "/t/demo/worker/",
    ] {
        let reply = app.get(path, None);
        assert_eq!(reply.status, 404, "GET {path}: {}", reply.body);
    }
}
