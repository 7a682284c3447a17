//! Inputs shared by the planning benchmarks: generated apps and their manifests and folders.
// Each bench target uses part of these helpers.
#![allow(dead_code)]

use std::path::Path;

use trim_publish::formats::deps::DepsFile;
use trim_publish::formats::manifest::{ManifestUnion, TargetManifest};
use trim_publish::inputs::inventory::Inventory;

/// A portable app with `n` packages: a runtime assembly, two resources and one runtimeTarget each.
pub fn generated_deps(n: usize) -> String {
    let mut targets = String::new();
    let mut libraries = String::new();
    for i in 0..n {
        let sep = if i + 1 == n { "" } else { "," };
        targets.push_str(&format!(
            r#"      "Pkg{i}/1.{i}.0": {{
        "runtime": {{ "lib/net6.0/Pkg{i}.dll": {{ "assemblyVersion": "1.0.0.0", "fileVersion": "1.{i}.0.0" }} }},
        "resources": {{
          "lib/net6.0/de/Pkg{i}.resources.dll": {{ "locale": "de" }},
          "lib/net6.0/fr/Pkg{i}.resources.dll": {{ "locale": "fr" }}
        }},
        "runtimeTargets": {{ "runtimes/linux-x64/native/libpkg{i}.so": {{ "rid": "linux-x64", "assetType": "native" }} }}
      }}{sep}
"#
        ));
        libraries.push_str(&format!(
            r#"    "Pkg{i}/1.{i}.0": {{ "type": "package", "serviceable": true, "sha512": "sha512-x", "path": "pkg{i}/1.{i}.0", "hashPath": "pkg{i}.1.{i}.0.nupkg.sha512" }}{sep}
"#
        ));
    }
    format!(
        "{{\n  \"runtimeTarget\": {{ \"name\": \".NETCoreApp,Version=v6.0\", \"signature\": \"\" }},\n  \"targets\": {{\n    \".NETCoreApp,Version=v6.0\": {{\n{targets}    }}\n  }},\n  \"libraries\": {{\n{libraries}  }}\n}}\n"
    )
}

/// A manifest of every other package of the app, and a folder holding every asset.
pub fn inputs_for(deps: &DepsFile) -> (ManifestUnion, Inventory) {
    let body: String = deps
        .packages
        .iter()
        .step_by(2)
        .map(|(i, id)| {
            format!(
                "<Package Id=\"{}\" Version=\"{}\"/>",
                deps.libraries[*i].name, id.version
            )
        })
        .collect();
    let manifest = TargetManifest::parse(
        Path::new("artifact.xml"),
        format!("<StoreArtifacts>{body}</StoreArtifacts>").as_bytes(),
    )
    .unwrap();
    let paths: Vec<String> = deps
        .libraries
        .iter()
        .flat_map(|l| {
            l.assets
                .iter()
                .filter_map(|a| trim_publish::host::app_path(a).map(|p| p.into_owned()))
        })
        .collect();
    let inventory = Inventory::from_files(paths.iter().map(|p| (p.as_str(), 1000)));
    (ManifestUnion::new(vec![manifest]), inventory)
}
