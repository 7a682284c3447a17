//! Store verification: fixture stores in the real layout (`{root}/{arch}/{tfm}/{id}/{version}/`)
//! that lack a package, lack one asset, hold another version, hold different bytes, hold a
//! ReadyToRun-like copy of the same assembly, or are split over two stores.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

const STORE: &str = "store/x64/netcoreapp3.1";

fn store_file(ex: &Example, rel: &str) -> PathBuf {
    ex.root.join(STORE).join(rel)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn both_manifests() -> [&'static str; 4] {
    ["-m", "manifests/aspnet.xml", "-m", "manifests/shared.xml"]
}

#[test]
fn a_complete_store_verifies_every_file_and_the_trim_goes_ahead() {
    let ex = Example::new();
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "--format", "json", "publish"]);
    let before = ex.snapshot();
    let out = ex.run(&args).code(0);
    let v = json(&out);
    assert_eq!(v["stores"][0]["probeDir"], "store/x64/netcoreapp3.1");
    let mut verified = 0;
    for p in v["packages"].as_array().unwrap() {
        for f in p["files"].as_array().unwrap() {
            let path = f["path"].as_str().unwrap();
            let expected = blake3::hash(&before[path]).to_hex().to_string();
            assert_eq!(f["blake3"], expected.as_str(), "{path}");
            assert_eq!(f["storeMatch"], "identical", "{path}");
            let served = f["storePath"].as_str().unwrap();
            assert_eq!(
                fs::read(ex.root.join(served)).unwrap(),
                before[path],
                "{served}"
            );
            verified += 1;
        }
    }
    assert_eq!(verified, 9);
    assert_eq!(ex.files(), expected_files());
}

fn expected_files() -> Vec<String> {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example/expected-after-trim.txt"),
    )
    .unwrap()
    .lines()
    .map(String::from)
    .collect()
}

/// Runs with both manifests and the store; asserts exit 1, the messages, and an untouched folder.
fn assert_store_refuses(ex: &Example, extra: &[&str], needles: &[&str]) -> String {
    let before = ex.snapshot();
    let mut args = both_manifests().to_vec();
    args.extend(extra);
    args.push("publish");
    let out = ex.run(&args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in {err}");
    }
    assert_eq!(ex.snapshot(), before, "a refused trim touched the folder");
    err
}

#[test]
fn a_package_missing_from_the_store_is_refused_naming_the_manifest() {
    let ex = Example::new();
    fs::remove_dir_all(store_file(&ex, "newtonsoft.json")).unwrap();
    let err = assert_store_refuses(
        &ex,
        &["--store", "store"],
        &[
            "manifests/shared.xml: error[TP4001]: package Newtonsoft.Json 13.0.1: `lib/netstandard2.0/Newtonsoft.Json.dll` is in none of the stores",
            "searched store/x64/netcoreapp3.1",
            "the app would fail to start",
        ],
    );
    assert_eq!(err.matches("TP4001").count(), 1, "{err}");
}

#[test]
fn a_single_missing_asset_is_named() {
    let ex = Example::new();
    fs::remove_file(store_file(
        &ex,
        "acme.greeter/1.2.3/lib/netstandard2.0/fr/Acme.Greeter.resources.dll",
    ))
    .unwrap();
    let err = assert_store_refuses(
        &ex,
        &["--store", "store"],
        &[
            "package Acme.Greeter 1.2.3: `lib/netstandard2.0/fr/Acme.Greeter.resources.dll`",
            "manifests/aspnet.xml, manifests/shared.xml list the package",
        ],
    );
    assert_eq!(err.matches("error[").count(), 1, "{err}");
}

#[test]
fn a_store_with_another_version_does_not_serve_the_app() {
    let ex = Example::new();
    fs::rename(
        store_file(&ex, "contoso.data/2.1.0"),
        store_file(&ex, "contoso.data/2.1.1"),
    )
    .unwrap();
    let err = assert_store_refuses(&ex, &["--store", "store"], &["package Contoso.Data 2.1.0"]);
    assert_eq!(err.matches("TP4001").count(), 3, "all three files: {err}");
}

