//! Integration tests: run the binary on copies of the fixtures in `testdata/` and assert the
//! resulting file set, the deps.json and the messages.

mod common;

use std::fs;

use assert_cmd::Command;
use common::*;

fn expected_after_trim() -> Vec<String> {
    fs::read_to_string(testdata().join("example/expected-after-trim.txt"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// deps.json with our additions removed must equal the original text.
fn assert_only_manifest_names_added(before: &str, after: &str, expected: &[(&str, &str)]) {
    let v: serde_json::Value = serde_json::from_str(after).unwrap();
    for (lib, names) in expected {
        assert_eq!(
            v["libraries"][lib]["runtimeStoreManifestName"], *names,
            "{lib} in {after}"
        );
    }
    let added = after.lines().count() - before.lines().count();
    assert_eq!(added, expected.len(), "one added line per trimmed package");
    let mut restored = String::new();
    for line in after.split_inclusive('\n') {
        if line.contains("\"runtimeStoreManifestName\"") {
            // The previous line gained a comma.
            let trimmed = restored.trim_end_matches(['\n', '\r']);
            let eol = &restored[trimmed.len()..];
            let trimmed = trimmed.strip_suffix(',').unwrap().to_string();
            restored = format!("{trimmed}{eol}");
            continue;
        }
        restored.push_str(line);
    }
    assert_eq!(restored, before, "nothing else in deps.json changed");
}

#[test]
fn trims_with_two_manifests_like_the_sdk() {
    let ex = Example::new();
    let before = ex.deps();
    let out = ex
        .cmd()
        .args([
            "-m",
            &ex.manifest("aspnet.xml"),
            "-m",
            &ex.manifest("shared.xml"),
        ])
        .arg(ex.publish())
        .output()
        .unwrap()
        .code(0);
    assert_eq!(ex.files(), expected_after_trim());
    // Folders the trim emptied are gone; the folder itself and shared ones stay.
    assert!(!ex.publish().join("runtimes").exists());
    assert!(!ex.publish().join("fr").exists());
    assert!(ex.publish().join("de").exists());
    assert_only_manifest_names_added(
        &before,
        &ex.deps(),
        &[
            ("Acme.Greeter/1.2.3", "aspnet.xml;shared.xml"),
            ("Contoso.Data/2.1.0", "shared.xml"),
            ("Contoso.Meta/1.0.0", "aspnet.xml"),
            ("Newtonsoft.Json/13.0.1", "shared.xml"),
        ],
    );
    let text = stdout(&out);
    assert!(text.contains("removed Acme.Greeter 1.2.3"), "{text}");
    assert!(text.contains("removed 9 files"), "{text}");
    assert!(text.contains("deps.json updated"), "{text}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn semicolon_lists_are_the_same_as_repeated_flags() {
    let ex = Example::new();
    let list = format!(
        "{};{}",
        ex.manifest("aspnet.xml"),
        ex.manifest("shared.xml")
    );
    ex.cmd()
        .args(["--manifest", &list])
        .arg(ex.publish())
        .assert()
        .code(0);
    assert_eq!(ex.files(), expected_after_trim());
}

#[test]
fn second_run_is_a_no_op_that_says_so() {
    let ex = Example::new();
    let args = "-m manifests/aspnet.xml -m manifests/shared.xml publish";
    ex.run_line(args).code(0);
    let after_first = ex.snapshot();
    let out = ex.run_line(args).code(0);
    out.stdout_has(&["already trimmed"]);
    assert_eq!(ex.snapshot(), after_first);
}

#[test]
fn dry_run_changes_nothing_and_shows_exactly_the_plan() {
    let ex = Example::new();
    let before = ex.snapshot();
    let args = "-m manifests/aspnet.xml -m manifests/shared.xml --format json publish";
    let dry = ex.run_line(&format!("--dry-run {args}")).code(0);
    assert_eq!(ex.snapshot(), before, "dry run touched the folder");
    let real = ex.run_line(args);
    let dry: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    let real: serde_json::Value = serde_json::from_slice(&real.stdout).unwrap();
    assert_eq!(dry["status"], "dry-run");
    assert_eq!(real["status"], "trimmed");
    assert_eq!(dry["packages"], real["packages"]);
    assert_eq!(dry["totals"], real["totals"]);
    // And what the plan said would go is what went.
    let planned: Vec<String> = real["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["files"].as_array().unwrap().clone())
        .filter(|f| f["action"] == "remove")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut gone: Vec<String> = before
        .keys()
        .filter(|k| !ex.publish().join(k).exists())
        .cloned()
        .collect();
    gone.sort();
    let mut planned_sorted = planned.clone();
    planned_sorted.sort();
    assert_eq!(gone, planned_sorted);
}

#[test]
fn json_report_has_the_documented_shape() {
    let ex = Example::new();
    let out = ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml --format json publish");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["exitCode"], 0);
    assert_eq!(v["manifests"][0]["name"], "aspnet.xml");
    assert_eq!(v["manifests"][1]["packages"], 3);
    assert_eq!(v["totals"]["packagesTrimmed"], 4);
    assert_eq!(v["totals"]["filesRemoved"], 9);
    assert_eq!(v["depsJsonUpdated"], true);
    let greeter = &v["packages"][0];
    assert_eq!(greeter["id"], "Acme.Greeter");
    assert_eq!(
        greeter["manifests"],
        serde_json::json!(["aspnet.xml", "shared.xml"])
    );
    let kinds: Vec<&str> = greeter["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["assetKind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "runtime",
            "resource",
            "resource",
            "runtimeTarget",
            "runtimeTarget"
        ]
    );
    let bytes: u64 = v["totals"]["bytesRemoved"].as_u64().unwrap();
    let share = v["totals"]["shareOfFolder"].as_f64().unwrap();
    let folder = v["totals"]["folderBytes"].as_u64().unwrap();
    assert!((share - bytes as f64 / folder as f64).abs() < 1e-9);
    let dirs: Vec<&str> = v["directoriesRemoved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        dirs.contains(&"runtimes") && dirs.contains(&"fr"),
        "{dirs:?}"
    );
}

#[test]
fn project_file_with_a_release_condition() {
    let ex = Example::new();
    ex.cmd()
        .args(["--project", "App.csproj", "-p:Configuration=Release"])
        .arg("publish")
        .output()
        .unwrap()
        .code(0);
    assert_eq!(ex.files(), expected_after_trim());
}

#[test]
fn project_condition_without_the_property_is_an_error_not_a_guess() {
    let ex = Example::new();
    let before = ex.snapshot();
    let out = ex.run(&["--project", "App.csproj", "publish"]).code(2);
    let err = stderr(&out);
    assert!(err.contains("App.csproj:9:18:"), "{err}");
    assert!(err.contains("TP1104"), "{err}");
    assert!(err.contains("$(Configuration) is not defined"), "{err}");
    assert_eq!(ex.snapshot(), before);
}

#[test]
fn project_and_manifest_combine() {
    let ex = Example::new();
    ex.run_line("--project App.csproj -p Configuration=Debug -m manifests/shared.xml publish")
        .code(0);
    assert_eq!(ex.files(), expected_after_trim());
}

#[test]
fn version_drift_is_refused_naming_everything() {
    let ex = Example::new();
    let before = ex.snapshot();
    let out = ex
        .run_line("-m manifests/aspnet.xml -m manifests/drift.xml publish")
        .code(1);
    let err = stderr(&out);
    for needle in [
        "App.deps.json:",
        "TP2001",
        "package Newtonsoft.Json: the app uses 13.0.1, but the manifests list 12.0.3 in manifests/drift.xml",
        "package Serilog: the app uses 2.10.0, but the manifests list 2.12.0 in manifests/drift.xml",
        "--allow-version-mismatch",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
    assert_eq!(ex.snapshot(), before, "a refused trim touched the folder");
}

#[test]
fn allow_version_mismatch_keeps_the_package_and_warns() {
    let ex = Example::new();
    let out = ex
        .run_line("-m manifests/aspnet.xml -m manifests/drift.xml --allow-version-mismatch publish")
        .code(0);
    out.stderr_has(&["warning[TP2001]"]);
    let files = ex.files();
    assert!(files.contains(&"Newtonsoft.Json.dll".to_string()));
    assert!(!files.contains(&"Acme.Greeter.dll".to_string()));
}

#[test]
fn keep_globs_are_honoured_and_reported() {
    let ex = Example::new();
    let out = ex
        .run_line("-m manifests/aspnet.xml --keep runtimes/** --keep fr/* publish")
        .code(0);
    let files = ex.files();
    assert!(files.contains(&"runtimes/linux-x64/native/libacme_native.so".to_string()));
    assert!(files.contains(&"fr/Acme.Greeter.resources.dll".to_string()));
    assert!(!files.contains(&"de/Acme.Greeter.resources.dll".to_string()));
    let text = stdout(&out);
    assert!(
        text.contains("kept runtimes/win-x64/native/acme_native.dll  (matches --keep runtimes/**)"),
        "{text}"
    );
}

#[test]
fn bad_manifests_name_file_line_and_column_and_touch_nothing() {
    let cases = [
        ("malformed.xml", "malformed.xml:3:", "TP1003"),
        ("wrong-root.xml", "wrong-root.xml:2:1", "TP1004"),
        ("missing-version.xml", "missing-version.xml:2:3", "TP1005"),
        ("invalid-version.xml", "invalid-version.xml:2:", "TP1006"),
        ("billion-laughs.xml", "billion-laughs.xml:2:1", "TP1003"),
        ("external-entity.xml", "external-entity.xml:2:1", "TP1003"),
        ("truncated.xml", "truncated.xml:2:", "TP1003"),
        ("invalid-utf8.xml", "invalid-utf8.xml", "TP1002"),
    ];
    let ex = Example::new();
    let before = ex.snapshot();
    for (file, location, code) in cases {
        let path = testdata().join("bad").join(file);
        let out = ex
            .cmd()
            .args(["-m", &ex.manifest("aspnet.xml"), "-m"])
            .arg(&path)
            .arg(ex.publish())
            .output()
            .unwrap()
            .code(2);
        let err = stderr(&out);
        assert!(
            err.contains(location),
            "{file}: expected {location} in {err}"
        );
        assert!(err.contains(code), "{file}: expected {code} in {err}");
        assert_eq!(ex.snapshot(), before, "{file} touched the folder");
    }
}

#[test]
fn every_bad_manifest_is_reported_in_one_run() {
    let ex = Example::new();
    let bad = testdata().join("bad");
    let out = ex
        .cmd()
        .arg("-m")
        .arg(bad.join("malformed.xml"))
        .arg("-m")
        .arg(bad.join("invalid-version.xml"))
        .arg("-m")
        .arg(bad.join("does-not-exist.xml"))
        .arg(ex.publish())
        .output()
        .unwrap()
        .code(2);
    let err = stderr(&out);
    assert!(err.contains("malformed.xml:3:"), "{err}");
    assert!(err.contains("invalid-version.xml:2:"), "{err}");
    assert!(err.contains("does-not-exist.xml: error[TP1001]"), "{err}");
}

#[test]
fn a_manifest_that_is_a_directory() {
    let ex = Example::new();
    let out = ex.run(&["-m", "manifests", "publish"]).code(2);
    out.stderr_has(&["manifests: error[TP1001]: the target manifest is a directory"]);
}

#[test]
fn empty_manifest_warns_and_trims_nothing() {
    let ex = Example::new();
    let before = ex.snapshot();
    let out = ex
        .cmd()
        .arg("-m")
        .arg(testdata().join("bad/empty.xml"))
        .arg("publish")
        .output()
        .unwrap()
        .code(0);
    out.stderr_has(&["warning[TP1007]"]);
    out.stdout_has(&["nothing to trim"]);
    assert_eq!(ex.snapshot(), before);
}

#[test]
fn quiet_hides_warnings_and_the_summary() {
    let ex = Example::new();
    let out = ex
        .cmd()
        .arg("-q")
        .arg("-m")
        .arg(testdata().join("bad/empty.xml"))
        .arg("publish")
        .output()
        .unwrap()
        .code(0);
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

/// Runs with the aspnet manifest and asserts the exit code, that stderr has every needle, and
/// that the publish folder is untouched.
fn assert_rejected(ex: &Example, code: i32, needles: &[&str]) {
    let before = ex.snapshot();
    let out = ex.run(&["-m", "manifests/aspnet.xml", "publish"]);
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    let err = stderr(&out);
    for needle in needles {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
    assert_eq!(ex.snapshot(), before, "a rejected run touched the folder");
}

#[test]
fn self_contained_apps_are_refused_with_the_reason() {
    let ex = Example::new();
    ex.patch(
        "App.runtimeconfig.json",
        "\"framework\": {",
        "\"includedFrameworks\": [], \"framework\": {",
    );
    assert_rejected(&ex, 1, &["TP2002", "self-contained", "dotnet/sdk#1362"]);
}

#[test]
fn apps_without_a_tfm_are_refused() {
    let ex = Example::new();
    ex.patch("App.runtimeconfig.json", "\"tfm\": \"netcoreapp3.1\",", "");
    assert_rejected(&ex, 1, &["App.runtimeconfig.json: error[TP2003]"]);
}

#[test]
fn asset_paths_that_escape_the_folder_are_refused() {
    let ex = Example::new();
    ex.patch(
        "App.deps.json",
        "\"runtimes/linux-x64/native/libacme_native.so\": {",
        "\"../../outside.so\": {",
    );
    assert_rejected(
        &ex,
        2,
        &["TP2004", "../../outside.so", "Acme.Greeter/1.2.3"],
    );
}

#[cfg(unix)]
#[test]
fn symlinked_folders_on_the_way_are_refused() {
    let ex = Example::new();
    let outside = ex.root.join("outside");
    fs::rename(ex.publish().join("runtimes"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, ex.publish().join("runtimes")).unwrap();
    let out = ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(2);
    out.stderr_has(&["TP2005"]);
    assert!(outside.join("linux-x64/native/libacme_native.so").exists());
    assert!(ex.publish().join("Acme.Greeter.dll").exists());
}

#[cfg(unix)]
#[test]
fn a_publish_folder_that_is_a_symlink_is_refused() {
    let ex = Example::new();
    std::os::unix::fs::symlink(ex.publish(), ex.root.join("link")).unwrap();
    let out = ex.run(&["-m", "manifests/aspnet.xml", "link"]).code(2);
    out.stderr_has(&["is a symbolic link"]);
    assert!(ex.publish().join("Acme.Greeter.dll").exists());
}

#[test]
fn malformed_deps_json_has_line_and_column() {
    let ex = Example::new();
    ex.patch(
        "App.deps.json",
        "\"type\": \"project\",",
        "\"type\": \"project\",,",
    );
    assert_rejected(
        &ex,
        2,
        &["App.deps.json:111:25: error[TP1203]: invalid JSON: key must be a string\n"],
    );
}

#[test]
fn several_deps_files_need_a_choice() {
    let ex = Example::new();
    fs::copy(
        ex.publish().join("App.deps.json"),
        ex.publish().join("Other.deps.json"),
    )
    .unwrap();
    let out = ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(2);
    let err = stderr(&out);
    assert!(
        err.contains("App.deps.json, Other.deps.json") && err.contains("--deps-file"),
        "{err}"
    );
    // Other.deps.json has no runtimeconfig of its own.
    let out = ex
        .run_line("-m manifests/aspnet.xml --deps-file Other.deps.json publish")
        .code(2);
    out.stderr_has(&["no Other.runtimeconfig.json"]);
    ex.run_line("-m manifests/aspnet.xml --deps-file App.deps.json publish")
        .code(0);
    assert!(!ex.publish().join("Acme.Greeter.dll").exists());
}

#[test]
fn missing_inputs_are_usage_errors() {
    let ex = Example::new();
    let out = ex.cmd().arg("publish").output().unwrap().code(2);
    out.stderr_has(&["no target manifests"]);
    let out = ex.run(&["-m", "manifests/aspnet.xml", "nope"]).code(2);
    out.stderr_has(&["nope: error[TP1301]"]);
    let out = ex.run(&["-m", "manifests/aspnet.xml", "manifests"]).code(2);
    out.stderr_has(&["no *.deps.json"]);
    fs::remove_file(ex.publish().join("App.runtimeconfig.json")).unwrap();
    let out = ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(2);
    out.stderr_has(&["no App.runtimeconfig.json"]);
    ex.cmd().arg("--no-such-flag").assert().code(2);
}

#[test]
fn help_and_version() {
    let out = Command::cargo_bin("trim-publish")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = stdout(&out);
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
    let out = Command::cargo_bin("trim-publish")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    let version = stdout(&out);
    assert!(
        version.starts_with(&format!("trim-publish {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    // Built from a git checkout, the version names the commit.
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
    {
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let commit = String::from_utf8_lossy(&commit.stdout).trim().to_string();
        assert!(
            version.contains(&format!("({commit}")),
            "{version} lacks {commit}"
        );
    }
}

#[test]
fn bom_in_deps_json_is_kept() {
    let ex = Example::new();
    let path = ex.publish().join("App.deps.json");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(fs::read(&path).unwrap());
    fs::write(&path, &bytes).unwrap();
    ex.cmd()
        .args(["-m", "manifests/aspnet.xml", "publish"])
        .assert()
        .code(0);
    let after = fs::read(&path).unwrap();
    assert!(after.starts_with(b"\xEF\xBB\xBF"));
    let v: serde_json::Value = serde_json::from_slice(&after[3..]).unwrap();
    assert_eq!(
        v["libraries"]["Acme.Greeter/1.2.3"]["runtimeStoreManifestName"],
        "aspnet.xml"
    );
}

/// With PreserveCompilationContext the SDK keeps the `refs/` copy of a trimmed package's
/// reference assembly: a store holds no compile assets, and runtime compilation needs it
/// (observed with SDK 3.1.102; tests/sdk.rs compares every case with the SDK).
#[test]
fn refs_copies_of_trimmed_packages_stay_as_the_sdk_keeps_them() {
    let ex = Example::new();
    let deps = ex.publish().join("App.deps.json");
    patch(
        &deps,
        "\"Acme.Greeter/1.2.3\": {\n        \"runtime\": {",
        "\"Acme.Greeter/1.2.3\": {\n        \"compile\": { \"lib/netstandard2.0/Acme.Greeter.dll\": {} },\n        \"runtime\": {",
    );
    fs::create_dir_all(ex.publish().join("refs")).unwrap();
    fs::write(ex.publish().join("refs/Acme.Greeter.dll"), "ref").unwrap();
    let out = ex
        .run(&["-m", "manifests/aspnet.xml", "--format", "json", "publish"])
        .code(0);
    assert!(!ex.publish().join("Acme.Greeter.dll").exists());
    assert_eq!(
        fs::read(ex.publish().join("refs/Acme.Greeter.dll")).unwrap(),
        b"ref"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = v["packages"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(!paths.iter().any(|p| p.starts_with("refs/")), "{paths:?}");
}

/// A file that changed into something `remove_file` refuses (here a folder) between planning
/// and applying: apply stops, says how far it got, leaves no temporary file, and deps.json marks
/// only the packages whose files are all gone; the run's status is Failed (exit code 3).
#[test]
fn apply_stops_part_way_and_says_what_was_done() {
    use trim_publish::inputs::{read_manifests, read_published_app, ManifestSources};
    use trim_publish::trim::apply::{apply, ApplyError, DepsDocument};
    use trim_publish::trim::plan::{plan, PlanInput, PlanOptions};

    let ex = Example::new();
    let before = ex.deps();
    let sources = ManifestSources {
        manifests: vec![ex.root.join("manifests/aspnet.xml")],
        ..Default::default()
    };
    let (union, _) = read_manifests(&sources).unwrap();
    let app = read_published_app(&ex.publish(), None).unwrap();
    let options = PlanOptions::default();
    let the_plan = plan(&PlanInput::for_app(&app, &union, &options));
    let order: Vec<String> = the_plan
        .removals()
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    assert_eq!(order[1], "de/Acme.Greeter.resources.dll");
    let victim = ex.publish().join(&order[1]);
    fs::remove_file(&victim).unwrap();
    fs::create_dir(&victim).unwrap();
    fs::write(victim.join("inside"), "x").unwrap();

    let (applied, result) = apply(
        &app.dir,
        &the_plan,
        &DepsDocument {
            path: &app.deps.path,
            text: &app.deps.text,
            encoding: app.deps_encoding,
        },
        None,
        &Default::default(),
    );
    let err = result.unwrap_err();
    // Checked again right before its removal, the file is no longer the one planned.
    assert!(matches!(err, ApplyError::Changed { done: 1, .. }), "{err}");
    assert!(err.to_string().contains("stopped part-way"), "{err}");
    assert!(
        err.to_string().contains("is no longer a regular file"),
        "{err}"
    );
    assert_eq!(applied.removed, [order[0].clone()]);
    // deps.json now matches the folder: the package whose files are all gone (the file-less
    // metapackage) names its manifest, the half-removed one does not.
    assert!(
        err.to_string().contains(
            "deps.json now names the manifests of the 1 package(s) whose files are all gone"
        ),
        "{err}"
    );
    let after: serde_json::Value = serde_json::from_str(&ex.deps()).unwrap();
    assert_eq!(
        after["libraries"]["Contoso.Meta/1.0.0"]["runtimeStoreManifestName"],
        "aspnet.xml"
    );
    assert!(after["libraries"]["Acme.Greeter/1.2.3"]
        .get("runtimeStoreManifestName")
        .is_none());
    assert_ne!(ex.deps(), before);
    let leftovers: Vec<_> = ex
        .files()
        .into_iter()
        .filter(|f| f.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(trim_publish::Status::Failed.exit_code(), 3);
}

#[test]
fn json_on_refusal_lists_the_mismatches() {
    let ex = Example::new();
    let out = ex
        .run_line("-m manifests/aspnet.xml -m manifests/drift.xml --format json publish")
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "refused");
    assert_eq!(v["exitCode"], 1);
    let m: Vec<(String, String, String)> = v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["appVersion"].as_str().unwrap().to_string(),
                m["listed"][0]["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        m,
        [
            ("Newtonsoft.Json".into(), "13.0.1".into(), "12.0.3".into()),
            ("Serilog".into(), "2.10.0".into(), "2.12.0".into())
        ]
    );
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["TP2001", "TP2001"]);
    assert_eq!(v["depsJsonUpdated"], false);
}

// trim-publish manifest

#[test]
fn a_manifest_written_from_the_store_trims_like_the_original_ones() {
    let ex = Example::new();
    ex.run(&["manifest", "--from-store", "store", "-o", "from-store.xml"])
        .code(0);
    let xml = fs::read_to_string(ex.root.join("from-store.xml")).unwrap();
    assert_eq!(
        xml,
        "<StoreArtifacts>\n  <Package Id=\"Acme.Greeter\" Version=\"1.2.3\" />\n  <Package Id=\"Contoso.Data\" Version=\"2.1.0\" />\n  <Package Id=\"Contoso.Meta\" Version=\"1.0.0\" />\n  <Package Id=\"Newtonsoft.Json\" Version=\"13.0.1\" />\n</StoreArtifacts>\n"
    );
    ex.run(&["-m", "from-store.xml", "--store", "store", "publish"])
        .code(0);
    assert_eq!(ex.files(), expected_after_trim());
}

#[test]
fn manifest_from_store_needs_a_store_and_skips_odd_folders() {
    let ex = Example::new();
    fs::create_dir_all(ex.root.join("store/x64/netcoreapp3.1/acme.greeter/latest")).unwrap();
    let out = ex
        .run(&["manifest", "--from-store", "store/x64/netcoreapp3.1"])
        .code(0);
    out.stderr_has(&["warning[TP6001]: `latest` is not a NuGet version"]);
    assert_eq!(stdout(&out).matches("<Package ").count(), 4);
    fs::create_dir_all(ex.root.join("store/arm64/net8.0/x/1.0.0")).unwrap();
    let out = ex.run(&["manifest", "--from-store", "store"]).code(2);
    out.stderr_has(&["several {arch}/{tfm} folders"]);
    let out = ex
        .run_line("manifest --from-store store --arch arm64 --tfm net8.0")
        .code(0);
    out.stdout_has(&["<Package Id=\"x\" Version=\"1.0.0\" />"]);
    let out = ex.run(&["manifest", "--from-store", "manifests"]).code(2);
    out.stderr_has(&["TP6002"]);
}

#[test]
fn manifest_from_deps_as_artifact_and_store_project() {
    let ex = Example::new();
    let all = stdout(&ex.run(&["manifest", "--from-deps", "publish/App.deps.json"]));
    assert_eq!(all.matches("<Package ").count(), 5, "{all}");
    let lean =
        stdout(&ex.run_line("manifest --from-deps publish/App.deps.json --exclude-framework"));
    assert_eq!(lean.matches("<Package ").count(), 4, "{lean}");
    assert!(
        !lean.contains("Contoso.Meta"),
        "a metapackage brings no files: {lean}"
    );
    let csproj = stdout(&ex.run_line("manifest --from-deps publish/App.deps.json --as csproj"));
    assert!(
        csproj.starts_with("<Project Sdk=\"Microsoft.NET.Sdk\">"),
        "{csproj}"
    );
    assert!(
        csproj.contains("<TargetFramework>netcoreapp3.1</TargetFramework>"),
        "{csproj}"
    );
    assert!(
        csproj.contains("<PackageReference Include=\"Serilog\" Version=\"2.10.0\" />"),
        "{csproj}"
    );
    // The generated manifest trims every package of the app.
    fs::write(ex.root.join("all.xml"), all).unwrap();
    let out = ex.run(&["-m", "all.xml", "--format", "json", "-n", "publish"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"]["packagesTrimmed"], 5);
}

#[test]
fn manifest_diff() {
    let ex = Example::new();
    fs::write(
        ex.root.join("next.xml"),
        "<StoreArtifacts><Package Id=\"acme.greeter\" Version=\"1.2.3.0\" /><Package Id=\"Contoso.Meta\" Version=\"1.1.0\" /><Package Id=\"Polly\" Version=\"8.0.0\" /></StoreArtifacts>",
    )
    .unwrap();
    let out = ex
        .run(&["manifest", "--diff", "manifests/aspnet.xml", "next.xml"])
        .code(0);
    assert_eq!(
        stdout(&out),
        "+ Polly 8.0.0\n~ Contoso.Meta 1.0.0 -> 1.1.0\n1 added, 0 removed, 1 re-versioned\n"
    );
    let out = ex.run_line("manifest --diff manifests/aspnet.xml next.xml --format json");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["added"][0][0], "Polly");
    let out = ex
        .run(&["manifest", "--diff", "manifests/aspnet.xml", "nope.xml"])
        .code(2);
    out.stderr_has(&["nope.xml: error[TP1001]"]);
}

#[test]
fn completions_and_man_page_come_from_the_same_definitions() {
    let bash = Command::cargo_bin("trim-publish")
        .unwrap()
        .args(["completions", "bash"])
        .output()
        .unwrap()
        .code(0);
    let script = stdout(&bash);
    for flag in [
        "--manifest",
        "--store",
        "--keep",
        "--message-format",
        "verify",
        "manifest",
    ] {
        assert!(script.contains(flag), "bash completion lacks {flag}");
    }
    let zsh = Command::cargo_bin("trim-publish")
        .unwrap()
        .args(["completions", "zsh"])
        .output()
        .unwrap();
    zsh.stdout_has(&["#compdef trim-publish"]);
    let man = Command::cargo_bin("trim-publish")
        .unwrap()
        .arg("man")
        .output()
        .unwrap();
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH trim-publish"),
        "{page}"
    );
    assert!(page.contains("allow\\-version\\-mismatch"), "{page}");
}

#[test]
fn a_second_run_on_the_same_folder_waits_for_the_first() {
    use std::io::BufRead;
    let ex = Example::new();
    // Hold the folder's lock as a running trim-publish would.
    let held = fs::File::open(ex.publish()).unwrap();
    held.lock().unwrap();
    let mut child = ex
        .process()
        .args(["-m", "manifests/aspnet.xml", "publish"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (however slow the machine) until it says it is waiting for the lock.
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a line on stderr").unwrap();
    assert_eq!(first, "waiting: another trim-publish is working on publish");
    assert!(
        child.try_wait().unwrap().is_none(),
        "it must wait for the lock"
    );
    assert!(
        ex.publish().join("Acme.Greeter.dll").exists(),
        "nothing before the lock is free"
    );
    drop(held);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(lines.next().is_none(), "nothing else on stderr");
    assert!(!ex.publish().join("Acme.Greeter.dll").exists());
}

#[test]
fn concurrent_runs_end_as_one_run_would() {
    let ex = Example::new();
    let args = line("-m manifests/aspnet.xml -m manifests/shared.xml publish");
    let children: Vec<_> = (0..4)
        .map(|_| ex.process().args(&args).spawn().unwrap())
        .collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    assert_eq!(ex.files(), expected_after_trim());
    assert_eq!(
        ex.manifest_names("Acme.Greeter/1.2.3").as_deref(),
        Some("aspnet.xml;shared.xml")
    );
}

#[test]
fn the_root_and_the_home_folder_are_never_publish_folders() {
    let ex = Example::new();
    let out = ex.run(&["-m", "manifests/aspnet.xml", "/"]).code(2);
    out.stderr_has(&["the root of the file system"]);
    // Even with a deps.json in it, a home folder is refused.
    let before = ex.snapshot();
    let out = ex
        .cmd()
        .env("HOME", ex.publish())
        .args(["-m", "manifests/aspnet.xml", "publish"])
        .output()
        .unwrap()
        .code(2);
    out.stderr_has(&["is your home folder"]);
    assert_eq!(ex.snapshot(), before);
}

// --backup and restore

#[test]
fn backup_and_restore_round_trip_byte_for_byte() {
    let ex = Example::new();
    let before = ex.snapshot();
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml --backup saved publish")
        .code(0);
    assert_eq!(ex.files(), expected_after_trim());
    let journal: serde_json::Value =
        serde_json::from_slice(&fs::read(ex.root.join("saved/trim-publish-journal.json")).unwrap())
            .unwrap();
    assert_eq!(journal["files"].as_array().unwrap().len(), 9);
    assert!(ex
        .root
        .join("saved/files/runtimes/linux-x64/native/libacme_native.so")
        .exists());
    let out = ex.run(&["restore", "saved"]).code(0);
    out.stdout_has(&["restored 9 file(s)"]);
    assert_eq!(
        ex.snapshot(),
        before,
        "restore must give back the folder byte for byte"
    );
    assert!(!ex.root.join("saved").exists());
}

#[test]
fn backup_refuses_a_used_or_inner_folder_and_restore_refuses_conflicts() {
    let ex = Example::new();
    let before = ex.snapshot();
    fs::create_dir_all(ex.root.join("used")).unwrap();
    fs::write(ex.root.join("used/x"), "x").unwrap();
    let out = ex
        .run(&["-m", "manifests/aspnet.xml", "--backup", "used", "publish"])
        .code(2);
    out.stderr_has(&["it is not empty"]);
    let out = ex
        .run_line("-m manifests/aspnet.xml --backup publish/backup publish")
        .code(2);
    out.stderr_has(&["inside the publish folder"]);
    ex.run_line("-m manifests/aspnet.xml --backup publish/../publish/new/sub publish")
        .code(2);
    assert!(!ex.publish().join("backup").exists() && !ex.publish().join("new").exists());
    assert_eq!(ex.snapshot(), before);

    assert_eq!(
        ex.run(&["-m", "manifests/aspnet.xml", "--backup", "b", "publish"])
            .status
            .code(),
        Some(0)
    );
    // Someone put a different Acme.Greeter.dll back meanwhile: restore refuses, changes nothing.
    fs::write(ex.publish().join("Acme.Greeter.dll"), "rebuilt").unwrap();
    let mid = ex.snapshot();
    let out = ex.run(&["restore", "b"]).code(2);
    out.stderr_has(&["nothing was restored: 1 problem(s), e.g. Acme.Greeter.dll is in the folder with other content"]);
    assert_eq!(ex.snapshot(), mid);
    assert!(ex.root.join("b/trim-publish-journal.json").exists());
    let out = ex.run(&["restore", "manifests"]).code(2);
    out.stderr_has(&["not a trim-publish backup"]);
}

/// Regression (issue 11): a symbolic or hard link planted where the deps.json rewrite used to
/// put its temporary file made the trim overwrite a file outside the folder and left
/// App.deps.json a link to it. Temporary files are now created exclusively under unpredictable
/// names; the same holds for `restore`.
#[cfg(unix)]
#[test]
fn links_planted_beside_deps_json_are_never_written_through() {
    let ex = Example::new();
    let outside = tempfile::TempDir::new().unwrap();
    let victim = outside.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let publish = ex.publish();
    std::os::unix::fs::symlink(&victim, publish.join(".App.deps.json.trim-publish.tmp")).unwrap();
    let backup = ex.root.join("backup");
    ex.run(&[
        "-m",
        "manifests/aspnet.xml",
        "--backup",
        backup.to_str().unwrap(),
        "publish",
    ])
    .code(0);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    let deps = fs::symlink_metadata(publish.join("App.deps.json")).unwrap();
    assert!(
        deps.file_type().is_file(),
        "App.deps.json must stay a regular file"
    );
    assert!(ex.deps().contains("runtimeStoreManifestName"));

    // restore: the same name as a hard link to the victim.
    fs::remove_file(publish.join(".App.deps.json.trim-publish.tmp")).unwrap();
    fs::hard_link(&victim, publish.join(".App.deps.json.trim-publish.tmp")).unwrap();
    ex.run(&["restore", backup.to_str().unwrap()]).code(0);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(fs::symlink_metadata(publish.join("App.deps.json"))
        .unwrap()
        .file_type()
        .is_file());
    assert!(!ex.deps().contains("runtimeStoreManifestName"));
}

/// Regression (issue 14): `--check` depended on the order and the set of manifests, and a
/// re-trim replaced the names deps.json already had instead of adding to them.
#[test]
fn check_passes_for_the_same_manifests_in_any_order_or_subset_and_retrims_add_names() {
    let ex = Example::new();
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml publish")
        .code(0);
    let names = ex.manifest_names("Acme.Greeter/1.2.3");
    assert_eq!(names.as_deref(), Some("aspnet.xml;shared.xml"));
    for manifests in [
        &["-m", "manifests/shared.xml", "-m", "manifests/aspnet.xml"][..],
        &["-m", "manifests/aspnet.xml"],
        &["-m", "manifests/shared.xml"],
    ] {
        let mut args = vec!["--check"];
        args.extend(manifests);
        args.push("publish");
        ex.run(&args).code(0);
    }
    // A third manifest listing a trimmed package adds its name; the SDK's names stay first.
    fs::write(
        ex.root.join("manifests/extra.xml"),
        "<StoreArtifacts><Package Id=\"Acme.Greeter\" Version=\"1.2.3\" /></StoreArtifacts>",
    )
    .unwrap();
    ex.run(&["--check", "-m", "manifests/extra.xml", "publish"])
        .code(4)
        .stderr_has(&["Acme.Greeter/1.2.3 names `aspnet.xml;shared.xml` where the manifests need `aspnet.xml;shared.xml;extra.xml`"]);
    ex.run(&["-m", "manifests/extra.xml", "publish"]).code(0);
    assert_eq!(
        ex.manifest_names("Acme.Greeter/1.2.3").as_deref(),
        Some("aspnet.xml;shared.xml;extra.xml")
    );
}

/// Regression (issue 11): a package asset named like the app's own `App.runtimeconfig.json`
/// made the trim delete the app's file. The app's deps.json and runtimeconfig are never a
/// package's, whatever deps.json says: they stay, and the report says why.
#[test]
fn a_package_asset_named_like_the_apps_own_files_never_removes_them() {
    let ex = Example::new();
    ex.patch("App.deps.json",
        "\"Acme.Greeter/1.2.3\": {\n        \"runtime\": {",
        "\"Acme.Greeter/1.2.3\": {\n        \"runtime\": {\n          \"lib/netstandard2.0/App.runtimeconfig.json\": {},\n          \"lib/netstandard2.0/App.deps.json\": {},",
    );
    let rc = fs::read(ex.publish().join("App.runtimeconfig.json")).unwrap();
    let v = ex
        .run(&["-m", "manifests/aspnet.xml", "--format", "json", "publish"])
        .code(0)
        .json();
    assert_eq!(
        fs::read(ex.publish().join("App.runtimeconfig.json")).unwrap(),
        rc
    );
    assert!(ex.publish().join("App.deps.json").is_file());
    let kept: Vec<&str> = v["packages"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["action"] == "keep")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(kept, ["App.runtimeconfig.json", "App.deps.json"], "{v}");
}

/// Regression (issue 11): `-j 65535` was accepted and crawled. Thread counts are bounded.
#[test]
fn jobs_are_bounded() {
    let ex = Example::new();
    ex.run_line("-m manifests/aspnet.xml --store store -j 65535 publish")
        .code(2)
        .stderr_has(&["65535 is not in 1..=256"]);
    ex.run_line("-m manifests/aspnet.xml --store store -j 256 --dry-run publish")
        .code(0);
}

/// Plans the example against `manifests` through the library, as the CLI does.
fn planned_example(
    ex: &Example,
    manifests: &[&str],
) -> (
    trim_publish::inputs::PublishedApp,
    trim_publish::trim::plan::RemovalPlan,
) {
    use trim_publish::inputs::{read_manifests, read_published_app, ManifestSources};
    use trim_publish::trim::plan::{plan, PlanInput, PlanOptions};
    let sources = ManifestSources {
        manifests: manifests
            .iter()
            .map(|m| ex.root.join("manifests").join(m))
            .collect(),
        ..Default::default()
    };
    let (union, _) = read_manifests(&sources).unwrap();
    let app = read_published_app(&ex.publish(), None).unwrap();
    let the_plan = plan(&PlanInput::for_app(&app, &union, &PlanOptions::default()));
    (app, the_plan)
}

fn apply_planned(
    app: &trim_publish::inputs::PublishedApp,
    the_plan: &trim_publish::trim::plan::RemovalPlan,
    store_copies: &std::collections::HashMap<String, std::path::PathBuf>,
) -> Result<(), trim_publish::trim::apply::ApplyError> {
    use trim_publish::trim::apply::{apply, DepsDocument};
    let deps = DepsDocument {
        path: &app.deps.path,
        text: &app.deps.text,
        encoding: app.deps_encoding,
    };
    apply(&app.dir, the_plan, &deps, None, store_copies).1
}

/// Regression (issue 11): with a slowed run, a folder swapped for a symbolic link between
/// planning and deletion made the tool delete files outside the publish folder. Each file is
/// checked again right before its removal.
#[cfg(unix)]
#[test]
fn a_folder_swapped_for_a_link_after_planning_stops_the_run() {
    let ex = Example::new();
    let (app, the_plan) = planned_example(&ex, &["aspnet.xml"]);
    let outside = tempfile::TempDir::new().unwrap();
    let runtimes = ex.publish().join("runtimes");
    copy_dir(&runtimes, &outside.path().join("runtimes"));
    fs::remove_dir_all(&runtimes).unwrap();
    std::os::unix::fs::symlink(outside.path().join("runtimes"), &runtimes).unwrap();
    let outside_before = snapshot(outside.path());
    let err = apply_planned(&app, &the_plan, &Default::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("symbolic link or a file on the way"),
        "{err}"
    );
    assert_eq!(
        snapshot(outside.path()),
        outside_before,
        "nothing outside the folder is touched"
    );
}

/// Regression (issue 11): a publish file rewritten after verification was deleted.
#[test]
fn a_file_rewritten_after_planning_is_not_removed() {
    let ex = Example::new();
    let (app, the_plan) = planned_example(&ex, &["aspnet.xml"]);
    let first = the_plan.removals()[0].0.to_string();
    fs::write(
        ex.publish().join(&first),
        "rewritten by someone else, with other bytes",
    )
    .unwrap();
    let err = apply_planned(&app, &the_plan, &Default::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("changed after the trim was planned and verified"),
        "{err}"
    );
    assert!(ex.publish().join(&first).exists());
}

/// Regression (issue 11): a store copy deleted mid-run did not stop the trim.
#[test]
fn a_store_copy_deleted_after_verification_stops_the_run() {
    let ex = Example::new();
    let (app, the_plan) = planned_example(&ex, &["aspnet.xml"]);
    let first = the_plan.removals()[0].0.to_string();
    let store_copy = ex.root.join("store-copy-that-went-away.dll");
    let copies = std::collections::HashMap::from([(first.clone(), store_copy)]);
    let err = apply_planned(&app, &the_plan, &copies).unwrap_err();
    assert!(err.to_string().contains("lost its store copy"), "{err}");
    assert!(ex.publish().join(&first).exists());
}

/// Regression (issue 11): after a part-way failure (exit 3) the JSON counted a file as removed
/// that was not, and the text table said a package that stayed was removed. The counts are now
/// what happened on disk.
#[test]
fn a_part_way_failure_reports_exactly_what_was_removed() {
    use trim_publish::host::store::StoreSelection;
    use trim_publish::inputs::ManifestSources;
    use trim_publish::trim::{Observer, StoreCheckOptions, TrimConfig};

    /// Rewrites one planned file after the store check, before apply removes anything.
    struct Saboteur(std::path::PathBuf);
    impl Observer for Saboteur {
        fn hashing_finished(&self) {
            fs::write(&self.0, "changed after verification").unwrap();
        }
    }
    let ex = Example::new();
    let (_, the_plan) = planned_example(&ex, &["aspnet.xml", "shared.xml"]);
    let removals: Vec<String> = the_plan
        .removals()
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    let victim = removals.last().unwrap().clone();
    let config = TrimConfig {
        publish_dir: ex.publish(),
        sources: ManifestSources {
            manifests: vec![
                ex.root.join("manifests/aspnet.xml"),
                ex.root.join("manifests/shared.xml"),
            ],
            ..Default::default()
        },
        deps_file: None,
        allow_version_mismatch: false,
        keep: Vec::new(),
        dry_run: false,
        check: false,
        backup: None,
        stores: StoreSelection {
            dirs: vec![ex.root.join("store")],
            ..Default::default()
        },
        store_check: StoreCheckOptions {
            cache: trim_publish::trim::CacheChoice::Off,
            ..Default::default()
        },
    };
    let report = trim_publish::run(&config, &Saboteur(ex.publish().join(&victim)));
    assert_eq!(report.exit_code, 3, "{:?}", report.diagnostics);
    let gone = removals
        .iter()
        .filter(|p| !ex.publish().join(p).exists())
        .count();
    assert_eq!(
        gone,
        removals.len() - 1,
        "every file before the changed one was removed"
    );
    assert_eq!(report.totals.files_removed, gone);
    let owner = report
        .packages
        .iter()
        .find(|p| p.files.iter().any(|f| f.path == victim))
        .unwrap();
    let file = owner.files.iter().find(|f| f.path == victim).unwrap();
    assert_eq!(serde_json::to_value(file.action).unwrap(), "not-removed");
    assert_eq!(report.totals.packages_trimmed, report.packages.len() - 1);
    let text = report.to_text(false);
    let line = text
        .lines()
        .find(|l| l.contains(&format!("{} {}", owner.id, owner.version)))
        .unwrap();
    assert!(!line.trim_start().starts_with("removed"), "{line}");
}

/// Regression (issue 11): a file with a non-UTF-8 name was scanned under a lossy look-alike
/// name; when deps.json named that look-alike, the file was "removed" (counted, never deleted)
/// and `--check` failed forever. Such names are never an asset's: the trim ends, and a check
/// then passes.
#[cfg(target_os = "linux")]
#[test]
fn non_utf8_names_are_never_planned() {
    use std::os::unix::ffi::OsStrExt;
    let ex = Example::new();
    let odd = std::ffi::OsStr::from_bytes(b"odd\xff.dll");
    fs::write(ex.publish().join(odd), "not utf-8").unwrap();
    ex.patch("App.deps.json",
        "\"Acme.Greeter/1.2.3\": {\n        \"runtime\": {",
        "\"Acme.Greeter/1.2.3\": {\n        \"runtime\": {\n          \"lib/netstandard2.0/odd\u{fffd}.dll\": {},",
    );
    ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(0);
    assert!(
        ex.publish().join(odd).exists(),
        "the non-UTF-8 file is not the asset"
    );
    ex.run(&["--check", "-m", "manifests/aspnet.xml", "publish"])
        .code(0);
}

/// Regression (issue 11): folders a killed run had emptied stayed after a successful re-run
/// (their files were already absent, so nothing pointed at them).
#[test]
fn folders_emptied_by_an_interrupted_run_go_on_the_next_run() {
    let ex = Example::new();
    // What a run killed after its first removals leaves: the native's folder emptied, deps.json
    // not yet rewritten.
    let native = ex.publish().join("runtimes/linux-x64/native");
    for f in fs::read_dir(&native).unwrap() {
        fs::remove_file(f.unwrap().path()).unwrap();
    }
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml publish")
        .code(0);
    assert!(!ex.publish().join("runtimes").exists(), "{:?}", ex.files());
    assert_eq!(ex.files(), expected_after_trim());
    // Only the emptied folders left: the trim still removes them, then nothing is left to do.
    let ex = Example::new();
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml publish")
        .code(0);
    fs::create_dir_all(ex.publish().join("runtimes/linux-x64/native")).unwrap();
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml publish")
        .code(0)
        .stdout_has(&["removed 3 empty folders"]);
    assert!(!ex.publish().join("runtimes").exists());
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml publish")
        .code(0)
        .stdout_has(&["already trimmed"]);
}

/// Regression (issue 11): a UTF-16 deps.json was rewritten as UTF-8 without its byte order mark.
/// The rewrite keeps the file's encoding.
#[test]
fn a_utf16_deps_json_stays_utf16() {
    for (bom, encode) in [
        (&[0xFF, 0xFE], u16::to_le_bytes as fn(u16) -> [u8; 2]),
        (&[0xFE, 0xFF], u16::to_be_bytes as fn(u16) -> [u8; 2]),
    ] {
        let ex = Example::new();
        let path = ex.publish().join("App.deps.json");
        let text = fs::read_to_string(&path).unwrap();
        let utf16: Vec<u8> = bom
            .iter()
            .copied()
            .chain(text.encode_utf16().flat_map(encode))
            .collect();
        fs::write(&path, utf16).unwrap();
        ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(0);
        let after = fs::read(&path).unwrap();
        assert_eq!(&after[..2], bom, "the byte order mark stays");
        let units: Vec<u16> = after[2..]
            .chunks(2)
            .map(|c| {
                if bom[0] == 0xFF {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        let decoded = String::from_utf16(&units).unwrap();
        assert!(
            decoded.contains("\"runtimeStoreManifestName\": \"aspnet.xml\""),
            "{decoded}"
        );
        assert_eq!(
            decoded.replace(",\n      \"runtimeStoreManifestName\": \"aspnet.xml\"", ""),
            text
        );
    }
}

/// Trims the example into a backup folder `b` and returns the folder's snapshot before the trim.
fn trimmed_with_backup(ex: &Example) -> std::collections::BTreeMap<String, Vec<u8>> {
    let before = ex.snapshot();
    ex.run_line("-m manifests/aspnet.xml -m manifests/shared.xml --backup b publish")
        .code(0);
    before
}

/// Regression (issue 11): a backup copy truncated by a full disk or a kill was "restored" as a
/// short file, or a missing one as success, and the backup deleted. Restore checks every byte
/// against the journal first, restores nothing and keeps the backup.
#[test]
fn restore_refuses_damaged_or_missing_backup_copies_and_keeps_the_backup() {
    let ex = Example::new();
    trimmed_with_backup(&ex);
    let copy = ex.root.join("b/files/Newtonsoft.Json.dll");
    let full = fs::read(&copy).unwrap();
    fs::write(&copy, &full[..full.len() / 2]).unwrap();
    let mid = ex.snapshot();
    ex.run(&["restore", "b"]).code(2).stderr_has(&[
        "the backup copy of Newtonsoft.Json.dll is damaged or incomplete",
        "The backup is kept",
    ]);
    assert_eq!(ex.snapshot(), mid);
    fs::remove_file(&copy).unwrap();
    ex.run(&["restore", "b"])
        .code(2)
        .stderr_has(&["Newtonsoft.Json.dll is neither in the backup nor in the folder"]);
    assert_eq!(ex.snapshot(), mid);
    assert!(ex.root.join("b/trim-publish-journal.json").exists());
}

/// Regression (issue 11): restore into a moved publish folder recreated a fragment at the old
/// path and deleted the backup. It refuses and says how to restore where the folder is now.
#[test]
fn restore_into_a_moved_folder_refuses_then_restores_with_to() {
    let ex = Example::new();
    let before = trimmed_with_backup(&ex);
    fs::rename(ex.publish(), ex.root.join("moved")).unwrap();
    ex.run(&["restore", "b"])
        .code(2)
        .stderr_has(&["does not exist", "--to DIR"]);
    assert!(!ex.publish().exists(), "no fragment at the old path");
    ex.run(&["restore", "b", "--to", "moved"]).code(0);
    assert_eq!(snapshot(&ex.root.join("moved")), before);
    assert!(!ex.root.join("b").exists());
}

/// Regression (issue 11): restore overwrote a deps.json edited after the trim, and trusted the
/// journal's `publishDir` and `depsFile` (a tampered journal wrote outside the folder).
#[test]
fn restore_refuses_an_edited_deps_json_and_a_tampered_journal() {
    let ex = Example::new();
    trimmed_with_backup(&ex);
    let deps = ex.publish().join("App.deps.json");
    let trimmed = fs::read(&deps).unwrap();
    patch(&deps, "\"serviceable\": true", "\"serviceable\": false");
    ex.run(&["restore", "b"])
        .code(2)
        .stderr_has(&["App.deps.json was edited after the trim"]);
    fs::write(&deps, &trimmed).unwrap();

    let journal_path = ex.root.join("b/trim-publish-journal.json");
    let journal = fs::read_to_string(&journal_path).unwrap();
    fs::write(
        &journal_path,
        journal.replace(
            "\"depsFile\": \"App.deps.json\"",
            "\"depsFile\": \"../../outside.deps.json\"",
        ),
    )
    .unwrap();
    ex.run(&["restore", "b"])
        .code(2)
        .stderr_has(&["is not a deps.json file name"]);
    let elsewhere = ex.root.join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let outside = serde_json::to_string(&elsewhere).unwrap();
    fs::write(
        &journal_path,
        journal.replace(
            &serde_json::to_string(&fs::canonicalize(ex.publish()).unwrap()).unwrap(),
            &outside,
        ),
    )
    .unwrap();
    ex.run(&["restore", "b"])
        .code(2)
        .stderr_has(&["it is not the publish folder this backup was made from"]);
    assert_eq!(
        fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written elsewhere"
    );
    fs::write(&journal_path, &journal).unwrap();
    ex.run(&["restore", "b"]).code(0);
}

/// Regression (issue 11): an unwritable `--summary` path returned exit 2 ("nothing changed")
/// after the folder had been trimmed. The run's outcome stands and the exit code says the
/// folder changed (3); without a change it is 2.
#[test]
fn an_unwritable_summary_never_claims_nothing_changed() {
    let ex = Example::new();
    let summary = ex.root.join("no-such-folder/summary.md");
    let summary = summary.to_str().unwrap();
    ex.run(&[
        "-m",
        "manifests/aspnet.xml",
        "--summary",
        summary,
        "publish",
    ])
    .code(3)
    .stderr_has(&["error[TP3003]: cannot write the summary"]);
    assert!(
        !ex.publish().join("Acme.Greeter.dll").exists(),
        "the trim itself happened"
    );
    ex.run(&[
        "-m",
        "manifests/aspnet.xml",
        "--summary",
        summary,
        "publish",
    ])
    .code(2)
    .stderr_has(&["error[TP3003]"]);
}

/// A backup on another file system (here /dev/shm, a tmpfs) takes the copy path: each file is
/// copied under a temporary name, synced and size-checked before the original goes. A partial
/// copy left by a killed run (a temporary name) is ignored by restore, which puts everything
/// back byte for byte.
#[cfg(target_os = "linux")]
#[test]
fn a_backup_on_another_file_system_round_trips() {
    use std::os::unix::fs::MetadataExt;
    let shm = std::path::Path::new("/dev/shm");
    let ex = Example::new();
    assert!(
        shm.is_dir() && fs::metadata(shm).unwrap().dev() != fs::metadata(&ex.root).unwrap().dev(),
        "this test needs /dev/shm on a file system other than the temporary folder's"
    );
    let backup = tempfile::TempDir::new_in(shm).unwrap();
    let b = backup.path().join("b");
    let before = ex.snapshot();
    ex.run(&[
        "-m",
        "manifests/aspnet.xml",
        "--backup",
        b.to_str().unwrap(),
        "publish",
    ])
    .code(0);
    assert!(!ex.publish().join("Acme.Greeter.dll").exists());
    assert!(b.join("files/Acme.Greeter.dll").is_file());
    // What a copy killed part-way leaves: a temporary name, never the file's own.
    fs::write(
        b.join("files/.Acme.Greeter.dll.0123456789abcdef.tmp"),
        "partial",
    )
    .unwrap();
    ex.run(&["restore", b.to_str().unwrap()]).code(0);
    assert_eq!(ex.snapshot(), before);
    assert!(!b.exists());
}

/// Restore after a `--backup` re-trim that added a manifest name to names deps.json already had
/// (`aspnet.xml` -> `aspnet.xml;extra.xml`): that is the trim's own edit, not the user's, so the
/// folder comes back byte for byte.
#[test]
fn restore_accepts_names_a_retrim_appended() {
    let ex = Example::new();
    ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(0);
    let trimmed = ex.snapshot();
    fs::write(
        ex.root.join("manifests/extra.xml"),
        "<StoreArtifacts><Package Id=\"Acme.Greeter\" Version=\"1.2.3\" /><Package Id=\"Newtonsoft.Json\" Version=\"13.0.1\" /></StoreArtifacts>",
    )
    .unwrap();
    ex.run(&["-m", "manifests/extra.xml", "--backup", "b", "publish"])
        .code(0);
    assert_eq!(
        ex.manifest_names("Acme.Greeter/1.2.3").as_deref(),
        Some("aspnet.xml;extra.xml")
    );
    ex.run(&["restore", "b"]).code(0);
    assert_eq!(ex.snapshot(), trimmed);
}

/// A symbolic link planted at a file's own name, to a copy outside with the same bytes, is not a
/// restored file: restore refuses and keeps the backup (it once counted the link as restored and
/// deleted the backup, leaving the only copy outside the folder).
#[cfg(unix)]
#[test]
fn restore_does_not_take_a_planted_link_for_a_restored_file() {
    let ex = Example::new();
    trimmed_with_backup(&ex);
    let outside = tempfile::TempDir::new().unwrap();
    let copy = outside.path().join("Acme.Greeter.dll");
    fs::copy(ex.root.join("b/files/Acme.Greeter.dll"), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, ex.publish().join("Acme.Greeter.dll")).unwrap();
    ex.run(&["restore", "b"])
        .code(2)
        .stderr_has(&["Acme.Greeter.dll is in the folder with other content, or as a link"]);
    assert!(
        ex.root.join("b/files/Acme.Greeter.dll").is_file(),
        "the backup is kept"
    );
}

/// With `--message-format msbuild` the text report's summary line moves to stderr (an MSBuild
/// target logs it at high importance and the table, on stdout, at low); nothing else moves.
#[test]
fn msbuild_message_format_puts_the_summary_line_on_stderr() {
    let ex = Example::new();
    let human = Example::new()
        .run_line("-m manifests/aspnet.xml publish")
        .code(0);
    let out = ex
        .run_line("--message-format msbuild -m manifests/aspnet.xml publish")
        .code(0);
    let human_out = stdout(&human);
    let (table, summary) = human_out
        .trim_end()
        .rsplit_once('\n')
        .expect("a table and a summary line");
    assert_eq!(stdout(&out), format!("{table}\n"));
    assert_eq!(stderr(&out), format!("trim-publish: {summary}\n"));
    assert!(summary.starts_with("removed 5 files"), "{summary}");
}
