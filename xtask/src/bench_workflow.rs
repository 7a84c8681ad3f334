//! The workflow at the seed zone's scale: one tenant filled with
//! `cases` cases over two years (bulk, through the store, not HTTP), then
//! the sweep over all of them and a department's inbox page, on the host,
//! against the trivial baseline in the same run.

use crate::bench::{RunningHost, bench_manifest, machine};
use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use store::scoped::bulk::BulkSpec;

const OPERATOR: &str = "bench-operator";

/// Creates what the cases need through the API; returns (department id,
/// staff token).
fn organise(host: &RunningHost, admin: &str) -> anyhow::Result<(i64, String)> {
    let client = &host.client;
    let expect = |reply: crate::client::Reply, what: &str| -> anyhow::Result<Value> {
        if reply.status != 201 {
            bail!("{what}: {} {}", reply.status, reply.body);
        }
        Ok(reply.json())
    };
    for (code, zh, hours) in [("garbage", "垃圾", 8), ("road_damage", "道路破损", 24)] {
        expect(
            client.post_json(
                "/api/t/bench/admin/categories",
                Some(admin),
                &json!({ "code": code, "name_zh": zh, "name_en": code, "response_hours": 2, "resolution_hours": hours }),
            )?,
            "category",
        )?;
    }
    let department = expect(
        client.post_json(
            "/api/t/bench/admin/departments",
            Some(admin),
            &json!({ "code": "urban", "name": "城管" }),
        )?,
        "department",
    )?;
    expect(
        client.post_json(
            "/api/t/bench/admin/users",
            Some(admin),
            &json!({ "login": "staff", "display_name": "staff", "role": "department_staff",
                     "department_id": department["id"], "password": "bench-password-1" }),
        )?,
        "staff",
    )?;
    let token = crate::demo::login(
        client,
        "/api/t/bench/auth/login",
        ("staff", "bench-password-1"),
    )?;
    Ok((department["id"].as_i64().context("department id")?, token))
}

/// Fills the tenant straight through the store, beside the running host
/// (SQLite in WAL mode takes a second connection).
fn fill(host: &RunningHost, department: i64, cases: usize) -> anyhow::Result<Duration> {
    let db = store::NativeDb::open(host.state_dir().join("sqlite_db.db"))?;
    let code = domain::TenantCode::parse("bench").map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let tenant = store::platform::find_tenant(&db, &code)?.context("the bench tenant")?;
    let scope = store::TenantScope::new(&db, &tenant);
    let calendar = scope.work_calendar()?;
    let started = Instant::now();
    scope.bulk_fill(
        &BulkSpec {
            cases,
            days: 730,
            end: Utc::now(),
            departments: vec![department],
            grid_nodes: Vec::new(),
            seed: 1,
        },
        &calendar,
    )?;
    Ok(started.elapsed())
}

pub fn workflow(root: &Path, cases: usize) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningHost::start(root, &manifest)?;
    let platform = host.platform_token()?;
    let admin = host.tenant(&platform, "bench")?;
    let (department, staff) = organise(&host, &admin)?;
    let filled = fill(&host, department, cases)?;
    let client = &host.client;

    let mut sweeps = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let reply = client.post_json("/api/t/bench/cases/sweep", Some(OPERATOR), &json!({}))?;
        if reply.status != 200 {
            bail!("sweep: {} {}", reply.status, reply.body);
        }
        sweeps.push((started.elapsed(), reply.json()));
    }

    let base = client.base().to_string();
    let get = |path: &'static str| {
        let url = format!("{base}{path}");
        let token = staff.clone();
        move |agent: &ureq::Agent, _n: usize| -> Result<u16, String> {
            agent
                .get(&url)
                .set("authorization", &format!("Bearer {token}"))
                .call()
                .map(|r| r.status())
                .map_err(|e| e.to_string())
        }
    };
    let baseline = {
        let url = format!("{base}/bench/baseline/hello");
        move |agent: &ureq::Agent, _n: usize| -> Result<u16, String> {
            agent
                .get(&url)
                .call()
                .map(|r| r.status())
                .map_err(|e| e.to_string())
        }
    };
    let inbox = get("/api/t/bench/queues/inbox?limit=50");
    let by_due = get("/api/t/bench/queues/inbox?limit=50&sort=due");
    let duration = Duration::from_secs(5);
    let mut runs = Vec::new();
    for concurrency in [1, 8] {
        runs.push(crate::load::run(
            "baseline (trivial component)",
            concurrency,
            duration,
            200,
            &baseline,
        ));
        runs.push(crate::load::run(
            "inbox page (50, oldest first)",
            concurrency,
            duration,
            200,
            &inbox,
        ));
        runs.push(crate::load::run(
            "inbox page (50, by deadline)",
            concurrency,
            duration,
            200,
            &by_due,
        ));
    }
    let sweep_rows: Vec<String> = sweeps
        .iter()
        .enumerate()
        .map(|(i, (took, report))| {
            format!(
                "| {} | {} | {} | {:.2} s |",
                i + 1,
                report["checked"],
                report["escalated"],
                took.as_secs_f64()
            )
        })
        .collect();
    Ok(format!(
        "# Workflow benchmark: the sweep and a department inbox at {cases} cases\n\n{}\n\
         One tenant holds {cases} cases reported over two years (bulk-written through the store in {:.1} s: \
         nearly all closed, the last three weeks' still open at every step), all with one department, \
         so its inbox holds every open case.\n\n\
         ## The sweep (operator key, one call each)\n\n\
         | call | open clocks checked | escalated | time |\n| --- | --- | --- | --- |\n{}\n\n\
         The first call climbs the ladder for every late case at once; later calls find nothing new.\n\n\
         ## Inbox pages\n\nEach run lasts {} s; clients send their next request as soon as the last one answered.\n\n{}",
        machine(),
        filled.as_secs_f64(),
        sweep_rows.join("\n"),
        duration.as_secs(),
        crate::load::table(&runs, "baseline (trivial component)")
    ))
}
