//! The public side over HTTP: a case looked up by its code as it is worked
//! (privacy, deadlines, result photos, hidden files, caching), the
//! reporter's own view, the board with its figures and map, notices, and
//! the look-up's 404s and rate limit.

use crate::workflow::{act, ok, result_photo, setup};
use e2e::TestApp;
use serde_json::{Value, json};

/// A GET with extra headers; (status, ETag, Cache-Control, body).
struct Answer {
    status: u16,
    etag: Option<String>,
    cache_control: Option<String>,
    /// How many SQL statements the request sent, from `Server-Timing`.
    statements: Option<u32>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = ureq::get(&format!("{}{path}", app.client.base()));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{path}: {e}"),
    };
    Answer {
        status: response.status(),
        etag: response.header("etag").map(str::to_string),
        cache_control: response.header("cache-control").map(str::to_string),
        statements: response
            .header("server-timing")
            .and_then(|t| t.strip_prefix("sql;desc=\""))
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse().ok()),
        body: response.into_string().unwrap_or_default(),
    }
}

const NAME: &str = "赵六";
const PHONE: &str = "13911112222";
const ADDRESS: &str = "幸福里7幢301";

#[test]
fn a_case_is_published_as_it_is_worked_and_never_shows_the_reporter() {
    let app = TestApp::product();
    let s = setup(&app);
    let evidence = ok(app.upload("alpha", None, e2e::TINY_JPEG), 201)["id"].clone();
    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": format!("垃圾堆了三天，我是{NAME}，电话{PHONE}"),
                     "name": NAME, "phone": PHONE, "address": ADDRESS,
                     "latitude": 30.274_123, "longitude": 120.156_789, "attachment_ids": [evidence] }),
        ),
        201,
    );
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    let secret = receipt["reporter_secret"].as_str().unwrap().to_string();
    let path = format!("/api/t/alpha/status/{code}");

    let first = get(&app, &path, &[]);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.cache_control.as_deref(), Some("public, max-age=60"));
    let etag = first.etag.clone().expect("an ETag");
    let same = get(&app, &path, &[("if-none-match", &etag)]);
    assert_eq!((same.status, same.body.as_str()), (304, ""));

    // The department works the case; its ETag changes with it.
    let inbox = ok(
        app.client
            .get("/api/t/alpha/queues/inbox", Some(&s.staff))
            .unwrap(),
        200,
    );
    let case = inbox["cases"][0].clone();
    let case = act(&app, &s.staff, &case, json!({ "action": "sign_for" }));
    let case = act(&app, &s.staff, &case, json!({ "action": "start_work" }));
    let photo = result_photo(&app, &s.staff);
    let case = act(
        &app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": format!("已清运，已电话告知{NAME}"), "attachment_ids": [photo] }),
    );
    ok(
        app.client
            .post_json(
                &format!("/api/t/alpha/cases/{}/comments", case["id"]),
                Some(&s.centre),
                &json!({ "text": "内部：此户多次投诉", "public": false }),
            )
            .unwrap(),
        201,
    );
    let case = act(&app, &s.centre, &case, json!({ "action": "verify" }));
    act(&app, &s.centre, &case, json!({ "action": "close" }));

    let worked = get(&app, &path, &[("if-none-match", &etag)]);
    assert_eq!(worked.status, 200, "a change to the case changes its ETag");
    let public = worked.json();
    assert_eq!(public["status"]["zh"], "已办结");
    assert_eq!(public["outcome"], "resolved");
    assert_eq!(public["deadlines"]["resolution"]["status"], "kept");
    let steps: Vec<(&str, &str)> = public["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["by"].as_str().unwrap()))
        .collect();
    assert!(steps.contains(&("resolve", "环卫所")), "{steps:?}");
    let answer = public["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "resolve")
        .unwrap();
    assert_eq!(answer["note"], "已清运，已电话告知某某");
    let files: Vec<(i64, &str)> = public["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_i64().unwrap(), a["purpose"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [
            (evidence.as_i64().unwrap(), "evidence"),
            (photo.as_i64().unwrap(), "result")
        ]
    );
    for private in [
        NAME,
        PHONE,
        ADDRESS,
        "幸福里",
        "30.27",
        "120.15",
        "此户多次投诉",
        "staff",
        "centre",
    ] {
        assert!(
            !worked.body.contains(private),
            "{private} leaked: {}",
            worked.body
        );
    }

    // Staff hide the reporter's photo: it leaves the public view and its download.
    ok(
        app.client
            .send_json(
                "PATCH",
                &format!("/api/t/alpha/attachments/{evidence}"),
                Some(&s.staff),
                &json!({ "public": false }),
            )
            .unwrap(),
        200,
    );
    let hidden = get(&app, &path, &[]).json();
    assert_eq!(
        hidden["attachments"].as_array().unwrap().len(),
        1,
        "{hidden}"
    );
    assert_eq!(
        app.client
            .get(&format!("/api/t/alpha/attachments/{evidence}"), None)
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        app.client
            .get(&format!("/api/t/alpha/attachments/{photo}"), None)
            .unwrap()
            .status,
        200
    );

    // The reporter, with their secret, sees their own parts and the rating form.
    let own = get(&app, &path, &[("reporter-secret", &secret)]);
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.cache_control.as_deref(), Some("private, no-cache"));
    let reporter = &own.json()["reporter"];
    assert_eq!(reporter["contact"]["name"], NAME);
    assert_eq!(reporter["address"], ADDRESS);
    assert_eq!(
        reporter["attachments"].as_array().unwrap().len(),
        2,
        "their own hidden evidence too"
    );
    assert_eq!(reporter["rating_form"]["open"], true);
    assert_eq!(get(&app, &path, &[("reporter-secret", "0000")]).status, 403);
    assert!(get(&app, &path, &[]).json().get("reporter").is_none());

    // Open311 shows the same decision: no reporter, masked text, no address.
    let open311 = app
        .client
        .get(
            &format!("/open311/v2/requests/{code}.json?jurisdiction_id=alpha"),
            None,
        )
        .unwrap();
    assert_eq!(open311.status, 200, "{}", open311.body);
    for private in [NAME, PHONE, ADDRESS, "30.274123"] {
        assert!(
            !open311.body.contains(private),
            "{private} leaked to Open311: {}",
            open311.body
        );
    }
}

