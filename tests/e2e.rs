//! End-to-end: trim-publish's verdicts against the real .NET Core 3.1 host.
//!
//! The fixture is built from `testdata/e2e/src` with `mcs` and `gcc`: an app using three
//! packages (a runtime assembly with a German satellite, a second runtime assembly, a managed
//! wrapper around a native library chosen through `runtimeTargets`), its SDK-format deps.json and
//! runtimeconfig, a store in the real layout and two manifests that split the packages.
//!
//! `tests/e2e/setup.sh` installs the host and compilers. The tests are `#[ignore]`d so that a
//! plain `cargo test` lists them instead of passing them silently; `.ci/run` runs them with
//! `--include-ignored`, and run without the tools they fail.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{copy_dir, snapshot, stderr, stdout, Rng, RunAssert};

const TFM: &str = "netcoreapp3.1";
const LIB: &str = "lib/netstandard2.0";
const NATIVE: &str = "runtimes/linux-x64/native/libacmenative.so";

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/e2e/src")
}

/// The `dotnet` muxer. These tests are `#[ignore]`d, so they only run when asked for (as
/// `.ci/run` does); asked for without the tools, they fail rather than pass silently.
fn dotnet() -> PathBuf {
    let dotnet = Some(common::installed_tool(
        "TRIM_PUBLISH_DOTNET",
        "dotnet-3.1/dotnet",
    ));
    let have = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
    match dotnet {
        Some(d) if d.is_file() && have("mcs") && have("gcc") => d,
        _ => panic!("the .NET host, mcs or gcc is missing: run tests/e2e/setup.sh (or set TRIM_PUBLISH_DOTNET)"),
    }
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

fn mcs(out: &Path, sources: &[&Path], refs: &[PathBuf], exe: bool) {
    fs::create_dir_all(out.parent().unwrap()).unwrap();
    let mut c = Command::new("mcs");
    c.args(["-noconfig", "-nologo", "-optimize+"])
        .arg(if exe {
            "-target:exe"
        } else {
            "-target:library"
        })
        .arg(format!("-out:{}", out.display()));
    for r in refs {
        c.arg(format!("-r:{}", r.display()));
    }
    c.args(sources);
    run_ok(&mut c);
}

/// `src/NAME` with VERSION replaced, written to `dir`.
fn versioned_source(name: &str, version: &str, dir: &Path) -> PathBuf {
    let text = fs::read_to_string(src().join(name))
        .unwrap()
        .replace("VERSION", version);
    let path = dir.join(format!("{version}-{name}"));
    fs::write(&path, text).unwrap();
    path
}

/// Where the build of a package version keeps its files, in package layout.
fn build_dir(root: &Path, id: &str, version: &str) -> PathBuf {
    root.join("builds").join(id.to_lowercase()).join(version)
}

/// Builds the fixture once per test run.
fn fixture() -> &'static Path {
    static FIXTURE: OnceLock<PathBuf> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-fixture");
        let _ = fs::remove_dir_all(&root);
        let gen = root.join("generated-src");
        fs::create_dir_all(&gen).unwrap();
        for v in ["1.2.2", "1.2.3", "1.2.4"] {
            let dir = build_dir(&root, "Acme.Greeter", v).join(LIB);
            mcs(&dir.join("Acme.Greeter.dll"), &[&versioned_source("Greeter.cs", v, &gen)], &[], false);
            mcs(
                &dir.join("de/Acme.Greeter.resources.dll"),
                &[&versioned_source("Greeter.de.cs", v, &gen)],
                &[],
                false,
            );
        }
        for v in ["1.9.0", "2.0.0"] {
            let dir = build_dir(&root, "Acme.Json", v).join(LIB);
            mcs(&dir.join("Acme.Json.dll"), &[&versioned_source("Json.cs", v, &gen)], &[], false);
        }
        let native = build_dir(&root, "Acme.Native", "1.0.0");
        mcs(
            &native.join(LIB).join("Acme.Native.dll"),
            &[&versioned_source("Native.cs", "1.0.0", &gen)],
            &[],
            false,
        );
        fs::create_dir_all(native.join(NATIVE).parent().unwrap()).unwrap();
        run_ok(
            Command::new("gcc")
                .args(["-shared", "-fPIC", "-O2", "-o"])
                .arg(native.join(NATIVE))
                .arg(src().join("native.c")),
        );
        let win = native.join("runtimes/win-x64/native/acmenative.dll");
        fs::create_dir_all(win.parent().unwrap()).unwrap();
        fs::write(&win, b"MZ: the Windows build, never loaded here").unwrap();

        // The untrimmed publish folder.
        let publish = root.join("publish");
        fs::create_dir_all(&publish).unwrap();
        let greeter = build_dir(&root, "Acme.Greeter", "1.2.3").join(LIB);
        let json = build_dir(&root, "Acme.Json", "2.0.0").join(LIB);
        mcs(
            &publish.join("App.dll"),
            &[&src().join("Program.cs")],
            &[
                greeter.join("Acme.Greeter.dll"),
                json.join("Acme.Json.dll"),
                native.join(LIB).join("Acme.Native.dll"),
            ],
            true,
        );
        let copies = [
            (greeter.join("Acme.Greeter.dll"), "Acme.Greeter.dll"),
            (greeter.join("de/Acme.Greeter.resources.dll"), "de/Acme.Greeter.resources.dll"),
            (json.join("Acme.Json.dll"), "Acme.Json.dll"),
            (native.join(LIB).join("Acme.Native.dll"), "Acme.Native.dll"),
            (native.join(NATIVE), NATIVE),
            (win.clone(), "runtimes/win-x64/native/acmenative.dll"),
        ];
        for (from, to) in copies {
            let to = publish.join(to);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(from, to).unwrap();
        }
        fs::write(publish.join("App.deps.json"), deps_json()).unwrap();
        fs::write(
            publish.join("App.runtimeconfig.json"),
            serde_json::to_string_pretty(&serde_json::json!({
                "runtimeOptions": {
                    "tfm": TFM,
                    "framework": { "name": "Microsoft.NETCore.App", "version": "3.1.0" },
                    "configProperties": { "System.Globalization.Invariant": true }
                }
            }))
            .unwrap(),
        )
        .unwrap();

        // The store, in the layout `dotnet store` writes.
        for (id, v) in [("Acme.Greeter", "1.2.3"), ("Acme.Json", "2.0.0"), ("Acme.Native", "1.0.0")] {
            copy_dir(
                &build_dir(&root, id, v),
                &store_level(&root.join("store")).join(id.to_lowercase()).join(v),
            );
        }
        let manifests = root.join("manifests");
        fs::create_dir_all(&manifests).unwrap();
        fs::write(
            manifests.join("store-a.xml"),
            "<StoreArtifacts>\n  <Package Id=\"Acme.Greeter\" Version=\"1.2.3\" />\n  <Package Id=\"Acme.Native\" Version=\"1.0.0\" />\n</StoreArtifacts>\n",
        )
        .unwrap();
        fs::write(
            manifests.join("store-b.xml"),
            "<StoreArtifacts>\n  <Package Id=\"Acme.Json\" Version=\"2.0.0\" />\n  <Package Id=\"Acme.Greeter\" Version=\"1.2.3\" />\n</StoreArtifacts>\n",
        )
        .unwrap();
        root
    })
}

