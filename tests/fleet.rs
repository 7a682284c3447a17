//! `manifest --from-apps` on generated fleets: the manifest holds exactly the package identities
//! that at least K apps use; every app trimmed with it starts (`verify`) against a store built by
//! hand, in the layout the host probes, from the manifest's packages.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{Rng, RunAssert};

/// A package of the generated pool: id, version, and its one runtime file.
fn pool(i: usize) -> (String, String) {
    // Two versions of some ids: identities, not ids, are what a store holds.
    (format!("Pool.Package{}", i % 30), format!("1.{}.0", i / 30))
}

/// Writes a framework-dependent app using these pool packages; returns its folder.
fn write_app(root: &Path, name: &str, tfm: &str, packages: &[usize]) -> PathBuf {
    let dir = root.join(name);
    fs::create_dir_all(&dir).unwrap();
    let mut targets = format!("\"{name}/1.0.0\": {{ \"runtime\": {{ \"{name}.dll\": {{}} }} }}");
    let mut libraries = format!(
        "\"{name}/1.0.0\": {{ \"type\": \"project\", \"serviceable\": false, \"sha512\": \"\" }}"
    );
    for &i in packages {
        let (id, version) = pool(i);
        targets.push_str(&format!(
            ",\n\"{id}/{version}\": {{ \"runtime\": {{ \"lib/netstandard2.0/{id}.dll\": {{}} }} }}"
        ));
        libraries.push_str(&format!(
            ",\n\"{id}/{version}\": {{ \"type\": \"package\", \"serviceable\": true, \"sha512\": \"\", \"path\": \"{}/{version}\" }}",
            id.to_lowercase()
        ));
        // The same identity has the same bytes in every app.
        fs::write(dir.join(format!("{id}.dll")), format!("{id} {version}")).unwrap();
    }
    let framework = if tfm == "net6.0" { "6.0.0" } else { "3.1.0" };
    let target = if tfm == "net6.0" {
        ".NETCoreApp,Version=v6.0"
    } else {
        ".NETCoreApp,Version=v3.1"
    };
    fs::write(
        dir.join(format!("{name}.deps.json")),
        format!("{{ \"runtimeTarget\": {{ \"name\": \"{target}\" }}, \"targets\": {{ \"{target}\": {{ {targets} }} }}, \"libraries\": {{ {libraries} }} }}"),
    )
    .unwrap();
    fs::write(
        dir.join(format!("{name}.runtimeconfig.json")),
        format!("{{ \"runtimeOptions\": {{ \"tfm\": \"{tfm}\", \"framework\": {{ \"name\": \"Microsoft.NETCore.App\", \"version\": \"{framework}\" }} }} }}"),
    )
    .unwrap();
    fs::write(dir.join(format!("{name}.dll")), name).unwrap();
    dir
}

