//! The public side over HTTP: a case looked up by its code as it is worked
//! (privacy, deadlines, result photos, hidden files, caching), the
//! reporter's own view, the board with its figures and map, notices, and
//! the look-up's 404s and rate limit.

use crate::workflow::{Setup, act, admin_creates, result_photo, setup};
use e2e::{Reply, TestApp};
use serde_json::{Value, json};

/// How many SQL statements the request sent, from `Server-Timing`.
fn statements(reply: &Reply) -> Option<u32> {
    reply
        .header("server-timing")
        .and_then(|t| t.strip_prefix("sql;desc=\""))
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
}

const NAME: &str = "赵六";
const PHONE: &str = "13911112222";
const ADDRESS: &str = "幸福里7幢301";

#[test]
fn a_case_is_published_as_it_is_worked_and_never_shows_the_reporter() {
    let app = TestApp::product();
    let s = setup(&app);
    let reported = a_resident_reports_with_their_name_phone_and_a_photo(&app);
    let etag = the_look_up_is_cached_until_it_changes(&app, &reported);
    let photo = the_department_resolves_it_and_the_centre_notes_it_internally(&app, &s);
    the_worked_case_is_public_but_never_its_reporter(&app, &reported, &etag, &photo);
    a_hidden_photo_leaves_the_public_view_and_its_download(&app, &s, &reported, &photo);
    the_reporter_sees_their_own_parts_with_their_secret(&app, &reported);
    open311_shows_the_same_decision(&app, &reported);
}

/// A resident's report as its look-up reads it.
struct Reported {
    code: String,
    secret: String,
    /// Its public look-up.
    path: String,
    /// The reporter's photo.
    evidence: Value,
}

fn a_resident_reports_with_their_name_phone_and_a_photo(app: &TestApp) -> Reported {
    let evidence = app.upload("alpha", None, e2e::TINY_JPEG).expect(201)["id"].clone();
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": format!("垃圾堆了三天，我是{NAME}，电话{PHONE}"),
                     "name": NAME, "phone": PHONE, "address": ADDRESS,
                     "latitude": 30.274_123, "longitude": 120.156_789, "attachment_ids": [evidence] }),
        )
        .expect(201);
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    Reported {
        secret: receipt["reporter_secret"].as_str().unwrap().to_string(),
        path: format!("/api/t/alpha/status/{code}"),
        code,
        evidence,
    }
}

/// The look-up's ETag, once a second look-up with it is answered 304.
fn the_look_up_is_cached_until_it_changes(app: &TestApp, reported: &Reported) -> String {
    let first = app.get(&reported.path, None);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").expect("an ETag").to_string();
    let same = app.get_with_headers(&reported.path, None, &[("if-none-match", &etag)]);
    assert_eq!((same.status, same.body.as_str()), (304, ""));
    etag
}

/// The department works the case to its end: the photo of its result.
fn the_department_resolves_it_and_the_centre_notes_it_internally(
    app: &TestApp,
    s: &Setup,
) -> Value {
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
    let case = inbox["cases"][0].clone();
    let case = act(app, &s.staff, &case, json!({ "action": "sign_for" }));
    let case = act(app, &s.staff, &case, json!({ "action": "start_work" }));
    let photo = result_photo(app, &s.staff);
    let case = act(
        app,
        &s.staff,
        &case,
        json!({ "action": "resolve", "answer": format!("已清运，已电话告知{NAME}"), "attachment_ids": [photo] }),
    );
    app.client
        .post_json(
            &format!("/api/t/alpha/cases/{}/comments", case["id"]),
            Some(&s.centre),
            &json!({ "text": "内部：此户多次投诉", "public": false }),
        )
        .unwrap()
        .expect(201);
    let case = act(app, &s.centre, &case, json!({ "action": "verify" }));
    act(app, &s.centre, &case, json!({ "action": "close" }));
    photo
}

/// The worked case's ETag has changed with it; the public sees the
/// outcome, who resolved it and both photos, and nothing of the reporter
/// or the staff.
fn the_worked_case_is_public_but_never_its_reporter(
    app: &TestApp,
    reported: &Reported,
    etag: &str,
    photo: &Value,
) {
    let worked = app.get_with_headers(&reported.path, None, &[("if-none-match", etag)]);
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
            (reported.evidence.as_i64().unwrap(), "evidence"),
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
}

/// Staff hide the reporter's photo: it leaves the public view and its download.
fn a_hidden_photo_leaves_the_public_view_and_its_download(
    app: &TestApp,
    s: &Setup,
    reported: &Reported,
    photo: &Value,
) {
    let evidence = &reported.evidence;
    app.client
        .send_json(
            "PATCH",
            &format!("/api/t/alpha/attachments/{evidence}"),
            Some(&s.staff),
            &json!({ "public": false }),
        )
        .unwrap()
        .expect(200);
    let hidden = app.get(&reported.path, None).json();
    assert_eq!(
        hidden["attachments"].as_array().unwrap().len(),
        1,
        "{hidden}"
    );
    assert_eq!(
        app.get(&format!("/api/t/alpha/attachments/{evidence}"), None)
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/t/alpha/attachments/{photo}"), None)
            .status,
        200
    );
}

