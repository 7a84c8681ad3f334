//! Intake over HTTP: reports with files, retries, duplicates, fixed on the
//! spot, the reporter's own changes, bad input and limits, and the sweep's
//! clean-up of uploads left on nothing.

use domain::intake::sha256_hex;
use e2e::{OPERATOR_KEY, Reply, TINY_JPEG, TestApp};
use serde_json::{Value, json};

use crate::workflow::{admin_creates, grid_worker};

/// A resident's report to `alpha` as one multipart request: its JSON and
/// its photos.
fn post_multipart_report(app: &TestApp, report: &Value, files: &[&[u8]]) -> Reply {
    let boundary = "----gridgov-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"report\"\r\n\
             Content-Type: application/json\r\n\r\n{report}\r\n"
        )
        .as_bytes(),
    );
    for (i, file) in files.iter().enumerate() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"p{i}.jpg\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    app.client
        .send(
            "POST",
            "/api/t/alpha/reports",
            None,
            Some((&content_type, &body)),
        )
        .unwrap()
}

#[test]
fn a_resident_reports_with_a_photo_that_is_served_back() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let reply = post_multipart_report(
        &app,
        &json!({ "category": "garbage", "description": "垃圾堆", "name": "张三", "phone": "13912345678" }),
        &[TINY_JPEG],
    );
    let receipt = reply.expect(201);
    assert_eq!(receipt["reporter_secret"].as_str().map(str::len), Some(32));
    let photo = receipt["attachment_ids"][0]
        .as_i64()
        .expect("the photo is on the case");
    let served = app.get(&format!("/api/t/alpha/attachments/{photo}"), None);
    assert_eq!(served.status, 200);
    assert_eq!(served.content_type, "image/jpeg");
    assert_eq!(served.bytes, TINY_JPEG, "the file comes back byte for byte");

    // The same bytes again are named by the same digest (stored once).
    let again = app.upload("alpha", None, TINY_JPEG).expect(201);
    assert_eq!(
        again["sha256"].as_str(),
        Some(domain::intake::sha256_hex(TINY_JPEG).as_str())
    );
    // An upload not yet on a case is nobody's business but staff's.
    let loose = again["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/t/alpha/attachments/{loose}"), None)
            .status,
        404
    );
}

#[test]
fn files_are_judged_by_their_bytes_and_their_size() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let lie = app
        .client
        .send(
            "POST",
            "/api/t/alpha/attachments",
            None,
            Some(("image/jpeg", b"<html>not a photo</html>")),
        )
        .unwrap();
    assert_eq!(lie.status, 415, "{}", lie.body);
    let mut big = TINY_JPEG.to_vec();
    big.resize((10 << 20) + 10, 0);
    assert_eq!(app.upload("alpha", None, &big).status, 413);
    let broken = app
        .client
        .send(
            "POST",
            "/api/t/alpha/reports",
            None,
            Some((
                "multipart/form-data; boundary=xyz",
                b"--xyz\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{\"categ",
            )),
        )
        .unwrap();
    assert_eq!(broken.status, 400, "{}", broken.body);

    // An MP4 is film unless the client says it recorded sound (a browser's
    // voice note is `audio/mp4`); the bytes must still be MP4.
    let mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2";
    let kind = |declared: &str| {
        let reply = app
            .client
            .send(
                "POST",
                "/api/t/alpha/attachments",
                None,
                Some((declared, &mp4[..])),
            )
            .unwrap();
        assert_eq!(reply.status, 201, "{}", reply.body);
        let stored = reply.json();
        (
            stored["kind"].as_str().unwrap().to_string(),
            stored["content_type"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(kind("video/mp4"), ("video".into(), "video/mp4".into()));
    assert_eq!(kind("audio/mp4"), ("voice".into(), "audio/mp4".into()));
}

#[test]
fn retries_with_an_idempotency_key_never_duplicate() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let body = json!({ "category": "garbage", "description": "重试", "insist": true });
    let bytes = serde_json::to_vec(&body).unwrap();
    // Through the test client: a busy database's 503 is retried, as a phone does.
    let send = |key: &str, bytes: &[u8]| {
        let reply = app
            .client
            .send_with_headers(
                "POST",
                "/api/t/alpha/reports",
                None,
                &[("idempotency-key", key)],
                Some(("application/json", bytes)),
            )
            .unwrap();
        (reply.status, reply.body)
    };
    let codes: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| send("phone-retry-1", &bytes)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let (status, text) = h.join().unwrap();
                assert_eq!(status, 201, "{text}");
                let reply: Value = serde_json::from_str(&text).unwrap();
                reply["tracking_code"].as_str().unwrap().to_string()
            })
            .collect()
    });
    assert!(
        codes.windows(2).all(|w| w[0] == w[1]),
        "one case for every retry: {codes:?}"
    );
    let cases = app.get("/api/t/alpha/cases", Some(&admin)).expect(200);
    assert_eq!(cases["cases"].as_array().unwrap().len(), 1);
    let other =
        serde_json::to_vec(&json!({ "category": "garbage", "description": "另一件" })).unwrap();
    assert_eq!(
        send("phone-retry-1", &other).0,
        422,
        "a key with another body"
    );
}

