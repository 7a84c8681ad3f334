//! The dashboard's main call as data grows: one tenant at 25,000 cases,
//! then ten tenants at 250,000 each (2,500,000 in all), the same call
//! measured each time against the trivial baseline in the same run. The
//! figures are sums kept on every change, so the call should not grow
//! with the data.

use crate::bench::{RunningApp, bench_manifest, machine};
use crate::bench_setup::{fill, get_with, organise};
use crate::load::Run;
use anyhow::Context;
use chrono::Utc;
use std::path::Path;
use std::time::{Duration, Instant};

/// The dashboard's main call (30 days by day, and a year by month) and the
/// baseline, at 1 and 8 clients.
fn measure(host: &RunningApp, code: &str, token: &str, label: &str) -> Vec<Run> {
    let base = host.client.base().to_string();
    let call = |path: String| get_with(format!("{base}{path}"), Some(token.to_string()));
    let month = call(format!("/api/t/{code}/dashboard/figures"));
    let year = {
        let today = Utc::now().date_naive();
        let from = today - chrono::Duration::days(364);
        call(format!(
            "/api/t/{code}/dashboard/figures?by=month&from={from}&to={today}"
        ))
    };
    let baseline = get_with(format!("{base}/bench/baseline/hello"), None);
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
    runtime: crate::runtime::Runtime,
) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningApp::start(root, &manifest, runtime)?;
    let platform = host.platform_token()?;

    let org = organise(&host, &platform, "small")?;
    let small_fill = fill(&host, &org, small, Vec::new(), 1)?;
    let small_runs = measure(&host, "small", &org.centre, &format!("{small} cases"));

    let started = Instant::now();
    let mut first = None;
    for t in 0..tenants {
        let org = organise(&host, &platform, &format!("big{t}"))?;
        fill(&host, &org, per_tenant, Vec::new(), 100 + t as u64)?;
        first.get_or_insert(org);
    }
    let big_fill = started.elapsed();
    let big = first.context("at least one big tenant")?;
    let total = small + tenants * per_tenant;
    let big_runs = measure(
        &host,
        &big.code,
        &big.centre,
        &format!("{total} cases in all"),
    );

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
        machine(host.runtime),
        small_fill.as_secs_f64(),
        big_fill.as_secs_f64(),
        crate::load::table(&small_runs, &format!("baseline ({small} cases)")),
        crate::load::table(&big_runs, &format!("baseline ({total} cases in all)")),
    ))
}
