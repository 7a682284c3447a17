//! The outcome of a run, as one serialisable value ([`Report`]) and its renderings: the JSON
//! object of `--format json` (schema in the README; `schemaVersion` changes only on breaking
//! changes) and the human text summary.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::exit::Exit;
use crate::formats::deps::AssetKind;
use crate::host::resolve::{host_missing_message, Found, HostAsset, HostAssetType, Resolution};
use crate::host::store::Store;
use crate::inputs::PublishedApp;

pub const SCHEMA_VERSION: u32 = 1;

/// How a run ended. The one place trim outcomes map to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Files were removed and/or deps.json updated.
    Trimmed,
    /// `--dry-run`: the plan was shown, nothing changed.
    DryRun,
    /// Every planned change was already in place.
    AlreadyTrimmed,
    /// No package of the app is in the manifests.
    NothingToTrim,
    /// The inputs are valid but trimming would break the app (version mismatch, self-contained).
    Refused,
    /// Bad input or usage: unreadable or malformed files, unsafe paths.
    Invalid,
    /// Applying failed part-way; the report says what was done.
    Failed,
    /// `--check`: the folder still holds files to remove or lacks deps.json changes.
    NotTrimmed,
}

impl Status {
    pub fn exit(self) -> Exit {
        match self {
            Status::Trimmed | Status::DryRun | Status::AlreadyTrimmed | Status::NothingToTrim => {
                Exit::Success
            }
            Status::Refused => Exit::Refused,
            Status::Invalid => Exit::Invalid,
            Status::Failed => Exit::Failed,
            Status::NotTrimmed => Exit::NotTrimmed,
        }
    }

