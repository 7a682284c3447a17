//! The TrimPublish NuGet package inside a real `dotnet publish` (SDK 3.1.102, MSBuild 16.4).
//!
//! Once per run the package is built by `integrations/nuget/pack.sh`, exactly as documented, into
//! a local feed beside `Acme.Core` 1.0.0 and 2.0.0 (packed with the real `dotnet pack` from
//! `testdata/sdk/packages`); a runtime package store holds Acme.Core 1.0.0 in the layout the host
//! probes. Each test writes a small app and publishes it with the real SDK, restoring TrimPublish
//! from the feed (no network), then looks at the build's exit code and messages, the publish
//! folder, and whether the app starts from the store on the SDK's own host.
//!
//! The tests that need the SDK are `#[ignore]`d so that a plain `cargo test` lists them instead
//! of passing them silently; `.ci/run` installs the SDK (`tests/sdk/setup.sh`) and runs them with
//! `--include-ignored`, and without the SDK they fail. The last test needs only bash and python3.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

use common::sdk::{run_ok, write_nuget_config, Sdk};
use common::{copy_dir, snapshot, stderr, stdout};

const TFM: &str = "netcoreapp3.1";
/// The project property most tests set: trim against the case's own manifest.
const MANIFEST: &str = "<TrimPublishManifests>manifest.xml</TrimPublishManifests>";

/// The local feed with the TrimPublish package, and a store serving Acme.Core 1.0.0.
struct Feed {
    sdk: Sdk,
    root: PathBuf,
    version: String,
}

fn one_at_a_time() -> MutexGuard<'static, ()> {
    // The tests share the fixture's NuGet package folder.
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn feed() -> &'static Feed {
    static FEED: OnceLock<Feed> = OnceLock::new();
    FEED.get_or_init(|| {
        let sdk = Sdk::find();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("msbuild-fixture");
        let _ = fs::remove_dir_all(&root);
        let feed = root.join("feed");
        fs::create_dir_all(&feed).unwrap();

        // The package, built as the README says.
        let packed = run_ok(
            Command::new("bash")
                .arg(repo.join("integrations/nuget/pack.sh"))
                .arg(&feed),
        );
        let version = env!("CARGO_PKG_VERSION").to_string();
        let nupkg = feed.join(format!("TrimPublish.{version}.nupkg"));
        assert_eq!(stdout(&packed).trim(), nupkg.display().to_string());
        assert!(nupkg.is_file(), "pack.sh wrote no {}", nupkg.display());

        let packages = root.join("packages");
        fs::create_dir_all(&packages).unwrap();
        let source = repo.join("testdata/sdk/packages");
        fs::copy(
            source.join("Directory.Build.props"),
            packages.join("Directory.Build.props"),
        )
        .unwrap();
        copy_dir(&source.join("Acme.Core"), &packages.join("Acme.Core"));
        write_nuget_config(&root, &feed);
        for version in ["1.0.0", "2.0.0"] {
            run_ok(
                sdk.pack(&root, &packages.join("Acme.Core"), &feed)
                    .arg(format!("-p:Version={version}")),
            );
        }
        // The store: Acme.Core 1.0.0 as NuGet restores it, in the layout the host probes.
        let restore = root.join("restore");
        fs::create_dir_all(&restore).unwrap();
        fs::write(
            restore.join("restore.csproj"),
            format!(
                "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup><TargetFramework>{TFM}</TargetFramework></PropertyGroup>\n  \
                 <ItemGroup><PackageReference Include=\"Acme.Core\" Version=\"1.0.0\" /></ItemGroup>\n</Project>\n"
            ),
        )
        .unwrap();
        run_ok(sdk.command(&root, &restore).args(["restore", "-nologo", "-v:q"]));
        copy_dir(
            &root.join("nuget/acme.core/1.0.0"),
            &root.join("store/x64").join(TFM).join("acme.core/1.0.0"),
        );
        Feed { sdk, root, version }
    })
}

impl Feed {
    fn dotnet(&self, cwd: &Path) -> Command {
        self.sdk.command(&self.root, cwd)
    }

