//! Reading every input from disk: manifests (from `--manifest` and the project), the publish
//! folder's deps.json and runtimeconfig, and a snapshot of the folder. Errors are collected
//! across all inputs so one run reports every problem; nothing here writes.

pub mod file;
pub mod inventory;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::deps::{DepsError, DepsFile};
use crate::formats::manifest::{ManifestError, ManifestUnion, TargetManifest};
use crate::formats::project::{self, ProjectError};
use crate::formats::runtimeconfig::{RuntimeConfig, RuntimeConfigError};
use inventory::Inventory;

/// Problems with the publish folder itself.
#[derive(Debug, thiserror::Error)]
pub enum PublishDirError {
    #[error("the publish folder does not exist or cannot be read: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the publish folder is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("the publish folder is a symbolic link; pass the real folder ({target}) so nothing is deleted through a link")]
    IsSymlink { path: PathBuf, target: String },
    #[error("no *.deps.json in the publish folder; is this the output of `dotnet publish`? (use --deps-file if it has another name)")]
    NoDepsFile { path: PathBuf },
    #[error("several deps files in the publish folder: {candidates}; choose one with --deps-file")]
    SeveralDepsFiles { path: PathBuf, candidates: String },
    #[error("--deps-file must name a file directly inside the publish folder, whose assets it describes")]
    DepsFileOutside { path: PathBuf },
    #[error("no {expected} beside the deps file; trim-publish needs it to know the app's target framework and whether it is self-contained")]
    NoRuntimeConfig { path: PathBuf, expected: String },
    #[error("the publish folder is {what}; trim-publish refuses to delete anything there. Pass the publish folder itself (the one holding the app's .deps.json)")]
    TooBroad { path: PathBuf, what: &'static str },
    #[error("cannot list the publish folder: {message}")]
    Scan { path: PathBuf, message: String },
}

impl ToDiagnostic for PublishDirError {
    fn to_diagnostic(&self) -> Diagnostic {
        let (code, path) = match self {
            PublishDirError::Unreadable { path, .. }
            | PublishDirError::NotADirectory { path }
            | PublishDirError::IsSymlink { path, .. }
            | PublishDirError::TooBroad { path, .. }
            | PublishDirError::Scan { path, .. } => {
                (crate::diagnostic::codes::PUBLISH_DIR_UNUSABLE, path)
            }
            PublishDirError::NoDepsFile { path }
            | PublishDirError::SeveralDepsFiles { path, .. }
            | PublishDirError::DepsFileOutside { path } => {
                (crate::diagnostic::codes::DEPS_FILE_AMBIGUOUS, path)
            }
            PublishDirError::NoRuntimeConfig { path, .. } => {
                (crate::diagnostic::codes::RUNTIMECONFIG_UNUSABLE, path)
            }
        };
        Diagnostic::error(code, self.to_string()).in_file(path)
    }
}

/// Where the manifests come from.
#[derive(Debug, Clone, Default)]
pub struct ManifestSources {
    /// `--manifest` values, already split on `;`, relative to the current directory.
    pub manifests: Vec<PathBuf>,
    pub project: Option<PathBuf>,
    /// `--property NAME=VALUE` for evaluating the project.
    pub properties: Vec<(String, String)>,
}

/// Reads every manifest named by `--manifest` and the project, in that order. All errors of all
/// manifests are returned together.
pub fn read_manifests(
    sources: &ManifestSources,
) -> Result<(ManifestUnion, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut paths: Vec<PathBuf> = sources.manifests.clone();
    let mut errors = Vec::new();
    if let Some(project_path) = &sources.project {
        match file::read_regular(project_path, file::MAX_SMALL_INPUT) {
            Ok(bytes) => {
                match project::target_manifest_files(project_path, &bytes, &sources.properties) {
                    Ok(found) => paths.extend(found.paths),
                    Err(e) => errors.push(e.to_diagnostic()),
                }
            }
            Err(source) => errors.push(
                ProjectError::Unreadable {
                    path: project_path.clone(),
                    source,
                }
                .to_diagnostic(),
            ),
        }
    }
    if paths.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::error(
            crate::diagnostic::codes::NO_MANIFESTS,
            "no target manifests: pass --manifest FILE (repeatable, or `a.xml;b.xml`) or --project FILE.csproj",
        ));
    }
    // The same file named twice (e.g. by --manifest and the project) counts once.
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));

    let mut manifests = Vec::new();
    let mut warnings = Vec::new();
    for path in paths {
        match read_manifest(&path) {
            Ok(m) => {
                warnings.extend(m.warnings.iter().cloned());
                manifests.push(m);
            }
            Err(e) => errors.push(e.to_diagnostic()),
        }
    }
    if errors.is_empty() {
        Ok((ManifestUnion::new(manifests), warnings))
    } else {
        Err(errors)
    }
}

