//! The tools the tests run besides Rust (Chromium, playwright-core,
//! schemathesis, Redis, Spin, sqld), made present in announced steps by
//! `cargo xtask test` before it runs `cargo test`. Nothing else installs
//! them: a test finds its tool where [`Tool::find`] looks, or fails (or
//! skips, where it skips by design) with [`missing`]'s message, which
//! names that one command.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The schemathesis release the contract test was written against.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Debian's chromium, which the browser tests drive.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The command that installs what the tests need, then runs them.
pub const COMMAND: &str = "cargo xtask test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Debian's `chromium` (with a CJK font for readable screenshots).
    Chromium,
    /// playwright-core in `tests/browser/node_modules`, as package-lock.json pins it.
    Playwright,
    /// schemathesis, for the contract test.
    Schemathesis,
    /// `redis-server` (and `redis-cli`), for the Spin runs with Redis.
    Redis,
    /// The Spin CLI, for the product tests on Spin.
    Spin,
    /// The libSQL server, for the Spin run on libSQL.
    Sqld,
}

impl Tool {
    /// Where the tests look for it.
    pub fn find(self) -> Option<PathBuf> {
        match self {
            Self::Chromium => Some(PathBuf::from(CHROMIUM)).filter(|p| p.is_file()),
            Self::Playwright => {
                Some(playwright_dir(&crate::workspace_root())).filter(|p| p.is_dir())
            }
            _ => on_path(self.program()),
        }
    }

    /// Where it is, or an error naming [`COMMAND`].
    pub fn require(self) -> anyhow::Result<PathBuf> {
        self.find()
            .with_context(|| missing(&[self]).unwrap_or_default())
    }

    fn program(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Playwright => "playwright-core",
            Self::Schemathesis => "schemathesis",
            Self::Redis => "redis-server",
            Self::Spin => "spin",
            Self::Sqld => "sqld",
        }
    }

    fn looked_for(self) -> String {
        match self {
            Self::Chromium => format!("looked for at {CHROMIUM}"),
            Self::Playwright => "looked for in tests/browser/node_modules".into(),
            _ => "not on PATH".into(),
        }
    }
}

/// Why a test cannot run without these tools, naming the one command
/// that installs them; `None` when none is missing.
pub fn missing(tools: &[Tool]) -> Option<String> {
    let missing: Vec<String> = tools
        .iter()
        .filter(|tool| tool.find().is_none())
        .map(|tool| format!("{} ({})", tool.program(), tool.looked_for()))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "missing: {}. Run `{COMMAND}`: the one command that installs what the tests \
             need and then runs them (`{COMMAND} -- <cargo test arguments>` to pick tests)",
            missing.join(", ")
        )
    })
}

fn playwright_dir(root: &Path) -> PathBuf {
    root.join("tests/browser/node_modules/playwright-core")
}

/// `program`'s file in the first folder of `PATH` that has it.
pub fn on_path(program: &str) -> Option<PathBuf> {
    in_folders(program, &std::env::var_os("PATH").unwrap_or_default())
}