    /// A store root whose `x64/netcoreapp3.1` holds Acme.Core 1.0.0 as NuGet restored it.
    fn store(&self) -> PathBuf {
        self.root.join("store")
    }

    /// A store root with the right layout and nothing in it.
    fn empty_store(&self) -> PathBuf {
        let store = self.root.join("empty-store");
        fs::create_dir_all(store.join("x64").join(TFM)).unwrap();
        store
    }
}

/// One app: a project using Acme.Core 1.0.0, published into `out/`.
struct App {
    dir: PathBuf,
}

/// How the project gets the targets.
enum Targets {
    /// `<PackageReference Include="TrimPublish" .../>`, as the README says.
    Package,
    /// `<Import>` of the repository's targets file as the project's first element, before the
    /// properties it reads.
    ImportFirst,
}

impl App {
    /// `properties` go into the project's own PropertyGroup, after any import.
    fn new(name: &str, targets: Targets, properties: &str, manifest_version: &str) -> App {
        let fx = feed();
        let dir = fx.root.join("cases").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let (import, reference) = match targets {
            Targets::Package => (
                String::new(),
                format!(
                    "    <PackageReference Include=\"TrimPublish\" Version=\"{}\" PrivateAssets=\"all\" />\n",
                    fx.version
                ),
            ),
            Targets::ImportFirst => (
                format!(
                    "  <Import Project=\"{}\" />\n",
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("integrations/msbuild/build/TrimPublish.targets")
                        .display()
                ),
                String::new(),
            ),
        };
        fs::write(
            dir.join("App.csproj"),
            format!(
                "<Project Sdk=\"Microsoft.NET.Sdk\">\n{import}  <PropertyGroup>\n    \
                 <OutputType>Exe</OutputType>\n    <TargetFramework>{TFM}</TargetFramework>\n    \
                 {properties}\n  </PropertyGroup>\n  <ItemGroup>\n{reference}    \
                 <PackageReference Include=\"Acme.Core\" Version=\"1.0.0\" />\n  </ItemGroup>\n</Project>\n"
            ),
        )
        .unwrap();
        fs::write(
            dir.join("Program.cs"),
            "static class Program\n{\n    static void Main() => \
             System.Console.WriteLine(\"core: \" + Acme.Core.Info.Describe());\n}\n",
        )
        .unwrap();
        fs::write(
            dir.join("manifest.xml"),
            format!(
                "<StoreArtifacts>\n  <Package Id=\"Acme.Core\" Version=\"{manifest_version}\" />\n</StoreArtifacts>\n"
            ),
        )
        .unwrap();
        App { dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    /// `dotnet publish -c Release -o out` at the SDK's default verbosity, plus `args`.
    fn publish(&self, args: &[&str]) -> Output {
        self.publish_with(args, |_| {})
    }

    fn publish_with(&self, args: &[&str], env: impl FnOnce(&mut Command)) -> Output {
        let _ = fs::remove_dir_all(self.out());
        let mut c = feed().dotnet(&self.dir);
        c.args(["publish", "-nologo", "-c", "Release", "-o", "out"])
            .args(args)
            .env("XDG_CACHE_HOME", self.dir.join(".cache"));
        env(&mut c);
        c.output().unwrap()
    }

    /// Runs the published app on the SDK's host, with `store` as DOTNET_SHARED_STORE.
    fn run(&self, store: Option<&Path>) -> Output {
        let mut c = feed().dotnet(&self.dir);
        c.arg(self.out().join("App.dll"));
        if let Some(store) = store {
            c.env("DOTNET_SHARED_STORE", store);
        }
        c.output().unwrap()
    }

    fn has_core(&self) -> bool {
        self.out().join("Acme.Core.dll").exists()
    }
}

/// The build's output, both streams, for assertions and failure messages.
fn text(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// The lines MSBuild printed as errors.
fn errors(out: &Output) -> Vec<String> {
    text(out)
        .lines()
        .filter(|l| l.contains(": error "))
        .map(str::to_string)
        .collect()
}

/// The build printed `needle` (on either stream).
fn assert_says(out: &Output, needle: &str) {
    assert!(
        text(out).contains(needle),
        "no {needle:?} in:\n{}",
        text(out)
    );
}

fn assert_built(out: &Output) {
    assert!(out.status.success(), "the build failed:\n{}", text(out));
    assert!(errors(out).is_empty(), "{}", text(out));
}

/// Exactly one MSBuild error, with this code, and the build failed.
fn assert_one_error(out: &Output, code: &str) -> String {
    assert!(!out.status.success(), "the build succeeded:\n{}", text(out));
    let errors = errors(out);
    assert_eq!(errors.len(), 1, "{}", text(out));
    assert!(
        errors[0].contains(&format!("error {code}:")),
        "{}",
        errors[0]
    );
    assert!(!text(out).contains("MSB3073"), "{}", text(out));
    errors[0].clone()
}

#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn a_package_reference_alone_trims_the_folder_and_the_app_runs_from_the_store() {
    let _one = one_at_a_time();
    let fx = feed();
    let store = fx.store();
    let app = App::new(
        "package",
        Targets::Package,
        &format!(
            "<TrimPublishManifests>manifest.xml</TrimPublishManifests>\n    \
             <TrimPublishStore>{}</TrimPublishStore>",
            store.display()
        ),
        "1.0.0",
    );
    let out = app.publish(&[]);
    assert_built(&out);
    assert!(!app.has_core(), "Acme.Core.dll was not trimmed");
    let deps = fs::read_to_string(app.out().join("App.deps.json")).unwrap();
    assert!(
        deps.contains("\"runtimeStoreManifestName\": \"manifest.xml\""),
        "{deps}"
    );
    // One summary line at the default verbosity; the table only at detailed.
    let summaries: Vec<_> = stdout(&out)
        .lines()
        .filter(|l| l.contains("trim-publish:"))
        .map(str::to_string)
        .collect();
    assert_eq!(summaries.len(), 1, "{}", text(&out));
    assert!(
        summaries[0].contains("removed 1 file") && summaries[0].contains("verified in 1 store"),
        "{}",
        summaries[0]
    );
    assert!(
        !stdout(&out).contains("removed Acme.Core 1.0.0"),
        "{}",
        text(&out)
    );
    // The trimmed app starts from the store, and without it fails naming the manifest.
    let ran = app.run(Some(&store));
    assert!(ran.status.success(), "{}", text(&ran));
    assert_eq!(stdout(&ran).trim(), "core: Acme.Core 1.0.0");
    let without = app.run(None);
    assert!(!without.status.success());
    assert_says(&without, "manifest.xml");

    let detailed = app.publish(&["-v:d"]);
    assert_built(&detailed);
    assert!(
        stdout(&detailed).contains("removed Acme.Core 1.0.0"),
        "no table at detailed verbosity:\n{}",
        stdout(&detailed)
    );

    // NuGet may extract the executable without its executable bit; the target restores it.
    use std::os::unix::fs::PermissionsExt;
    let packaged = fx
        .root
        .join("nuget/trimpublish")
        .join(&fx.version)
        .join("tools/linux-x64/trim-publish");
    fs::set_permissions(&packaged, fs::Permissions::from_mode(0o644)).unwrap();
    let again = app.publish(&[]);
    assert_built(&again);
    assert!(!app.has_core());
    let mode = fs::metadata(&packaged).unwrap().permissions().mode();
    assert_eq!(mode & 0o100, 0o100, "{mode:o}");
}

/// Regression (issue 10): imported before the project set its properties, the target read its
/// defaults at the import and was skipped silently.
#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn an_import_before_the_projects_properties_still_sees_them_and_finds_trim_publish_on_path() {
    let _one = one_at_a_time();
    let app = App::new("import-first", Targets::ImportFirst, MANIFEST, "1.0.0");
    let bin = Path::new(env!("CARGO_BIN_EXE_trim-publish"))
        .parent()
        .unwrap();
    let with_trim_publish_on_path = |c: &mut Command| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![bin.to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        c.env("PATH", std::env::join_paths(paths).unwrap());
    };
    let out = app.publish_with(&[], with_trim_publish_on_path);
    assert_built(&out);
    assert!(!app.has_core(), "not trimmed:\n{}", text(&out));

    // The default, $(TargetManifestFiles), is read when the target runs: the folder the SDK
    // trimmed is checked against the (empty) store, and the build fails.
    let app = App::new(
        "import-first-sdk",
        Targets::ImportFirst,
        &format!(
            "<TargetManifestFiles>manifest.xml</TargetManifestFiles>\n    \
             <TrimPublishStore>{}</TrimPublishStore>",
            feed().empty_store().display()
        ),
        "1.0.0",
    );
    let out = app.publish_with(&[], with_trim_publish_on_path);
    assert_one_error(&out, "TP4001");
}

#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn a_folder_the_sdk_trimmed_is_verified_against_the_store() {
    let _one = one_at_a_time();
    let fx = feed();
    let app = App::new(
        "sdk-trimmed",
        Targets::Package,
        "<TargetManifestFiles>manifest.xml</TargetManifestFiles>",
        "1.0.0",
    );
    let good = format!("-p:TrimPublishStore={}", fx.store().display());
    let out = app.publish(&[&good]);
    assert_built(&out);
    assert!(!app.has_core());
    assert!(
        stdout(&out).contains("already trimmed")
            && stdout(&out).contains("all 1 absent file served"),
        "{}",
        text(&out)
    );

