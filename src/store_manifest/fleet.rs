//! `manifest --from-apps`: which packages a shared runtime package store should carry for a
//! fleet of apps, and what that choice saves.
//!
//! Each folder is read as trim reads it (deps.json, runtimeconfig, the files present). A package
//! identity (id and exact version, NuGet equality) counts for an app when it brings at least
//! one file to that app's folder. The manifest lists every identity that at least `min_apps`
//! apps use. What a trim with that manifest removes from each app is computed by the trim's own
//! planner, so the numbers are what a real trim would do. Sizes are measured from the folders.
//!
//! A store serves one `{arch}/{tfm}`: the apps of a fleet are grouped by both, and each group
//! gets its own manifest.
//!
//! May touch: reads the publish folders (and hashes the files of the chosen packages, to say
//! when one identity has different bytes in different apps).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{codes, Diagnostic};
use crate::formats::manifest::{ManifestUnion, TargetManifest};
use crate::formats::nuget::PackageIdentity;
use crate::host::store::app_arch;
use crate::inputs::inventory::EntryKind;
use crate::inputs::{read_published_app, PublishedApp};
use crate::store_manifest::generate::{artifact_xml, sort, Listed};
use crate::trim::plan::{plan, PlanInput, PlanOptions};
use crate::trim::store_check::hash_file;

