//! The only code that changes the publish folder (the digest cache writes its own file, in
//! `digestcache`; the binary writes `--summary` and `manifest -o`). It carries out a
//! [`RemovalPlan`] that has no errors:
//! the new deps.json is written to a temporary file first (so a full disk fails before anything
//! is deleted), then the files are removed, folders the trim left empty are removed (never the
//! publish folder itself), and the new deps.json is renamed into place.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::depsedit::{self, EditError};
use crate::inputs::inventory::FileStamp;
use crate::trim::atomic_file;
use crate::trim::plan::RemovalPlan;

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
    #[error("stopped part-way: {path} {why}, so it was not removed. {done} file(s) were removed before it and the rest are still in place; {deps}. Check what changed the folder or the store, then run again", path = path.display())]
    Changed {
        path: PathBuf,
        why: String,
        done: usize,
        deps: String,
    },
    #[error("cannot prepare the backup folder {path}: {message}; nothing was changed", path = path.display())]
    Backup { path: PathBuf, message: String },
    #[error("all planned files were removed, but the new deps.json could not be put in place ({path}): {source}. The app still starts from the store; run again to update deps.json", path = path.display())]
    Rename {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ApplyError {
    /// True when the error came before the first change to the folder.
    pub fn changed_nothing(&self) -> bool {
        matches!(
            self,
            ApplyError::Edit(_) | ApplyError::WriteTemp { .. } | ApplyError::Backup { .. }
        )
    }
}

impl ToDiagnostic for ApplyError {
    fn to_diagnostic(&self) -> Diagnostic {
        let path = match self {
            ApplyError::Edit(_) => None,
            ApplyError::WriteTemp { path, .. }
            | ApplyError::Changed { path, .. }
            | ApplyError::Backup { path, .. }
            | ApplyError::Remove { path, .. }
            | ApplyError::Rename { path, .. } => Some(path),
        };
        let d = Diagnostic::error(crate::diagnostic::codes::APPLY_FAILED, self.to_string());
        match path {
            Some(p) => d.in_file(p),
            None => d,
        }
    }
}

/// The deps.json as read: where it is, its text, and how it was stored (kept on rewrite so the
/// only difference is the added properties).
pub struct DepsDocument<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub encoding: crate::formats::text::Encoding,
}

impl DepsDocument<'_> {
    /// The deps.json bytes with these runtimeStoreManifestName edits, stored as the original
    /// was (UTF-8 with or without BOM, or UTF-16 with its BOM).
    fn with_manifest_names(&self, edits: &[(&str, &str)]) -> Result<Vec<u8>, EditError> {
        let text = depsedit::set_manifest_names(self.text, edits)?;
        Ok(self.encoding.encode(&text))
    }
}

/// Applies `plan` to the folder `dir`. With `backup`, files are moved into that folder (with the
/// original deps.json and a journal) instead of deleted, for [`restore`]. Returns what was done,
/// even when it stopped part-way.
///
/// Right before each removal the file is checked again (see [`still_as_planned`]): no symbolic
/// link on the way, the same file the plan saw (and the store check read), and its store copy,
/// in `store_copies` (publish path -> store file), still there. Anything else stops the run.
pub fn apply(
    dir: &Path,
    plan: &RemovalPlan,
    deps: &DepsDocument<'_>,
    backup: Option<&Path>,
    store_copies: &HashMap<String, PathBuf>,
) -> (Applied, Result<(), ApplyError>) {
    let mut applied = Applied::default();
    let result = apply_inner(dir, plan, deps, backup, store_copies, &mut applied);
    (applied, result)
}

