//! Deciding what to remove: pure, no I/O. Given the manifest union, the app's deps.json and
//! runtimeconfig, and a snapshot of the publish folder, produce a [`RemovalPlan`] that lists
//! every file to remove, keep or skip and why, every refusal, and the deps.json edits.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::deps::{AssetKind, DepsFile, LibraryKind};
use crate::formats::manifest::ManifestUnion;
use crate::formats::nuget::{NuGetVersion, PackageIdentity};
use crate::formats::runtimeconfig::RuntimeConfig;
use crate::formats::text::Location;
use crate::inputs::inventory::{EntryKind, Inventory};

/// Files matching any of these globs are never removed.
#[derive(Debug, Clone)]
pub struct KeepRules {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Default for KeepRules {
    fn default() -> Self {
        KeepRules {
            patterns: Vec::new(),
            set: GlobSet::empty(),
        }
    }
}

impl KeepRules {
    /// Compiles `--keep` globs; they match the path relative to the publish folder (`/`
    /// separators), and `*` does not cross `/`.
    pub fn new(patterns: &[String]) -> Result<Self, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            builder.add(
                GlobBuilder::new(p)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()?,
            );
        }
        Ok(KeepRules {
            patterns: patterns.to_vec(),
            set: builder.build()?,
        })
    }

    fn matching(&self, path: &str) -> Option<&str> {
        if self.patterns.is_empty() {
            return None;
        }
        self.set
            .matches(path)
            .first()
            .map(|&i| self.patterns[i].as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub allow_version_mismatch: bool,
    pub keep: KeepRules,
}

/// Why a file of a trimmed package stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeepReason {
    /// Matched a `--keep` glob.
    Glob(String),
    /// Another library that is not trimmed needs the same file.
    SharedWith(String),
    /// The path is one of the app's own files (its deps.json or runtimeconfig), which a package
    /// asset can name but never own.
    AppFile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAction {
    Remove,
    /// Not in the folder: already trimmed (or never published).
    Absent,
    Keep(KeepReason),
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Relative to the publish folder, `/` separators.
    pub path: String,
    /// The asset path as written in deps.json.
    pub asset: String,
    pub kind: AssetKind,
    pub size: u64,
    /// Which file the folder's snapshot saw there; apply removes it only if it is still that one.
    pub stamp: Option<crate::inputs::inventory::FileStamp>,
    pub action: FileAction,
}

/// A package of the app that the manifests list at its exact version.
#[derive(Debug, Clone)]
pub struct PlannedPackage {
    pub library_key: String,
    pub identity: PackageIdentity,
    /// Manifest indexes (into the union's manifests), first-seen order.
    pub manifests: Vec<usize>,
    /// The `runtimeStoreManifestName` value.
    pub manifest_names: String,
    /// The package's folder below a store's `{arch}/{tfm}` (`libraries[].path`).
    pub package_dir: String,
    pub files: Vec<PlannedFile>,
}

/// A version the manifests list, and the manifests that list it.
#[derive(Debug, Clone)]
pub struct ListedAt {
    pub version: NuGetVersion,
    pub manifests: Vec<PathBuf>,
}

/// A deps.json `libraries` entry whose `runtimeStoreManifestName` must become `manifest_names`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepsEdit {
    pub library_key: String,
    /// The value now, if any.
    pub current: Option<String>,
    pub manifest_names: String,
}

/// An app package whose id the manifests list, but not at the app's version.
#[derive(Debug, Clone)]
pub struct VersionMismatch {
    pub library_key: String,
    pub app_version: NuGetVersion,
    /// Each version the manifests list for this id, with the manifests listing it.
    pub listed: Vec<ListedAt>,
    pub deps_file: PathBuf,
    pub location: Option<Location>,
    pub allowed: bool,
}

impl VersionMismatch {
    pub fn to_diagnostic(&self) -> Diagnostic {
        let listed = self
            .listed
            .iter()
            .map(
                |ListedAt {
                     version: v,
                     manifests: paths,
                 }| {
                    let names = paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("{v} in {names}")
                },
            )
            .collect::<Vec<_>>()
            .join("; ");
        let (id, _) = self
            .library_key
            .split_once('/')
            .unwrap_or((&self.library_key, ""));
        if self.allowed {
            Diagnostic::warning(
                crate::diagnostic::codes::VERSION_MISMATCH,
                format!(
                    "package {id}: the app uses {}, the manifests list {listed}; kept in the folder (--allow-version-mismatch)",
                    self.app_version
                ),
            )
        } else {
            Diagnostic::error(
                crate::diagnostic::codes::VERSION_MISMATCH,
                format!(
                    "package {id}: the app uses {}, but the manifests list {listed}. The store would not serve {} (the host never rolls forward), so it cannot be trimmed. Publish the app against {id} at the manifest's version, or use a manifest that lists {}; --allow-version-mismatch keeps the package in the folder instead",
                    self.app_version, self.app_version, self.app_version
                ),
            )
        }
        .in_file(&self.deps_file)
        .at(self.location)
    }
}