fn store_level(store: &Path) -> PathBuf {
    store.join("x64").join(TFM)
}

fn deps_json() -> String {
    use serde_json::json;
    let package = |id: &str, v: &str| {
        json!({
            "type": "package",
            "serviceable": true,
            "sha512": "sha512-AAAA",
            "path": format!("{}/{v}", id.to_lowercase()),
            "hashPath": format!("{}.{v}.nupkg.sha512", id.to_lowercase()),
        })
    };
    serde_json::to_string_pretty(&json!({
        "runtimeTarget": { "name": ".NETCoreApp,Version=v3.1", "signature": "" },
        "compilationOptions": {},
        "targets": { ".NETCoreApp,Version=v3.1": {
            "App/1.0.0": {
                "dependencies": { "Acme.Greeter": "1.2.3", "Acme.Json": "2.0.0", "Acme.Native": "1.0.0" },
                "runtime": { "App.dll": {} }
            },
            "Acme.Greeter/1.2.3": {
                "runtime": { format!("{LIB}/Acme.Greeter.dll"): { "assemblyVersion": "1.2.3.0", "fileVersion": "1.2.3.0" } },
                "resources": { format!("{LIB}/de/Acme.Greeter.resources.dll"): { "locale": "de" } }
            },
            "Acme.Json/2.0.0": {
                "runtime": { format!("{LIB}/Acme.Json.dll"): { "assemblyVersion": "2.0.0.0", "fileVersion": "2.0.0.0" } }
            },
            "Acme.Native/1.0.0": {
                "runtime": { format!("{LIB}/Acme.Native.dll"): { "assemblyVersion": "1.0.0.0", "fileVersion": "1.0.0.0" } },
                "runtimeTargets": {
                    NATIVE: { "rid": "linux-x64", "assetType": "native", "fileVersion": "0.0.0.0" },
                    "runtimes/win-x64/native/acmenative.dll": { "rid": "win-x64", "assetType": "native", "fileVersion": "0.0.0.0" }
                }
            }
        } },
        "libraries": {
            "App/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
            "Acme.Greeter/1.2.3": package("Acme.Greeter", "1.2.3"),
            "Acme.Json/2.0.0": package("Acme.Json", "2.0.0"),
            "Acme.Native/1.0.0": package("Acme.Native", "1.0.0")
        }
    }))
    .unwrap()
}

