//! `trim-publish manifest`: the artifact.xml of an existing store, the manifest (or the
//! `dotnet store` project) a deps.json needs, and the difference between two manifests.
//!
//! May touch: reads the store folder, the deps.json and the manifests.

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
                exit_code: 0,
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