    pub fn exit_code(self) -> u8 {
        self.exit().code()
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub status: Status,
    pub exit_code: u8,
    pub dry_run: bool,
    pub publish_dir: PathBuf,
    pub deps_file: Option<PathBuf>,
    pub manifests: Vec<ManifestReport>,
    pub packages: Vec<PackageReport>,
    pub mismatches: Vec<MismatchReport>,
    pub totals: Totals,
    pub deps_json_updated: bool,
    pub directories_removed: Vec<String>,
    pub unused_manifest_packages: usize,
    /// The stores verified against, in probe order; empty without `--store`.
    pub stores: Vec<Store>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestReport {
    pub path: PathBuf,
    pub name: String,
    pub packages: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageReport {
    pub id: String,
    pub version: String,
    pub library_key: String,
    /// Manifest file names, first-seen order (the `runtimeStoreManifestName` value, split).
    pub manifests: Vec<String>,
    pub files: Vec<FileReport>,
    pub files_removed: usize,
    pub bytes_removed: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    pub path: String,
    pub asset: String,
    pub asset_kind: AssetKind,
    pub size: u64,
    pub action: FileOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// With `--store`: BLAKE3 of the publish copy (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
    /// With `--store`: the store file the host would load instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_path: Option<PathBuf>,
    /// With `--store`: `identical` or `same-assembly` (ReadyToRun copy of the same build).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_match: Option<Match>,
}

/// What the run does (or, in a dry run or a refusal, would do) with one file of a trimmed package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileOutcome {
    /// Removed from the publish folder (planned, in a dry run).
    Remove,
    /// Already absent: an earlier trim, or the SDK, removed it.
    Absent,
    /// Kept: `--keep`, or a library that stays needs it (`reason` says which).
    Keep,
    /// Meant to be removed, but the run stopped part-way before it (exit code 3).
    NotRemoved,
}

/// How a store copy serves a publish file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Match {
    /// The same bytes.
    Identical,
    /// The same assembly (name, version, culture, public key, MVID), other bytes: a ReadyToRun
    /// copy of the same build.
    SameAssembly,
    /// The publish copy was already gone; the store has the file where the host looks.
    InStore,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MismatchReport {
    pub id: String,
    pub app_version: String,
    pub listed: Vec<ListedVersion>,
    /// True with `--allow-version-mismatch`: the package stays and this is a warning.
    pub allowed: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedVersion {
    pub version: String,
    pub manifests: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub packages_trimmed: usize,
    pub files_removed: usize,
    pub bytes_removed: u64,
    pub files_already_absent: usize,
    pub files_kept: usize,
    pub folder_files: usize,
    pub folder_bytes: u64,
    /// `bytesRemoved / folderBytes`, 0 to 1.
    pub share_of_folder: f64,
}

impl Report {
    pub fn new(publish_dir: &std::path::Path, dry_run: bool) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            status: Status::NothingToTrim,
            exit_code: 0,
            dry_run,
            publish_dir: publish_dir.to_path_buf(),
            deps_file: None,
            manifests: Vec::new(),
            packages: Vec::new(),
            mismatches: Vec::new(),
            totals: Totals::default(),
            deps_json_updated: false,
            directories_removed: Vec::new(),
            unused_manifest_packages: 0,
            stores: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Recomputes each package's and the run's counts from the file outcomes, so the numbers
    /// are always what the files say (a file shared by two packages counts once).
    pub fn recount(&mut self) {
        let mut seen = std::collections::HashSet::new();
        for p in &mut self.packages {
            let removed: Vec<u64> = p
                .files
                .iter()
                .filter(|f| f.action == FileOutcome::Remove && seen.insert(f.path.clone()))
                .map(|f| f.size)
                .collect();
            p.files_removed = removed.len();
            p.bytes_removed = removed.iter().sum();
        }
        let t = &mut self.totals;
        t.packages_trimmed = self
            .packages
            .iter()
            .filter(|p| p.files.iter().all(|f| f.action != FileOutcome::NotRemoved))
            .count();
        t.files_removed = self.packages.iter().map(|p| p.files_removed).sum();
        t.bytes_removed = self.packages.iter().map(|p| p.bytes_removed).sum();
        let all = || self.packages.iter().flat_map(|p| &p.files);
        t.files_already_absent = all().filter(|f| f.action == FileOutcome::Absent).count();
        t.files_kept = all().filter(|f| f.action == FileOutcome::Keep).count();
        t.share_of_folder = if t.folder_bytes == 0 {
            0.0
        } else {
            t.bytes_removed as f64 / t.folder_bytes as f64
        };
    }

    /// Ends the run with `status`.
    pub fn finish(&mut self, status: Status) {
        self.status = status;
        self.exit_code = status.exit_code();
    }

    /// Ends the run with `status`, adding its errors.
    pub fn fail(&mut self, status: Status, errors: Vec<Diagnostic>) {
        self.diagnostics.extend(errors);
        self.finish(status);
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report always serialises")
    }

    /// A Markdown summary for a CI job page: outcome, trimmed packages, bytes saved per manifest,
    /// problems.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let t = &self.totals;
        let outcome = match self.status {
            Status::Trimmed => format!(
                "removed {} ({}, {:.1}% of the folder)",
                plural(t.files_removed, "file"),
                human_bytes(t.bytes_removed),
                t.share_of_folder * 100.0
            ),
            Status::DryRun => format!(
                "dry run: would remove {} ({})",
                plural(t.files_removed, "file"),
                human_bytes(t.bytes_removed)
            ),
            Status::AlreadyTrimmed => "already trimmed".to_string(),
            Status::NothingToTrim => "nothing to trim".to_string(),
            Status::NotTrimmed => format!(
                "not trimmed: {} still to remove",
                plural(t.files_removed, "file")
            ),
            Status::Refused => "refused: nothing was changed".to_string(),
            Status::Invalid => "invalid input: nothing was changed".to_string(),
            Status::Failed => "failed part-way".to_string(),
        };
        let _ = writeln!(
            out,
            "### trim-publish: {}\n\n`{}`: {outcome}.\n",
            self.publish_dir.display(),
            self.deps_file.as_ref().map_or_else(
                || "?".to_string(),
                |d| crate::formats::manifest::file_name(d)
            )
        );
        if !self.packages.is_empty() {
            out.push_str(
                "| package | version | manifests | files | size |\n|---|---|---|---:|---:|\n",
            );
            for p in &self.packages {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    p.id,
                    p.version,
                    p.manifests.join(", "),
                    p.files_removed,
                    human_bytes(p.bytes_removed)
                );
            }
            out.push('\n');
        }
        if !self.manifests.is_empty() {
            out.push_str(
                "| manifest | packages listed | packages trimmed | bytes |\n|---|---:|---:|---:|\n",
            );
            for m in &self.manifests {
                let mine = self
                    .packages
                    .iter()
                    .filter(|p| p.manifests.contains(&m.name));
                let (count, bytes) = mine.fold((0, 0u64), |(c, b), p| (c + 1, b + p.bytes_removed));
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {count} | {} |",
                    m.name,
                    m.packages,
                    human_bytes(bytes)
                );
            }
            out.push('\n');
        }
        let kept: Vec<&FileReport> = self
            .packages
            .iter()
            .flat_map(|p| &p.files)
            .filter(|f| f.action == FileOutcome::Keep)
            .collect();
        if !kept.is_empty() {
            out.push_str("Kept:\n");
            for f in kept {
                let _ = writeln!(out, "- `{}`: {}", f.path, f.reason.as_deref().unwrap_or(""));
            }
            out.push('\n');
        }
        if !self.diagnostics.is_empty() {
            out.push_str("Problems:\n");
            for d in &self.diagnostics {
                let _ = writeln!(out, "- {}", d.to_string().replace('\n', " "));
            }
            out.push('\n');
        }
        out
    }

