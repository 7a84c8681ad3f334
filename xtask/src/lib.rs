//! The project's commands as a library, shared by `cargo xtask` and the
//! end-to-end tests: building the components, talking to a running app,
//! and laying down the demo tenant.

pub mod bench;
pub mod bench_analytics;
pub mod bench_enterprise;
pub mod bench_setup;
pub mod bench_suite;
pub mod bench_targets;
pub mod bench_triage;
pub mod bench_triage_flow;
pub mod bench_web;
pub mod bench_workflow;
pub mod build;
pub mod client;
pub mod demo;
pub mod hrana;
pub mod load;
pub mod precompress;
pub mod runtime;
pub mod secrets;
pub mod setup;

use std::path::PathBuf;

/// The workspace root (where spin.toml is).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The seed zone's grid (8 + 168 + 300 + 7,349 nodes) as import CSV.
pub fn seed_zone_csv() -> String {
    let mut csv = String::from("code,parent_code,level,name,households\n");
    for row in domain::grid_import::seed_zone() {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            row.code.as_str(),
            row.parent_code.as_ref().map(|c| c.as_str()).unwrap_or(""),
            row.level.as_str(),
            row.name,
            row.households.map(|h| h.to_string()).unwrap_or_default()
        ));
    }
    csv
}

#[cfg(test)]
mod tests {
    /// The README's production example must stay a runtime config that
    /// maps exactly the database and store the components open.
    #[test]
    fn the_runtime_config_example_maps_default_sqlite_and_key_value() {
        let text =
            std::fs::read_to_string(super::workspace_root().join("deploy/runtime-config.toml"))
                .expect("deploy/runtime-config.toml exists");
        let config: toml::Table = text.parse().expect("valid TOML");
        let sqlite = &config["sqlite_database"]["default"];
        assert_eq!(sqlite["type"].as_str(), Some("libsql"));
        assert!(sqlite.get("url").is_some() && sqlite.get("token").is_some());
        let kv = &config["key_value_store"]["default"];
        assert_eq!(kv["type"].as_str(), Some("redis"));
        assert!(kv.get("url").is_some());
    }
}
