//! The whole app under load at the seed zone's scale (issue "proof under
//! pressure"): a tenant with the seed zone's grid (7,825 nodes) and 250,000
//! cases over two years (optionally nine more such tenants: 2,500,000
//! cases), then every main route at 1, 8 and 64 concurrent clients for a
//! fixed time, each against the trivial baseline of the same run; plus the
//! components' sizes and the host's cold start.

use crate::bench::{RunningApp, bench_manifest, machine};
use crate::bench_setup::{
    Org, column, fill, get_with, key_value_write, naive_read, naive_write, organise, report_json,
    report_with_photo,
};
use anyhow::bail;
use std::path::Path;
use std::time::Duration;

const BASELINE: &str = "baseline (trivial component)";
const NAIVE_WRITE: &str = "naive write (one INSERT)";
const NAIVE_READ: &str = "naive read (one SELECT)";
const KEY_VALUE_WRITE: &str = "key-value write (one set)";
const REPORT_JSON: &str = "report (JSON, no photo)";
const REPORT_PHOTO: &str = "report + 20 KB photo";
const FIRST_LOOK_UP: &str = "status look-up (first, from the database)";
const INBOX: &str = "department inbox page (50)";
const DASHBOARD: &str = "dashboard figures (30 days)";
const OPEN311: &str = "Open311 GET requests (open)";
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

/// Public look-ups of existing cases. `Kept`: a sample of codes asked
/// again and again, as residents re-check their case, so after its first
/// look-up each is answered from the key-value store. `First`: every
/// request a code not asked before (each client its own slice of all the
/// codes), so every answer is made from the database.
/// The repeated look-ups' row, and how many codes it asks again and again.
const KEPT: &str = "status look-up (again, kept)";
const KEPT_CODES: usize = 200;

#[derive(Clone, Copy, PartialEq, Eq)]
enum LookUps {
    Kept,
    First,
}

fn status(
    base: &str,
    org: &Org,
    codes: Vec<String>,
    look_ups: LookUps,
) -> impl Fn(&ureq::Agent, usize) -> Result<crate::load::Answer, String> + Sync {
    let prefix = format!("{base}/api/t/{}/status/", org.code);
    let slice = (codes.len() / 64).max(1);
    move |agent: &ureq::Agent, n: usize| {
        // `n` is the client's number times 1,000,000 plus its count.
        let index = match look_ups {
            LookUps::Kept => n,
            LookUps::First => (n / 1_000_000) * slice + n % 1_000_000,
        };
        crate::load::answer(
            agent
                .get(&format!("{prefix}{}", codes[index % codes.len()]))
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
        "SELECT tracking_code FROM cases WHERE tenant_id = ? ORDER BY random()",
    )?;

    let base = host.client.base().to_string();
    let t = &org.code;
    let baseline = get_with(format!("{base}/bench/baseline/hello"), None);
    let naive = naive_write(&host)?;
    let naive_select = naive_read(&host);
    let kv_write = key_value_write(&host);
    let report = report_json(format!("{base}/api/t/{t}/reports"), org.worker.clone());
    let intake = report_with_photo(format!("{base}/api/t/{t}/reports"), org.worker.clone());
    let kept_codes = codes.len().min(KEPT_CODES);
    let kept = status(&base, &org, codes[..kept_codes].to_vec(), LookUps::Kept);
    let first = status(&base, &org, codes, LookUps::First);
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
    let endpoints: [(&str, u16, crate::load::MakeRequest<'_>); 11] = [
        (BASELINE, 200, &baseline),
        (NAIVE_WRITE, 201, &naive),
        (NAIVE_READ, 200, &naive_select),
        (KEY_VALUE_WRITE, 204, &kv_write),
        (REPORT_JSON, 201, &report),
        (REPORT_PHOTO, 201, &intake),
        (FIRST_LOOK_UP, 200, &first),
        (KEPT, 200, &kept),
        (INBOX, 200, &inbox),
        (DASHBOARD, 200, &dashboard),
        (OPEN311, 200, &open311),
    ];
    let duration = Duration::from_secs(seconds);
    let mut runs = Vec::new();
    for clients in CONCURRENCY {
        let chosen = endpoints.iter().filter(|(name, ..)| {
            [BASELINE, NAIVE_WRITE, NAIVE_READ, KEY_VALUE_WRITE].contains(name)
                || only.is_none_or(|only| name.contains(only))
        });
        for &(name, expect, request) in chosen {
            if name == KEPT {
                // Every write before this run (the reports) left the kept
                // answers behind: look each code up once first.
                let agent = ureq::Agent::new();
                for n in 0..kept_codes {
                    let _ = request(&agent, n);
                }
            }
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
         and transport failures.\n\n{}\n\n{}\n## Cold start\n\n| what | time |\n| --- | --- |\n{cold}\n\n\
         ## Sizes\n\n{}\n",
        machine(host.runtime),
        tenants - 1,
        filled.as_secs_f64(),
        crate::load::table(&runs, BASELINE),
        crate::bench_targets::section(
            &runs,
            &crate::bench_targets::Rows {
                baseline: BASELINE,
                naive_write: NAIVE_WRITE,
                naive_read: NAIVE_READ,
                reports: [REPORT_JSON, REPORT_PHOTO],
                within_three: [FIRST_LOOK_UP, KEPT, INBOX, DASHBOARD],
                open311: OPEN311,
            }
        ),
        sizes(root),
    ))
}
