//! The pages as people use them, in headless Chromium driven by
//! playwright-core (`tests/browser/pages.mjs`), against the real app on the
//! host with the demo tenant: a resident reports with a photo and looks the
//! case up; the command centre dispatches in bulk; a department works a case
//! through to resolution in the console; the grid-worker app queues a report
//! offline and sends it exactly once when the network returns. Screenshots
//! of every page at phone and desktop widths, and each page's first-load
//! size, land in `target/screenshots/`.
//!
//! It needs Node.js, Debian's `chromium` and playwright-core in
//! `tests/browser/node_modules`, which `cargo xtask test` installs; without
//! them it fails and says so.

use std::path::PathBuf;
use std::process::Command;

use crate::sms::{Receiver, field};
use e2e::tools::{self, Tool};
use e2e::{OPERATOR_KEY, TestApp};
use serde_json::{Value, json};

#[test]
fn people_use_the_pages_in_a_browser() {
    let app = TestApp::product_with_env(e2e::LOCAL_RECEIVERS);
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");
    let admin = app.login(
        "/api/t/demo/auth/login",
        xtask::demo::DEMO_ADMIN.0,
        xtask::demo::DEMO_ADMIN.1,
    );
    // The township texts its residents (a local stand-in for Aliyun SMS).
    let sms = Receiver::start(Vec::new());
    app.client
        .send_json(
            "PUT",
            "/api/t/demo/admin/sms",
            Some(&admin),
            &json!({ "provider": "aliyun", "endpoint": sms.url, "access_key_id": "browserId",
                     "access_key_secret": "browserSecret", "sign_name": "金开示范街道",
                     "templates": { "accepted": "SMS_1", "dispatched": "SMS_2", "resolved": "SMS_3",
                                    "closed": "SMS_4", "rate_invitation": "SMS_5" },
                     "enabled": true }),
        )
        .unwrap()
        .expect(200);
    let urban = department_id(&app, &admin, "urban");
    let staff = app
        .client
        .post_json(
            "/api/t/demo/admin/users",
            Some(&admin),
            &json!({ "login": "chengguan", "display_name": "城管队员", "role": "department_staff",
                     "password": "urban-staff-2026", "department_id": urban }),
        )
        .expect("create department staff");
    assert_eq!(staff.status, 201, "{}", staff.body);

    let out = run_scenarios(&app, "pages.mjs");

    // The resident who left a phone heard back at each public step, the
    // invitation to rate last (the page's sweep sent them).
    let texts: Vec<String> = sms
        .got()
        .iter()
        .filter(|form| field(form, "PhoneNumbers") == RESIDENT_PHONE)
        .map(|form| field(form, "TemplateCode").to_string())
        .collect();
    assert_eq!(
        texts,
        ["SMS_1", "SMS_2", "SMS_3", "SMS_4", "SMS_5"],
        "accepted, dispatched, resolved, closed, asked to rate"
    );

    // The offline report reached the API exactly once, whatever the page said.
    let worker = app.login("/api/t/demo/auth/login", "wangwu", "demo-worker-2026");
    let mine = app
        .client
        .get("/api/t/demo/queues/mine?limit=100", Some(&worker))
        .expect("mine queue");
    assert_eq!(mine.status, 200, "{}", mine.body);
    let offline = mine.json()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| {
            c["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("离线上报"))
        })
        .count();
    assert_eq!(offline, 1, "one offline report, sent once: {}", mine.body);
    let sizes: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("page-sizes.json")).expect("page sizes written"),
    )
    .expect("page sizes are JSON");
    for (page, size) in sizes.as_object().expect("sizes by page") {
        let bytes = size["bytes_before_images"].as_u64().expect("bytes");
        assert!(
            bytes < 200 * 1024,
            "{page} loads {bytes} bytes before images"
        );
    }
}

/// The phone the resident leaves in `pages.mjs`.
const RESIDENT_PHONE: &str = "13912345678";

fn department_id(app: &TestApp, admin: &str, code: &str) -> Value {
    let list = app
        .client
        .get("/api/t/demo/admin/departments", Some(admin))
        .expect("departments");
    list.json()["items"]
        .as_array()
        .and_then(|items| items.iter().find(|d| d["code"] == code))
        .map(|d| d["id"].clone())
        .unwrap_or_else(|| panic!("the demo has department {code}: {}", list.body))
}

/// Runs the browser scenarios of `script` (in `tests/browser`, sharing
/// `lib.mjs`) against `app`; fails the test when the script fails or what
/// it needs is missing. Returns the folder of screenshots and page sizes.
pub fn run_scenarios(app: &TestApp, script: &str) -> PathBuf {
    let root = xtask::workspace_root();
    let scripts = root.join("tests/browser");
    let chromium = tools::require(Tool::Chromium);
    tools::require(Tool::Playwright);
    let out = root.join("target/screenshots");
    std::fs::create_dir_all(&out).expect("screenshot folder");
    let run = Command::new("node")
        .arg(scripts.join(script))
        .current_dir(&scripts)
        .env("BASE_URL", app.client.base())
        // For the scheduler's calls a scenario makes (the sweep).
        .env("OPERATOR_KEY", OPERATOR_KEY)
        .env("OUT_DIR", &out)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs (install Node.js 20 or later)");
    println!("{}", String::from_utf8_lossy(&run.stdout));
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "the browser scenarios of {script} failed"
    );
    out
}
