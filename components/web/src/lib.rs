//! The `web` component: the pages and the OpenAPI document, read from the
//! `static/` folder that spin.toml mounts at `/`.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

/// What every page may load and who may frame it: everything from this
/// origin only (the pages have no inline script or style), photos and
/// recordings also from the `blob:` URLs the pages make of files about to
/// be uploaded, and no one may frame a page (clickjacking).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; \
     manifest-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The headers every answer of this component carries. Paths can carry a
/// tracking code, so no other site is told more than this origin.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-content-type-options", "nosniff"),
];

#[http_component]
fn handle(request: Request) -> Response {
    let mut response = answer(&request);
    for (name, value) in SECURITY_HEADERS {
        response.set_header(name, value);
    }
    response
}

fn answer(request: &Request) -> Response {
    let path = request.path();
    if request.method().to_string() != "GET" && request.method().to_string() != "HEAD" {
        let mut refused = text(405, "the pages are read-only");
        refused.set_header("allow", "GET, HEAD");
        return refused;
    }
    let Some(file) = file_for(path) else {
        return text(404, "no such page");
    };
    match std::fs::read(&file) {
        Ok(bytes) => Response::builder()
            .status(200)
            .header("content-type", content_type(&file))
            .header("cache-control", "no-cache")
            .body(bytes)
            .build(),
        Err(_) if path.starts_with("/api/") => api_not_found(path),
        Err(_) => text(404, "no such page"),
    }
}

/// Maps a URL path to a file under the mount; folders serve `index.html`.
/// `..` is refused here as well as by the WASI mount.
fn file_for(path: &str) -> Option<String> {
    if path.split('/').any(|segment| segment == "..") {
        return None;
    }
    if path.ends_with('/') {
        Some(format!("{path}index.html"))
    } else {
        Some(path.to_string())
    }
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// An API path no component serves: answered as the API answers.
fn api_not_found(path: &str) -> Response {
    let detail = format!("no API route matches {}", path.replace(['"', '\\'], ""));
    Response::builder()
        .status(404)
        .header("content-type", "application/problem+json")
        .body(format!(
            r#"{{"type":"https://gridgov.example/problems/not-found","title":"Not found","status":404,"detail":"{detail}"}}"#
        ))
        .build()
}

fn text(status: u16, body: &str) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body.to_string())
        .build()
}
