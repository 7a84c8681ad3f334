//! `Idempotency-Key`: a retried request (a phone resending after a lost
//! connection) gets the first answer again instead of creating twice.
//!
//! The first answer is stored in the same transaction as what the request
//! wrote, so of two concurrent retries only one can commit; the other finds
//! the stored answer and replays it. A key reused with a different body is
//! refused (422), as the IETF draft on the header recommends.

use domain::Problem;
use domain::intake::sha256_hex;
use spin_sdk::http::Response;
use store::StoredResponse;

use crate::context::Ctx;

/// The request's key, if it sent one: 1 to 255 visible ASCII characters.
pub fn key(ctx: &Ctx) -> Result<Option<String>, Problem> {
    let Some(value) = ctx.request().header("idempotency-key") else {
        return Ok(None);
    };
    let key = value.as_str().unwrap_or("").trim().trim_matches('"');
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::validation(
            "Idempotency-Key",
            "an idempotency key is 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_string()))
}

/// What identifies "the same request": its path, media type and body.
pub fn fingerprint(ctx: &Ctx) -> String {
    let mut bytes = ctx.request().path().as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(ctx.content_type().as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(ctx.request().body());
    sha256_hex(&bytes)
}

/// The stored answer replayed, or 422 when the key came with another body.
pub fn replay(stored: &StoredResponse, fingerprint: &str) -> Result<Response, Problem> {
    if stored.fingerprint != fingerprint {
        return Err(Problem::new(
            domain::ProblemKind::UnprocessableContent,
            "this Idempotency-Key was used with a different request; use a new key",
        )
        .with_field("Idempotency-Key"));
    }
    Ok(Response::builder()
        .status(stored.status)
        .header("content-type", "application/json")
        .header("idempotent-replayed", "true")
        .body(stored.body.clone())
        .build())
}