fn apply_inner(
    dir: &Path,
    plan: &RemovalPlan,
    deps: &DepsDocument<'_>,
    backup: Option<&Path>,
    store_copies: &HashMap<String, PathBuf>,
    applied: &mut Applied,
) -> Result<(), ApplyError> {
    let stamps: HashMap<&str, Option<FileStamp>> = plan
        .packages
        .iter()
        .flat_map(|p| &p.files)
        .filter(|f| f.action == crate::trim::plan::FileAction::Remove)
        .map(|f| (f.path.as_str(), f.stamp))
        .collect();
    let deps_path = deps.path;
    assert!(!plan.is_blocked(), "apply() called with a blocked plan");
    if let Some(backup) = backup {
        prepare_backup(backup, dir, plan, deps_path).map_err(|message| ApplyError::Backup {
            path: backup.to_path_buf(),
            message,
        })?;
    }
    let temp = if plan.deps_edits.is_empty() {
        None
    } else {
        let edits: Vec<(&str, &str)> = plan
            .deps_edits
            .iter()
            .map(|e| (e.library_key.as_str(), e.manifest_names.as_str()))
            .collect();
        let text = deps.with_manifest_names(&edits)?;
        Some(
            atomic_file::prepare(deps_path, &text).map_err(|source| ApplyError::WriteTemp {
                path: deps_path.to_path_buf(),
                source,
            })?,
        )
    };

    let mut parents = BTreeSet::new();
    for (relative, _) in plan.removals() {
        let path = dir.join(relative);
        let stamp = stamps.get(relative).copied().flatten();
        if let Err(why) = still_as_planned(dir, relative, stamp, store_copies.get(relative)) {
            drop(temp);
            let deps_note = record_what_is_gone(plan, deps, applied);
            return Err(ApplyError::Changed {
                path,
                why,
                done: applied.removed.len(),
                deps: deps_note,
            });
        }
        let disposed = match backup {
            Some(b) => move_file(&path, &b.join(BACKUP_FILES).join(relative)),
            None => fs::remove_file(&path),
        };
        match disposed {
            Ok(()) => applied.removed.push(relative.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                applied.vanished.push(relative.to_string())
            }
            Err(source) => {
                drop(temp);
                let deps_note = record_what_is_gone(plan, deps, applied);
                return Err(ApplyError::Remove {
                    path,
                    done: applied.removed.len(),
                    deps: deps_note,
                    source,
                });
            }
        }
        parents.extend(crate::trim::plan::ancestors(relative).map(str::to_string));
    }
    // With the folders an interrupted run already emptied. Deepest first; remove_dir only
    // succeeds on an empty folder, so anything else stays.
    parents.extend(plan.empty_dirs.iter().cloned());
    let mut parents: Vec<String> = parents.into_iter().collect();
    parents.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
    for parent in parents {
        if fs::remove_dir(dir.join(&parent)).is_ok() {
            applied.dirs_removed.push(parent);
        }
    }

    if let Some(temp) = temp {
        temp.commit().map_err(|source| ApplyError::Rename {
            path: deps_path.to_path_buf(),
            source,
        })?;
        applied.deps_updated = true;
    }
    Ok(())
}