/// The reporter, with their secret, sees their own parts and the rating form.
fn the_reporter_sees_their_own_parts_with_their_secret(app: &TestApp, reported: &Reported) {
    let path = &reported.path;
    let own = app.get_with_headers(path, None, &[("reporter-secret", &reported.secret)]);
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.header("cache-control"), Some("private, no-cache"));
    let reporter = &own.json()["reporter"];
    assert_eq!(reporter["contact"]["name"], NAME);
    assert_eq!(reporter["address"], ADDRESS);
    assert_eq!(
        reporter["attachments"].as_array().unwrap().len(),
        2,
        "their own hidden evidence too"
    );
    assert_eq!(reporter["rating_form"]["open"], true);
    assert_eq!(
        app.get_with_headers(path, None, &[("reporter-secret", "0000")])
            .status,
        403
    );
    assert!(app.get(path, None).json().get("reporter").is_none());
}

/// Open311 shows the same decision: no reporter, masked text, no address.
fn open311_shows_the_same_decision(app: &TestApp, reported: &Reported) {
    let open311 = app.get(
        &format!(
            "/open311/v2/requests/{}.json?jurisdiction_id=alpha",
            reported.code
        ),
        None,
    );
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
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "垃圾桶满了" }),
        )
        .expect(201);
    let path = format!(
        "/api/t/alpha/status/{}",
        receipt["tracking_code"].as_str().unwrap()
    );
    let first = app.get(&path, None);
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(statements(&first) > Some(0), "made from the database");
    let kept = app.get(&path, None);
    assert_eq!(statements(&kept), Some(0), "kept: {}", kept.body);
    assert_eq!(
        (&kept.body, kept.header("etag")),
        (&first.body, first.header("etag"))
    );
    let unchanged = app.get_with_headers(
        &path,
        None,
        &[("if-none-match", first.header("etag").unwrap())],
    );
    assert_eq!((unchanged.status, statements(&unchanged)), (304, Some(0)));

    // The department signs for the case: the next look-up shows it at once.
    let inbox = app
        .get("/api/t/alpha/queues/inbox", Some(&s.staff))
        .expect(200);
    act(
        &app,
        &s.staff,
        &inbox["cases"][0],
        json!({ "action": "sign_for" }),
    );
    let signed = app.get(&path, None);
    assert!(statements(&signed) > Some(0));
    assert_ne!(signed.json()["status"], first.json()["status"]);
    assert_eq!(statements(&app.get(&path, None)), Some(0));

    // The platform deletes the tenant: nothing kept outlives it.
    let platform = app.platform_token();
    let tenant = "/api/platform/tenants/alpha";
    app.client
        .send_json(
            "PUT",
            &format!("{tenant}/status"),
            Some(&platform),
            &json!({ "status": "suspended" }),
        )
        .unwrap()
        .expect(200);
    assert_eq!(
        app.get(&path, None).status,
        200,
        "a suspended tenant's look-ups go on"
    );
    app.get(&format!("{tenant}/export"), Some(&platform))
        .expect(200);
    app.client
        .send("DELETE", tenant, Some(&platform), None)
        .unwrap()
        .expect(200);
    let gone = app.get(&path, None);
    assert_eq!(gone.status, 404, "{}", gone.body);
}

#[test]
fn unknown_codes_are_the_same_404_and_misses_are_rate_limited() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    app.tenant_with_admin("beta");
    let theirs = app
        .post_report(
            "beta",
            &json!({ "category": "garbage", "description": "乙方" }),
        )
        .expect(201);
    let their_code = theirs["tracking_code"].as_str().unwrap();
    let answers: Vec<Reply> = [their_code, "AAAAA-AAAAA", "not-a-code"]
        .iter()
        .map(|code| app.get(&format!("/api/t/alpha/status/{code}"), None))
        .collect();
    for answer in &answers {
        assert_eq!(answer.status, 404, "{}", answer.body);
        assert_eq!(answer.body, answers[0].body, "every miss reads the same");
    }
    // Hits are not counted: a resident may check their case again and again.
    for _ in 0..35 {
        let hit = app.get(&format!("/api/t/beta/status/{their_code}"), None);
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
    let area = a_township_of_two_communities_with_a_mapped_grid(&app, &s);
    let codes = three_cases_are_reported_in_the_grid(&app);
    the_board_lists_the_newest_first_page_by_page_and_filtered(&app, &codes);
    the_board_counts_the_week_and_maps_the_grid_not_the_cases(&app);
    let notice = notices_reach_their_community_with_their_files(&app, &s, &area);
    a_grid_worker_publishes_only_where_they_are_assigned(&app, &s, &area);
    a_withdrawn_notice_is_gone(&app, &s, &notice);
}

/// The board's communities and the grid in C1 (mapped by its micro-grid).
struct Area {
    c1: Value,
    c2: Value,
    g1: Value,
}