    // The SDK trims whatever the store holds; the target fails the build when the store
    // would not serve what was left out.
    let empty = format!("-p:TrimPublishStore={}", fx.empty_store().display());
    let out = app.publish(&[&empty]);
    let error = assert_one_error(&out, "TP4001");
    assert!(
        error.contains("Acme.Core 1.0.0") && error.contains("Acme.Core.dll"),
        "{error}"
    );
}

#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn a_version_mismatch_fails_the_build_with_one_located_error_and_touches_nothing() {
    let _one = one_at_a_time();
    let app = App::new("mismatch", Targets::Package, MANIFEST, "2.0.0");
    let out = app.publish(&[]);
    let error = assert_one_error(&out, "TP2001");
    for needle in [
        "App.deps.json(",
        "Acme.Core",
        "1.0.0",
        "2.0.0",
        "manifest.xml",
    ] {
        assert!(error.contains(needle), "{needle} not in {error}");
    }
    assert!(app.has_core());
    // And the documented way out.
    let out = app.publish(&["-p:TrimPublishAllowVersionMismatch=true"]);
    assert_built(&out);
    assert!(app.has_core());
    assert_says(&out, "warning TP2001");
}

#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn dry_run_keep_and_switch_off_change_nothing_they_should_not() {
    let _one = one_at_a_time();
    let fx = feed();
    let app = App::new("dry-run", Targets::Package, MANIFEST, "1.0.0");
    let off = app.publish(&["-p:TrimPublishEnabled=false"]);
    assert_built(&off);
    let untrimmed = snapshot(&app.out());
    assert!(app.has_core());

    let dry = app.publish(&["-p:TrimPublishDryRun=true"]);
    assert_built(&dry);
    assert_eq!(snapshot(&app.out()), untrimmed);
    assert_says(&dry, "trim-publish: would remove 1 file");

    let kept = app.publish(&["-p:TrimPublishKeep=runtimes/**%3BAcme.*.dll"]);
    assert_built(&kept);
    assert!(app.has_core(), "--keep was not passed:\n{}", text(&kept));

    // Two stores, the first empty: both are passed, and the second serves the file.
    fs::write(
        app.dir.join("Directory.Build.props"),
        format!(
            "<Project><PropertyGroup><TrimPublishStore>{};{}</TrimPublishStore></PropertyGroup></Project>\n",
            fx.empty_store().display(),
            fx.store().display()
        ),
    )
    .unwrap();
    let two = app.publish(&[]);
    assert_built(&two);
    assert!(!app.has_core());
    assert_says(&two, "verified in 2 stores");
}

