//! Trim and verify share one model of the host (`trim_publish::host`): on every real deps.json of
//! `../shared/corpus/`, each file `verify` would look for, for any RID, in a package the trim
//! removes, is a file the trim plans to remove, at the same app path, with the same store path.
//! If planning and the host model ever disagree again (they once did, on `localPath` and
//! `locale`), a trimmed folder would pass `verify` while the host fails, or the reverse.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use trim_publish::formats::deps::{DepsFile, LibraryKind};
use trim_publish::formats::manifest::{ManifestUnion, TargetManifest};
use trim_publish::formats::runtimeconfig::RuntimeConfig;
use trim_publish::host::resolve::host_assets;
use trim_publish::host::rid::{fallback_chain, RidModel};
use trim_publish::host::store::{package_dir, store_relative_path};
use trim_publish::inputs::inventory::Inventory;
use trim_publish::trim::plan::{plan, PlanInput, PlanOptions};

/// Every deps.json of the corpus: `deps/`, `publish-listings/*/` and `wild/*/`.
fn corpus_deps_files() -> Vec<PathBuf> {
    let corpus = common::corpus();
    let mut files = Vec::new();
    for sub in ["deps", "publish-listings", "wild"] {
        for entry in walkdir::WalkDir::new(corpus.join(sub)) {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().ends_with(".deps.json") {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files
}

/// A manifest listing every package of the app at its exact version.
fn everything(deps: &DepsFile) -> ManifestUnion {
    let xml = common::manifest_of_every_package(deps);
    ManifestUnion::new(vec![TargetManifest::parse(
        Path::new("all.xml"),
        xml.as_bytes(),
    )
    .unwrap()])
}

#[test]
fn trim_and_verify_agree_on_every_corpus_deps_file() {
    let runtime_config = RuntimeConfig::parse(
        Path::new("App.runtimeconfig.json"),
        br#"{"runtimeOptions":{"tfm":"net6.0","framework":{"name":"Microsoft.NETCore.App","version":"6.0.0"}}}"#,
    )
    .unwrap();
    let (mut apps, mut assets_compared) = (0, 0);
    for path in corpus_deps_files() {
        let deps = DepsFile::parse(&path, &fs::read(&path).unwrap()).unwrap();
        // Every file the deps.json names is in the folder, so every planned file is a removal.
        let mut inventory = Inventory::from_files([]);
        let mut rids = BTreeSet::from([
            "linux-x64".to_string(),
            "win-x64".to_string(),
            "osx-arm64".to_string(),
        ]);
        // A RID that matches no runtimeTargets entry: the host then takes the plain assets.
        rids.insert("unknown-x64".to_string());
        for lib in &deps.libraries {
            for asset in &lib.assets {
                if let Some(p) = trim_publish::host::app_path(asset) {
                    inventory.insert(
                        p.into_owned(),
                        trim_publish::inputs::inventory::Entry {
                            kind: trim_publish::inputs::inventory::EntryKind::File,
                            size: 1,
                            stamp: None,
                        },
                    );
                }
                if let Some(rid) = &asset.rid {
                    rids.insert(rid.clone());
                }
            }
        }
        let union = everything(&deps);
        let options = PlanOptions::default();
        let planned = plan(&PlanInput {
            union: &union,
            deps: &deps,
            runtime_config: &runtime_config,
            runtime_config_path: Path::new("App.runtimeconfig.json"),
            inventory: &inventory,
            options: &options,
        });
        if !planned.errors.is_empty() {
            // Self-contained apps are refused before any file is planned: nothing to compare.
            continue;
        }
        apps += 1;
        // (library, asset path) -> (app path, store path) as planning sees them.
        let mut by_asset: HashMap<(&str, &str), (&str, String)> = HashMap::new();
        for p in &planned.packages {
            for f in &p.files {
                by_asset.insert(
                    (p.library_key.as_str(), f.asset.as_str()),
                    (
                        f.path.as_str(),
                        store_relative_path(&p.package_dir, &f.asset),
                    ),
                );
            }
        }
        for rid in &rids {
            for asset in host_assets(&deps, &fallback_chain(rid, RidModel::Graph), "App") {
                if asset.library.kind != LibraryKind::Package {
                    continue;
                }
                let key = (asset.library.key.as_str(), asset.asset.path.as_str());
                let Some((app_path, store_path)) = by_asset.get(&key) else {
                    panic!(
                        "{}: for {rid}, the host loads {} of {}, which the trim does not plan",
                        path.display(),
                        asset.asset.path,
                        asset.library.key
                    );
                };
                assert_eq!(
                    *app_path,
                    asset.app_path(),
                    "{}: {key:?} for {rid}",
                    path.display()
                );
                assert_eq!(
                    *store_path,
                    asset.store_path(),
                    "{}: {key:?}",
                    path.display()
                );
                assert_eq!(
                    asset.store_path(),
                    store_relative_path(&package_dir(asset.library), &asset.asset.path)
                );
                assets_compared += 1;
            }
        }
    }
    assert!(
        apps >= 60,
        "expected the whole corpus, compared {apps} apps"
    );
    assert!(assets_compared > 10_000, "{assets_compared}");
    println!("trim and verify agree on {apps} corpus apps ({assets_compared} host assets)");
}