/// What `manifest --from-apps` found, per `{arch}/{tfm}` group.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub min_apps: usize,
    pub groups: Vec<FleetGroup>,
    /// Folders left out, with why (self-contained, no tfm, unreadable).
    pub skipped: Vec<SkippedApp>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedApp {
    pub dir: PathBuf,
    pub reason: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetGroup {
    pub arch: String,
    pub tfm: String,
    /// The chosen packages, sorted by id and version.
    pub packages: Vec<FleetPackage>,
    pub apps: Vec<FleetApp>,
    /// Bytes of every app folder before the trim.
    pub bytes_before: u64,
    /// Bytes of every app folder after the trim, plus one copy of the store.
    pub bytes_after: u64,
    /// Bytes of one copy of the chosen packages' files (the store's share).
    pub store_bytes: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetPackage {
    pub id: String,
    pub version: String,
    /// How many apps of the group use it.
    pub apps: usize,
    /// Its files in one app folder.
    pub files: usize,
    pub bytes: u64,
    /// Apps whose copy of it differs from the first app's (other RID assets, a rebuild).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differs_in: Vec<PathBuf>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetApp {
    pub dir: PathBuf,
    pub folder_bytes: u64,
    pub files_removed: usize,
    pub bytes_removed: u64,
}

/// One app's packages that bring files: identity -> (the files, relative paths with sizes).
struct UsedPackage {
    identity: PackageIdentity,
    id: String,
    version: String,
    files: Vec<(String, u64)>,
}

/// Plans the store of a fleet. `min_apps` is at least 1.
pub fn plan_fleet(dirs: &[PathBuf], min_apps: usize) -> FleetReport {
    let mut report = FleetReport {
        schema_version: 1,
        command: "manifest --from-apps",
        min_apps,
        ..Default::default()
    };
    // Reading the apps is independent: in parallel, results in the order given.
    let read: Vec<(PathBuf, Result<PublishedApp, Diagnostic>)> = dirs
        .par_iter()
        .map(|d| (d.clone(), read_published_app(d, None)))
        .collect();
    let mut groups: BTreeMap<(String, String), Vec<PublishedApp>> = BTreeMap::new();
    for (dir, app) in read {
        let app = match app {
            Ok(a) => a,
            Err(d) => {
                report.skipped.push(SkippedApp {
                    dir,
                    reason: d.message.clone(),
                });
                report.diagnostics.push(d);
                continue;
            }
        };
        let reason = if app.runtime_config.self_contained
            || app
                .deps
                .libraries
                .iter()
                .any(|l| l.kind == crate::formats::deps::LibraryKind::RuntimePack)
        {
            Some("it is self-contained: it carries the runtime and never probes a store")
        } else if app.runtime_config.tfm.is_none() {
            Some("its runtimeconfig has no tfm, so the host would probe no store for it")
        } else {
            None
        };
        if let Some(reason) = reason {
            report.diagnostics.push(
                Diagnostic::warning(
                    codes::APP_LEFT_OUT,
                    format!("left out of the fleet: {reason}"),
                )
                .in_file(&dir),
            );
            report.skipped.push(SkippedApp {
                dir,
                reason: reason.to_string(),
            });
            continue;
        }
        let tfm = app.runtime_config.tfm.clone().expect("checked above");
        let arch = app_arch(None, &app.deps);
        groups.entry((arch, tfm)).or_default().push(app);
    }
    for ((arch, tfm), apps) in groups {
        report.groups.push(plan_group(
            arch,
            tfm,
            &apps,
            min_apps,
            &mut report.diagnostics,
        ));
    }
    report
}

fn used_packages(app: &PublishedApp) -> Vec<UsedPackage> {
    app.deps
        .packages
        .iter()
        .filter_map(|(lib_index, identity)| {
            let lib = &app.deps.libraries[*lib_index];
            let files: Vec<(String, u64)> = lib
                .assets
                .iter()
                .filter_map(crate::host::app_path)
                .filter_map(|p| {
                    let e = app.inventory.get(&p)?;
                    (e.kind == EntryKind::File).then(|| (p.into_owned(), e.size))
                })
                .collect();
            (!files.is_empty()).then(|| UsedPackage {
                identity: identity.clone(),
                id: lib.name.clone(),
                version: lib.version_text.clone(),
                files,
            })
        })
        .collect()
}

fn plan_group(
    arch: String,
    tfm: String,
    apps: &[PublishedApp],
    min_apps: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> FleetGroup {
    let used: Vec<Vec<UsedPackage>> = apps.par_iter().map(used_packages).collect();
    // identity -> the (app index, package index) that use it, in app order.
    let mut users: HashMap<&PackageIdentity, Vec<(usize, usize)>> = HashMap::new();
    for (a, packages) in used.iter().enumerate() {
        for (p, package) in packages.iter().enumerate() {
            users.entry(&package.identity).or_default().push((a, p));
        }
    }
    let chosen: Vec<&Vec<(usize, usize)>> =
        users.values().filter(|u| u.len() >= min_apps).collect();
    // One store copy: the first app's files. Other apps whose bytes differ are named.
    let digest = |app: usize, files: &[(String, u64)]| -> Vec<Option<blake3::Hash>> {
        files
            .iter()
            .map(|(p, _)| hash_file(&apps[app].dir.join(p), None).ok())
            .collect()
    };
    let mut packages: Vec<FleetPackage> = chosen
        .par_iter()
        .map(|u| {
            let (first_app, first_pkg) = u[0];
            let first = &used[first_app][first_pkg];
            let reference = digest(first_app, &first.files);
            let differs_in = u[1..]
                .iter()
                .filter(|&&(a, p)| {
                    let other = &used[a][p];
                    other
                        .files
                        .iter()
                        .map(|f| &f.0)
                        .ne(first.files.iter().map(|f| &f.0))
                        || digest(a, &other.files) != reference
                })
                .map(|&(a, _)| apps[a].dir.clone())
                .collect();
            FleetPackage {
                id: first.id.clone(),
                version: first.version.clone(),
                apps: u.len(),
                files: first.files.len(),
                bytes: first.files.iter().map(|f| f.1).sum(),
                differs_in,
            }
        })
        .collect();
    packages.sort_by(|a, b| {
        (a.id.to_ascii_lowercase(), &a.version).cmp(&(b.id.to_ascii_lowercase(), &b.version))
    });
    for p in packages.iter().filter(|p| !p.differs_in.is_empty()) {
        diagnostics.push(Diagnostic::warning(
            codes::FLEET_COPIES_DIFFER,
            format!(
                "{} {} has other bytes in {} than in the first app that uses it (other RID assets, or a rebuilt package); a store holds one copy, so check which one it should carry",
                p.id,
                p.version,
                p.differs_in.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    // What a trim with this manifest removes from each app: the trim's own planner decides.
    let listed: Vec<Listed> = packages
        .iter()
        .map(|p| Listed {
            id: p.id.clone(),
            version: p.version.clone(),
        })
        .collect();
    let manifest =
        TargetManifest::parse(Path::new("artifact.xml"), artifact_xml(&listed).as_bytes())
            .expect("the manifest this module writes reads back");
    let union = ManifestUnion::new(vec![manifest]);
    // An app on another version of a chosen id keeps its copy: counted as a trim with
    // --allow-version-mismatch would do it, and named below.
    let options = PlanOptions {
        allow_version_mismatch: true,
        ..Default::default()
    };
    let planned: Vec<(FleetApp, Vec<String>)> = apps
        .par_iter()
        .map(|app| {
            let the_plan = plan(&PlanInput::for_app(app, &union, &options));
            let removals = the_plan.removals();
            let mismatches = the_plan
                .mismatches
                .iter()
                .map(|m| {
                    format!(
                        "{} (the store carries {})",
                        m.library_key,
                        m.listed
                            .iter()
                            .map(|l| l.version.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            let summary = FleetApp {
                dir: app.dir.clone(),
                folder_bytes: app.inventory.total_bytes,
                files_removed: removals.len(),
                bytes_removed: removals.iter().map(|(_, s)| s).sum(),
            };
            (summary, mismatches)
        })
        .collect();
    let mut fleet_apps = Vec::with_capacity(planned.len());
    for (app, mismatches) in planned {
        if !mismatches.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    codes::FLEET_VERSION_MISMATCH,
                    format!(
                        "this app uses other versions of packages the store would carry: {}; trim it with --allow-version-mismatch (it keeps those packages) or move it to the store's versions",
                        mismatches.join("; ")
                    ),
                )
                .in_file(&app.dir),
            );
        }
        fleet_apps.push(app);
    }
    let store_bytes: u64 = packages.iter().map(|p| p.bytes).sum();
    let bytes_before: u64 = fleet_apps.iter().map(|a| a.folder_bytes).sum();
    let removed: u64 = fleet_apps.iter().map(|a| a.bytes_removed).sum();
    FleetGroup {
        arch,
        tfm,
        packages,
        apps: fleet_apps,
        bytes_before,
        bytes_after: bytes_before - removed + store_bytes,
        store_bytes,
    }
}

impl FleetGroup {
    /// The chosen packages, as generate writes them.
    pub fn listed(&self) -> Vec<Listed> {
        let mut l: Vec<Listed> = self
            .packages
            .iter()
            .map(|p| Listed {
                id: p.id.clone(),
                version: p.version.clone(),
            })
            .collect();
        sort(&mut l);
        l
    }
}

impl FleetReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serialisable")
    }

    /// The summary for stderr: per group, the packages, the apps and the fleet's bytes.
    pub fn to_text(&self, verbose: bool) -> String {
        use crate::report::human_bytes;
        use std::fmt::Write as _;
        let mut out = String::new();
        for g in &self.groups {
            let _ = writeln!(
                out,
                "{}/{}: {} app(s), {} package(s) used by at least {} app(s), {} for one store copy",
                g.arch,
                g.tfm,
                g.apps.len(),
                g.packages.len(),
                self.min_apps,
                human_bytes(g.store_bytes)
            );
            if verbose {
                for p in &g.packages {
                    let _ = writeln!(
                        out,
                        "  {:>5} apps  {:>10}  {} {}",
                        p.apps,
                        human_bytes(p.bytes),
                        p.id,
                        p.version
                    );
                }
            }
            for a in &g.apps {
                let _ = writeln!(
                    out,
                    "  {}: removes {} file(s), {} of {}",
                    a.dir.display(),
                    a.files_removed,
                    human_bytes(a.bytes_removed),
                    human_bytes(a.folder_bytes)
                );
            }
            let saved = g.bytes_before.saturating_sub(g.bytes_after);
            let _ = writeln!(
                out,
                "  fleet: {} before, {} after (apps plus one store copy): {} saved ({:.1}%)",
                human_bytes(g.bytes_before),
                human_bytes(g.bytes_after),
                human_bytes(saved),
                if g.bytes_before == 0 {
                    0.0
                } else {
                    100.0 * saved as f64 / g.bytes_before as f64
                }
            );
        }
        for s in &self.skipped {
            let _ = writeln!(out, "left out: {}: {}", s.dir.display(), s.reason);
        }
        out
    }
}
