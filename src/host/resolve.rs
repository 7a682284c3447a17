//! What the host resolves at start-up, without running it (dotnet/runtime hostpolicy
//! `deps_format.cpp` and `deps_resolver.cpp`):
//!
//! - for a portable app, per package and asset type, the `runtimeTargets` of the best RID in the
//!   host's fallback chain replace the plain assets; with no matching RID the plain ones stay;
//! - runtime assemblies (the TPA) are taken in deps.json order, the first of each assembly name
//!   wins (the app's own assembly is added first), so later duplicates are never probed;
//! - every asset is probed in the app folder (RID-specific ones at their relative path, others by
//!   file name, resources under the culture folder named in their path), then in each existing
//!   store at `{store}/{package dir}/{asset path}`; the first hit wins;
//! - a missing runtime or native asset stops the host (exit code 140); a missing resource is only
//!   logged.
//!
//! [`host_assets`] is pure; [`resolve`] stats files and reads store copies' metadata.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::formats::deps::file_name;
use crate::formats::deps::{Asset, AssetKind, DepsFile, Library};
use crate::formats::metadata::read_identity;
use crate::host::store::{package_dir, store_relative_path, Store};

/// The host's three asset types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HostAssetType {
    Runtime,
    Native,
    Resources,
}

impl HostAssetType {
    /// The deps.json list that holds this type's plain (not RID-specific) assets.
    pub fn plain_kind(self) -> AssetKind {
        match self {
            HostAssetType::Runtime => AssetKind::Runtime,
            HostAssetType::Native => AssetKind::Native,
            HostAssetType::Resources => AssetKind::Resource,
        }
    }

    /// The `assetType` value of this type's `runtimeTargets` entries.
    pub fn as_str(self) -> &'static str {
        match self {
            HostAssetType::Runtime => "runtime",
            HostAssetType::Native => "native",
            HostAssetType::Resources => "resources",
        }
    }
}

/// One asset the host will look for.
#[derive(Debug, Clone)]
pub struct HostAsset<'d> {
    pub library: &'d Library,
    pub asset: &'d Asset,
    pub asset_type: HostAssetType,
}

impl HostAsset<'_> {
    /// Where the host looks in the app folder (relative, `/` separators): the one rule, in
    /// [`super::app_path`], that planning uses too.
    pub fn app_path(&self) -> String {
        super::app_path(self.asset)
            .expect("host_assets() never yields placeholders or compile assets")
            .into_owned()
    }

    /// Where the host looks below a store's `{arch}/{tfm}`.
    pub fn store_path(&self) -> String {
        store_relative_path(&package_dir(self.library), &self.asset.path)
    }
}