/// A public look-up is kept in the key-value store and answered again with
/// no SQL statement at all; any write to the tenant, and its deletion by
/// the platform, leave the kept answer behind (`edge::snapshots`).
#[test]
fn a_kept_look_up_needs_no_database_and_any_write_leaves_it_behind() {
    let app = TestApp::product();
    let s = setup(&app);
    let receipt = ok(
        app.post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾桶满了" }),
        ),
        201,
    );
    let path = format!(
        "/api/t/alpha/status/{}",
        receipt["tracking_code"].as_str().unwrap()
    );
    let first = get(&app, &path, &[]);
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.statements > Some(0), "made from the database");
    let kept = get(&app, &path, &[]);
    assert_eq!(kept.statements, Some(0), "kept: {}", kept.body);
    assert_eq!((&kept.body, &kept.etag), (&first.body, &first.etag));
    let unchanged = get(
        &app,
        &path,
        &[("if-none-match", first.etag.as_deref().unwrap())],
    );
    assert_eq!((unchanged.status, unchanged.statements), (304, Some(0)));

    // The department signs for the case: the next look-up shows it at once.
    let inbox = ok(
        app.client
            .get("/api/t/alpha/queues/inbox", Some(&s.staff))
            .unwrap(),
        200,
    );
    act(
        &app,
        &s.staff,
        &inbox["cases"][0],
        json!({ "action": "sign_for" }),
    );
    let signed = get(&app, &path, &[]);
    assert!(signed.statements > Some(0));
    assert_ne!(signed.json()["status"], first.json()["status"]);
    assert_eq!(get(&app, &path, &[]).statements, Some(0));

    // The platform deletes the tenant: nothing kept outlives it.
    let platform = app.platform_token();
    let tenant = "/api/platform/tenants/alpha";
    ok(
        app.client
            .send_json(
                "PUT",
                &format!("{tenant}/status"),
                Some(&platform),
                &json!({ "status": "suspended" }),
            )
            .unwrap(),
        200,
    );
    assert_eq!(
        get(&app, &path, &[]).status,
        200,
        "a suspended tenant's look-ups go on"
    );
    ok(
        app.client
            .get(&format!("{tenant}/export"), Some(&platform))
            .unwrap(),
        200,
    );
    ok(
        app.client
            .send("DELETE", tenant, Some(&platform), None)
            .unwrap(),
        200,
    );
    let gone = get(&app, &path, &[]);
    assert_eq!(gone.status, 404, "{}", gone.body);
}

