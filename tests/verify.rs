//! `trim-publish verify`: the host's start-up resolution of untrimmed and trimmed folders.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn trim(ex: &Example) {
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml publish")
        .code(0);
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn an_untrimmed_folder_starts_from_the_app_folder() {
    let ex = Example::new();
    let out = ex.run(&["verify", "--format", "json", "publish"]).code(0);
    let v = json(&out);
    assert_eq!(v["status"], "starts");
    assert_eq!(v["rid"], "linux-x64");
    let from: Vec<&str> = v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["resolvedFrom"].as_str().unwrap())
        .collect();
    assert_eq!(from.len(), 9);
    assert!(from.iter().all(|f| *f == "app"), "{from:?}");
}

#[test]
fn a_trimmed_folder_starts_from_the_store() {
    let ex = Example::new();
    trim(&ex);
    let out = ex.run(&["verify", "--store", "store", "publish"]).code(0);
    assert!(
        stdout(&out).contains(
            "the app would start: 9 assets resolve (3 from the app folder, 6 from 1 store)"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_trimmed_folder_without_its_store_fails_in_the_hosts_words() {
    let ex = Example::new();
    trim(&ex);
    let out = ex.run(&["verify", "publish"]).code(1);
    let err = stderr(&out);
    assert!(err.contains(
        "error[TP5001]: the host would not start the app (exit code 140):\n  An assembly specified in the application dependencies manifest (App.deps.json) was not found:\n    package: 'Newtonsoft.Json', version: '13.0.1'\n    path: 'lib/netstandard2.0/Newtonsoft.Json.dll'\n  This assembly was expected to be in the local runtime store as the application was published using the following target manifest files:\n    shared.xml\n"
    ), "{err}");
    assert_eq!(err.matches("error[TP5001]").count(), 4, "{err}");
    assert_eq!(
        err.matches("warning[TP5003]").count(),
        2,
        "resources only warn: {err}"
    );
    // A 3.1 host fails at start-up: the .NET 5+ blind spot (TP5004) does not apply to it.
    assert!(!err.contains("TP5004"), "{err}");
    out.stdout_has(&["the app would not start: 4 problems"]);
}

/// Regression (issue 14): TP5004 described .NET 5+ behaviour for apps of older hosts. It is
/// said only for apps whose host skips its checks when no store exists.
#[test]
fn the_no_store_blind_spot_is_named_only_for_net5_and_later() {
    let ex = Example::new();
    trim(&ex);
    ex.patch(
        "App.runtimeconfig.json",
        "\"version\": \"3.1.0\"",
        "\"version\": \"6.0.0\"",
    );
    ex.run(&["verify", "publish"])
        .code(1)
        .stderr_has(&["warning[TP5004]: no store directory exists, so this app's host (.NET 5 or later) skips its file checks"]);
}

#[test]
fn one_asset_missing_from_the_store_is_the_only_error() {
    let ex = Example::new();
    trim(&ex);
    fs::remove_file(ex.root.join(
        "store/x64/netcoreapp3.1/acme.greeter/1.2.3/runtimes/linux-x64/native/libacme_native.so",
    ))
    .unwrap();
    let out = ex.run(&["verify", "--store", "store", "publish"]).code(1);
    let err = stderr(&out);
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    assert!(
        err.contains("path: 'runtimes/linux-x64/native/libacme_native.so'"),
        "{err}"
    );
    assert!(!err.contains("TP5004"), "a store exists: {err}");
    // On Windows the linux native is not wanted, so the same folder would start.
    ex.run(&["verify", "--store", "store", "--rid", "win-x64", "publish"])
        .code(0);
}

#[test]
fn missing_resources_only_warn() {
    let ex = Example::new();
    fs::remove_file(ex.publish().join("fr/Acme.Greeter.resources.dll")).unwrap();
    let out = ex.run(&["verify", "publish"]).code(0);
    out.stderr_has(&["warning[TP5003]"]);
}

#[test]
fn rid_selection_follows_the_target_machine() {
    let ex = Example::new();
    let out = ex
        .run(&["verify", "--rid", "win-x64", "--format", "json", "publish"])
        .code(0);
    let v = json(&out);
    let paths: Vec<&str> = v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"runtimes/win/lib/netcoreapp3.1/Contoso.Data.dll"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"runtimes/win-x64/native/acme_native.dll"),
        "{paths:?}"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("linux") || p.contains("unix")),
        "{paths:?}"
    );
}

#[test]
fn a_store_copy_older_than_the_app_was_built_against_fails() {
    let ex = Example::new();
    let assemblies = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/assemblies");
    // The app was built against Acme.Greeter 1.2.4.0; the store's copy is 1.2.3.0.
    ex.patch(
        "App.deps.json",
        "\"assemblyVersion\": \"1.2.3.0\"",
        "\"assemblyVersion\": \"1.2.4.0\"",
    );
    fs::copy(
        assemblies.join("Acme.Greeter.dll"),
        ex.root
            .join("store/x64/netcoreapp3.1/acme.greeter/1.2.3/lib/netstandard2.0/Acme.Greeter.dll"),
    )
    .unwrap();
    fs::remove_file(ex.publish().join("Acme.Greeter.dll")).unwrap();
    let out = ex.run(&["verify", "--store", "store", "publish"]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains("error[TP5002]: package Acme.Greeter 1.2.3: the store copy"),
        "{err}"
    );
    assert!(
        err.contains("has assembly version 1.2.3.0, lower than the 1.2.4.0"),
        "{err}"
    );
    // A newer copy is fine: the runtime accepts higher versions.
    fs::copy(
        assemblies.join("1.2.4/Acme.Greeter.dll"),
        ex.root
            .join("store/x64/netcoreapp3.1/acme.greeter/1.2.3/lib/netstandard2.0/Acme.Greeter.dll"),
    )
    .unwrap();
    assert_eq!(
        ex.run(&["verify", "--store", "store", "publish"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn a_self_contained_app_never_uses_the_store() {
    let ex = Example::new();
    trim(&ex);
    ex.patch(
        "App.runtimeconfig.json",
        "\"framework\": {",
        "\"includedFrameworks\": [], \"framework\": {",
    );
    let out = ex.run(&["verify", "--store", "store", "publish"]).code(1);
    out.stderr_has(&["warning[TP5005]"]);
}

#[test]
fn verify_rejects_bad_folders() {
    let ex = Example::new();
    let out = ex.run(&["verify", "manifests"]).code(2);
    out.stderr_has(&["TP1303"]);
}
