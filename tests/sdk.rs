//! The real .NET SDK as the reference: a differential suite against `dotnet publish --manifest`.
//!
//! Packages from `testdata/sdk/packages` are built with the real `dotnet pack` into a local feed:
//! runtime assemblies with `ref/` beside `lib/`, natives for several RIDs, RID-specific managed
//! builds (`runtimes/unix/lib/...`), satellites in two cultures, contentFiles, a natives-only and
//! a meta package, transitive dependencies, prerelease and four-part versions, and two versions
//! of one id. Each case, generated from a seed, is an app using a random mix of them (portable or
//! RID-specific, with or without `PreserveCompilationContext`, with or without a project
//! reference) and one to three randomly written manifests. For each case:
//!
//! 1. the SDK publishes the app untrimmed, and again with `--manifest` for each manifest;
//! 2. trim-publish trims a copy of the untrimmed folder with the same manifests, verifying it
//!    against a store in the layout the host probes; a case whose manifests list another version
//!    of a package the app uses is first refused (exit 1, naming the manifest, folder untouched)
//!    and then trimmed with `--allow-version-mismatch`;
//! 3. the two folders must hold the same files with the same bytes, deps.json byte for byte;
//! 4. `trim-publish verify` must say the app starts, and where the SDK's host can run it, the
//!    trimmed app, started with `DOTNET_SHARED_STORE`, prints what the untrimmed app prints.
//!
//! `tests/sdk/setup.sh` installs the SDK (`TRIM_PUBLISH_SDK` names another install). The test is
//! `#[ignore]`d so that a plain `cargo test` never passes it silently; `.ci/run` installs the SDK
//! and runs it with `--include-ignored`, and without the SDK it fails. A failing case prints its
//! seed: `TRIM_PUBLISH_SDK_SEED=N` runs that case alone, `TRIM_PUBLISH_SDK_CASES=N` runs N cases.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::sdk::{run_ok, write_nuget_config, Sdk};
use common::{copy_dir, snapshot, stderr, stdout, Rng};

/// The cases CI runs. Together they cover every feature in [`FEATURES`] (asserted).
const CI_CASES: u64 = 24;

const TFM: &str = "netcoreapp3.1";

/// Every kind of input the suite must exercise; the CI set is checked to cover them all.
const FEATURES: &[&str] = &[
    "pkg:ref+lib",
    "pkg:satellites",
    "pkg:natives",
    "pkg:rid-managed",
    "pkg:natives-only",
    "pkg:meta",
    "pkg:contentFiles",
    "pkg:transitive",
    "pkg:prerelease",
    "pkg:four-part",
    "pkg:core-1.0.0",
    "pkg:core-2.0.0",
    "publish:portable",
    "publish:linux-x64",
    "publish:win-x64",
    "publish:linux-musl-x64",
    "publish:osx-x64",
    "publish:preserve-context",
    "publish:project-reference",
    "manifest:project-listed",
    "manifests:1",
    "manifests:2",
    "manifests:3",
    "manifest:same-file-name",
    "manifest:id-case",
    "manifest:version-spelling",
    "manifest:in-several",
    "manifest:twice-in-one",
    "manifest:unused-package",
    "manifest:bom",
    "manifest:crlf",
    "manifest:comments",
    "manifest:mismatch",
    "run:host",
];

// ---------------------------------------------------------------------------------------------
// The SDK and the fixture

fn testdata_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sdk")
}

struct Fixture {
    sdk: Sdk,
    root: PathBuf,
    /// A runtime package store in the layout the host probes, filled from the package folder.
    store: PathBuf,
}

