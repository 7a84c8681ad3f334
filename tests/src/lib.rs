//! Helpers for the end-to-end tests: build the components once, start the
//! host as a real process on a free port with a fresh data folder, and talk
//! to it over HTTP.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
pub use xtask::client::{Client, Reply};

pub mod runtime;
pub use runtime::Runtime;
pub mod tools;
use runtime::Service;

pub const JWT_SECRET: &str = "e2e-test-jwt-secret";
pub const OPERATOR_KEY: &str = "e2e-operator-key";
pub const PROBE_SECRET: &str = "probe-secret-value";

/// The deployment setting that lets webhooks reach a receiver on this
/// machine, as the webhook tests' receivers are (production keeps it off).
pub const LOCAL_RECEIVERS: &[(&str, &str)] = &[("SPIN_VARIABLE_ALLOW_LOCAL_WEBHOOKS", "true")];

/// The smallest file the intake takes for a photo: a JPEG header and a
/// few bytes (intake reads a file's type from its first bytes).
pub const TINY_JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
];

/// A real 1×1 PNG, for tests whose screenshots show the photo (a browser
/// cannot draw [`TINY_JPEG`]).
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xFC, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x05, 0x02, 0x00, 0x5F, 0xC8, 0xF1, 0xD2, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Builds every component and fixture once per test binary.
pub fn build_components() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let result = BUILT.get_or_init(|| {
        let all: Vec<&str> = xtask::build::COMPONENTS
            .iter()
            .chain(xtask::build::FIXTURES)
            .copied()
            .collect();
        xtask::build::components(&xtask::workspace_root(), &all).map_err(|e| format!("{e:#}"))
    });
    if let Err(e) = result {
        panic!("building the components failed: {e}");
    }
}

/// A running app with its own data folder, on the host or on Spin (see
/// [`Runtime`]); killed when dropped, with its Redis and sqld.
pub struct TestApp {
    pub client: Client,
    manifest: PathBuf,
    state: tempfile::TempDir,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    extra_args: Vec<String>,
    /// Spin variables (`SPIN_VARIABLE_*`) the host is started with.
    env: Vec<(String, String)>,
    runtime: Runtime,
    /// The runtime config file `spin up` reads, if the runtime has one.
    runtime_config: Option<PathBuf>,
    redis_port: Option<u16>,
    sqld_port: Option<u16>,
    /// Dropped after the app (fields drop in order): Redis, sqld.
    _services: Vec<Service>,
}

impl TestApp {
    /// The product (spin.toml), with migrations applied.
    pub fn product() -> TestApp {
        TestApp::product_with_env(&[])
    }

    /// The product with these environment variables set beside (or
    /// instead of) the tests' secrets, e.g. another `SPIN_VARIABLE_*`.
    pub fn product_with_env(env: &[(&str, &str)]) -> TestApp {
        let app = TestApp::start(&xtask::workspace_root().join("spin.toml"), &[], env);
        let migrated = app
            .client
            .post_json(
                "/api/platform/migrations",
                Some(&app.operator_key()),
                &json!({}),
            )
            .expect("migrations request");
        assert_eq!(migrated.status, 200, "migrations: {}", migrated.body);
        app
    }

    /// The host's probe fixture (host/fixtures/spin.toml).
    pub fn probe(extra_args: &[&str]) -> TestApp {
        TestApp::start(
            &xtask::workspace_root().join("host/fixtures/spin.toml"),
            extra_args,
            &[],
        )
    }

