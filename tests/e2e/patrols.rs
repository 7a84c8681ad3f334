//! Patrols and grid days over HTTP: a grid worker's patrol from start to
//! end, its track uploaded in pieces twice and out of order, visits sent
//! twice, a problem fixed on the spot and one sent on, and the summary,
//! figures and coverage exact; tracks kept from everyone but the walker,
//! the centre and the admin; a volunteer signing in on its grid day only;
//! the sweep thinning an old track to its summary.

use chrono::{Duration, FixedOffset, Utc};
use e2e::{OPERATOR_KEY, Reply, TestApp};
use serde_json::{Value, json};

use crate::workflow::{Setup, admin_creates, department_with_staff, problem, result_photo, setup};

const T: &str = "/api/t/alpha";
/// 30° N 120° E: inside micro-grid M1.
const LAT: f64 = 30.0;
const LNG: f64 = 120.0;

fn send(app: &TestApp, method: &str, token: Option<&str>, path: &str, body: &Value) -> Reply {
    app.client
        .send_json(method, &format!("{T}{path}"), token, body)
        .unwrap()
}

fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    send(app, "POST", Some(token), path, &body)
}

fn get(app: &TestApp, token: Option<&str>, path: &str) -> Reply {
    app.client.get(&format!("{T}{path}"), token).unwrap()
}

/// The tenant's local date today (alpha keeps Beijing time).
fn today() -> chrono::NaiveDate {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    Utc::now().with_timezone(&beijing).date_naive()
}

struct Town {
    s: Setup,
    grid: i64,
    other_grid: i64,
    micro: i64,
    other_micro: i64,
    worker: String,
    worker_id: i64,
    volunteer: String,
    volunteer_id: i64,
}

fn node(
    app: &TestApp,
    admin: &str,
    parent: Option<i64>,
    level: &str,
    code: &str,
    shape: Value,
) -> i64 {
    admin_creates(
        app,
        admin,
        "grid",
        json!({ "parent_id": parent, "level": level, "code": code, "name": format!("{code}网格"),
                "geometry": shape }),
    )["id"]
        .as_i64()
        .unwrap()
}

fn person(app: &TestApp, admin: &str, login: &str, name: &str, role: &str) -> (String, i64) {
    let made = admin_creates(
        app,
        admin,
        "users",
        json!({ "login": login, "display_name": name, "role": role, "password": "password-1" }),
    );
    (
        app.login(&format!("{T}/auth/login"), login, "password-1"),
        made["id"].as_i64().unwrap(),
    )
}

/// Alpha's township, a community with two grids, three micro-grids (M1
/// around 30° N 120° E), a grid worker holding G1 and a volunteer.
fn town(app: &TestApp) -> Town {
    let s = setup(app);
    let township = node(app, &s.admin, None, "township", "T", Value::Null);
    let community = node(
        app,
        &s.admin,
        Some(township),
        "community",
        "T-C",
        Value::Null,
    );
    let grid = node(
        app,
        &s.admin,
        Some(community),
        "grid",
        "T-C-G1",
        Value::Null,
    );
    let other_grid = node(
        app,
        &s.admin,
        Some(community),
        "grid",
        "T-C-G2",
        Value::Null,
    );
    let square = json!({ "type": "Polygon", "coordinates": [[
        [119.99, 29.99], [120.01, 29.99], [120.01, 30.01], [119.99, 30.01], [119.99, 29.99]
    ]] });
    let micro = node(app, &s.admin, Some(grid), "micro_grid", "T-C-G1-M1", square);
    let other_micro = node(
        app,
        &s.admin,
        Some(other_grid),
        "micro_grid",
        "T-C-G2-M1",
        Value::Null,
    );
    node(
        app,
        &s.admin,
        Some(other_grid),
        "micro_grid",
        "T-C-G2-M2",
        Value::Null,
    );
    let (worker, worker_id) = person(app, &s.admin, "walker", "王网格", "grid_worker");
    send(
        app,
        "PUT",
        Some(&s.admin),
        &format!("/admin/users/{worker_id}/grids"),
        &json!({ "grids": [{ "grid_node_id": grid }] }),
    )
    .expect(200);
    let (volunteer, volunteer_id) = person(app, &s.admin, "helper", "李志愿", "volunteer");
    Town {
        s,
        grid,
        other_grid,
        micro,
        other_micro,
        worker,
        worker_id,
        volunteer,
        volunteer_id,
    }
}