/// A private copy of the fixture for one scenario.
struct Case {
    dir: PathBuf,
    dotnet: PathBuf,
}

impl Case {
    fn new(name: &str) -> Option<Case> {
        let dotnet = dotnet();
        let fixture = fixture();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("e2e")
            .join(name);
        let _ = fs::remove_dir_all(&dir);
        for part in ["publish", "store", "manifests"] {
            copy_dir(&fixture.join(part), &dir.join(part));
        }
        Some(Case { dir, dotnet })
    }

    fn publish(&self) -> PathBuf {
        self.dir.join("publish")
    }

    fn store(&self) -> PathBuf {
        self.dir.join("store")
    }

    fn tool(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_trim-publish"))
            .args(args)
            .current_dir(&self.dir)
            .env("XDG_CACHE_HOME", self.dir.join(".cache"))
            .output()
            .unwrap()
    }

    /// `dotnet App.dll` in the publish folder, with `DOTNET_SHARED_STORE` set to `store`.
    fn host(&self, store: Option<&Path>) -> Output {
        let mut c = Command::new(&self.dotnet);
        c.arg("App.dll").current_dir(self.publish());
        for var in [
            "DOTNET_SHARED_STORE",
            "DOTNET_ADDITIONAL_DEPS",
            "COREHOST_TRACE",
            "DOTNET_ROOT",
        ] {
            c.env_remove(var);
        }
        if let Some(store) = store {
            c.env("DOTNET_SHARED_STORE", store);
        }
        c.output().unwrap()
    }
}

/// The host's stdout line `NAME: path`.
fn loaded_from(out: &Output, name: &str) -> String {
    stdout(out)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no `{name}:` line in {}", stdout(out)))
        .to_string()
}

fn trim_both(case: &Case, extra: &[&str]) -> Output {
    let mut args = vec!["-m", "manifests/store-a.xml", "-m", "manifests/store-b.xml"];
    args.extend(extra);
    args.push("publish");
    case.tool(&args)
}