    /// The human summary for stdout. `verbose` lists every file.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut out = String::new();
        let verb = match self.status {
            Status::DryRun => "would remove",
            Status::NotTrimmed => "to remove",
            _ => "removed",
        };
        if matches!(
            self.status,
            Status::Trimmed | Status::DryRun | Status::AlreadyTrimmed | Status::NotTrimmed
        ) || (self.status == Status::Failed && !self.packages.is_empty())
        {
            let id_width = self
                .packages
                .iter()
                .map(|p| p.id.len() + 1 + p.version.len())
                .max()
                .unwrap_or(0)
                .max("package".len());
            if !self.packages.is_empty() {
                let _ = writeln!(
                    out,
                    "{:>12} {:<id_width$}  {:>9}  {:>9}  manifests",
                    "", "package", "files", "size"
                );
            }
            for p in &self.packages {
                let name = format!("{} {}", p.id, p.version);
                let files = plural(p.files_removed, "file");
                // After a part-way failure, a package not finished is not "removed".
                let verb = match p.files.iter().any(|f| f.action == FileOutcome::NotRemoved) {
                    true if p.files_removed > 0 => "partly",
                    true => "kept",
                    false => verb,
                };
                let _ = write!(
                    out,
                    "{verb:>12} {name:<id_width$}  {files:>9}  {size:>9}  {manifests}",
                    size = human_bytes(p.bytes_removed),
                    manifests = p.manifests.join(";"),
                );
                let absent = p
                    .files
                    .iter()
                    .filter(|f| f.action == FileOutcome::Absent)
                    .count();
                if absent > 0 {
                    let _ = write!(out, "  ({absent} already absent)");
                }
                out.push('\n');
                for f in &p.files {
                    match (f.action, verbose) {
                        (FileOutcome::Keep, _) => {
                            let _ = writeln!(
                                out,
                                "{:>12} {}  ({})",
                                "kept",
                                f.path,
                                f.reason.as_deref().unwrap_or("")
                            );
                        }
                        (FileOutcome::Remove, true) => {
                            let _ =
                                writeln!(out, "{:>12} {}  {}", "-", f.path, human_bytes(f.size));
                        }
                        (FileOutcome::Absent, true) => {
                            let _ = writeln!(out, "{:>12} {}", "absent", f.path);
                        }
                        _ => {}
                    }
                }
            }
        }
        let t = &self.totals;
        match self.status {
            Status::Trimmed | Status::DryRun => {
                let _ = write!(
                    out,
                    "{verb} {} ({:.1}% of the folder's {}) from {}",
                    if t.files_removed == 0 {
                        "no files".to_string()
                    } else {
                        format!(
                            "{}, {}",
                            plural(t.files_removed, "file"),
                            human_bytes(t.bytes_removed)
                        )
                    },
                    t.share_of_folder * 100.0,
                    human_bytes(t.folder_bytes),
                    plural(t.packages_trimmed, "package"),
                );
                if t.files_kept > 0 {
                    let _ = write!(out, "; kept {}", plural(t.files_kept, "file"));
                }
                if !self.stores.is_empty() {
                    let matches = || {
                        self.packages
                            .iter()
                            .flat_map(|p| &p.files)
                            .filter_map(|f| f.store_match.as_ref())
                    };
                    let identical = matches().filter(|m| **m == Match::Identical).count();
                    let same = matches().filter(|m| **m == Match::SameAssembly).count();
                    let in_store = matches().filter(|m| **m == Match::InStore).count();
                    let _ = write!(
                        out,
                        "; verified in {}: {identical} identical",
                        plural(self.stores.len(), "store")
                    );
                    if same > 0 {
                        let _ = write!(out, ", {same} same assembly (ReadyToRun)");
                    }
                    if in_store > 0 {
                        let _ = write!(out, ", {in_store} already absent and in the store");
                    }
                }
                if !self.directories_removed.is_empty() {
                    let _ = write!(
                        out,
                        "; removed {}",
                        plural(self.directories_removed.len(), "empty folder")
                    );
                }
                if self.status == Status::DryRun {
                    out.push_str("; dry run, nothing changed\n");
                } else if self.deps_json_updated {
                    out.push_str("; deps.json updated\n");
                } else {
                    out.push('\n');
                }
            }
            Status::AlreadyTrimmed => {
                let served = self
                    .packages
                    .iter()
                    .flat_map(|p| &p.files)
                    .filter(|f| f.store_match == Some(Match::InStore))
                    .count();
                let verified = if self.stores.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; checked against {}: all {} served",
                        plural(self.stores.len(), "store"),
                        plural(served, "absent file")
                    )
                };
                let _ = writeln!(
                    out,
                    "already trimmed: the files of {} are absent and deps.json is up to date{verified}; nothing to do",
                    plural(t.packages_trimmed, "package")
                );
            }
            Status::NothingToTrim => {
                let _ = writeln!(
                    out,
                    "nothing to trim: no package of the app is listed in the manifests at its version ({} manifest {} unused)",
                    self.unused_manifest_packages,
                    if self.unused_manifest_packages == 1 { "entry" } else { "entries" }
                );
            }
            Status::NotTrimmed => {
                let _ = writeln!(
                    out,
                    "not trimmed: {} ({}) still to remove from {}",
                    plural(t.files_removed, "file"),
                    human_bytes(t.bytes_removed),
                    plural(t.packages_trimmed, "package")
                );
            }
            Status::Refused | Status::Invalid | Status::Failed => {}
        }
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `1.5 MiB`: binary units, one decimal above bytes.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// How `verify` ended; the one place its outcomes map to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyStatus {
    /// Every runtime and native asset resolves: the host would start the app.
    Starts,
    /// At least one runtime or native asset is missing, or a store copy is too old.
    Fails,
    /// The folder could not be read.
    Invalid,
}

