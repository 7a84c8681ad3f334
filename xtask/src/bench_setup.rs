//! What the data-heavy benchmarks set up: a tenant with its catalogue, a
//! department and the people who call the measured routes (through the
//! API, like any client), then cases in bulk through the store beside the
//! running host (SQLite in WAL mode takes a second connection).

use crate::bench::RunningApp;
use crate::client::Reply;
use crate::load::{Answer, answer};
use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use store::scoped::bulk::BulkSpec;
use store::{Database, NativeDb, TenantScope};

/// A benchmark tenant's department and people (tokens).
pub struct Org {
    pub code: String,
    pub department: i64,
    pub staff: String,
    pub centre: String,
    pub worker: String,
}

fn created(reply: Reply, what: &str) -> anyhow::Result<Value> {
    if reply.status != 201 {
        bail!("{what}: {} {}", reply.status, reply.body);
    }
    Ok(reply.json())
}

/// A tenant with categories `garbage` (8 h) and `road_damage` (24 h), the
/// department `urban` (which a rule sends garbage to), and three people:
/// `staff` of urban, `centre` (command centre), `worker` (grid worker).
pub fn organise(host: &RunningApp, platform: &str, code: &str) -> anyhow::Result<Org> {
    let admin = host.tenant(platform, code)?;
    let client = &host.client;
    let base = format!("/api/t/{code}/admin");
    // The load's reports carry no place, as the figures were first measured.
    for (category, zh, hours) in [("garbage", "垃圾", 8), ("road_damage", "道路破损", 24)] {
        created(
            client.post_json(
                &format!("{base}/categories"),
                Some(&admin),
                &json!({ "code": category, "name_zh": zh, "name_en": category, "response_hours": 2, "resolution_hours": hours,
                         "place_required": false }),
            )?,
            "category",
        )?;
    }
    let department = created(
        client.post_json(
            &format!("{base}/departments"),
            Some(&admin),
            &json!({ "code": "urban", "name": "城管" }),
        )?,
        "department",
    )?["id"]
        .as_i64()
        .context("department id")?;
    let rule = client.send_json(
        "PUT",
        &format!("{base}/routing-rules"),
        Some(&admin),
        &json!({ "rules": [{ "category": "garbage", "department_id": department }] }),
    )?;
    if rule.status != 200 {
        bail!("routing rule: {}", rule.body);
    }
    let login = |name: &str, role: &str| -> anyhow::Result<String> {
        let mut body = json!({ "login": name, "display_name": name, "role": role, "password": "bench-password-1" });
        if role == "department_staff" {
            body["department_id"] = json!(department);
        }
        created(
            client.post_json(&format!("{base}/users"), Some(&admin), &body)?,
            name,
        )?;
        crate::demo::login(
            client,
            &format!("/api/t/{code}/auth/login"),
            (name, "bench-password-1"),
        )
    };
    Ok(Org {
        code: code.to_string(),
        department,
        staff: login("staff", "department_staff")?,
        centre: login("centre", "command_centre")?,
        worker: login("worker", "grid_worker")?,
    })
}

/// The app's database, opened natively: its file, or its libSQL server.
pub fn database(host: &RunningApp) -> anyhow::Result<Box<dyn Database>> {
    Ok(match host.sqld_port {
        Some(port) => Box::new(crate::hrana::HranaDb::connect(port)),
        None => Box::new(NativeDb::open(host.state_dir().join("sqlite_db.db"))?),
    })
}

fn tenant(db: &dyn Database, code: &str) -> anyhow::Result<domain::Tenant> {
    let code = domain::TenantCode::parse(code).map_err(|p| anyhow::anyhow!("{}", p.detail))?;
    store::platform::find_tenant(db, &code)?.context("no such tenant")
}

/// Writes `cases` cases over two years in bulk (placed in `grid_nodes`
/// when given); returns how long it took.
pub fn fill(
    host: &RunningApp,
    org: &Org,
    cases: usize,
    grid_nodes: Vec<i64>,
    seed: u64,
) -> anyhow::Result<Duration> {
    let db = database(host)?;
    let tenant = tenant(db.as_ref(), &org.code)?;
    let scope = TenantScope::new(db.as_ref(), &tenant);
    let calendar = scope.work_calendar()?;
    let started = Instant::now();
    scope.bulk_fill(
        &BulkSpec {
            cases,
            days: 730,
            end: Utc::now(),
            departments: vec![org.department],
            grid_nodes,
            seed,
        },
        &calendar,
    )?;
    Ok(started.elapsed())
}

