//! The Spin application manifest (`spin.toml`, manifest version 2), as far as
//! an HTTP application on this host needs it.
//!
//! Only the fields the host acts on are parsed; unknown fields are ignored
//! (as `spin up` ignores build and plugin settings it does not need), but a
//! manifest that names a version other than 2, a component that does not
//! exist, or a malformed route is refused with a message naming the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// A parsed `spin.toml`, with paths resolved against the manifest's folder.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub name: String,
    /// The folder that holds `spin.toml`; sources and `files` are relative to it.
    pub root: PathBuf,
    pub variables: BTreeMap<String, AppVariable>,
    pub http_triggers: Vec<HttpTrigger>,
    pub components: BTreeMap<String, ComponentSpec>,
}

/// An application-level variable (`[variables]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppVariable {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub description: Option<String>,
}

/// One `[[trigger.http]]` entry.
#[derive(Debug, Clone)]
pub struct HttpTrigger {
    pub id: Option<String>,
    /// `None` for `route = { private = true }`: reachable only by service chaining.
    pub route: Option<String>,
    pub component: String,
}

/// One `[component.NAME]` table.
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    pub id: String,
    /// The `.wasm` file, resolved against the manifest folder.
    pub source: PathBuf,
    pub key_value_stores: Vec<String>,
    pub sqlite_databases: Vec<String>,
    pub allowed_outbound_hosts: Vec<String>,
    pub files: Vec<FileMount>,
    /// Component variables: name to a template such as `"{{ jwt_secret }}"`.
    pub variables: BTreeMap<String, String>,
}

/// A `files` entry: a host folder or file made visible to the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMount {
    pub source: PathBuf,
    pub destination: String,
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: u32,
    application: RawApplication,
    #[serde(default)]
    variables: BTreeMap<String, AppVariable>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize)]
struct RawApplication {
    name: String,
}

#[derive(Deserialize, Default)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
}

