//! `cargo xtask build` builds the components; `cargo xtask up` builds them
//! and serves the app with the demo tenant at http://127.0.0.1:3000;
//! `cargo xtask test` installs what the tests need, then runs `cargo test`.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use xtask::secrets::Secrets;
use xtask::{build, client::Client, demo, setup};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

/// The seed's scale: the cases of one township over two years.
const DEFAULT_CASES: usize = 250_000;

#[derive(Subcommand)]
enum Task {
    /// Build every component (and the test fixtures) for wasm32-wasip2.
    Build,
    /// Run a benchmark against the app on a runtime (see docs/benchmarks/<runtime>/).
    Bench {
        #[arg(value_enum)]
        which: Benchmark,
        /// Cases in the tenant (`workflow`), or per tenant (`suite`).
        #[arg(long, default_value_t = DEFAULT_CASES)]
        cases: usize,
        /// Tenants of that size (`suite`): 10 for the 2,500,000-case variant.
        #[arg(long, default_value_t = 1)]
        tenants: usize,
        /// Seconds per run (`suite`).
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Only the endpoints whose name contains this (`suite`; the
        /// baseline always runs). A partial run is written under
        /// `target/bench/`, not `docs/benchmarks/`.
        #[arg(long)]
        only: Option<String>,
        /// Where the app runs: the real Spin CLI (default; on local files,
        /// with the key-value store on Redis, or with the database on
        /// libSQL and the store on Redis) or the project's host.
        #[arg(long, value_enum, default_value_t = BenchRuntime::Spin)]
        runtime: BenchRuntime,
    },
    /// rustfmt and clippy (with warnings denied) over the host crates and,
    /// for wasm32-wasip2, the components.
    Lint,
    /// Build, then serve the app with the demo tenant and demo data.
    Up {
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:3000")]
        listen: SocketAddr,
        /// The project's own host (default), or the real Spin CLI.
        #[arg(long, value_enum, default_value_t = Runtime::Host)]
        runtime: Runtime,
    },
    /// Remake the precompressed siblings (.br, .gz) of the vendored
    /// libraries in static/vendor/ (see its README).
    Precompress,
    /// Install what the tests need besides Rust (Chromium, playwright-core,
    /// schemathesis, Redis, Spin, sqld), saying what it finds and does,
    /// then run `cargo test` with these arguments.
    Test {
        /// Passed to `cargo test` (after `--`: `cargo xtask test -- -p e2e`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Benchmark {
    /// Import the seed zone's grid (7,825 nodes) and read the whole tree.
    Grid,
    /// Report intake with a small photo, against the trivial baseline.
    Intake,
    /// The sweep and a department inbox page at 250,000 cases.
    Workflow,
    /// The dashboard's main call at 25,000 cases and at 2,500,000 over ten tenants.
    Analytics,
    /// Policy Q&A searches and suggestions over 50,000 published answers.
    Enterprise,
    /// Every main route at 1, 8 and 64 clients with the seed zone's data
    /// (`--cases` per tenant, `--tenants`), sizes and cold start.
    Suite,
    /// The pages' files: gzip on each request, precompressed siblings, 304
    /// (`--seconds` per run).
    Web,
    /// The smart triage model on a labelled set of 12345 reports, against
    /// the routing rules and the most common department (natively: no app).
    Triage,
    /// What smart triage adds to intake and to the centre's dispatch, beside
    /// the trivial component and the naive write.
    TriageFlow,
}

#[derive(Clone, Copy, ValueEnum)]
enum BenchRuntime {
    Host,
    Spin,
    SpinRedis,
    SpinLibsqlRedis,
}

impl BenchRuntime {
    fn runtime(self) -> xtask::runtime::Runtime {
        use xtask::runtime::Runtime as R;
        match self {
            Self::Host => R::Host,
            Self::Spin => R::Spin,
            Self::SpinRedis => R::SpinRedis,
            Self::SpinLibsqlRedis => R::SpinLibsqlRedis,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Runtime {
    Host,
    Spin,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Task::Build => build_all(),
        Task::Lint => build::lint(&xtask::workspace_root()),
        Task::Bench {
            which,
            cases,
            tenants,
            seconds,
            only,
            runtime,
        } => bench(which, cases, tenants, seconds, only, runtime.runtime()),
        Task::Up { listen, runtime } => up(listen, runtime),
        Task::Test { args } => test(&args),
        Task::Precompress => xtask::precompress::run(&xtask::workspace_root()),
    }
}

fn test(args: &[String]) -> anyhow::Result<()> {
    let root = xtask::workspace_root();
    build::ensure_target()?;
    let path = setup::for_tests(&root)?;
    eprintln!("== cargo test {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .arg("test")
        .args(args)
        .env("PATH", path)
        .status()
        .context("cannot run cargo test")?;
    std::process::exit(status.code().unwrap_or(1));
}

fn bench(
    which: Benchmark,
    cases: usize,
    tenants: usize,
    seconds: u64,
    only: Option<String>,
    runtime: xtask::runtime::Runtime,
) -> anyhow::Result<()> {
    let root = xtask::workspace_root();
    if let Benchmark::Triage = which {
        return xtask::bench_triage::main(&root);
    }
    let path = setup::for_runtime(&root, runtime)?;
    // SAFETY: nothing else runs yet (no thread of this process has started),
    // so nothing reads the environment while it changes.
    unsafe { std::env::set_var("PATH", path) };
    let (name, report): (String, String) = match which {
        Benchmark::Grid => (
            "grid".into(),
            xtask::bench::grid(&root, &xtask::seed_zone_csv(), runtime)?,
        ),
        Benchmark::Intake => ("intake".into(), xtask::bench::intake(&root, runtime)?),
        Benchmark::Workflow => (
            "workflow".into(),
            xtask::bench_workflow::workflow(&root, cases, runtime)?,
        ),
        Benchmark::Analytics => (
            "analytics".into(),
            xtask::bench_analytics::analytics(&root, 25_000, 10, 250_000, runtime)?,
        ),
        Benchmark::Suite => (
            // The seed's scale is `suite`; ten tenants of it `suite-large`;
            // any other scale is named by its cases (`suite-2500`).
            match (tenants > 1, cases == DEFAULT_CASES) {
                (true, _) => "suite-large".into(),
                (false, true) => "suite".into(),
                (false, false) => format!("suite-{cases}"),
            },
            xtask::bench_suite::suite(
                &root,
                tenants.max(1),
                cases,
                seconds,
                only.as_deref(),
                runtime,
            )?,
        ),
        Benchmark::Enterprise => (
            "enterprise".into(),
            xtask::bench_enterprise::enterprise(&root, runtime)?,
        ),
        Benchmark::Web => (
            "web".into(),
            xtask::bench_web::web(&root, runtime, seconds)?,
        ),
        Benchmark::TriageFlow => (
            "triage-flow".into(),
            xtask::bench_triage_flow::triage_flow(&root, runtime)?,
        ),
        Benchmark::Triage => unreachable!("run above, natively, before any runtime is set up"),
    };
    let dir = if only.is_some() {
        root.join("target/bench")
    } else {
        root.join("docs/benchmarks")
    }
    .join(runtime.name());
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.md")), &report)?;
    println!(
        "{report}\nwritten to {}",
        dir.join(format!("{name}.md")).display()
    );
    Ok(())
}

fn build_all() -> anyhow::Result<()> {
    let all: Vec<&str> = build::COMPONENTS
        .iter()
        .chain(build::FIXTURES)
        .copied()
        .collect();
    build::components(&xtask::workspace_root(), &all)
}

fn up(listen: SocketAddr, runtime: Runtime) -> anyhow::Result<()> {
    let root = xtask::workspace_root();
    if matches!(runtime, Runtime::Spin) && setup::on_path("spin").is_none() {
        bail!(
            "`spin` is not on PATH. Install the Spin CLI (https://spinframework.dev) \
             or run `cargo xtask up` to use the project's own host."
        );
    }
    build::components(&root, build::COMPONENTS)?;
    let secrets = Secrets::load_or_create(&root.join(".spin"))?;
    let mut server = match runtime {
        Runtime::Host => spawn_own_host(&root, listen, &secrets)?,
        Runtime::Spin => Command::new("spin")
            .current_dir(&root)
            .args(["up", "--listen", &listen.to_string()])
            .envs(secrets.env())
            .spawn()
            .context("cannot start spin up")?,
    };
    let client = Client::new(format!("http://{listen}"));
    let seeded = client
        .wait_until_up(Duration::from_secs(120))
        .and_then(|()| demo::seed(&client, &secrets.operator_key));
    if let Err(e) = seeded {
        let _ = server.kill();
        return Err(e.context("the demo data could not be created"));
    }
    print_welcome(listen, &secrets);
    let status = server.wait()?;
    if !status.success() {
        bail!("the server stopped: {status}");
    }
    Ok(())
}

/// Runs the project's host binary (built on demand) as a child process.
fn spawn_own_host(
    root: &std::path::Path,
    listen: SocketAddr,
    secrets: &Secrets,
) -> anyhow::Result<std::process::Child> {
    Command::new(build::host(root, "dev")?)
        .current_dir(root)
        .args(["--manifest", "spin.toml", "--listen", &listen.to_string()])
        .envs(secrets.env())
        .spawn()
        .context("cannot start the host")
}

fn print_welcome(listen: SocketAddr, secrets: &Secrets) {
    let (platform_login, platform_password) = demo::PLATFORM_ADMIN;
    let (admin_login, admin_password) = demo::DEMO_ADMIN;
    println!(
        "\n网格化社会治理平台 is serving on http://{listen}\n\
         \n  demo tenant:     {tenant}  (http://{listen}/api/t/{tenant}/...)\
         \n  tenant admin:    {admin_login} / {admin_password}\
         \n  command centre:  zhihui / demo-centre-2026 (or 13800000001)\
         \n  grid worker:     wangwu / demo-worker-2026 (or 13800000002)\
         \n  platform admin:  {platform_login} / {platform_password}\
         \n  operator key:    {operator}\
         \n  Open311:         http://{listen}/open311/v2/services.json?jurisdiction_id={tenant} (api_key demo-key)\
         \n  API document:    http://{listen}/api/openapi.json\n\
         \nCtrl-C stops it; data stays in .spin/.\n",
        tenant = demo::DEMO_TENANT,
        // Printed once, when it is drawn; afterwards it stays in the file.
        operator = if secrets.operator_key_is_new {
            format!(
                "{} (new: shown this once; kept in .spin/secrets.toml)",
                secrets.operator_key
            )
        } else {
            "in .spin/secrets.toml".to_string()
        },
    );
}
