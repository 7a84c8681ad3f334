//! The HTTP server: accepts connections, routes each request, runs it in a
//! fresh instance of its component, and logs one line per request.
//! A component that traps, runs out of time or never answers costs only its
//! own request a 500; the server keeps serving.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::bindings::http::types::Scheme;
use wasmtime_wasi_http::body::HyperOutgoingBody;

use crate::headers;
use crate::problem::problem;
use crate::routes::RouteMatch;
use crate::runtime::{App, EPOCH_TICK};

/// Limits the server applies before a component sees a request.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Larger request bodies get 413 without reaching a component.
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 32 << 20,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    app: Arc<App>,
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let _ticker = EpochTicker::start(app.engine().clone());
    let config = Arc::new(config);
    tokio::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let config = config.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let app = app.clone();
                let config = config.clone();
                async move { Ok::<_, Infallible>(handle(&app, &config, req, client).await) }
            });
            // Errors here are client disconnects and malformed HTTP; hyper
            // has already answered what it could.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    Ok(())
}

/// Drives request time limits: each store traps once the epoch passes its
/// deadline. The ticker is a thread of its own, not a task of the runtime:
/// a guest spinning in a loop holds the runtime's worker thread, and a
/// ticker task queued behind it on that worker would never run, so the
/// deadline that should stop the guest would never come (seen in CI).
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: wasmtime::Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new()
            .name("epoch-ticker".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("the epoch ticker's thread starts");
        EpochTicker { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn handle(
    app: &App,
    config: &ServerConfig,
    req: Request<Incoming>,
    client: SocketAddr,
) -> Response<HyperOutgoingBody> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let (component, response) = match app.router().route(&path) {
        None => (
            "-".to_string(),
            problem(
                404,
                "not-found",
                "Not Found",
                &format!("no route matches {path}"),
            ),
        ),
        Some(matched) => {
            let component = matched.component.clone();
            let response = dispatch(app, config, matched, req, client).await;
            (component, response)
        }
    };
    println!(
        "{method} {path} {component} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

async fn dispatch(
    app: &App,
    config: &ServerConfig,
    matched: RouteMatch,
    req: Request<Incoming>,
    client: SocketAddr,
) -> Response<HyperOutgoingBody> {
    let Some(component) = app.component(&matched.component) else {
        return problem(
            500,
            "internal",
            "Internal Server Error",
            "route names an unknown component",
        );
    };
    let (mut parts, body) = req.into_parts();
    let body = match read_body(body, config.max_body_bytes).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let spin = headers::spin_headers("http", &host, &path_and_query, &matched, client);
    if headers::apply(&mut parts.headers, spin).is_err() {
        return problem(
            400,
            "bad-request",
            "Bad Request",
            "request path cannot be passed on in a header",
        );
    }
    if !parts.headers.contains_key(http::header::HOST) {
        parts.headers.insert(
            http::header::HOST,
            http::HeaderValue::from_static("localhost"),
        );
    }
    let request = Request::from_parts(parts, body);

    match run_component(app, component, request).await {
        Ok(response) => response,
        Err(error) => {
            eprintln!("component '{}' failed: {error:#}", component.id);
            problem(
                500,
                "internal",
                "Internal Server Error",
                "the component handling this request failed",
            )
        }
    }
}

type GuestBody = http_body_util::combinators::BoxBody<Bytes, hyper::Error>;

/// Reads the whole body, refusing more than `limit` bytes.
async fn read_body(body: Incoming, limit: usize) -> Result<GuestBody, Response<HyperOutgoingBody>> {
    let too_large = || {
        problem(
            413,
            "payload-too-large",
            "Payload Too Large",
            &format!("request bodies are limited to {limit} bytes"),
        )
    };
    if body
        .size_hint()
        .lower()
        .try_into()
        .is_ok_and(|declared: usize| declared > limit)
    {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(Full::new(collected.to_bytes())
            .map_err(|never| match never {})
            .boxed()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(problem(
            400,
            "bad-request",
            "Bad Request",
            "the request body could not be read",
        )),
    }
}

/// Instantiates `component` in a fresh store and lets it answer `request`.
async fn run_component(
    app: &App,
    component: &crate::runtime::LoadedComponent,
    request: Request<GuestBody>,
) -> anyhow::Result<Response<HyperOutgoingBody>> {
    let mut store = app.new_store(component)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let incoming = store
        .data_mut()
        .new_incoming_request(Scheme::Http, request)?;
    let outparam = store.data_mut().new_response_outparam(sender)?;
    let pre = component.pre().clone();
    // The guest runs in its own task so it may keep streaming the body after
    // the response head has been sent.
    let task = tokio::spawn(async move {
        let proxy = pre.instantiate_async(&mut store).await?;
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut store, incoming, outparam)
            .await
    });
    match receiver.await {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(code)) => Err(anyhow::anyhow!("component answered with error {code:?}")),
        Err(_) => match task.await {
            Ok(Ok(())) => Err(anyhow::anyhow!("component never set a response")),
            Ok(Err(trap)) => Err(trap),
            Err(join) => Err(join.into()),
        },
    }
}
