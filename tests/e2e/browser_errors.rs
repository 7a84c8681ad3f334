//! What the pages say when the API refuses, in headless Chromium
//! (`tests/browser/errors.mjs`) on the demo tenant: an unknown tracking
//! code and braked look-ups on the resident portal, a refused and then
//! slowed-down sign-in on the console, each in the page's Chinese words
//! with the wait from `Retry-After`; the township named by its Chinese
//! name; no English on any Chinese page (`noEnglish`). Afterwards the API
//! must have answered what the pages said.

use e2e::{OPERATOR_KEY, TestApp};

#[test]
fn the_pages_say_in_chinese_what_the_api_refused_and_when_to_try_again() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");

    crate::browser::run_scenarios(&app, "errors.mjs");

    // The pages' words came from the codes the API sent.
    // Braked while the minute lasts (the brake counts in fixed one-minute
    // windows, which the scenario may outlive): either way, the code says
    // which.
    let miss = app.get("/api/t/demo/status/AAAAA-AAAAA", None);
    let expected = match miss.status {
        429 => "too_many_lookups",
        404 => "unknown_tracking_code",
        other => panic!("a look-up of an unknown code is 404 or braked, not {other}"),
    };
    assert_eq!(miss.json()["code"], expected, "{}", miss.body);
    let (login, password) = xtask::demo::DEMO_ADMIN;
    let admin = app.login("/api/t/demo/auth/login", login, password);
    let me = app.get("/api/t/demo/auth/me", Some(&admin)).expect(200);
    assert_eq!(me["tenant"]["name"], "金开示范街道", "{me}");
}
