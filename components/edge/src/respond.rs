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
        Err(e) => problem_response(&Problem::internal(format!(
            "the response could not be encoded: {e}"
        ))),
    }
}

/// A problem details response. Internal problems are logged with their
/// detail and answered with a generic one.
pub fn problem_response(problem: &Problem) -> Response {
    let body = if problem.status() >= 500 {
        eprintln!("problem {}: {}", problem.status(), problem.to_json());
        Problem::new(problem.kind, generic_detail(problem.status())).to_json()
    } else {
        problem.to_json()
    };
    Response::builder()
        .status(problem.status())
        .header("content-type", "application/problem+json")
        .body(body)
        .build()
}

fn generic_detail(status: u16) -> &'static str {
    match status {
        503 => "the service is not ready; an operator has been told",
        _ => "something went wrong on our side; the request changed nothing",
    }
}
