//! Benchmarks against the running app on the project's host, over
//! loopback, with the host built optimised. Results are printed and written
//! under `docs/benchmarks/` with the machine they ran on.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::client::Client;
use crate::runtime::{self, Runtime};
use crate::{build, demo};

/// The grid benchmark: importing the seed zone's 7,825 grids in one request,
/// and reading the whole tree in one call.
pub fn grid(root: &Path, seed_zone_csv: &str, runtime: Runtime) -> anyhow::Result<String> {
    let host = RunningApp::start(root, &root.join("spin.toml"), runtime)?;
    let client = &host.client;
    let platform = host.platform_token()?;
    let mut import_times = Vec::new();
    for run in 1..=3 {
        let tenant = format!("bench{run}");
        let admin = host.tenant(&platform, &tenant)?;
        let started = Instant::now();
        let reply = client.send(
            "POST",
            &format!("/api/t/{tenant}/admin/grid/import"),
            Some(&admin),
            Some(("text/csv", seed_zone_csv.as_bytes())),
        )?;
        import_times.push(started.elapsed());
        if reply.status != 201 {
            bail!("import failed: {} {}", reply.status, reply.body);
        }
    }
    let admin = demo::login(
        client,
        "/api/t/bench1/auth/login",
        ("admin", "bench-password-1"),
    )?;
    let mut tree_times = Vec::new();
    let mut nodes = 0;
    for _ in 0..10 {
        let started = Instant::now();
        let reply = client.get("/api/t/bench1/admin/grid", Some(&admin))?;
        tree_times.push(started.elapsed());
        nodes = reply.json()["count"].as_u64().unwrap_or(0);
    }
    if nodes != 7825 {
        bail!("the tree read back {nodes} nodes, not 7,825");
    }
    let report = format!(
        "# Grid benchmark\n\n{}\n\n| operation | runs | min | median | max |\n| --- | --- | --- | --- | --- |\n{}\n{}\n",
        machine(host.runtime),
        row(
            "import the seed zone (7,825 grids, CSV, one request)",
            &import_times
        ),
        row("read the whole tree (7,825 nodes, one call)", &tree_times),
    );
    Ok(report)
}

/// The product's manifest plus the trivial baseline (the probe fixture's
/// `/hello`, granted nothing) at `/bench/baseline/...` and the naive write
/// (the probe's one-INSERT `sql/note`, granted the database) at
/// `/bench/naive/...`, so all three are measured in one app and run.
pub(crate) fn bench_manifest(root: &Path) -> anyhow::Result<std::path::PathBuf> {
    let product = std::fs::read_to_string(root.join("spin.toml"))?;
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let rebased = product
        .replace("source = \"target/", "source = \"../../target/")
        .replace("{ source = \"static\"", "{ source = \"../../static\"");
    let manifest = format!(
        "{rebased}\n# Benchmark only: the trivial baseline and the naive write.\n\
         [[trigger.http]]\nroute = \"/bench/baseline/...\"\ncomponent = \"baseline\"\n\n\
         [component.baseline]\nsource = \"../../target/wasm32-wasip2/release/probe.wasm\"\n\n\
         [[trigger.http]]\nroute = \"/bench/naive/...\"\ncomponent = \"naive\"\n\n\
         [component.naive]\nsource = \"../../target/wasm32-wasip2/release/probe.wasm\"\n\
         sqlite_databases = [\"default\"]\nkey_value_stores = [\"default\"]\n"
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, manifest)?;
    Ok(path)
}

/// A photo as a phone would send it: a JPEG of about 20 KB.
pub(crate) fn small_photo() -> Vec<u8> {
    let mut photo = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    photo.resize(20 << 10, 0x5A);
    photo.extend_from_slice(&[0xFF, 0xD9]);
    photo
}

/// Report intake with one small photo (multipart, by a grid worker, so the
/// anonymous rate limit does not apply) against the trivial baseline, at 1
/// and 8 concurrent clients.
pub fn intake(root: &Path, runtime: Runtime) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningApp::start(root, &manifest, runtime)?;
    let client = &host.client;
    let platform = host.platform_token()?;
    let admin = host.tenant(&platform, "bench")?;
    let category = client.post_json(
        "/api/t/bench/admin/categories",
        Some(&admin),
        // Reports without a place, as the figures were first measured.
        &json!({ "code": "garbage", "name_zh": "垃圾", "name_en": "Garbage", "response_hours": 2, "resolution_hours": 8,
                 "place_required": false }),
    )?;
    if category.status != 201 {
        bail!("category: {}", category.body);
    }
    let worker = client.post_json(
        "/api/t/bench/admin/users",
        Some(&admin),
        &json!({ "login": "worker", "display_name": "worker", "role": "grid_worker", "password": "bench-password-1" }),
    )?;
    if worker.status != 201 {
        bail!("worker: {}", worker.body);
    }
    let token = demo::login(
        client,
        "/api/t/bench/auth/login",
        ("worker", "bench-password-1"),
    )?;
    let base = client.base().to_string();
    let report =
        crate::bench_setup::report_with_photo(format!("{base}/api/t/bench/reports"), token);
    let baseline = crate::bench_setup::get_with(format!("{base}/bench/baseline/hello"), None);
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
            "report + 20 KB photo",
            concurrency,
            duration,
            201,
            &report,
        ));
    }
    Ok(format!(
        "# Intake benchmark\n\n{}\nEach run lasts {} s; clients send their next request as soon as the last one answered.\n\n{}",
        machine(host.runtime),
        duration.as_secs(),
        crate::load::table(&runs, "baseline (trivial component)")
    ))
}