/// A point `north` metres north of 30° N 120° E, `seconds` after `start`.
fn point(north: f64, start: chrono::DateTime<Utc>, seconds: i64, accuracy: f64) -> Value {
    json!({ "lat": LAT + north / 111_195.0, "lng": LNG,
            "at": (start + Duration::seconds(seconds)).to_rfc3339(), "accuracy": accuracy })
}

fn track(app: &TestApp, token: &str, patrol: i64, piece: i64, points: Vec<Value>) -> Reply {
    send(
        app,
        "PUT",
        Some(token),
        &format!("/patrols/{patrol}/track/{piece}"),
        &json!({ "points": points }),
    )
}

/// `reply` is the problem `status` naming `field`, with `code`.
fn refused(reply: Reply, status: u16, field: Option<&str>, code: &str) {
    let got = problem(reply, status, field);
    assert_eq!(got["code"], code, "{got}");
}

#[test]
fn a_grid_workers_patrol_from_start_to_summary_to_thinned_track() {
    let app = TestApp::product();
    let t = town(&app);
    let started = Utc::now() - Duration::minutes(90);
    let patrol = post(
        &app,
        &t.worker,
        "/patrols",
        json!({ "grid_id": t.grid, "started_at": started.to_rfc3339() }),
    )
    .expect(201);
    let id = patrol["id"].as_i64().unwrap();
    assert_eq!(patrol["state"], "running");
    assert_eq!(
        patrol["person"],
        json!({ "id": t.worker_id, "name": "王网格" })
    );
    assert_eq!(patrol["grid"]["id"], t.grid);
    assert_eq!(patrol["track"], json!([]));
    // One running patrol a person; not on a grid one does not hold.
    let running = problem(
        post(&app, &t.worker, "/patrols", json!({ "grid_id": t.grid })),
        409,
        None,
    );
    assert_eq!(
        (running["code"].clone(), running["patrol_id"].clone()),
        (json!("patrol_running"), json!(id))
    );

    // The track: piece 1 before piece 0, piece 1 twice, then a jump and a
    // vague point that do not count. 100 m a minute, north.
    let walk = |from: i64, to: i64| -> Vec<Value> {
        (from..to)
            .map(|i| point(i as f64 * 100.0, started, i * 60, 8.0))
            .collect()
    };
    let first = track(&app, &t.worker, id, 1, walk(3, 5)).expect(200);
    assert_eq!(first["metres"], 100, "piece 1 alone: 300 m to 400 m");
    let both = track(&app, &t.worker, id, 0, walk(0, 3)).expect(200);
    assert_eq!(
        both["metres"], 400,
        "the gap between the pieces is walked too"
    );
    assert_eq!(
        track(&app, &t.worker, id, 1, walk(3, 5)).expect(200),
        both,
        "the same piece again"
    );
    refused(
        track(&app, &t.worker, id, 1, walk(4, 6)),
        409,
        Some("piece"),
        "track_piece_conflict",
    );
    let odd = vec![
        point(5000.0, started, 310, 5.0),
        point(450.0, started, 330, 500.0),
        point(500.0, started, 360, 5.0),
    ];
    assert_eq!(
        track(&app, &t.worker, id, 2, odd).expect(200)["metres"],
        500
    );
    problem(track(&app, &t.worker, id, 3, vec![]), 400, Some("points"));
    let backwards = vec![point(0.0, started, 60, 5.0), point(0.0, started, 0, 5.0)];
    problem(
        track(&app, &t.worker, id, 3, backwards),
        422,
        Some("points[1].at"),
    );

    // Visits, each once whatever the retries.
    let visit = json!({ "client_id": "phone-v1", "kind": "household", "note": "王大爷家水管漏水",
                        "place": { "lat": LAT, "lng": LNG } });
    let v1 = post(
        &app,
        &t.worker,
        &format!("/patrols/{id}/visits"),
        visit.clone(),
    )
    .expect(201);
    assert_eq!(v1["micro_grid"]["id"], t.micro, "located by its place");
    assert_eq!(
        post(&app, &t.worker, &format!("/patrols/{id}/visits"), visit).expect(200),
        v1
    );
    let at_m2 = (Utc::now() - Duration::minutes(30)).to_rfc3339();
    // A micro-grid of a grid not patrolled, or a time outside the patrol,
    // is not a visit the coverage would count.
    refused(
        post(
            &app,
            &t.worker,
            &format!("/patrols/{id}/visits"),
            json!({ "client_id": "phone-v2", "kind": "company", "micro_grid_id": t.other_micro, "at": at_m2 }),
        ),
        422,
        Some("micro_grid_id"),
        "not_patrol_grid",
    );
    refused(
        post(
            &app,
            &t.worker,
            &format!("/patrols/{id}/visits"),
            json!({ "client_id": "phone-v2", "kind": "company", "micro_grid_id": t.micro, "at": "1970-01-01T00:00:00Z" }),
        ),
        422,
        Some("at"),
        "outside_patrol",
    );
    post(
        &app,
        &t.worker,
        &format!("/patrols/{id}/visits"),
        json!({ "client_id": "phone-v2", "kind": "company", "micro_grid_id": t.micro, "at": at_m2 }),
    )
    .expect(201);
    problem(
        post(
            &app,
            &t.worker,
            &format!("/patrols/{id}/visits"),
            json!({ "client_id": "x", "kind": "shop" }),
        ),
        400,
        Some("kind"),
    );

    // Problems found: one fixed on the spot, one sent on by the rule.
    let fixed = post(&app, &t.worker, "/reports", json!({ "category": "garbage", "description": "楼道堆放杂物，已当场清理", "fixed_on_the_spot": true,
                     "attachment_ids": [result_photo(&app, &t.worker)], "latitude": LAT, "longitude": LNG,
                     "patrol_id": id }))
        .expect(201);
    assert_eq!(fixed["state"], "closed");
    let sent_on = post(
        &app,
        &t.worker,
        "/reports",
        json!({ "category": "garbage", "description": "垃圾桶满溢无人清运", "patrol_id": id }),
    )
    .expect(201);
    assert_eq!(sent_on["state"], "dispatched");

    // Somebody else's patrol is not reported on, nor is a patrol by the public.
    let (other_worker, _) = person(&app, &t.s.admin, "walker2", "赵网格", "grid_worker");
    refused(
        post(
            &app,
            &other_worker,
            "/reports",
            json!({ "category": "street_light", "description": "路灯不亮", "patrol_id": id }),
        ),
        422,
        Some("patrol_id"),
        "patrol_not_yours",
    );
    problem(
        app.post_report(
            "alpha",
            &json!({ "category": "street_light", "description": "路灯不亮", "patrol_id": id }),
        ),
        422,
        Some("patrol_id"),
    );

    // Ended (twice: the same answer) with the summary exact.
    let ended_at = started + Duration::minutes(75);
    let end = json!({ "ended_at": ended_at.to_rfc3339() });
    let ended = post(&app, &t.worker, &format!("/patrols/{id}/end"), end.clone()).expect(200);
    assert_eq!(
        post(&app, &t.worker, &format!("/patrols/{id}/end"), json!({})).expect(200),
        ended
    );
    // A `Patrol` lists its visits where a `PatrolSummary` counts them.
    let summary = |p: &Value| {
        [
            "state",
            "minutes",
            "metres",
            "visits",
            "problems_found",
            "fixed_on_the_spot",
        ]
        .map(|k| match &p[k] {
            Value::Array(visits) => json!(visits.len()),
            other => other.clone(),
        })
    };
    assert_eq!(
        summary(&ended),
        [
            json!("ended"),
            json!(75),
            json!(500),
            json!(2),
            json!(2),
            json!(1)
        ]
    );
    assert_eq!(ended["track"].as_array().unwrap().len(), 8);
    assert_eq!(ended["visits"].as_array().unwrap().len(), 2);
    let codes: Vec<(Value, Value)> = ended["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["tracking_code"].clone(), p["fixed_on_the_spot"].clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (fixed["tracking_code"].clone(), json!(true)),
            (sent_on["tracking_code"].clone(), json!(false))
        ]
    );
    // Phones upload late: a day after the end, no more.
    track(
        &app,
        &t.worker,
        id,
        9,
        vec![point(500.0, started, 400, 5.0)],
    )
    .expect(200);

    // Who sees the patrol and its track.
    let staff = department_with_staff(&app, &t.s.admin, "water");
    let beta = app.tenant_with_admin("beta");
    for (token, status, who) in [
        (Some(t.s.centre.as_str()), 200, "the command centre"),
        (Some(t.s.admin.as_str()), 200, "the tenant admin"),
        (Some(t.worker.as_str()), 200, "the walker"),
        (Some(other_worker.as_str()), 403, "another grid worker"),
        (Some(t.volunteer.as_str()), 403, "a volunteer"),
        (Some(staff.as_str()), 403, "a department's staff"),
        (Some(beta.as_str()), 403, "another tenant's admin"),
        (None, 401, "the public"),
    ] {
        let reply = get(&app, token, &format!("/patrols/{id}"));
        assert_eq!(reply.status, status, "{who}: {}", reply.body);
        if status == 200 {
            assert_eq!(summary(&reply.json()), summary(&ended), "{who}");
        } else {
            assert!(!reply.body.contains("王网格"), "{who} reads nothing of it");
        }
    }
    let mine = get(&app, Some(&other_worker), "/patrols").expect(200);
    assert_eq!(
        mine["items"],
        json!([]),
        "a grid worker lists their own only"
    );
    problem(
        get(
            &app,
            Some(&other_worker),
            &format!("/patrols?person={}", t.worker_id),
        ),
        403,
        Some("person"),
    );
    problem(
        post(
            &app,
            &other_worker,
            &format!("/patrols/{id}/visits"),
            json!({ "client_id": "z", "kind": "other" }),
        ),
        403,
        None,
    );
    problem(get(&app, Some(&staff), "/patrols"), 403, None);
    problem(get(&app, Some(&t.worker), "/patrols/figures"), 403, None);
    let listed = get(
        &app,
        Some(&t.s.centre),
        &format!("/patrols?person={}", t.worker_id),
    )
    .expect(200);
    assert_eq!(listed["items"][0]["id"], id);

    // The figures and the coverage, from what each write kept.
    let figures = get(&app, Some(&t.s.centre), "/patrols/figures").expect(200);
    let totals = [
        "patrols",
        "minutes",
        "metres",
        "visits",
        "problems_found",
        "fixed_on_the_spot",
    ]
    .map(|k| figures[k].clone());
    assert_eq!(
        totals,
        [
            json!(1),
            json!(75),
            json!(500),
            json!(2),
            json!(2),
            json!(1)
        ]
    );
    assert_eq!(figures["on_the_spot_rate"], 0.5);
    assert_eq!(figures["by_person"][0]["id"], t.worker_id);
    assert_eq!(figures["by_person"][0]["name"], "王网格");
    assert_eq!(figures["by_grid"][0]["id"], t.grid);
    assert_eq!(figures["by_grid"][0]["metres"], 500);
    let coverage = get(&app, Some(&t.s.admin), "/patrols/coverage").expect(200);
    assert_eq!(
        [
            coverage["micro_grids"].clone(),
            coverage["not_visited_7"].clone(),
            coverage["not_visited_30"].clone()
        ],
        [json!(3), json!(2), json!(2)]
    );
    let last = |node: i64| {
        coverage["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == node)
            .map(|n| n["last_visit_at"].clone())
            .unwrap()
    };
    assert!(last(t.micro).is_string());
    assert_eq!(
        last(t.other_micro),
        Value::Null,
        "named on a visit, refused"
    );

    // The retention: a week, and the patrol ended eight days ago.
    let settings = "/admin/patrol-settings";
    assert_eq!(
        get(&app, Some(&t.s.admin), settings).expect(200)["track_retention_days"],
        180
    );
    problem(
        send(
            &app,
            "PUT",
            Some(&t.s.admin),
            settings,
            &json!({ "track_retention_days": 6 }),
        ),
        400,
        Some("track_retention_days"),
    );
    problem(
        send(
            &app,
            "PUT",
            Some(&t.s.centre),
            settings,
            &json!({ "track_retention_days": 7 }),
        ),
        403,
        None,
    );
    send(
        &app,
        "PUT",
        Some(&t.s.admin),
        settings,
        &json!({ "track_retention_days": 7 }),
    )
    .expect(200);
    let sweep = || {
        app.client
            .post_json(&format!("{T}/cases/sweep"), Some(OPERATOR_KEY), &json!({}))
            .unwrap()
            .expect(200)
    };
    assert_eq!(
        sweep()["patrols"]["tracks_thinned"],
        0,
        "ended 15 minutes ago"
    );
    app.backdate_patrol(id, Duration::days(8));
    assert_eq!(sweep()["patrols"]["tracks_thinned"], 1);
    let thinned = get(&app, Some(&t.s.centre), &format!("/patrols/{id}")).expect(200);
    assert_eq!(
        (thinned["track"].clone(), thinned["track_thinned"].clone()),
        (Value::Null, json!(true))
    );
    assert_eq!(summary(&thinned), summary(&ended), "the summary stays");
    assert_eq!(sweep()["patrols"]["tracks_thinned"], 0, "once");
    // A patrol ended more than a day ago takes nothing more.
    let closed = problem(track(&app, &t.worker, id, 10, walk(0, 1)), 409, None);
    assert_eq!(closed["code"], "patrol_closed");
}

