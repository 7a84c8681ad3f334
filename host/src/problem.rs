//! The host's own answers (no route, body too large, a component that
//! failed) as RFC 9457 problem details, the same shape the components use.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Response;
use wasmtime_wasi_http::body::HyperOutgoingBody;

/// The `code` of the host's own answers: the default code the app gives a
/// problem of the same status (`domain::ProblemKind::default_code`, which
/// the host does not depend on), so that a client reads them alike.
fn code(status: u16) -> &'static str {
    match status {
        400 => "invalid_input",
        404 => "not_found",
        413 => "too_large",
        503 => "unavailable",
        _ => "internal_error",
    }
}

/// A complete response body in the type the guest's responses use.
pub fn full_body(bytes: impl Into<Bytes>) -> HyperOutgoingBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn problem(status: u16, slug: &str, title: &str, detail: &str) -> Response<HyperOutgoingBody> {
    let body = serde_json::json!({
        "type": format!("https://gridgov.example/problems/{slug}"),
        "title": title,
        "status": status,
        "code": code(status),
        "detail": detail,
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/problem+json")
        .body(full_body(body.to_string()))
        .unwrap_or_else(|_| Response::new(full_body(Bytes::new())))
}