/// The tests share the fixture's NuGet package folder and store: one at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The feed, built once per test run with the real `dotnet pack`.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let sdk = Sdk::find();
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sdk-fixture");
        let _ = fs::remove_dir_all(&root);
        let src = root.join("packages");
        copy_dir(&testdata_sdk().join("packages"), &src);
        fs::create_dir_all(root.join("feed")).unwrap();
        // The only package source is the local feed; nothing is fetched.
        write_nuget_config(&root, &root.join("feed"));
        let feed = root.join("feed");
        let pack = |project: &str, props: &[&str], icu: bool| {
            let mut c = sdk.pack(&root, &src.join(project), &feed);
            c.args(props);
            if icu {
                // MSBuild builds satellite assemblies only with ICU, not in invariant mode.
                c.env_remove("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT")
                    .env("CLR_ICU_VERSION_OVERRIDE", "72");
            }
            run_ok(&mut c);
        };
        pack("Acme.Core", &["-p:Version=1.0.0"], false);
        pack("Acme.Core", &["-p:Version=2.0.0"], false);
        for flavor in ["unix", "win"] {
            run_ok(
                sdk.command(&root, &root)
                    .args(["build", "-nologo", "-v:q", "-c", "Release", "-o"])
                    .arg(src.join("Acme.Rid/flavors").join(flavor))
                    .arg(src.join("Acme.Rid"))
                    .arg(format!("-p:Flavor={flavor}"))
                    .arg(format!("-p:IntermediateOutputPath=obj/{flavor}/")),
            );
        }
        for p in ["Acme.Rid", "Acme.NativeOnly", "Acme.Native", "Acme.Content"] {
            pack(p, &[], false);
        }
        pack("Acme.Meta", &[], false);
        pack("Acme.Text", &[], true);
        let store = root.join("store");
        fs::create_dir_all(store.join("x64").join(TFM)).unwrap();
        Fixture { sdk, root, store }
    })
}

impl Fixture {
    fn dotnet(&self, cwd: &Path) -> Command {
        self.sdk.command(&self.root, cwd)
    }