#[test]
fn unknown_codes_are_the_same_404_and_misses_are_rate_limited() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    app.tenant_with_admin("beta");
    let theirs = ok(
        app.post_report(
            "beta",
            &json!({ "category": "garbage", "description": "乙方" }),
        ),
        201,
    );
    let their_code = theirs["tracking_code"].as_str().unwrap();
    let answers: Vec<Answer> = [their_code, "AAAAA-AAAAA", "not-a-code"]
        .iter()
        .map(|code| get(&app, &format!("/api/t/alpha/status/{code}"), &[]))
        .collect();
    for answer in &answers {
        assert_eq!(answer.status, 404, "{}", answer.body);
        assert_eq!(answer.body, answers[0].body, "every miss reads the same");
    }
    // Hits are not counted: a resident may check their case again and again.
    for _ in 0..35 {
        let hit = get(&app, &format!("/api/t/beta/status/{their_code}"), &[]);
        assert_eq!(hit.status, 200, "{}", hit.body);
    }
    // 30 misses a minute per address: then every look-up is refused, hits too.
    let (statuses, refused) = app.within_one_rate_window(|address| {
        let statuses: Vec<u16> = (0..31)
            .map(|_| {
                app.get_from(address, "/api/t/alpha/status/AAAAA-AAAAB")
                    .status
            })
            .collect();
        let hit = app.get_from(address, &format!("/api/t/beta/status/{their_code}"));
        (statuses, hit)
    });
    assert_eq!(statuses[..30], [404; 30], "{statuses:?}");
    assert_eq!(statuses[30], 429, "{statuses:?}");
    assert_eq!(refused.status, 429, "{}", refused.body);
}