#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_1_trimmed_app_runs_and_loads_every_trimmed_file_from_the_store() {
    let Some(case) = Case::new("s1") else { return };
    let untrimmed = case.host(None);
    assert_eq!(untrimmed.status.code(), Some(0), "{}", stderr(&untrimmed));
    assert!(
        loaded_from(&untrimmed, "Acme.Greeter").starts_with(&case.publish().display().to_string())
    );

    let out = trim_both(&case, &["--store", "store"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for gone in [
        "Acme.Greeter.dll",
        "Acme.Json.dll",
        "Acme.Native.dll",
        "de",
        "runtimes",
    ] {
        assert!(!case.publish().join(gone).exists(), "{gone} still there");
    }
    let run = case.host(Some(&case.store()));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stdout(&run).starts_with("Hello, e2e! [Acme.Greeter 1.2.3] \"ok\" 42"),
        "{}",
        stdout(&run)
    );
    let level = store_level(&case.store()).display().to_string();
    for (name, file) in [
        (
            "Acme.Greeter",
            format!("acme.greeter/1.2.3/{LIB}/Acme.Greeter.dll"),
        ),
        ("Acme.Json", format!("acme.json/2.0.0/{LIB}/Acme.Json.dll")),
        (
            "Acme.Native",
            format!("acme.native/1.0.0/{LIB}/Acme.Native.dll"),
        ),
        ("libacmenative", format!("acme.native/1.0.0/{NATIVE}")),
        (
            "satellite de",
            format!("acme.greeter/1.2.3/{LIB}/de/Acme.Greeter.resources.dll"),
        ),
    ] {
        assert_eq!(loaded_from(&run, name), format!("{level}/{file}"), "{name}");
    }
    // And verify agrees.
    assert_eq!(
        case.tool(&["verify", "--store", "store", "publish"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_2_without_the_store_the_host_fails_naming_our_manifests() {
    let Some(case) = Case::new("s2") else { return };
    assert_eq!(trim_both(&case, &[]).status.code(), Some(0));
    let run = case.host(None);
    assert_eq!(run.status.code(), Some(140), "{}", stdout(&run));
    assert_eq!(
        stderr(&run),
        "Error:\n  An assembly specified in the application dependencies manifest (App.deps.json) was not found:\n    package: 'Acme.Greeter', version: '1.2.3'\n    path: 'lib/netstandard2.0/Acme.Greeter.dll'\n  This assembly was expected to be in the local runtime store as the application was published using the following target manifest files:\n    store-a.xml;store-b.xml\n"
    );
    // verify says the same, in the same words, about the same first asset.
    let out = case.tool(&["verify", "publish"]);
    assert_eq!(out.status.code(), Some(1));
    let first = stderr(&out)
        .split("error[TP5001]: the host would not start the app (exit code 140):\n")
        .nth(1)
        .unwrap()
        .split("\npublish/")
        .next()
        .unwrap()
        .to_string();
    assert!(
        stderr(&run).contains(first.trim_end()),
        "verify: {first}\nhost: {}",
        stderr(&run)
    );
}

#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_3_version_drift_is_refused_before_anything_is_touched() {
    let Some(case) = Case::new("s3") else { return };
    fs::write(
        case.dir.join("manifests/drift.xml"),
        "<StoreArtifacts><Package Id=\"Acme.Json\" Version=\"2.0.1\" /></StoreArtifacts>",
    )
    .unwrap();
    let before = snapshot(&case.publish());
    let out = case.tool(&[
        "-m",
        "manifests/store-a.xml",
        "-m",
        "manifests/drift.xml",
        "--store",
        "store",
        "publish",
    ]);
    assert_eq!(out.status.code(), Some(1));
    out.stderr_has(&["package Acme.Json: the app uses 2.0.0, but the manifests list 2.0.1 in manifests/drift.xml"]);
    assert_eq!(snapshot(&case.publish()), before);
    assert_eq!(
        case.host(None).status.code(),
        Some(0),
        "the untouched app still runs"
    );
}

#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_4_a_store_missing_an_asset_or_holding_another_version() {
    // One asset missing: the native library.
    let Some(case) = Case::new("s4a") else { return };
    fs::remove_file(
        store_level(&case.store())
            .join("acme.native/1.0.0")
            .join(NATIVE),
    )
    .unwrap();
    let before = snapshot(&case.publish());
    let out = trim_both(&case, &["--store", "store"]);
    assert_eq!(out.status.code(), Some(1));
    out.stderr_has(&["manifests/store-a.xml: error[TP4001]: package Acme.Native 1.0.0: `runtimes/linux-x64/native/libacmenative.so` is in none of the stores"]);
    assert_eq!(snapshot(&case.publish()), before);
    // Trimmed anyway (no --store): verify and the host agree that it would not start.
    assert_eq!(trim_both(&case, &[]).status.code(), Some(0));
    let verify = case.tool(&["verify", "--store", "store", "publish"]);
    assert_eq!(verify.status.code(), Some(1));
    verify.stderr_has(&["path: 'runtimes/linux-x64/native/libacmenative.so'"]);
    let run = case.host(Some(&case.store()));
    assert_eq!(run.status.code(), Some(140));
    run.stderr_has(&["path: 'runtimes/linux-x64/native/libacmenative.so'"]);

    // Another version: the store holds Acme.Json 1.9.0 only.
    let Some(case) = Case::new("s4b") else { return };
    let level = store_level(&case.store());
    fs::remove_dir_all(level.join("acme.json/2.0.0")).unwrap();
    copy_dir(
        &build_dir(fixture(), "Acme.Json", "1.9.0"),
        &level.join("acme.json/1.9.0"),
    );
    let out = trim_both(&case, &["--store", "store"]);
    assert_eq!(out.status.code(), Some(1));
    out.stderr_has(&["manifests/store-b.xml: error[TP4001]: package Acme.Json 2.0.0"]);
    assert_eq!(trim_both(&case, &[]).status.code(), Some(0));
    assert_eq!(
        case.tool(&["verify", "--store", "store", "publish"])
            .status
            .code(),
        Some(1)
    );
    let run = case.host(Some(&case.store()));
    assert_eq!(run.status.code(), Some(140));
    run.stderr_has(&["package: 'Acme.Json', version: '2.0.0'"]);
}

#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_5_same_identity_other_bytes_is_accepted_and_runs() {
    let Some(case) = Case::new("s5") else { return };
    // What ReadyToRun compilation does to a store copy: other bytes, the same metadata. Here the
    // PE time stamp and checksum change.
    let copy = store_level(&case.store()).join(format!("acme.json/2.0.0/{LIB}/Acme.Json.dll"));
    let mut bytes = fs::read(&copy).unwrap();
    let pe = u32::from_le_bytes(bytes[0x3c..0x40].try_into().unwrap()) as usize;
    bytes[pe + 8] ^= 0x5a;
    bytes[pe + 24 + 64] ^= 0x5a;
    fs::write(&copy, &bytes).unwrap();
    let out = trim_both(&case, &["--store", "store", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let json = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "Acme.Json")
        .unwrap();
    assert_eq!(json["files"][0]["storeMatch"], "same-assembly");
    let run = case.host(Some(&case.store()));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(loaded_from(&run, "Acme.Json"), copy.display().to_string());
}

#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_6_a_second_trim_is_a_no_op_and_a_dry_run_changes_nothing() {
    let Some(case) = Case::new("s6") else { return };
    let before = snapshot(&case.publish());
    let dry = trim_both(&case, &["--store", "store", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0));
    assert_eq!(
        snapshot(&case.publish()),
        before,
        "dry run changed the folder"
    );
    assert_eq!(
        trim_both(&case, &["--store", "store"]).status.code(),
        Some(0)
    );
    let once = snapshot(&case.publish());
    let again = trim_both(&case, &["--store", "store"]);
    assert_eq!(again.status.code(), Some(0));
    again.stdout_has(&["already trimmed"]);
    assert_eq!(snapshot(&case.publish()), once);
    assert_eq!(case.host(Some(&case.store())).status.code(), Some(0));
}

/// What the host did: started, failed resolving an asset (exit 140, with the asset path), or
/// the runtime failed loading an assembly (exit 134).
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Starts,
    Missing(String),
    LoadFails,
}