#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn libraries_self_contained_apps_and_missing_manifests_do_not_fail_the_build() {
    let _one = one_at_a_time();
    let library = App::new(
        "library",
        Targets::Package,
        "<OutputType>Library</OutputType>\n    <TrimPublishManifests>manifest.xml</TrimPublishManifests>",
        "1.0.0",
    );
    fs::remove_file(library.dir.join("Program.cs")).unwrap();
    let out = library.publish(&["-v:n"]);
    assert_built(&out);
    assert_says(&out, "TrimPublish: skipped: App is a class library");
    assert!(library.has_core());

    // A self-contained publish needs runtime packs from nuget.org, so the target runs alone on
    // a published app with SelfContained set.
    let app = App::new("self-contained", Targets::Package, MANIFEST, "1.0.0");
    assert_built(&app.publish(&["-p:TrimPublishEnabled=false"]));
    let out = run_ok(
        feed()
            .dotnet(&app.dir)
            .args(["msbuild", "-nologo", "-v:n", "-t:TrimPublish"])
            .args(["-p:SelfContained=true", "-p:RuntimeIdentifier=linux-x64"])
            .arg("-p:PublishDir=out/"),
    );
    assert_says(&out, "TrimPublish: skipped: App is self-contained");
    assert!(app.has_core());

    let none = App::new("no-manifests", Targets::Package, "", "1.0.0");
    let out = none.publish(&[]);
    assert_built(&out);
    assert_says(&out, "warning TP7002");
    assert!(none.has_core());
}

