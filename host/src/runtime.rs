//! The application loaded into wasmtime: one engine, every component
//! compiled and pre-instantiated once, and a fresh instance (with fresh
//! state) for each request — no memory survives between requests, as on Spin.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{DirPerms, FilePerms, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::bindings::ProxyPre;
use wasmtime_wasi_http::bindings::http::types::ErrorCode;
use wasmtime_wasi_http::body::HyperOutgoingBody;
use wasmtime_wasi_http::types::{HostFutureIncomingResponse, OutgoingRequestConfig};
use wasmtime_wasi_http::{HttpResult, WasiHttpCtx, WasiHttpView};

use crate::manifest::{ComponentSpec, FileMount, Manifest};
use crate::outbound::OutboundPolicy;
use crate::routes::Router;
use crate::spin_apis::{self, Grants, KeyValueBackend, ResolvedVariables, SpinApis, SqliteBackend};

/// How often the engine's epoch advances; request timeouts count in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Limits and places of one running application.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where key-value and SQLite files live (Spin's `.spin` folder).
    pub state_dir: PathBuf,
    /// A request that runs longer than this is stopped and answered with a 500.
    pub request_timeout: Duration,
    /// Linear memory one instance may grow to.
    pub max_memory_bytes: usize,
    /// Keep closed SQLite connections for later `open`s (unlike Spin).
    pub keep_sqlite_connections: bool,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            state_dir: PathBuf::from(".spin"),
            request_timeout: Duration::from_secs(30),
            max_memory_bytes: 256 << 20,
            keep_sqlite_connections: false,
        }
    }
}

/// Everything the server needs to handle requests.
pub struct App {
    engine: Engine,
    router: Router,
    components: HashMap<String, LoadedComponent>,
    key_value: Arc<KeyValueBackend>,
    sqlite: Arc<SqliteBackend>,
    config: RuntimeConfig,
}

/// A component ready to be instantiated, with what it is allowed to reach.
pub struct LoadedComponent {
    pub id: String,
    pre: ProxyPre<RequestState>,
    grants: Arc<Grants>,
    variables: Arc<ResolvedVariables>,
    files: Vec<FileMount>,
    outbound: Arc<OutboundPolicy>,
}

/// The data of one instance's store: WASI, WASI HTTP and the Spin interfaces.
pub struct RequestState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    spin: SpinApis,
    limits: StoreLimits,
    outbound: Arc<OutboundPolicy>,
}

