//! Manifests as a product: write the artifact.xml that describes an existing store, list an app's
//! packages as a manifest or as a `packages.csproj` for `dotnet store --manifest`, and compare two
//! manifests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::formats::deps::{AssetKind, DepsFile, LibraryKind};
use crate::formats::manifest::TargetManifest;
use crate::formats::nuget::{NuGetVersion, PackageId};

/// A package as a manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub id: String,
    pub version: String,
}

pub(crate) fn sort(packages: &mut [Listed]) {
    packages.sort_by(|a, b| {
        PackageId::new(a.id.clone())
            .cmp(&PackageId::new(b.id.clone()))
            .then_with(|| {
                match (
                    NuGetVersion::parse(&a.version),
                    NuGetVersion::parse(&b.version),
                ) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => a.version.cmp(&b.version),
                }
            })
    });
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// `<StoreArtifacts>` with one `<Package>` per entry, as `dotnet store` writes it.
pub fn artifact_xml(packages: &[Listed]) -> String {
    element_per_package(
        "<StoreArtifacts>\n",
        "  <Package Id",
        packages,
        "</StoreArtifacts>\n",
    )
}

/// A project for `dotnet store --manifest packages.csproj --framework TFM --runtime RID`.
pub fn store_project(packages: &[Listed], tfm: &str) -> String {
    let head = format!(
        "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>{}</TargetFramework>\n  </PropertyGroup>\n  <ItemGroup>\n",
        escape_attribute(tfm)
    );
    element_per_package(
        &head,
        "    <PackageReference Include",
        packages,
        "  </ItemGroup>\n</Project>\n",
    )
}

/// `head`, one `{element}="id" Version="version" />` line per package, `tail`.
fn element_per_package(head: &str, element: &str, packages: &[Listed], tail: &str) -> String {
    let mut out = head.to_string();
    for p in packages {
        let _ = writeln!(
            out,
            "{element}=\"{}\" Version=\"{}\" />",
            escape_attribute(&p.id),
            escape_attribute(&p.version)
        );
    }
    out.push_str(tail);
    out
}

/// `.NETCoreApp,Version=v3.1` -> `netcoreapp3.1`, `v6.0` -> `net6.0`.
pub fn tfm_from_target(runtime_target: &str) -> Option<String> {
    let version = runtime_target
        .split("Version=v")
        .nth(1)?
        .split('/')
        .next()?;
    let major: u32 = version.split('.').next()?.parse().ok()?;
    Some(if major < 5 {
        format!("netcoreapp{version}")
    } else {
        format!("net{version}")
    })
}

/// The app's NuGet packages at their versions. With `exclude_framework`, packages that bring no
/// file of their own (no runtime, native or resource asset: the shared framework provides them, or
/// they are metapackages) are left out, which keeps a store from carrying what every host
/// already has (dotnet/cli#10784).
pub fn from_deps(deps: &DepsFile, exclude_framework: bool) -> Vec<Listed> {
    let mut out: Vec<Listed> = deps
        .libraries
        .iter()
        .filter(|l| l.kind == LibraryKind::Package)
        .filter(|l| {
            !exclude_framework
                || (!is_runtime_package(&l.name)
                    && l.assets
                        .iter()
                        .any(|a| a.kind != AssetKind::Compile && !a.is_placeholder()))
        })
        .map(|l| Listed {
            id: l.name.clone(),
            version: l.version_text.clone(),
        })
        .collect();
    sort(&mut out);
    out.dedup();
    out
}

/// The packages that carry the runtime and its host in a self-contained app before .NET Core 3.0
/// (`runtime.win-x86.Microsoft.NETCore.App`, `Microsoft.NETCore.DotNetHostPolicy`, ...): they are
/// the framework, never store content.
fn is_runtime_package(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let unprefixed = match name.strip_prefix("runtime.") {
        // `runtime.<rid>.Microsoft.NETCore.App`
        Some(rest) => rest
            .split_once('.')
            .map_or(rest, |(_, after_rid)| after_rid),
        None => name.as_str(),
    };
    unprefixed == "microsoft.netcore.app"
        || unprefixed.starts_with("microsoft.netcore.dotnethost")
        || unprefixed == "microsoft.netcore.dotnetapphost"
}