fn in_folders(program: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// What the steps found or put in place: the `PATH` the tests get.
struct Setup {
    root: PathBuf,
    /// Folders to put before `PATH` (Spin's, sqld's, pip's scripts).
    folders: Vec<PathBuf>,
}

impl Setup {
    fn new(root: &Path) -> Setup {
        Setup {
            root: root.to_path_buf(),
            folders: Vec::new(),
        }
    }

    fn path(&self) -> OsString {
        let old = std::env::var_os("PATH").unwrap_or_default();
        std::env::join_paths(
            self.folders
                .iter()
                .cloned()
                .chain(std::env::split_paths(&old)),
        )
        .expect("PATH folders without separators")
    }

    fn find(&self, program: &str) -> Option<PathBuf> {
        in_folders(program, &self.path())
    }

    /// Spin or sqld: on `PATH`, or unpacked by the design material's
    /// `../shared/tools/install-<name>`. Returns whether it is there.
    fn shared_tool(&mut self, tool: Tool, what: &str, required: bool) -> anyhow::Result<bool> {
        let name = tool.program();
        if let Some(found) = self.find(name) {
            announce(&format!("{what}: present at {}", found.display()));
            return Ok(true);
        }
        let installer = self
            .root
            .join("../shared/tools")
            .join(format!("install-{name}"));
        if !installer.is_file() {
            let advice = format!(
                "`{name}` is not on PATH and there is no ../shared/tools/install-{name} \
                 (install {what} yourself and put it on PATH)"
            );
            if required {
                bail!("{advice}; CI (CI or E2E_REQUIRE_SPIN set) runs the tests on Spin");
            }
            announce(&format!(
                "{what}: {advice}; the tests on Spin will be skipped"
            ));
            return Ok(false);
        }
        announce(&format!(
            "{what}: not on PATH; running ../shared/tools/install-{name} (unpacks it once, checks its sha256)"
        ));
        let output = Command::new("bash")
            .arg(&installer)
            .output()
            .with_context(|| format!("cannot run {}", installer.display()))?;
        if !output.status.success() {
            bail!(
                "{} failed: {}",
                installer.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let folder = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if !folder.join(name).is_file() {
            bail!(
                "{} did not put {name} in {}",
                installer.display(),
                folder.display()
            );
        }
        announce(&format!(
            "{what}: at {}, put on PATH for the tests",
            folder.display()
        ));
        self.folders.push(folder);
        Ok(true)
    }

    /// Debian packages for the tools in `wanted` that are missing: installed
    /// with apt-get as root; otherwise the error says the command.
    fn apt(&mut self, wanted: &[(Tool, &[&str])]) -> anyhow::Result<()> {
        let mut packages = Vec::new();
        for (tool, its_packages) in wanted {
            let found = match tool {
                Tool::Chromium => tool.find(),
                _ => self.find(tool.program()),
            };
            match found {
                Some(path) => announce(&format!(
                    "{}: present at {}",
                    tool.program(),
                    path.display()
                )),
                None => packages.extend_from_slice(its_packages),
            }
        }
        if packages.is_empty() {
            return Ok(());
        }
        let command = format!(
            "apt-get install -y --no-install-recommends {}",
            packages.join(" ")
        );
        if !is_root() {
            bail!(
                "{} missing and only root can install them: run `sudo apt-get update && sudo {command}`, \
                 then `{COMMAND}` again",
                packages.join(", ")
            );
        }
        announce(&format!(
            "installing {} with apt-get ({command})",
            packages.join(" ")
        ));
        for args in [
            &["update", "-qq"][..],
            &[&["install", "-y", "--no-install-recommends"][..], &packages].concat(),
        ] {
            let status = Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .context("cannot run apt-get (the tests expect Debian's packages)")?;
            if !status.success() {
                bail!("apt-get {} failed ({status})", args.join(" "));
            }
        }
        Ok(())
    }

    /// playwright-core with `npm ci` in tests/browser.
    fn playwright(&mut self) -> anyhow::Result<()> {
        let scripts = self.root.join("tests/browser");
        if playwright_dir(&self.root).is_dir() {
            announce("playwright-core: present in tests/browser/node_modules");
            return Ok(());
        }
        if self.find("npm").is_none() {
            bail!("npm is missing: install Node.js 20 or later with npm, then `{COMMAND}` again");
        }
        announce(
            "installing playwright-core with `npm ci` in tests/browser (package-lock.json pins it)",
        );
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&scripts)
            .env("PATH", self.path())
            .status()
            .context("cannot run npm")?;
        if !status.success() || !playwright_dir(&self.root).is_dir() {
            bail!("npm ci in tests/browser failed ({status})");
        }
        Ok(())
    }

    /// schemathesis at [`SCHEMATHESIS_VERSION`] with pip, when missing.
    fn schemathesis(&mut self) -> anyhow::Result<()> {
        if let Some(found) = self.find("schemathesis") {
            let version = Command::new(&found)
                .arg("--version")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default();
            let note = if version.ends_with(SCHEMATHESIS_VERSION) {
                String::new()
            } else {
                format!("; the contract test was written against {SCHEMATHESIS_VERSION}")
            };
            announce(&format!(
                "schemathesis: present at {} ({version}{note})",
                found.display()
            ));
            return Ok(());
        }
        let pinned = format!("schemathesis=={SCHEMATHESIS_VERSION}");
        announce(&format!(
            "installing schemathesis {SCHEMATHESIS_VERSION} with pip (python3 -m pip install {pinned})"
        ));
        let by_hand = format!(
            "install it yourself (`python3 -m pip install --user {pinned}` or `pipx install {pinned}`), \
             then `{COMMAND}` again"
        );
        let status = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", &pinned])
            .env("PATH", self.path())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            bail!("pip could not install {pinned}: {by_hand}");
        }
        if self.find("schemathesis").is_some() {
            return Ok(());
        }
        // pip put it in its interpreter's scripts folder, which is not on PATH.
        let scripts = Command::new("python3")
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_path('scripts'))",
            ])
            .output()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .context("cannot ask python3 where its scripts are")?;
        if !scripts.join("schemathesis").is_file() {
            bail!("pip installed {pinned}, but no schemathesis program is to be found: {by_hand}");
        }
        announce(&format!(
            "schemathesis: at {}, put on PATH for the tests",
            scripts.display()
        ));
        self.folders.push(scripts);
        Ok(())
    }
}

/// Makes every test tool present (see the module's note), saying what it
/// finds and what it installs; returns the `PATH` for `cargo test`. Spin,
/// sqld and Redis may be absent when Spin cannot be had, since the tests
/// on Spin then skip, unless CI requires them (`CI` or `E2E_REQUIRE_SPIN`).
pub fn for_tests(root: &Path) -> anyhow::Result<OsString> {
    let required =
        std::env::var_os("CI").is_some() || std::env::var_os("E2E_REQUIRE_SPIN").is_some();
    let mut setup = Setup::new(root);
    let spin = setup.shared_tool(Tool::Spin, "Spin", required)?;
    let sqld = setup.shared_tool(Tool::Sqld, "sqld", required)?;
    let mut apt: Vec<(Tool, &[&str])> = vec![(Tool::Chromium, &["chromium", "fonts-wqy-microhei"])];
    if spin && sqld {
        apt.push((Tool::Redis, &["redis-server", "redis-tools"]));
    } else {
        announce("Redis: not needed (the tests on Spin will be skipped)");
    }
    setup.apt(&apt)?;
    setup.playwright()?;
    setup.schemathesis()?;
    Ok(setup.path())
}

/// What `runtime` needs of Spin, sqld and Redis, for a benchmark; returns
/// the `PATH` to run it with.
pub fn for_runtime(root: &Path, runtime: crate::runtime::Runtime) -> anyhow::Result<OsString> {
    let mut setup = Setup::new(root);
    if runtime != crate::runtime::Runtime::Host {
        setup.shared_tool(Tool::Spin, "Spin", true)?;
    }
    if runtime.uses_libsql() {
        setup.shared_tool(Tool::Sqld, "sqld", true)?;
    }
    if runtime.uses_redis() {
        setup.apt(&[(Tool::Redis, &["redis-server", "redis-tools"])])?;
    }
    Ok(setup.path())
}

fn announce(step: &str) {
    eprintln!("== {step}");
}

fn is_root() -> bool {
    // SAFETY: geteuid(2) takes nothing and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
