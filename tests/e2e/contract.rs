//! The served OpenAPI document, checked against the running app by
//! schemathesis (from PyPI, at the version `cargo xtask test` installs:
//! `xtask::setup::SCHEMATHESIS_VERSION`; without it the test fails and
//! names that command): every operation
//! with generated inputs, as the demo tenant's admin; no answer may be a
//! 5xx and every answer must match its documented schema. A bounded run
//! with a fixed seed, so that CI is repeatable; `SCHEMATHESIS_EXAMPLES`
//! asks for a longer one.

use e2e::tools::{self, Tool};
use e2e::{OPERATOR_KEY, TestApp};
use std::process::Command;

fn schemathesis() -> Command {
    Command::new(tools::require(Tool::Schemathesis))
}

#[test]
fn the_served_contract_holds_for_generated_requests() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("demo data");
    let token = app.login("/api/t/demo/auth/login", "admin", "demo-admin-2026");
    let config = tempfile::tempdir().unwrap();
    // Every tenant route is tried on the demo tenant (a random code would
    // only ever meet 404).
    std::fs::write(
        config.path().join("schemathesis.toml"),
        "[parameters]\n\"path.tenant\" = \"demo\"\n",
    )
    .unwrap();
    let examples = std::env::var("SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "5".into());
    let base = app.client.base().to_string();
    let output = schemathesis()
        .current_dir(config.path())
        .args(["run", &format!("{base}/api/openapi.json"), "--url", &base])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error,response_schema_conformance"])
        .args(["--phases", "examples,fuzzing", "--max-examples", &examples])
        .args(["--seed", "20261127", "--workers", "2"])
        .env("NO_COLOR", "1")
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("passed"), "{report}");
}
