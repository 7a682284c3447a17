//! Tests over the real files in `../shared/corpus/` (deps.json files, manifests and publish
//! listings from public projects). They are read in place, never copied into the repository;
//! without the folder they fail (`TRIM_PUBLISH_CORPUS` points elsewhere), never pass silently.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;
use trim_publish::diagnostic::ToDiagnostic;
use trim_publish::formats::deps::{AssetKind, DepsFile, LibraryKind};
use trim_publish::formats::manifest::TargetManifest;

/// Every deps.json of the corpus: `deps/*.deps.json` and `publish-listings/*/app.deps.json`.
fn deps_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus.join("deps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".deps.json"))
        .collect();
    for e in fs::read_dir(corpus.join("publish-listings")).unwrap() {
        let p = e.unwrap().path().join("app.deps.json");
        if p.exists() {
            files.push(p);
        }
    }
    files.sort();
    files
}

fn parse_deps(path: &Path) -> DepsFile {
    DepsFile::parse(path, &fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}", e.to_diagnostic()))
}

fn is_self_contained(deps: &DepsFile) -> bool {
    deps.libraries.iter().any(|l| {
        let name = l.name.to_ascii_lowercase();
        l.kind == LibraryKind::RuntimePack
            || (name.starts_with("runtime.") && name.ends_with(".microsoft.netcore.app"))
    })
}

#[test]
fn every_corpus_deps_file_parses() {
    let corpus = common::corpus();
    let files = deps_files(&corpus);
    assert!(
        files.len() >= 20,
        "expected the whole corpus, found {}",
        files.len()
    );
    for path in files {
        let deps = parse_deps(&path);
        assert!(!deps.libraries.is_empty(), "{}", path.display());
        // Every package version in the corpus is a valid NuGet version.
        let packages = deps
            .libraries
            .iter()
            .filter(|l| l.kind == LibraryKind::Package)
            .count();
        assert_eq!(packages, deps.packages.len(), "{}", path.display());
    }
}

#[test]
fn every_corpus_manifest_parses() {
    let corpus = common::corpus();
    let mut seen = 0;
    for e in fs::read_dir(corpus.join("manifests")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "xml") {
            continue;
        }
        seen += 1;
        match TargetManifest::parse(&path, &fs::read(&path).unwrap()) {
            Ok(m) => assert!(!m.packages.is_empty(), "{}", path.display()),
            Err(e) => {
                // A malformed one must fail with a located, named error, never a panic.
                let d = e.to_diagnostic();
                assert_eq!(d.file.as_deref(), Some(path.as_path()));
                assert!(d.location.is_some(), "{d}");
            }
        }
    }
    assert!(seen >= 5);
    let multi =
        corpus.join("manifests/sdk-testasset-StoreManifests-NewtonsoftMultipleVersions.xml");
    let m = TargetManifest::parse(&multi, &fs::read(&multi).unwrap()).unwrap();
    assert_eq!(m.packages.len(), 2, "same id, two versions: both kept");
    let swash = corpus.join("manifests/dotnet-store-artifact-swashbuckle-netcoreapp2.2.xml");
    let m = TargetManifest::parse(&swash, &fs::read(&swash).unwrap()).unwrap();
    assert_eq!(m.packages.len(), 4);
}

/// Where each asset goes in a publish folder, computed independently of the tool (facts
/// section 4): runtime/native by file name, resources under their locale, runtimeTargets as
/// written; placeholders have no file.
fn published_paths(deps: &DepsFile, lib: &trim_publish::formats::deps::Library) -> Vec<String> {
    let _ = deps;
    lib.assets
        .iter()
        .filter(|a| !a.path.ends_with("/_._") && a.path != "_._")
        .filter_map(|a| {
            let name = a.path.rsplit('/').next().unwrap();
            match a.kind {
                AssetKind::Runtime | AssetKind::Native => Some(name.to_string()),
                AssetKind::Resource => Some(format!("{}/{name}", a.locale.as_ref().unwrap())),
                AssetKind::RuntimeTarget => Some(a.path.clone()),
                AssetKind::Compile => None,
            }
        })
        .collect()
}

