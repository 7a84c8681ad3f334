//! The pages' files as a browser gets them from the `web` component:
//! compressed by `Accept-Encoding` (the vendored libraries' brotli and gzip
//! made once, gzip made on the fly for the project's own text), kept a year
//! where the URL names a vendored library's version, revalidated by a
//! strong `ETag` everywhere else.

use e2e::{Reply, TestApp};
use xtask::precompress::{self, Sibling};

/// What Chromium sends.
const BROWSER: &str = "gzip, deflate, br, zstd";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The bytes of the file the URL `path` names, as they lie in `static/`.
fn on_disk(path: &str) -> Vec<u8> {
    let file = xtask::workspace_root()
        .join("static")
        .join(path.trim_start_matches('/'));
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = accept_encoding
        .map(|value| ("accept-encoding", value))
        .into_iter()
        .collect();
    let reply = app.get_with_headers(path, None, &headers);
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
    reply
}

/// The body as the client reads it, after undoing its `Content-Encoding`;
/// and the length header is the body's as sent.
#[track_caller]
fn decoded(reply: &Reply) -> Vec<u8> {
    assert_eq!(
        reply.header("content-length"),
        Some(reply.bytes.len().to_string().as_str()),
        "Content-Length is the length of the body as sent"
    );
    match reply.header("content-encoding") {
        None => reply.bytes.clone(),
        Some("br") => Sibling::Br.decompress(&reply.bytes).unwrap(),
        Some("gzip") => Sibling::Gz.decompress(&reply.bytes).unwrap(),
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    }
}

/// The largest vendored file with precompressed siblings, by its URL.
fn largest_vendored() -> String {
    let root = xtask::workspace_root();
    let vendored = precompress::sources(&root)
        .unwrap()
        .into_iter()
        .filter(|(path, _)| Sibling::Br.path_for(path).exists())
        .max_by_key(|(path, _)| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
        .expect("a vendored library with its precompressed siblings in static/vendor");
    let relative = vendored.0.strip_prefix(root.join("static")).unwrap();
    format!("/{}", relative.display())
}

#[test]
fn the_projects_own_text_is_gzipped_when_the_client_takes_it() {
    let app = TestApp::product();
    for path in ["/common.js", "/console.html", "/api/openapi.json"] {
        let source = on_disk(path);
        for accept in [
            BROWSER,
            "gzip",
            "br;q=0.9, gzip",
            "*",
            "identity;q=0.5, gzip",
        ] {
            let reply = get(&app, path, Some(accept));
            assert_eq!(
                reply.header("content-encoding"),
                Some("gzip"),
                "{path}, {accept}"
            );
            assert!(reply.bytes.len() < source.len() / 2, "{path} shrinks");
            assert!(decoded(&reply) == source, "{path}, {accept}: the file");
            assert_eq!(reply.header("vary"), Some("accept-encoding"), "{path}");
            assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        }
        // Nothing asked, identity asked, gzip refused, or only what is not
        // made on the fly (brotli): the file as it is, still varying.
        for accept in [
            None,
            Some(""),
            Some("identity"),
            Some("gzip;q=0, br"),
            Some("br"),
        ] {
            let reply = get(&app, path, accept);
            assert_eq!(reply.header("content-encoding"), None, "{path}, {accept:?}");
            assert!(decoded(&reply) == source, "{path}, {accept:?}: the file");
            assert_eq!(reply.header("vary"), Some("accept-encoding"), "{path}");
        }
    }
}

#[test]
fn a_vendored_library_comes_precompressed_and_is_kept_a_year() {
    let app = TestApp::product();
    let path = largest_vendored();
    let source = on_disk(&path);
    for (accept, coding) in [
        (Some(BROWSER), Some(Sibling::Br)),
        (Some("br"), Some(Sibling::Br)),
        (Some("gzip, deflate"), Some(Sibling::Gz)),
        (Some("br;q=0.5, gzip"), Some(Sibling::Gz)),
        (Some("identity"), None),
        (None, None),
    ] {
        let reply = get(&app, &path, accept);
        let sent = coding.map(|c| {
            if matches!(c, Sibling::Br) {
                "br"
            } else {
                "gzip"
            }
        });
        assert_eq!(reply.header("content-encoding"), sent, "{path}, {accept:?}");
        assert!(decoded(&reply) == source, "{path}, {accept:?}: the library");
        if let Some(coding) = coding {
            let kept = on_disk(&format!("{path}.{}", coding.extension()));
            assert!(reply.bytes == kept, "{path}: the sibling made once is sent");
        }
        assert_eq!(reply.header("vary"), Some("accept-encoding"), "{path}");
    }
    // Kept a year where the URL names the version, in the folder's name or
    // as `?v=`; the project's own files are asked for again each time.
    let versioned = format!("{path}?v=1.0.0");
    assert_eq!(
        get(&app, &versioned, None).header("cache-control"),
        Some(IMMUTABLE)
    );
    for own in ["/", "/common.js?v=1.0.0", "/vendor/README.md"] {
        assert_eq!(
            get(&app, own, None).header("cache-control"),
            Some("no-cache"),
            "{own}"
        );
    }
}

#[test]
fn a_reload_costs_a_304() {
    let app = TestApp::product();
    for (path, accept) in [
        ("/common.js", Some(BROWSER)),
        ("/common.js", None),
        ("/", Some(BROWSER)),
        ("/worker/icon.svg", Some(BROWSER)),
        (largest_vendored().as_str(), Some(BROWSER)),
        (largest_vendored().as_str(), Some("gzip")),
    ] {
        let first = get(&app, path, accept);
        let etag = first.header("etag").expect("an ETag").to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: strong {etag}"
        );
        let mut headers = vec![("if-none-match", etag.as_str())];
        headers.extend(accept.map(|value| ("accept-encoding", value)));
        let again = app.get_with_headers(path, None, &headers);
        assert_eq!(again.status, 304, "{path}, {accept:?}");
        assert!(again.bytes.is_empty(), "{path}: a 304 has no body");
        assert_eq!(again.header("etag"), Some(etag.as_str()), "{path}");
        assert_eq!(again.header("vary"), first.header("vary"), "{path}");
        assert_eq!(again.header("cache-control"), first.header("cache-control"));
        let weak = format!("\"other\", W/{etag}");
        let weakly = app.get_with_headers(
            path,
            None,
            &[&[("if-none-match", weak.as_str())], &headers[1..]].concat(),
        );
        assert_eq!(weakly.status, 304, "{path}: If-None-Match compares weakly");
    }
    // Each coding is a representation of its own: the gzip one's tag does
    // not stand for the file as it is.
    let gzipped = get(&app, "/common.js", Some("gzip"));
    let plain = get(&app, "/common.js", None);
    assert_ne!(gzipped.header("etag"), plain.header("etag"));
    let stale = app.get_with_headers(
        "/common.js",
        None,
        &[("if-none-match", gzipped.header("etag").unwrap())],
    );
    assert_eq!(stale.status, 200);
    assert!(decoded(&stale) == on_disk("/common.js"));
}

