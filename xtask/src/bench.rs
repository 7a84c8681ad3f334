//! Benchmarks against the running app on the project's host, over
//! loopback, with the host built optimised. Results are printed and written
//! under `docs/benchmarks/` with the machine they ran on.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::client::Client;
use crate::{build, demo};

/// The grid benchmark: importing the seed zone's 7,825 grids in one request,
/// and reading the whole tree in one call.
pub fn grid(root: &Path, seed_zone_csv: &str) -> anyhow::Result<String> {
    let host = RunningHost::start(root)?;
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
        machine(),
        row(
            "import the seed zone (7,825 grids, CSV, one request)",
            &import_times
        ),
        row("read the whole tree (7,825 nodes, one call)", &tree_times),
    );
    Ok(report)
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
pub fn machine() -> String {
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
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "Measured {date} on {cpu}, {cores} cores; host built with `--profile host-release`, over loopback."
    )
}

/// The host, optimised, on a free port with a fresh data folder.
pub struct RunningHost {
    child: Child,
    pub client: Client,
    _state: tempfile::TempDir,
}

impl RunningHost {
    pub fn start(root: &Path) -> anyhow::Result<Self> {
        build::components(root, build::COMPONENTS)?;
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "build",
                "--quiet",
                "--profile",
                "host-release",
                "--package",
                "spin-host",
            ])
            .status()?;
        if !status.success() {
            bail!("building the host failed");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let state = tempfile::tempdir()?;
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| root.join("target"));
        let child = Command::new(target.join("host-release").join("spin-host"))
            .current_dir(root)
            .args([
                "--manifest",
                "spin.toml",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("--state-dir")
            .arg(state.path())
            .env("SPIN_VARIABLE_JWT_SECRET", "bench-secret")
            .env("SPIN_VARIABLE_PLATFORM_OPERATOR_KEY", "bench-operator")
            .stdout(Stdio::null())
            .spawn()
            .context("cannot start the host")?;
        let client = Client::new(format!("http://127.0.0.1:{port}"));
        client.wait_until_up(Duration::from_secs(120))?;
        let migrated = client.post_json(
            "/api/platform/migrations",
            Some("bench-operator"),
            &json!({}),
        )?;
        if migrated.status != 200 {
            bail!("migrations failed: {}", migrated.body);
        }
        Ok(RunningHost {
            child,
            client,
            _state: state,
        })
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

impl Drop for RunningHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