/// Whether `relative` may still be removed: the publish folder and every folder on the way are
/// real folders (not links someone swapped in), the file is the one the plan saw (device,
/// inode, size and modification time), and its verified store copy still exists. A file already
/// gone passes here; the removal then counts it as vanished, not removed.
///
/// What remains between this check and the removal is a window of one system call; closing it
/// would take `unlinkat` relative to an opened folder, which the standard library does not offer.
fn still_as_planned(
    dir: &Path,
    relative: &str,
    stamp: Option<FileStamp>,
    store_copy: Option<&PathBuf>,
) -> Result<(), String> {
    let is_real_dir = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir());
    if !is_real_dir(dir) {
        return Err(
            "is in a publish folder that is no longer a folder (a link was put in its place)"
                .to_string(),
        );
    }
    for at in folders_on_the_way(dir, relative) {
        if !is_real_dir(&at) {
            return Err(format!(
                "has a symbolic link or a file on the way ({}) that was a folder when the trim was planned",
                at.display()
            ));
        }
    }
    let meta = match fs::symlink_metadata(dir.join(relative)) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot be checked ({e})")),
    };
    if !meta.file_type().is_file() {
        return Err("is no longer a regular file".to_string());
    }
    if stamp.is_some_and(|s| s != FileStamp::of(&meta)) {
        return Err("changed after the trim was planned and verified (another file, size or modification time)".to_string());
    }
    if let Some(copy) = store_copy {
        if !fs::metadata(copy).is_ok_and(|m| m.is_file()) {
            return Err(format!(
                "lost its store copy {} after verification",
                copy.display()
            ));
        }
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
    let by_key: HashMap<&str, &crate::trim::plan::PlannedPackage> = plan
        .packages
        .iter()
        .map(|p| (p.library_key.as_str(), p))
        .collect();
    let complete: Vec<(&str, &str)> = plan
        .deps_edits
        .iter()
        .filter(|edit| {
            by_key
                .get(edit.library_key.as_str())
                // A listed project library has nothing to remove: its annotation always holds.
                .is_none_or(|p| {
                    p.files
                        .iter()
                        .filter(|f| f.action == crate::trim::plan::FileAction::Remove)
                        .all(|f| gone.contains(f.path.as_str()))
                })
        })
        .map(|e| (e.library_key.as_str(), e.manifest_names.as_str()))
        .collect();
    if complete.is_empty() {
        return "deps.json was not changed".to_string();
    }
    let written = deps
        .with_manifest_names(&complete)
        .map_err(|e| e.to_string())
        .and_then(|bytes| atomic_file::write(deps.path, &bytes).map_err(|e| e.to_string()));
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

const JOURNAL: &str = "trim-publish-journal.json";
const BACKUP_FILES: &str = "files";
const BACKUP_DEPS: &str = "deps";

/// What a backup folder holds, written (durably) before the first file moves. Restore treats
/// it as untrusted input: every path is checked, and every byte against these digests.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Journal {
    schema_version: u32,
    /// Absolute; `restore --to` restores elsewhere.
    publish_dir: PathBuf,
    /// The deps.json file name (a name, never a path); its original bytes are in `deps/`.
    deps_file: String,
    /// BLAKE3 of the original deps.json.
    deps_blake3: String,
    /// Files moved into `files/`, relative to the publish folder.
    files: Vec<JournalFile>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JournalFile {
    path: String,
    size: u64,
    blake3: String,
}

const JOURNAL_SCHEMA: u32 = 2;

fn blake3_of(path: &Path) -> std::io::Result<String> {
    Ok(crate::trim::store_check::hash_file(path, None)?
        .to_hex()
        .to_string())
}

/// An empty (or new) folder outside the publish folder gets the journal and the original deps.json.
fn prepare_backup(
    backup: &Path,
    publish: &Path,
    plan: &RemovalPlan,
    deps_path: &Path,
) -> Result<(), String> {
    if backup.exists()
        && fs::read_dir(backup)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err("it is not empty; use a new folder for each backup".into());
    }
    // Checked before anything is created: the deepest existing ancestor, links resolved, plus the
    // rest of the path.
    let publish_abs = fs::canonicalize(publish).map_err(|e| e.to_string())?;
    if real_path(backup)
        .map_err(|e| e.to_string())?
        .starts_with(&publish_abs)
    {
        return Err("it is inside the publish folder; keep backups outside what you deploy".into());
    }
    fs::create_dir_all(backup.join(BACKUP_DEPS)).map_err(|e| e.to_string())?;
    let name = deps_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("the deps file has no name")?;
    let deps_bytes = fs::read(deps_path).map_err(|e| e.to_string())?;
    atomic_file::write(&backup.join(BACKUP_DEPS).join(&name), &deps_bytes)
        .map_err(|e| e.to_string())?;
    // Every file is hashed now, so that each copy can be proven complete before its original
    // goes, and restore can prove it put back the same bytes.
    let mut files = Vec::new();
    for (relative, size) in plan.removals() {
        let blake3 = blake3_of(&publish.join(relative))
            .map_err(|e| format!("cannot read {relative}: {e}"))?;
        files.push(JournalFile {
            path: relative.to_string(),
            size,
            blake3,
        });
    }
    let journal = Journal {
        schema_version: JOURNAL_SCHEMA,
        publish_dir: publish_abs,
        deps_file: name,
        deps_blake3: blake3::hash(&deps_bytes).to_hex().to_string(),
        files,
    };
    let text = serde_json::to_string_pretty(&journal).map_err(|e| e.to_string())?;
    atomic_file::write(&backup.join(JOURNAL), text.as_bytes()).map_err(|e| e.to_string())
}

/// Where `path` would be with links resolved, for a path that may not exist yet.
fn real_path(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name().unwrap_or_default().to_os_string());
        existing = existing.parent().unwrap_or(Path::new("/"));
    }
    let mut real = fs::canonicalize(existing)?;
    for part in rest.iter().rev() {
        if part == ".." {
            real.pop();
        } else if part != "." {
            real.push(part);
        }
    }
    Ok(real)
}

/// Moves a file into the backup, across file systems too. Across file systems the copy is
/// written under a temporary name, synced and checked to be complete (its size) before it takes
/// its name, and only then does the original go (restore then checks every byte against the
/// journal's BLAKE3): a full disk or a kill
/// leaves the original in the folder and no file under the backup's name.
fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(e),
        Err(_) => {
            atomic_file::copy(from, to)?;
            fs::remove_file(from)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("not a trim-publish backup (no {JOURNAL}): {source}")]
    NoJournal {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the backup journal is damaged: {message}")]
    BadJournal { path: PathBuf, message: String },
    #[error("nothing was restored: {count} problem(s), e.g. {first}. The backup is kept")]
    Conflicts {
        path: PathBuf,
        count: usize,
        first: String,
    },
    #[error("the publish folder {} does not exist or is not a folder (moved?); nothing was restored. Restore into where it is now with `trim-publish restore BACKUP --to DIR`", path.display())]
    NoPublishDir { path: PathBuf },
    #[error("restoring stopped at {}: {source}; the files restored so far are in place and the rest are still in the backup, so run restore again", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ToDiagnostic for RestoreError {
    fn to_diagnostic(&self) -> Diagnostic {
        let path = match self {
            RestoreError::NoJournal { path, .. }
            | RestoreError::BadJournal { path, .. }
            | RestoreError::Conflicts { path, .. }
            | RestoreError::NoPublishDir { path }
            | RestoreError::Io { path, .. } => path,
        };
        Diagnostic::error(crate::diagnostic::codes::RESTORE_FAILED, self.to_string()).in_file(path)
    }
}

