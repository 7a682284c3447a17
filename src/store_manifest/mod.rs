//! `trim-publish manifest`: the artifact.xml of an existing store, the manifest (or the
//! `dotnet store` project) a deps.json needs, and the difference between two manifests.
//!
//! May touch: reads the store folder, the deps.json and the manifests.

pub mod fleet;
pub mod generate;

use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::exit::Exit;
use crate::formats::deps;
use crate::inputs::{self, ManifestSources};
use generate as manifestgen;

/// What `trim-publish manifest` does.
#[derive(Debug, Clone)]
pub enum ManifestRequest {
    FromStore {
        dir: PathBuf,
        arch: Option<String>,
        tfm: Option<String>,
    },
    FromDeps {
        deps_file: PathBuf,
        exclude_framework: bool,
        csproj: bool,
    },
    /// `--from-apps`: the store a fleet of publish folders should share.
    FromApps {
        dirs: Vec<PathBuf>,
        min_apps: usize,
        csproj: bool,
        json: bool,
        /// Several `{arch}/{tfm}` groups: one manifest each, at `out_dir/{arch}/{tfm}/`.
        out_dir: Option<PathBuf>,
    },
    Diff {
        a: PathBuf,
        b: PathBuf,
        json: bool,
    },
}

/// The result of `trim-publish manifest`: the text for stdout (or `-o`), diagnostics, exit code.
#[derive(Debug, Default)]
pub struct ManifestOutcome {
    pub output: String,
    /// A summary for stderr (the fleet's numbers); empty for the other requests.
    pub summary: String,
    /// `--from-apps --format json`: the report, for stdout; the manifest stays in `output`, for
    /// `-o` (without `-o`, stdout carries the report alone).
    pub report: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub exit_code: u8,
}

pub fn manifest_command(request: &ManifestRequest) -> ManifestOutcome {
    let fail = |d: Diagnostic| ManifestOutcome {
        diagnostics: vec![d],
        exit_code: Exit::Invalid.code(),
        ..Default::default()
    };
    match request {
        ManifestRequest::FromStore { dir, arch, tfm } => {
            let level = match manifestgen::store_level(dir, arch.as_deref(), tfm.as_deref()) {
                Ok(l) => l,
                Err(e) => {
                    return fail(
                        Diagnostic::error(crate::diagnostic::codes::NOT_A_STORE, e).in_file(dir),
                    )
                }
            };
            let (packages, diagnostics) = manifestgen::from_store(&level);
            if packages.is_empty() {
                return fail(
                    Diagnostic::error(
                        crate::diagnostic::codes::NOT_A_STORE,
                        format!("no {{id}}/{{version}} package folders in {}; is this a store? (--arch and --tfm choose the folder)", level.display()),
                    )
                    .in_file(dir),
                );
            }
            ManifestOutcome {
                output: manifestgen::artifact_xml(&packages),
                diagnostics,
                ..Default::default()
            }
        }
        ManifestRequest::FromDeps {
            deps_file,
            exclude_framework,
            csproj,
        } => {
            let deps = match crate::inputs::file::read_regular(
                deps_file,
                crate::inputs::file::MAX_DEPS_JSON,
            )
            .map_err(|source| deps::DepsError::Unreadable {
                path: deps_file.clone(),
                source,
            })
            .and_then(|b| deps::DepsFile::parse(deps_file, &b))
            {
                Ok(d) => d,
                Err(e) => return fail(e.to_diagnostic()),
            };
            let packages = manifestgen::from_deps(&deps, *exclude_framework);
            let output = if *csproj {
                let tfm = manifestgen::tfm_from_target(&deps.runtime_target)
                    .unwrap_or_else(|| "net8.0".to_string());
                manifestgen::store_project(&packages, &tfm)
            } else {
                manifestgen::artifact_xml(&packages)
            };
            ManifestOutcome {
                output,
                ..Default::default()
            }
        }
        ManifestRequest::FromApps {
            dirs,
            min_apps,
            csproj,
            json,
            out_dir,
        } => from_apps(dirs, *min_apps, *csproj, *json, out_dir.as_deref()),
        ManifestRequest::Diff { a, b, json } => {
            let sources = |p: &PathBuf| ManifestSources {
                manifests: vec![p.clone()],
                ..Default::default()
            };
            let read = |p: &PathBuf| inputs::read_manifests(&sources(p)).map(|(u, _)| u);
            let (ua, ub) = match (read(a), read(b)) {
                (Ok(ua), Ok(ub)) => (ua, ub),
                (ra, rb) => {
                    let mut diagnostics = ra.err().unwrap_or_default();
                    diagnostics.extend(rb.err().unwrap_or_default());
                    return ManifestOutcome {
                        diagnostics,
                        exit_code: Exit::Invalid.code(),
                        ..Default::default()
                    };
                }
            };
            let d = manifestgen::diff(&ua.manifests[0], &ub.manifests[0]);
            ManifestOutcome {
                output: if *json {
                    format!(
                        "{}\n",
                        serde_json::to_string_pretty(&d).expect("serialisable")
                    )
                } else {
                    d.to_text()
                },
                ..Default::default()
            }
        }
    }
}