impl VerifyStatus {
    pub fn exit(self) -> Exit {
        match self {
            VerifyStatus::Starts => Exit::Success,
            VerifyStatus::Fails => Exit::Refused,
            VerifyStatus::Invalid => Exit::Invalid,
        }
    }

    pub fn exit_code(self) -> u8 {
        self.exit().code()
    }
}

/// The outcome of `trim-publish verify` (`--format json`; same `schemaVersion` rules).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub schema_version: u32,
    pub tool_version: &'static str,
    pub command: &'static str,
    pub status: VerifyStatus,
    pub exit_code: u8,
    pub publish_dir: PathBuf,
    pub deps_file: Option<PathBuf>,
    /// The RID whose `runtimeTargets` were chosen.
    pub rid: Option<String>,
    /// `graph` (hosts before .NET 8, or `System.Runtime.UseRidGraph`) or `portable` (.NET 8+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rid_model: Option<crate::host::rid::RidModel>,
    /// The RIDs the host tries, best first.
    pub rid_fallback: Vec<String>,
    pub stores: Vec<Store>,
    pub assets: Vec<ResolvedAsset>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedAsset {
    pub package: String,
    pub version: String,
    pub asset_type: HostAssetType,
    /// The path as written in deps.json.
    pub path: String,
    /// `app`, `store` or `missing`.
    pub resolved_from: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_path: Option<PathBuf>,
}

