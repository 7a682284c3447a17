//! `*.runtimeconfig.json`: the target framework moniker the host appends to store paths, and
//! whether the app is self-contained (then the host never probes a store).

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::text::{self, DecodeError, Location};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// `runtimeOptions.tfm` (`netcoreapp3.1`, `net6.0`).
    pub tfm: Option<String>,
    /// `runtimeOptions.includedFrameworks` is present: the SDK writes it for self-contained apps.
    pub self_contained: bool,
    /// Names of `framework` / `frameworks` references.
    pub frameworks: Vec<String>,
    /// The major version of the first framework reference (`3` for `3.1.0`), else of the tfm.
    pub framework_major: Option<u32>,
    /// `configProperties["System.Runtime.UseRidGraph"]`: a .NET 8+ host then walks the full RID
    /// graph, as hosts before .NET 8 always do.
    pub use_rid_graph: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeConfigError {
    #[error("cannot read the runtimeconfig file: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the runtimeconfig file as text: {source}")]
    Encoding {
        path: PathBuf,
        #[source]
        source: DecodeError,
    },
    #[error("invalid JSON: {message}")]
    Json {
        path: PathBuf,
        location: Location,
        message: String,
    },
}

impl ToDiagnostic for RuntimeConfigError {
    fn to_diagnostic(&self) -> Diagnostic {
        let (path, location) = match self {
            RuntimeConfigError::Unreadable { path, .. }
            | RuntimeConfigError::Encoding { path, .. } => (path, None),
            RuntimeConfigError::Json { path, location, .. } => (path, Some(*location)),
        };
        Diagnostic::error(
            crate::diagnostic::codes::RUNTIMECONFIG_UNUSABLE,
            self.to_string(),
        )
        .in_file(path)
        .at(location)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    runtime_options: RawOptions,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawOptions {
    tfm: Option<String>,
    included_frameworks: Option<serde_json::Value>,
    framework: Option<RawFramework>,
    #[serde(default)]
    frameworks: Vec<RawFramework>,
    #[serde(default)]
    config_properties: serde_json::Map<String, serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct RawFramework {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
}

/// `3` from `3.1.0`, `8` from `net8.0`, `2` from `netcoreapp2.1`.
fn major_of(version_or_tfm: &str) -> Option<u32> {
    let digits = version_or_tfm.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.split('.').next()?.parse().ok()
}

impl RuntimeConfig {
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<RuntimeConfig, RuntimeConfigError> {
        let text = text::decode(bytes).map_err(|source| RuntimeConfigError::Encoding {
            path: path.to_path_buf(),
            source,
        })?;
        let raw: Raw = serde_json::from_str(&text).map_err(|e| {
            let (location, message) = crate::formats::deps::json_error(&e);
            RuntimeConfigError::Json {
                path: path.to_path_buf(),
                location,
                message,
            }
        })?;
        let o = raw.runtime_options;
        let references: Vec<RawFramework> = o.framework.into_iter().chain(o.frameworks).collect();
        let tfm = o.tfm.filter(|t| !t.trim().is_empty());
        let framework_major = references
            .iter()
            .find_map(|f| major_of(&f.version))
            .or_else(|| tfm.as_deref().and_then(major_of));
        let use_rid_graph = match o.config_properties.get("System.Runtime.UseRidGraph") {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        Ok(RuntimeConfig {
            tfm,
            self_contained: o.included_frameworks.is_some(),
            frameworks: references.into_iter().map(|f| f.name).collect(),
            framework_major,
            use_rid_graph,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> RuntimeConfig {
        RuntimeConfig::parse(Path::new("a.json"), s.as_bytes()).unwrap()
    }

    #[test]
    fn framework_dependent() {
        let c = parse(
            r#"{"runtimeOptions":{"tfm":"netcoreapp3.1","framework":{"name":"Microsoft.NETCore.App","version":"3.1.0"}}}"#,
        );
        assert_eq!(c.tfm.as_deref(), Some("netcoreapp3.1"));
        assert!(!c.self_contained);
        assert_eq!(c.frameworks, ["Microsoft.NETCore.App"]);
        let c = parse(
            r#"{"runtimeOptions":{"tfm":"net6.0","frameworks":[{"name":"Microsoft.NETCore.App"},{"name":"Microsoft.AspNetCore.App"}]}}"#,
        );
        assert_eq!(c.frameworks.len(), 2);
    }

    #[test]
    fn self_contained_and_missing_tfm() {
        let c = parse(
            r#"{"runtimeOptions":{"tfm":"net6.0","includedFrameworks":[{"name":"Microsoft.NETCore.App","version":"6.0.0"}]}}"#,
        );
        assert!(c.self_contained);
        assert_eq!(parse(r#"{"runtimeOptions":{}}"#).tfm, None);
        assert_eq!(parse(r#"{}"#).tfm, None);
    }

    #[test]
    fn invalid_json_has_a_location() {
        let e = RuntimeConfig::parse(Path::new("a.json"), b"{\n \"runtimeOptions\": [}")
            .unwrap_err()
            .to_diagnostic();
        assert_eq!(e.location.map(|l| l.line), Some(2));
    }
}