/// trim-publish run in `dir` with these arguments (the digest cache off).
fn tool(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("trim-publish")
        .unwrap()
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .args(args)
        .output()
        .unwrap()
}

fn write_file(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn tfm_of(target: &str) -> String {
    // ".NETCoreApp,Version=v3.1" -> netcoreapp3.1, v5.0+ -> net5.0
    let v = target
        .split("Version=v")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    if v.starts_with(['1', '2', '3']) {
        format!("netcoreapp{v}")
    } else {
        format!("net{v}")
    }
}

/// Rebuilds a publish folder from a deps.json: every asset at its published path, with content
/// naming it, plus the deps.json and a runtimeconfig with the tfm.
fn rebuild(deps_path: &Path, deps: &DepsFile, dir: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for lib in &deps.libraries {
        for p in published_paths(deps, lib) {
            write_file(&dir.join(&p), p.as_bytes());
            files.insert(p);
        }
    }
    fs::copy(deps_path, dir.join("App.deps.json")).unwrap();
    let rc = format!(
        r#"{{"runtimeOptions":{{"tfm":"{}","framework":{{"name":"Microsoft.NETCore.App","version":"1.0.0"}}}}}}"#,
        tfm_of(&deps.runtime_target)
    );
    write_file(&dir.join("App.runtimeconfig.json"), rc.as_bytes());
    files.insert("App.deps.json".into());
    files.insert("App.runtimeconfig.json".into());
    files
}

fn listing(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn trimming_rebuilt_corpus_apps_leaves_exactly_the_expected_files() {
    let corpus = common::corpus();
    let mut trimmed_apps = 0;
    let mut refused_apps = 0;
    for deps_path in deps_files(&corpus) {
        let deps = parse_deps(&deps_path);
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().join("publish");
        let before = rebuild(&deps_path, &deps, &dir);

        // A manifest of every other package with runtime files, by exact version.
        let chosen: Vec<usize> = deps
            .packages
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| !published_paths(&deps, &deps.libraries[i]).is_empty())
            .enumerate()
            .filter(|(n, _)| n % 2 == 0)
            .map(|(_, i)| i)
            .collect();
        let body: String = chosen
            .iter()
            .map(|&i| {
                let l = &deps.libraries[i];
                format!(
                    "  <Package Id=\"{}\" Version=\"{}\" />\n",
                    l.name, l.version_text
                )
            })
            .collect();
        let manifest = tmp.path().join("artifact.xml");
        write_file(
            &manifest,
            format!("<StoreArtifacts>\n{body}</StoreArtifacts>\n").as_bytes(),
        );

        let out = Command::cargo_bin("trim-publish")
            .unwrap()
            .arg("-m")
            .arg(&manifest)
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if is_self_contained(&deps) {
            assert_eq!(
                out.status.code(),
                Some(1),
                "{}: {stderr}",
                deps_path.display()
            );
            assert!(stderr.contains("TP2002"), "{stderr}");
            assert_eq!(
                listing(&dir),
                before,
                "refused trim touched {}",
                deps_path.display()
            );
            refused_apps += 1;
            continue;
        }
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {stderr}",
            deps_path.display()
        );

        // Expected: everything, minus the chosen packages' files, plus files that a library
        // we keep also publishes at the same path.
        let chosen_set: BTreeSet<usize> = chosen.iter().copied().collect();
        let mut expected = before.clone();
        for &i in &chosen {
            for p in published_paths(&deps, &deps.libraries[i]) {
                expected.remove(&p);
            }
        }
        for (i, lib) in deps.libraries.iter().enumerate() {
            if !chosen_set.contains(&i) {
                expected.extend(published_paths(&deps, lib));
            }
        }
        assert_eq!(listing(&dir), expected, "{}", deps_path.display());

        // deps.json: every chosen package names the manifest after the names it already had
        // (an SDK-trimmed app keeps its aspnetcore-store names), nothing else changed shape.
        let after: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("App.deps.json")).unwrap()).unwrap();
        let original: serde_json::Value =
            serde_json::from_slice(&fs::read(&deps_path).unwrap()).unwrap();
        for &i in &chosen {
            let key = &deps.libraries[i].key;
            let expected = match original["libraries"][key]["runtimeStoreManifestName"].as_str() {
                Some(names) if names.split(';').any(|n| n == "artifact.xml") => names.to_string(),
                Some(names) if !names.is_empty() => format!("{names};artifact.xml"),
                _ => "artifact.xml".to_string(),
            };
            assert_eq!(
                after["libraries"][key]["runtimeStoreManifestName"],
                expected.as_str(),
                "{key}"
            );
        }
        assert_eq!(after["targets"], original["targets"]);
        trimmed_apps += 1;
    }
    assert!(trimmed_apps >= 10, "trimmed {trimmed_apps}");
    assert!(refused_apps >= 5, "refused {refused_apps}");
}