#[test]
fn a_likely_duplicate_is_offered_to_join() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let report = json!({ "category": "street_light", "description": "路灯坏了", "latitude": 30.2741, "longitude": 120.1551 });
    let first = app.post_report("alpha", &report).expect(201);
    let near = json!({ "category": "street_light", "description": "这里路灯不亮", "latitude": 30.2745, "longitude": 120.1552 });
    let offered = app.post_report("alpha", &near);
    assert_eq!(offered.status, 409, "{}", offered.body);
    assert_eq!(
        offered.json()["duplicates"][0]["tracking_code"],
        first["tracking_code"]
    );
    // Offered with a photo, the report stores nothing: no row, and no bytes
    // that no row would ever name for the sweep to delete.
    let photo = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 a photo of the same street light \xFF\xD9";
    let offered = post_multipart_report(&app, &near, &[photo]);
    assert_eq!(offered.status, 409, "{}", offered.body);
    assert_eq!(app.stored_file_entries(&sha256_hex(photo)), 0);
    let code = first["tracking_code"].as_str().unwrap();
    let joined = app
        .client
        .post_json(
            &format!("/api/t/alpha/reports/{code}/me-too"),
            None,
            &json!({}),
        )
        .unwrap()
        .expect(200);
    assert_eq!(joined["me_too_count"], 1);
    let mut insisted = near.clone();
    insisted["insist"] = json!(true);
    app.post_report("alpha", &insisted).expect(201);
    let elsewhere = json!({ "category": "street_light", "description": "远处", "latitude": 30.29, "longitude": 120.17 });
    app.post_report("alpha", &elsewhere).expect(201);
}

/// The tenant `alpha` with its admin and a grid worker (their tokens).
fn alpha_with_a_grid_worker(app: &TestApp) -> (String, String) {
    let admin = app.tenant_with_admin("alpha");
    let worker = grid_worker(app, &admin, "wang");
    (admin, worker)
}

/// An upload is usable only by whoever uploaded it: an account uses its
/// own; a resident without one, an anonymous upload whose id they were
/// given. Anyone else naming it gets the answer an unknown id gets.
#[test]
fn an_upload_is_usable_only_by_whoever_uploaded_it() {
    let app = TestApp::product();
    let (admin, worker) = alpha_with_a_grid_worker(&app);
    let workers = app.upload("alpha", Some(&worker), TINY_JPEG).expect(201)["id"].clone();
    let residents = app.upload("alpha", None, TINY_JPEG).expect(201)["id"].clone();
    let report = |token: Option<&str>, photo: &Value| {
        app.client
            .post_json(
                "/api/t/alpha/reports",
                token,
                &json!({ "category": "garbage", "description": "垃圾未清运", "attachment_ids": [photo] }),
            )
            .unwrap()
    };
    let unknown = report(None, &json!(999)).expect(404);
    assert_eq!(unknown["field"], "attachment_ids[0]");
    for (token, theirs) in [(None, &workers), (Some(worker.as_str()), &residents)] {
        let refused = report(token, theirs).expect(404);
        assert_eq!(refused, unknown, "nothing says the upload exists");
    }
    let township = admin_creates(
        &app,
        &admin,
        "grid",
        json!({ "level": "township", "code": "T", "name": "镇" }),
    );
    let notice = app
        .client
        .post_json(
            "/api/t/alpha/notices",
            Some(&admin),
            &json!({ "grid_node_id": township["id"], "title": "停水", "body": "明日停水", "attachment_ids": [workers] }),
        )
        .unwrap();
    assert_eq!(notice.expect(404), unknown, "nor another account's");

    // Refused, each stays its uploader's to use.
    let theirs = report(Some(&worker), &workers).expect(201);
    assert_eq!(theirs["attachment_ids"], json!([workers]));
    let anonymous = report(None, &residents).expect(201);
    assert_eq!(anonymous["attachment_ids"], json!([residents]));
}