/// What `restore` put back.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    pub publish_dir: PathBuf,
    pub files: usize,
}

/// Puts a backup made with `--backup` back, byte for byte (deps.json included), into its publish
/// folder or `to`, then removes the backup.
///
/// The journal is checked like any input (file names, safe relative paths, digests). Before
/// anything changes, every file is accounted for: its backup copy is complete, or it is already
/// back in the folder with the same bytes; a file in the folder with other bytes, or a deps.json
/// edited since the trim (beyond the `runtimeStoreManifestName` names it added), is a conflict
/// and nothing is restored. Files are copied back, not moved, and the backup is removed only
/// when every file and deps.json are verified in place.
/// `waiting` is called when another run holds the folder's lock.
pub fn restore(
    backup: &Path,
    to: Option<&Path>,
    waiting: &dyn Fn(&Path),
) -> Result<Restored, RestoreError> {
    let journal_path = backup.join(JOURNAL);
    let text =
        crate::inputs::file::read_regular_text(&journal_path, crate::inputs::file::MAX_DEPS_JSON)
            .map_err(|source| RestoreError::NoJournal {
            path: backup.to_path_buf(),
            source,
        })?;
    let bad = |message: String| RestoreError::BadJournal {
        path: journal_path.clone(),
        message,
    };
    let journal: Journal = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if journal.schema_version != JOURNAL_SCHEMA {
        return Err(bad(format!(
            "schema version {} (this trim-publish reads {JOURNAL_SCHEMA}); restore with the version that made it",
            journal.schema_version
        )));
    }
    let plain_name =
        |n: &str| !n.is_empty() && n != "." && n != ".." && !n.contains(['/', '\\', '\0']);
    if !plain_name(&journal.deps_file) || !journal.deps_file.ends_with(".deps.json") {
        return Err(bad(format!(
            "`{}` is not a deps.json file name",
            journal.deps_file
        )));
    }
    for f in &journal.files {
        if crate::trim::plan::check_relative(&f.path).is_err() {
            return Err(bad(format!("unsafe path `{}`", f.path)));
        }
    }
    let publish = to.map_or_else(|| journal.publish_dir.clone(), Path::to_path_buf);
    if !fs::symlink_metadata(&publish).is_ok_and(|m| m.file_type().is_dir()) {
        return Err(RestoreError::NoPublishDir { path: publish });
    }
    let _lock = crate::trim::lock::FolderLock::acquire(&publish, || waiting(&publish)).map_err(
        |source| RestoreError::Io {
            path: publish.clone(),
            source,
        },
    )?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RestoreError::Io { path, source }
    };
    let saved = |f: &JournalFile| backup.join(BACKUP_FILES).join(&f.path);
    // A regular file with these bytes: a link to a copy elsewhere is not a restored file.
    let same = |path: &Path, digest: &str| {
        fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
            && blake3_of(path).is_ok_and(|d| d == digest)
    };

    // 1. Account for everything; change nothing yet.
    let mut problems = Vec::new();
    let mut to_copy = Vec::new();
    for f in &journal.files {
        let target = publish.join(&f.path);
        if let Err(why) = no_link_on_the_way(&publish, &f.path) {
            problems.push(format!("{}: {why}", f.path));
        } else if fs::symlink_metadata(&target).is_ok() {
            if !same(&target, &f.blake3) {
                problems.push(format!(
                    "{} is in the folder with other content, or as a link",
                    f.path
                ));
            }
        } else if same(&saved(f), &f.blake3) {
            to_copy.push(f);
        } else if saved(f).exists() {
            problems.push(format!(
                "the backup copy of {} is damaged or incomplete",
                f.path
            ));
        } else {
            problems.push(format!(
                "{} is neither in the backup nor in the folder",
                f.path
            ));
        }
    }
    let original = backup.join(BACKUP_DEPS).join(&journal.deps_file);
    let original_bytes = fs::read(&original).map_err(io(&original))?;
    if blake3::hash(&original_bytes).to_hex().as_str() != journal.deps_blake3 {
        problems.push(format!(
            "the backup copy of {} is damaged",
            journal.deps_file
        ));
    }
    let deps_path = publish.join(&journal.deps_file);
    // The folder must be the one this backup came from: its deps.json is the original, or the
    // original plus the names the trim added. That also keeps a tampered `publishDir` from
    // pointing restore at any other folder.
    match fs::read(&deps_path) {
        Ok(current) if current == original_bytes => {}
        Ok(current) if only_manifest_names_added(&original_bytes, &current) => {}
        Ok(_) => problems.push(format!(
            "{} was edited after the trim (more than the runtimeStoreManifestName names it added)",
            journal.deps_file
        )),
        Err(_) => problems.push(format!(
            "{} has no {}: it is not the publish folder this backup was made from (use --to DIR)",
            publish.display(),
            journal.deps_file
        )),
    }
    if let Some(first) = problems.first() {
        return Err(RestoreError::Conflicts {
            path: publish.clone(),
            count: problems.len(),
            first: first.clone(),
        });
    }

    // 2. Copy back, then put the original deps.json in place.
    for f in &to_copy {
        let target = publish.join(&f.path);
        create_dirs_below(&publish, &f.path).map_err(io(&target))?;
        atomic_file::copy(&saved(f), &target).map_err(io(&target))?;
    }
    atomic_file::write(&deps_path, &original_bytes).map_err(io(&deps_path))?;

    // 3. Only when every byte is back does the backup go.
    let unverified: Vec<&str> = journal
        .files
        .iter()
        .filter(|f| !same(&publish.join(&f.path), &f.blake3))
        .map(|f| f.path.as_str())
        .collect();
    if let Some(first) = unverified.first() {
        return Err(RestoreError::Conflicts {
            path: publish.clone(),
            count: unverified.len(),
            first: format!("{first} does not hold the backed-up bytes after restoring"),
        });
    }
    fs::remove_dir_all(backup).map_err(io(backup))?;
    Ok(Restored {
        publish_dir: publish,
        files: to_copy.len(),
    })
}