fn a_township_of_two_communities_with_a_mapped_grid(app: &TestApp, s: &Setup) -> Area {
    let grid = |parent: Value, level: &str, code: &str, geometry: Value| -> Value {
        admin_creates(
            app,
            &s.admin,
            "grid",
            json!({ "parent_id": parent, "level": level, "code": code, "name": format!("{code}名"),
                    "geometry": geometry }),
        )["id"]
            .clone()
    };
    let township = grid(Value::Null, "township", "T", Value::Null);
    let c1 = grid(township.clone(), "community", "C1", Value::Null);
    let c2 = grid(township.clone(), "community", "C2", Value::Null);
    let g1 = grid(c1.clone(), "grid", "G1", Value::Null);
    let square = json!({ "type": "Polygon", "coordinates": [[[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]] });
    grid(g1.clone(), "micro_grid", "M1", square);
    Area { c1, c2, g1 }
}

/// Their tracking codes, oldest first.
fn three_cases_are_reported_in_the_grid(app: &TestApp) -> Vec<String> {
    let report = |category: &str| {
        app.post_report(
            "alpha",
            &json!({ "category": category, "description": "x", "latitude": 30.005, "longitude": 120.005,
                     "insist": true }),
        )
        .expect(201)["tracking_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    ["garbage", "street_light", "garbage"]
        .iter()
        .map(|c| report(c))
        .collect()
}

fn the_board_lists_the_newest_first_page_by_page_and_filtered(app: &TestApp, codes: &[String]) {
    let page = app.get("/api/t/alpha/board?limit=2", None).json();
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
    let next = app
        .get(&format!("/api/t/alpha/board?limit=2&cursor={cursor}"), None)
        .json();
    assert_eq!(next["cases"][0]["tracking_code"], codes[0].as_str());
    let lights = app
        .get(
            "/api/t/alpha/board?category=street_light&community=C1&status=open",
            None,
        )
        .json();
    assert_eq!(lights["cases"].as_array().unwrap().len(), 1, "{lights}");
    // What the document refuses is 400; a community no grid node is, 404.
    for (query, status, field) in [
        ("status=done", 400, "status"),
        ("community=NOPE", 404, "community"),
        ("limit=0", 400, "limit"),
        ("cursor=x", 400, "cursor"),
    ] {
        let bad = app.get(&format!("/api/t/alpha/board?{query}"), None);
        assert_eq!(
            (bad.status, bad.json()["field"].as_str()),
            (status, Some(field)),
            "{query}: {}",
            bad.body
        );
    }
}

fn the_board_counts_the_week_and_maps_the_grid_not_the_cases(app: &TestApp) {
    let figures = app.get("/api/t/alpha/board/figures", None);
    assert_eq!(figures.header("cache-control"), Some("public, max-age=300"));
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

    let map = app.get("/api/t/alpha/board/map", None).json();
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
}

/// Notices: the admin publishes to C1 and to C2; C1's residents see
/// theirs. The notice to C1.
fn notices_reach_their_community_with_their_files(app: &TestApp, s: &Setup, area: &Area) -> Value {
    let file = app
        .upload("alpha", Some(&s.admin), e2e::TINY_JPEG)
        .expect(201)["id"]
        .clone();
    let notice = app
        .client
        .post_json(
            "/api/t/alpha/notices",
            Some(&s.admin),
            &json!({ "grid_node_id": area.c1, "title": "议事会", "body": "周六开会",
                     "attachment_ids": [file] }),
        )
        .unwrap()
        .expect(201);
    app.client
        .post_json(
            "/api/t/alpha/notices",
            Some(&s.admin),
            &json!({ "grid_node_id": area.c2, "title": "停水", "body": "周日停水" }),
        )
        .unwrap()
        .expect(201);
    let c1_notices = app.get("/api/t/alpha/notices?community=C1", None).json();
    let titles: Vec<&str> = c1_notices["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["议事会"]);
    assert_eq!(
        app.get(&format!("/api/t/alpha/attachments/{file}"), None)
            .status,
        200,
        "a notice's file is public"
    );
    notice
}

fn a_grid_worker_publishes_only_where_they_are_assigned(app: &TestApp, s: &Setup, area: &Area) {
    let worker_id = admin_creates(
        app,
        &s.admin,
        "users",
        json!({ "login": "wg", "display_name": "网格员", "role": "grid_worker", "password": "password-1" }),
    )["id"]
        .clone();
    app.client
        .send_json(
            "PUT",
            &format!("/api/t/alpha/admin/users/{worker_id}/grids"),
            Some(&s.admin),
            &json!({ "grids": [{ "grid_node_id": area.g1 }] }),
        )
        .unwrap()
        .expect(200);
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
    assert_eq!(publish(&area.g1), 201);
    assert_eq!(publish(&area.c2), 403);
}

fn a_withdrawn_notice_is_gone(app: &TestApp, s: &Setup, notice: &Value) {
    let id = notice["id"].as_i64().unwrap();
    app.client
        .send(
            "DELETE",
            &format!("/api/t/alpha/notices/{id}"),
            Some(&s.admin),
            None,
        )
        .unwrap()
        .expect(200);
    assert_eq!(
        app.get(&format!("/api/t/alpha/notices/{id}"), None).status,
        410
    );
}