fn read_manifest(path: &Path) -> Result<TargetManifest, ManifestError> {
    if path.is_dir() {
        return Err(ManifestError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let bytes = file::read_regular(path, file::MAX_SMALL_INPUT).map_err(|source| {
        ManifestError::Unreadable {
            path: path.to_path_buf(),
            source,
        }
    })?;
    TargetManifest::parse(path, &bytes)
}

/// The app in a publish folder: its deps.json (text and model), runtimeconfig and a snapshot.
pub struct PublishedApp {
    pub dir: PathBuf,
    pub deps: DepsFile,
    /// How deps.json is stored (UTF-8, with or without BOM, or UTF-16), kept on rewrite.
    pub deps_encoding: crate::formats::text::Encoding,
    pub runtime_config: RuntimeConfig,
    pub runtime_config_path: PathBuf,
    pub inventory: Inventory,
}

/// Reads the app in `dir`. `deps_file` chooses among several deps files (a name or a path,
/// relative to the folder).
pub fn read_published_app(
    dir: &Path,
    deps_file: Option<&Path>,
) -> Result<PublishedApp, Diagnostic> {
    let meta = std::fs::symlink_metadata(dir).map_err(|source| {
        PublishDirError::Unreadable {
            path: dir.to_path_buf(),
            source,
        }
        .to_diagnostic()
    })?;
    if meta.file_type().is_symlink() {
        let target = std::fs::canonicalize(dir)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "unresolvable".into());
        return Err(PublishDirError::IsSymlink {
            path: dir.to_path_buf(),
            target,
        }
        .to_diagnostic());
    }
    if !meta.is_dir() {
        return Err(PublishDirError::NotADirectory {
            path: dir.to_path_buf(),
        }
        .to_diagnostic());
    }
    if let Some(what) = too_broad(dir) {
        return Err(PublishDirError::TooBroad {
            path: dir.to_path_buf(),
            what,
        }
        .to_diagnostic());
    }
    let deps_path = locate_deps_file(dir, deps_file).map_err(|e| e.to_diagnostic())?;
    // Walking the folder and reading the app's files are independent.
    let (described, inventory) = rayon::join(|| read_app_files(dir, &deps_path), || scan(dir));
    let AppFiles {
        deps,
        deps_encoding,
        runtime_config,
        runtime_config_path,
    } = described?;
    let inventory = inventory?;
    Ok(PublishedApp {
        dir: dir.to_path_buf(),
        deps,
        deps_encoding,
        runtime_config,
        runtime_config_path,
        inventory,
    })
}

/// What the app's own files say: the deps.json and the runtimeconfig beside it.
struct AppFiles {
    deps: DepsFile,
    deps_encoding: crate::formats::text::Encoding,
    runtime_config: RuntimeConfig,
    runtime_config_path: PathBuf,
}

fn read_app_files(dir: &Path, deps_path: &Path) -> Result<AppFiles, Diagnostic> {
    let deps_path = deps_path.to_path_buf();
    let bytes = file::read_regular(&deps_path, file::MAX_DEPS_JSON).map_err(|source| {
        DepsError::Unreadable {
            path: deps_path.clone(),
            source,
        }
        .to_diagnostic()
    })?;
    let deps = DepsFile::parse(&deps_path, &bytes).map_err(|e| e.to_diagnostic())?;

    let file_name = crate::formats::text::file_name(&deps_path);
    let stem = file_name.strip_suffix(".deps.json").unwrap_or(&file_name);
    let rc_name = format!("{stem}.runtimeconfig.json");
    let runtime_config_path = dir.join(&rc_name);
    let rc_bytes = match file::read_regular(&runtime_config_path, file::MAX_SMALL_INPUT) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PublishDirError::NoRuntimeConfig {
                path: deps_path.clone(),
                expected: rc_name,
            }
            .to_diagnostic())
        }
        Err(source) => {
            return Err(RuntimeConfigError::Unreadable {
                path: runtime_config_path,
                source,
            }
            .to_diagnostic())
        }
    };
    let runtime_config =
        RuntimeConfig::parse(&runtime_config_path, &rc_bytes).map_err(|e| e.to_diagnostic())?;
    let deps_encoding = crate::formats::text::Encoding::of(&bytes);
    Ok(AppFiles {
        deps,
        deps_encoding,
        runtime_config,
        runtime_config_path,
    })
}