#[test]
fn a_volunteer_signs_in_on_its_grid_day_and_sees_only_its_own() {
    let app = TestApp::product();
    let t = town(&app);
    let today = today();
    let plan = |date: chrono::NaiveDate, grids: Vec<i64>| {
        json!({ "date": date.to_string(), "title": "周三网格日", "grid_ids": grids,
                "member_ids": [t.worker_id, t.volunteer_id] })
    };
    // Only the admin plans; only grid workers and volunteers are listed.
    problem(
        post(&app, &t.s.centre, "/grid-days", plan(today, vec![t.grid])),
        403,
        None,
    );
    let mut with_centre = plan(today, vec![t.grid]);
    with_centre["member_ids"] = json!([t.worker_id, 999_999]);
    problem(
        post(&app, &t.s.admin, "/grid-days", with_centre),
        422,
        Some("member_ids"),
    );
    let day = post(&app, &t.s.admin, "/grid-days", plan(today, vec![t.grid])).expect(201);
    let next_week = post(
        &app,
        &t.s.admin,
        "/grid-days",
        plan(today + Duration::days(7), vec![t.other_grid]),
    )
    .expect(201);
    let (day_id, next_id) = (
        day["id"].as_i64().unwrap(),
        next_week["id"].as_i64().unwrap(),
    );
    assert_eq!(day["members"].as_array().unwrap().len(), 2);

    // The volunteer's list: both days, no patrol yet.
    let mine = get(&app, Some(&t.volunteer), "/grid-days/mine").expect(200);
    let ids: Vec<_> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(day_id), json!(next_id)]);
    assert_eq!(mine["items"][0]["grids"][0]["id"], t.grid);
    assert_eq!(mine["items"][0]["my_patrol_id"], Value::Null);

    // Not without a grid day, not next week's, not on a grid not of the day.
    problem(
        post(&app, &t.volunteer, "/patrols", json!({ "grid_id": t.grid })),
        403,
        Some("grid_day_id"),
    );
    refused(
        post(
            &app,
            &t.volunteer,
            "/patrols",
            json!({ "grid_id": t.other_grid, "grid_day_id": next_id }),
        ),
        409,
        Some("grid_day_id"),
        "grid_day_not_today",
    );
    problem(
        post(
            &app,
            &t.volunteer,
            "/patrols",
            json!({ "grid_id": t.other_grid, "grid_day_id": day_id }),
        ),
        422,
        Some("grid_id"),
    );
    let signed_in = post(
        &app,
        &t.volunteer,
        "/patrols",
        json!({ "grid_id": t.micro, "grid_day_id": day_id }),
    )
    .expect(201);
    let patrol = signed_in["id"].as_i64().unwrap();
    assert_eq!(signed_in["grid_day_id"], day_id);

    // What it records counts like a patrol's; it reports only on it.
    post(
        &app,
        &t.volunteer,
        &format!("/patrols/{patrol}/visits"),
        json!({ "client_id": "a", "kind": "building" }),
    )
    .expect(201);
    problem(
        post(
            &app,
            &t.volunteer,
            "/reports",
            json!({ "category": "street_light", "description": "路灯不亮" }),
        ),
        403,
        Some("patrol_id"),
    );
    let fixed = post(&app, &t.volunteer, "/reports", json!({ "category": "street_light", "description": "路灯开关复位，已亮", "fixed_on_the_spot": true,
                     "attachment_ids": [result_photo(&app, &t.volunteer)], "patrol_id": patrol }))
        .expect(201);
    assert_eq!(fixed["state"], "closed");
    let own = get(&app, Some(&t.volunteer), &format!("/patrols/{patrol}")).expect(200);
    assert_eq!(
        own["problems"][0]["tracking_code"], fixed["tracking_code"],
        "its own reports, on its patrol"
    );
    // No other case, no queue, no dashboard, no grid day of others' planning.
    for path in [
        "/cases".to_string(),
        format!("/cases/{}", fixed["id"]),
        "/queues/triage".to_string(),
        "/dashboard/figures".to_string(),
        "/patrols/figures".to_string(),
        "/grid-days".to_string(),
        "/admin/departments".to_string(),
    ] {
        problem(get(&app, Some(&t.volunteer), &path), 403, None);
    }
    // A member sees its day's grids and itself.
    let seen = get(&app, Some(&t.volunteer), &format!("/grid-days/{day_id}")).expect(200);
    assert_eq!(
        seen["members"],
        json!([{ "id": t.volunteer_id, "name": "李志愿", "role": "volunteer", "signed_in": true }])
    );
    let (stranger, _) = person(&app, &t.s.admin, "stranger", "外人", "volunteer");
    problem(
        get(&app, Some(&stranger), &format!("/grid-days/{day_id}")),
        403,
        None,
    );
    problem(
        post(
            &app,
            &stranger,
            "/patrols",
            json!({ "grid_id": t.grid, "grid_day_id": day_id }),
        ),
        403,
        Some("grid_day_id"),
    );
    let mine = get(&app, Some(&t.volunteer), "/grid-days/mine").expect(200);
    assert_eq!(mine["items"][0]["my_patrol_id"], patrol);

    // The day's totals and who signed in, for the centre.
    let read = get(&app, Some(&t.s.centre), &format!("/grid-days/{day_id}")).expect(200);
    let totals = &read["totals"];
    assert_eq!(
        [
            "people_signed_in",
            "patrols",
            "visits",
            "problems_found",
            "fixed_on_the_spot"
        ]
        .map(|k| totals[k].clone()),
        [json!(1), json!(1), json!(1), json!(1), json!(1)]
    );
    let signed: Vec<(Value, Value)> = read["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].clone(), m["signed_in"].clone()))
        .collect();
    assert_eq!(
        signed,
        vec![
            (json!(t.worker_id), json!(false)),
            (json!(t.volunteer_id), json!(true))
        ]
    );
    let listed = get(&app, Some(&t.s.centre), "/grid-days").expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed["items"][0]["totals"], read["totals"]);

    // Changed before or on the day; deleted only before it.
    problem(
        send(
            &app,
            "DELETE",
            Some(&t.s.admin),
            &format!("/grid-days/{day_id}"),
            &json!({}),
        ),
        409,
        None,
    );
    let moved = send(
        &app,
        "PUT",
        Some(&t.s.admin),
        &format!("/grid-days/{next_id}"),
        &plan(today + Duration::days(14), vec![t.grid, t.other_grid]),
    )
    .expect(200);
    assert_eq!(moved["grids"].as_array().unwrap().len(), 2);
    let deleted = send(
        &app,
        "DELETE",
        Some(&t.s.admin),
        &format!("/grid-days/{next_id}"),
        &json!({}),
    );
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    problem(
        get(&app, Some(&t.s.admin), &format!("/grid-days/{next_id}")),
        404,
        None,
    );
}

