//! The catalogue of broken inputs in testdata/bad/: each one, passed as a manifest or put in
//! place of the example's deps.json, must give the exit code and message listed in
//! testdata/bad/expected.tsv, and touch nothing.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// Writes the inputs too large to keep in the repository.
fn generated(name: &str, dir: &Path) -> PathBuf {
    let text = match name {
        "huge-attribute.xml" => format!(
            "<StoreArtifacts>\n  <Package Id=\"{}\" Version=\"1.0.0\" />\n</StoreArtifacts>\n",
            "A".repeat(4 << 20)
        ),
        "huge-version.xml" => format!(
            "<StoreArtifacts>\n  <Package Id=\"A\" Version=\"1.{}\" />\n</StoreArtifacts>\n",
            "9".repeat(100_000)
        ),
        "deeply-nested.xml" => format!(
            "<StoreArtifacts>{}{}<Package Id=\"Acme.Greeter\" Version=\"1.2.3\" /></StoreArtifacts>\n",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        ),
        "deeply-nested.deps.json" => format!(
            "{{\"runtimeTarget\": {{\"name\": \".NETCoreApp,Version=v3.1\"}}, \"targets\": {{\".NETCoreApp,Version=v3.1\": {{}}}}, \"libraries\": {{}}, \"compilationOptions\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
        "deeply-nested-known-field.deps.json" => format!(
            "{{\"runtimeTarget\": {}1{}}}",
            "{\"a\":".repeat(5_000),
            "}".repeat(5_000)
        ),
        other => panic!("no generator for {other}"),
    };
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_catalogued_input_gets_its_expected_answer() {
    let bad = testdata().join("bad");
    let table = fs::read_to_string(bad.join("expected.tsv")).unwrap();
    let mut checked = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, file, code, needle] = cols[..] else {
            panic!("bad row: {line:?}")
        };
        let ex = Example::new();
        let input = match file.strip_prefix("generated/") {
            Some(name) => generated(name, &ex.root),
            None => bad.join(if kind == "deps" {
                format!("deps/{file}")
            } else {
                file.to_string()
            }),
        };
        let out = if kind == "deps" {
            fs::copy(&input, ex.publish().join("App.deps.json")).unwrap();
            let before = ex.snapshot();
            let out = ex.run(&["-m", "manifests/aspnet.xml", "publish"]);
            assert_eq!(ex.snapshot(), before, "{file} touched the folder");
            out
        } else {
            let before = ex.snapshot();
            let out = ex
                .cmd()
                .arg("-m")
                .arg(&input)
                .arg("--dry-run")
                .arg("publish")
                .output()
                .unwrap();
            assert_eq!(ex.snapshot(), before, "{file} touched the folder");
            out
        };
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(code.parse().unwrap()),
            "{file}: {err}"
        );
        if needle == "-" {
            assert!(err.is_empty(), "{file}: expected no messages, got {err}");
        } else {
            assert!(err.contains(needle), "{file}: expected {needle:?} in {err}");
        }
        checked += 1;
    }
    assert!(checked >= 24, "only {checked} rows");
}

#[test]
fn utf16_manifests_read_like_utf8_ones() {
    let ex = Example::new();
    for file in ["utf16-with-bom.xml", "utf16be-with-bom.xml"] {
        let out = ex
            .cmd()
            .arg("-m")
            .arg(testdata().join("bad").join(file))
            .args(["-n", "--format", "json", "publish"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["packages"][0]["libraryKey"], "Acme.Greeter/1.2.3",
            "{file}"
        );
    }
}

#[test]
fn a_dangling_link_as_manifest_is_unreadable() {
    let ex = Example::new();
    #[cfg(unix)]
    std::os::unix::fs::symlink(ex.root.join("nowhere.xml"), ex.root.join("dangling.xml")).unwrap();
    #[cfg(unix)]
    {
        let out = ex.run(&["-m", "dangling.xml", "publish"]).code(2);
        out.stderr_has(&["dangling.xml: error[TP1001]"]);
    }
}

/// Inputs that once crashed a reader under `cargo fuzz` (testdata/bad/fuzz/): every reader must
/// answer them, with a result or an error, and the CLI must exit 2, not panic.
#[test]
fn fuzz_regressions_are_answered_without_panicking() {
    use trim_publish::formats::deps::DepsFile;
    use trim_publish::formats::manifest::TargetManifest;
    let dir = testdata().join("bad/fuzz");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        let _ = TargetManifest::parse(&path, &bytes);
        let _ = trim_publish::formats::project::target_manifest_files(&path, &bytes, &[]);
        let _ = DepsFile::parse(&path, &bytes);
        let _ = trim_publish::formats::metadata::read_identity(&bytes);
        let ex = Example::new();
        let out = ex
            .cmd()
            .arg("--project")
            .arg(&path)
            .arg("publish")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: {}",
            path.display(),
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        seen += 1;
    }
    assert!(seen >= 1);
}

/// Regression (issue 11): `App.runtimeconfig.json` as a FIFO hung the tool while it held the
/// folder's lock, and a deps.json linked to `/dev/zero` was read until memory ran out. Only
/// regular files are inputs: both end at once with exit 2 and nothing touched.
#[cfg(unix)]
#[test]
fn fifos_and_devices_as_inputs_are_refused_not_waited_on() {
    use std::time::{Duration, Instant};
    for (name, make) in [
        ("App.runtimeconfig.json", "fifo"),
        ("App.deps.json", "/dev/zero"),
    ] {
        let ex = Example::new();
        let target = ex.publish().join(name);
        fs::remove_file(&target).unwrap();
        if make == "fifo" {
            let ok = std::process::Command::new("mkfifo")
                .arg(&target)
                .status()
                .unwrap();
            assert!(ok.success());
        } else {
            std::os::unix::fs::symlink(make, &target).unwrap();
        }
        let mut child = ex
            .process()
            // Named explicitly: the folder scan alone skips a deps.json that is not a file.
            .args(line(
                "-m manifests/aspnet.xml --deps-file App.deps.json publish",
            ))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("{name} as a {make}: still running after 30 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(2), "{name} as a {make}: {err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
}

/// Regression (issue 11): one over-long path in the folder refused the run with a message
/// several KB long (the path, twice). The path is named once, shortened.
#[cfg(target_os = "linux")]
#[test]
fn an_over_long_path_is_named_briefly() {
    let ex = Example::new();
    // Created step by step, relative to each new folder, past PATH_MAX (4096).
    // (A shell's `cd` tracks the logical path and gives up there; chdir(2) does not.)
    let made = std::process::Command::new("python3")
        .args([
            "-c",
            "import os\nfor _ in range(20):\n    os.mkdir('d' * 250)\n    os.chdir('d' * 250)\nopen('f', 'w').write('x')",
        ])
        .current_dir(ex.publish())
        .status()
        .unwrap();
    assert!(made.success());
    let out = ex.run(&["-m", "manifests/aspnet.xml", "publish"]).code(2);
    let err = stderr(&out);
    assert!(err.len() < 600, "{} bytes: {err}", err.len());
    out.stderr_has(&["error[TP1301]", "characters)", "File name too long"]);
}