/// Finds the `{arch}/{tfm}` folder of a store: DIR itself when it holds package folders,
/// `DIR/{arch}/{tfm}` when given or when it is the only one.
pub fn store_level(dir: &Path, arch: Option<&str>, tfm: Option<&str>) -> Result<PathBuf, String> {
    if let (Some(a), Some(t)) = (arch, tfm) {
        let level = dir.join(a).join(t);
        return if level.is_dir() {
            Ok(level)
        } else if dir.ends_with(Path::new(a).join(t)) && dir.is_dir() {
            Ok(dir.to_path_buf())
        } else {
            Err(format!("{} does not exist", level.display()))
        };
    }
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    let arches = ["x64", "x86", "arm64", "arm"];
    let mut levels = Vec::new();
    for a in subdirectories(dir) {
        let name = crate::formats::text::file_name(&a);
        if arches.contains(&name.as_str()) && arch.is_none_or(|x| x == name) {
            for t in subdirectories(&a) {
                let tname = crate::formats::text::file_name(&t);
                if tfm.is_none_or(|x| x == tname) {
                    levels.push(t);
                }
            }
        }
    }
    match levels.len() {
        1 => Ok(levels.remove(0)),
        0 => Ok(dir.to_path_buf()),
        _ => {
            levels.sort();
            Err(format!(
                "the store has several {{arch}}/{{tfm}} folders ({}); choose one with --arch and --tfm",
                levels
                    .iter()
                    .map(|l| l.strip_prefix(dir).unwrap_or(l).display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }
}

/// Every `{id}/{version}` folder of a store level. The id's casing comes from the package's
/// `.nuspec` when there is one (store folders are lower case); folders whose name is not a NuGet
/// version are reported and skipped.
pub fn from_store(level: &Path) -> (Vec<Listed>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for id_dir in subdirectories(level) {
        let folder_id = crate::formats::text::file_name(&id_dir);
        for v_dir in subdirectories(&id_dir) {
            let version = crate::formats::text::file_name(&v_dir);
            if NuGetVersion::parse(&version).is_err() {
                warnings.push(
                    Diagnostic::warning(
                        crate::diagnostic::codes::STORE_FOLDER_SKIPPED,
                        format!("`{version}` is not a NuGet version, so this folder is not a package of the store; skipped"),
                    )
                    .in_file(&v_dir),
                );
                continue;
            }
            let id = nuspec_id(&v_dir, &folder_id).unwrap_or_else(|| folder_id.clone());
            out.push(Listed { id, version });
        }
    }
    sort(&mut out);
    (out, warnings)
}

/// The folders directly inside `dir`, sorted; none when it cannot be read. Links to folders
/// count: listing a store only reads it, and stores are often assembled with links.
fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// The `<id>` of the `.nuspec` in a package folder.
fn nuspec_id(dir: &Path, folder_id: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(format!("{folder_id}.nuspec"))).ok()?;
    let start = text.find("<id>")? + 4;
    let end = start + text[start..].find("</id>")?;
    let id = text[start..end].trim();
    (id.eq_ignore_ascii_case(folder_id)).then(|| id.to_string())
}

/// What changed from manifest `a` to manifest `b`, by package id.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ManifestDiff {
    pub added: Vec<(String, Vec<String>)>,
    pub removed: Vec<(String, Vec<String>)>,
    /// id, versions in `a`, versions in `b`.
    pub reversioned: Vec<(String, Vec<String>, Vec<String>)>,
}

impl ManifestDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.reversioned.is_empty()
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (id, v) in &self.added {
            let _ = writeln!(out, "+ {id} {}", v.join(", "));
        }
        for (id, v) in &self.removed {
            let _ = writeln!(out, "- {id} {}", v.join(", "));
        }
        for (id, a, b) in &self.reversioned {
            let _ = writeln!(out, "~ {id} {} -> {}", a.join(", "), b.join(", "));
        }
        if self.is_empty() {
            out.push_str("the manifests list the same packages\n");
        } else {
            let _ = writeln!(
                out,
                "{} added, {} removed, {} re-versioned",
                self.added.len(),
                self.removed.len(),
                self.reversioned.len()
            );
        }
        out
    }
}