/// Starts the worker's patrol of its grid, `started_at` when given.
fn start(app: &TestApp, t: &Town, started_at: Option<chrono::DateTime<Utc>>) -> Reply {
    post(
        app,
        &t.worker,
        "/patrols",
        json!({ "grid_id": t.grid, "started_at": started_at.map(|s| s.to_rfc3339()) }),
    )
}

#[test]
fn a_patrols_times_length_and_track_are_bounded() {
    let app = TestApp::product();
    let t = town(&app);
    // Back-dated patrols do not overlap: 23h58m ago, ended, then again.
    let back = Utc::now() - Duration::minutes(23 * 60 + 58);
    let first = start(&app, &t, Some(back)).expect(201)["id"]
        .as_i64()
        .unwrap();
    post(&app, &t.worker, &format!("/patrols/{first}/end"), json!({})).expect(200);
    let overlap = problem(start(&app, &t, Some(back)), 409, Some("started_at"));
    assert_eq!(overlap["code"], "patrol_overlaps");

    // Points in 2027, 2099 and 9999 on a patrol of today: refused.
    let id = start(&app, &t, Some(Utc::now() - Duration::hours(1))).expect(201)["id"]
        .as_i64()
        .unwrap();
    let far = vec![
        json!({ "lat": LAT, "lng": LNG, "at": Utc::now().to_rfc3339() }),
        json!({ "lat": LAT + 1.0, "lng": LNG, "at": "2027-01-01T00:00:00Z" }),
        json!({ "lat": LAT + 2.0, "lng": LNG, "at": "9999-01-01T00:00:00Z" }),
    ];
    refused(
        track(&app, &t.worker, id, 0, far),
        422,
        Some("points[1].at"),
        "outside_patrol",
    );
    // Odd text is refused.
    for (field, body) in [
        (
            "client_id",
            json!({ "client_id": "v\u{0}1", "kind": "other" }),
        ),
        (
            "note",
            json!({ "client_id": "v1", "kind": "other", "note": "门\u{0}\u{202e}口" }),
        ),
    ] {
        problem(
            post(&app, &t.worker, &format!("/patrols/{id}/visits"), body),
            400,
            Some(field),
        );
    }

    // 2,500 points (a point a second): a read shows 2,000 of them.
    let started = Utc::now() - Duration::hours(1) + Duration::seconds(1);
    for piece in 0..5 {
        let points = (piece * 500..(piece + 1) * 500)
            .map(|i| point(i as f64, started, i, 5.0))
            .collect();
        track(&app, &t.worker, id, piece, points).expect(200);
    }
    let read = get(&app, Some(&t.worker), &format!("/patrols/{id}")).expect(200);
    assert_eq!(read["track"].as_array().unwrap().len(), 2000);
    assert_eq!(read["track_simplified"], true);
    assert_eq!(read["metres"], 2499, "the distance is from every point");

    // Left running 400 days: the sweep ends it at 12 hours.
    app.backdate_running_patrol(id, Duration::days(400));
    let swept = app
        .client
        .post_json(&format!("{T}/cases/sweep"), Some(OPERATOR_KEY), &json!({}))
        .unwrap()
        .expect(200);
    assert_eq!(swept["patrols"]["ended"], 1);
    let ended = get(&app, Some(&t.s.centre), &format!("/patrols/{id}")).expect(200);
    assert_eq!(
        (ended["state"].clone(), ended["minutes"].clone()),
        (json!("ended"), json!(720))
    );
    refused(
        post(
            &app,
            &t.worker,
            &format!("/patrols/{id}/visits"),
            json!({ "client_id": "late", "kind": "other" }),
        ),
        409,
        None,
        "patrol_closed",
    );
    // An end said past 12 hours is clamped to them.
    let again = start(&app, &t, None).expect(201)["id"].as_i64().unwrap();
    app.backdate_running_patrol(again, Duration::hours(13));
    let clamped = post(&app, &t.worker, &format!("/patrols/{again}/end"), json!({})).expect(200);
    assert_eq!(clamped["minutes"], 720);
}