/// The one real SDK-trimmed publish folder of the corpus (ASP.NET Core 2.0, implicit store
/// manifests): rebuilt untrimmed from its deps.json, trimmed with the manifests reconstructed
/// from the derived table, it must end up with exactly the files the SDK left, and the deps.json
/// must come out byte for byte as the SDK wrote it.
#[test]
fn reproduces_the_sdk_trimmed_friendlyphonenumber_folder() {
    let corpus = common::corpus();
    let app = corpus.join("publish-listings/netcoreapp2.0-fdd-friendlyphonenumber");
    let deps_path = app.join("app.deps.json");
    let deps = parse_deps(&deps_path);
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("publish");
    rebuild(&deps_path, &deps, &dir);
    fs::remove_file(dir.join("App.runtimeconfig.json")).unwrap();
    fs::remove_file(dir.join("App.deps.json")).unwrap();

    // The SDK's folder: listing.tsv (path \t size). Its own deps/runtimeconfig get real copies.
    let sdk_files: BTreeSet<String> = fs::read_to_string(app.join("listing.tsv"))
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    for f in &sdk_files {
        if f.ends_with(".deps.json") {
            fs::copy(&deps_path, dir.join(f)).unwrap();
        } else if f.ends_with(".runtimeconfig.json") {
            write_file(
                &dir.join(f),
                br#"{"runtimeOptions":{"tfm":"netcoreapp2.0","framework":{"name":"Microsoft.NETCore.App","version":"2.0.0"}}}"#,
            );
        } else if !dir.join(f).exists() {
            write_file(&dir.join(f), f.as_bytes());
        }
    }

    // Manifests from the derived table, rows this app contributed, one file per manifest name.
    let mut manifests: BTreeMap<String, String> = BTreeMap::new();
    let table =
        fs::read_to_string(corpus.join("manifests/derived-aspnetcore-store-2.0.x-entries.tsv"))
            .unwrap();
    for row in table.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols[3].contains("friendlyphonenumber") {
            manifests
                .entry(cols[0].to_string())
                .or_default()
                .push_str(&format!(
                    "  <Package Id=\"{}\" Version=\"{}\" />\n",
                    cols[1], cols[2]
                ));
        }
    }
    assert!(manifests.len() >= 5, "{:?}", manifests.keys());
    let mut cmd = Command::cargo_bin("trim-publish").unwrap();
    for (name, body) in &manifests {
        let path = tmp.path().join(name);
        write_file(
            &path,
            format!("<StoreArtifacts>\n{body}</StoreArtifacts>\n").as_bytes(),
        );
        cmd.arg("-m").arg(path);
    }
    let out = cmd.arg(&dir).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        listing(&dir),
        sdk_files,
        "the trimmed folder differs from the SDK's"
    );
    let sdk_deps = fs::read(&deps_path).unwrap();
    assert_eq!(
        fs::read(dir.join("friendlyphonenumber.deps.json")).unwrap(),
        sdk_deps,
        "runtimeStoreManifestName values differ from the SDK's"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("removed 205 files"), "{text}");
}

