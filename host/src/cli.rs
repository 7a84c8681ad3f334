//! `spin-host up`: the command-line face of the host, shared by the binary,
//! the xtask and the end-to-end tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::manifest::Manifest;
use crate::runtime::{App, RuntimeConfig};
use crate::server::{self, ServerConfig};

/// Serve a Spin application (spin.toml) locally.
#[derive(Debug, Clone, Parser)]
#[command(name = "spin-host", version)]
pub struct UpArgs {
    /// The application manifest.
    #[arg(long, short = 'f', default_value = "spin.toml")]
    pub manifest: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Folder for key-value and SQLite data (default: `.spin` beside the manifest).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Seconds a request may run before it is stopped with a 500.
    #[arg(long, default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 32 << 20)]
    pub max_body_bytes: usize,
    /// Keep closed SQLite connections for later `open`s. Off by default,
    /// as on Spin, where each `open` is a fresh connection whose first
    /// statement parses the whole schema: what the host measures and
    /// tests must be what Spin does (docs/host.md).
    #[arg(long)]
    pub keep_sqlite_connections: bool,
}

/// Loads the app and serves it until Ctrl-C. Prints `listening on http://ADDR`
/// once ready, which tools wait for.
pub fn run(args: UpArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let manifest = Manifest::load(&args.manifest)?;
        let state_dir = args
            .state_dir
            .clone()
            .unwrap_or_else(|| manifest.root.join(".spin"));
        let config = RuntimeConfig {
            state_dir,
            request_timeout: Duration::from_secs(args.request_timeout_secs),
            keep_sqlite_connections: args.keep_sqlite_connections,
            ..RuntimeConfig::default()
        };
        let app = App::load(&manifest, config, &|name| std::env::var(name).ok())?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        println!("listening on http://{addr}");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        server::serve(
            Arc::new(app),
            ServerConfig {
                max_body_bytes: args.max_body_bytes,
            },
            listener,
            shutdown,
        )
        .await
    })
}

/// The whole command: parse the arguments, serve.
pub fn main() -> anyhow::Result<()> {
    run(UpArgs::parse())
}