#[test]
fn different_bytes_that_are_not_assemblies_are_refused() {
    let ex = Example::new();
    fs::write(
        store_file(
            &ex,
            "acme.greeter/1.2.3/runtimes/linux-x64/native/libacme_native.so",
        ),
        b"another build",
    )
    .unwrap();
    assert_store_refuses(
        &ex,
        &["--store", "store"],
        &[
            "error[TP4002]: package Acme.Greeter 1.2.3: `runtimes/linux-x64/native/libacme_native.so`: the store's copy",
            "is not the file the app was published with",
            "not a .NET assembly",
        ],
    );
}

#[test]
fn a_second_store_serves_what_the_first_lacks() {
    let ex = Example::new();
    let second = ex.root.join("second/x64/netcoreapp3.1/newtonsoft.json");
    fs::create_dir_all(second.parent().unwrap()).unwrap();
    fs::rename(store_file(&ex, "newtonsoft.json"), &second).unwrap();
    let mut args = both_manifests().to_vec();
    args.extend([
        "--store", "store", "--store", "second", "--format", "json", "publish",
    ]);
    let out = ex.run(&args).code(0);
    let v = json(&out);
    let newtonsoft = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "Newtonsoft.Json")
        .unwrap();
    assert_eq!(
        newtonsoft["files"][0]["storePath"],
        "second/x64/netcoreapp3.1/newtonsoft.json/13.0.1/lib/netstandard2.0/Newtonsoft.Json.dll"
    );
}

#[test]
fn the_first_store_that_has_the_file_wins_like_the_host() {
    let ex = Example::new();
    // A second store with the right file does not help when the first has a wrong one.
    let second = ex.root.join("second");
    copy_dir(&ex.root.join("store"), &second);
    fs::write(
        store_file(
            &ex,
            "newtonsoft.json/13.0.1/lib/netstandard2.0/Newtonsoft.Json.dll",
        ),
        b"x",
    )
    .unwrap();
    assert_store_refuses(
        &ex,
        &["--store", "store", "--store", "second"],
        &["TP4002", "Newtonsoft.Json.dll"],
    );
}

#[test]
fn a_store_level_folder_is_accepted_as_additionalprobingpath_is() {
    let ex = Example::new();
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store/x64/netcoreapp3.1", "publish"]);
    let out = ex.run(&args).code(0);
    out.stdout_has(&["verified in 1 store: 9 identical"]);
}

#[test]
fn arch_chooses_the_store_folder() {
    let ex = Example::new();
    fs::rename(ex.root.join("store/x64"), ex.root.join("store/arm64")).unwrap();
    let err = assert_store_refuses(&ex, &["--store", "store", "--arch", "x64"], &["TP4001"]);
    assert!(
        err.contains("store: warning[TP4004]: this store has no x64/netcoreapp3.1 folder"),
        "{err}"
    );
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "--arch", "arm64", "-n", "publish"]);
    assert_eq!(ex.run(&args).status.code(), Some(0));
}

#[test]
fn stores_from_the_environment_in_host_order() {
    let ex = Example::new();
    // DOTNET_SHARED_STORE holds Acme.Greeter only; the dotnet root's store holds the rest.
    let shared = ex.root.join("shared-store/x64/netcoreapp3.1");
    fs::create_dir_all(&shared).unwrap();
    fs::rename(store_file(&ex, "acme.greeter"), shared.join("acme.greeter")).unwrap();
    let dotnet_root = ex.root.join("dotnet");
    fs::create_dir_all(&dotnet_root).unwrap();
    fs::rename(ex.root.join("store"), dotnet_root.join("store")).unwrap();
    let muxer = dotnet_root.join("dotnet");
    fs::write(&muxer, "#!/bin/sh\n").unwrap();
    let mut args = both_manifests().to_vec();
    args.extend(["--store-from-env", "--format", "json", "-n", "publish"]);
    let out = ex
        .cmd()
        .args(&args)
        .env("DOTNET_SHARED_STORE", "shared-store")
        .env("PATH", format!("{}:/usr/bin:/bin", dotnet_root.display()))
        .output()
        .unwrap()
        .code(0);
    let v = json(&out);
    let origins: Vec<&str> = v["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["origin"].as_str().unwrap())
        .collect();
    assert_eq!(origins, ["shared-store-env", "dotnet-root"]);
    let served: Vec<String> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["files"].as_array().unwrap().clone())
        .map(|f| f["storePath"].as_str().unwrap().to_string())
        .collect();
    assert!(
        served[0].contains("shared-store/x64/netcoreapp3.1/acme.greeter/1.2.3/"),
        "{served:?}"
    );
    assert!(
        served
            .iter()
            .any(|s| s.contains("dotnet/store/x64/netcoreapp3.1/newtonsoft.json")),
        "{served:?}"
    );
}