    /// Copies every package the SDK has restored so far into the store (`{id}/{version}/...`,
    /// lower-case, as NuGet's package folder and the host's probe both lay them out).
    fn sync_store(&self) {
        let probe = self.store.join("x64").join(TFM);
        for id in fs::read_dir(self.root.join("nuget")).unwrap() {
            let id = id.unwrap();
            if !id.file_name().to_string_lossy().starts_with("acme.") {
                continue;
            }
            for version in fs::read_dir(id.path()).unwrap() {
                let version = version.unwrap();
                let dest = probe.join(id.file_name()).join(version.file_name());
                if !dest.exists() {
                    copy_dir(&version.path(), &dest);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cases

/// A package an app may reference directly, with what the app prints to show it was loaded.
struct Direct {
    id: &'static str,
    version: &'static str,
    feature: &'static str,
}

const DIRECT: &[Direct] = &[
    Direct {
        id: "Acme.Text",
        version: "3.1.0",
        feature: "pkg:satellites",
    },
    Direct {
        id: "Acme.Native",
        version: "1.0.0",
        feature: "pkg:natives",
    },
    Direct {
        id: "Acme.Rid",
        version: "0.9.0-beta.2",
        feature: "pkg:rid-managed",
    },
    Direct {
        id: "Acme.NativeOnly",
        version: "2.1.0",
        feature: "pkg:natives-only",
    },
    Direct {
        id: "Acme.Meta",
        version: "1.0.0",
        feature: "pkg:meta",
    },
    Direct {
        id: "Acme.Content",
        version: "1.2.3.4",
        feature: "pkg:contentFiles",
    },
];

const RIDS: &[(Option<&str>, u64)] = &[
    (None, 40),
    (Some("linux-x64"), 25),
    (Some("win-x64"), 13),
    (Some("linux-musl-x64"), 11),
    (Some("osx-x64"), 11),
];

struct App {
    references: Vec<(&'static str, &'static str)>,
    rid: Option<&'static str>,
    preserve_context: bool,
    project_reference: bool,
}

impl App {
    fn generate(rng: &mut Rng, features: &mut BTreeSet<String>) -> App {
        let mut references = Vec::new();
        match rng.below(3) {
            0 => {}
            1 => references.push(("Acme.Core", "1.0.0")),
            _ => references.push(("Acme.Core", "2.0.0")),
        }
        for d in DIRECT {
            if rng.chance(55) {
                references.push((d.id, d.version));
                features.insert(d.feature.into());
            }
        }
        if references.is_empty() {
            references.push(("Acme.Text", "3.1.0"));
            features.insert("pkg:satellites".into());
        }
        let roll = rng.below(100) as u64;
        let mut acc = 0;
        let rid = RIDS
            .iter()
            .find(|(_, weight)| {
                acc += weight;
                roll < acc
            })
            .unwrap()
            .0;
        let app = App {
            references,
            rid,
            preserve_context: rng.chance(50),
            project_reference: rng.chance(50),
        };
        features.insert(format!("publish:{}", rid.unwrap_or("portable")));
        if app.preserve_context {
            features.insert("publish:preserve-context".into());
        }
        if app.project_reference {
            features.insert("publish:project-reference".into());
        }
        app
    }

    fn uses(&self, id: &str) -> bool {
        self.references.iter().any(|(i, _)| *i == id)
    }

    /// The project file and the program, which prints one line per package it uses.
    fn write(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        let mut items = String::new();
        for (id, version) in &self.references {
            writeln!(
                items,
                "    <PackageReference Include=\"{id}\" Version=\"{version}\" />"
            )
            .unwrap();
        }
        if self.project_reference {
            items
                .push_str("    <ProjectReference Include=\"../Acme.Local/Acme.Local.csproj\" />\n");
            copy_dir(
                &testdata_sdk().join("apps/Acme.Local"),
                &dir.parent().unwrap().join("Acme.Local"),
            );
        }
        let csproj = format!(
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n    \
             <TargetFramework>{TFM}</TargetFramework>\n    <PreserveCompilationContext>{}</PreserveCompilationContext>\n  \
             </PropertyGroup>\n  <ItemGroup>\n{items}  </ItemGroup>\n</Project>\n",
            self.preserve_context
        );
        fs::write(dir.join("App.csproj"), csproj).unwrap();
        let mut lines = Vec::new();
        let core = self.uses("Acme.Core") || self.uses("Acme.Text") || self.uses("Acme.Meta");
        if core {
            lines.push("Acme.Core.Info.Describe()".to_string());
        }
        if self.uses("Acme.Text") {
            for culture in ["de", "fr", "en"] {
                lines.push(format!("Acme.Text.Greeting.In(\"{culture}\")"));
            }
        }
        if self.uses("Acme.Native") {
            lines.push("Acme.Native.Library.Locate()".into());
        }
        if self.uses("Acme.Rid") {
            lines.push("Acme.Rid.Flavor.Describe()".into());
        }
        if self.uses("Acme.NativeOnly") || self.uses("Acme.Meta") {
            lines.push("Native(\"libacmeonly.so\")".into());
        }
        if self.uses("Acme.Content") {
            lines.push("Acme.Content.Info.Describe()".into());
            lines.push(
                "\"content file: \" + File.Exists(Path.Combine(AppContext.BaseDirectory, \"acme-content.txt\"))".into(),
            );
        }
        if self.project_reference {
            lines.push("Acme.Local.Info.Describe()".into());
        }
        let body: String = lines
            .iter()
            .map(|l| format!("        Console.WriteLine({l});\n"))
            .collect();
        let program = format!(
            "using System;\nusing System.IO;\n\nstatic class Program\n{{\n    \
             // Whether the host told the runtime where a native library is (it is never loaded).\n    \
             static string Native(string name)\n    {{\n        \
             var dirs = (AppContext.GetData(\"NATIVE_DLL_SEARCH_DIRECTORIES\") as string ?? \"\").Split(Path.PathSeparator);\n        \
             foreach (var dir in dirs)\n            if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return name + \" found\";\n        \
             return name + \" missing\";\n    }}\n\n    static void Main()\n    {{\n{body}    }}\n}}\n"
        );
        fs::write(dir.join("Program.cs"), program).unwrap();
    }

    fn publish_args(&self, out: &Path) -> Vec<String> {
        let mut args = vec![
            "publish".to_string(),
            "-nologo".into(),
            "-v:q".into(),
            "-c".into(),
            "Release".into(),
            "-o".into(),
            out.display().to_string(),
        ];
        if let Some(rid) = self.rid {
            args.extend([
                "-r".into(),
                rid.into(),
                "--self-contained".into(),
                "false".into(),
            ]);
            if rid != "linux-x64" {
                // Only the linux-x64 apphost ships with this SDK; the others come from nuget.org.
                args.push("-p:UseAppHost=false".into());
            }
        }
        args
    }

    /// Whether the SDK's linux-x64 host can start the published app here.
    fn runs_here(&self) -> bool {
        matches!(self.rid, None | Some("linux-x64"))
    }
}

/// One `<Package>` line of a generated manifest.
struct Entry {
    id: String,
    version: String,
}

struct ManifestFile {
    /// Relative to the case folder.
    path: String,
    entries: Vec<Entry>,
    bom: bool,
    crlf: bool,
    comments: bool,
    declaration: bool,
    version_first: bool,
}

impl ManifestFile {
    fn text(&self) -> Vec<u8> {
        let nl = if self.crlf { "\r\n" } else { "\n" };
        let mut t = String::new();
        if self.declaration {
            write!(t, "<?xml version=\"1.0\" encoding=\"utf-8\"?>{nl}").unwrap();
        }
        if self.comments {
            write!(t, "<!-- generated by tests/sdk.rs -->{nl}").unwrap();
        }
        write!(t, "<StoreArtifacts>{nl}").unwrap();
        for (i, e) in self.entries.iter().enumerate() {
            if self.comments && i % 2 == 1 {
                write!(
                    t,
                    "  <!-- <Package Id=\"Commented.Out\" Version=\"1.0.0\" /> -->{nl}"
                )
                .unwrap();
            }
            if self.version_first {
                write!(
                    t,
                    "  <Package Version=\"{}\" Id=\"{}\" />{nl}",
                    e.version, e.id
                )
                .unwrap();
            } else {
                write!(
                    t,
                    "  <Package Id=\"{}\" Version=\"{}\" />{nl}",
                    e.id, e.version
                )
                .unwrap();
            }
        }
        write!(t, "</StoreArtifacts>{nl}").unwrap();
        let mut bytes = if self.bom {
            vec![0xEF, 0xBB, 0xBF]
        } else {
            Vec::new()
        };
        bytes.extend_from_slice(t.as_bytes());
        bytes
    }
}

/// A library of the published app, from its deps.json.
struct Library {
    id: String,
    version: String,
    is_package: bool,
}

fn libraries(deps_json: &Path) -> Vec<Library> {
    let v: serde_json::Value = serde_json::from_slice(&fs::read(deps_json).unwrap()).unwrap();
    v["libraries"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(key, lib)| {
            let (id, version) = key.split_once('/')?;
            let kind = lib["type"].as_str().unwrap_or("");
            (id != "App" && (kind == "package" || kind == "project")).then(|| Library {
                id: id.into(),
                version: version.into(),
                is_package: kind == "package",
            })
        })
        .collect()
}

/// Spellings NuGet treats as equal to `version` (as deps.json writes it), with whether each
/// differs from it.
fn equal_spellings(version: &str) -> Vec<String> {
    let (release, label) = match version.split_once('-') {
        Some((r, l)) => (r, Some(l)),
        None => (version, None),
    };
    let with = |r: &str| match label {
        Some(l) => format!("{r}-{l}"),
        None => r.to_string(),
    };
    let parts: Vec<&str> = release.split('.').collect();
    let mut out = vec![version.to_string(), format!("{version}+build.7")];
    if parts.len() == 3 {
        out.push(with(&format!("{release}.0")));
        if parts[2] == "0" {
            out.push(with(&format!("{}.{}", parts[0], parts[1])));
        }
    }
    out.push(with(&format!("0{release}")));
    if let Some(l) = label {
        out.push(format!("{release}-{}", l.to_uppercase()));
        out.push(format!("{release}-{}", l.to_lowercase()));
    }
    out
}

/// A version that is not equal to `version`.
fn other_version(version: &str) -> String {
    let release = version.split(['-', '+']).next().unwrap();
    let mut parts: Vec<u64> = release.split('.').map(|p| p.parse().unwrap()).collect();
    *parts.last_mut().unwrap() += 1;
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn spell_id(rng: &mut Rng, id: &str, features: &mut BTreeSet<String>) -> String {
    match rng.below(4) {
        0 => {
            features.insert("manifest:id-case".into());
            id.to_lowercase()
        }
        1 => {
            features.insert("manifest:id-case".into());
            id.to_uppercase()
        }
        _ => id.to_string(),
    }
}

/// The manifests of a case, written for the libraries the untrimmed app actually has. Returns
/// them and the packages whose listed versions all differ from the app's (a mismatch).
fn generate_manifests(
    rng: &mut Rng,
    libs: &[Library],
    features: &mut BTreeSet<String>,
) -> (Vec<ManifestFile>, Vec<String>) {
    let count = 1 + rng.below(3);
    features.insert(format!("manifests:{count}"));
    let same_name = count > 1 && rng.chance(30);
    if same_name {
        features.insert("manifest:same-file-name".into());
    }
    let mut files: Vec<ManifestFile> = (0..count)
        .map(|i| {
            let f = ManifestFile {
                path: if same_name {
                    format!("manifests/d{i}/artifact.xml")
                } else {
                    format!("manifests/m{i}.xml")
                },
                entries: Vec::new(),
                bom: rng.chance(30),
                crlf: rng.chance(30),
                comments: rng.chance(30),
                declaration: rng.chance(60),
                version_first: rng.chance(20),
            };
            for (on, name) in [(f.bom, "bom"), (f.crlf, "crlf"), (f.comments, "comments")] {
                if on {
                    features.insert(format!("manifest:{name}"));
                }
            }
            f
        })
        .collect();
    let mut mismatched = Vec::new();
    for lib in libs {
        if !rng.chance(if lib.is_package { 75 } else { 50 }) {
            continue;
        }
        if !lib.is_package {
            features.insert("manifest:project-listed".into());
        }
        let copies = if count > 1 && rng.chance(35) {
            2 + rng.below(count - 1)
        } else {
            1
        };
        if copies > 1 {
            features.insert("manifest:in-several".into());
        }
        let mismatch = lib.is_package && rng.chance(10);
        let mut chosen: Vec<usize> = (0..count).collect();
        for _ in 0..copies {
            let file = chosen.remove(rng.below(chosen.len()));
            let version = if mismatch {
                other_version(&lib.version)
            } else {
                let spellings = equal_spellings(&lib.version);
                let s = rng.pick(&spellings).clone();
                if s != lib.version {
                    features.insert("manifest:version-spelling".into());
                }
                s
            };
            let id = spell_id(rng, &lib.id, features);
            files[file].entries.push(Entry { id, version });
        }
        if !mismatch && rng.chance(8) {
            // Twice in one manifest, spelled differently.
            features.insert("manifest:twice-in-one".into());
            let file = rng.below(count);
            let spellings = equal_spellings(&lib.version);
            let version = rng.pick(&spellings).clone();
            let id = spell_id(rng, &lib.id, features);
            files[file].entries.push(Entry { id, version });
        }
        if mismatch {
            features.insert("manifest:mismatch".into());
            mismatched.push(lib.id.clone());
        }
    }
    // Packages the app does not use.
    for f in files.iter_mut() {
        if rng.chance(35) {
            features.insert("manifest:unused-package".into());
            f.entries.push(Entry {
                id: "Acme.Unused".into(),
                version: "9.9.9".into(),
            });
        }
    }
    // Shuffle each file's entries: the SDK's order of names must not depend on it.
    for f in files.iter_mut() {
        for i in (1..f.entries.len()).rev() {
            let j = rng.below(i + 1);
            f.entries.swap(i, j);
        }
    }
    (files, mismatched)
}

// ---------------------------------------------------------------------------------------------
// Running a case

struct CaseResult {
    files_compared: usize,
    ran: bool,
    failure: Option<String>,
}

fn trim_publish(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trim-publish"));
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn describe_difference(
    sdk: &BTreeMap<String, Vec<u8>>,
    ours: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut d = String::new();
    for k in sdk.keys().filter(|k| !ours.contains_key(*k)) {
        writeln!(d, "  only in the SDK's folder: {k}").unwrap();
    }
    for k in ours.keys().filter(|k| !sdk.contains_key(*k)) {
        writeln!(d, "  only in trim-publish's folder: {k}").unwrap();
    }
    for (k, v) in sdk {
        let Some(o) = ours.get(k) else { continue };
        if v == o {
            continue;
        }
        writeln!(d, "  {k} differs").unwrap();
        if k.ends_with(".json") {
            let (a, b) = (String::from_utf8_lossy(v), String::from_utf8_lossy(o));
            for (i, (la, lb)) in a.lines().zip(b.lines()).enumerate() {
                if la != lb {
                    writeln!(
                        d,
                        "    line {}: SDK `{la}`\n    line {}: ours `{lb}`",
                        i + 1,
                        i + 1
                    )
                    .unwrap();
                    break;
                }
            }
            if a.lines().count() != b.lines().count() {
                writeln!(
                    d,
                    "    {} lines vs {} lines",
                    a.lines().count(),
                    b.lines().count()
                )
                .unwrap();
            }
        }
    }
    d
}

fn run_case(fx: &Fixture, seed: u64, features: &mut BTreeSet<String>) -> CaseResult {
    let mut rng = Rng(seed);
    let app = App::generate(&mut rng, features);
    let dir = fx.root.join("cases").join(seed.to_string());
    let _ = fs::remove_dir_all(&dir);
    app.write(&dir.join("App"));

    let untrimmed = dir.join("untrimmed");
    run_ok(
        fx.dotnet(&dir)
            .args(app.publish_args(&untrimmed))
            .arg("App"),
    );
    fx.sync_store();

    let libs = libraries(&untrimmed.join("App.deps.json"));
    let ids: BTreeSet<&str> = libs.iter().map(|l| l.id.as_str()).collect();
    if ids.contains("Acme.Core") && !app.uses("Acme.Core") {
        features.insert("pkg:transitive".into());
    }
    for (id, feature) in [
        ("Acme.Rid", "pkg:prerelease"),
        ("Acme.Content", "pkg:four-part"),
    ] {
        if ids.contains(id) {
            features.insert(feature.into());
        }
    }
    for l in libs.iter().filter(|l| l.id == "Acme.Core") {
        features.insert(format!("pkg:core-{}", l.version));
        features.insert("pkg:ref+lib".into());
    }
    let (manifests, mismatched) = generate_manifests(&mut rng, &libs, features);
    let mut manifest_args = Vec::new();
    for m in &manifests {
        let path = dir.join(&m.path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, m.text()).unwrap();
        manifest_args.push(path);
    }

    let sdk_trimmed = dir.join("sdk-trimmed");
    let mut publish = fx.dotnet(&dir);
    publish.args(app.publish_args(&sdk_trimmed)).arg("App");
    for m in &manifest_args {
        publish.arg("--manifest").arg(m);
    }
    run_ok(&mut publish);

    let ours = dir.join("trim-publish");
    copy_dir(&untrimmed, &ours);
    let trim = |extra: &[&str]| {
        let mut c = trim_publish(&dir);
        for m in &manifest_args {
            c.arg("-m").arg(m);
        }
        c.arg("--store")
            .arg(&fx.store)
            .arg("--no-cache")
            .args(extra)
            .arg(&ours);
        c.output().unwrap()
    };
    let mut failure = String::new();
    if !mismatched.is_empty() {
        let before = snapshot(&ours);
        let refused = trim(&[]);
        let err = stderr(&refused);
        if refused.status.code() != Some(1) {
            writeln!(
                failure,
                "a version mismatch was not refused (exit {:?}):\n{err}",
                refused.status.code()
            )
            .unwrap();
        }
        if snapshot(&ours) != before {
            writeln!(failure, "the refused run changed the folder").unwrap();
        }
        for id in &mismatched {
            if !err.contains(id.as_str()) {
                writeln!(failure, "the refusal does not name {id}:\n{err}").unwrap();
            }
        }
        if !manifests.iter().any(|m| err.contains(&m.path)) {
            writeln!(failure, "the refusal names no manifest:\n{err}").unwrap();
        }
    }
    let out = trim(if mismatched.is_empty() {
        &[]
    } else {
        &["--allow-version-mismatch"]
    });
    if !out.status.success() {
        writeln!(
            failure,
            "trim-publish failed ({}):\n{}{}",
            out.status,
            stdout(&out),
            stderr(&out)
        )
        .unwrap();
    }
    let expected = snapshot(&sdk_trimmed);
    let got = snapshot(&ours);
    if expected != got {
        write!(
            failure,
            "the folders differ:\n{}",
            describe_difference(&expected, &got)
        )
        .unwrap();
    }

    let mut verify = trim_publish(&dir);
    verify
        .arg("verify")
        .arg("--store")
        .arg(&fx.store)
        .arg("--no-cache");
    if let Some(rid) = app.rid {
        verify.arg("--rid").arg(rid);
    }
    let verified = verify.arg(&ours).output().unwrap();
    if !verified.status.success() {
        writeln!(
            failure,
            "verify says the trimmed app would not start:\n{}{}",
            stdout(&verified),
            stderr(&verified)
        )
        .unwrap();
    }

    let ran = app.runs_here();
    if ran {
        features.insert("run:host".into());
        let start = |folder: &Path, store: Option<&Path>| {
            let mut c = fx.dotnet(folder);
            c.arg("App.dll");
            if let Some(s) = store {
                c.env("DOTNET_SHARED_STORE", s);
            }
            c.output().unwrap()
        };
        let before = start(&untrimmed, None);
        let after = start(&ours, Some(&fx.store));
        if !before.status.success() || before.stdout.is_empty() {
            writeln!(
                failure,
                "the untrimmed app did not run: {}{}",
                stdout(&before),
                stderr(&before)
            )
            .unwrap();
        }
        if after.status.code() != before.status.code() || after.stdout != before.stdout {
            writeln!(
                failure,
                "the trimmed app ({}) printed\n{}{}\nwhere the untrimmed app ({}) printed\n{}",
                after.status,
                stdout(&after),
                stderr(&after),
                before.status,
                stdout(&before)
            )
            .unwrap();
        }
    }
    CaseResult {
        files_compared: expected.len(),
        ran,
        failure: (!failure.is_empty()).then(|| {
            format!(
                "seed {seed} (rid {}, preserve-context {}, project reference {}, packages {:?}, manifests {:?}):\n{failure}",
                app.rid.unwrap_or("portable"),
                app.preserve_context,
                app.project_reference,
                app.references,
                manifests.iter().map(|m| m.path.as_str()).collect::<Vec<_>>()
            )
        }),
    }
}

#[test]
#[ignore = "needs the real .NET SDK: run tests/sdk/setup.sh; .ci/run runs it with --include-ignored"]
fn trim_publish_matches_dotnet_publish_manifest() {
    let _one = one_at_a_time();
    let seeds: Vec<u64> = if let Ok(seed) = std::env::var("TRIM_PUBLISH_SDK_SEED") {
        vec![seed.parse().expect("TRIM_PUBLISH_SDK_SEED is a number")]
    } else {
        let n = std::env::var("TRIM_PUBLISH_SDK_CASES")
            .map(|n| n.parse().expect("TRIM_PUBLISH_SDK_CASES is a number"))
            .unwrap_or(CI_CASES);
        (1..=n).collect()
    };
    let fx = fixture();
    let mut features = BTreeSet::new();
    let (mut files, mut runs, mut failures) = (0, 0, Vec::new());
    for &seed in &seeds {
        let r = run_case(fx, seed, &mut features);
        files += r.files_compared;
        runs += usize::from(r.ran);
        failures.extend(r.failure);
    }
    println!(
        "sdk differential: {} cases, {files} files compared, {runs} apps run on the SDK's host, {} failed",
        seeds.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from the SDK:\n\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n")
    );
    if seeds.len() as u64 >= CI_CASES {
        let missing: Vec<&&str> = FEATURES
            .iter()
            .filter(|f| !features.contains(**f))
            .collect();
        assert!(missing.is_empty(), "the cases run do not cover {missing:?}");
    }
}

/// Issue 13's proof with the real SDK: `dotnet store` builds a store from the `packages.csproj`
/// that `manifest --from-apps` writes for a fleet, and every app, trimmed with the fleet's
/// manifest, prints on the SDK's host with that store what it prints untrimmed.
#[test]
#[ignore = "needs the real .NET SDK: run tests/sdk/setup.sh; .ci/run runs it with --include-ignored"]
fn dotnet_store_builds_the_store_a_fleet_manifest_asks_for() {
    let _one = one_at_a_time();
    let fx = fixture();
    let root = fx.root.join("fleet");
    let _ = fs::remove_dir_all(&root);
    // No Acme.Content: `dotnet store` cannot store a package with contentFiles (MSB3024).
    let fleet: [&[(&'static str, &'static str)]; 3] = [
        &[
            ("Acme.Core", "2.0.0"),
            ("Acme.Native", "1.0.0"),
            ("Acme.Rid", "0.9.0-beta.2"),
        ],
        &[
            ("Acme.Core", "2.0.0"),
            ("Acme.Native", "1.0.0"),
            ("Acme.Text", "3.1.0"),
        ],
        &[
            ("Acme.Core", "2.0.0"),
            ("Acme.Rid", "0.9.0-beta.2"),
            ("Acme.NativeOnly", "2.1.0"),
        ],
    ];
    let mut untrimmed = Vec::new();
    for (i, references) in fleet.iter().enumerate() {
        let app = App {
            references: references.to_vec(),
            rid: None,
            preserve_context: false,
            project_reference: false,
        };
        let dir = root.join(format!("app{i}"));
        app.write(&dir.join("App"));
        let out = dir.join("publish");
        run_ok(fx.dotnet(&dir).args(app.publish_args(&out)).arg("App"));
        untrimmed.push(out);
    }
    let mut args = vec![
        "manifest".to_string(),
        "--min-apps".into(),
        "2".into(),
        "--from-apps".into(),
    ];
    args.extend(untrimmed.iter().map(|p| p.display().to_string()));
    for (kind, file) in [("artifact", "artifact.xml"), ("csproj", "packages.csproj")] {
        let out = trim_publish(&root)
            .args(&args)
            .args(["--as", kind, "-o", file])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let manifest = fs::read_to_string(root.join("artifact.xml")).unwrap();
    // Core and Native (and Rid) are used by two apps or more; Text and NativeOnly by one.
    for id in ["Acme.Core", "Acme.Native", "Acme.Rid"] {
        assert!(
            manifest.contains(&format!("Id=\"{id}\"")),
            "{id} in {manifest}"
        );
    }
    assert!(
        !manifest.contains("Acme.Text") && !manifest.contains("Acme.NativeOnly"),
        "{manifest}"
    );
    let store = root.join("store");
    run_ok(
        fx.dotnet(&root)
            .args([
                "store",
                "--manifest",
                "packages.csproj",
                "--framework",
                TFM,
                "--runtime",
                "linux-x64",
                "--skip-optimization",
                "-o",
            ])
            .arg(&store)
            .args(["-nologo", "-v:q"]),
    );
    assert!(
        store.join("x64").join(TFM).join("acme.core/2.0.0").is_dir(),
        "dotnet store wrote {}",
        store.display()
    );
    for publish in &untrimmed {
        let trimmed = publish.with_file_name("trimmed");
        copy_dir(publish, &trimmed);
        let out = trim_publish(&root)
            .args(["-m", "artifact.xml", "--no-cache"])
            .arg(&trimmed)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let verified = trim_publish(&root)
            .args(["verify", "--rid", "linux-x64", "--no-cache", "--store"])
            .arg(&store)
            .arg(&trimmed)
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "{}{}",
            stdout(&verified),
            stderr(&verified)
        );
        let start = |folder: &Path, with_store: bool| {
            let mut c = fx.dotnet(folder);
            c.arg("App.dll");
            if with_store {
                c.env("DOTNET_SHARED_STORE", &store);
            }
            c.output().unwrap()
        };
        let before = start(publish, false);
        let after = start(&trimmed, true);
        assert!(
            before.status.success() && !before.stdout.is_empty(),
            "{}",
            stderr(&before)
        );
        assert_eq!(
            stdout(&after),
            stdout(&before),
            "{}: the trimmed app printed otherwise: {}",
            trimmed.display(),
            stderr(&after)
        );
    }
}