/// For a resident without an account, knowing an upload's id is the right
/// to use it: ids are drawn at random, not counted.
#[test]
fn upload_ids_are_drawn_at_random() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let ids: Vec<i64> = (0..10)
        .map(|_| {
            app.upload("alpha", None, TINY_JPEG).expect(201)["id"]
                .as_i64()
                .expect("an integer id")
        })
        .collect();
    let javascript_safe = 1..=(1_i64 << 53) - 1;
    assert!(ids.iter().all(|id| javascript_safe.contains(id)), "{ids:?}");
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "every id its own: {ids:?}");
    assert!(
        sorted.windows(2).any(|pair| pair[1] - pair[0] > 1),
        "ten uploads are not a run of consecutive ids: {ids:?}"
    );
}

#[test]
fn a_grid_worker_records_a_problem_fixed_on_the_spot() {
    let app = TestApp::product();
    let (_, worker) = alpha_with_a_grid_worker(&app);
    let fixed =
        json!({ "category": "garbage", "description": "已清理", "fixed_on_the_spot": true });
    let without_photo = app
        .client
        .post_json("/api/t/alpha/reports", Some(&worker), &fixed)
        .unwrap();
    assert_eq!(without_photo.status, 400);
    let photo = app.upload("alpha", Some(&worker), TINY_JPEG).expect(201);
    let mut with_photo = fixed.clone();
    with_photo["attachment_ids"] = json!([photo["id"]]);
    let case = app
        .client
        .post_json("/api/t/alpha/reports", Some(&worker), &with_photo)
        .unwrap()
        .expect(201);
    assert_eq!(case["state"], "closed");
    assert!(
        case["reporter_secret"].is_null(),
        "a worker has an account, not a secret"
    );
    let resident = app.post_report("alpha", &fixed);
    assert_eq!(resident.status, 403);
}

#[test]
fn the_reporter_adds_edits_and_erases_with_their_secret() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let receipt = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "原文", "phone": "13900000000" }),
        )
        .expect(201);
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    let secret = receipt["reporter_secret"].as_str().unwrap().to_string();
    let with_secret = |method: &str, path: &str, secret: Option<&str>, body: Option<Value>| {
        let headers: Vec<(&str, &str)> =
            secret.map(|s| ("reporter-secret", s)).into_iter().collect();
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap());
        app.client
            .send_with_headers(
                method,
                &format!("/api/t/alpha/reports/{code}{path}"),
                None,
                &headers,
                bytes.as_deref().map(|b| ("application/json", b)),
            )
            .unwrap()
            .status
    };
    assert_eq!(
        with_secret(
            "POST",
            "/information",
            None,
            Some(json!({ "text": "补充" }))
        ),
        401
    );
    assert_eq!(
        with_secret(
            "POST",
            "/information",
            Some("0000"),
            Some(json!({ "text": "补充" }))
        ),
        403
    );
    assert_eq!(
        with_secret(
            "POST",
            "/information",
            Some(&secret),
            Some(json!({ "text": "补充：在东门" }))
        ),
        200
    );
    assert_eq!(
        with_secret(
            "PATCH",
            "",
            Some(&secret),
            Some(json!({ "description": "改正后的描述" }))
        ),
        200
    );
    assert_eq!(with_secret("DELETE", "/contact", Some(&secret), None), 200);
}

