//! integrations/msbuild/build/TrimPublish.targets on a real MSBuild-compatible engine: Mono's
//! xbuild (Debian mono-xbuild) runs targets and Exec tasks. It does not turn canonical messages
//! into errors the way MSBuild does, so the tests assert exit codes, output and the folder.
//! They are `#[ignore]`d (a plain `cargo test` lists them); `.ci/run` installs xbuild and runs
//! them with `--include-ignored`, and without xbuild they fail.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// Fails, rather than passing silently, when the tests were asked for without xbuild.
fn require_xbuild() {
    assert!(
        Command::new("xbuild").arg("/version").output().is_ok(),
        "xbuild is missing: apt-get install mono-xbuild"
    );
}

/// A project like an SDK one after `dotnet publish`: Publish (a stub here) then our target.
fn project(ex: &Example, manifests: &str) {
    project_with(ex, manifests, "");
}

/// The same, with more properties (a `;`-list must be set in the project: on the command line
/// `;` separates properties).
fn project_with(ex: &Example, manifests: &str, more: &str) {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("integrations/msbuild/build/TrimPublish.targets");
    fs::write(
        ex.root.join("App.proj"),
        format!(
            r#"<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003" DefaultTargets="Publish">
  <PropertyGroup>
    <PublishDir>publish/</PublishDir>
    <TargetManifestFiles>{manifests}</TargetManifestFiles>
    {more}
  </PropertyGroup>
  <Target Name="Publish"><Message Text="(the SDK publishes here)" /></Target>
  <Import Project="{}" />
</Project>
"#,
            targets.display()
        ),
    )
    .unwrap();
}

fn xbuild(ex: &Example, props: &[&str]) -> Output {
    let mut c = Command::new("xbuild");
    c.current_dir(&ex.root)
        .env("XDG_CACHE_HOME", ex.root.join(".cache"))
        .args(["/nologo", "/v:normal", "App.proj"])
        .arg(format!(
            "/p:TrimPublishExe={}",
            env!("CARGO_BIN_EXE_trim-publish")
        ));
    for p in props {
        c.arg(format!("/p:{p}"));
    }
    c.output().unwrap()
}

fn expected() -> Vec<String> {
    fs::read_to_string(testdata().join("example/expected-after-trim.txt"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
#[ignore = "needs Mono's xbuild (apt-get install mono-xbuild); .ci/run runs it with --include-ignored"]
fn publish_runs_the_trim_with_the_projects_manifests_and_store() {
    require_xbuild();
    let ex = Example::new();
    project(&ex, "manifests/aspnet.xml;manifests/shared.xml");
    let out = xbuild(&ex, &["TrimPublishStore=store"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    out.stdout_has(&["verified in 1 store: 9 identical"]);
    assert_eq!(ex.files(), expected());
}

#[test]
#[ignore = "needs Mono's xbuild (apt-get install mono-xbuild); .ci/run runs it with --include-ignored"]
fn it_can_be_switched_off_or_dry_run() {
    require_xbuild();
    let ex = Example::new();
    project(&ex, "manifests/aspnet.xml;manifests/shared.xml");
    let before = ex.snapshot();
    let out = xbuild(&ex, &["TrimPublishEnabled=false"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("trim-publish"), "{}", stdout(&out));
    let out = xbuild(&ex, &["TrimPublishDryRun=true"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    out.stdout_has(&["dry run, nothing changed"]);
    assert_eq!(ex.snapshot(), before);
    // No manifests: the target does not run.
    project(&ex, "");
    assert_eq!(xbuild(&ex, &[]).status.code(), Some(0));
    assert_eq!(ex.snapshot(), before);
}

#[test]
#[ignore = "needs Mono's xbuild (apt-get install mono-xbuild); .ci/run runs it with --include-ignored"]
fn a_refused_trim_fails_the_build_with_canonical_messages() {
    require_xbuild();
    let ex = Example::new();
    project(&ex, "manifests/aspnet.xml;manifests/drift.xml");
    let before = ex.snapshot();
    let out = xbuild(&ex, &[]);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("publish/App.deps.json(81,7): error TP2001: package Newtonsoft.Json: the app uses 13.0.1, but the manifests list 12.0.3 in manifests/drift.xml"),
        "{text}"
    );
    assert!(text.contains("exited with code: 1"), "{text}");
    assert_eq!(ex.snapshot(), before);
    // A store that lacks a package fails the build too.
    project(&ex, "manifests/aspnet.xml;manifests/shared.xml");
    fs::remove_dir_all(ex.root.join("store/x64/netcoreapp3.1/newtonsoft.json")).unwrap();
    let out = xbuild(&ex, &["TrimPublishStore=store"]);
    assert_ne!(out.status.code(), Some(0));
    out.stdout_has(&["manifests/shared.xml : error TP4001"]);
    assert_eq!(ex.snapshot(), before);
}

#[test]
#[ignore = "needs Mono's xbuild (apt-get install mono-xbuild); .ci/run runs it with --include-ignored"]
fn several_stores_become_several_store_options() {
    require_xbuild();
    let ex = Example::new();
    project_with(
        &ex,
        "manifests/aspnet.xml;manifests/shared.xml",
        "<TrimPublishStore>store;second</TrimPublishStore>",
    );
    // Split the store in two: Newtonsoft.Json only in the second.
    let second = ex.root.join("second/x64/netcoreapp3.1");
    fs::create_dir_all(&second).unwrap();
    fs::rename(
        ex.root.join("store/x64/netcoreapp3.1/newtonsoft.json"),
        second.join("newtonsoft.json"),
    )
    .unwrap();
    let out = xbuild(&ex, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    out.stdout_has(&["verified in 2 stores: 9 identical"]);
    assert_eq!(ex.files(), expected());
}
