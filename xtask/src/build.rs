//! Building the components for `wasm32-wasip2`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// The product's components (each a `[component.X]` of spin.toml).
pub const COMPONENTS: &[&str] = &[
    "admin",
    "reporting",
    "routing",
    "status",
    "enterprise",
    "analytics",
    "mediation",
    "patrols",
    "web",
];

/// Test and benchmark fixtures built alongside (see host/fixtures).
pub const FIXTURES: &[&str] = &["probe"];

const TARGET: &str = "wasm32-wasip2";

/// Builds `packages` in release mode into `<root>/target`, where spin.toml
/// expects them, whatever CARGO_TARGET_DIR says.
pub fn components(root: &Path, packages: &[&str]) -> anyhow::Result<()> {
    ensure_target()?;
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["build", "--release", "--target", TARGET])
        .arg("--target-dir")
        .arg(root.join("target"));
    for package in packages {
        command.args(["--package", package]);
    }
    let status = command.status().context("cannot run cargo")?;
    if !status.success() {
        bail!("building the components failed ({status})");
    }
    Ok(())
}

/// `cargo fmt --check`, then clippy with warnings denied: once natively
/// over every default member with its tests (the components included), once
/// for the components' code on their own target (their tests and test-only
/// dependencies are native only: proptest does not build for WASI).
pub fn lint(root: &Path) -> anyhow::Result<()> {
    ensure_target()?;
    run(root, &["fmt", "--all", "--", "--check"])?;
    run(root, &["clippy", "--all-targets", "--", "-D", "warnings"])?;
    let mut wasm = vec!["clippy", "--target", TARGET, "--package", "edge"];
    for package in COMPONENTS.iter().chain(FIXTURES) {
        wasm.extend(["--package", package]);
    }
    wasm.extend(["--", "-D", "warnings"]);
    run(root, &wasm)
}

fn run(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(cargo())
        .current_dir(root)
        .args(args)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// These machines set RUSTUP_AUTO_INSTALL=0, so rustup does not add the
/// target named in rust-toolchain.toml by itself: add it when it is missing.
pub fn ensure_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let Ok(output) = installed else {
        // No rustup: a toolchain managed otherwise must bring the target itself.
        return Ok(());
    };
    if String::from_utf8_lossy(&output.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    eprintln!("adding the {TARGET} target (rustup target add {TARGET})");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .context("cannot run rustup")?;
    if !status.success() {
        bail!("rustup target add {TARGET} failed");
    }
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Builds the project's host with `profile` (`dev` or `host-release`);
/// returns its binary.
pub fn host(root: &Path, profile: &str) -> anyhow::Result<std::path::PathBuf> {
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "build",
                "--quiet",
                "--profile",
                profile,
                "--package",
                "spin-host",
            ])
            .status()?;
    if !status.success() {
        anyhow::bail!("building the host failed");
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let folder = if profile == "dev" { "debug" } else { profile };
    Ok(target.join(folder).join("spin-host"))
}