#[test]
fn the_board_lists_counts_and_maps_cases_and_notices_reach_their_community() {
    let app = TestApp::product();
    let s = setup(&app);
    let grid = |parent: Value, level: &str, code: &str, geometry: Value| -> Value {
        ok(
            app.client
                .post_json(
                    "/api/t/alpha/admin/grid",
                    Some(&s.admin),
                    &json!({ "parent_id": parent, "level": level, "code": code, "name": format!("{code}名"), "geometry": geometry }),
                )
                .unwrap(),
            201,
        )["id"]
            .clone()
    };
    let township = grid(Value::Null, "township", "T", Value::Null);
    let c1 = grid(township.clone(), "community", "C1", Value::Null);
    let c2 = grid(township.clone(), "community", "C2", Value::Null);
    let g1 = grid(c1.clone(), "grid", "G1", Value::Null);
    let square = json!({ "type": "Polygon", "coordinates": [[[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]] });
    grid(g1.clone(), "micro_grid", "M1", square);
    let report = |category: &str| {
        ok(
            app.post_report("alpha", &json!({ "category": category, "description": "x", "latitude": 30.005, "longitude": 120.005, "insist": true })),
            201,
        )["tracking_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let codes: Vec<String> = ["garbage", "street_light", "garbage"]
        .iter()
        .map(|c| report(c))
        .collect();

    let page = get(&app, "/api/t/alpha/board?limit=2", &[]).json();
    let listed: Vec<&str> = page["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tracking_code"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [codes[2].as_str(), codes[1].as_str()]);
    assert!(page["cases"][0].get("timeline").is_none());
    assert_eq!(page["cases"][0]["place"]["label"], "C1名 · G1名");
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = get(
        &app,
        &format!("/api/t/alpha/board?limit=2&cursor={cursor}"),
        &[],
    )
    .json();
    assert_eq!(next["cases"][0]["tracking_code"], codes[0].as_str());
    let lights = get(
        &app,
        "/api/t/alpha/board?category=street_light&community=C1&status=open",
        &[],
    )
    .json();
    assert_eq!(lights["cases"].as_array().unwrap().len(), 1, "{lights}");
    for (query, field) in [
        ("status=done", "status"),
        ("community=NOPE", "community"),
        ("limit=0", "limit"),
        ("cursor=x", "cursor"),
    ] {
        let bad = get(&app, &format!("/api/t/alpha/board?{query}"), &[]);
        assert_eq!(
            (bad.status, bad.json()["field"].as_str()),
            (400, Some(field)),
            "{query}: {}",
            bad.body
        );
    }

    let figures = get(&app, "/api/t/alpha/board/figures", &[]);
    assert_eq!(
        figures.cache_control.as_deref(),
        Some("public, max-age=300")
    );
    let week = &figures.json()["windows"][0];
    assert_eq!(
        (
            week["days"].as_i64(),
            week["received"].as_i64(),
            week["resolved"].as_i64()
        ),
        (Some(7), Some(3), Some(0))
    );
    assert_eq!(week["closure_rate"], 0.0);

    let map = get(&app, "/api/t/alpha/board/map", &[]).json();
    assert_eq!(map["type"], "FeatureCollection");
    let feature = &map["features"][0];
    assert_eq!(feature["properties"]["code"], "G1");
    assert_eq!(feature["properties"]["open"], 3);
    let point: Vec<f64> = feature["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(
        (point[0] - 120.005).abs() < 1e-9 && (point[1] - 30.005).abs() < 1e-9,
        "the grid's centre, not a case's point: {point:?}"
    );

    // Notices: the admin publishes to C1 and to C2; C1's residents see theirs.
    let file = ok(app.upload("alpha", Some(&s.admin), e2e::TINY_JPEG), 201)["id"].clone();
    let notice = ok(
        app.client
            .post_json("/api/t/alpha/notices", Some(&s.admin), &json!({ "grid_node_id": c1, "title": "议事会", "body": "周六开会", "attachment_ids": [file] }))
            .unwrap(),
        201,
    );
    ok(
        app.client
            .post_json(
                "/api/t/alpha/notices",
                Some(&s.admin),
                &json!({ "grid_node_id": c2, "title": "停水", "body": "周日停水" }),
            )
            .unwrap(),
        201,
    );
    let c1_notices = get(&app, "/api/t/alpha/notices?community=C1", &[]).json();
    let titles: Vec<&str> = c1_notices["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["议事会"]);
    assert_eq!(
        app.client
            .get(&format!("/api/t/alpha/attachments/{file}"), None)
            .unwrap()
            .status,
        200,
        "a notice's file is public"
    );
    // A grid worker publishes only where they are assigned.
    let worker_id = ok(
        app.client
            .post_json("/api/t/alpha/admin/users", Some(&s.admin), &json!({ "login": "wg", "display_name": "网格员", "role": "grid_worker", "password": "password-1" }))
            .unwrap(),
        201,
    )["id"]
        .clone();
    ok(
        app.client
            .send_json(
                "PUT",
                &format!("/api/t/alpha/admin/users/{worker_id}/grids"),
                Some(&s.admin),
                &json!({ "grids": [{ "grid_node_id": g1 }] }),
            )
            .unwrap(),
        200,
    );
    let worker = app.login("/api/t/alpha/auth/login", "wg", "password-1");
    let publish = |node: &Value| {
        app.client
            .post_json(
                "/api/t/alpha/notices",
                Some(&worker),
                &json!({ "grid_node_id": node, "title": "清洁日", "body": "x" }),
            )
            .unwrap()
            .status
    };
    assert_eq!(publish(&g1), 201);
    assert_eq!(publish(&c2), 403);
    let id = notice["id"].as_i64().unwrap();
    ok(
        app.client
            .send(
                "DELETE",
                &format!("/api/t/alpha/notices/{id}"),
                Some(&s.admin),
                None,
            )
            .unwrap(),
        200,
    );
    assert_eq!(
        get(&app, &format!("/api/t/alpha/notices/{id}"), &[]).status,
        410
    );
}
