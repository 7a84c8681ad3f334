//! `cargo xtask bench web`: what the web component's compression and
//! caching cost per request, against the trivial baseline: the project's
//! own files gzipped on each request, the largest vendored library sent
//! from its precompressed sibling and, to weigh that choice, gzipped on
//! each request instead (served from a copy of `static/` without the
//! siblings, mounted beside), and a revalidation answered `304`.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::bench::{RunningApp, bench_manifest, machine};
use crate::load::{Answer, Run};
use crate::precompress::{self, Sibling};
use crate::runtime::Runtime;

/// Where the copy without siblings is mounted (the web component finds a
/// file by its URL's path, so the mount point is the route's prefix).
const WITHOUT_SIBLINGS: &str = "/bench/no-siblings";

pub fn web(root: &Path, runtime: Runtime, seconds: u64) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let largest = largest_vendored(root)?;
    let copy = root.join("target/bench/no-siblings");
    copy_without_siblings(&root.join("static"), &copy)?;
    let mut text = std::fs::read_to_string(&manifest)?;
    text.push_str(&format!(
        "\n# Benchmark only: static/ without the precompressed siblings.\n\
         [[trigger.http]]\nroute = \"{WITHOUT_SIBLINGS}/...\"\ncomponent = \"web-no-siblings\"\n\n\
         [component.web-no-siblings]\nsource = \"../../target/wasm32-wasip2/release/web.wasm\"\n\
         files = [{{ source = \"no-siblings\", destination = \"{WITHOUT_SIBLINGS}\" }}]\n"
    ));
    std::fs::write(&manifest, text)?;
    let app = RunningApp::start(root, &manifest, runtime)?;
    let base = app.client.base().to_string();
    let own = ["/common.js", "/api/openapi.json"];
    let size =
        |path: &str| std::fs::metadata(root.join("static").join(&path[1..])).map(|m| m.len());
    let mut cases: Vec<(String, String, Option<&str>, u16)> = vec![(
        "baseline (trivial component)".into(),
        "/bench/baseline/hello".into(),
        None,
        200,
    )];
    for path in own {
        let kb = size(path)? as f64 / 1024.0;
        cases.push((
            format!("{path} ({kb:.0} KB) as it is"),
            path.into(),
            None,
            200,
        ));
        cases.push((
            format!("{path} gzipped now"),
            path.into(),
            Some("gzip"),
            200,
        ));
    }
    let kb = size(&largest)? as f64 / 1024.0;
    cases.extend([
        (
            format!("{largest} ({kb:.0} KB) as it is"),
            largest.clone(),
            None,
            200,
        ),
        (
            format!("{largest} from its .br"),
            largest.clone(),
            Some("br"),
            200,
        ),
        (
            format!("{largest} from its .gz"),
            largest.clone(),
            Some("gzip"),
            200,
        ),
        (
            format!("{largest} gzipped now (no sibling)"),
            format!("{WITHOUT_SIBLINGS}{largest}"),
            Some("gzip"),
            200,
        ),
    ]);
    let etag = app
        .client
        .send_with_headers(
            "GET",
            "/common.js",
            None,
            &[("accept-encoding", "gzip")],
            None,
        )?
        .header("etag")
        .context("/common.js has an ETag")?
        .to_string();
    let mut runs: Vec<Run> = Vec::new();
    let duration = Duration::from_secs(seconds);
    for concurrency in [1, 8] {
        for (name, path, coding, status) in &cases {
            let url = format!("{base}{path}");
            let coding = *coding;
            let request = move |agent: &ureq::Agent, _: usize| {
                let mut request = agent.get(&url);
                if let Some(coding) = coding {
                    request = request.set("accept-encoding", coding);
                }
                fetched(request.call(), coding)
            };
            runs.push(crate::load::run(
                name,
                concurrency,
                duration,
                *status,
                &request,
            ));
        }
        let url = format!("{base}/common.js");
        let tag = etag.clone();
        let revalidate = move |agent: &ureq::Agent, _: usize| {
            let request = agent
                .get(&url)
                .set("accept-encoding", "gzip")
                .set("if-none-match", &tag);
            fetched(request.call(), None)
        };
        runs.push(crate::load::run(
            "/common.js revalidated (304)",
            concurrency,
            duration,
            304,
            &revalidate,
        ));
    }
    Ok(format!(
        "# The web component: compression and caching\n\n{}\n\
         Each run lasts {} s; clients send their next request as soon as the last one \
         answered, and read each body whole. \"as it is\": no `Accept-Encoding`; \
         \"gzipped now\": gzip level 3 on each request (miniz_oxide in the component); \
         \"from its .br/.gz\": the sibling `cargo xtask precompress` made once.\n\n{}",
        machine(app.runtime),
        duration.as_secs(),
        crate::load::table(&runs, "baseline (trivial component)")
    ))
}

/// Reads the whole body; an answer in another coding than asked for is an
/// error (the run would measure something else).
fn fetched(
    result: Result<ureq::Response, ureq::Error>,
    coding: Option<&str>,
) -> Result<Answer, String> {
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(other) => return Err(other.to_string()),
    };
    let status = response.status();
    if status == 200 && response.header("content-encoding") != coding.filter(|c| *c != "identity") {
        return Err(format!(
            "asked {coding:?}, got {:?}",
            response.header("content-encoding")
        ));
    }
    let mut body = Vec::new();
    response
        .into_reader()
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    Ok(Answer {
        status,
        statements: None,
    })
}

/// The URL of the largest vendored file with precompressed siblings.
fn largest_vendored(root: &Path) -> anyhow::Result<String> {
    let static_dir = root.join("static");
    let Some((path, _)) = precompress::sources(root)?
        .into_iter()
        .filter(|(path, _)| Sibling::Br.path_for(path).exists())
        .max_by_key(|(path, _)| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
    else {
        bail!("no vendored library with precompressed siblings in static/vendor");
    };
    Ok(format!("/{}", path.strip_prefix(&static_dir)?.display()))
}

/// `from` copied to `to` (emptied first), less the precompressed siblings.
fn copy_without_siblings(from: &Path, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    for file in precompress::files_under(from)? {
        let extension = file.extension().and_then(|e| e.to_str());
        let sibling =
            file.starts_with(from.join("vendor")) && matches!(extension, Some("br" | "gz"));
        if sibling {
            continue;
        }
        let target = to.join(file.strip_prefix(from)?);
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))?;
        std::fs::copy(&file, &target)?;
    }
    Ok(())
}
