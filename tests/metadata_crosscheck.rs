//! Cross-checks the ECMA-335 metadata reader against Mono's `monodis`, an independent
//! implementation, on every assembly of the Mono installation (large, strong-named, with 4-byte
//! table indexes) and on the fixtures in testdata/assemblies. `.ci/run` installs monodis (Debian
//! package mono-utils); it is `#[ignore]`d, and run without monodis it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use trim_publish::formats::metadata::read_identity;

fn monodis(args: &[&str], file: &Path) -> Option<String> {
    let out = Command::new("monodis").args(args).arg(file).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn assemblies() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in [
        Path::new("/usr/lib/mono").to_path_buf(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/assemblies"),
    ] {
        for e in walkdir::WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .flatten()
        {
            let p = e.path();
            if e.file_type().is_file() && p.extension().is_some_and(|x| x == "dll" || x == "exe") {
                files.push(p.to_path_buf());
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

#[test]
#[ignore = "needs Mono's monodis (apt-get install mono-utils); .ci/run runs it with --include-ignored"]
fn identity_matches_monodis() {
    assert!(
        Command::new("monodis").arg("--help").output().is_ok(),
        "monodis is missing: apt-get install mono-utils"
    );
    let mut checked = 0;
    for file in assemblies() {
        let ours = read_identity(&std::fs::read(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let module = monodis(&["--module"], &file).unwrap();
        let mvid = module
            .split('{')
            .nth(1)
            .and_then(|s| s.split('}').next())
            .unwrap_or_else(|| panic!("{}: no MVID in {module}", file.display()));
        assert_eq!(ours.mvid_string(), mvid, "{}", file.display());
        let assembly = monodis(&["--assembly"], &file).unwrap();
        let field = |name: &str| {
            assembly
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
        };
        assert_eq!(
            field("Name:").as_deref(),
            Some(ours.name.as_str()),
            "{}",
            file.display()
        );
        assert_eq!(
            field("Version:").as_deref(),
            Some(ours.version_string().as_str()),
            "{}",
            file.display()
        );
        checked += 1;
    }
    println!("checked {checked} assemblies against monodis");
    assert!(checked >= 5, "only {checked} assemblies found");
}
