//! The app's secrets for `cargo xtask up`: the token-signing secret and the
//! operator key. Nothing that serves signs with a value written in the
//! source: on first start both are drawn at random and kept in the state
//! folder (`.spin/secrets.toml`, readable by its owner alone), and later
//! starts reuse them, so tokens and the operator key survive a restart. A
//! `SPIN_VARIABLE_*` set in the environment wins over the file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The environment variable and the file's key of each secret.
const JWT_SECRET: (&str, &str) = ("SPIN_VARIABLE_JWT_SECRET", "jwt_secret");
const OPERATOR_KEY: (&str, &str) = (
    "SPIN_VARIABLE_PLATFORM_OPERATOR_KEY",
    "platform_operator_key",
);

/// Random bytes in each generated secret (256 bits).
const SECRET_BYTES: usize = 32;

/// The secrets a served app runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secrets {
    pub jwt_secret: String,
    pub operator_key: String,
    /// The operator key was drawn on this start (the only time it is printed).
    pub operator_key_is_new: bool,
}

impl Secrets {
    /// The file the secrets are kept in, inside `state_dir`.
    pub fn file(state_dir: &Path) -> PathBuf {
        state_dir.join("secrets.toml")
    }

    /// The secrets of the app whose state is in `state_dir`: the
    /// environment's where set, else the file's, else new random ones,
    /// which are written to the file (mode 0600) before they are used.
    pub fn load_or_create(state_dir: &Path) -> anyhow::Result<Secrets> {
        let file = Secrets::file(state_dir);
        let mut kept = read_file(&file)?;
        let mut drawn = Vec::new();
        let mut value_of = |(env, key): (&str, &'static str)| -> anyhow::Result<String> {
            if let Some(value) = std::env::var(env).ok().filter(|v| !v.is_empty()) {
                return Ok(value);
            }
            if let Some(value) = kept.get(key).and_then(toml::Value::as_str) {
                return Ok(value.to_string());
            }
            let value = random_secret()?;
            kept.insert(key.to_string(), toml::Value::String(value.clone()));
            drawn.push(key);
            Ok(value)
        };
        let jwt_secret = value_of(JWT_SECRET)?;
        let operator_key = value_of(OPERATOR_KEY)?;
        if !drawn.is_empty() {
            write_private(&file, &kept)?;
        }
        Ok(Secrets {
            jwt_secret,
            operator_key,
            operator_key_is_new: drawn.contains(&OPERATOR_KEY.1),
        })
    }

    /// The environment a served app is started with.
    pub fn env(&self) -> [(&'static str, &str); 2] {
        [
            (JWT_SECRET.0, self.jwt_secret.as_str()),
            (OPERATOR_KEY.0, self.operator_key.as_str()),
        ]
    }
}

/// 256 random bits from the operating system, as URL-safe text.
fn random_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random bytes: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn read_file(file: &Path) -> anyhow::Result<toml::Table> {
    match fs::read_to_string(file) {
        Ok(text) => text
            .parse()
            .with_context(|| format!("{} is not valid TOML", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(toml::Table::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", file.display())),
    }
}

/// Writes the table to a file that only its owner may read, created with
/// that mode (never readable by others, not even for an instant).
fn write_private(file: &Path, table: &toml::Table) -> anyhow::Result<()> {
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = format!(
        "# The app's secrets, drawn at random on its first start (cargo xtask up).\n\
         # Keep this file private; delete it to draw new ones (every token is then void).\n{}",
        toml::to_string(table)?
    );
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options
        .open(file)
        .with_context(|| format!("cannot write {}", file.display()))?;
    // An older file keeps its mode on open: set it again.
    #[cfg(unix)]
    fs::set_permissions(file, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_drawn_once_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Secrets::load_or_create(dir.path()).unwrap();
        assert!(first.operator_key_is_new);
        assert_eq!(first.jwt_secret.len(), SECRET_BYTES * 2);
        assert_ne!(first.jwt_secret, first.operator_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(Secrets::file(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = Secrets::load_or_create(dir.path()).unwrap();
        assert!(!again.operator_key_is_new);
        assert_eq!(again.jwt_secret, first.jwt_secret);
        assert_eq!(again.operator_key, first.operator_key);
        let elsewhere = Secrets::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert_ne!(elsewhere.jwt_secret, first.jwt_secret);
    }
}