impl App {
    /// Loads the manifest's components; fails on anything `spin up` would
    /// refuse at start-up (a missing `.wasm`, an unknown store or database,
    /// a required variable without a value).
    pub fn load(
        manifest: &Manifest,
        config: RuntimeConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut engine_config = Config::new();
        engine_config.async_support(true);
        engine_config.epoch_interruption(true);
        let engine = Engine::new(&engine_config)?;

        std::fs::create_dir_all(&config.state_dir)
            .with_context(|| format!("cannot create {}", config.state_dir.display()))?;
        let key_value = Arc::new(KeyValueBackend::open(
            &config.state_dir.join("sqlite_key_value.db"),
        )?);
        let sqlite = Arc::new(SqliteBackend::new(
            config.state_dir.join("sqlite_db.db"),
            config.keep_sqlite_connections,
        ));

        let mut linker: Linker<RequestState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::add_only_http_to_linker_async(&mut linker)?;
        spin_apis::add_to_linker(&mut linker, |state| &mut state.spin)?;

        let cache_dir = config.state_dir.join("cache");
        let mut components = HashMap::new();
        for spec in manifest.components.values() {
            check_grants(spec)?;
            let component = compile_cached(&engine, &spec.source, &cache_dir)
                .with_context(|| format!("loading component '{}'", spec.id))?;
            let pre = ProxyPre::new(linker.instantiate_pre(&component)?).with_context(|| {
                format!(
                    "component '{}' is not an HTTP component (wasi:http/incoming-handler)",
                    spec.id
                )
            })?;
            let loaded = LoadedComponent {
                id: spec.id.clone(),
                pre,
                grants: Arc::new(Grants {
                    key_value_stores: spec.key_value_stores.iter().cloned().collect(),
                    sqlite_databases: spec.sqlite_databases.iter().cloned().collect(),
                }),
                variables: Arc::new(ResolvedVariables::resolve(manifest, spec, env)?),
                files: spec.files.clone(),
                outbound: Arc::new(OutboundPolicy::parse(&spec.allowed_outbound_hosts)?),
            };
            components.insert(spec.id.clone(), loaded);
        }
        Ok(App {
            engine,
            router: Router::build(&manifest.http_triggers)?,
            components,
            key_value,
            sqlite,
            config,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    pub fn component(&self, id: &str) -> Option<&LoadedComponent> {
        self.components.get(id)
    }

    /// A fresh store for one request to `component`, with its grants, files,
    /// variables, memory limit and time limit.
    pub fn new_store(&self, component: &LoadedComponent) -> anyhow::Result<Store<RequestState>> {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout().inherit_stderr();
        for mount in &component.files {
            wasi.preopened_dir(
                &mount.source,
                &mount.destination,
                DirPerms::READ,
                FilePerms::READ,
            )
            .with_context(|| format!("mounting {}", mount.source.display()))?;
        }
        let state = RequestState {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            spin: SpinApis::new(
                component.grants.clone(),
                self.key_value.clone(),
                self.sqlite.clone(),
                component.variables.clone(),
            ),
            limits: StoreLimitsBuilder::new()
                .memory_size(self.config.max_memory_bytes)
                .build(),
            outbound: component.outbound.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        let ticks = self.config.request_timeout.as_millis() / EPOCH_TICK.as_millis();
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX).max(1));
        store.epoch_deadline_trap();
        Ok(store)
    }
}

impl LoadedComponent {
    pub fn pre(&self) -> &ProxyPre<RequestState> {
        &self.pre
    }
}

impl WasiView for RequestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for RequestState {
    fn ctx(&mut self) -> &mut WasiHttpCtx {
        &mut self.http
    }

    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    fn send_request(
        &mut self,
        request: hyper::Request<HyperOutgoingBody>,
        config: OutgoingRequestConfig,
    ) -> HttpResult<HostFutureIncomingResponse> {
        let uri = request.uri();
        let scheme = uri
            .scheme_str()
            .unwrap_or(if config.use_tls { "https" } else { "http" });
        let port = uri
            .port_u16()
            .unwrap_or(if config.use_tls { 443 } else { 80 });
        let host = uri.host().unwrap_or_default();
        if !self.outbound.allows(scheme, host, port) {
            return Err(ErrorCode::HttpRequestDenied.into());
        }
        Ok(wasmtime_wasi_http::types::default_send_request(
            request, config,
        ))
    }
}

/// Stores and databases other than `default` need a runtime config, which
/// this host does not read; Spin refuses them at start-up too.
fn check_grants(spec: &ComponentSpec) -> anyhow::Result<()> {
    for store in &spec.key_value_stores {
        if store != "default" {
            bail!(
                "component '{}' uses key-value store '{store}', which needs a runtime config",
                spec.id
            );
        }
    }
    for db in &spec.sqlite_databases {
        if db != "default" {
            bail!(
                "component '{}' uses SQLite database '{db}', which needs a runtime config",
                spec.id
            );
        }
    }
    Ok(())
}

/// Compiling a component takes seconds; the machine code is cached under
/// `.spin/cache`, keyed by the component's bytes and the engine's settings.
fn compile_cached(engine: &Engine, source: &Path, cache_dir: &Path) -> anyhow::Result<Component> {
    let bytes = std::fs::read(source).with_context(|| {
        format!(
            "cannot read {} (build the components first: cargo xtask build)",
            source.display()
        )
    })?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut engine_hash);
    hasher.update(std::hash::Hasher::finish(&engine_hash).to_le_bytes());
    let key = format!("{:x}", hasher.finalize());
    let cached = cache_dir.join(format!("{key}.cwasm"));
    if cached.exists() {
        // SAFETY: the file was written by `serialize` below, for an engine
        // with the same compatibility hash, into the host's own state folder.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cached) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, &bytes)?;
    std::fs::create_dir_all(cache_dir)?;
    let temp = cache_dir.join(format!("{key}.tmp{}", std::process::id()));
    std::fs::write(&temp, component.serialize()?)?;
    std::fs::rename(&temp, &cached)?;
    Ok(component)
}