/// `manifest --from-deps --exclude-framework` keeps only packages that bring files: on an
/// ASP.NET Core 2.1 app most of its ~300 packages are provided by the shared framework.
#[test]
fn exclude_framework_keeps_only_packages_with_files() {
    let corpus = common::corpus();
    let deps = parse_deps(&corpus.join("deps/netcoreapp2.1-fdd-qnaluisbot.deps.json"));
    let all = trim_publish::store_manifest::generate::from_deps(&deps, false);
    let lean = trim_publish::store_manifest::generate::from_deps(&deps, true);
    assert_eq!(all.len(), deps.packages.len());
    assert!(
        !lean.is_empty() && lean.len() * 5 < all.len(),
        "{} of {}",
        lean.len(),
        all.len()
    );
    for p in &lean {
        let lib = deps
            .libraries
            .iter()
            .find(|l| l.name == p.id && l.version_text == p.version)
            .unwrap();
        assert!(
            lib.assets.iter().any(|a| a.kind != AssetKind::Compile),
            "{}",
            lib.key
        );
    }
}

/// Builds the folder of a corpus app, trims `package` (id/version) from it with a manifest that
/// lists only that package, and returns the folder. `store_skip` filters which of the package's
/// files go into a store beside it (`store/{arch}/{tfm}/{path}/{asset}`).
fn trimmed_corpus_app(
    deps_file: &str,
    package: &str,
    store_skip: &dyn Fn(&str) -> bool,
) -> (TempDir, PathBuf) {
    let path = common::corpus().join(deps_file);
    let deps = parse_deps(&path);
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("publish");
    rebuild(&path, &deps, &dir);
    let lib = deps
        .libraries
        .iter()
        .find(|l| l.key == package)
        .expect("the package is in the corpus file");
    let probe = tmp
        .path()
        .join("store/x64")
        .join(tfm_of(&deps.runtime_target));
    fs::create_dir_all(&probe).unwrap();
    for a in &lib.assets {
        if a.kind != AssetKind::Compile && !a.path.ends_with("_._") && !store_skip(&a.path) {
            write_file(
                &probe.join(lib.path.as_deref().unwrap()).join(&a.path),
                a.path.as_bytes(),
            );
        }
    }
    let (id, version) = package.split_once('/').unwrap();
    write_file(
        &tmp.path().join("m.xml"),
        format!("<StoreArtifacts><Package Id=\"{id}\" Version=\"{version}\" /></StoreArtifacts>")
            .as_bytes(),
    );
    let out = tool(tmp.path(), &["-m", "m.xml", "--no-cache", "publish"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, dir)
}

fn verify(tmp: &TempDir, rid: &str) -> (Option<i32>, String) {
    let out = tool(
        tmp.path(),
        &[
            "verify", "--store", "store", "--rid", rid, "--format", "json", "publish",
        ],
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Regression (issue 14): `verify --rid win10-x64` stopped at win-x64 and never reached
/// win7-x64, so a 2.0 app whose `runtimes/win7-x64/native/` asset the store lacks "would start".
#[test]
fn verify_walks_the_rid_graph_from_win10_to_win7() {
    let (tmp, _) = trimmed_corpus_app(
        "deps/netcoreapp2.0-fdd-contosouniversity.deps.json",
        "SQLitePCLRaw.lib.e_sqlite3.v110_xp/1.1.7",
        &|asset| asset.contains("win7-x64"),
    );
    let (code, json) = verify(&tmp, "win10-x64");
    assert_eq!(code, Some(1), "{json}");
    assert!(
        json.contains("runtimes/win7-x64/native/e_sqlite3.dll"),
        "{json}"
    );
    assert!(json.contains("\"ridModel\": \"graph\""), "{json}");
    // With the asset in the store, the same app starts.
    let (tmp, _) = trimmed_corpus_app(
        "deps/netcoreapp2.0-fdd-contosouniversity.deps.json",
        "SQLitePCLRaw.lib.e_sqlite3.v110_xp/1.1.7",
        &|_| false,
    );
    assert_eq!(verify(&tmp, "win10-x64").0, Some(0));
}

/// Regression (issue 14): distro RIDs never reached `linux`/`unix`, so a net6.0 app whose
/// `runtimes/unix/...` asset the store lacks "would start" on ubuntu.20.04-x64 (the plain asset,
/// which the store has, was chosen instead).
#[test]
fn verify_takes_distro_rids_to_unix() {
    let (tmp, _) = trimmed_corpus_app(
        "deps/net6.0-fdd-mpay-api.deps.json",
        "System.Drawing.Common/6.0.0",
        &|asset| asset.starts_with("runtimes/unix/"),
    );
    for rid in [
        "ubuntu.20.04-x64",
        "rhel.7-x64",
        "alpine.3.13-x64",
        "linux-x64",
    ] {
        let (code, json) = verify(&tmp, rid);
        assert_eq!(code, Some(1), "{rid}: {json}");
        assert!(
            json.contains("runtimes/unix/lib/net6.0/System.Drawing.Common.dll"),
            "{rid}: {json}"
        );
    }
    // On Windows the win asset is chosen, which the store has.
    assert_eq!(verify(&tmp, "win10-x64").0, Some(0));
}

/// Regression (issue 14): a build output (bin/: deps.json and runtimeconfig, packages left in the
/// NuGet cache) was "trimmed" with 0 files removed and every deps.json entry rewritten, without a
/// word. It is refused, and nothing changes.
#[test]
fn a_build_output_is_refused_not_trimmed() {
    let path = common::corpus().join("deps/net6.0-fdd-mpay-api.deps.json");
    let deps = parse_deps(&path);
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("bin");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(&path, dir.join("App.deps.json")).unwrap();
    write_file(
        &dir.join("App.runtimeconfig.json"),
        br#"{"runtimeOptions":{"tfm":"net6.0","framework":{"name":"Microsoft.NETCore.App","version":"6.0.0"}}}"#,
    );
    write_file(
        &dir.join("App.runtimeconfig.dev.json"),
        br#"{"runtimeOptions":{"additionalProbingPaths":["/root/.nuget/packages"]}}"#,
    );
    write_file(
        &tmp.path().join("m.xml"),
        common::manifest_of_every_package(&deps).as_bytes(),
    );
    let before = listing(&dir);
    let deps_before = fs::read(dir.join("App.deps.json")).unwrap();
    let out = tool(tmp.path(), &["-m", "m.xml", "bin"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[TP2009]"), "{err}");
    assert!(err.contains("App.runtimeconfig.dev.json is there"), "{err}");
    assert_eq!(listing(&dir), before);
    assert_eq!(fs::read(dir.join("App.deps.json")).unwrap(), deps_before);
}

/// Regression (issue 14): `manifest --from-deps --exclude-framework` on a self-contained app
/// before .NET Core 3.0 listed the runtime and host packages it carries.
#[test]
fn exclude_framework_leaves_out_the_runtime_packages_of_old_self_contained_apps() {
    let path = common::corpus().join("wild/68/TestIisIntegration.deps.json");
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("trim-publish")
            .unwrap()
            .args(["manifest", "--from-deps"])
            .arg(&path)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let all = run(&[]);
    assert!(
        all.contains("runtime.win-x64.Microsoft.NETCore.App"),
        "{all}"
    );
    let excluded = run(&["--exclude-framework"]);
    for runtime in [
        "Microsoft.NETCore.App\"",
        "DotNetHostPolicy",
        "DotNetHostResolver",
        "DotNetAppHost",
    ] {
        assert!(!excluded.contains(runtime), "{runtime} in {excluded}");
    }
    assert!(
        excluded.contains("Microsoft.AspNetCore\" Version=\"2.2.0\""),
        "{excluded}"
    );
}
