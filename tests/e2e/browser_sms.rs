//! The admin page's SMS section in headless Chromium
//! (`tests/browser/sms.mjs`) on the demo tenant: it says residents get no
//! SMS until a provider is configured, refuses to turn SMS on without the
//! secret, and then says it is on; a resident's report then lists its
//! texts with the number masked. Afterwards the API must hold what the page
//! saved, the secret only as set, and the two texts queued.

use e2e::{OPERATOR_KEY, TestApp};

#[test]
fn the_admin_page_sets_sms_and_says_when_residents_get_none() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("the demo tenant is laid down");

    crate::browser::run_scenarios(&app, "sms.mjs");

    let admin = app.login(
        "/api/t/demo/auth/login",
        xtask::demo::DEMO_ADMIN.0,
        xtask::demo::DEMO_ADMIN.1,
    );
    let settings = app.get("/api/t/demo/admin/sms", Some(&admin)).expect(200);
    assert_eq!(settings["configured"], true, "{settings}");
    assert_eq!(settings["access_key_id"], "LTAI5tDemoKey");
    assert_eq!(settings["sign_name"], "示范街道");
    assert_eq!(settings["templates"]["closed"], "SMS_100004");
    assert_eq!(settings["access_key_secret_set"], true);
    assert!(!settings.to_string().contains("demo-secret-of-aliyun"));
    let deliveries = app
        .get("/api/t/demo/admin/sms/deliveries", Some(&admin))
        .expect(200);
    let items = deliveries["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{deliveries}");
    assert!(
        items
            .iter()
            .all(|d| d["state"] == "pending" && d["phone"] == "139****2222"),
        "queued, not sent (no sweep ran): {deliveries}"
    );
}