/// Reasons the plan cannot be applied.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    #[error("the app is self-contained ({evidence}). A self-contained app never probes a runtime package store, so trimming it against target manifests would break it at start-up (dotnet/sdk#1362). Trim only framework-dependent publishes (--self-contained false)")]
    SelfContained { file: PathBuf, evidence: String },
    #[error("runtimeconfig.json has no runtimeOptions.tfm. Without it the host probes no runtime package store at all, so trimmed packages could never be found. {advice}")]
    NoTfm { file: PathBuf, advice: &'static str },
    #[error("none of the {files} files of the {packages} package(s) to trim is in the folder, and deps.json names no manifest yet: this looks like a build output ({evidence}), where the host finds packages in the NuGet cache, not a publish folder. Trim the output of `dotnet publish`")]
    LooksLikeBuildOutput {
        file: PathBuf,
        files: usize,
        packages: usize,
        evidence: String,
    },
    #[error("package {library}: asset `{asset}` maps to `{path}`, which is not a safe path inside the publish folder ({reason}); refusing to delete anything")]
    UnsafePath {
        file: PathBuf,
        library: String,
        asset: String,
        path: String,
        reason: &'static str,
        location: Option<Location>,
    },
    #[error("package {library}: `{path}` is reached through the symbolic link `{link}`; trim-publish never deletes through or follows links. Replace the link with the real file or folder, or use --keep")]
    Symlink {
        file: PathBuf,
        library: String,
        path: String,
        link: String,
    },
}

impl PlanError {
    /// Refusals (the input is valid, trimming it would break the app) exit with 1; bad input 2.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            PlanError::SelfContained { .. }
                | PlanError::NoTfm { .. }
                | PlanError::LooksLikeBuildOutput { .. }
        )
    }
}

impl ToDiagnostic for PlanError {
    fn to_diagnostic(&self) -> Diagnostic {
        let (code, file, location) = match self {
            PlanError::SelfContained { file, .. } => {
                (crate::diagnostic::codes::SELF_CONTAINED, file, None)
            }
            PlanError::NoTfm { file, .. } => (crate::diagnostic::codes::NO_TFM, file, None),
            PlanError::LooksLikeBuildOutput { file, .. } => {
                (crate::diagnostic::codes::BUILD_OUTPUT, file, None)
            }
            PlanError::UnsafePath { file, location, .. } => {
                (crate::diagnostic::codes::UNSAFE_PATH, file, *location)
            }
            PlanError::Symlink { file, .. } => (crate::diagnostic::codes::SYMLINK, file, None),
        };
        Diagnostic::error(code, self.to_string())
            .in_file(file)
            .at(location)
    }
}

#[derive(Debug, Clone, Default)]
pub struct RemovalPlan {
    pub packages: Vec<PlannedPackage>,
    pub mismatches: Vec<VersionMismatch>,
    pub errors: Vec<PlanError>,
    pub warnings: Vec<Diagnostic>,
    /// The `libraries` entries whose `runtimeStoreManifestName` must change.
    pub deps_edits: Vec<DepsEdit>,
    /// Manifest entries that match no package of the app.
    pub unused_manifest_packages: usize,
    /// Folders holding planned files that will be empty once the trim is done, deepest first
    /// (including ones an interrupted run already emptied).
    pub empty_dirs: Vec<String>,
}

impl RemovalPlan {
    /// Files to delete, each once even when two trimmed packages list it.
    pub fn removals(&self) -> Vec<(&str, u64)> {
        let mut seen = HashSet::new();
        self.packages
            .iter()
            .flat_map(|p| &p.files)
            .filter(|f| f.action == FileAction::Remove && seen.insert(f.path.as_str()))
            .map(|f| (f.path.as_str(), f.size))
            .collect()
    }

    /// Refused or invalid: nothing may be applied.
    pub fn is_blocked(&self) -> bool {
        !self.errors.is_empty() || self.mismatches.iter().any(|m| !m.allowed)
    }

    /// True when applying would change nothing on disk.
    pub fn is_noop(&self) -> bool {
        self.removals().is_empty() && self.deps_edits.is_empty() && self.empty_dirs.is_empty()
    }
}

/// Everything the planner looks at.
pub struct PlanInput<'a> {
    pub union: &'a ManifestUnion,
    pub deps: &'a DepsFile,
    pub runtime_config: &'a RuntimeConfig,
    pub runtime_config_path: &'a std::path::Path,
    pub inventory: &'a Inventory,
    pub options: &'a PlanOptions,
}

impl<'a> PlanInput<'a> {
    /// The input for a published app as the folder reader returns it.
    pub fn for_app(
        app: &'a crate::inputs::PublishedApp,
        union: &'a ManifestUnion,
        options: &'a PlanOptions,
    ) -> PlanInput<'a> {
        PlanInput {
            union,
            deps: &app.deps,
            runtime_config: &app.runtime_config,
            runtime_config_path: &app.runtime_config_path,
            inventory: &app.inventory,
            options,
        }
    }
}

