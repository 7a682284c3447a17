//! Scaffolding shared by the integration tests: private copies of `testdata/example`,
//! folder snapshots and small file edits.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub mod sdk;

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A private copy of `testdata/example` (publish folder, manifests, project).
pub struct Example {
    _tmp: TempDir,
    pub root: PathBuf,
}

impl Example {
    pub fn new() -> Self {
        let tmp = TempDir::new().unwrap();
        let root = tmp.path().join("example");
        copy_dir(&testdata().join("example"), &root);
        Example { _tmp: tmp, root }
    }
    pub fn publish(&self) -> PathBuf {
        self.root.join("publish")
    }
    pub fn manifest(&self, name: &str) -> String {
        self.root.join("manifests").join(name).display().to_string()
    }
    pub fn deps(&self) -> String {
        fs::read_to_string(self.publish().join("App.deps.json")).unwrap()
    }
    /// Every file in the publish folder with its bytes.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.publish())
    }
    pub fn files(&self) -> Vec<String> {
        self.snapshot().into_keys().collect()
    }
    pub fn cmd(&self) -> Command {
        Command::from_std(self.process())
    }
    /// The binary as a plain process, for tests that spawn and wait.
    pub fn process(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_trim-publish"));
        // Hermetic: the digest cache goes to this example's own folder.
        c.current_dir(&self.root)
            .env("XDG_CACHE_HOME", self.root.join(".cache"));
        c
    }
    /// Runs the binary in the example's root with these arguments.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }
    /// Replaces `from` with `to` in a file of the publish folder.
    pub fn patch(&self, file: &str, from: &str, to: &str) {
        patch(&self.publish().join(file), from, to)
    }
    /// Runs the binary with a command line written as one string of space-separated words
    /// (none of the example's paths has a space).
    pub fn run_line(&self, words: &str) -> std::process::Output {
        self.run(&line(words))
    }
}

/// A command line written as one string, split at spaces.
pub fn line(words: &str) -> Vec<&str> {
    words.split_whitespace().collect()
}

pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap_or_default())
        })
        .collect()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn patch(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replace(from, to)).unwrap();
}

/// `../shared/corpus` (or `TRIM_PUBLISH_CORPUS`): real deps.json files, manifests and listings,
/// read in place. Tests that need it fail when it is absent rather than pass silently.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("TRIM_PUBLISH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.is_dir(),
        "the corpus folder {} is absent: check out shared/ beside the repository or set TRIM_PUBLISH_CORPUS",
        dir.display()
    );
    dir
}

/// splitmix64: small, seedable and the same on every machine, so a random case reproduces from
/// its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with this chance, in percent.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Assertions on a finished run that read as the scenario, each printing the run's stdout and
/// stderr when it fails (in the spirit of fd's `TestEnv::assert_output`).
pub trait RunAssert: Sized {
    /// The exit code is `expected`.
    fn code(self, expected: i32) -> Self;
    /// stderr contains every needle.
    fn stderr_has(&self, needles: &[&str]) -> &Self;
    /// stdout contains every needle.
    fn stdout_has(&self, needles: &[&str]) -> &Self;
    /// stdout parsed as JSON.
    fn json(&self) -> serde_json::Value;
}

impl RunAssert for std::process::Output {
    fn code(self, expected: i32) -> Self {
        assert_eq!(
            self.status.code(),
            Some(expected),
            "exit code\n--- stdout\n{}--- stderr\n{}",
            stdout(&self),
            stderr(&self)
        );
        self
    }

    fn stderr_has(&self, needles: &[&str]) -> &Self {
        let err = stderr(self);
        for n in needles {
            assert!(err.contains(n), "stderr lacks `{n}`:\n{err}");
        }
        self
    }

    fn stdout_has(&self, needles: &[&str]) -> &Self {
        let out = stdout(self);
        for n in needles {
            assert!(out.contains(n), "stdout lacks `{n}`:\n{out}");
        }
        self
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(self)))
    }
}

impl Example {
    /// The `runtimeStoreManifestName` of a library in the folder's deps.json, if any.
    pub fn manifest_names(&self, library: &str) -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(&self.deps()).unwrap();
        v["libraries"][library]["runtimeStoreManifestName"]
            .as_str()
            .map(str::to_string)
    }
}

/// Where a tool installed by a `tests/*/setup.sh` lives: `$VAR` when set, else
/// `$XDG_CACHE_HOME/trim-publish/DEFAULT` (or `~/.cache/...`), as the setup scripts install it.
pub fn installed_tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .expect("HOME is not set")
            .join("trim-publish")
            .join(default)
    })
}

/// The text of a target manifest listing every NuGet package of `deps` at its exact version.
pub fn manifest_of_every_package(deps: &trim_publish::formats::deps::DepsFile) -> String {
    let body: String = deps
        .libraries
        .iter()
        .filter(|l| l.kind == trim_publish::formats::deps::LibraryKind::Package)
        .map(|l| {
            format!(
                "<Package Id=\"{}\" Version=\"{}\"/>",
                l.name, l.version_text
            )
        })
        .collect();
    format!("<StoreArtifacts>{body}</StoreArtifacts>")
}