// Real assemblies (testdata/assemblies): the app ships Acme.Greeter.dll built by mcs.

fn with_real_greeter(ex: &Example) -> Vec<u8> {
    let dll = fs::read(assemblies().join("Acme.Greeter.dll")).unwrap();
    fs::write(ex.publish().join("Acme.Greeter.dll"), &dll).unwrap();
    dll
}

fn assemblies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/assemblies")
}

const GREETER_IN_STORE: &str = "acme.greeter/1.2.3/lib/netstandard2.0/Acme.Greeter.dll";

#[test]
fn identical_assemblies_are_identical() {
    let ex = Example::new();
    let dll = with_real_greeter(&ex);
    fs::write(store_file(&ex, GREETER_IN_STORE), &dll).unwrap();
    ex.run(&["-m", "manifests/aspnet.xml", "--store", "store", "publish"])
        .code(0);
}

#[test]
fn a_store_copy_with_other_bytes_but_the_same_identity_is_accepted() {
    // What crossgen (ReadyToRun) does to a store copy: new bytes, same metadata. Here the PE time
    // stamp and checksum change and the file grows, as a ReadyToRun image does.
    let ex = Example::new();
    let mut dll = with_real_greeter(&ex);
    let pe = u32::from_le_bytes(dll[0x3c..0x40].try_into().unwrap()) as usize;
    dll[pe + 8] ^= 0x5a;
    dll[pe + 24 + 64] ^= 0x5a;
    dll.extend_from_slice(&[0u8; 512]);
    fs::write(store_file(&ex, GREETER_IN_STORE), &dll).unwrap();
    let out = ex
        .run_line("-m manifests/aspnet.xml --store store --format json publish")
        .code(0);
    let v = json(&out);
    assert_eq!(v["packages"][0]["files"][0]["storeMatch"], "same-assembly");
    assert!(!ex.publish().join("Acme.Greeter.dll").exists());
}

/// The app ships the mcs-built Acme.Greeter.dll; the store holds `fixture` instead: refused.
fn store_copy_is_refused(fixture: &str, needles: &[&str]) {
    let ex = Example::new();
    with_real_greeter(&ex);
    fs::copy(
        assemblies().join(fixture),
        store_file(&ex, GREETER_IN_STORE),
    )
    .unwrap();
    assert_store_refuses(&ex, &["--store", "store"], needles);
}

#[test]
fn another_build_of_the_same_version_is_refused_with_its_mvid() {
    store_copy_is_refused(
        "rebuilt/Acme.Greeter.dll",
        &["TP4002", "a different assembly: MVID 4DD484D8-B3B1-4566-AC48-3BD566769061 vs 2BD51ABE-0426-4318-B56B-98D5033B5D03 (another build)"],
    );
}

#[test]
fn another_assembly_version_in_the_store_folder_is_refused() {
    store_copy_is_refused(
        "1.2.4/Acme.Greeter.dll",
        &["a different assembly: version 1.2.3.0 vs 1.2.4.0"],
    );
}

#[test]
fn a_strong_named_copy_is_not_the_same_assembly() {
    store_copy_is_refused("signed/Acme.Greeter.dll", &["public key differs"]);
}