fn scan(dir: &Path) -> Result<Inventory, Diagnostic> {
    Inventory::scan(dir).map_err(|e| {
        // The entry is named once, in the diagnostic's file, and shortened there: a single
        // path of several KB used to fill the screen twice.
        let path = e
            .path()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.to_path_buf());
        let message = e
            .io_error()
            .map(|io| io.to_string())
            .unwrap_or_else(|| "a symbolic link loop".to_string());
        PublishDirError::Scan {
            path: shorten_path(&path),
            message,
        }
        .to_diagnostic()
    })
}

/// `path` when it is short; else its start and end around `...`, so a message stays readable.
fn shorten_path(path: &Path) -> PathBuf {
    const KEEP: usize = 80;
    let text = path.to_string_lossy();
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 2 * KEEP + 3 {
        return path.to_path_buf();
    }
    let head: String = chars[..KEEP].iter().collect();
    let tail: String = chars[chars.len() - KEEP..].iter().collect();
    PathBuf::from(format!("{head}...{tail} ({} characters)", chars.len()))
}

/// The file system root and the user's home are never publish folders, whatever they contain.
fn too_broad(dir: &Path) -> Option<&'static str> {
    let real = std::fs::canonicalize(dir).ok()?;
    if real.parent().is_none() {
        return Some("the root of the file system");
    }
    let home = std::env::var_os("HOME").and_then(|h| std::fs::canonicalize(h).ok());
    (home.as_deref() == Some(real.as_path())).then_some("your home folder")
}

fn locate_deps_file(dir: &Path, chosen: Option<&Path>) -> Result<PathBuf, PublishDirError> {
    if let Some(chosen) = chosen {
        let path = if chosen.is_absolute() {
            chosen.to_path_buf()
        } else {
            dir.join(chosen)
        };
        let parent_ok = match (
            path.parent().map(std::fs::canonicalize),
            std::fs::canonicalize(dir),
        ) {
            (Some(Ok(a)), Ok(b)) => a == b,
            _ => false,
        };
        if !parent_ok {
            return Err(PublishDirError::DepsFileOutside { path });
        }
        return Ok(path);
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| PublishDirError::Unreadable {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".deps.json") && n.len() > ".deps.json".len())
        })
        .collect();
    candidates.sort();
    match candidates.len() {
        0 => Err(PublishDirError::NoDepsFile {
            path: dir.to_path_buf(),
        }),
        1 => Ok(candidates.remove(0)),
        _ => Err(PublishDirError::SeveralDepsFiles {
            path: dir.to_path_buf(),
            candidates: candidates
                .iter()
                .map(|p| crate::formats::manifest::file_name(p))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