fn row(name: &str, times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    format!(
        "| {name} | {} | {} | {} | {} |",
        sorted.len(),
        ms(sorted[0]),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[sorted.len() - 1])
    )
}

/// CPU model, cores and date, for the record.
pub fn machine(runtime: Runtime) -> String {
    let (cpu, cores) = cpu_and_cores();
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "Measured {date} on {cpu}, {cores} cores, over loopback, {}.",
        runtime.describe()
    )
}

/// The CPU's model name and how many cores this process may use.
pub fn cpu_and_cores() -> (String, usize) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    (cpu, cores)
}

/// The app on a free port with a fresh data folder: on the project's host
/// (built optimised) or on `spin up`, with Redis and sqld where the
/// runtime puts the key-value store or the database there.
pub struct RunningApp {
    child: Child,
    pub client: Client,
    pub runtime: Runtime,
    /// Dropped after the app: its Redis and sqld, if any.
    _services: Vec<runtime::Service>,
    /// The port of the app's libSQL server, when its database is there.
    pub sqld_port: Option<u16>,
    state: tempfile::TempDir,
    /// From starting the process to its first answer (the web component).
    pub up_after: Duration,
    /// The first answer of a component that opens the database (migrations).
    pub first_database_answer: Duration,
}

impl RunningApp {
    pub fn start(root: &Path, manifest: &Path, runtime: Runtime) -> anyhow::Result<Self> {
        let all: Vec<&str> = build::COMPONENTS
            .iter()
            .chain(build::FIXTURES)
            .copied()
            .collect();
        build::components(root, &all)?;
        let state = tempfile::tempdir()?;
        let mut services = Vec::new();
        let redis = if runtime.uses_redis() {
            let (service, port) = runtime::start_redis(state.path())?;
            services.push(service);
            Some(port)
        } else {
            None
        };
        let sqld = if runtime.uses_libsql() {
            let (service, port) = runtime::start_sqld(&state.path().join("sqld"))?;
            services.push(service);
            Some(port)
        } else {
            None
        };
        let env = [
            ("SPIN_VARIABLE_JWT_SECRET", "bench-secret"),
            ("SPIN_VARIABLE_PLATFORM_OPERATOR_KEY", "bench-operator"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let log = Default::default();
        let spawned = Instant::now();
        let (child, base) = if runtime == Runtime::Host {
            let host = build::host(root, "host-release")?;
            let mut child = runtime::in_own_group(&mut Command::new(host))
                .current_dir(root)
                .arg("--manifest")
                .arg(manifest)
                .args(["--listen", "127.0.0.1:0"])
                .arg("--state-dir")
                .arg(state.path())
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdout(Stdio::piped())
                .spawn()
                .context("cannot start the host")?;
            let base = runtime::read_until_ready(&mut child, "listening on ", log)?;
            (child, base)
        } else {
            let config = runtime::runtime_config(redis, sqld)
                .map(|text| -> anyhow::Result<_> {
                    let file = state.path().join("runtime-config.toml");
                    std::fs::write(&file, text)?;
                    Ok(file)
                })
                .transpose()?;
            runtime::spawn_spin(manifest, state.path(), config.as_deref(), &env, log)?
        };
        let client = Client::new(base);
        client.wait_until_up(Duration::from_secs(120))?;
        let up_after = spawned.elapsed();
        let asked = Instant::now();
        let migrated = client.post_json(
            "/api/platform/migrations",
            Some("bench-operator"),
            &json!({}),
        )?;
        if migrated.status != 200 {
            bail!("migrations failed: {}", migrated.body);
        }
        Ok(RunningApp {
            child,
            client,
            runtime,
            _services: services,
            sqld_port: sqld,
            state,
            up_after,
            first_database_answer: asked.elapsed(),
        })
    }

    /// Where the host keeps its key-value and SQLite files.
    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    pub fn platform_token(&self) -> anyhow::Result<String> {
        self.client.post_json(
            "/api/platform/admins",
            Some("bench-operator"),
            &json!({ "login": "bench", "password": "bench-password-1", "display_name": "bench" }),
        )?;
        demo::login(
            &self.client,
            "/api/platform/login",
            ("bench", "bench-password-1"),
        )
    }

    /// A fresh tenant and its admin's token.
    pub fn tenant(&self, platform: &str, code: &str) -> anyhow::Result<String> {
        let created = self.client.post_json(
            "/api/platform/tenants",
            Some(platform),
            &json!({ "code": code, "name": code, "kind": "district",
                     "admin": { "login": "admin", "password": "bench-password-1", "display_name": "admin" } }),
        )?;
        if created.status != 201 {
            bail!("creating tenant {code}: {}", created.body);
        }
        demo::login(
            &self.client,
            &format!("/api/t/{code}/auth/login"),
            ("admin", "bench-password-1"),
        )
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        runtime::stop(&mut self.child);
    }
}
