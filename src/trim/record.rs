//! What each stage of the trim pipeline adds to the [`Report`]: the report module holds the
//! outcome model and its renderings, and knows nothing of the pipeline's types.

use crate::formats::manifest::ManifestUnion;
use crate::host::store::Store;
use crate::inputs::PublishedApp;
use std::collections::HashSet;

use crate::report::{
    FileOutcome, FileReport, ListedVersion, ManifestReport, MismatchReport, PackageReport, Report,
};
use crate::trim::apply::Applied;
use crate::trim::plan::{FileAction, KeepReason, RemovalPlan};
use crate::trim::store_check::{StoreVerification, Verdict};

impl Report {
    pub(super) fn set_inputs(&mut self, union: &ManifestUnion, app: &PublishedApp) {
        self.deps_file = Some(app.deps.path.clone());
        self.manifests = union
            .manifests
            .iter()
            .map(|m| ManifestReport {
                path: m.path.clone(),
                name: m.file_name(),
                packages: m.packages.len(),
            })
            .collect();
        self.totals.folder_files = app.inventory.file_count;
        self.totals.folder_bytes = app.inventory.total_bytes;
    }

    pub(super) fn set_plan(&mut self, plan: &RemovalPlan, union: &ManifestUnion) {
        self.unused_manifest_packages = plan.unused_manifest_packages;
        self.diagnostics.extend(plan.warnings.iter().cloned());
        self.diagnostics.extend(
            plan.mismatches
                .iter()
                .filter(|m| m.allowed)
                .map(|m| m.to_diagnostic()),
        );
        self.mismatches = plan
            .mismatches
            .iter()
            .map(|m| MismatchReport {
                id: m
                    .library_key
                    .split_once('/')
                    .map_or(m.library_key.clone(), |(id, _)| id.to_string()),
                app_version: m.app_version.to_string(),
                listed: m
                    .listed
                    .iter()
                    .map(|l| ListedVersion {
                        version: l.version.to_string(),
                        manifests: l.manifests.clone(),
                    })
                    .collect(),
                allowed: m.allowed,
            })
            .collect();
        self.packages = plan
            .packages
            .iter()
            .map(|p| {
                let files: Vec<FileReport> = p
                    .files
                    .iter()
                    .map(|f| {
                        let (action, reason) = match &f.action {
                            FileAction::Remove => (FileOutcome::Remove, None),
                            FileAction::Absent => (FileOutcome::Absent, None),
                            FileAction::Keep(KeepReason::Glob(g)) => {
                                (FileOutcome::Keep, Some(format!("matches --keep {g}")))
                            }
                            FileAction::Keep(KeepReason::AppFile) => (
                                FileOutcome::Keep,
                                Some("it is the app's own file, not the package's".to_string()),
                            ),
                            FileAction::Keep(KeepReason::SharedWith(lib)) => (
                                FileOutcome::Keep,
                                Some(format!("also used by {lib}, which is not trimmed")),
                            ),
                        };
                        FileReport {
                            path: f.path.clone(),
                            asset: f.asset.clone(),
                            asset_kind: f.kind,
                            size: f.size,
                            action,
                            reason,
                            blake3: None,
                            store_path: None,
                            store_match: None,
                        }
                    })
                    .collect();
                PackageReport {
                    id: p.identity.id.to_string(),
                    version: p.identity.version.to_string(),
                    library_key: p.library_key.clone(),
                    manifests: p
                        .manifests
                        .iter()
                        .map(|&m| union.manifests[m].file_name())
                        .collect(),
                    files_removed: 0,
                    bytes_removed: 0,
                    files,
                }
            })
            .collect();
        self.recount();
    }

    pub(super) fn set_store_verification(&mut self, stores: &[Store], checked: &StoreVerification) {
        self.stores = stores.to_vec();
        for package in self.packages.iter_mut() {
            for file in package.files.iter_mut() {
                match checked
                    .verdicts
                    .get(&(package.library_key.clone(), file.path.clone()))
                {
                    Some(Verdict::Served {
                        store_path,
                        digest,
                        how,
                        ..
                    }) => {
                        file.blake3 = Some(digest.clone());
                        file.store_path = Some(store_path.clone());
                        file.store_match = Some(how.clone());
                    }
                    Some(Verdict::Differs {
                        store_path, digest, ..
                    }) => {
                        file.blake3 = Some(digest.clone());
                        file.store_path = Some(store_path.clone());
                    }
                    _ => {}
                }
                // No digest for a file that was already gone.
                if file.blake3.as_deref() == Some("") {
                    file.blake3 = None;
                }
            }
        }
    }

    /// What applying actually did: a file the plan meant to remove counts as removed only if it
    /// was; one that disappeared meanwhile is absent, and one the run did not reach stays.
    pub(super) fn set_applied(&mut self, applied: &Applied) {
        self.deps_json_updated = applied.deps_updated;
        self.directories_removed = applied.dirs_removed.clone();
        let removed: HashSet<&str> = applied.removed.iter().map(String::as_str).collect();
        let vanished: HashSet<&str> = applied.vanished.iter().map(String::as_str).collect();
        for file in self.packages.iter_mut().flat_map(|p| p.files.iter_mut()) {
            if file.action != FileOutcome::Remove || removed.contains(file.path.as_str()) {
                continue;
            }
            if vanished.contains(file.path.as_str()) {
                file.action = FileOutcome::Absent;
                file.reason = Some("it disappeared during the run".to_string());
            } else {
                file.action = FileOutcome::NotRemoved;
                file.reason = Some("the run stopped before removing it".to_string());
            }
        }
        self.recount();
    }
}
