//! Responses: JSON bodies and RFC 9457 problem details.

use domain::Problem;
use serde::Serialize;
use spin_sdk::http::Response;

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