#[test]
fn a_grid_day_keeps_its_date_grids_and_people_once_signed_in() {
    let app = TestApp::product();
    let t = town(&app);
    let today = today();
    let plan = |date: &str, grids: Vec<i64>, members: Vec<i64>| json!({ "date": date, "title": "周三网格日", "grid_ids": grids, "member_ids": members });
    // Odd dates and titles.
    for (date, status) in [
        ("+262142-12-31", 400),
        ("9999-12-31", 422),
        ("2026-1-1", 400),
    ] {
        problem(
            post(
                &app,
                &t.s.admin,
                "/grid-days",
                plan(date, vec![t.grid], vec![]),
            ),
            status,
            Some("date"),
        );
    }
    let mut odd = plan(&today.to_string(), vec![t.grid], vec![]);
    odd["title"] = json!("\u{0}\u{202e}");
    problem(
        post(&app, &t.s.admin, "/grid-days", odd),
        400,
        Some("title"),
    );
    problem(
        get(&app, Some(&t.s.admin), "/grid-days?from=%2B262142-12-31"),
        400,
        Some("from"),
    );

    let day = post(
        &app,
        &t.s.admin,
        "/grid-days",
        plan(
            &today.to_string(),
            vec![t.grid],
            vec![t.volunteer_id, t.worker_id],
        ),
    )
    .expect(201)["id"]
        .as_i64()
        .unwrap();
    post(
        &app,
        &t.volunteer,
        "/patrols",
        json!({ "grid_id": t.grid, "grid_day_id": day }),
    )
    .expect(201);
    let path = format!("/grid-days/{day}");
    // Moved to tomorrow on another grid with nobody: refused.
    let tomorrow = (today + Duration::days(1)).to_string();
    refused(
        send(
            &app,
            "PUT",
            Some(&t.s.admin),
            &path,
            &plan(&tomorrow, vec![t.other_grid], vec![]),
        ),
        409,
        Some("date"),
        "grid_day_started",
    );
    refused(
        send(
            &app,
            "PUT",
            Some(&t.s.admin),
            &path,
            &plan(&today.to_string(), vec![t.grid], vec![t.worker_id]),
        ),
        409,
        Some("member_ids"),
        "grid_day_started",
    );
    // Additions are fine.
    let added = send(
        &app,
        "PUT",
        Some(&t.s.admin),
        &path,
        &plan(
            &today.to_string(),
            vec![t.grid, t.other_grid],
            vec![t.volunteer_id],
        ),
    )
    .expect(200);
    assert_eq!(added["grids"].as_array().unwrap().len(), 2);
    refused(
        send(&app, "DELETE", Some(&t.s.admin), &path, &json!({})),
        409,
        None,
        "grid_day_started",
    );
}