#[derive(Deserialize)]
struct RawHttpTrigger {
    #[serde(default)]
    id: Option<String>,
    route: RawRoute,
    component: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRoute {
    Path(String),
    Private { private: bool },
}

#[derive(Deserialize)]
struct RawComponent {
    source: RawSource,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    files: Vec<RawFile>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSource {
    Path(String),
    /// `source = { url = "...", digest = "..." }`: downloads are outside this host's job.
    Remote {
        url: String,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawFile {
    /// A glob or path copied to the same relative place (`files = ["static/**"]`).
    Pattern(String),
    Mapping {
        source: String,
        destination: String,
    },
}

impl Manifest {
    /// Reads and checks `spin.toml` at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, &root).with_context(|| format!("in manifest {}", path.display()))
    }

    /// Parses manifest text; relative paths are taken against `root`.
    pub fn parse(text: &str, root: &Path) -> anyhow::Result<Self> {
        let raw: RawManifest = toml::from_str(text)?;
        if raw.spin_manifest_version != 2 {
            bail!(
                "spin_manifest_version is {}, this host reads version 2",
                raw.spin_manifest_version
            );
        }
        let mut components = BTreeMap::new();
        for (id, c) in raw.component {
            let source = match c.source {
                RawSource::Path(p) => root.join(p),
                RawSource::Remote { url } => {
                    bail!("component '{id}' has a remote source ({url}); build it locally")
                }
            };
            for var_template in c.variables.values() {
                check_template(var_template, &raw.variables)
                    .with_context(|| format!("in variables of component '{id}'"))?;
            }
            let files = c
                .files
                .into_iter()
                .map(|f| file_mount(root, f))
                .collect::<anyhow::Result<_>>()
                .with_context(|| format!("in files of component '{id}'"))?;
            components.insert(
                id.clone(),
                ComponentSpec {
                    id,
                    source,
                    key_value_stores: c.key_value_stores,
                    sqlite_databases: c.sqlite_databases,
                    allowed_outbound_hosts: c.allowed_outbound_hosts,
                    files,
                    variables: c.variables,
                },
            );
        }
        let mut http_triggers = Vec::new();
        for t in raw.trigger.http {
            if !components.contains_key(&t.component) {
                bail!(
                    "trigger route {:?} names component '{}', which the manifest does not define",
                    t.id,
                    t.component
                );
            }
            let route = match t.route {
                RawRoute::Path(p) => Some(p),
                RawRoute::Private { private: true } => None,
                RawRoute::Private { private: false } => {
                    bail!(
                        "route of component '{}' must be a path or {{ private = true }}",
                        t.component
                    )
                }
            };
            http_triggers.push(HttpTrigger {
                id: t.id,
                route,
                component: t.component,
            });
        }
        Ok(Manifest {
            name: raw.application.name,
            root: root.to_path_buf(),
            variables: raw.variables,
            http_triggers,
            components,
        })
    }
}

fn file_mount(root: &Path, file: RawFile) -> anyhow::Result<FileMount> {
    match file {
        RawFile::Mapping {
            source,
            destination,
        } => {
            if !destination.starts_with('/') {
                bail!("destination {destination:?} must be an absolute guest path");
            }
            Ok(FileMount {
                source: root.join(source),
                destination,
            })
        }
        RawFile::Pattern(pattern) => {
            // Spin expands globs; this host supports the common `dir/**` and
            // plain-path forms, which map the folder to the same relative place.
            let dir = pattern.trim_end_matches("/**").trim_end_matches("/*");
            if dir.contains(['*', '?', '[']) {
                bail!(
                    "glob {pattern:?} is not supported by this host; use {{ source, destination }}"
                );
            }
            Ok(FileMount {
                source: root.join(dir),
                destination: format!("/{}", dir.trim_start_matches("./")),
            })
        }
    }
}

/// A component variable's value is a template over application variables:
/// each `{{ name }}` must name a variable of `[variables]`.
fn check_template(template: &str, app_vars: &BTreeMap<String, AppVariable>) -> anyhow::Result<()> {
    for name in template_references(template)? {
        if !app_vars.contains_key(name) {
            bail!("template {template:?} refers to undefined variable '{name}'");
        }
    }
    Ok(())
}

/// The variable names a template refers to, in order.
pub fn template_references(template: &str) -> anyhow::Result<Vec<&str>> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("unclosed '{{{{' in template {template:?}");
        };
        names.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    Ok(names)
}

/// Expands a template with `lookup` giving each application variable's value.
pub fn expand_template(
    template: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .with_context(|| format!("unclosed '{{{{' in template {template:?}"))?;
        let name = after[..end].trim();
        let value = lookup(name).with_context(|| format!("variable '{name}' has no value"))?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
spin_manifest_version = 2
[application]
name = "app"
[variables]
secret = { required = true, secret = true }
greeting = { default = "hi" }
[[trigger.http]]
route = "/api/..."
component = "api"
[[trigger.http]]
route = { private = true }
component = "api"
[component.api]
source = "target/api.wasm"
key_value_stores = ["default"]
sqlite_databases = ["default"]
files = [{ source = "static", destination = "/" }, "assets/**"]
variables = { token = "{{ secret }}", hello = "{{greeting}}, world" }
"#;

    #[test]
    fn parses_routes_components_and_variables() {
        let m = Manifest::parse(MANIFEST, Path::new("/app")).expect("valid manifest");
        assert_eq!(m.name, "app");
        assert_eq!(m.http_triggers.len(), 2);
        assert_eq!(m.http_triggers[0].route.as_deref(), Some("/api/..."));
        assert_eq!(m.http_triggers[1].route, None);
        let api = &m.components["api"];
        assert_eq!(api.source, Path::new("/app/target/api.wasm"));
        assert_eq!(api.key_value_stores, ["default"]);
        assert_eq!(
            api.files,
            [
                FileMount {
                    source: "/app/static".into(),
                    destination: "/".into()
                },
                FileMount {
                    source: "/app/assets".into(),
                    destination: "/assets".into()
                }
            ]
        );
        assert!(m.variables["secret"].required);
    }

    #[test]
    fn refuses_what_spin_refuses() {
        let check = |text: &str, expected: &str| {
            let err = Manifest::parse(text, Path::new("/")).expect_err(text);
            assert!(
                format!("{err:#}").contains(expected),
                "{err:#} should mention {expected}"
            );
        };
        check(
            &MANIFEST.replace("spin_manifest_version = 2", "spin_manifest_version = 1"),
            "version 2",
        );
        check(
            &MANIFEST.replace("component = \"api\"\n[[", "component = \"nope\"\n[["),
            "nope",
        );
        check(
            &MANIFEST.replace("{{ secret }}", "{{ missing }}"),
            "undefined variable 'missing'",
        );
        check(
            &MANIFEST.replace("{ private = true }", "{ private = false }"),
            "private = true",
        );
    }

    #[test]
    fn expands_templates() {
        let lookup = |name: &str| (name == "greeting").then(|| "hi".to_string());
        assert_eq!(
            expand_template("{{greeting}}, world", lookup).unwrap(),
            "hi, world"
        );
        assert_eq!(expand_template("plain", lookup).unwrap(), "plain");
        assert!(expand_template("{{ nope }}", lookup).is_err());
        assert!(expand_template("{{ open", lookup).is_err());
    }
}
