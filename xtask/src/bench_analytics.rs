//! The dashboard's main call as data grows: one tenant at 25,000 cases,
//! then ten tenants at 250,000 each (2,500,000 in all), the same call
//! measured each time against the trivial baseline in the same run. The
//! figures are sums kept on every change, so the call should not grow
//! with the data.

use crate::bench::{RunningHost, bench_manifest, machine};
use crate::load::Run;
use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use store::scoped::bulk::BulkSpec;

/// Creates a tenant with two categories, a department and a command-centre
/// account; returns (department id, the centre's token).
fn organise(host: &RunningHost, platform: &str, code: &str) -> anyhow::Result<(i64, String)> {
    let admin = host.tenant(platform, code)?;
    let client = &host.client;
    let base = format!("/api/t/{code}/admin");
    for (category, hours) in [("garbage", 8), ("road_damage", 24)] {
        let reply = client.post_json(
            &format!("{base}/categories"),
            Some(&admin),
            &json!({ "code": category, "name_zh": category, "name_en": category, "response_hours": 2, "resolution_hours": hours }),
        )?;
        if reply.status != 201 {
            bail!("category: {}", reply.body);
        }
    }
    let department = client.post_json(
        &format!("{base}/departments"),
        Some(&admin),
        &json!({ "code": "urban", "name": "城管" }),
    )?;
    if department.status != 201 {
        bail!("department: {}", department.body);
    }
    let centre = client.post_json(
        &format!("{base}/users"),
        Some(&admin),
        &json!({ "login": "centre", "display_name": "centre", "role": "command_centre", "password": "bench-password-1" }),
    )?;
    if centre.status != 201 {
        bail!("centre: {}", centre.body);
    }
    let token = crate::demo::login(
        client,
        &format!("/api/t/{code}/auth/login"),
        ("centre", "bench-password-1"),
    )?;
    Ok((department.json()["id"].as_i64().context("id")?, token))
}

fn fill(
    host: &RunningHost,
    code: &str,
    department: i64,
    cases: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let db = store::NativeDb::open(host.state_dir().join("sqlite_db.db"))?;
    let tenant_code = domain::TenantCode::parse(code).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let tenant = store::platform::find_tenant(&db, &tenant_code)?.context("tenant")?;
    let scope = store::TenantScope::new(&db, &tenant);
    let calendar = scope.work_calendar()?;
    scope.bulk_fill(
        &BulkSpec {
            cases,
            days: 730,
            end: Utc::now(),
            departments: vec![department],
            grid_nodes: Vec::new(),
            seed,
        },
        &calendar,
    )?;
    Ok(())
}

/// The dashboard's main call (30 days by day, and a year by month) and the
/// baseline, at 1 and 8 clients.
fn measure(host: &RunningHost, code: &str, token: &str, label: &str) -> Vec<Run> {
    let base = host.client.base().to_string();
    let call = |path: String| {
        let url = format!("{base}{path}");
        let token = token.to_string();
        move |agent: &ureq::Agent, _n: usize| -> Result<u16, String> {
            agent
                .get(&url)
                .set("authorization", &format!("Bearer {token}"))
                .call()
                .map(|r| r.status())
                .map_err(|e| e.to_string())
        }
    };
    let month = call(format!("/api/t/{code}/dashboard/figures"));
    let year = {
        let today = Utc::now().date_naive();
        let from = today - chrono::Duration::days(364);
        call(format!(
            "/api/t/{code}/dashboard/figures?by=month&from={from}&to={today}"
        ))
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
    let duration = Duration::from_secs(5);
    let mut runs = Vec::new();
    for clients in [1, 8] {
        runs.push(crate::load::run(
            &format!("baseline ({label})"),
            clients,
            duration,
            200,
            &baseline,
        ));
        runs.push(crate::load::run(
            &format!("figures, 30 days by day ({label})"),
            clients,
            duration,
            200,
            &month,
        ));
        runs.push(crate::load::run(
            &format!("figures, a year by month ({label})"),
            clients,
            duration,
            200,
            &year,
        ));
    }
    runs
}

pub fn analytics(
    root: &Path,
    small: usize,
    tenants: usize,
    per_tenant: usize,
) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningHost::start(root, &manifest)?;
    let platform = host.platform_token()?;

    let (department, token) = organise(&host, &platform, "small")?;
    let started = Instant::now();
    fill(&host, "small", department, small, 1)?;
    let small_fill = started.elapsed();
    let small_runs = measure(&host, "small", &token, &format!("{small} cases"));

    let started = Instant::now();
    let mut first = None;
    for t in 0..tenants {
        let code = format!("big{t}");
        let (department, token) = organise(&host, &platform, &code)?;
        fill(&host, &code, department, per_tenant, 100 + t as u64)?;
        first.get_or_insert((code, token));
    }
    let big_fill = started.elapsed();
    let (code, token) = first.context("at least one big tenant")?;
    let total = small + tenants * per_tenant;
    let big_runs = measure(&host, &code, &token, &format!("{total} cases in all"));

    let p99 = |runs: &[Run], prefix: &str, clients: usize| {
        runs.iter()
            .find(|r| r.name.starts_with(prefix) && r.concurrency == clients)
            .map(|r| r.quantile(0.99))
    };
    let mut growth = String::from(
        "| call | clients | p99 small | p99 large | large / small |\n| --- | --- | --- | --- | --- |\n",
    );
    for (prefix, name) in [
        ("figures, 30 days", "figures, 30 days by day"),
        ("figures, a year", "figures, a year by month"),
    ] {
        for clients in [1, 8] {
            if let (Some(a), Some(b)) = (
                p99(&small_runs, prefix, clients),
                p99(&big_runs, prefix, clients),
            ) {
                growth.push_str(&format!(
                    "| {name} | {clients} | {:.1} ms | {:.1} ms | {:.2} |\n",
                    a.as_secs_f64() * 1000.0,
                    b.as_secs_f64() * 1000.0,
                    b.as_secs_f64() / a.as_secs_f64()
                ));
            }
        }
    }
    Ok(format!(
        "# Analytics benchmark: the dashboard's main call from {small} to {total} cases\n\n{}\n\
         First one tenant with {small} cases (bulk-written in {:.1} s), then {tenants} more tenants with \
         {per_tenant} cases each (in {:.1} s), all reported over two years; the call is measured on the \
         small tenant, then on one of the large ones, with the trivial baseline in each run. Runs last 5 s.\n\n\
         ## Growth of p99\n\n{growth}\n## At {small} cases\n\n{}\n## At {total} cases\n\n{}",
        machine(),
        small_fill.as_secs_f64(),
        big_fill.as_secs_f64(),
        crate::load::table(&small_runs, &format!("baseline ({small} cases)")),
        crate::load::table(&big_runs, &format!("baseline ({total} cases in all)")),
    ))
}