    fn start(manifest: &Path, extra_args: &[&str], env: &[(&str, &str)]) -> TestApp {
        build_components();
        let state = tempfile::tempdir().expect("temporary data folder");
        let extra_args: Vec<String> = extra_args.iter().map(|s| s.to_string()).collect();
        let mut all_env: Vec<(String, String)> = [
            ("SPIN_VARIABLE_JWT_SECRET", JWT_SECRET),
            ("SPIN_VARIABLE_PLATFORM_OPERATOR_KEY", OPERATOR_KEY),
            ("SPIN_VARIABLE_SECRET", PROBE_SECRET),
        ]
        .iter()
        .filter(|(name, _)| !env.iter().any(|(given, _)| given == name))
        .chain(env)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        all_env.sort();
        // The host's own fixtures (and their flags) are the host's alone.
        let runtime = if extra_args.is_empty()
            && manifest.ends_with("spin.toml")
            && manifest.parent() == Some(xtask::workspace_root().as_path())
        {
            runtime::current()
        } else {
            Runtime::Host
        };
        let mut services = Vec::new();
        let redis_port = runtime.uses_redis().then(|| {
            let dir = state.path().join("redis");
            std::fs::create_dir_all(&dir).expect("redis folder");
            let (service, port) = runtime::start_redis(&dir).expect("redis starts");
            services.push(service);
            port
        });
        let sqld_port = runtime.uses_libsql().then(|| {
            let (service, port) =
                runtime::start_sqld(&state.path().join("sqld")).expect("sqld starts");
            services.push(service);
            port
        });
        let runtime_config = runtime::runtime_config(redis_port, sqld_port).map(|text| {
            let file = state.path().join("runtime-config.toml");
            std::fs::write(&file, text).expect("write the runtime config");
            file
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let (child, base) = launch(
            runtime,
            manifest,
            state.path(),
            &extra_args,
            runtime_config.as_deref(),
            &all_env,
            log.clone(),
        )
        .unwrap_or_else(|e| panic!("the app starts on {}: {e:#}", runtime.name()));
        TestApp {
            client: Client::new(base),
            manifest: manifest.to_path_buf(),
            state,
            child,
            log,
            extra_args,
            env: all_env,
            runtime,
            runtime_config,
            redis_port,
            sqld_port,
            _services: services,
        }
    }

    /// Where this app runs.
    pub fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// The operator key the host was started with.
    pub fn operator_key(&self) -> String {
        self.env
            .iter()
            .find(|(name, _)| name == "SPIN_VARIABLE_PLATFORM_OPERATOR_KEY")
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// Stops the app and starts it again on the same data (folder, Redis, sqld).
    pub fn restart(&mut self) {
        runtime::stop(&mut self.child);
        let (child, base) = launch(
            self.runtime,
            &self.manifest,
            self.state.path(),
            &self.extra_args,
            self.runtime_config.as_deref(),
            &self.env,
            self.log.clone(),
        )
        .expect("the app restarts");
        self.child = child;
        self.client = Client::new(base);
    }

    /// Lines the host has printed on stdout so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The host's log line for the last request to `path`, waiting briefly
    /// for it (the line is printed as the response goes out).
    pub fn log_line_for(&self, method: &str, path: &str) -> Option<String> {
        let prefix = format!("{method} {path} ");
        for _ in 0..50 {
            if let Some(line) = self
                .log_lines()
                .into_iter()
                .rev()
                .find(|l| l.starts_with(&prefix))
            {
                return Some(line);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// GETs `path` as raw bytes, with these header lines (`name: value`),
    /// and returns the whole answer as text, status line and headers
    /// included: for what an HTTP client would tidy away first (a `..` in
    /// the path, a header the app must not trust).
    pub fn raw_get(&self, path: &str, headers: &[&str]) -> String {
        use std::io::{Read, Write};
        let address = self.client.base().trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\n{extra}Connection: close\r\n\r\n"
        )
        .expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read the answer");
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// GETs `path`, with a bearer token when given.
    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.get_with_headers(path, token, &[])
    }

    /// GETs `path` with these request headers besides (`if-none-match`,
    /// `reporter-secret`, …).
    pub fn get_with_headers(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.client
            .send_with_headers("GET", path, token, headers, None)
            .unwrap_or_else(|e| panic!("GET {path}: {e:#}"))
    }

    // --- typed helpers for the product ---

    /// Creates the platform admin (once) and returns a platform token.
    pub fn platform_token(&self) -> String {
        let body =
            json!({ "login": "root", "password": "root-password-1", "display_name": "Root" });
        let created = self
            .client
            .post_json("/api/platform/admins", Some(&self.operator_key()), &body)
            .expect("create platform admin");
        assert!(
            created.status == 201 || created.status == 409,
            "{}",
            created.body
        );
        self.login("/api/platform/login", "root", "root-password-1")
    }

    /// Creates tenant `code` with admin `admin` / `admin-password-1`.
    pub fn create_tenant(&self, platform_token: &str, code: &str) -> Reply {
        self.client
            .post_json(
                "/api/platform/tenants",
                Some(platform_token),
                &json!({
                    "code": code,
                    "name": format!("{code} 街道"),
                    "kind": "township",
                    "admin": { "login": "admin", "password": "admin-password-1", "display_name": "管理员" }
                }),
            )
            .expect("create tenant")
    }

    /// A tenant with its admin's token, and the categories the tests
    /// report in (`garbage`, `street_light`). These two take reports
    /// without a place (`place_required: false`): the tests that use them
    /// are about the case flow, access and files, not where a problem is;
    /// a place would also make their reports each other's likely
    /// duplicates. Categories need a place unless they say so, and
    /// `portal_api` tests that rule.
    pub fn tenant_with_admin(&self, code: &str) -> String {
        let platform = self.platform_token();
        let created = self.create_tenant(&platform, code);
        assert_eq!(created.status, 201, "{}", created.body);
        let token = self.login(
            &format!("/api/t/{code}/auth/login"),
            "admin",
            "admin-password-1",
        );
        for (category, zh) in [("garbage", "垃圾清运"), ("street_light", "路灯故障")] {
            let made = self
                .client
                .post_json(
                    &format!("/api/t/{code}/admin/categories"),
                    Some(&token),
                    &json!({ "code": category, "name_zh": zh, "name_en": category,
                             "response_hours": 4, "resolution_hours": 24,
                             "place_required": false }),
                )
                .expect("create category");
            assert_eq!(made.status, 201, "{}", made.body);
        }
        token
    }

    pub fn login(&self, path: &str, login: &str, password: &str) -> String {
        let reply = self
            .client
            .post_json(path, None, &json!({ "login": login, "password": password }))
            .expect("login request");
        assert_eq!(reply.status, 200, "login at {path}: {}", reply.body);
        reply.json()["token"]
            .as_str()
            .expect("token in login reply")
            .to_string()
    }

    /// Uploads a file before a report.
    pub fn upload(&self, tenant: &str, token: Option<&str>, bytes: &[u8]) -> Reply {
        self.client
            .send(
                "POST",
                &format!("/api/t/{tenant}/attachments"),
                token,
                Some(("application/octet-stream", bytes)),
            )
            .expect("upload request")
    }

    /// Moves an upload's time back by `age`, as if it had been made that
    /// long ago (the sweep keeps unlinked uploads for a day, which a test
    /// does not wait out), in the app's database beside the running app.
    pub fn backdate_upload(&self, id: i64, age: chrono::Duration) {
        let then = (chrono::Utc::now() - age).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let changed = self.execute_sql(
            "UPDATE attachments SET uploaded_at = ?1 WHERE id = ?2",
            &[json!(then), json!(id)],
        );
        assert_eq!(changed, 1, "upload {id} exists");
    }

    /// Moves an ended patrol's start and end back by `age` (the sweep thins
    /// tracks after the tenant's retention, at least 7 days, which a test
    /// does not wait out), in the app's database beside the running app.
    pub fn backdate_patrol(&self, id: i64, age: chrono::Duration) {
        let back = |t: chrono::DateTime<chrono::Utc>| {
            (t - age).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        let now = chrono::Utc::now();
        let changed = self.execute_sql(
            "UPDATE patrols SET started_at = ?1, ended_at = ?2 WHERE id = ?3 AND ended_at IS NOT NULL",
            &[json!(back(now - chrono::Duration::hours(2))), json!(back(now)), json!(id)],
        );
        assert_eq!(changed, 1, "patrol {id} exists and has ended");
    }

    /// Moves running patrol `id`'s start `age` back (a patrol left running
    /// that long), in the app's database beside the running app.
    pub fn backdate_running_patrol(&self, id: i64, age: chrono::Duration) {
        let started =
            (chrono::Utc::now() - age).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let changed = self.execute_sql(
            "UPDATE patrols SET started_at = ?1 WHERE id = ?2 AND ended_at IS NULL",
            &[json!(started), json!(id)],
        );
        assert_eq!(changed, 1, "patrol {id} exists and runs");
    }

    /// Makes resolved case `id` late: its resolution deadline an hour
    /// before it was resolved (a department's late record, which a test
    /// does not wait out), in the app's database beside the running app;
    /// `POST …/dashboard/rebuild` then recounts the figures.
    pub fn make_resolved_case_late(&self, id: i64) {
        let changed = self.execute_sql(
            "UPDATE cases SET resolution_due_at = \
             strftime('%Y-%m-%dT%H:%M:%fZ', resolved_at, '-1 hour') \
             WHERE id = ?1 AND resolved_at IS NOT NULL",
            &[json!(id)],
        );
        assert_eq!(changed, 1, "case {id} exists and was resolved");
    }

    /// How many key-value entries hold the bytes of the file with this
    /// digest (its chunks and their count), in any tenant.
    pub fn stored_file_entries(&self, sha256: &str) -> usize {
        if let Some(port) = self.redis_port {
            let output = Command::new("redis-cli")
                .args(["-p", &port.to_string(), "--scan", "--pattern"])
                .arg(format!("file/*/{sha256}/*"))
                .output()
                .expect("redis-cli runs");
            return String::from_utf8_lossy(&output.stdout).lines().count();
        }
        self.state_file("sqlite_key_value.db")
            .query_row(
                "SELECT COUNT(*) FROM spin_key_value WHERE key LIKE 'file/%/' || ?1 || '/%'",
                [sha256],
                |row| row.get(0),
            )
            .expect("count the file's entries")
    }

    /// Runs one statement on the app's database (its file, or its libSQL
    /// server) with text and integer arguments; returns the rows changed.
    fn execute_sql(&self, sql: &str, args: &[Value]) -> usize {
        if let Some(port) = self.sqld_port {
            let args: Vec<Value> = args
                .iter()
                .map(|a| match a {
                    Value::Number(n) => json!({ "type": "integer", "value": n.to_string() }),
                    other => json!({ "type": "text", "value": other.as_str().unwrap_or_default() }),
                })
                .collect();
            let answer: Value = ureq::post(&format!("http://127.0.0.1:{port}/v2/pipeline"))
                .send_json(json!({ "requests": [
                    { "type": "execute", "stmt": { "sql": sql, "args": args } },
                    { "type": "close" }
                ] }))
                .expect("sqld answers")
                .into_json()
                .expect("sqld's answer is JSON");
            return answer["results"][0]["response"]["result"]["affected_row_count"]
                .as_u64()
                .unwrap_or_else(|| panic!("sqld did not run {sql}: {answer}"))
                as usize;
        }
        let params: Vec<Box<dyn rusqlite::ToSql>> = args
            .iter()
            .map(|a| -> Box<dyn rusqlite::ToSql> {
                match a {
                    Value::Number(n) => Box::new(n.as_i64()),
                    other => Box::new(other.as_str().unwrap_or_default().to_string()),
                }
            })
            .collect();
        self.state_file("sqlite_db.db")
            .execute(
                sql,
                rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            )
            .expect("run the statement")
    }

    /// One of the app's SQLite files in the data folder, opened beside
    /// the app (which holds its own connections).
    fn state_file(&self, name: &str) -> rusqlite::Connection {
        let connection =
            rusqlite::Connection::open(self.state.path().join(name)).expect("open the app's file");
        connection
            .busy_timeout(Duration::from_secs(5))
            .expect("busy timeout");
        connection
    }

    /// POSTs JSON as a client at another address of this machine would (all
    /// of 127.0.0.0/8 is loopback), which the app's per-address limits see
    /// as another client.
    pub fn post_json_from(&self, from: std::net::Ipv4Addr, path: &str, body: &Value) -> Reply {
        self.request_from(from, "POST", path, Some(body))
    }

    /// GETs `path` as a client at another address of this machine would.
    pub fn get_from(&self, from: std::net::Ipv4Addr, path: &str) -> Reply {
        self.request_from(from, "GET", path, None)
    }

    /// A plain HTTP/1.1 exchange over a socket bound to `from`: the client
    /// library cannot choose its local address.
    fn request_from(
        &self,
        from: std::net::Ipv4Addr,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        use socket2::{Domain, Socket, Type};
        use std::io::{Read, Write};
        let server: std::net::SocketAddr = self
            .client
            .base()
            .trim_start_matches("http://")
            .parse()
            .expect("the app listens on an address");
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
        socket
            .bind(&std::net::SocketAddr::from((from, 0)).into())
            .expect("bind to the other loopback address");
        socket.connect(&server.into()).expect("connect to the app");
        let mut stream: std::net::TcpStream = socket.into();
        let (content_type, body) = match body {
            Some(json) => ("content-type: application/json\r\n", json.to_string()),
            None => ("", String::new()),
        };
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nhost: {server}\r\n{content_type}\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send the request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the answer");
        parse_http_response(&raw)
    }

    /// Runs `attempt` from a client address of its own until one attempt
    /// starts and ends in the same minute, and returns that attempt's
    /// result. The anonymous rate limits count in fixed one-minute windows
    /// of the clock this machine shares with the app (`edge::limits`), so a
    /// test that fills a window must not straddle two of them; under load
    /// one sometimes does, and is run again from a fresh address.
    pub fn within_one_rate_window<T>(&self, mut attempt: impl FnMut(std::net::Ipv4Addr) -> T) -> T {
        let minute = || chrono::Utc::now().timestamp() / 60;
        for last_octet in 200..=203u8 {
            let started = minute();
            let result = attempt(std::net::Ipv4Addr::new(127, 0, 0, last_octet));
            if minute() == started {
                return result;
            }
        }
        panic!("four attempts in a row straddled a minute: is the machine overloaded?")
    }

    /// A resident's report; returns the reply.
    pub fn post_report(&self, tenant: &str, body: &Value) -> Reply {
        self.client
            .post_json(&format!("/api/t/{tenant}/reports"), None, body)
            .expect("report request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        runtime::stop(&mut self.child);
    }
}

/// An HTTP/1.1 answer read to the end of the connection (`connection:
/// close`), with a `content-length` or a chunked body.
fn parse_http_response(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            Some((key.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut decoded = Vec::new();
        let mut rest = body.as_slice();
        while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..line_end])
                    .split(';')
                    .next()
                    .unwrap_or("0")
                    .trim(),
                16,
            )
            .unwrap_or(0);
            if size == 0 {
                break;
            }
            let start = line_end + 2;
            decoded.extend_from_slice(&rest[start..start + size]);
            rest = &rest[start + size + 2..];
        }
        body = decoded;
    }
    Reply {
        status,
        content_type: header("content-type").unwrap_or_default(),
        retry_after: header("retry-after"),
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
        headers,
    }
}

/// Starts the app on `runtime`.
fn launch(
    runtime: Runtime,
    manifest: &Path,
    state_dir: &Path,
    extra_args: &[String],
    runtime_config: Option<&Path>,
    env: &[(String, String)],
    log: Arc<Mutex<Vec<String>>>,
) -> anyhow::Result<(Child, String)> {
    match runtime {
        Runtime::Host => spawn_host(manifest, state_dir, extra_args, env, log),
        _ => runtime::spawn_spin(manifest, state_dir, runtime_config, env, log),
    }
}

/// The package's host binary, which cargo builds beside the test
/// executable's `deps/` folder before it runs the tests.
fn host_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    profile_dir.join(format!("gridgov-test-host{}", std::env::consts::EXE_SUFFIX))
}

/// Starts the host and waits for its "listening on" line.
fn spawn_host(
    manifest: &Path,
    state_dir: &Path,
    extra_args: &[String],
    env: &[(String, String)],
    log: Arc<Mutex<Vec<String>>>,
) -> anyhow::Result<(Child, String)> {
    let mut child = runtime::in_own_group(&mut Command::new(host_binary()))
        .arg("--manifest")
        .arg(manifest)
        .arg("--state-dir")
        .arg(state_dir)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra_args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start the host")?;
    let base = runtime::read_until_ready(&mut child, "listening on ", log)
        .inspect_err(|_| runtime::stop(&mut child))?;
    Ok((child, base))
}
