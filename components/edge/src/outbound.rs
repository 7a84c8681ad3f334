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
use spin_sdk::wit::wasi::http0_2_0::types::{ErrorCode, IncomingResponse, RequestOptions};

use domain::notification::DeliveryFailure;
use domain::receiver::{Reach, check_webhook_url};

/// wasi-http writes at most this many bytes in one blocking call.
const WRITE_CHUNK: usize = 4096;

/// Which hosts webhooks may reach: public ones, unless the deployment sets
/// the `allow_local_webhooks` variable to `true` (a developer's or a
/// test's receiver on this machine; never in production).
pub fn webhook_reach() -> Reach {
    match spin_sdk::variables::get("allow_local_webhooks").as_deref() {
        Ok("true") => Reach::LocalToo,
        _ => Reach::PublicOnly,
    }
}

/// POSTs a webhook delivery to `url` (checked again here: a name may
/// point elsewhere than when it was saved, and the rules may have
/// changed), waiting at most `time_limit` to connect, for the first byte
/// of the answer and between bytes; returns the status, or what kind of
/// failure kept the answer from coming.
pub fn post_webhook(
    url: &str,
    headers: &[(&str, String)],
    body: String,
    time_limit: Duration,
) -> Result<u16, DeliveryFailure> {
    check_webhook_url(url, webhook_reach()).map_err(|_| DeliveryFailure::NotAllowed)?;
    post(url, headers, body, time_limit).map_err(|failure| match failure {
        Failure::Code(code) => classify(&code),
        Failure::Local => DeliveryFailure::Broken,
    })
}

/// POSTs an SMS provider's form `body` to the tenant's `endpoint` (checked
/// like a webhook's URL: public hosts only unless `allow_local_webhooks`),
/// with the same time limits; returns the status and the first
/// [`MAX_ANSWER_BYTES`] of the answer, which says whether the provider
/// took the message.
pub fn post_form(
    endpoint: &str,
    body: String,
    time_limit: Duration,
) -> Result<(u16, Vec<u8>), DeliveryFailure> {
    check_webhook_url(endpoint, webhook_reach()).map_err(|_| DeliveryFailure::NotAllowed)?;
    let headers = [(
        "content-type",
        domain::sms::aliyun::CONTENT_TYPE.to_string(),
    )];
    exchange(endpoint, &headers, body, time_limit, MAX_ANSWER_BYTES).map_err(
        |failure| match failure {
            Failure::Code(code) => classify(&code),
            Failure::Local => DeliveryFailure::Broken,
        },
    )
}

/// The most of an answer's body [`post_form`] reads: a provider's verdict
/// is a small JSON document.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// Why a post got no answer: the runtime's error code, or a failure of
/// our own side of the exchange.
enum Failure {
    Code(ErrorCode),
    Local,
}

/// The kind of an outbound failure, without the details it carries.
fn classify(code: &ErrorCode) -> DeliveryFailure {
    match code {
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::DnsTimeout => DeliveryFailure::Timeout,
        ErrorCode::DestinationIpProhibited | ErrorCode::HttpRequestDenied => {
            DeliveryFailure::NotAllowed
        }
        ErrorCode::DnsError(_)
        | ErrorCode::DestinationNotFound
        | ErrorCode::DestinationUnavailable
        | ErrorCode::DestinationIpUnroutable
        | ErrorCode::ConnectionRefused => DeliveryFailure::Unreachable,
        _ => DeliveryFailure::Broken,
    }
}

fn post(
    url: &str,
    headers: &[(&str, String)],
    body: String,
    time_limit: Duration,
) -> Result<u16, Failure> {
    exchange(url, headers, body, time_limit, 0).map(|(status, _)| status)
}

/// Posts `body` and returns the answer's status and up to `read` bytes of
/// its body.
fn exchange(
    url: &str,
    headers: &[(&str, String)],
    body: String,
    time_limit: Duration,
    read: usize,
) -> Result<(u16, Vec<u8>), Failure> {
    let mut builder = Request::builder();
    builder.method(Method::Post).uri(url);
    for (name, value) in headers {
        builder.header(*name, value.as_str());
    }
    let (request, buffered) = builder
        .body(body)
        .build()
        .try_into_outgoing_request()
        .map_err(|_| Failure::Local)?;
    let outgoing_body = request.body().map_err(|()| Failure::Local)?;
    let response =
        outgoing_handler::handle(request, Some(options(time_limit))).map_err(Failure::Code)?;
    write_all(&outgoing_body, buffered.as_deref().unwrap_or_default())?;
    OutgoingBody::finish(outgoing_body, None).map_err(Failure::Code)?;
    response.subscribe().block();
    match response.get() {
        Some(Ok(Ok(answer))) => {
            let status = answer.status();
            Ok((status, read_body(answer, read)?))
        }
        Some(Ok(Err(code))) => Err(Failure::Code(code)),
        Some(Err(())) | None => Err(Failure::Local),
    }
}

/// Up to `limit` bytes of an answer's body (nothing when `limit` is 0).
fn read_body(answer: IncomingResponse, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    if limit == 0 {
        return Ok(bytes);
    }
    let body = answer.consume().map_err(|()| Failure::Local)?;
    let stream = body.stream().map_err(|()| Failure::Local)?;
    while bytes.len() < limit {
        let want = u64::try_from(limit - bytes.len()).unwrap_or(u64::MAX);
        match stream.blocking_read(want) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            // Closed at the end, or broken: what came is the answer (a
            // cut one does not read as the provider's verdict).
            Err(_) => break,
        }
    }
    drop(stream);
    Ok(bytes)
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

fn write_all(body: &OutgoingBody, bytes: &[u8]) -> Result<(), Failure> {
    let stream = body.write().map_err(|()| Failure::Local)?;
    for chunk in bytes.chunks(WRITE_CHUNK) {
        stream
            .blocking_write_and_flush(chunk)
            .map_err(|_| Failure::Local)?;
    }
    // The stream must be gone before the body is finished.
    drop(stream);
    Ok(())
}
