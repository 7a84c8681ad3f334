//! Outbound HTTP (wasi-http): only the hosts the component's
//! `allowed_outbound_hosts` names are reachable; anything else fails here,
//! as a send error, not as a trap.
//!
//! Each call carries its own time limit as wasi-http request options
//! (connect, first byte, between bytes). spin-sdk's `send` passes none, so
//! the host's default applies — minutes on wasmtime — and one receiver
//! that never answers would hold the whole request until the host stops it,
//! losing the outcome of every delivery made before.

use std::time::Duration;

use spin_sdk::http::conversions::TryIntoOutgoingRequest;
use spin_sdk::http::{Method, OutgoingBody, Request};
use spin_sdk::wit::wasi::http0_2_0::outgoing_handler;
use spin_sdk::wit::wasi::http0_2_0::types::RequestOptions;

/// wasi-http writes at most this many bytes in one blocking call.
const WRITE_CHUNK: usize = 4096;

/// POSTs `body`, waiting at most `time_limit` to connect, for the first
/// byte of the answer and between bytes; returns the status, or why no
/// answer came.
pub fn post(
    url: &str,
    headers: &[(&str, String)],
    body: String,
    time_limit: Duration,
) -> Result<u16, String> {
    let mut builder = Request::builder();
    builder.method(Method::Post).uri(url);
    for (name, value) in headers {
        builder.header(*name, value.as_str());
    }
    let (request, buffered) = builder
        .body(body)
        .build()
        .try_into_outgoing_request()
        .map_err(|e| e.to_string())?;
    let outgoing_body = request
        .body()
        .map_err(|()| "the request's body was already taken".to_string())?;
    let response = outgoing_handler::handle(request, Some(options(time_limit)))
        .map_err(|code| format!("{code:?}"))?;
    write_all(&outgoing_body, buffered.as_deref().unwrap_or_default())?;
    OutgoingBody::finish(outgoing_body, None).map_err(|code| format!("{code:?}"))?;
    response.subscribe().block();
    match response.get() {
        Some(Ok(Ok(answer))) => Ok(answer.status()),
        Some(Ok(Err(code))) => Err(format!("{code:?}")),
        Some(Err(())) | None => Err("the answer was lost".to_string()),
    }
}

fn options(time_limit: Duration) -> RequestOptions {
    let nanos = u64::try_from(time_limit.as_nanos()).unwrap_or(u64::MAX);
    let options = RequestOptions::new();
    // A host that does not support a limit refuses to set it and keeps its
    // own default: nothing better to do here.
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));
    options
}

fn write_all(body: &OutgoingBody, bytes: &[u8]) -> Result<(), String> {
    let stream = body
        .write()
        .map_err(|()| "the request's body stream was already taken".to_string())?;
    for chunk in bytes.chunks(WRITE_CHUNK) {
        stream
            .blocking_write_and_flush(chunk)
            .map_err(|e| format!("{e:?}"))?;
    }
    // The stream must be gone before the body is finished.
    drop(stream);
    Ok(())
}
