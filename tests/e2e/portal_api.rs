//! What the resident portal relies on from the API: a category says
//! whether its reports need a place (`place_required`, true unless the
//! tenant admin says otherwise), and the intake refuses a report without
//! one naming `latitude`; the reporter's look-up says whether rating is
//! open and, until the case is closed, what must happen first and by when,
//! and the rating route refuses a rating before closure.

use e2e::TestApp;
use serde_json::{Value, json};

use crate::workflow::{Setup, act, admin_creates, result_photo, setup};

#[test]
fn a_category_says_whether_its_reports_need_a_place() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let light = admin_creates(
        &app,
        &admin,
        "categories",
        json!({ "code": "pothole", "name_zh": "道路坑洼", "name_en": "Pothole",
                "response_hours": 2, "resolution_hours": 24 }),
    );
    assert_eq!(
        light["place_required"], true,
        "a place unless said otherwise"
    );
    let question = admin_creates(
        &app,
        &admin,
        "categories",
        json!({ "code": "policy_question", "name_zh": "政策咨询", "name_en": "Policy question",
                "response_hours": 2, "resolution_hours": 24, "place_required": false }),
    );
    assert_eq!(question["place_required"], false);
    // The public list (the portal's category picker) carries it.
    let public = app.get("/api/t/alpha/admin/categories", None).expect(200);
    let listed = |code: &str| -> Value {
        public["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .map(|c| c["place_required"].clone())
            .unwrap_or_else(|| panic!("{code} listed: {public}"))
    };
    assert_eq!(
        (listed("pothole"), listed("policy_question")),
        (json!(true), json!(false))
    );

    let report = |category: &str, place: Value| {
        let mut body = json!({ "category": category, "description": "门口有个大坑" });
        body.as_object_mut()
            .unwrap()
            .extend(place.as_object().unwrap().clone());
        app.post_report("alpha", &body)
    };
    let refused = report("pothole", json!({})).expect(422);
    assert_eq!(refused["field"], "latitude", "{refused}");
    assert!(
        refused["detail"].as_str().unwrap().contains("道路坑洼"),
        "the problem names the category: {refused}"
    );
    assert_eq!(
        report("pothole", json!({ "address": " " })).expect(422)["field"],
        "latitude",
        "a blank address is no place"
    );
    for (place, kind) in [
        (json!({ "latitude": 30.27, "longitude": 120.15 }), "a point"),
        (json!({ "address": "文三路 10 号门口" }), "an address"),
    ] {
        let sent = report("pothole", place);
        assert_eq!(sent.status, 201, "{kind}: {}", sent.body);
    }
    let placeless = report("policy_question", json!({}));
    assert_eq!(placeless.status, 201, "{}", placeless.body);

    // The tenant admin changes the rule; the intake follows it at once.
    let changed = app
        .client
        .send_json(
            "PATCH",
            &format!("/api/t/alpha/admin/categories/{}", light["id"]),
            Some(&admin),
            &json!({ "place_required": false }),
        )
        .unwrap()
        .expect(200);
    assert_eq!(changed["place_required"], false);
    assert_eq!(report("pothole", json!({})).status, 201);
}

#[test]
fn rating_opens_when_the_case_is_closed_and_the_look_up_says_when() {
    let app = TestApp::product();
    let s = setup(&app);
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾三天没人收" }),
        )
        .expect(201);
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    let secret = receipt["reporter_secret"].as_str().unwrap().to_string();
    let look_up = || {
        app.get_with_headers(
            &format!("/api/t/alpha/status/{code}"),
            None,
            &[("reporter-secret", &secret)],
        )
        .expect(200)
    };
    let rate = || {
        let body = json!({ "score": 5 }).to_string();
        app.client
            .send_with_headers(
                "POST",
                &format!("/api/t/alpha/reports/{code}/rating"),
                None,
                &[("reporter-secret", &secret)],
                Some(("application/json", body.as_bytes())),
            )
            .unwrap()
    };

    // Dispatched by the garbage rule: rating waits for the department,
    // by the resolution deadline the look-up already shows.
    let dispatched = look_up();
    assert_eq!(dispatched["state"], "dispatched");
    let form = &dispatched["reporter"]["rating_form"];
    assert_eq!(form["open"], false, "{form}");
    assert_eq!(form["opens_after"], "resolution");
    assert!(form["expected_by"].is_string(), "{form}");
    assert_eq!(
        form["expected_by"],
        dispatched["deadlines"]["resolution"]["due_at"]
    );
    let early = rate().expect(409);
    assert!(
        early["detail"].as_str().unwrap().contains("closed"),
        "{early}"
    );

    let case = resolve(&app, &s);
    let resolved = look_up();
    let form = &resolved["reporter"]["rating_form"];
    assert_eq!(
        (&form["open"], &form["opens_after"], &form["expected_by"]),
        (&json!(false), &json!("verification"), &Value::Null),
        "resolved: the centre checks it first"
    );
    rate().expect(409);

    let case = act(&app, &s.centre, &case, json!({ "action": "verify" }));
    act(&app, &s.centre, &case, json!({ "action": "close" }));
    let closed = look_up();
    let form = &closed["reporter"]["rating_form"];
    assert_eq!(
        (&form["open"], &form["opens_after"]),
        (&json!(true), &Value::Null)
    );
    assert_eq!(rate().expect(200)["rating"], 5);
    assert_eq!(look_up()["reporter"]["rating_form"]["score"], 5);
}

/// The department resolves the inbox's case; the case after it.
fn resolve(app: &TestApp, s: &Setup) -> Value {
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
    let mut case = inbox["cases"][0].clone();
    for action in ["sign_for", "start_work"] {
        case = act(app, &s.staff, &case, json!({ "action": action }));
    }
    let photo = result_photo(app, &s.staff);
    act(
        app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": "已清运", "attachment_ids": [photo] }),
    )
}