/// Compares by NuGet identity: ids ignoring case, versions by NuGet equality.
pub fn diff(a: &TargetManifest, b: &TargetManifest) -> ManifestDiff {
    let index = |m: &TargetManifest| {
        let mut map: BTreeMap<PackageId, (String, Vec<NuGetVersion>)> = BTreeMap::new();
        for p in &m.packages {
            let entry = map
                .entry(p.identity.id.clone())
                .or_insert_with(|| (p.identity.id.to_string(), Vec::new()));
            entry.1.push(p.identity.version.clone());
        }
        for (_, versions) in map.values_mut() {
            versions.sort();
        }
        map
    };
    let (ia, ib) = (index(a), index(b));
    let text = |v: &[NuGetVersion]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut d = ManifestDiff::default();
    for (id, (name, versions)) in &ib {
        match ia.get(id) {
            None => d.added.push((name.clone(), text(versions))),
            Some((_, old)) if old != versions => {
                d.reversioned
                    .push((name.clone(), text(old), text(versions)))
            }
            Some(_) => {}
        }
    }
    for (id, (name, versions)) in &ia {
        if !ib.contains_key(id) {
            d.removed.push((name.clone(), text(versions)));
        }
    }
    d
}

#[cfg(test)]
mod tests {

    #[test]
    fn runtime_and_host_packages_are_the_framework() {
        for name in [
            "runtime.win-x86.Microsoft.NETCore.App",
            "Microsoft.NETCore.App",
            "runtime.linux-x64.Microsoft.NETCore.DotNetHostPolicy",
            "Microsoft.NETCore.DotNetHostResolver",
            "runtime.win-x64.Microsoft.NETCore.DotNetAppHost",
        ] {
            assert!(is_runtime_package(name), "{name}");
        }
        for name in [
            "Newtonsoft.Json",
            "runtime.native.System",
            "Microsoft.NETCore.Platforms",
        ] {
            assert!(!is_runtime_package(name), "{name}");
        }
    }

    use super::*;

    fn listed(id: &str, v: &str) -> Listed {
        Listed {
            id: id.into(),
            version: v.into(),
        }
    }

    #[test]
    fn writes_manifests_and_projects_that_read_back() {
        let packages = vec![listed("A&B", "1.0.0"), listed("Newtonsoft.Json", "13.0.1")];
        let xml = artifact_xml(&packages);
        let m = TargetManifest::parse(Path::new("x.xml"), xml.as_bytes()).unwrap();
        let ids: Vec<String> = m.packages.iter().map(|p| p.identity.to_string()).collect();
        assert_eq!(ids, ["A&B 1.0.0", "Newtonsoft.Json 13.0.1"]);
        let csproj = store_project(&packages, "net8.0");
        assert!(csproj.contains("<PackageReference Include=\"A&amp;B\" Version=\"1.0.0\" />"));
        assert!(csproj.contains("<TargetFramework>net8.0</TargetFramework>"));
        let found = crate::formats::project::target_manifest_files(
            Path::new("/p/x.csproj"),
            csproj.as_bytes(),
            &[],
        );
        assert!(
            found.is_err(),
            "a store project sets no TargetManifestFiles"
        );
    }

    #[test]
    fn tfms() {
        assert_eq!(
            tfm_from_target(".NETCoreApp,Version=v3.1").as_deref(),
            Some("netcoreapp3.1")
        );
        assert_eq!(
            tfm_from_target(".NETCoreApp,Version=v8.0/linux-x64").as_deref(),
            Some("net8.0")
        );
        assert_eq!(tfm_from_target("weird"), None);
    }

    #[test]
    fn diffs_by_identity() {
        let a = TargetManifest::parse(
            Path::new("a.xml"),
            br#"<StoreArtifacts><Package Id="Keep" Version="1.0"/><Package Id="Gone" Version="2.0"/><Package Id="Bump" Version="1.0"/></StoreArtifacts>"#,
        )
        .unwrap();
        let b = TargetManifest::parse(
            Path::new("b.xml"),
            br#"<StoreArtifacts><Package Id="keep" Version="1.0.0"/><Package Id="New" Version="3.0"/><Package Id="Bump" Version="1.1"/></StoreArtifacts>"#,
        )
        .unwrap();
        let d = diff(&a, &b);
        assert_eq!(d.added, [("New".to_string(), vec!["3.0".to_string()])]);
        assert_eq!(d.removed, [("Gone".to_string(), vec!["2.0".to_string()])]);
        assert_eq!(
            d.reversioned,
            [(
                "Bump".to_string(),
                vec!["1.0".to_string()],
                vec!["1.1".to_string()]
            )]
        );
        assert!(diff(&a, &a).is_empty());
        assert!(d
            .to_text()
            .ends_with("1 added, 1 removed, 1 re-versioned\n"));
    }
}