fn from_apps(
    dirs: &[PathBuf],
    min_apps: usize,
    csproj: bool,
    json: bool,
    out_dir: Option<&std::path::Path>,
) -> ManifestOutcome {
    let report = fleet::plan_fleet(dirs, min_apps.max(1));
    let mut diagnostics = report.diagnostics.clone();
    let render = |g: &fleet::FleetGroup| {
        if csproj {
            manifestgen::store_project(&g.listed(), &g.tfm)
        } else {
            manifestgen::artifact_xml(&g.listed())
        }
    };
    let groups_named = || {
        report
            .groups
            .iter()
            .map(|g| {
                let apps: Vec<String> =
                    g.apps.iter().map(|a| a.dir.display().to_string()).collect();
                format!("{}/{} ({})", g.arch, g.tfm, apps.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let fail = |mut diagnostics: Vec<Diagnostic>, d: Diagnostic| {
        diagnostics.push(d);
        ManifestOutcome {
            diagnostics,
            exit_code: Exit::Invalid.code(),
            summary: report.to_text(false),
            ..Default::default()
        }
    };
    let mut output = String::new();
    match (report.groups.len(), out_dir) {
        (0, _) => {
            return fail(
                diagnostics,
                Diagnostic::error(
                    crate::diagnostic::codes::FLEET_GROUPS,
                    "no app of the fleet can use a runtime package store (each was left out; see the warnings)",
                ),
            )
        }
        (_, Some(dir)) => {
            let name = if csproj { "packages.csproj" } else { "artifact.xml" };
            for g in &report.groups {
                let path = dir.join(&g.arch).join(&g.tfm).join(name);
                let written = std::fs::create_dir_all(path.parent().expect("has a parent"))
                    .and_then(|()| crate::trim::atomic_file::write(&path, render(g).as_bytes()));
                if let Err(e) = written {
                    return fail(
                        diagnostics,
                        Diagnostic::error(
                            crate::diagnostic::codes::OUTPUT_NOT_WRITTEN,
                            format!("cannot write {}: {e}", path.display()),
                        )
                        .in_file(&path),
                    );
                }
            }
        }
        (1, None) => output = render(&report.groups[0]),
        (_, None) => {
            return fail(
                diagnostics,
                Diagnostic::error(
                    crate::diagnostic::codes::FLEET_GROUPS,
                    format!(
                        "the apps target several {{arch}}/{{tfm}} pairs, and a store serves one: {}. Pass --out-dir DIR to write DIR/{{arch}}/{{tfm}}/artifact.xml for each, or the apps of one pair",
                        groups_named()
                    ),
                ),
            )
        }
    }
    diagnostics.sort_by_key(|d| d.is_error());
    ManifestOutcome {
        report: json.then(|| format!("{}\n", report.to_json())),
        output,
        summary: report.to_text(false),
        diagnostics,
        exit_code: 0,
    }
}
