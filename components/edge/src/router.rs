//! A component's router, built from its route table in the `api` crate so
//! that what is served, what is documented, who may call it and what is
//! tested are one list. Each route's access is checked before its handler
//! runs; unknown paths and methods get problem responses.

use std::collections::HashMap;

use api::Route;
use domain::Problem;
use spin_sdk::http::conversions::TryFromIncomingRequest;
use spin_sdk::http::{IncomingRequest, Request, Response, ResponseOutparam};

use crate::context::Ctx;
use crate::{HandlerResult, problem_response};

pub type Handler = fn(&mut Ctx) -> HandlerResult;

/// An answer given before the route's access is checked, or `None` to go
/// on as usual: for public answers kept in the key-value store
/// ([`crate::snapshots`]), which must not cost the tenant's database read.
pub type EarlyAnswer = fn(&mut Ctx) -> Option<Response>;

/// The route and handler of each method of one path.
type Methods = HashMap<&'static str, (&'static Route, Handler)>;

pub struct Router {
    /// Path pattern to the route and handler of each method.
    paths: routefinder::Router<Methods>,
    /// Operation id to its early answer, if it has one.
    early: HashMap<&'static str, EarlyAnswer>,
}

impl Router {
    /// Builds the router for `routes`; `handler_for` names the function of
    /// each operation. An operation without one is a programming error
    /// that the end-to-end tests catch: it answers 500.
    pub fn new(routes: &'static [Route], handler_for: impl Fn(&str) -> Option<Handler>) -> Self {
        let mut by_path: Vec<(&'static str, Methods)> = Vec::new();
        for route in routes {
            let handler = handler_for(route.operation).unwrap_or(not_implemented);
            match by_path.iter_mut().find(|(p, _)| *p == route.path) {
                Some((_, methods)) => {
                    methods.insert(route.method, (route, handler));
                }
                None => by_path.push((
                    route.path,
                    HashMap::from([(route.method, (route, handler))]),
                )),
            }
        }
        let mut paths = routefinder::Router::new();
        for (path, methods) in by_path {
            // The table is static and tested; a bad pattern cannot reach here.
            let _ = paths.add(path, methods);
        }
        Router {
            paths,
            early: HashMap::new(),
        }
    }

    /// Lets `operation` answer from `early` before its access is checked
    /// (see [`EarlyAnswer`]). Only for routes open to the public.
    pub fn answer_early(mut self, operation: &'static str, early: EarlyAnswer) -> Self {
        self.early.insert(operation, early);
        self
    }

    pub fn handle(&self, request: Request) -> Response {
        self.dispatch(request).0
    }

    /// Like [`Self::handle`], for components with streamed answers: a
    /// handler that set a stream on its context has its body sent chunk by
    /// chunk as the stream produces it.
    pub async fn serve(&self, incoming: IncomingRequest, out: ResponseOutparam) {
        let request = match Request::try_from_incoming_request(incoming).await {
            Ok(request) => request,
            Err(e) => {
                let problem = Problem::malformed_json(format!("unreadable request: {e}"));
                return crate::stream::send_whole(problem_response(&problem), out).await;
            }
        };
        match self.dispatch(request) {
            (response, None) => crate::stream::send_whole(response, out).await,
            (_, Some(stream)) => crate::stream::send_stream(stream, out).await,
        }
    }

    fn dispatch(&self, request: Request) -> (Response, Option<crate::stream::Stream>) {
        let path = request.path().to_string();
        let Some(found) = self.paths.best_match(&path) else {
            let problem = Problem::not_found(format!("no route matches {path}"));
            return (problem_response(&problem), None);
        };
        let method = request.method().to_string();
        let Some((route, handler)) = found.handler().get(method.as_str()) else {
            let mut allowed: Vec<&str> = found.handler().keys().copied().collect();
            allowed.sort();
            let mut response = problem_response(&Problem::method_not_allowed(format!(
                "{method} is not allowed on {path}; use {}",
                allowed.join(", ")
            )));
            response.set_header("allow", allowed.join(", "));
            return (response, None);
        };
        let params = found
            .captures()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let statements_before = crate::db::statements_sent();
        let mut ctx = Ctx::new(request, params);
        let early = self
            .early
            .get(route.operation)
            .and_then(|early| early(&mut ctx));
        let (mut response, stream) = match early {
            Some(response) => (response, None),
            None => match ctx.admit(route.access).and_then(|()| handler(&mut ctx)) {
                Ok(response) => (response, ctx.take_stream()),
                Err(problem) => (problem_response(&problem), None),
            },
        };
        let statements = crate::db::statements_sent() - statements_before;
        response.set_header("server-timing", statements_timing(statements));
        if !matches!(method.as_str(), "GET" | "HEAD")
            && let Some(tenant) = written_tenant(route, &ctx)
        {
            crate::snapshots::tenant_written(&tenant);
        }
        (response, stream)
    }
}

/// The tenant whose data a writing request may have changed: the one in
/// its path, or the one a platform tenant route names.
fn written_tenant(route: &Route, ctx: &Ctx) -> Option<String> {
    let raw = match ctx.param("tenant") {
        Ok(tenant) => tenant,
        Err(_) if route.path.starts_with("/api/platform/tenants/:code") => {
            ctx.param("code").ok()?
        }
        Err(_) => return None,
    };
    domain::TenantCode::parse(raw)
        .ok()
        .map(|code| code.as_str().to_string())
}

/// The `Server-Timing` entry that tells how many SQL statements the
/// request sent (each one a crossing into the runtime, a round trip on
/// libSQL): what an operator multiplies by their database's latency.
fn statements_timing(statements: u32) -> String {
    format!("sql;desc=\"{statements} statements\"")
}

fn not_implemented(ctx: &mut Ctx) -> HandlerResult {
    Err(Problem::internal("this operation is not available")
        .with_cause(format!("no handler for {}", ctx.request().path())))
}