/// The assets the host resolves, in its order: runtime, then native, then resources. `app_name`
/// is the app's assembly name (`App` for App.dll), which the host adds to the TPA first.
pub fn host_assets<'d>(
    deps: &'d DepsFile,
    rid_chain: &[String],
    app_name: &str,
) -> Vec<HostAsset<'d>> {
    let portable = !deps.is_rid_specific();
    let mut by_type: [Vec<HostAsset<'d>>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for library in &deps.libraries {
        for (index, asset_type) in [
            HostAssetType::Runtime,
            HostAssetType::Native,
            HostAssetType::Resources,
        ]
        .into_iter()
        .enumerate()
        {
            let plain_kind = asset_type.plain_kind();
            let type_name = asset_type.as_str();
            let rid_assets: Vec<&Asset> = if portable {
                library
                    .assets
                    .iter()
                    .filter(|a| {
                        a.kind == AssetKind::RuntimeTarget
                            && a.asset_type.as_deref() == Some(type_name)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let best = rid_chain.iter().find(|rid| {
                rid_assets
                    .iter()
                    .any(|a| a.rid.as_deref() == Some(rid.as_str()))
            });
            // A runtimeTargets asset's kind makes app_path look for it at its relative path.
            let chosen: Vec<&Asset> = match best {
                Some(rid) => rid_assets
                    .into_iter()
                    .filter(|a| a.rid.as_deref() == Some(rid.as_str()))
                    .collect(),
                None => library
                    .assets
                    .iter()
                    .filter(|a| a.kind == plain_kind)
                    .collect(),
            };
            for asset in chosen {
                if asset.is_placeholder() {
                    continue;
                }
                by_type[index].push(HostAsset {
                    library,
                    asset,
                    asset_type,
                });
            }
        }
    }
    // The TPA holds one assembly per name; the app's own assembly is there first.
    let mut names: HashSet<String> = HashSet::from([app_name.to_ascii_lowercase()]);
    let [runtime, native, resources] = by_type;
    let mut out: Vec<HostAsset<'d>> = runtime
        .into_iter()
        .filter(|a| names.insert(assembly_name(&a.asset.path).to_ascii_lowercase()))
        .collect();
    out.extend(native);
    out.extend(resources);
    out
}

fn assembly_name(path: &str) -> &str {
    let file = file_name(path);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

/// Where an asset was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    App(PathBuf),
    /// The store's index in the probe list and the file.
    Store(usize, PathBuf),
    Missing,
}

/// The outcome for one asset.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub found: Found,
    /// For a runtime assembly served by a store: its assembly version when lower than the one
    /// deps.json records (the runtime would refuse to load it).
    pub lower_version: Option<(String, String)>,
}

/// Probes each asset like the host: the app folder, then every store that exists, in order.
pub fn resolve(app_dir: &Path, assets: &[HostAsset<'_>], stores: &[Store]) -> Vec<Resolution> {
    let existing: Vec<(usize, &Store)> = stores
        .iter()
        .enumerate()
        .filter(|(_, s)| s.probe_dir.is_dir())
        .collect();
    assets
        .iter()
        .map(|a| {
            let local = app_dir.join(a.app_path());
            if local.is_file() {
                return Resolution {
                    found: Found::App(local),
                    lower_version: None,
                };
            }
            let relative = a.store_path();
            for &(index, store) in &existing {
                let candidate = store.probe_dir.join(&relative);
                if candidate.is_file() {
                    let lower_version = if a.asset_type == HostAssetType::Runtime {
                        lower_assembly_version(&candidate, a.asset.assembly_version.as_deref())
                    } else {
                        None
                    };
                    return Resolution {
                        found: Found::Store(index, candidate),
                        lower_version,
                    };
                }
            }
            Resolution {
                found: Found::Missing,
                lower_version: None,
            }
        })
        .collect()
}

/// `Some((found, expected))` when the file's assembly version is lower than `expected`.
fn lower_assembly_version(file: &Path, expected: Option<&str>) -> Option<(String, String)> {
    let expected = expected?;
    let wanted: Vec<u32> = expected
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let identity = read_identity(&std::fs::read(file).ok()?).ok()?;
    let found: Vec<u32> = identity.version.iter().map(|&v| u32::from(v)).collect();
    let pad = |v: &[u32]| {
        let mut v = v.to_vec();
        v.resize(4, 0);
        v
    };
    (pad(&found) < pad(&wanted)).then(|| (identity.version_string(), expected.to_string()))
}

/// The host's own message for a missing asset (hostpolicy `MissingAssemblyMessage`), with the
/// manifest list when deps.json names the manifests.
pub fn host_missing_message(deps_file_name: &str, asset: &HostAsset<'_>) -> String {
    let mut text = format!(
        "An assembly specified in the application dependencies manifest ({deps_file_name}) was not found:\n    package: '{}', version: '{}'\n    path: '{}'",
        asset.library.name, asset.library.version_text, asset.asset.path
    );
    if let Some(manifests) = &asset.library.runtime_store_manifest_name {
        text.push_str(&format!(
            "\n  This assembly was expected to be in the local runtime store as the application was published using the following target manifest files:\n    {manifests}"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPS: &str = r#"{
  "runtimeTarget": { "name": ".NETCoreApp,Version=v3.1" },
  "targets": { ".NETCoreApp,Version=v3.1": {
    "App/1.0.0": { "runtime": { "App.dll": {} } },
    "Data/2.0.0": {
      "runtime": { "lib/netcoreapp3.1/Data.dll": {} },
      "runtimeTargets": {
        "runtimes/unix/lib/netcoreapp3.1/Data.dll": { "rid": "unix", "assetType": "runtime" },
        "runtimes/win/lib/netcoreapp3.1/Data.dll": { "rid": "win", "assetType": "runtime" },
        "runtimes/linux-x64/native/libdata.so": { "rid": "linux-x64", "assetType": "native" },
        "runtimes/osx-x64/native/libdata.dylib": { "rid": "osx-x64", "assetType": "native" }
      },
      "resources": { "lib/netcoreapp3.1/zh-Hans/Data.resources.dll": { "locale": "zh-Hans" } }
    },
    "Dup/1.0.0": { "runtime": { "lib/net6.0/Data.dll": {} } },
    "Empty/1.0.0": { "runtimeTargets": { "runtime/unix/lib/_._": { "rid": "unix", "assetType": "runtime" } } }
  } },
  "libraries": {
    "App/1.0.0": { "type": "project" },
    "Data/2.0.0": { "type": "package", "path": "data/2.0.0" },
    "Dup/1.0.0": { "type": "package" },
    "Empty/1.0.0": { "type": "package" }
  }
}"#;

    fn assets(rid: &str) -> Vec<(String, HostAssetType, String, String)> {
        let deps = DepsFile::parse(Path::new("App.deps.json"), DEPS.as_bytes()).unwrap();
        host_assets(
            &deps,
            &crate::host::rid::fallback_chain(rid, crate::host::rid::RidModel::Graph),
            "App",
        )
        .iter()
        .map(|a| {
            (
                a.library.key.clone(),
                a.asset_type,
                a.app_path(),
                a.store_path(),
            )
        })
        .collect::<Vec<_>>()
    }

    /// Regression: verify once ignored `localPath`, which planning honours, so the two looked
    /// for the same asset in different places.
    #[test]
    fn verify_looks_where_planning_removes_local_path_assets() {
        let text = DEPS.replace(
            r#""Dup/1.0.0": { "runtime": { "lib/net6.0/Data.dll": {} } },"#,
            r#""Dup/1.0.0": { "runtime": { "lib/net6.0/Dup.dll": { "localPath": "plugins/Dup.dll" } } },"#,
        );
        let deps = DepsFile::parse(Path::new("App.deps.json"), text.as_bytes()).unwrap();
        let dup = host_assets(
            &deps,
            &crate::host::rid::fallback_chain("linux-x64", crate::host::rid::RidModel::Graph),
            "App",
        )
        .into_iter()
        .find(|a| a.library.key == "Dup/1.0.0")
        .unwrap();
        assert_eq!(dup.app_path(), "plugins/Dup.dll");
        assert_eq!(
            crate::host::app_path(dup.asset).as_deref(),
            Some("plugins/Dup.dll")
        );
        // No `path` in `libraries`: the host probes `{name}/{version}` as written.
        assert_eq!(dup.store_path(), "Dup/1.0.0/lib/net6.0/Dup.dll");
    }

    #[test]
    fn rid_selection_and_the_tpa_order() {
        let linux = assets("linux-x64");
        let summary: Vec<(&str, HostAssetType, &str)> = linux
            .iter()
            .map(|(k, t, p, _)| (k.as_str(), *t, p.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                // App.dll is the app itself; Dup's Data.dll loses to Data's (same name).
                (
                    "Data/2.0.0",
                    HostAssetType::Runtime,
                    "runtimes/unix/lib/netcoreapp3.1/Data.dll"
                ),
                (
                    "Data/2.0.0",
                    HostAssetType::Native,
                    "runtimes/linux-x64/native/libdata.so"
                ),
                (
                    "Data/2.0.0",
                    HostAssetType::Resources,
                    "zh-Hans/Data.resources.dll"
                ),
            ]
        );
        assert_eq!(
            linux[0].3,
            "data/2.0.0/runtimes/unix/lib/netcoreapp3.1/Data.dll"
        );
        let win = assets("win-x64");
        assert_eq!(win[0].2, "runtimes/win/lib/netcoreapp3.1/Data.dll");
        assert_eq!(
            win.iter().filter(|a| a.1 == HostAssetType::Native).count(),
            0
        );
        // No RID matches: the plain assets stay.
        let other = assets("freebsd-x64");
        assert_eq!(other[0].2, "runtimes/unix/lib/netcoreapp3.1/Data.dll");
        let none = assets("browser-wasm");
        assert_eq!(none[0].2, "Data.dll");
    }

    #[test]
    fn missing_message_is_the_hosts() {
        let mut deps = DepsFile::parse(Path::new("App.deps.json"), DEPS.as_bytes()).unwrap();
        deps.libraries[1].runtime_store_manifest_name = Some("a.xml;b.xml".into());
        let list = host_assets(
            &deps,
            &crate::host::rid::fallback_chain("linux-x64", crate::host::rid::RidModel::Graph),
            "App",
        );
        assert_eq!(
            host_missing_message("App.deps.json", &list[0]),
            "An assembly specified in the application dependencies manifest (App.deps.json) was not found:\n    package: 'Data', version: '2.0.0'\n    path: 'runtimes/unix/lib/netcoreapp3.1/Data.dll'\n  This assembly was expected to be in the local runtime store as the application was published using the following target manifest files:\n    a.xml;b.xml"
        );
    }
}
