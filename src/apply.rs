//! The only code that changes the disk. It carries out a [`RemovalPlan`] that has no errors:
//! the new deps.json is written to a temporary file first (so a full disk fails before anything
//! is deleted), then the files are removed, folders the trim left empty are removed (never the
//! publish folder itself), and the new deps.json is renamed into place.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::depsedit::{self, EditError};
use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::plan::RemovalPlan;

#[derive(Debug, Default, Clone)]
pub struct Applied {
    pub removed: Vec<String>,
    /// Planned files that had disappeared by the time they were removed.
    pub vanished: Vec<String>,
    pub dirs_removed: Vec<String>,
    pub deps_updated: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("cannot prepare the new deps.json: {0}; nothing was changed")]
    Edit(#[from] EditError),
    #[error("cannot write the new deps.json next to the old one ({path}): {source}; nothing was changed", path = path.display())]
    WriteTemp {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("stopped part-way: cannot remove {path}: {source}. {done} file(s) were removed before it and the rest are still in place; {deps}. Fix the cause and run again: files already removed count as trimmed", path = path.display())]
    Remove {
        path: PathBuf,
        done: usize,
        /// What happened to deps.json.
        deps: String,
        #[source]
        source: std::io::Error,
    },
    #[error("all planned files were removed, but the new deps.json could not be put in place ({path}): {source}. The app still starts from the store; run again to update deps.json", path = path.display())]
    Rename {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ToDiagnostic for ApplyError {
    fn to_diagnostic(&self) -> Diagnostic {
        let path = match self {
            ApplyError::Edit(_) => None,
            ApplyError::WriteTemp { path, .. }
            | ApplyError::Remove { path, .. }
            | ApplyError::Rename { path, .. } => Some(path),
        };
        let d = Diagnostic::error("TP3001", self.to_string());
        match path {
            Some(p) => d.in_file(p),
            None => d,
        }
    }
}

/// The deps.json as read: where it is, its text, and whether it started with a UTF-8 BOM (kept on
/// rewrite so the only difference is the added properties).
pub struct DepsDocument<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub bom: bool,
}

/// Applies `plan` to the folder `dir`. Returns what was done, even when it stopped part-way.
pub fn apply(
    dir: &Path,
    plan: &RemovalPlan,
    deps: &DepsDocument<'_>,
) -> (Applied, Result<(), ApplyError>) {
    let mut applied = Applied::default();
    let result = apply_inner(dir, plan, deps, &mut applied);
    (applied, result)
}

fn apply_inner(
    dir: &Path,
    plan: &RemovalPlan,
    deps: &DepsDocument<'_>,
    applied: &mut Applied,
) -> Result<(), ApplyError> {
    let deps_path = deps.path;
    assert!(!plan.is_blocked(), "apply() called with a blocked plan");
    let temp = if plan.deps_edits.is_empty() {
        None
    } else {
        let edits: Vec<(&str, &str)> = plan
            .deps_edits
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut new_text = depsedit::set_manifest_names(deps.text, &edits)?;
        if deps.bom {
            new_text.insert(0, '\u{feff}');
        }
        Some(write_temp(deps_path, &new_text)?)
    };

    let mut parents = BTreeSet::new();
    for (relative, _) in plan.removals() {
        let path = dir.join(relative);
        match fs::remove_file(&path) {
            Ok(()) => applied.removed.push(relative.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                applied.vanished.push(relative.to_string())
            }
            Err(source) => {
                if let Some(t) = &temp {
                    let _ = fs::remove_file(t);
                }
                let deps_note = record_what_is_gone(plan, deps, applied);
                return Err(ApplyError::Remove {
                    path,
                    done: applied.removed.len(),
                    deps: deps_note,
                    source,
                });
            }
        }
        let mut p = relative;
        while let Some((parent, _)) = p.rsplit_once('/') {
            parents.insert(parent.to_string());
            p = parent;
        }
    }
    // Deepest first; remove_dir only succeeds on an empty folder, so anything else stays.
    let mut parents: Vec<String> = parents.into_iter().collect();
    parents.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
    for parent in parents {
        if fs::remove_dir(dir.join(&parent)).is_ok() {
            applied.dirs_removed.push(parent);
        }
    }

    if let Some(temp) = temp {
        fs::rename(&temp, deps_path).map_err(|source| {
            let _ = fs::remove_file(&temp);
            ApplyError::Rename {
                path: deps_path.to_path_buf(),
                source,
            }
        })?;
        applied.deps_updated = true;
    }
    Ok(())
}

/// After a failure part-way, deps.json names the manifests of exactly the packages whose files
/// are all gone, so it matches the folder as it now is. Returns what was done, for the message.
fn record_what_is_gone(
    plan: &RemovalPlan,
    deps: &DepsDocument<'_>,
    applied: &mut Applied,
) -> String {
    let gone: std::collections::HashSet<&str> = applied
        .removed
        .iter()
        .chain(&applied.vanished)
        .map(String::as_str)
        .collect();
    let complete: Vec<(&str, &str)> = plan
        .deps_edits
        .iter()
        .filter(|(key, _)| {
            plan.packages
                .iter()
                .find(|p| p.library_key == *key)
                .is_some_and(|p| {
                    p.files
                        .iter()
                        .filter(|f| f.action == crate::plan::FileAction::Remove)
                        .all(|f| gone.contains(f.path.as_str()))
                })
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if complete.is_empty() {
        return "deps.json was not changed".to_string();
    }
    let written = depsedit::set_manifest_names(deps.text, &complete)
        .map_err(|e| e.to_string())
        .and_then(|mut text| {
            if deps.bom {
                text.insert(0, '\u{feff}');
            }
            let temp = write_temp(deps.path, &text).map_err(|e| e.to_string())?;
            fs::rename(&temp, deps.path).map_err(|e| {
                let _ = fs::remove_file(&temp);
                e.to_string()
            })
        });
    match written {
        Ok(()) => {
            applied.deps_updated = true;
            format!(
                "deps.json now names the manifests of the {} package(s) whose files are all gone",
                complete.len()
            )
        }
        Err(e) => format!("deps.json could not be updated either ({e})"),
    }
}

/// Writes `text` to a hidden file beside `target`, with the target's permissions, synced.
fn write_temp(target: &Path, text: &str) -> Result<PathBuf, ApplyError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = target.with_file_name(format!(".{name}.trim-publish.tmp"));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&temp)?;
        f.write_all(text.as_bytes())?;
        if let Ok(meta) = fs::metadata(target) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()
    };
    write().map_err(|source| {
        let _ = fs::remove_file(&temp);
        ApplyError::WriteTemp {
            path: temp.clone(),
            source,
        }
    })?;
    Ok(temp)
}