pub fn plan(input: &PlanInput<'_>) -> RemovalPlan {
    let mut plan = RemovalPlan::default();
    if let Some(err) = refuse_app(input) {
        plan.errors.push(err);
        return plan;
    }
    let PlanInput {
        union,
        deps,
        inventory,
        options,
        ..
    } = *input;

    // 1. Which packages are trimmed, which are mismatched.
    let mut trimmed: Vec<Trimmed<'_>> = Vec::new();
    let mut used_entries = HashSet::new();
    for (lib_index, identity) in &deps.packages {
        let lib = &deps.libraries[*lib_index];
        if let Some(e) = union.index_of(identity) {
            used_entries.insert(e);
            trimmed.push(Trimmed {
                library: *lib_index,
                identity,
                entry: e,
            });
            continue;
        }
        let same_id = union.indexes_with_id(&identity.id);
        if same_id.is_empty() {
            continue;
        }
        used_entries.extend(same_id.iter().copied());
        let listed = same_id
            .iter()
            .map(|&e| {
                let entry = &union.entries[e];
                let paths = union.manifest_paths(entry);
                ListedAt {
                    version: entry.identity.version.clone(),
                    manifests: paths.into_iter().map(|p| p.to_path_buf()).collect(),
                }
            })
            .collect();
        plan.mismatches.push(VersionMismatch {
            library_key: lib.key.clone(),
            app_version: identity.version.clone(),
            listed,
            deps_file: deps.path.clone(),
            location: deps.location_of(&lib.key),
            allowed: options.allow_version_mismatch,
        });
    }
    for lib in &deps.libraries {
        if lib.kind == LibraryKind::Package {
            continue;
        }
        let Ok(version) = NuGetVersion::parse(&lib.version_text) else {
            continue;
        };
        let identity = PackageIdentity {
            id: lib.id(),
            version,
        };
        if let Some(entry) = union.get(&identity) {
            let manifest_names = union.manifest_names(entry);
            plan.warnings.push(
                Diagnostic::warning(
                    crate::diagnostic::codes::NOT_A_PACKAGE,
                    format!(
                        "{} is listed in {manifest_names} but is a `{}` library in this app, not a NuGet package; only packages are trimmed, so its files stay (its deps.json entry still gets runtimeStoreManifestName, as the SDK writes it)",
                        lib.key,
                        lib.kind.as_str()
                    ),
                )
                .in_file(&deps.path)
                .at(deps.location_of(&lib.key)),
            );
            // The SDK annotates every library whose name and version a manifest lists, project
            // references included (observed with SDK 3.1.102, tests/sdk.rs).
            if let Some(edit) = manifest_name_edit(lib, &manifest_names) {
                plan.deps_edits.push(edit);
            }
        }
    }
    plan.unused_manifest_packages = union.entries.len() - used_entries.len();

    // 2. Where each trimmed package's files are. Compile assets are not among them: the SDK keeps
    // the `refs/` copy of a trimmed package's reference assembly, because a store holds no
    // compile assets and runtime compilation (PreserveCompilationContext) needs it.
    let trimmed_libs: HashSet<usize> = trimmed.iter().map(|t| t.library).collect();
    // The app's own files: a package asset may be named like them, but they are never its.
    let rc_name = crate::formats::text::file_name(input.runtime_config_path);
    let app_files: HashSet<String> = [
        crate::formats::text::file_name(&deps.path),
        rc_name.replace(".runtimeconfig.json", ".runtimeconfig.dev.json"),
        rc_name,
    ]
    .into_iter()
    .collect();
    let mut packages = Vec::with_capacity(trimmed.len());
    for t in &trimmed {
        let lib = &deps.libraries[t.library];
        let entry = &union.entries[t.entry];
        let identity = t.identity;
        let mut files = Vec::new();
        for asset in &lib.assets {
            let Some(path) = crate::host::app_path(asset) else {
                continue;
            };
            let path = path.into_owned();
            if let Err(reason) = check_relative(&path) {
                plan.errors.push(PlanError::UnsafePath {
                    file: deps.path.clone(),
                    library: lib.key.clone(),
                    asset: asset.path.clone(),
                    path,
                    reason,
                    location: deps.location_of(&lib.key),
                });
                continue;
            }
            if let Some(link) = symlink_on_the_way(inventory, &path) {
                plan.errors.push(PlanError::Symlink {
                    file: deps.path.clone(),
                    library: lib.key.clone(),
                    path,
                    link,
                });
                continue;
            }
            let on_disk = inventory.get(&path);
            let (action, size) = match on_disk {
                Some(e) if e.kind == EntryKind::File => (FileAction::Remove, e.size),
                Some(_) => {
                    // A folder (or device) where the host expects a file: not ours to delete.
                    plan.errors.push(PlanError::UnsafePath {
                        file: deps.path.clone(),
                        library: lib.key.clone(),
                        asset: asset.path.clone(),
                        path,
                        reason: "it is not a regular file",
                        location: deps.location_of(&lib.key),
                    });
                    continue;
                }
                None => (FileAction::Absent, 0),
            };
            let action = match (&action, options.keep.matching(&path)) {
                (FileAction::Remove, _) if app_files.contains(path.as_str()) => {
                    FileAction::Keep(KeepReason::AppFile)
                }
                (FileAction::Remove, Some(glob)) => {
                    FileAction::Keep(KeepReason::Glob(glob.to_string()))
                }
                _ => action,
            };
            files.push(PlannedFile {
                path,
                asset: asset.path.clone(),
                kind: asset.kind,
                size,
                stamp: on_disk.and_then(|e| e.stamp),
                action,
            });
        }
        let manifest_names = union.manifest_names(entry);
        if let Some(edit) = manifest_name_edit(lib, &manifest_names) {
            plan.deps_edits.push(edit);
        }
        packages.push(PlannedPackage {
            library_key: lib.key.clone(),
            identity: identity.clone(),
            manifests: entry.manifests.clone(),
            manifest_names,
            package_dir: crate::host::store::package_dir(lib),
            files,
        });
    }

    // 3. A file that a library we keep also needs must stay.
    let candidates: HashSet<&str> = packages
        .iter()
        .flat_map(|p: &PlannedPackage| &p.files)
        .filter(|f| f.action == FileAction::Remove)
        .map(|f| f.path.as_str())
        .collect();
    let claimed = claims_by_kept_libraries(deps, &trimmed_libs, &candidates);
    for package in &mut packages {
        for file in &mut package.files {
            if file.action == FileAction::Remove {
                if let Some(owner) = claimed.get(file.path.as_str()) {
                    file.action = FileAction::Keep(KeepReason::SharedWith((*owner).to_string()));
                }
            }
        }
    }
    if let Some(refusal) = build_output(input, &packages) {
        plan.errors.push(refusal);
    }
    plan.empty_dirs = dirs_left_empty(inventory, &packages);
    plan.packages = packages;
    plan
}

