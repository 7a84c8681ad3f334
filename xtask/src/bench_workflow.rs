//! The workflow at the seed zone's scale: one tenant filled with
//! `cases` cases over two years (bulk, through the store, not HTTP), then
//! the sweep over all of them and a department's inbox page, on the host,
//! against the trivial baseline in the same run.

use crate::bench::{RunningApp, bench_manifest, machine};
use crate::bench_setup::{fill, get_with, organise};
use anyhow::bail;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const OPERATOR: &str = "bench-operator";

pub fn workflow(
    root: &Path,
    cases: usize,
    runtime: crate::runtime::Runtime,
) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningApp::start(root, &manifest, runtime)?;
    let platform = host.platform_token()?;
    let org = organise(&host, &platform, "bench")?;
    let filled = fill(&host, &org, cases, Vec::new(), 1)?;
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
    let staff = Some(org.staff.clone());
    let baseline = get_with(format!("{base}/bench/baseline/hello"), None);
    let inbox = get_with(
        format!("{base}/api/t/bench/queues/inbox?limit=50"),
        staff.clone(),
    );
    let by_due = get_with(
        format!("{base}/api/t/bench/queues/inbox?limit=50&sort=due"),
        staff,
    );
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
        machine(host.runtime),
        filled.as_secs_f64(),
        sweep_rows.join("\n"),
        duration.as_secs(),
        crate::load::table(&runs, "baseline (trivial component)")
    ))
}
