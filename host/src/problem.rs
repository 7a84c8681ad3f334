//! The host's own answers (no route, body too large, a component that
//! failed) as RFC 9457 problem details, the same shape the components use.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Response;
use wasmtime_wasi_http::body::HyperOutgoingBody;

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
        "detail": detail,
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/problem+json")
        .body(full_body(body.to_string()))
        .unwrap_or_else(|_| Response::new(full_body(Bytes::new())))
}
