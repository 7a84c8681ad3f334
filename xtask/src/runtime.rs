//! Where the product runs for a test or a benchmark: the project's own
//! host, or the real Spin CLI with its state on local files, with the
//! key-value store on Redis, or with the database on a libSQL server
//! (`sqld`) and the store on Redis. Redis and sqld are started per app on
//! free ports, with their data in the app's state folder, and stopped
//! with it. (The end-to-end tests pick theirs with `E2E_RUNTIME`;
//! `cargo xtask bench --runtime` picks the benchmarks'.)

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::setup::Tool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// The project's host (`host/`), on local files.
    Host,
    /// `spin up`, on local files (`.spin/` as Spin lays it out).
    Spin,
    /// `spin up` with the `default` key-value store on Redis.
    SpinRedis,
    /// `spin up` with the `default` database on libSQL (`sqld`) and the
    /// key-value store on Redis: the distributed deployment.
    SpinLibsqlRedis,
}

impl Runtime {
    pub const SPIN_ONES: [Runtime; 3] = [Self::Spin, Self::SpinRedis, Self::SpinLibsqlRedis];

    pub fn name(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Spin => "spin",
            Self::SpinRedis => "spin-redis",
            Self::SpinLibsqlRedis => "spin-libsql-redis",
        }
    }

    /// The runtime of this name (see [`Self::name`]).
    pub fn named(name: &str) -> Option<Runtime> {
        [Self::Host]
            .into_iter()
            .chain(Self::SPIN_ONES)
            .find(|r| r.name() == name)
    }

    /// Where the app ran, for a benchmark's record.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Host => {
                "on the project's host (`--profile host-release`), SQLite and key-value store on local files"
            }
            Self::Spin => "on Spin 4.0.2 (`spin up`), SQLite and key-value store on local files",
            Self::SpinRedis => {
                "on Spin 4.0.2 (`spin up`), SQLite on a local file, the key-value store on Redis"
            }
            Self::SpinLibsqlRedis => {
                "on Spin 4.0.2 (`spin up`), the database on libSQL (`sqld` over loopback), the key-value store on Redis"
            }
        }
    }

    pub fn uses_redis(self) -> bool {
        matches!(self, Self::SpinRedis | Self::SpinLibsqlRedis)
    }

    pub fn uses_libsql(self) -> bool {
        self == Self::SpinLibsqlRedis
    }
}

/// A port on 127.0.0.1 nothing listens on (just now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts `command` in a process group of its own, so that [`stop`] ends
/// what it starts too: `spin up` serves from a `spin trigger http` child
/// that outlives a kill of `spin up` alone, holding its port, memory and
/// the test harness's output pipe (which then never reaches its end).
pub fn in_own_group(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    command.process_group(0)
}

/// Kills `child`'s whole process group (see [`in_own_group`]) at once, as
/// a crash would, and reaps it.
pub fn stop(child: &mut Child) {
    if let Ok(group) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group;
        // it touches no memory of ours.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A helper process (Redis, sqld) that lives as long as its app.
pub struct Service {
    child: Child,
}

impl Drop for Service {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Redis on a free port, without persistence (the app's restarts keep it).
pub fn start_redis(dir: &Path) -> anyhow::Result<(Service, u16)> {
    let redis = Tool::Redis.require()?;
    let port = free_port();
    let child = in_own_group(&mut Command::new(redis))
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start redis-server")?;
    let service = Service { child };
    wait_for_port(port, Duration::from_secs(20)).context("redis-server did not listen")?;
    Ok((service, port))
}

/// A libSQL server on a free port, its database in `dir`.
pub fn start_sqld(dir: &Path) -> anyhow::Result<(Service, u16)> {
    let sqld = Tool::Sqld.require()?;
    let port = free_port();
    let child = in_own_group(&mut Command::new(sqld))
        .arg("--db-path")
        .arg(dir)
        .args(["--http-listen-addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start sqld")?;
    let service = Service { child };
    wait_for_port(port, Duration::from_secs(30)).context("sqld did not listen")?;
    Ok((service, port))
}

fn wait_for_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("nothing listens on port {port}")
}

/// The runtime config `spin up` gets for `runtime` (none for local files).
pub fn runtime_config(redis: Option<u16>, sqld: Option<u16>) -> Option<String> {
    let mut config = String::new();
    if let Some(port) = redis {
        config.push_str(&format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:{port}\"\n"
        ));
    }
    if let Some(port) = sqld {
        config.push_str(&format!(
            "[sqlite_database.default]\ntype = \"libsql\"\nurl = \"http://127.0.0.1:{port}\"\n\
             token = \"no-token-on-a-local-sqld\"\n"
        ));
    }
    (!config.is_empty()).then_some(config)
}

/// `spin up` of `manifest` on a free port, with `state_dir` and, where
/// given, a runtime config file; waits for its "Serving" line.
pub fn spawn_spin(
    manifest: &Path,
    state_dir: &Path,
    runtime_config: Option<&Path>,
    env: &[(String, String)],
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) -> anyhow::Result<(Child, String)> {
    let spin = Tool::Spin.require()?;
    let mut command = Command::new(spin);
    command
        .arg("up")
        .arg("--from")
        .arg(manifest)
        .args(["--listen", "127.0.0.1:0"])
        .arg("--state-dir")
        .arg(state_dir);
    if let Some(file) = runtime_config {
        command.arg("--runtime-config-file").arg(file);
    }
    let mut child = in_own_group(&mut command)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start spin up")?;
    let base = read_until_ready(&mut child, "Serving ", log).inspect_err(|_| stop(&mut child))?;
    Ok((child, base.trim_end_matches('/').to_string()))
}

/// Keeps reading `child`'s output lines into `log` and returns what
/// follows `prefix` on the first line that starts with it (the address a
/// server prints once it listens), within two minutes.
pub fn read_until_ready(
    child: &mut Child,
    prefix: &'static str,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) -> anyhow::Result<String> {
    let stdout = child.stdout.take().context("no stdout")?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let lines = log.clone();
    std::thread::spawn(move || {
        let mut ready = Some(ready_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.trim().strip_prefix(prefix)
                && let Some(tx) = ready.take()
            {
                let _ = tx.send(rest.trim().to_string());
            }
            if let Ok(mut lines) = log.lock() {
                lines.push(line);
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(120))
        .map_err(|_| {
            let said = lines.lock().map(|l| l.join("\n")).unwrap_or_default();
            anyhow::anyhow!("no line starting '{prefix}' within two minutes; it printed:\n{said}")
        })
}
