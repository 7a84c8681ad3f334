//! Outbound HTTP (wasi-http through spin-sdk): only the hosts the component's
//! `allowed_outbound_hosts` names are reachable; anything else fails here,
//! as a send error, not as a trap.

use spin_sdk::http::{Method, Request, Response};

/// POSTs `body` and returns the status, or why no answer came.
pub fn post(url: &str, headers: &[(&str, String)], body: String) -> Result<u16, String> {
    let mut builder = Request::builder();
    builder.method(Method::Post).uri(url);
    for (name, value) in headers {
        builder.header(*name, value.as_str());
    }
    let request = builder.body(body).build();
    spin_sdk::http::run(spin_sdk::http::send::<_, Response>(request))
        .map(|response| *response.status())
        .map_err(|e| e.to_string())
}