/// The folders above a `/`-separated relative path, innermost first (`a/b/c.dll` -> `a/b`, `a`).
pub(crate) fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(path.rsplit_once('/').map(|(p, _)| p), |p| {
        p.rsplit_once('/').map(|(parent, _)| parent)
    })
}

/// The folders above planned files that hold nothing once the planned removals are done.
fn dirs_left_empty(inventory: &Inventory, packages: &[PlannedPackage]) -> Vec<String> {
    let removed: HashSet<&str> = packages
        .iter()
        .flat_map(|p| &p.files)
        .filter(|f| f.action == FileAction::Remove)
        .map(|f| f.path.as_str())
        .collect();
    let mut candidates: HashSet<String> = packages
        .iter()
        .flat_map(|p| &p.files)
        .flat_map(|f| ancestors(&f.path).map(str::to_string))
        .filter(|d| inventory.get(d).is_some_and(|e| e.kind == EntryKind::Dir))
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    for (path, entry) in inventory.entries() {
        if entry.kind != EntryKind::Dir && !removed.contains(path) {
            for a in ancestors(path) {
                candidates.remove(a);
            }
        }
    }
    let mut dirs: Vec<String> = candidates.into_iter().collect();
    dirs.sort_by(|a, b| {
        b.matches('/')
            .count()
            .cmp(&a.matches('/').count())
            .then(a.cmp(b))
    });
    dirs
}

/// A folder where every file the trim expects is already missing, while no trimmed package was
/// annotated by a trim (the SDK's or ours): a build output (bin/), whose packages the host loads
/// from the NuGet cache. Rewriting its deps.json would be wrong and trims nothing.
fn build_output(input: &PlanInput<'_>, packages: &[PlannedPackage]) -> Option<PlanError> {
    let files: Vec<&PlannedFile> = packages.iter().flat_map(|p| &p.files).collect();
    let all_absent = !files.is_empty() && files.iter().all(|f| f.action == FileAction::Absent);
    if !all_absent {
        return None;
    }
    let annotated: HashSet<&str> = input
        .deps
        .libraries
        .iter()
        .filter(|l| l.runtime_store_manifest_name.is_some())
        .map(|l| l.key.as_str())
        .collect();
    if packages
        .iter()
        .any(|p| annotated.contains(p.library_key.as_str()))
    {
        return None;
    }
    // `App.runtimeconfig.dev.json`: SDKs before 6.0 write it for builds, never for publishes.
    let rc_name = crate::formats::text::file_name(input.runtime_config_path);
    let dev_json = rc_name.replace(".runtimeconfig.json", ".runtimeconfig.dev.json");
    let evidence = if input.inventory.get(&dev_json).is_some() {
        format!("{dev_json} is there")
    } else {
        "no package file is there".to_string()
    };
    Some(PlanError::LooksLikeBuildOutput {
        file: input.deps.path.clone(),
        files: files.len(),
        packages: packages.len(),
        evidence,
    })
}