#[test]
fn jobs_and_a_missing_store_folder() {
    let ex = Example::new();
    let mut args = both_manifests().to_vec();
    args.extend([
        "--store", "nowhere", "--store", "store", "-j", "1", "-n", "publish",
    ]);
    let out = ex.run(&args).code(0);
    out.stderr_has(&["nowhere: warning[TP4004]"]);
    ex.run_line("-m manifests/aspnet.xml --store store -j 0 publish")
        .code(2);
}

// The digest cache.

fn cache_file(ex: &Example) -> PathBuf {
    ex.root.join(".cache/trim-publish/digests-v2.tsv")
}

#[test]
fn store_digests_are_cached_and_a_changed_store_file_is_never_trusted() {
    let ex = Example::new();
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "-n", "publish"]);
    assert_eq!(ex.run(&args).status.code(), Some(0));
    let cached = fs::read_to_string(cache_file(&ex)).unwrap();
    assert_eq!(cached.lines().count(), 9, "{cached}");
    // Same size, other bytes: the file's ctime changes, so the cached digest is not used.
    let victim = store_file(
        &ex,
        "newtonsoft.json/13.0.1/lib/netstandard2.0/Newtonsoft.Json.dll",
    );
    let mut bytes = fs::read(&victim).unwrap();
    bytes[100] ^= 1;
    fs::write(&victim, &bytes).unwrap();
    assert_store_refuses(
        &ex,
        &["--store", "store"],
        &["TP4002", "Newtonsoft.Json.dll"],
    );
}

#[test]
fn a_corrupt_cache_changes_no_verdict() {
    let ex = Example::new();
    fs::create_dir_all(cache_file(&ex).parent().unwrap()).unwrap();
    fs::write(cache_file(&ex), "0\t0\tnot a number\n\u{0}\u{1}garbage\n").unwrap();
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "-n", "publish"]);
    assert_eq!(ex.run(&args).status.code(), Some(0));
    fs::write(
        store_file(
            &ex,
            "newtonsoft.json/13.0.1/lib/netstandard2.0/Newtonsoft.Json.dll",
        ),
        b"x",
    )
    .unwrap();
    fs::write(cache_file(&ex), "truncated\tline").unwrap();
    assert_store_refuses(&ex, &["--store", "store"], &["TP4002"]);
}

#[test]
fn no_cache_and_an_explicit_cache_folder() {
    let ex = Example::new();
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "-n", "--no-cache", "publish"]);
    assert_eq!(ex.run(&args).status.code(), Some(0));
    assert!(!cache_file(&ex).exists());
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "-n", "--cache", "mycache", "publish"]);
    assert_eq!(ex.run(&args).status.code(), Some(0));
    assert!(ex.root.join("mycache/digests-v2.tsv").exists());
    // A cache that cannot be written is a warning, not a failure.
    fs::write(ex.root.join("afile"), "").unwrap();
    let mut args = both_manifests().to_vec();
    args.extend(["--store", "store", "-n", "--cache", "afile/sub", "publish"]);
    let out = ex.run(&args).code(0);
    out.stderr_has(&["warning[TP4005]"]);
}