/// One column of a query over the tenant's rows, as text.
pub fn column(host: &RunningApp, code: &str, sql: &str) -> anyhow::Result<Vec<String>> {
    let db = database(host)?;
    let tenant = tenant(db.as_ref(), code)?;
    let rows = db.execute(sql, &[tenant.id.0.into()])?;
    Ok(rows
        .rows
        .iter()
        .filter_map(|row| {
            row.first().map(|v| match v {
                store::Value::Text(t) => t.clone(),
                store::Value::Integer(i) => i.to_string(),
                other => format!("{other:?}"),
            })
        })
        .collect())
}

/// A GET with a bearer token, as a load-generator request.
pub fn get_with(
    url: String,
    token: Option<String>,
) -> impl Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync {
    move |agent: &ureq::Agent, _n: usize| {
        let mut request = agent.get(&url);
        if let Some(token) = &token {
            request = request.set("authorization", &format!("Bearer {token}"));
        }
        answer(request.call())
    }
}

/// A grid worker's report as JSON, without a photo.
pub fn report_json(
    url: String,
    token: String,
) -> impl Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync {
    move |agent: &ureq::Agent, n: usize| {
        let report =
            json!({ "category": "garbage", "description": format!("load {n}"), "insist": true });
        answer(
            agent
                .post(&url)
                .set("authorization", &format!("Bearer {token}"))
                .send_json(report),
        )
    }
}

/// One INSERT on a fresh connection: the naive write of the benchmark
/// manifest (see `bench::bench_manifest`), after its table is made.
pub fn naive_write(
    app: &RunningApp,
) -> anyhow::Result<impl Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync> {
    let made = app.client.send(
        "POST",
        "/bench/naive/sql",
        None,
        Some(("text/plain", b"first".as_slice())),
    )?;
    if made.status != 200 {
        bail!("the naive write's table: {} {}", made.status, made.body);
    }
    let url = format!("{}/bench/naive/sql/note", app.client.base());
    Ok(move |agent: &ureq::Agent, n: usize| {
        answer(agent.post(&url).send_string(&format!("note {n}")))
    })
}

/// The naive read: the probe's one SELECT on a fresh connection (after
/// [`naive_write`] made its table), what any route that reads SQLite pays
/// at least on Spin.
pub fn naive_read(
    app: &RunningApp,
) -> impl Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync {
    let url = format!("{}/bench/naive/sql/note", app.client.base());
    move |agent: &ureq::Agent, _| answer(agent.get(&url).call())
}

/// One key-value write (the probe's `PUT kv/…`): what every writing
/// request pays for the tenant's write mark (`edge::snapshots`).
pub fn key_value_write(
    app: &RunningApp,
) -> impl Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync {
    let url = format!("{}/bench/naive/kv/mark", app.client.base());
    move |agent: &ureq::Agent, n: usize| answer(agent.put(&url).send_string(&n.to_string()))
}

/// A grid worker's report with a 20 KB photo (multipart), a distinct photo
/// each time as in life, so nothing is deduplicated.
pub fn report_with_photo(
    url: String,
    token: String,
) -> impl Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync {
    let photo = crate::bench::small_photo();
    move |agent: &ureq::Agent, n: usize| {
        let boundary = "bench-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"p.jpg\"\r\n\r\n",
            json!({ "category": "garbage", "description": format!("load {n}"), "insist": true })
        )
        .into_bytes();
        let mut own = photo.clone();
        own[20..28].copy_from_slice(&(n as u64).to_le_bytes());
        body.extend_from_slice(&own);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        answer(
            agent
                .post(&url)
                .set("authorization", &format!("Bearer {token}"))
                .set(
                    "content-type",
                    &format!("multipart/form-data; boundary={boundary}"),
                )
                .send_bytes(&body),
        )
    }
}
