//! The whole app under load at the seed zone's scale (issue "proof under
//! pressure"): a tenant with the seed zone's grid (7,825 nodes) and 250,000
//! cases over two years (optionally nine more such tenants: 2,500,000
//! cases), then every main route at 1, 8 and 64 concurrent clients for a
//! fixed time, each against the trivial baseline of the same run; plus the
//! components' sizes and the host's cold start.

use crate::bench::{RunningApp, bench_manifest, machine};
use crate::bench_setup::{
    Org, column, fill, get_with, naive_write, organise, report_json, report_with_photo,
};
use anyhow::bail;
use std::path::Path;
use std::time::Duration;

const BASELINE: &str = "baseline (trivial component)";
const NAIVE_WRITE: &str = "naive write (one INSERT)";
const CONCURRENCY: [usize; 3] = [1, 8, 64];

/// Imports the seed zone's grid; returns its micro-grids' ids.
fn seed_zone(host: &RunningApp, platform: &str, org: &Org) -> anyhow::Result<Vec<i64>> {
    let admin = crate::demo::login(
        &host.client,
        &format!("/api/t/{}/auth/login", org.code),
        ("admin", "bench-password-1"),
    )?;
    let _ = platform;
    let reply = host.client.send(
        "POST",
        &format!("/api/t/{}/admin/grid/import", org.code),
        Some(&admin),
        Some(("text/csv", crate::seed_zone_csv().as_bytes())),
    )?;
    if reply.status != 201 {
        bail!("grid import: {} {}", reply.status, reply.body);
    }
    Ok(column(
        host,
        &org.code,
        "SELECT id FROM grid_nodes WHERE tenant_id = ? AND level = 4",
    )?
    .iter()
    .filter_map(|id| id.parse().ok())
    .collect())
}

/// Public look-ups of existing cases, spread over a sample of codes.
fn status(
    base: &str,
    org: &Org,
    codes: Vec<String>,
) -> impl Fn(&ureq::Agent, usize) -> Result<crate::load::Answer, String> + Sync {
    let prefix = format!("{base}/api/t/{}/status/", org.code);
    move |agent: &ureq::Agent, n: usize| {
        crate::load::answer(
            agent
                .get(&format!("{prefix}{}", codes[n % codes.len()]))
                .call(),
        )
    }
}

/// The size of each component's release `.wasm` (stripped: see Cargo.toml).
fn sizes(root: &Path) -> String {
    let dir = root.join("target/wasm32-wasip2/release");
    let mut rows: Vec<String> = crate::build::COMPONENTS
        .iter()
        .map(|name| {
            let size = std::fs::metadata(dir.join(format!("{name}.wasm"))).map_or(0, |m| m.len());
            format!("| {name} | {:.2} MB |", size as f64 / 1_048_576.0)
        })
        .collect();
    rows.insert(0, "| component | size |\n| --- | --- |".into());
    rows.join("\n")
}

pub fn suite(
    root: &Path,
    tenants: usize,
    per_tenant: usize,
    seconds: u64,
    only: Option<&str>,
    runtime: crate::runtime::Runtime,
) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningApp::start(root, &manifest, runtime)?;
    let cold = format!(
        "| the app answers its first request after its start | {:.0} ms |\n\
         | first answer of a component that opens the database | {:.0} ms |",
        host.up_after.as_secs_f64() * 1000.0,
        host.first_database_answer.as_secs_f64() * 1000.0
    );
    let platform = host.platform_token()?;
    let org = organise(&host, &platform, "bench")?;
    let micro_grids = seed_zone(&host, &platform, &org)?;
    let mut filled = fill(&host, &org, per_tenant, micro_grids.clone(), 1)?;
    for t in 1..tenants {
        let other = organise(&host, &platform, &format!("bench{t}"))?;
        filled += fill(&host, &other, per_tenant, Vec::new(), 100 + t as u64)?;
    }
    let codes = column(
        &host,
        &org.code,
        "SELECT tracking_code FROM cases WHERE tenant_id = ? ORDER BY random() LIMIT 1000",
    )?;

    let base = host.client.base().to_string();
    let t = &org.code;
    let baseline = get_with(format!("{base}/bench/baseline/hello"), None);
    let naive = naive_write(&host)?;
    let report = report_json(format!("{base}/api/t/{t}/reports"), org.worker.clone());
    let intake = report_with_photo(format!("{base}/api/t/{t}/reports"), org.worker.clone());
    let status = status(&base, &org, codes);
    let inbox = get_with(
        format!("{base}/api/t/{t}/queues/inbox?limit=50"),
        Some(org.staff.clone()),
    );
    let dashboard = get_with(
        format!("{base}/api/t/{t}/dashboard/figures"),
        Some(org.centre.clone()),
    );
    let open311 = get_with(
        format!("{base}/open311/v2/requests.json?jurisdiction_id={t}&status=open"),
        None,
    );
    let endpoints: [(&str, u16, crate::load::MakeRequest<'_>); 8] = [
        (BASELINE, 200, &baseline),
        (NAIVE_WRITE, 201, &naive),
        ("report (JSON, no photo)", 201, &report),
        ("report + 20 KB photo", 201, &intake),
        ("status look-up", 200, &status),
        ("department inbox page (50)", 200, &inbox),
        ("dashboard figures (30 days)", 200, &dashboard),
        ("Open311 GET requests (open)", 200, &open311),
    ];
    let duration = Duration::from_secs(seconds);
    let mut runs = Vec::new();
    for clients in CONCURRENCY {
        let chosen = endpoints.iter().filter(|(name, ..)| {
            [BASELINE, NAIVE_WRITE].contains(name) || only.is_none_or(|only| name.contains(only))
        });
        for &(name, expect, request) in chosen {
            runs.push(crate::load::run(name, clients, duration, expect, request));
        }
    }
    let total = tenants * per_tenant;
    Ok(format!(
        "# The app under load: {total} cases in {tenants} tenant(s)\n\n{}\n\
         The measured tenant has the seed zone's grid (7,825 nodes) and {per_tenant} cases over two years \
         in its micro-grids; {} more tenant(s) hold {per_tenant} each. Bulk-writing took {:.0} s. \
         Each run lasts {seconds} s; clients send their next request as soon as the last one answered; \
         errors are answers other than the expected status (503 when SQLite is busy, 429 when limited) \
         and transport failures.\n\n{}\n\n## Cold start\n\n| what | time |\n| --- | --- |\n{cold}\n\n\
         ## Sizes\n\n{}\n",
        machine(host.runtime),
        tenants - 1,
        filled.as_secs_f64(),
        crate::load::table(&runs, BASELINE),
        sizes(root),
    ))
}