#[test]
fn a_cache_hit_skips_reading_the_store_copy() {
    // The library view: an entry whose key matches the store file is used as is, which is why
    // keys cover device, inode, size, mtime and ctime.
    use trim_publish::trim::digestcache::{DigestCache, FileKey};
    use trim_publish::trim::store_check::{verify, Check, Match, Stage, Verdict};
    let ex = Example::new();
    let app = ex.publish().join("Newtonsoft.Json.dll");
    let store = fs::canonicalize(store_file(
        &ex,
        "newtonsoft.json/13.0.1/lib/netstandard2.0/Newtonsoft.Json.dll",
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Recorded as by a run a minute from now: the store file, copied just now, is then safely
    // older than the recording (a run in the same second would not trust the entry).
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    let cache = DigestCache::open_at(dir.path(), later);
    let key = FileKey::of(&fs::metadata(&store).unwrap());
    let fake = blake3::hash(b"not the file");
    cache.put(&store, key, fake);
    cache.save().unwrap();
    let cache = DigestCache::open(dir.path());
    let check = Check {
        app_path: app,
        store_candidates: vec![store.clone()],
        already_absent: false,
    };
    let stage = Stage {
        cache: Some(&cache),
        ..Default::default()
    };
    // The fake digest differs from the app's, so the verdict falls back to reading both files.
    let verdicts = verify(std::slice::from_ref(&check), &stage);
    assert!(
        matches!(&verdicts[0], Verdict::Differs { .. }),
        "{verdicts:?}"
    );
    // Without the fake entry the same check is identical: the cache was consulted.
    let stage = Stage::default();
    let verdicts = verify(std::slice::from_ref(&check), &stage);
    assert!(
        matches!(
            &verdicts[0],
            Verdict::Served {
                how: Match::Identical,
                ..
            }
        ),
        "{verdicts:?}"
    );
}

#[test]
fn a_shared_store_entry_given_at_the_arch_tfm_level_gets_a_hint() {
    let ex = Example::new();
    let out = ex
        .process()
        .args(line("-m manifests/aspnet.xml --store-from-env -n publish"))
        .env(
            "DOTNET_SHARED_STORE",
            ex.root.join("store/x64/netcoreapp3.1"),
        )
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the host would not find the files there either"
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "DOTNET_SHARED_STORE takes the store root and the host appends x64/netcoreapp3.1, so set it to {}",
            ex.root.join("store").display()
        )),
        "{err}"
    );
}

/// Regression (issue 14): files already absent (the SDK trimmed the folder, or an earlier run)
/// were never checked: an already-trimmed folder with an empty store said "already trimmed" and
/// exited 0 while `verify` said the app would not start.
#[test]
fn files_already_absent_must_be_served_by_the_store_too() {
    let ex = Example::new();
    let mut args = both_manifests().to_vec();
    args.push("publish");
    ex.run(&args).code(0);
    // With the complete store: already trimmed, and every absent file was found in the store.
    let mut with_store = both_manifests().to_vec();
    with_store.extend(["--store", "store", "--format", "json", "publish"]);
    let v = ex.run(&with_store).code(0).json();
    assert_eq!(v["status"], "already-trimmed");
    let matches: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["files"].as_array().unwrap())
        .map(|f| f["storeMatch"].as_str().unwrap_or("none"))
        .collect();
    assert!(
        !matches.is_empty() && matches.iter().all(|m| *m == "in-store"),
        "{matches:?}"
    );
    // With a store that lacks one package: refused, as verify would fail.
    fs::remove_dir_all(store_file(&ex, "newtonsoft.json")).unwrap();
    assert_store_refuses(
        &ex,
        &["--store", "store"],
        &[
            "error[TP4001]: package Newtonsoft.Json 13.0.1",
            "is in none of the stores",
        ],
    );
    // --check is a gate: the same holds there.
    let mut check = vec!["--check"];
    check.extend(both_manifests());
    check.extend(["--store", "store", "publish"]);
    ex.run(&check).code(1).stderr_has(&["TP4001"]);
}

/// Regression (issue 11): a store entry that is a hard link to the publish file counted as an
/// identical copy, so the only copy was deleted.
#[cfg(unix)]
#[test]
fn a_store_entry_that_is_the_publish_file_itself_is_refused() {
    let ex = Example::new();
    let store_copy = store_file(
        &ex,
        "newtonsoft.json/13.0.1/lib/netstandard2.0/Newtonsoft.Json.dll",
    );
    fs::remove_file(&store_copy).unwrap();
    fs::hard_link(ex.publish().join("Newtonsoft.Json.dll"), &store_copy).unwrap();
    assert_store_refuses(
        &ex,
        &["--store", "store"],
        &["error[TP4002]", "is the publish file itself"],
    );
    // The same through a symbolic link.
    fs::remove_file(&store_copy).unwrap();
    std::os::unix::fs::symlink(ex.publish().join("Newtonsoft.Json.dll"), &store_copy).unwrap();
    assert_store_refuses(
        &ex,
        &["--store", "store"],
        &["error[TP4002]", "is the publish file itself"],
    );
}
