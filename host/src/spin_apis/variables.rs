//! `fermyon:spin/variables`: application variables come from the
//! environment (`SPIN_VARIABLE_<NAME>`, Spin's environment provider) or
//! their manifest default; a component sees only the names its own
//! `variables` table declares, each expanded from its template.

use std::collections::BTreeMap;

use anyhow::{Context, bail};

use super::SpinApis;
use super::fermyon::spin::variables::{Error, Host};
use crate::manifest::{ComponentSpec, Manifest, expand_template};

/// A component's variables with their values, resolved once at start-up.
#[derive(Debug, Default)]
pub struct ResolvedVariables {
    values: BTreeMap<String, String>,
}

impl ResolvedVariables {
    /// Resolves every variable of `component`; a required application
    /// variable with no value fails start-up, as on Spin.
    pub fn resolve(
        manifest: &Manifest,
        component: &ComponentSpec,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let lookup = |name: &str| -> Option<String> {
            let declared = manifest.variables.get(name)?;
            env(&env_name(name)).or_else(|| declared.default.clone())
        };
        for (name, declared) in &manifest.variables {
            if declared.required && lookup(name).is_none() {
                bail!(
                    "required variable '{name}' has no value: set {}",
                    env_name(name)
                );
            }
        }
        let mut values = BTreeMap::new();
        for (name, template) in &component.variables {
            let value = expand_template(template, lookup)
                .with_context(|| format!("variable '{name}' of component '{}'", component.id))?;
            values.insert(name.clone(), value);
        }
        Ok(ResolvedVariables { values })
    }
}

/// `jwt_secret` is read from `SPIN_VARIABLE_JWT_SECRET`.
pub fn env_name(variable: &str) -> String {
    format!("SPIN_VARIABLE_{}", variable.to_ascii_uppercase())
}

/// Spin's rule for variable names: lower-case letters, digits and
/// underscores, starting with a letter.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Host for SpinApis {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, Error>> {
        if !valid_name(&name) {
            return Ok(Err(Error::InvalidName(name)));
        }
        Ok(self
            .variables
            .values
            .get(&name)
            .cloned()
            .ok_or(Error::Undefined(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const MANIFEST: &str = r#"
spin_manifest_version = 2
[application]
name = "app"
[variables]
secret = { required = true }
greeting = { default = "hi" }
[component.c]
source = "c.wasm"
variables = { token = "{{ secret }}", hello = "{{ greeting }} there" }
"#;

    #[test]
    fn resolves_from_environment_then_default() {
        let manifest = Manifest::parse(MANIFEST, Path::new("/")).unwrap();
        let env = |k: &str| (k == "SPIN_VARIABLE_SECRET").then(|| "s3".to_string());
        let vars = ResolvedVariables::resolve(&manifest, &manifest.components["c"], &env).unwrap();
        assert_eq!(vars.values["token"], "s3");
        assert_eq!(vars.values["hello"], "hi there");
    }

    #[test]
    fn a_missing_required_variable_fails_start_up() {
        let manifest = Manifest::parse(MANIFEST, Path::new("/")).unwrap();
        let err = ResolvedVariables::resolve(&manifest, &manifest.components["c"], &|_| None)
            .unwrap_err();
        assert!(err.to_string().contains("SPIN_VARIABLE_SECRET"), "{err}");
    }

    #[test]
    fn names_follow_spins_rule() {
        for ok in ["a", "jwt_secret", "a1"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "A", "1a", "a-b", "_a"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