fn tool(root: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("trim-publish")
        .unwrap()
        .current_dir(root)
        .env("XDG_CACHE_HOME", root.join(".cache"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_manifest_holds_exactly_what_k_apps_use_and_every_trimmed_app_starts() {
    for seed in 1..=4u64 {
        let mut rng = Rng(seed);
        let tmp = tempfile::TempDir::new().unwrap();
        let root = tmp.path();
        let k = 2 + rng.below(3);
        let mut usage: BTreeMap<usize, usize> = BTreeMap::new();
        let mut apps = Vec::new();
        for a in 0..12 {
            let packages: BTreeSet<usize> = (0..8 + rng.below(10)).map(|_| rng.below(45)).collect();
            // One version of an id per app, as NuGet resolves it.
            let mut ids = BTreeSet::new();
            let packages: Vec<usize> = packages
                .into_iter()
                .filter(|&i| ids.insert(i % 30))
                .collect();
            for &i in &packages {
                *usage.entry(i).or_default() += 1;
            }
            apps.push(write_app(
                root,
                &format!("App{a}"),
                "netcoreapp3.1",
                &packages,
            ));
        }
        let expected: BTreeSet<(String, String)> = usage
            .iter()
            .filter(|(_, &n)| n >= k)
            .map(|(&i, _)| pool(i))
            .collect();

        let mut args = vec![
            "manifest".to_string(),
            "--min-apps".into(),
            k.to_string(),
            "-o".into(),
            "artifact.xml".into(),
            "--from-apps".into(),
        ];
        args.extend(apps.iter().map(|a| a.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tool(root, &args)
            .code(0)
            .stderr_has(&["12 app(s)", "fleet:"]);
        let manifest = fs::read_to_string(root.join("artifact.xml")).unwrap();
        let listed: BTreeSet<(String, String)> = manifest
            .lines()
            .filter_map(|l| {
                let id = l.split("Id=\"").nth(1)?.split('"').next()?;
                let version = l.split("Version=\"").nth(1)?.split('"').next()?;
                Some((id.to_string(), version.to_string()))
            })
            .collect();
        assert_eq!(listed, expected, "seed {seed}, K {k}");

        // A store built by hand from the manifest's packages, in the layout the host probes.
        let probe = root.join("store/x64/netcoreapp3.1");
        for (id, version) in &listed {
            let dir = probe
                .join(id.to_lowercase())
                .join(version)
                .join("lib/netstandard2.0");
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(format!("{id}.dll")), format!("{id} {version}")).unwrap();
        }
        for app in &apps {
            let app = app.to_str().unwrap();
            // An app on another version of a chosen id keeps that package (see TP6006).
            tool(
                root,
                &[
                    "-m",
                    "artifact.xml",
                    "--store",
                    "store",
                    "--allow-version-mismatch",
                    app,
                ],
            )
            .code(0);
            tool(root, &["verify", "--store", "store", app]).code(0);
        }
    }
}

#[test]
fn the_json_report_and_apps_left_out() {
    let tmp = tempfile::TempDir::new().unwrap();
    let root = tmp.path();
    let a = write_app(root, "A", "netcoreapp3.1", &[1, 2, 3]);
    let b = write_app(root, "B", "netcoreapp3.1", &[1, 2, 4]);
    let sc = write_app(root, "Sc", "netcoreapp3.1", &[1, 2]);
    let rc = sc.join("Sc.runtimeconfig.json");
    fs::write(
        &rc,
        fs::read_to_string(&rc)
            .unwrap()
            .replace("\"framework\"", "\"includedFrameworks\": [], \"x\""),
    )
    .unwrap();
    let out = tool(
        root,
        &[
            "manifest",
            "--format",
            "json",
            "--from-apps",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            sc.to_str().unwrap(),
        ],
    )
    .code(0);
    out.stderr_has(&["warning[TP6003]: left out of the fleet: it is self-contained"]);
    let v = out.json();
    assert_eq!(v["minApps"], 2);
    let g = &v["groups"][0];
    assert_eq!(
        (g["arch"].as_str(), g["tfm"].as_str()),
        (Some("x64"), Some("netcoreapp3.1"))
    );
    let ids: Vec<&str> = g["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["Pool.Package1", "Pool.Package2"]);
    for app in g["apps"].as_array().unwrap() {
        assert_eq!(app["filesRemoved"], 2, "{app}");
    }
    let store = g["storeBytes"].as_u64().unwrap();
    let before = g["bytesBefore"].as_u64().unwrap();
    let removed: u64 = g["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["bytesRemoved"].as_u64().unwrap())
        .sum();
    assert_eq!(g["bytesAfter"].as_u64().unwrap(), before - removed + store);
    assert_eq!(v["skipped"][0]["dir"], sc.to_str().unwrap());
}

#[test]
fn several_frameworks_need_one_manifest_each() {
    let tmp = tempfile::TempDir::new().unwrap();
    let root = tmp.path();
    let apps = [
        write_app(root, "A", "netcoreapp3.1", &[1, 2]),
        write_app(root, "B", "netcoreapp3.1", &[1, 2]),
        write_app(root, "C", "net6.0", &[1, 3]),
        write_app(root, "D", "net6.0", &[1, 3]),
    ];
    let mut args = vec!["manifest", "--from-apps"];
    let paths: Vec<String> = apps.iter().map(|a| a.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    tool(root, &args).code(2).stderr_has(&[
        "error[TP6005]",
        "x64/net6.0 (",
        "x64/netcoreapp3.1 (",
        "--out-dir",
    ]);
    args.extend(["--out-dir", "stores"]);
    tool(root, &args).code(0);
    let net6 = fs::read_to_string(root.join("stores/x64/net6.0/artifact.xml")).unwrap();
    let core31 = fs::read_to_string(root.join("stores/x64/netcoreapp3.1/artifact.xml")).unwrap();
    assert!(
        net6.contains("Pool.Package3") && !net6.contains("Pool.Package2"),
        "{net6}"
    );
    assert!(
        core31.contains("Pool.Package2") && !core31.contains("Pool.Package3"),
        "{core31}"
    );
}

/// With `--format json` and `-o FILE`, the manifest goes to the file and the report to stdout
/// (the report once overwrote the manifest).
#[test]
fn json_goes_to_stdout_and_the_manifest_to_the_file() {
    let tmp = tempfile::TempDir::new().unwrap();
    let root = tmp.path();
    let a = write_app(root, "A", "netcoreapp3.1", &[1, 2]);
    let b = write_app(root, "B", "netcoreapp3.1", &[1, 2]);
    let out = tool(
        root,
        &[
            "manifest",
            "--format",
            "json",
            "-o",
            "artifact.xml",
            "--from-apps",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
    )
    .code(0);
    assert_eq!(
        out.json()["groups"][0]["packages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let manifest = fs::read_to_string(root.join("artifact.xml")).unwrap();
    assert!(
        manifest.starts_with("<StoreArtifacts>") && manifest.contains("Pool.Package2"),
        "{manifest}"
    );
}
