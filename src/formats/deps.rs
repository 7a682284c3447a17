//! `*.deps.json`: which library each file of the publish folder came from, and where the host
//! looks for it (dotnet/runtime hostpolicy `deps_format.cpp` / `deps_entry.cpp`).

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::nuget::{NuGetVersion, PackageId, PackageIdentity, VersionError};
use crate::formats::text::{self, DecodeError, LineIndex, Location};

/// A JSON object kept in document order that refuses duplicate keys (serde_json would silently
/// keep the last one, and the host and the SDK disagree on which one wins).
#[derive(Debug, Clone)]
pub struct OrderedMap<T>(pub Vec<(String, T)>);

impl<T> Default for OrderedMap<T> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OrderedMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OrderedMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, T)> =
                    Vec::with_capacity(map.size_hint().unwrap_or(0));
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDeps {
    runtime_target: Option<serde_json::Value>,
    #[serde(default)]
    targets: OrderedMap<Option<OrderedMap<RawTargetLibrary>>>,
    #[serde(default)]
    libraries: OrderedMap<RawLibrary>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTargetLibrary {
    #[serde(default)]
    runtime: OrderedMap<RawAsset>,
    #[serde(default)]
    native: OrderedMap<RawAsset>,
    #[serde(default)]
    resources: OrderedMap<RawAsset>,
    #[serde(default)]
    runtime_targets: OrderedMap<RawAsset>,
    #[serde(default)]
    compile: OrderedMap<RawAsset>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAsset {
    locale: Option<String>,
    rid: Option<String>,
    asset_type: Option<String>,
    assembly_version: Option<String>,
    file_version: Option<String>,
    local_path: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLibrary {
    #[serde(rename = "type")]
    kind: Option<String>,
    path: Option<String>,
    runtime_store_manifest_name: Option<String>,
}

/// The `type` of a library in deps.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibraryKind {
    Package,
    Project,
    ReferenceAssembly,
    RuntimePack,
    Other(String),
    /// Listed in the target but not in `libraries`.
    Unknown,
}

impl LibraryKind {
    fn from_type(t: Option<&str>) -> Self {
        match t {
            Some("package") => LibraryKind::Package,
            Some("project") => LibraryKind::Project,
            Some("referenceassembly") => LibraryKind::ReferenceAssembly,
            Some("runtimepack") => LibraryKind::RuntimePack,
            Some(other) => LibraryKind::Other(other.to_string()),
            None => LibraryKind::Unknown,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            LibraryKind::Package => "package",
            LibraryKind::Project => "project",
            LibraryKind::ReferenceAssembly => "referenceassembly",
            LibraryKind::RuntimePack => "runtimepack",
            LibraryKind::Other(s) => s,
            LibraryKind::Unknown => "(not in libraries)",
        }
    }
}

/// Which list of a target entry an asset comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AssetKind {
    Runtime,
    Native,
    Resource,
    /// A RID-specific asset of a portable app (`runtimeTargets`).
    RuntimeTarget,
    /// A reference assembly, copied to `refs/` when the compilation context is preserved.
    Compile,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Runtime => "runtime",
            AssetKind::Native => "native",
            AssetKind::Resource => "resources",
            AssetKind::RuntimeTarget => "runtimeTargets",
            AssetKind::Compile => "compile",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Asset {
    pub kind: AssetKind,
    /// The path as written in deps.json, relative to the package folder.
    pub path: String,
    pub locale: Option<String>,
    pub rid: Option<String>,
    /// `runtime` or `native` for runtimeTargets.
    pub asset_type: Option<String>,
    pub assembly_version: Option<String>,
    pub file_version: Option<String>,
    pub local_path: Option<String>,
}

impl Asset {
    /// NuGet's empty-folder placeholder: there is no file behind it.
    pub fn is_placeholder(&self) -> bool {
        file_name(&self.path) == "_._"
    }
}

/// The last segment of a `/`-separated deps.json path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// One library of the runtime target, joined with its `libraries` entry.
#[derive(Debug, Clone)]
pub struct Library {
    /// `Name/Version` exactly as written (the key in both `targets` and `libraries`).
    pub key: String,
    pub name: String,
    pub version_text: String,
    pub kind: LibraryKind,
    /// `libraries[].path`: the package folder in a store (`newtonsoft.json/13.0.1`).
    pub path: Option<String>,
    pub runtime_store_manifest_name: Option<String>,
    pub assets: Vec<Asset>,
}

impl Library {
    pub fn id(&self) -> PackageId {
        PackageId::new(self.name.clone())
    }
}

/// A parsed deps.json, reduced to the runtime target.
#[derive(Debug, Clone)]
pub struct DepsFile {
    pub path: PathBuf,
    pub runtime_target: String,
    /// Libraries of the runtime target in document order, then `libraries` entries that the
    /// target does not list (they have no assets).
    pub libraries: Vec<Library>,
    /// Package libraries with their parsed identity (index into `libraries`).
    pub packages: Vec<(usize, PackageIdentity)>,
    /// `\r\n` when the file uses Windows line endings (the rewrite keeps them).
    pub crlf: bool,
    /// The decoded text (without a BOM), kept for the minimal-diff rewrite and for messages.
    pub text: String,
    /// Where each library key is written; computed on first use, since only messages need it.
    key_locations: std::sync::OnceLock<HashMap<String, Location>>,
}

impl DepsFile {
    /// Where a library key (`Name/Version`) is written, preferring the runtime target's entry.
    pub fn location_of(&self, key: &str) -> Option<Location> {
        self.key_locations
            .get_or_init(|| key_locations(&self.text, &self.runtime_target))
            .get(key)
            .copied()
    }

    /// True when the runtimeTarget names a RID (`.NETCoreApp,Version=v6.0/linux-x64`).
    pub fn is_rid_specific(&self) -> bool {
        self.runtime_target.contains('/')
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DepsError {
    #[error("cannot read the deps file: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the deps file as text: {source}")]
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
    #[error("the deps file has no runtimeTarget and {count} targets; cannot tell which one the host uses")]
    NoRuntimeTarget { path: PathBuf, count: usize },
    #[error(
        "runtimeTarget names `{name}`, but the deps file has no such target (it has: {available})"
    )]
    MissingTarget {
        path: PathBuf,
        name: String,
        available: String,
    },
    #[error("library key `{key}` is not of the form Name/Version")]
    BadKey {
        path: PathBuf,
        key: String,
        location: Option<Location>,
    },
    #[error("package {key}: `{}` is not a valid NuGet version: {reason}", key.split_once('/').map_or("", |(_, v)| v))]
    BadVersion {
        path: PathBuf,
        /// `Name/Version` as written.
        key: String,
        reason: VersionError,
        location: Option<Location>,
    },
}

impl ToDiagnostic for DepsError {
    fn to_diagnostic(&self) -> Diagnostic {
        let (code, path, location) = match self {
            DepsError::Unreadable { path, .. } => {
                (crate::diagnostic::codes::DEPS_UNREADABLE, path, None)
            }
            DepsError::Encoding { path, .. } => {
                (crate::diagnostic::codes::DEPS_NOT_TEXT, path, None)
            }
            DepsError::Json { path, location, .. } => (
                crate::diagnostic::codes::DEPS_INVALID_JSON,
                path,
                Some(*location),
            ),
            DepsError::NoRuntimeTarget { path, .. } | DepsError::MissingTarget { path, .. } => {
                (crate::diagnostic::codes::DEPS_NO_RUNTIME_TARGET, path, None)
            }
            DepsError::BadKey { path, location, .. }
            | DepsError::BadVersion { path, location, .. } => (
                crate::diagnostic::codes::DEPS_BAD_LIBRARY_KEY,
                path,
                *location,
            ),
        };
        Diagnostic::error(code, self.to_string())
            .in_file(path)
            .at(location)
    }
}

impl DepsFile {
    /// Parses deps.json bytes; `path` is used in messages.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<DepsFile, DepsError> {
        let text = text::decode(bytes).map_err(|source| DepsError::Encoding {
            path: path.to_path_buf(),
            source,
        })?;
        let lines = LineIndex::new(&text);
        let raw: RawDeps = serde_json::from_str(&text).map_err(|e| {
            let (reported, message) = json_error(&e);
            let location =
                duplicate_key_location(&text, &lines, &message, reported).unwrap_or(reported);
            DepsError::Json {
                path: path.to_path_buf(),
                location,
                message,
            }
        })?;
        let crlf = text.contains("\r\n");
        // serde_json keeps the last of two equal keys in a plain value: refuse them here too, as
        // everywhere else, since the host and the SDK may read another one.
        if let Ok(Some(members)) = crate::formats::jsonspan::members_at(&text, &["runtimeTarget"]) {
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = members.iter().find(|m| !seen.insert(m.key.as_str())) {
                let (line, column) = LineIndex::new(&text).line_col(dup.key_start);
                return Err(DepsError::Json {
                    path: path.to_path_buf(),
                    location: Location { line, column },
                    message: format!("duplicate key `{}` in runtimeTarget", dup.key),
                });
            }
        }
        let target_name = match &raw.runtime_target {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Object(o)) => o
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or_default()
                .to_string(),
            _ => String::new(),
        };
        let target_name = if target_name.is_empty() {
            // Old or hand-made files: with exactly one target there is no ambiguity.
            match raw.targets.0.as_slice() {
                [(only, _)] => only.clone(),
                _ => {
                    return Err(DepsError::NoRuntimeTarget {
                        path: path.to_path_buf(),
                        count: raw.targets.0.len(),
                    })
                }
            }
        } else {
            target_name
        };
        let mut targets = raw.targets.0;
        let Some(pos) = targets.iter().position(|(k, _)| *k == target_name) else {
            let available = targets
                .iter()
                .map(|(k, _)| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(DepsError::MissingTarget {
                path: path.to_path_buf(),
                name: target_name,
                available: if available.is_empty() {
                    "none".to_string()
                } else {
                    available
                },
            });
        };
        let target = targets.swap_remove(pos).1.unwrap_or_default();

        let mut libs_meta: std::collections::HashMap<&str, &RawLibrary> = raw
            .libraries
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        let mut libraries = Vec::with_capacity(raw.libraries.0.len().max(target.0.len()));
        for (key, entry) in target.0 {
            let meta = libs_meta.remove(key.as_str());
            libraries.push(make_library(path, &text, key, meta, Some(entry))?);
        }
        for (key, meta) in &raw.libraries.0 {
            if libs_meta.contains_key(key.as_str()) {
                libraries.push(make_library(path, &text, key.clone(), Some(meta), None)?);
            }
        }
        let mut packages = Vec::new();
        for (i, lib) in libraries.iter().enumerate() {
            if lib.kind == LibraryKind::Package {
                let version = NuGetVersion::parse(&lib.version_text).map_err(|reason| {
                    DepsError::BadVersion {
                        path: path.to_path_buf(),
                        key: lib.key.clone(),
                        reason,
                        location: key_location(&text, &lib.key),
                    }
                })?;
                packages.push((
                    i,
                    PackageIdentity {
                        id: lib.id(),
                        version,
                    },
                ));
            }
        }
        Ok(DepsFile {
            path: path.to_path_buf(),
            runtime_target: target_name,
            libraries,
            packages,
            crlf,
            key_locations: std::sync::OnceLock::new(),
            text: text.into_owned(),
        })
    }
}

fn make_library(
    path: &Path,
    text: &str,
    key: String,
    meta: Option<&RawLibrary>,
    entry: Option<RawTargetLibrary>,
) -> Result<Library, DepsError> {
    let Some((name, version)) = key
        .split_once('/')
        .filter(|(n, v)| !n.is_empty() && !v.is_empty())
    else {
        return Err(DepsError::BadKey {
            path: path.to_path_buf(),
            location: key_location(text, &key),
            key,
        });
    };
    let (name, version_text) = (name.to_string(), version.to_string());
    let mut assets = Vec::new();
    if let Some(entry) = entry {
        let lists = [
            (AssetKind::Runtime, entry.runtime),
            (AssetKind::Native, entry.native),
            (AssetKind::Resource, entry.resources),
            (AssetKind::RuntimeTarget, entry.runtime_targets),
            (AssetKind::Compile, entry.compile),
        ];
        for (kind, list) in lists {
            for (asset_path, a) in list.0 {
                assets.push(Asset {
                    kind,
                    path: asset_path,
                    locale: a.locale,
                    rid: a.rid,
                    asset_type: a.asset_type,
                    assembly_version: a.assembly_version,
                    file_version: a.file_version,
                    local_path: a.local_path,
                });
            }
        }
    }
    Ok(Library {
        kind: LibraryKind::from_type(meta.and_then(|m| m.kind.as_deref())),
        path: meta.and_then(|m| m.path.clone()),
        runtime_store_manifest_name: meta.and_then(|m| m.runtime_store_manifest_name.clone()),
        key,
        name,
        version_text,
        assets,
    })
}

/// Locations of every key in `libraries` and in the runtime target (which wins), in one pass
/// per object.
fn key_locations(text: &str, runtime_target: &str) -> HashMap<String, Location> {
    let lines = LineIndex::new(text);
    let mut map = HashMap::new();
    for object in [&["libraries"][..], &["targets", runtime_target][..]] {
        if let Ok(Some(members)) = crate::formats::jsonspan::members_at(text, object) {
            for m in members {
                let (line, column) = lines.line_col(m.key_start);
                map.insert(m.key, Location { line, column });
            }
        }
    }
    map
}

/// Where one key is first written; for the rare parse errors that need a single location.
fn key_location(text: &str, key: &str) -> Option<Location> {
    let needle = serde_json::to_string(key).ok()?;
    let at = text.find(&needle)?;
    let (line, column) = LineIndex::new(text).line_col(at);
    Some(Location { line, column })
}

/// A serde_json error's location and its message without the " at line L column C" suffix
/// (the location is shown once, in front).
pub(crate) fn json_error(e: &serde_json::Error) -> (Location, String) {
    let location = Location {
        line: e.line(),
        column: e.column(),
    };
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = message
        .strip_suffix(&suffix)
        .unwrap_or(&message)
        .to_string();
    (location, message)
}

/// serde_json reports a duplicate key past the end of its object; the duplicate is the last
/// copy of the key before that point.
fn duplicate_key_location(
    text: &str,
    lines: &LineIndex<'_>,
    message: &str,
    reported: Location,
) -> Option<Location> {
    let key = message.strip_prefix("duplicate key `")?.split('`').next()?;
    let needle = serde_json::to_string(key).ok()?;
    let end = lines.offset(reported.line, reported.column);
    let at = text[..end].rfind(&needle)?;
    let (line, column) = lines.line_col(at);
    Some(Location { line, column })
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"{
  "runtimeTarget": { "name": ".NETCoreApp,Version=v3.1", "signature": "" },
  "compilationOptions": {},
  "targets": {
    ".NETCoreApp,Version=v3.1": {
      "App/1.0.0": { "dependencies": { "Acme.Greeter": "1.2.3" }, "runtime": { "App.dll": {} } },
      "Acme.Greeter/1.2.3": {
        "runtime": { "lib/netstandard2.0/Acme.Greeter.dll": { "assemblyVersion": "1.2.3.0", "fileVersion": "1.2.3.0" } },
        "resources": { "lib/netstandard2.0/de/Acme.Greeter.resources.dll": { "locale": "de" } },
        "runtimeTargets": {
          "runtimes/linux-x64/native/libgreet.so": { "rid": "linux-x64", "assetType": "native" },
          "runtime/unix/lib/_._": { "rid": "unix", "assetType": "runtime" }
        },
        "compile": { "lib/netstandard2.0/Acme.Greeter.dll": {} }
      }
    }
  },
  "libraries": {
    "App/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
    "Acme.Greeter/1.2.3": { "type": "package", "serviceable": true, "sha512": "sha512-x", "path": "acme.greeter/1.2.3", "hashPath": "acme.greeter.1.2.3.nupkg.sha512" },
    "Only.In.Libraries/1.0.0": { "type": "referenceassembly", "serviceable": false, "sha512": "" }
  }
}"#;

    fn parse(text: &str) -> Result<DepsFile, DepsError> {
        DepsFile::parse(Path::new("App.deps.json"), text.as_bytes())
    }

    #[test]
    fn reads_libraries_and_assets() {
        let d = parse(APP).unwrap();
        assert_eq!(d.runtime_target, ".NETCoreApp,Version=v3.1");
        assert!(!d.is_rid_specific());
        let keys: Vec<_> = d.libraries.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(
            keys,
            ["App/1.0.0", "Acme.Greeter/1.2.3", "Only.In.Libraries/1.0.0"]
        );
        assert_eq!(d.packages.len(), 1);
        let g = &d.libraries[1];
        assert_eq!(g.kind, LibraryKind::Package);
        assert_eq!(g.path.as_deref(), Some("acme.greeter/1.2.3"));
        let paths: Vec<_> = g
            .assets
            .iter()
            .map(|a| crate::host::app_path(a).map(|p| p.into_owned()))
            .collect();
        assert_eq!(
            paths,
            [
                Some("Acme.Greeter.dll".to_string()),
                Some("de/Acme.Greeter.resources.dll".to_string()),
                Some("runtimes/linux-x64/native/libgreet.so".to_string()),
                None,
                None
            ]
        );
        assert_eq!(d.location_of(&g.key), Some(Location { line: 7, column: 7 }));
        assert_eq!(
            d.location_of("Only.In.Libraries/1.0.0"),
            Some(Location {
                line: 21,
                column: 5
            })
        );
        assert_eq!(d.libraries[2].kind, LibraryKind::ReferenceAssembly);
        assert!(d.libraries[2].assets.is_empty());
    }

    #[test]
    fn bom_and_crlf() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(APP.replace('\n', "\r\n").as_bytes());
        let d = DepsFile::parse(Path::new("x"), &bytes).unwrap();
        assert!(d.crlf);
        assert_eq!(d.packages.len(), 1);
    }

    #[test]
    fn json_errors_have_positions() {
        let e = parse("{\n  \"targets\": {,}\n}")
            .unwrap_err()
            .to_diagnostic();
        assert_eq!(e.code, "TP1203");
        assert_eq!(e.location.map(|l| l.line), Some(2));
        let e = parse(&APP[..200]).unwrap_err().to_diagnostic();
        assert_eq!(e.code, "TP1203");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let text = APP.replace(
            "\"App/1.0.0\": { \"type\": \"project\"",
            "\"Acme.Greeter/1.2.3\": { \"type\": \"package\" },\n    \"App/1.0.0\": { \"type\": \"project\"",
        );
        let e = parse(&text).unwrap_err().to_diagnostic();
        assert_eq!(e.code, "TP1203");
        assert!(
            e.message.contains("duplicate key `Acme.Greeter/1.2.3`"),
            "{}",
            e.message
        );
        assert_eq!(e.location.map(|l| l.line), Some(19));
    }

    #[test]
    fn runtime_target_must_exist() {
        let text = APP.replace(
            "\"name\": \".NETCoreApp,Version=v3.1\"",
            "\"name\": \"Nope\"",
        );
        let e = parse(&text).unwrap_err();
        assert!(matches!(e, DepsError::MissingTarget { .. }), "{e}");
        assert!(e.to_string().contains("`.NETCoreApp,Version=v3.1`"));
    }

    #[test]
    fn runtime_target_may_be_missing_with_one_target() {
        let text = APP.replace(
            "\"runtimeTarget\": { \"name\": \".NETCoreApp,Version=v3.1\", \"signature\": \"\" },",
            "",
        );
        assert_eq!(
            parse(&text).unwrap().runtime_target,
            ".NETCoreApp,Version=v3.1"
        );
    }

    #[test]
    fn bad_package_version_is_an_error() {
        let text = APP.replace("Acme.Greeter/1.2.3", "Acme.Greeter/1.2.x");
        let e = parse(&text).unwrap_err().to_diagnostic();
        assert_eq!(e.code, "TP1205");
        assert!(e.message.contains("`1.2.x`"), "{}", e.message);
        assert!(e.location.is_some());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "{{\"runtimeTarget\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = parse(&deep).unwrap_err().to_diagnostic();
        assert_eq!(e.code, "TP1203");
        assert!(e.message.contains("recursion limit"), "{}", e.message);
        // Deeply nested unknown fields are skipped without recursion; still no crash.
        let deep = format!("{{\"x\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
    }
}
