//! The product's end-to-end tests once more on the real Spin CLI, three
//! ways side by side: on local files, with the key-value store on Redis,
//! and with the database on a libSQL server (`sqld`) and the store on
//! Redis. Each is this test binary run again with `E2E_RUNTIME` set, so the
//! same tests and the same `TestApp` meet the runtime that ships. The
//! host's own tests, the browser scenarios and the contract run stay on
//! the host. Without `spin`, `sqld` or `redis-server` on `PATH` (`cargo
//! xtask test` puts them there) the runs are skipped and say why; under CI
//! (`CI` or `E2E_REQUIRE_SPIN` set, as `.ci/run` does) they fail instead.

use std::process::Command;
use std::time::{Duration, Instant};

use e2e::Runtime;
use e2e::runtime::{self, RUNTIME_VARIABLE};
use e2e::tools::{self, Tool};

/// The three runs take about 5 minutes side by side here; past this they
/// are stopped and fail (a hang must not eat CI's whole budget).
const LONGEST: Duration = Duration::from_secs(25 * 60);

/// Tests that are about the host itself or need what only it has.
const HOST_ONLY: &[&str] = &["host::", "browser", "contract::", "across_runtimes::"];

#[test]
fn the_product_tests_pass_on_spin_with_files_redis_and_libsql() {
    if runtime::current() != Runtime::Host {
        return; // a nested run: the runtimes are this test's to start, once
    }
    if let Some(missing) = tools::missing(&[Tool::Spin, Tool::Sqld, Tool::Redis]) {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("E2E_REQUIRE_SPIN").is_none(),
            "CI runs the product tests on Spin: {missing}"
        );
        eprintln!(
            "SKIPPED: the product tests on Spin, Spin with Redis and Spin with libSQL: {missing}"
        );
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let runs: Vec<_> = Runtime::SPIN_ONES
        .iter()
        .map(|runtime| {
            // Output goes to files, not pipes: nothing a run leaves behind
            // can hold this test waiting for the end of a pipe.
            let out = logs.path().join(format!("{}.out", runtime.name()));
            let mut command = Command::new(&exe);
            for skipped in HOST_ONLY {
                command.args(["--skip", skipped]);
            }
            let child = command
                .args(["--test-threads", "2"])
                .env(RUNTIME_VARIABLE, runtime.name())
                .stdout(std::fs::File::create(&out).unwrap())
                .stderr(std::fs::File::create(out.with_extension("err")).unwrap())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run the tests on {}: {e}", runtime.name()));
            (runtime, child, out)
        })
        .collect();
    let mut failed = Vec::new();
    for (runtime, mut child, out) in runs {
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > LONGEST {
                runtime::stop(&mut child);
                break None;
            }
            std::thread::sleep(Duration::from_millis(500));
        };
        let stdout = std::fs::read_to_string(&out).unwrap_or_default();
        let summary = stdout
            .lines()
            .rfind(|l| l.starts_with("test result:"))
            .unwrap_or("no summary")
            .to_string();
        eprintln!(
            "on {}: {summary} ({} s since the runs started)",
            runtime.name(),
            started.elapsed().as_secs()
        );
        if !status.is_some_and(|s| s.success()) {
            eprintln!(
                "--- {} stdout{} ---\n{stdout}\n--- {} stderr ---\n{}",
                runtime.name(),
                if status.is_none() {
                    " (stopped: too long)"
                } else {
                    ""
                },
                runtime.name(),
                std::fs::read_to_string(out.with_extension("err")).unwrap_or_default()
            );
            failed.push(runtime.name());
        }
    }
    assert!(failed.is_empty(), "the product tests failed on {failed:?}");
}