/// Self-contained apps and apps without a tfm never probe a store (facts section 6).
fn refuse_app(input: &PlanInput<'_>) -> Option<PlanError> {
    let deps = input.deps;
    let rc = input.runtime_config;
    let evidence = if rc.self_contained {
        Some(format!(
            "{} has includedFrameworks",
            crate::formats::text::file_name(input.runtime_config_path)
        ))
    } else {
        deps.libraries.iter().find_map(|lib| {
            let pre3_runtime = lib.kind == LibraryKind::Package
                && lib.name.to_ascii_lowercase().starts_with("runtime.")
                && lib
                    .name
                    .to_ascii_lowercase()
                    .ends_with(".microsoft.netcore.app");
            if lib.kind == LibraryKind::RuntimePack || pre3_runtime {
                Some(format!("deps.json carries the runtime itself: {}", lib.key))
            } else {
                None
            }
        })
    };
    if let Some(evidence) = evidence {
        return Some(PlanError::SelfContained {
            file: deps.path.clone(),
            evidence,
        });
    }
    if rc.tfm.is_none() {
        // Runtime package stores arrived with .NET Core 2.0; 1.x SDKs never write a tfm.
        let advice = if rc.framework_major.is_some_and(|m| m < 2) {
            "The app targets .NET Core 1.x, whose host has no runtime package store: it cannot be trimmed against one. Retarget it to netcoreapp2.0 or later to use a store"
        } else {
            "Publish a framework-dependent app with the .NET SDK 2.0 or later, which writes the tfm"
        };
        return Some(PlanError::NoTfm {
            file: input.runtime_config_path.to_path_buf(),
            advice,
        });
    }
    None
}

/// Paths from deps.json are data: refuse anything that could leave the folder.
pub fn check_relative(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("it is empty");
    }
    if path.contains('\0') {
        return Err("it contains a NUL character");
    }
    if path.contains('\\') {
        return Err("it contains a backslash");
    }
    if path.starts_with('/') {
        return Err("it is absolute");
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return Err("it starts with a drive letter");
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err("it has an empty segment"),
            "." | ".." => return Err("it has a `.` or `..` segment"),
            _ => {}
        }
    }
    Ok(())
}

/// The first symbolic link among `path` and its parent folders, if any.
fn symlink_on_the_way(inventory: &Inventory, path: &str) -> Option<String> {
    let mut end = 0;
    loop {
        let next = path[end..].find('/').map(|i| end + i);
        let prefix = &path[..next.unwrap_or(path.len())];
        if inventory
            .get(prefix)
            .is_some_and(|e| e.kind == EntryKind::Symlink)
        {
            return Some(prefix.to_string());
        }
        match next {
            Some(i) => end = i + 1,
            None => return None,
        }
    }
}

/// A package the manifests list at the app's exact version.
struct Trimmed<'d> {
    /// Index into `deps.libraries`.
    library: usize,
    identity: &'d PackageIdentity,
    /// Index into the union's entries.
    entry: usize,
}

/// The edit that makes `lib`'s `runtimeStoreManifestName` name these manifests, if one is needed.
///
/// Names already there stay, in their order, and the missing ones are appended in the order
/// the manifests were given: a folder trimmed with `a.xml;b.xml` (by the SDK or by an earlier
/// run) needs no edit for `b.xml;a.xml` or for `a.xml` alone, so `--check` passes whatever the
/// order or subset, and a second trim with another manifest adds its name instead of replacing
/// the SDK's. Names count as a multiset: the SDK writes `artifact.xml;artifact.xml` for two
/// manifests of that name, and one more of them is only needed for a third.
fn manifest_name_edit(lib: &crate::formats::deps::Library, wanted: &str) -> Option<DepsEdit> {
    let merged = merge_manifest_names(lib.runtime_store_manifest_name.as_deref(), wanted);
    (lib.runtime_store_manifest_name.as_deref() != Some(merged.as_str())).then(|| DepsEdit {
        library_key: lib.key.clone(),
        current: lib.runtime_store_manifest_name.clone(),
        manifest_names: merged,
    })
}

fn merge_manifest_names(existing: Option<&str>, wanted: &str) -> String {
    let split = |s: &'_ str| -> Vec<String> {
        s.split(';')
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut names = existing.map(split).unwrap_or_default();
    let mut available: HashMap<String, usize> = HashMap::new();
    for n in &names {
        *available.entry(n.clone()).or_default() += 1;
    }
    for n in split(wanted) {
        match available.get_mut(&n) {
            Some(count) if *count > 0 => *count -= 1,
            _ => names.push(n),
        }
    }
    names.join(";")
}