/// The folders on the way to `relative` (a `/`-separated path below `dir`), outermost first.
fn folders_on_the_way(dir: &Path, relative: &str) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = crate::trim::plan::ancestors(relative)
        .map(|a| dir.join(a))
        .collect();
    folders.reverse();
    folders
}

/// Every folder on the way to `relative` below `dir` is a real folder or does not exist yet.
fn no_link_on_the_way(dir: &Path, relative: &str) -> Result<(), String> {
    for at in folders_on_the_way(dir, relative) {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "{} is not a folder (a link or a file)",
                    at.display()
                ))
            }
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Creates the missing folders on the way to `relative`, refusing any link.
fn create_dirs_below(dir: &Path, relative: &str) -> std::io::Result<()> {
    no_link_on_the_way(dir, relative).map_err(std::io::Error::other)?;
    for at in folders_on_the_way(dir, relative) {
        if fs::symlink_metadata(&at).is_err() {
            fs::create_dir(&at)?;
        }
    }
    Ok(())
}

/// Whether `current` is `original` plus the `runtimeStoreManifestName` names a trim writes and
/// nothing else (a trim, complete or part-way, adds the property, or appends names after the ones
/// an entry had): safe for restore to replace.
fn only_manifest_names_added(original: &[u8], current: &[u8]) -> bool {
    const NAMES: &str = "runtimeStoreManifestName";
    let parse = |b: &[u8]| -> Option<serde_json::Value> {
        serde_json::from_str(&crate::formats::text::decode(b).ok()?).ok()
    };
    let (Some(original), Some(mut current)) = (parse(original), parse(current)) else {
        return false;
    };
    if let Some(libraries) = current.get_mut("libraries").and_then(|l| l.as_object_mut()) {
        for (key, lib) in libraries.iter_mut() {
            let Some(now) = lib.get(NAMES).and_then(|n| n.as_str()).map(str::to_string) else {
                continue;
            };
            let Some(lib) = lib.as_object_mut() else {
                continue;
            };
            match original["libraries"][key][NAMES].as_str() {
                None => {
                    lib.remove(NAMES);
                }
                // Names appended after the original ones: put the original value back.
                Some(had)
                    if now
                        .strip_prefix(had)
                        .is_some_and(|rest| rest.starts_with(';')) =>
                {
                    lib.insert(NAMES.to_string(), had.into());
                }
                Some(_) => {}
            }
        }
    }
    current == original
}