fn host_outcome(out: &Output) -> Outcome {
    match out.status.code() {
        Some(0) => Outcome::Starts,
        Some(140) => Outcome::Missing(
            stderr(out)
                .lines()
                .find_map(|l| l.trim().strip_prefix("path: '"))
                .and_then(|p| p.strip_suffix('\''))
                .unwrap_or_else(|| panic!("no path in {}", stderr(out)))
                .to_string(),
        ),
        _ if stderr(out).contains("FileLoadException")
            || stderr(out).contains("FileNotFoundException") =>
        {
            Outcome::LoadFails
        }
        other => panic!(
            "unexpected host result {other:?}: {}{}",
            stdout(out),
            stderr(out)
        ),
    }
}

fn verify_outcome(out: &Output) -> Outcome {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    match v["status"].as_str().unwrap() {
        "starts" => Outcome::Starts,
        "fails" => {
            let missing = v["assets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["resolvedFrom"] == "missing" && a["assetType"] != "resources");
            match missing {
                Some(a) => Outcome::Missing(a["path"].as_str().unwrap().to_string()),
                None => Outcome::LoadFails,
            }
        }
        other => panic!("verify: {other}: {}", stderr(out)),
    }
}

/// Many random situations (packages trimmed or not; store copies present, missing, another
/// version's folder, an older or newer build in place; no store at all): `verify` must agree
/// with the real host in every case, down to the asset the host names.
#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn scenario_7_verify_agrees_with_the_host_on_random_situations() {
    dotnet();
    let cases: u64 = std::env::var("TRIM_PUBLISH_E2E_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let packages = [
        ("Acme.Greeter", "1.2.3"),
        ("Acme.Json", "2.0.0"),
        ("Acme.Native", "1.0.0"),
    ];
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for seed in 0..cases {
        let mut rng = Rng(seed * 7919 + 1);
        let case = Case::new(&format!("s7-{seed}")).unwrap();
        let mut story = Vec::new();
        let trimmed: Vec<_> = packages.iter().filter(|_| rng.below(3) > 0).collect();
        if !trimmed.is_empty() {
            let body: String = trimmed
                .iter()
                .map(|(id, v)| format!("<Package Id=\"{id}\" Version=\"{v}\" />"))
                .collect();
            fs::write(
                case.dir.join("manifests/random.xml"),
                format!("<StoreArtifacts>{body}</StoreArtifacts>"),
            )
            .unwrap();
            let out = case.tool(&["-q", "-m", "manifests/random.xml", "publish"]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            story.push(format!(
                "trimmed {:?}",
                trimmed.iter().map(|p| p.0).collect::<Vec<_>>()
            ));
        }
        let with_store = rng.below(6) > 0;
        let level = store_level(&case.store());
        if !with_store {
            fs::remove_dir_all(case.store()).unwrap();
            story.push("no store".into());
        }
        for (id, v) in packages.iter().filter(|_| with_store) {
            let dir = level.join(id.to_lowercase()).join(v);
            let main = dir.join(format!("{LIB}/{id}.dll"));
            match rng.below(10) {
                0 => {
                    fs::remove_dir_all(&dir).unwrap();
                    story.push(format!("{id}: not in the store"));
                }
                1 => {
                    let victim = match *id {
                        "Acme.Greeter" => dir.join(format!("{LIB}/de/Acme.Greeter.resources.dll")),
                        "Acme.Native" if rng.below(2) == 0 => dir.join(NATIVE),
                        _ => main.clone(),
                    };
                    fs::remove_file(&victim).unwrap();
                    story.push(format!("{id}: {} removed from the store", victim.display()));
                }
                2 => {
                    // Only another version's folder.
                    let other = match *id {
                        "Acme.Greeter" => Some("1.2.4"),
                        "Acme.Json" => Some("1.9.0"),
                        _ => None,
                    };
                    if let Some(other) = other {
                        fs::remove_dir_all(&dir).unwrap();
                        copy_dir(
                            &build_dir(fixture(), id, other),
                            &level.join(id.to_lowercase()).join(other),
                        );
                        story.push(format!("{id}: the store holds {other} only"));
                    }
                }
                3 => {
                    // An older or newer build in the right folder.
                    let (build, note) = match (*id, rng.below(2)) {
                        ("Acme.Greeter", 0) => ("1.2.2", "older"),
                        ("Acme.Greeter", _) => ("1.2.4", "newer"),
                        ("Acme.Json", _) => ("1.9.0", "older"),
                        _ => ("", ""),
                    };
                    if !build.is_empty() {
                        fs::copy(
                            build_dir(fixture(), id, build).join(format!("{LIB}/{id}.dll")),
                            &main,
                        )
                        .unwrap();
                        story.push(format!("{id}: a {note} build ({build}) in the {v} folder"));
                    }
                }
                _ => {}
            }
        }
        let host = case.host(with_store.then(|| case.store()).as_deref());
        let mut args = vec!["verify", "--format", "json"];
        if with_store {
            args.extend(["--store", "store"]);
        }
        args.push("publish");
        let verify = case.tool(&args);
        let (expected, got) = (host_outcome(&host), verify_outcome(&verify));
        assert_eq!(
            got,
            expected,
            "seed {seed}: {story:?}\nhost: {}{}\nverify: {}",
            stdout(&host),
            stderr(&host),
            stderr(&verify)
        );
        *seen
            .entry(
                format!("{expected:?}")
                    .split('(')
                    .next()
                    .unwrap()
                    .to_string(),
            )
            .or_default() += 1;
        let _ = fs::remove_dir_all(&case.dir);
    }
    println!("{cases} random situations, host outcomes: {seen:?}");
    // The generator must exercise every kind of outcome, or the comparison proves little.
    for kind in ["Starts", "Missing", "LoadFails"] {
        assert!(seen.contains_key(kind), "no {kind} case among {seen:?}");
    }
}

/// `verify --rid` picks the same RID-specific native as the real 3.1 host told it runs on that
/// RID (`DOTNET_RUNTIME_ID`): the graph's distro RIDs (rhel.7-x64 takes `runtimes/rhel-x64`,
/// ubuntu.18.04-x64 and ubuntu.20.04-x64 take `runtimes/ubuntu-x64`), and a RID the graph does
/// not know (ubuntu.30.04-x64) falls back to linux-x64. Regression for issue 14.
#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn verify_picks_the_rid_specific_native_the_host_picks() {
    let Some(case) = Case::new("rid") else { return };
    let publish = case.publish();
    let deps_path = publish.join("App.deps.json");
    let mut deps: serde_json::Value =
        serde_json::from_slice(&fs::read(&deps_path).unwrap()).unwrap();
    let targets = deps["targets"][".NETCoreApp,Version=v3.1"]["Acme.Native/1.0.0"]
        ["runtimeTargets"]
        .as_object_mut()
        .unwrap();
    for rid in ["rhel-x64", "ubuntu-x64"] {
        let path = format!("runtimes/{rid}/native/libacmenative.so");
        targets.insert(
            path.clone(),
            serde_json::json!({ "rid": rid, "assetType": "native", "fileVersion": "0.0.0.0" }),
        );
        fs::create_dir_all(publish.join(&path).parent().unwrap()).unwrap();
        fs::copy(publish.join(NATIVE), publish.join(&path)).unwrap();
    }
    fs::write(&deps_path, serde_json::to_vec_pretty(&deps).unwrap()).unwrap();
    for (rid, expected) in [
        ("rhel.7-x64", "runtimes/rhel-x64/native/libacmenative.so"),
        (
            "ubuntu.18.04-x64",
            "runtimes/ubuntu-x64/native/libacmenative.so",
        ),
        (
            "ubuntu.20.04-x64",
            "runtimes/ubuntu-x64/native/libacmenative.so",
        ),
        ("ubuntu.30.04-x64", NATIVE),
        ("linux-x64", NATIVE),
    ] {
        let mut host = Command::new(&case.dotnet);
        host.arg("App.dll")
            .current_dir(&publish)
            .env("DOTNET_RUNTIME_ID", rid)
            .env_remove("DOTNET_SHARED_STORE")
            .env_remove("COREHOST_TRACE");
        let out = host.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{rid}: {}", stderr(&out));
        let loaded = loaded_from(&out, "libacmenative");
        assert!(
            loaded.ends_with(expected),
            "{rid}: the host loaded {loaded}, expected {expected}"
        );
        let verify = case.tool(&["verify", "--rid", rid, "--format", "json", "publish"]);
        assert_eq!(verify.status.code(), Some(0), "{rid}: {}", stderr(&verify));
        let v: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
        let native = v["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["assetType"] == "native")
            .unwrap();
        assert_eq!(native["path"], expected, "{rid}: verify chose {native}");
    }
}

/// The committed RID table (src/host/rid-graph.txt) is the real framework's: for every RID in
/// the 3.1.23 framework's `runtimes` section, verify's chain is the host's list.
#[test]
#[ignore = "needs the real .NET host: run tests/e2e/setup.sh; .ci/run runs it with --include-ignored"]
fn the_rid_table_is_the_frameworks_own_graph() {
    let dotnet = dotnet();
    let deps = dotnet
        .parent()
        .unwrap()
        .join("shared/Microsoft.NETCore.App/3.1.23/Microsoft.NETCore.App.deps.json");
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&deps).unwrap()).unwrap();
    let runtimes = v["runtimes"].as_object().unwrap();
    assert!(runtimes.len() > 300, "{}", runtimes.len());
    for (rid, fallbacks) in runtimes {
        let mut expected = vec![rid.clone()];
        expected.extend(
            fallbacks
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string()),
        );
        let ours =
            trim_publish::host::rid::fallback_chain(rid, trim_publish::host::rid::RidModel::Graph);
        assert_eq!(ours, expected, "{rid}");
    }
}