impl VerifyReport {
    pub fn new(publish_dir: &std::path::Path) -> Self {
        VerifyReport {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            command: "verify",
            status: VerifyStatus::Starts,
            exit_code: 0,
            publish_dir: publish_dir.to_path_buf(),
            deps_file: None,
            rid: None,
            rid_model: None,
            rid_fallback: Vec::new(),
            stores: Vec::new(),
            assets: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn finish(&mut self, status: VerifyStatus, diagnostics: Vec<Diagnostic>) {
        self.diagnostics.extend(diagnostics);
        self.status = status;
        self.exit_code = status.exit_code();
    }

    pub fn record(
        &mut self,
        app: &PublishedApp,
        rid: &str,
        stores: &[Store],
        assets: &[HostAsset<'_>],
        resolutions: &[Resolution],
        notes: Vec<Diagnostic>,
    ) {
        self.deps_file = Some(app.deps.path.clone());
        self.rid = Some(rid.to_string());
        self.stores = stores.to_vec();
        let deps_name = crate::formats::manifest::file_name(&app.deps.path);
        let mut diagnostics = notes;
        let mut fails = false;
        let mut missing_any = false;
        for (asset, resolution) in assets.iter().zip(resolutions) {
            let (from, path) = match &resolution.found {
                Found::App(p) => ("app", Some(p.clone())),
                Found::Store(_, p) => ("store", Some(p.clone())),
                Found::Missing => ("missing", None),
            };
            self.assets.push(ResolvedAsset {
                package: asset.library.name.clone(),
                version: asset.library.version_text.clone(),
                asset_type: asset.asset_type,
                path: asset.asset.path.clone(),
                resolved_from: from,
                resolved_path: path.clone(),
            });
            let location = app.deps.location_of(&asset.library.key);
            if resolution.found == Found::Missing {
                missing_any = true;
                let host = host_missing_message(&deps_name, asset);
                let d = if asset.asset_type == HostAssetType::Resources {
                    Diagnostic::warning(
                        crate::diagnostic::codes::RESOURCE_MISSING,
                        format!("a resource assembly is missing; the host only logs this and the app starts without the translations:\n  {host}"),
                    )
                } else {
                    fails = true;
                    Diagnostic::error(
                        crate::diagnostic::codes::HOST_WOULD_NOT_FIND,
                        format!("the host would not start the app (exit code 140):\n  {host}"),
                    )
                };
                diagnostics.push(d.in_file(&app.deps.path).at(location));
            }
            if let Some((found, wanted)) = &resolution.lower_version {
                fails = true;
                diagnostics.push(
                    Diagnostic::error(
                        crate::diagnostic::codes::STORE_ASSEMBLY_TOO_OLD,
                        format!(
                            "package {} {}: the store copy {} has assembly version {found}, lower than the {wanted} the app was built against; the host would load it and the runtime would fail with FileLoadException",
                            asset.library.name,
                            asset.library.version_text,
                            path.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
                        ),
                    )
                    .in_file(&app.deps.path)
                    .at(location),
                );
            }
        }
        // Only .NET 5+ hosts skip their checks when no store exists; older ones fail at start-up,
        // which the errors above already say.
        let skips_checks = app.runtime_config.framework_major.is_some_and(|m| m >= 5);
        if missing_any && skips_checks && !stores.iter().any(|s| s.probe_dir.is_dir()) {
            diagnostics.push(
                Diagnostic::warning(
                    crate::diagnostic::codes::NO_STORE_EXISTS,
                    "no store directory exists, so this app's host (.NET 5 or later) skips its file checks: the app would start and fail later with FileNotFoundException when it first uses a missing assembly",
                )
                .in_file(&app.deps.path),
            );
        }
        self.finish(
            if fails {
                VerifyStatus::Fails
            } else {
                VerifyStatus::Starts
            },
            diagnostics,
        );
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report always serialises")
    }

    pub fn to_text(&self, verbose: bool) -> String {
        let mut out = String::new();
        if verbose {
            for a in &self.assets {
                let _ = writeln!(
                    out,
                    "{:>8} {} {} {}{}",
                    a.resolved_from,
                    a.package,
                    a.version,
                    a.path,
                    a.resolved_path
                        .as_ref()
                        .map(|p| format!("  ({})", p.display()))
                        .unwrap_or_default()
                );
            }
        }
        let count = |from: &str| {
            self.assets
                .iter()
                .filter(|a| a.resolved_from == from)
                .count()
        };
        match self.status {
            VerifyStatus::Starts => {
                let _ = writeln!(
                    out,
                    "the app would start: {} resolve ({} from the app folder, {} from {})",
                    plural(self.assets.len() - count("missing"), "asset"),
                    count("app"),
                    count("store"),
                    plural(self.stores.len(), "store")
                );
            }
            VerifyStatus::Fails => {
                let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
                let _ = writeln!(
                    out,
                    "the app would not start: {} (of {} assets)",
                    plural(errors, "problem"),
                    self.assets.len()
                );
            }
            VerifyStatus::Invalid => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1024), "1.0 KiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }

    #[test]
    fn exit_codes_per_status() {
        assert_eq!(Status::Trimmed.exit_code(), 0);
        assert_eq!(Status::AlreadyTrimmed.exit_code(), 0);
        assert_eq!(Status::Refused.exit_code(), 1);
        assert_eq!(Status::Invalid.exit_code(), 2);
        assert_eq!(Status::Failed.exit_code(), 3);
    }
}
