//! Tidy tests, in the spirit of rust-analyzer's `tidy.rs`: each fails when
//! one of ARCHITECTURE.md's invariants stops being true of the source, and
//! names the file and line that broke it.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// The lines of `file` before its test module (tests may do what the
/// code may not: write a document, read the clock), without comments.
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(n, line)| (n + 1, line.to_string()))
        .collect()
}

/// Every line of the files under `dirs` (relative to the workspace) that
/// contains one of `tokens`, except in files `allowed` accepts.
fn offences(dirs: &[&str], tokens: &[&str], allowed: impl Fn(&Path) -> bool) -> Vec<String> {
    let root = xtask::workspace_root();
    let mut found = Vec::new();
    for dir in dirs {
        for file in rust_files(&root.join(dir)) {
            let relative = file.strip_prefix(&root).unwrap_or(&file).to_path_buf();
            if allowed(&relative) {
                continue;
            }
            for (n, line) in code_lines(&file) {
                if let Some(token) = tokens.iter().find(|t| line.contains(*t)) {
                    found.push(format!(
                        "{}:{n}: `{token}` in: {}",
                        relative.display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn only_the_edge_and_the_entry_points_touch_spin_sdk() {
    let found = offences(&["components", "shared"], &["spin_sdk"], |file| {
        file.starts_with("components/edge")
            || file.ends_with("src/lib.rs") && file.starts_with("components")
    });
    assert!(
        found.is_empty(),
        "spin-sdk outside the edge:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_sql_outside_the_store() {
    let sql = [
        "\"SELECT ",
        "\"INSERT INTO",
        "\"DELETE FROM",
        "\"CREATE TABLE",
        "\"BEGIN",
        "\"PRAGMA",
    ];
    let found = offences(&["components", "shared/domain", "shared/api"], &sql, |_| {
        false
    });
    assert!(
        found.is_empty(),
        "SQL outside the store:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_domain_does_no_io_and_reads_no_clock_or_randomness() {
    let forbidden = [
        "std::fs",
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "ToSocketAddrs",
        "std::env::var",
        "Utc::now",
        "Local::now",
        "SystemTime::now",
        "Instant::now",
        "getrandom",
        "thread_rng",
        "spin_sdk",
    ];
    let found = offences(&["shared/domain/src"], &forbidden, |_| false);
    assert!(
        found.is_empty(),
        "I/O, clock or randomness in the domain:\n{}",
        found.join("\n")
    );
}

/// Each route of the table names a handler in its component's dispatch
/// (`"operationId" => handler`): a route without one would answer 500 and
/// was found only end to end. The web component serves its one route
/// (the OpenAPI document) as a file, without a router.
#[test]
fn every_route_has_a_handler_in_its_component() {
    let root = xtask::workspace_root();
    let missing: Vec<String> = api::all()
        .filter(|route| route.component != "web")
        .filter(|route| {
            let arm = format!("\"{}\" =>", route.operation);
            !rust_files(&root.join("components").join(route.component).join("src"))
                .iter()
                .any(|file| {
                    std::fs::read_to_string(file)
                        .unwrap_or_default()
                        .contains(&arm)
                })
        })
        .map(|route| {
            format!(
                "{} {} ({}) in {}",
                route.method, route.path, route.operation, route.component
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a handler:\n{}",
        missing.join("\n")
    );
}

/// Every component that opens the database also has the key-value store:
/// its router marks the tenant's writes there (`edge::snapshots`), and a
/// component without it would leave the public answers kept before its
/// writes served for up to a minute (the mediation centre's were, found by
/// the log, not by a test).
#[test]
fn every_component_with_the_database_can_mark_its_writes() {
    let root = xtask::workspace_root();
    let manifest: toml::Table = std::fs::read_to_string(root.join("spin.toml"))
        .expect("spin.toml")
        .parse()
        .expect("spin.toml is TOML");
    let lists = |component: &toml::Value, key: &str| {
        component
            .get(key)
            .and_then(|v| v.as_array())
            .is_some_and(|labels| labels.iter().any(|l| l.as_str() == Some("default")))
    };
    let components = manifest["component"].as_table().expect("components");
    let blind: Vec<&String> = components
        .iter()
        .filter(|(_, c)| lists(c, "sqlite_databases") && !lists(c, "key_value_stores"))
        .map(|(name, _)| name)
        .collect();
    assert!(components.len() > 1, "the manifest's components are read");
    assert!(
        blind.is_empty(),
        "components with the database but not the key-value store: {blind:?}"
    );
}

/// No page parses what the API sends as words: an actor string (`role:id`)
/// or a note (`to urban: …`). Steps and their forms come from
/// `allowed_steps`, what a step names from `details` and `actor_kind`.
#[test]
fn no_page_parses_an_actor_string_or_a_note() {
    let root = xtask::workspace_root();
    let forbidden = [
        ".actor.split",
        "actor.split(",
        "note.match(",
        "note.split(",
        "STEP_FIELDS",
    ];
    let mut found = Vec::new();
    let mut pages = 0;
    let mut folders = vec![root.join("static")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("static").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "js" || e == "html") {
                pages += 1;
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (n, line) in text.lines().enumerate() {
                    if let Some(token) = forbidden.iter().find(|t| line.contains(*t)) {
                        found.push(format!("{}:{}: `{token}`", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(pages > 5, "the pages are read");
    assert!(
        found.is_empty(),
        "pages parsing words:\n{}",
        found.join("\n")
    );
}

/// The checks above must see what they look for: a line with each
/// forbidden token is found (a tidy test that cannot fail guards nothing).
#[test]
fn the_tidy_checks_find_what_they_look_for() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("probe.rs");
    std::fs::write(
        &file,
        "use spin_sdk::http;\n// Utc::now in a comment is fine\nlet now = Utc::now();\n#[cfg(test)]\nmod tests { fn t() { std::fs::read(\"x\"); } }\n",
    )
    .unwrap();
    let lines = code_lines(&file);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].1.contains("spin_sdk"));
    assert!(lines[1].1.contains("Utc::now"));
}

/// Every problem code the API can answer has the pages' own words, in
/// Chinese and English (`problem_<code>` in a page's dictionary, which
/// `problemText` in common.js reads), so no refusal reaches a Chinese page
/// as the server's English detail.
#[test]
fn every_problem_code_has_the_pages_words_in_both_languages() {
    let root = xtask::workspace_root();
    let mut scripts = String::new();
    let mut folders = vec![root.join("static")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("static/").flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("vendor") {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                scripts.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let missing: Vec<&str> = domain::ProblemCode::ALL
        .iter()
        .map(|code| code.slug())
        .filter(|code| scripts.matches(&format!("problem_{code}:")).count() < 2)
        .collect();
    assert!(
        missing.is_empty(),
        "problem codes without the pages' words in Chinese and English: {missing:?}"
    );
}
