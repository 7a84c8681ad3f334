//! The served OpenAPI document, checked against the running app by
//! schemathesis (from PyPI, at the version `cargo xtask test` installs:
//! `xtask::setup::SCHEMATHESIS_VERSION`; without it the test fails and
//! names that command), as a client generator would read it: every
//! operation with generated inputs, as the demo tenant's admin, with every
//! check (`--checks all`, in [`CONFIG`]) and every phase, the stateful one included (each
//! operation's output feeding the next). Logging out and changing the
//! password are left out, so that the admin's token lives through the run.
//! A bounded run with a fixed seed, so that CI is repeatable;
//! `SCHEMATHESIS_EXAMPLES` asks for a longer one.
//!
//! What the checks are told beyond the document is in [`CONFIG`], each
//! with its reason: the statuses the document gives for what no schema can
//! state (docs/api.md), a guess of schemathesis's about deleting that this
//! API's documented design does not share, and a schemathesis bug.

use e2e::tools::{self, Tool};
use e2e::{OPERATOR_KEY, TestApp};
use std::process::Command;

/// schemathesis.toml for the run.
const CONFIG: &str = r#"
# Every check schemathesis has (what `--checks all` selects). Set here
# rather than on the command line, where it would win over the few
# per-operation and per-phase settings below (schemathesis gives the
# command line precedence over the file).
[checks]
enabled = true

# Every tenant route is tried on the demo tenant (a random code would only
# ever meet 404).
[parameters]
"path.tenant" = "demo"

# The stateful phase's own verdict on invalid data is left out (the
# coverage and fuzzing phases send invalid requests and judge them): in
# schemathesis 4.32.5 a stateful step is judged as invalid data although
# what it sent is valid (its invalid component reads "positive test case",
# e.g. a comment of a case the previous step created), and so "accepted".
[phases.stateful.checks]
negative_data_rejection.enabled = false

# A request valid by the document may still be refused by a rule the
# document cannot state (a relation between fields, a check digit, what the
# caller's account implies): the API answers those 422, and documents 422
# for every operation that takes input (docs/api.md). A limit the document
# omits still comes back 400 and fails the run.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

# A JSON body is at most 1 MiB (`edge::context::MAX_JSON_BYTES`, 413, as
# documented): a string past its `maxLength` can also be past that, and
# then 413 is its refusal.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

# A file is judged by its bytes, which no schema describes: schemathesis
# sends real files only for image/* (its own samples) and random bytes for
# the other media types the document lists, which are rightly 415.
[[operations]]
include-operation-id = "uploadAttachment"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "415", "422", "429", "5xx"]

[[operations]]
include-operation-id = "uploadPolicyFile"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "415", "422", "429", "5xx"]

# A withdrawn notice is 410 Gone, as documented; a notice id schemathesis
# draws may be one the stateful phase withdrew.
[[operations]]
include-operation-id = "getNotice"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "410", "422", "429", "5xx"]

# `DELETE …/webhooks/{id}` retires a webhook, as documented: it receives
# nothing more, and its delivery log stays readable for the audit, so the
# deliveries answer 200 after it; schemathesis expects a delete to erase.
[[operations]]
include-operation-id = "listWebhookDeliveries"
checks.use_after_free.enabled = false
"#;

fn schemathesis() -> Command {
    Command::new(tools::require(Tool::Schemathesis))
}

#[test]
fn the_served_contract_holds_for_generated_requests() {
    let app = TestApp::product();
    xtask::demo::seed(&app.client, OPERATOR_KEY).expect("demo data");
    let token = app.login("/api/t/demo/auth/login", "admin", "demo-admin-2026");
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("schemathesis.toml"), CONFIG).unwrap();
    let examples = std::env::var("SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "5".into());
    let base = app.client.base().to_string();
    let output = schemathesis()
        .current_dir(config.path())
        .args(["run", &format!("{base}/api/openapi.json"), "--url", &base])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        // What would end the admin's session (and every request after it).
        .args(["--exclude-operation-id", "logout"])
        .args(["--exclude-operation-id", "changePassword"])
        .args(["--max-examples", &examples])
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
