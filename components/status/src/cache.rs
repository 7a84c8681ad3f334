//! HTTP caching of public answers. The ETag is the digest of the body, so
//! it changes whenever anything visible changes, including what does not
//! bump a case's version (a photo hidden, a note added); `If-None-Match`
//! then answers 304 without the body.

use domain::intake::sha256_hex;
use edge::Ctx;
use edge::Response;
use serde::Serialize;

/// How long shared caches may keep an answer.
#[derive(Debug, Clone, Copy)]
pub enum Freshness {
    /// Anyone's answer, kept `seconds` by browsers and edge caches.
    Public { seconds: u32 },
    /// One person's answer (with the reporter's secret): never in a shared
    /// cache, revalidated on every use.
    Private,
}

impl Freshness {
    fn header(self) -> String {
        match self {
            Freshness::Public { seconds } => format!("public, max-age={seconds}"),
            Freshness::Private => "private, no-cache".to_string(),
        }
    }
}

/// `value` as JSON with `ETag` and `Cache-Control`, or a 304 when the
/// client's `If-None-Match` names the same ETag.
pub fn cached<T: Serialize>(ctx: &Ctx, value: &T, freshness: Freshness) -> Response {
    cached_as(ctx, value, freshness, "application/json")
}

pub fn cached_as<T: Serialize>(
    ctx: &Ctx,
    value: &T,
    freshness: Freshness,
    content_type: &str,
) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => cached_bytes(ctx, body, freshness, content_type),
        Err(e) => edge::problem_response(
            &domain::Problem::internal("the response could not be encoded")
                .with_cause(e.to_string()),
        ),
    }
}

/// [`cached_as`] for a body already encoded (an answer kept in the
/// key-value store): the same bytes, so the same ETag.
pub fn cached_bytes(
    ctx: &Ctx,
    body: Vec<u8>,
    freshness: Freshness,
    content_type: &str,
) -> Response {
    let etag = format!("\"{}\"", &sha256_hex(&body)[..32]);
    let cache_control = freshness.header();
    // The same URL answers differently with the reporter's secret.
    let headers = [
        ("etag", etag.as_str()),
        ("cache-control", cache_control.as_str()),
        ("vary", "reporter-secret"),
    ];
    if client_has(ctx, &etag) {
        edge::respond::empty(304, &headers)
    } else {
        let mut with_type = headers.to_vec();
        with_type.push(("content-type", content_type));
        edge::respond::bytes(200, &with_type, body)
    }
}

/// Whether `If-None-Match` lists `etag` (or `*`).
fn client_has(ctx: &Ctx, etag: &str) -> bool {
    ctx.request()
        .header("if-none-match")
        .and_then(|h| h.as_str())
        .is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
        })
}