#[test]
fn head_answers_as_get_without_the_body() {
    let app = TestApp::product();
    for (path, accept) in [
        ("/common.js", BROWSER),
        ("/common.js", "identity"),
        ("/worker/icon.svg", BROWSER),
        (largest_vendored().as_str(), BROWSER),
    ] {
        let got = get(&app, path, Some(accept));
        let head = app
            .client
            .send_with_headers("HEAD", path, None, &[("accept-encoding", accept)], None)
            .unwrap();
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.bytes.is_empty(), "HEAD {path} has no body");
        for name in [
            "content-length",
            "content-encoding",
            "content-type",
            "etag",
            "vary",
            "cache-control",
        ] {
            assert_eq!(head.header(name), got.header(name), "HEAD {path}: {name}");
        }
    }
}

#[test]
fn small_files_and_images_go_as_they_are() {
    let app = TestApp::product();
    let small = get(&app, "/worker/icon.svg", Some(BROWSER));
    assert!(small.bytes.len() < 1024, "the icon is under a kilobyte");
    assert_eq!(small.header("content-encoding"), None, "too small to gain");
    assert_eq!(small.header("vary"), None, "the same for every client");
    assert!(small.bytes == on_disk("/worker/icon.svg"));
    let images: Vec<String> = precompress::files_under(&xtask::workspace_root().join("static"))
        .unwrap()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg"))
        .map(|p| {
            let relative = p
                .strip_prefix(xtask::workspace_root().join("static"))
                .unwrap();
            format!("/{}", relative.display())
        })
        .collect();
    for image in &images {
        let reply = get(&app, image, Some(BROWSER));
        assert_eq!(
            reply.header("content-encoding"),
            None,
            "{image} is compressed already"
        );
        assert!(reply.bytes == on_disk(image), "{image}");
    }
}

#[test]
fn a_path_out_of_the_folder_is_refused() {
    let app = TestApp::product();
    // Sent as raw bytes: an HTTP client would tidy the `..` away first.
    for path in [
        "/../Cargo.toml",
        "/vendor/../../Cargo.toml",
        "/worker/../../spin.toml",
    ] {
        let answer = app.raw_get(path, &[&format!("accept-encoding: {BROWSER}")]);
        let status = answer.split(' ').nth(1).unwrap_or_default();
        assert!(matches!(status, "400" | "404"), "{path}: {answer}");
        assert!(
            !answer.contains("[workspace]") && !answer.contains("[[trigger.http]]"),
            "{path}"
        );
    }
}

#[test]
fn a_missing_page_says_where_to_go_in_chinese() {
    let app = TestApp::product();
    for path in ["/no-such-page.html", "/worker/nothing", "/vendor/none/"] {
        let reply = app.get_with_headers(path, None, &[]);
        assert_eq!(reply.status, 404, "{path}");
        assert!(
            reply.body.contains("找不到这个页面") && reply.body.contains("href=\"/\""),
            "{path}: {}",
            reply.body
        );
    }
    // An API path no component serves is still a problem, as the API's are.
    let api = app.get_with_headers("/api/nothing-here", None, &[]);
    assert_eq!(api.status, 404);
    assert_eq!(api.json()["code"], "not_found");
}