/// For each candidate path, the first library that is not trimmed and also places a file there.
fn claims_by_kept_libraries<'d>(
    deps: &'d DepsFile,
    trimmed: &HashSet<usize>,
    candidates: &HashSet<&str>,
) -> HashMap<String, &'d str> {
    let mut claimed = HashMap::new();
    if candidates.is_empty() {
        return claimed;
    }
    for (i, lib) in deps.libraries.iter().enumerate() {
        if trimmed.contains(&i) {
            continue;
        }
        for asset in &lib.assets {
            if let Some(path) = crate::host::app_path(asset) {
                if candidates.contains(path.as_ref()) {
                    claimed.entry(path.into_owned()).or_insert(lib.key.as_str());
                }
            }
        }
    }
    claimed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::manifest::TargetManifest;
    use std::path::Path;

    const DEPS: &str = r#"{
  "runtimeTarget": { "name": ".NETCoreApp,Version=v3.1" },
  "targets": { ".NETCoreApp,Version=v3.1": {
    "App/1.0.0": { "runtime": { "App.dll": {} } },
    "Acme.Greeter/1.2.3": {
      "runtime": { "lib/netstandard2.0/Acme.Greeter.dll": {} },
      "resources": { "lib/netstandard2.0/de/Acme.Greeter.resources.dll": { "locale": "de" } },
      "runtimeTargets": {
        "runtimes/linux-x64/native/libgreet.so": { "rid": "linux-x64", "assetType": "native" },
        "runtime/unix/lib/_._": { "rid": "unix", "assetType": "runtime" }
      },
      "compile": { "lib/netstandard2.0/Acme.Greeter.dll": {} }
    },
    "Other/2.0.0": { "runtime": { "lib/net6.0/Other.dll": {} } },
    "Shared.Clash/1.0.0": { "runtime": { "lib/net6.0/Other.dll": {} } },
    "Meta/1.0.0": {}
  } },
  "libraries": {
    "App/1.0.0": { "type": "project" },
    "Acme.Greeter/1.2.3": { "type": "package", "path": "acme.greeter/1.2.3" },
    "Other/2.0.0": { "type": "package", "path": "other/2.0.0" },
    "Shared.Clash/1.0.0": { "type": "package", "path": "shared.clash/1.0.0" },
    "Meta/1.0.0": { "type": "package", "path": "meta/1.0.0", "runtimeStoreManifestName": "m.xml" }
  }
}"#;

    fn union(manifests: &[(&str, &str)]) -> ManifestUnion {
        ManifestUnion::new(
            manifests
                .iter()
                .map(|(name, body)| {
                    TargetManifest::parse(
                        Path::new(name),
                        format!("<StoreArtifacts>{body}</StoreArtifacts>").as_bytes(),
                    )
                    .unwrap()
                })
                .collect(),
        )
    }

    fn pkg(id: &str, v: &str) -> String {
        format!("<Package Id=\"{id}\" Version=\"{v}\"/>")
    }

    fn full_folder() -> Inventory {
        Inventory::from_files([
            ("App.dll", 10),
            ("App.deps.json", 5),
            ("Acme.Greeter.dll", 100),
            ("de/Acme.Greeter.resources.dll", 20),
            ("runtimes/linux-x64/native/libgreet.so", 300),
            ("Other.dll", 7),
        ])
    }

    fn run(
        union: &ManifestUnion,
        deps_text: &str,
        rc: &RuntimeConfig,
        inv: &Inventory,
        opts: &PlanOptions,
    ) -> RemovalPlan {
        let deps = DepsFile::parse(Path::new("App.deps.json"), deps_text.as_bytes()).unwrap();
        plan(&PlanInput {
            union,
            deps: &deps,
            runtime_config: rc,
            runtime_config_path: Path::new("App.runtimeconfig.json"),
            inventory: inv,
            options: opts,
        })
    }

    fn rc() -> RuntimeConfig {
        RuntimeConfig {
            tfm: Some("netcoreapp3.1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn removes_every_asset_kind_of_an_exact_match() {
        let u = union(&[("a.xml", &pkg("acme.greeter", "1.2.3.0"))]);
        let p = run(&u, DEPS, &rc(), &full_folder(), &PlanOptions::default());
        assert!(!p.is_blocked());
        assert_eq!(p.packages.len(), 1);
        let removals: Vec<_> = p.removals().into_iter().collect();
        assert_eq!(
            removals,
            [
                ("Acme.Greeter.dll", 100),
                ("de/Acme.Greeter.resources.dll", 20),
                ("runtimes/linux-x64/native/libgreet.so", 300)
            ]
        );
        assert_eq!(
            p.deps_edits,
            [DepsEdit {
                library_key: "Acme.Greeter/1.2.3".to_string(),
                current: None,
                manifest_names: "a.xml".to_string()
            }]
        );
        assert_eq!(p.unused_manifest_packages, 0);
    }

    #[test]
    fn absent_files_are_already_trimmed_and_refs_copies_are_not_planned() {
        let u = union(&[("a.xml", &pkg("Acme.Greeter", "1.2.3"))]);
        let inv = Inventory::from_files([("App.dll", 10), ("refs/Acme.Greeter.dll", 50)]);
        let p = run(&u, DEPS, &rc(), &inv, &PlanOptions::default());
        let actions: Vec<_> = p.packages[0]
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.action.clone()))
            .collect();
        assert_eq!(
            actions,
            [
                ("Acme.Greeter.dll", FileAction::Absent),
                ("de/Acme.Greeter.resources.dll", FileAction::Absent),
                ("runtimes/linux-x64/native/libgreet.so", FileAction::Absent),
            ]
        );
    }

    #[test]
    fn second_plan_after_applying_is_a_noop() {
        let u = union(&[("m.xml", &pkg("Meta", "1.0.0"))]);
        let p = run(&u, DEPS, &rc(), &full_folder(), &PlanOptions::default());
        assert_eq!(p.packages.len(), 1, "asset-less packages are still trimmed");
        assert!(p.is_noop(), "value already present: {:?}", p.deps_edits);
    }

    #[test]
    fn version_mismatch_names_both_versions_and_the_manifests() {
        let u = union(&[
            ("a.xml", &pkg("Acme.Greeter", "1.2.4")),
            (
                "b.xml",
                &format!("{}{}", pkg("Acme.Greeter", "1.2.5"), pkg("Other", "2.0")),
            ),
        ]);
        let p = run(&u, DEPS, &rc(), &full_folder(), &PlanOptions::default());
        assert!(p.is_blocked());
        assert_eq!(p.mismatches.len(), 1);
        let d = p.mismatches[0].to_diagnostic();
        assert!(d.is_error());
        assert!(
            d.message
                .contains("package Acme.Greeter: the app uses 1.2.3"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("1.2.4 in a.xml; 1.2.5 in b.xml"),
            "{}",
            d.message
        );
        assert_eq!(d.file.as_deref(), Some(Path::new("App.deps.json")));

        let allow = PlanOptions {
            allow_version_mismatch: true,
            ..Default::default()
        };
        let p = run(&u, DEPS, &rc(), &full_folder(), &allow);
        assert!(!p.is_blocked());
        assert!(!p.mismatches[0].to_diagnostic().is_error());
        // Other 2.0 still trims, Acme.Greeter stays.
        assert_eq!(p.packages.len(), 1);
        assert_eq!(p.packages[0].library_key, "Other/2.0.0");
    }

    #[test]
    fn keep_globs_and_shared_files_stay() {
        let u = union(&[(
            "a.xml",
            &format!("{}{}", pkg("Acme.Greeter", "1.2.3"), pkg("Other", "2.0.0")),
        )]);
        let opts = PlanOptions {
            keep: KeepRules::new(&["runtimes/**".to_string(), "*.resources.dll".to_string()])
                .unwrap(),
            ..Default::default()
        };
        let p = run(&u, DEPS, &rc(), &full_folder(), &opts);
        let greeter = &p.packages[0].files;
        assert_eq!(greeter[0].action, FileAction::Remove);
        // `*` does not cross `/`, so the resource in de/ is not kept by `*.resources.dll`.
        assert_eq!(greeter[1].action, FileAction::Remove);
        assert_eq!(
            greeter[2].action,
            FileAction::Keep(KeepReason::Glob("runtimes/**".into()))
        );
        let other = &p.packages[1].files;
        assert_eq!(
            other[0].action,
            FileAction::Keep(KeepReason::SharedWith("Shared.Clash/1.0.0".into()))
        );
    }

    #[test]
    fn self_contained_and_missing_tfm_are_refused() {
        let u = union(&[("a.xml", &pkg("Acme.Greeter", "1.2.3"))]);
        let sc = RuntimeConfig {
            self_contained: true,
            ..rc()
        };
        let p = run(&u, DEPS, &sc, &full_folder(), &PlanOptions::default());
        assert!(matches!(p.errors[..], [PlanError::SelfContained { .. }]));
        assert!(p.errors[0].is_refusal());
        assert!(p.packages.is_empty());

        let runtimepack = DEPS.replace(
            "\"Meta/1.0.0\": { \"type\": \"package\"",
            "\"runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/6.0.0\": { \"type\": \"runtimepack\" },\n    \"Meta/1.0.0\": { \"type\": \"package\"",
        );
        let p = run(
            &u,
            &runtimepack,
            &rc(),
            &full_folder(),
            &PlanOptions::default(),
        );
        let d = p.errors[0].to_diagnostic();
        assert_eq!(d.code, "TP2002");
        assert!(d
            .message
            .contains("runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/6.0.0"));

        let p = run(
            &u,
            DEPS,
            &RuntimeConfig::default(),
            &full_folder(),
            &PlanOptions::default(),
        );
        assert_eq!(p.errors[0].to_diagnostic().code, "TP2003");
    }

    #[test]
    fn paths_that_escape_are_refused() {
        for (bad, why) in [
            ("../../etc/passwd", "`..`"),
            ("/etc/passwd", "absolute"),
            ("a\\b.dll", "backslash"),
            ("C:/x.dll", "drive letter"),
            ("a//b.dll", "empty segment"),
            ("a/\0.dll", "NUL"),
        ] {
            let text = DEPS.replace(
                "\"runtimes/linux-x64/native/libgreet.so\": { \"rid\": \"linux-x64\"",
                &format!(
                    "{}: {{ \"rid\": \"linux-x64\"",
                    serde_json::to_string(bad).unwrap()
                ),
            );
            let u = union(&[("a.xml", &pkg("Acme.Greeter", "1.2.3"))]);
            let p = run(&u, &text, &rc(), &full_folder(), &PlanOptions::default());
            assert!(p.is_blocked(), "{bad}");
            let d = p.errors[0].to_diagnostic();
            assert_eq!(d.code, "TP2004");
            assert!(d.message.contains(why), "{bad}: {}", d.message);
            assert!(d.message.contains("Acme.Greeter/1.2.3"), "{}", d.message);
        }
    }

    #[test]
    fn symlinks_on_the_way_are_refused() {
        let mut inv = full_folder();
        inv.insert(
            "runtimes",
            crate::inputs::inventory::Entry {
                kind: EntryKind::Symlink,
                size: 0,
                stamp: None,
            },
        );
        let u = union(&[("a.xml", &pkg("Acme.Greeter", "1.2.3"))]);
        let p = run(&u, DEPS, &rc(), &inv, &PlanOptions::default());
        let d = p.errors[0].to_diagnostic();
        assert_eq!(d.code, "TP2005");
        assert!(d.message.contains("`runtimes`"), "{}", d.message);
    }

    #[test]
    fn projects_are_never_trimmed_but_annotated_like_the_sdk_does() {
        let u = union(&[("a.xml", &pkg("App", "1.0.0"))]);
        let p = run(&u, DEPS, &rc(), &full_folder(), &PlanOptions::default());
        assert!(p.packages.is_empty());
        assert!(p.removals().is_empty());
        assert_eq!(p.warnings[0].code, "TP2007");
        assert_eq!(
            p.deps_edits,
            [DepsEdit {
                library_key: "App/1.0.0".to_string(),
                current: None,
                manifest_names: "a.xml".to_string()
            }]
        );
    }

    #[test]
    fn unused_manifest_entries_are_counted() {
        let u = union(&[(
            "a.xml",
            &format!("{}{}", pkg("Nope", "1.0"), pkg("Other", "2.0")),
        )]);
        let p = run(&u, DEPS, &rc(), &full_folder(), &PlanOptions::default());
        assert_eq!(p.unused_manifest_packages, 1);
    }

    #[test]
    fn relative_path_checks() {
        assert!(check_relative("a/b.dll").is_ok());
        assert!(check_relative("a..b/c").is_ok());
        assert!(check_relative("").is_err());
        assert!(check_relative("a/").is_err());
    }

    #[test]
    fn names_already_there_stay_and_missing_ones_are_added() {
        let cases = [
            // (existing, wanted, result)
            (None, "a.xml;b.xml", "a.xml;b.xml"),
            (Some("a.xml;b.xml"), "b.xml;a.xml", "a.xml;b.xml"),
            (Some("a.xml;b.xml"), "a.xml", "a.xml;b.xml"),
            (Some("a.xml"), "a.xml;c.xml", "a.xml;c.xml"),
            (
                Some("aspnetcore-store-2.0.0-linux-x64.xml"),
                "mine.xml",
                "aspnetcore-store-2.0.0-linux-x64.xml;mine.xml",
            ),
            // The SDK writes a name once per manifest that lists the package.
            (
                Some("artifact.xml;artifact.xml"),
                "artifact.xml",
                "artifact.xml;artifact.xml",
            ),
            (
                Some("artifact.xml"),
                "artifact.xml;artifact.xml",
                "artifact.xml;artifact.xml",
            ),
            (Some(""), "a.xml", "a.xml"),
        ];
        for (existing, wanted, expected) in cases {
            assert_eq!(
                merge_manifest_names(existing, wanted),
                expected,
                "{existing:?} + {wanted}"
            );
        }
    }

    /// Regression (issue 14): a folder trimmed with `a.xml;b.xml` failed `--check` with the same
    /// manifests in the other order, or with one of them.
    #[test]
    fn a_trimmed_folder_plans_no_edit_for_the_same_manifests_in_any_order_or_subset() {
        let a = pkg("Acme.Greeter", "1.2.3");
        let trimmed_deps = DEPS.replace(
            r#""path": "acme.greeter/1.2.3" }"#,
            r#""path": "acme.greeter/1.2.3", "runtimeStoreManifestName": "a.xml;b.xml" }"#,
        );
        assert!(trimmed_deps.contains("a.xml;b.xml"), "fixture patched");
        let a = a.as_str();
        let orders: [Vec<(&str, &str)>; 3] = [
            vec![("b.xml", a), ("a.xml", a)],
            vec![("a.xml", a)],
            vec![("b.xml", a)],
        ];
        for order in orders {
            let u = union(&order);
            let inv = Inventory::from_files([("App.dll", 10)]);
            let p = run(&u, &trimmed_deps, &rc(), &inv, &PlanOptions::default());
            assert!(p.is_noop(), "{:?}", p.deps_edits);
        }
    }

    #[test]
    fn ancestors_innermost_first() {
        assert_eq!(ancestors("a/b/c.dll").collect::<Vec<_>>(), ["a/b", "a"]);
        assert_eq!(ancestors("c.dll").count(), 0);
    }
}
