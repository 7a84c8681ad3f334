//! The `web` component: the pages and the OpenAPI document, read from the
//! `static/` folder that spin.toml mounts at `/`.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

mod caching;
mod coding;

use coding::Coding;

/// What every page may load and who may frame it: everything from this
/// origin only (the pages have no inline script or style), photos and
/// recordings also from the `blob:` URLs the pages make of files about to
/// be uploaded, map tiles from any https host (the tile provider is a
/// tenant setting: docs/maps.md), and no one may frame a page (clickjacking).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob: https:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; \
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
        return page_not_found();
    };
    match serve(request, path, &file) {
        Ok(response) => response,
        Err(_) if path.starts_with("/api/") => api_not_found(path),
        Err(_) => page_not_found(),
    }
}

/// A page that does not exist: `404.html` (both languages, no script), so
/// a resident who mistyped an address is told in Chinese where to go; plain
/// text only if that file is missing too.
fn page_not_found() -> Response {
    match std::fs::read(NOT_FOUND_PAGE) {
        Ok(page) => Response::builder()
            .status(404)
            .header("content-type", "text/html; charset=utf-8")
            .header("cache-control", "no-cache")
            .body(page)
            .build(),
        Err(_) => text(404, "找不到这个页面 (no such page)"),
    }
}

const NOT_FOUND_PAGE: &str = "/404.html";

/// The file at `file` (for the URL `path`), in the coding the request
/// accepts among those it is offered in (a precompressed sibling, gzip
/// made now, or as it is), or `304` when the client's copy is current.
/// HEAD gets the same answer, whose body the runtime leaves out.
fn serve(request: &Request, path: &str, file: &str) -> std::io::Result<Response> {
    let size = std::fs::metadata(file)?.len();
    let offered = offered(path, file, size);
    let coding = coding::choose(header(request, "accept-encoding"), &offered);
    let precompressed = coding != Coding::Identity && offered_sibling(path, file, coding);
    let read = if precompressed {
        format!("{file}{}", coding.extension())
    } else {
        file.to_string()
    };
    let bytes = std::fs::read(&read)?;
    let mut etag = caching::etag(&bytes, coding);
    let mut sent = (coding, None);
    if !caching::still_current(header(request, "if-none-match"), &etag) && !precompressed {
        sent = match coding {
            Coding::Gzip => match gzip_if_it_gains(&bytes) {
                Some(gzipped) => (Coding::Gzip, Some(gzipped)),
                None => (Coding::Identity, None),
            },
            _ => (Coding::Identity, None),
        };
        if sent.0 != coding {
            etag = caching::etag(&bytes, sent.0);
        }
    }
    let mut builder = Response::builder();
    builder
        .header(
            "cache-control",
            caching::cache_control(path, request.query()),
        )
        .header("etag", &etag);
    if !offered.is_empty() {
        builder.header("vary", "accept-encoding");
    }
    if caching::still_current(header(request, "if-none-match"), &etag) {
        return Ok(builder.status(304).body(Vec::new()).build());
    }
    let (coding, gzipped) = sent;
    let body = gzipped.unwrap_or(bytes);
    if coding != Coding::Identity {
        builder.header("content-encoding", coding.token());
    }
    Ok(builder
        .status(200)
        .header("content-type", content_type(file))
        .header("content-length", body.len().to_string())
        .body(body)
        .build())
}

/// Files smaller than this go as they are: compression would save a few
/// hundred bytes at most, and the answer fits one packet either way.
const SMALLEST_COMPRESSED: u64 = 1024;

/// The codings `file` is offered in besides identity, best first:
/// its precompressed siblings (kept for the vendored libraries only,
/// `static/vendor/README.md`), else gzip made on the fly for text of at
/// least [`SMALLEST_COMPRESSED`] bytes. Images and other binary formats
/// are already compressed, so never.
fn offered(path: &str, file: &str, size: u64) -> Vec<Coding> {
    let siblings: Vec<Coding> = [Coding::Br, Coding::Gzip]
        .into_iter()
        .filter(|&coding| offered_sibling(path, file, coding))
        .collect();
    if !siblings.is_empty() {
        siblings
    } else if size >= SMALLEST_COMPRESSED && is_text(file) {
        vec![Coding::Gzip]
    } else {
        Vec::new()
    }
}

/// Whether a vendored file has a precompressed sibling in `coding`.
fn offered_sibling(path: &str, file: &str, coding: Coding) -> bool {
    path.starts_with("/vendor/")
        && std::fs::metadata(format!("{file}{}", coding.extension())).is_ok_and(|m| m.is_file())
}

/// How much gzip made on the fly must save (a tenth) to be sent.
fn gzip_if_it_gains(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(bytes).ok()?;
    let gzipped = encoder.finish().ok()?;
    (gzipped.len() <= bytes.len() / 10 * 9).then_some(gzipped)
}

/// gzip's level for files compressed on each request: 3 makes 97% of level
/// 6's saving in a third of its time (README, "Compression and caching").
const GZIP_LEVEL: u32 = 3;

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.header(name).and_then(|value| value.as_str())
}

/// Maps a URL path to a file under the mount; folders serve `index.html`.
/// `..` is refused here as well as by the WASI mount. A township's address
/// for its residents, `/t/<tenant>/`, is the resident portal, which reads
/// the tenant from the address (nothing else lives under `/t/`).
fn file_for(path: &str) -> Option<String> {
    if path.split('/').any(|segment| segment == "..") {
        return None;
    }
    if let Some(rest) = path.strip_prefix("/t/") {
        let tenant = rest
            .strip_suffix('/')
            .or_else(|| rest.strip_suffix("/index.html"))
            .unwrap_or(rest);
        return (!tenant.is_empty() && !tenant.contains('/')).then(|| "/index.html".to_string());
    }
    if path.ends_with('/') {
        Some(format!("{path}index.html"))
    } else {
        Some(path.to_string())
    }
}

fn is_text(file: &str) -> bool {
    let kind = content_type(file);
    kind.starts_with("text/") || (kind.starts_with("application/") && kind != OCTETS) || kind == SVG
}

const OCTETS: &str = "application/octet-stream";
const SVG: &str = "image/svg+xml";

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json" | "map" | "geojson") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("md" | "txt") => "text/plain; charset=utf-8",
        Some("svg") => SVG,
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => OCTETS,
    }
}

/// An API path no component serves: answered as the API answers.
fn api_not_found(path: &str) -> Response {
    let detail = format!("no API route matches {}", path.replace(['"', '\\'], ""));
    Response::builder()
        .status(404)
        .header("content-type", "application/problem+json")
        .body(format!(
            r#"{{"type":"https://gridgov.example/problems/not-found","title":"Not found","status":404,"code":"not_found","detail":"{detail}"}}"#
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