#[test]
fn bad_reports_are_refused_with_the_field() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    admin_creates(
        &app,
        &admin,
        "categories",
        json!({ "code": "parking", "name_zh": "违停", "name_en": "Parking", "response_hours": 1,
                "resolution_hours": 8,
                "extra_fields": [{ "key": "plate", "label_zh": "车牌", "label_en": "Plate", "kind": "text",
                                   "required": true }] }),
    );
    let check = |body: Value, field: &str| {
        let reply = app.post_report("alpha", &body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(reply.json()["field"], field, "{}", reply.body);
    };
    check(
        json!({ "category": "unicorns", "description": "x" }),
        "category",
    );
    check(
        json!({ "category": "parking", "description": "x" }),
        "extra.plate",
    );
    check(
        json!({ "category": "parking", "description": "x", "extra": { "plate": "浙A1", "colour": "红" } }),
        "extra.colour",
    );
    check(
        json!({ "category": "garbage", "description": "x", "latitude": 30.0 }),
        "longitude",
    );
    check(
        json!({ "category": "garbage", "description": "x", "priority": "asap" }),
        "priority",
    );
    // A file that is not there is named, as a thing the request names (404).
    let unknown = app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "x", "attachment_ids": [999] }),
    );
    assert_eq!(unknown.expect(404)["field"], "attachment_ids[0]");

    // A grid with shapes knows the area: a place outside it is refused, one inside is located.
    let square = json!({ "type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1], [120.0, 30.0]]] });
    let mut parent = Value::Null;
    for (level, code) in [("township", "T"), ("community", "C"), ("grid", "G")] {
        parent = admin_creates(
            &app,
            &admin,
            "grid",
            json!({ "parent_id": parent, "level": level, "code": code, "name": code }),
        )["id"]
            .clone();
    }
    let micro = admin_creates(
        &app,
        &admin,
        "grid",
        json!({ "parent_id": parent, "level": "micro_grid", "code": "M", "name": "M", "geometry": square }),
    );
    check(
        json!({ "category": "garbage", "description": "x", "latitude": 31.5, "longitude": 121.5 }),
        "latitude",
    );
    let inside = app
        .post_report(
            "alpha",
            &json!({ "category": "garbage", "description": "x", "latitude": 30.05, "longitude": 120.05 }),
        )
        .expect(201);
    assert_eq!(inside["grid_node_id"], micro["id"]);
}

#[test]
fn anonymous_intake_is_rate_limited_per_address() {
    let app = TestApp::product();
    app.tenant_with_admin("alpha");
    let limited = app.within_one_rate_window(|address| {
        for i in 0..70 {
            let reply = app.post_json_from(
                address,
                "/api/t/alpha/reports",
                &json!({ "category": "garbage", "description": format!("第{i}件"), "insist": true }),
            );
            if reply.status == 429 {
                return Some((i, reply));
            }
            assert_eq!(reply.status, 201, "{}", reply.body);
        }
        None
    });
    let (count, reply) = limited.expect("the limit applies");
    assert_eq!(count, 60, "sixty a minute are accepted");
    assert!(reply.retry_after.is_some());
}

/// The deadline sweep deletes uploads left on nothing for more than a day,
/// and their bytes once no upload uses them; a file on a case stays, and so
/// do the bytes it shares with an abandoned upload.
#[test]
fn the_sweep_deletes_uploads_left_on_nothing_for_a_day() {
    let app = TestApp::product();
    let admin = app.tenant_with_admin("alpha");
    let jpeg = |tail: &[u8]| -> Vec<u8> { [TINY_JPEG, tail].concat() };
    let (plate, face) = (jpeg(b"plate"), jpeg(b"face"));
    let upload = |bytes: &[u8]| {
        app.upload("alpha", None, bytes).expect(201)["id"]
            .as_i64()
            .expect("an id")
    };
    let linked = upload(TINY_JPEG);
    let twin = upload(TINY_JPEG);
    let abandoned = upload(&plate);
    let fresh = upload(&face);
    app.post_report(
        "alpha",
        &json!({ "category": "garbage", "description": "垃圾堆", "attachment_ids": [linked] }),
    )
    .expect(201);
    let day = chrono::Duration::hours(24);
    for id in [linked, twin, abandoned] {
        app.backdate_upload(id, day + chrono::Duration::minutes(5));
    }
    app.backdate_upload(fresh, day - chrono::Duration::minutes(5));

    let swept = app
        .client
        .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200);
    assert_eq!(
        swept["uploads"],
        json!({ "purged": 2, "files_deleted": 1 }),
        "the twin and the plate go; only the plate's bytes are no one's"
    );
    let download =
        |id: i64, token: Option<&str>| app.get(&format!("/api/t/alpha/attachments/{id}"), token);
    for gone in [twin, abandoned] {
        assert_eq!(download(gone, Some(&admin)).status, 404, "upload {gone}");
    }
    assert_eq!(app.stored_file_entries(&sha256_hex(&plate)), 0);
    let on_case = download(linked, None);
    assert_eq!((on_case.status, on_case.bytes.as_slice()), (200, TINY_JPEG));
    assert_eq!(download(fresh, Some(&admin)).bytes, face);
    // One chunk and its count each.
    assert_eq!(app.stored_file_entries(&sha256_hex(TINY_JPEG)), 2);
    assert_eq!(app.stored_file_entries(&sha256_hex(&face)), 2);

    // A purged upload is an unknown id to its uploader too.
    let refused = app.post_report(
            "alpha",
            &json!({ "category": "street_light", "description": "路灯不亮", "attachment_ids": [abandoned] }),
        ).expect(404);
    assert_eq!(
        (refused["field"].as_str(), refused["detail"].as_str()),
        (Some("attachment_ids[0]"), Some("no such attachment"))
    );
    // The same file uploaded again is stored again.
    let again = upload(&plate);
    assert_eq!(download(again, Some(&admin)).bytes, plate);
    let swept = app
        .client
        .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200);
    assert_eq!(swept["uploads"], json!({ "purged": 0, "files_deleted": 0 }));
}