#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn a_missing_executable_is_one_clear_error() {
    let _one = one_at_a_time();
    // Imported by hand (no packaged executable) with no trim-publish on PATH.
    let app = App::new("no-exe", Targets::ImportFirst, MANIFEST, "1.0.0");
    let out = app.publish_with(&[], |c| {
        let sdk = feed().sdk.prefix.join("sdk");
        c.env("PATH", format!("{}:/usr/bin:/bin", sdk.display()));
    });
    let error = assert_one_error(&out, "TP7001");
    assert!(
        error.contains("none was found on PATH") && error.contains("TrimPublishExe"),
        "{error}"
    );
    assert!(app.has_core());

    let out = App::new(
        "bad-exe",
        Targets::Package,
        "<TrimPublishManifests>manifest.xml</TrimPublishManifests>\n    \
         <TrimPublishExe>/nonexistent/trim-publish</TrimPublishExe>",
        "1.0.0",
    )
    .publish(&[]);
    let error = assert_one_error(&out, "TP7001");
    assert!(error.contains("/nonexistent/trim-publish"), "{error}");
}

/// The targets must not use a property function or task MSBuild 16.4 lacks: a project that only
/// imports them evaluates and runs the skip path without the SDK's publish.
#[test]
#[ignore = "needs the .NET SDK (bash tests/sdk/setup.sh); .ci/run runs it"]
fn the_targets_evaluate_in_a_bare_project() {
    let _one = one_at_a_time();
    let fx = feed();
    let dir = fx.root.join("cases/bare");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let targets = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("integrations/msbuild/build/TrimPublish.targets");
    fs::write(
        dir.join("bare.proj"),
        format!(
            "<Project>\n  <PropertyGroup><OutputType>Library</OutputType></PropertyGroup>\n  \
             <Import Project=\"{}\" />\n</Project>\n",
            targets.display()
        ),
    )
    .unwrap();
    let out =
        run_ok(
            fx.dotnet(&dir)
                .args(["msbuild", "-nologo", "-v:n", "-t:TrimPublish", "bare.proj"]),
        );
    assert_says(&out, "TrimPublish: skipped: bare is a class library");
}

/// Regression: `pack.sh` wrote the package through the fixed name `OUTDIR/TrimPublish.V.nupkg.tmp`,
/// so a link planted there made it overwrite the link's target. Needs only bash and python3.
#[test]
fn pack_sh_never_writes_through_a_link_planted_in_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    let version = env!("CARGO_PKG_VERSION");
    std::os::unix::fs::symlink(
        &victim,
        out.join(format!("TrimPublish.{version}.nupkg.tmp")),
    )
    .unwrap();
    run_ok(
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("integrations/nuget/pack.sh"))
            .arg(&out)
            .env("TRIM_PUBLISH_EXE", env!("CARGO_BIN_EXE_trim-publish")),
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    let nupkg = out.join(format!("TrimPublish.{version}.nupkg"));
    assert!(fs::symlink_metadata(&nupkg).unwrap().is_file());
    assert_eq!(&fs::read(&nupkg).unwrap()[..2], b"PK");
}
