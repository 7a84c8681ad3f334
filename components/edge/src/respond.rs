//! Responses: JSON bodies, RFC 9457 problem details, and the other
//! answers handlers give (files, CSV, XML, 204, 304), so that no handler
//! builds a runtime response itself.

use domain::Problem;
use serde::Serialize;
pub use spin_sdk::http::Response;

/// An answer of `status` with `headers` and `body` (a file, CSV, XML).
pub fn bytes(status: u16, headers: &[(&str, &str)], body: Vec<u8>) -> Response {
    let mut response = Response::builder();
    response.status(status);
    for (name, value) in headers {
        response.header(*name, *value);
    }
    response.body(body).build()
}

/// An answer without a body (204 No Content, 304 Not Modified).
pub fn empty(status: u16, headers: &[(&str, &str)]) -> Response {
    bytes(status, headers, Vec::new())
}

/// A JSON response with `status`.
pub fn json<T: Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body)
            .build(),
        Err(e) => problem_response(
            &Problem::internal("the response could not be encoded").with_cause(e.to_string()),
        ),
    }
}

/// A problem details response. A problem's detail is written for the
/// client; its internal cause, when it has one, goes to the log only.
pub fn problem_response(problem: &Problem) -> Response {
    if problem.status() >= 500 {
        eprintln!(
            "problem {}: {} (cause: {})",
            problem.status(),
            problem.detail,
            problem.cause().unwrap_or("none recorded")
        );
    }
    let mut response = Response::builder()
        .status(problem.status())
        .header("content-type", domain::problem::PROBLEM_CONTENT_TYPE)
        .body(problem.to_json())
        .build();
    if let Some(seconds) = problem.retry_after() {
        response.set_header("retry-after", seconds.to_string());
    }
    response
}
