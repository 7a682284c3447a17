//! The trim pipeline: read the inputs, plan (pure), check the store copies (parallel reads),
//! apply (the only code that deletes files or rewrites deps.json), and record each step in a
//! [`Report`].
//!
//! May touch: the publish folder (lock, read, and in [`apply`] only, delete and write), the
//! store (read), the digest cache folder ([`digestcache`]) and the `--backup` folder
//! ([`apply`]). Never prints: what a person should see goes through [`Observer`] or the report.

pub mod apply;
pub mod atomic_file;
pub mod digestcache;
pub mod lock;
pub mod plan;
mod record;
pub mod store_check;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{codes, Diagnostic, ToDiagnostic};
use crate::formats::manifest::ManifestUnion;
use crate::host::store::{app_arch, Store, StoreOrigin, StoreSelection};
use crate::inputs::{self, ManifestSources, PublishedApp};
use crate::report::Report;
pub use crate::report::Status;
use plan::{KeepRules, PlanInput, PlanOptions, RemovalPlan};

/// A validated trim request (what the CLI parses into; clap-free).
#[derive(Debug, Clone)]
pub struct TrimConfig {
    pub publish_dir: PathBuf,
    pub sources: ManifestSources,
    pub deps_file: Option<PathBuf>,
    pub allow_version_mismatch: bool,
    pub keep: Vec<String>,
    pub dry_run: bool,
    /// `--check`: a dry run that fails (exit 4) unless the folder is already trimmed.
    pub check: bool,
    /// `--backup DIR`: move removed files there (with a journal) instead of deleting them.
    pub backup: Option<PathBuf>,
    /// The stores to verify each removal against; none: no store check.
    pub stores: StoreSelection,
    pub store_check: StoreCheckOptions,
}

/// How the store check runs.
#[derive(Debug, Clone, Default)]
pub struct StoreCheckOptions {
    /// `--jobs`: threads for hashing; rayon's default (one per core) when absent.
    pub jobs: Option<usize>,
    /// Where store digests are cached.
    pub cache: CacheChoice,
}

/// `--cache DIR`, `--no-cache`, or the user's cache folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CacheChoice {
    #[default]
    Default,
    Dir(PathBuf),
    Off,
}

impl CacheChoice {
    fn dir(&self) -> Option<PathBuf> {
        match self {
            CacheChoice::Default => digestcache::DigestCache::default_dir(),
            CacheChoice::Dir(d) => Some(d.clone()),
            CacheChoice::Off => None,
        }
    }
}

/// What a long run tells the person waiting, if anyone is: the library never prints, the binary
/// decides (a progress bar on a terminal, nothing under `-q`).
pub trait Observer: Sync {
    /// Another trim-publish holds the folder's lock; this run waits for it.
    fn waiting_for_lock(&self, _publish_dir: &Path) {}
    /// The store check is about to read this many bytes (publish and store sides together).
    fn hashing_started(&self, _total_bytes: u64) {}
    /// Called from the hashing threads with each chunk read.
    fn hashed(&self, _bytes: u64) {}
    fn hashing_finished(&self) {}
}

/// An observer that tells no one (tests, benches, JSON consumers).
pub struct Unobserved;

impl Observer for Unobserved {}

/// A step that ends the run early with this status and these errors.
struct Stop(Status, Vec<Diagnostic>);

impl Stop {
    fn one(status: Status, error: Diagnostic) -> Stop {
        Stop(status, vec![error])
    }
}

/// Runs a trim: read, plan, then (unless refused, checking or a dry run) check the stores and
/// apply. Always returns a report; its status carries the exit code.
pub fn run(config: &TrimConfig, observer: &dyn Observer) -> Report {
    let mut report = Report::new(&config.publish_dir, config.dry_run);
    match pipeline(config, observer, &mut report) {
        Ok(status) => report.finish(status),
        Err(Stop(status, errors)) => report.fail(status, errors),
    }
    report
}

fn pipeline(
    config: &TrimConfig,
    observer: &dyn Observer,
    report: &mut Report,
) -> Result<Status, Stop> {
    let keep = KeepRules::new(&config.keep).map_err(|e| {
        Stop::one(
            Status::Invalid,
            Diagnostic::error(codes::INVALID_OPTION, format!("invalid --keep glob: {e}")),
        )
    })?;
    // One trim per folder at a time; a second run waits and then sees what the first did.
    let _lock = lock::FolderLock::acquire(&config.publish_dir, || {
        observer.waiting_for_lock(&config.publish_dir)
    })
    .map_err(|e| {
        Stop::one(
            Status::Invalid,
            Diagnostic::error(
                codes::CANNOT_LOCK,
                format!("cannot lock the publish folder: {e}"),
            )
            .in_file(&config.publish_dir),
        )
    })?;
    let (union, app) = read_inputs(config, report)?;
    let plan = plan_removals(config, keep, &union, &app, report)?;
    if plan.packages.is_empty() {
        return Ok(Status::NothingToTrim);
    }
    // Before "already trimmed": files the SDK or an earlier run removed rely on the store too.
    let store_copies = if config.stores.is_enabled() {
        check_stores(config, observer, &plan, &union, &app, report)?
    } else {
        HashMap::new()
    };
    if plan.is_noop() {
        return Ok(Status::AlreadyTrimmed);
    }
    if config.check {
        return Err(Stop::one(Status::NotTrimmed, not_trimmed(config, &plan)));
    }
    if config.dry_run {
        return Ok(Status::DryRun);
    }
    apply_plan(config, &plan, &app, &store_copies, report)
}

/// Manifests and the published app are independent: read them side by side, and report the
/// errors of both at once.
fn read_inputs(
    config: &TrimConfig,
    report: &mut Report,
) -> Result<(ManifestUnion, PublishedApp), Stop> {
    let (manifests, app) = rayon::join(
        || inputs::read_manifests(&config.sources),
        || inputs::read_published_app(&config.publish_dir, config.deps_file.as_deref()),
    );
    match (manifests, app) {
        (Ok((union, warnings)), Ok(app)) => {
            report.diagnostics.extend(warnings);
            report.set_inputs(&union, &app);
            Ok((union, app))
        }
        (m, a) => {
            let mut errors = m.err().unwrap_or_default();
            errors.extend(a.err());
            Err(Stop(Status::Invalid, errors))
        }
    }
}

fn plan_removals(
    config: &TrimConfig,
    keep: KeepRules,
    union: &ManifestUnion,
    app: &PublishedApp,
    report: &mut Report,
) -> Result<RemovalPlan, Stop> {
    let options = PlanOptions {
        allow_version_mismatch: config.allow_version_mismatch,
        keep,
    };
    let plan = plan::plan(&PlanInput::for_app(app, union, &options));
    report.set_plan(&plan, union);
    if !plan.is_blocked() {
        return Ok(plan);
    }
    let invalid = plan.errors.iter().any(|e| !e.is_refusal());
    let mut errors: Vec<Diagnostic> = plan.errors.iter().map(|e| e.to_diagnostic()).collect();
    errors.extend(
        plan.mismatches
            .iter()
            .filter(|m| !m.allowed)
            .map(|m| m.to_diagnostic()),
    );
    Err(Stop(
        if invalid {
            Status::Invalid
        } else {
            Status::Refused
        },
        errors,
    ))
}

/// Every file to remove must be served by the first store that has it (see `store_check`).
/// Returns the store copy that serves each file to remove, for apply to check again.
fn check_stores(
    config: &TrimConfig,
    observer: &dyn Observer,
    plan: &RemovalPlan,
    union: &ManifestUnion,
    app: &PublishedApp,
    report: &mut Report,
) -> Result<HashMap<String, PathBuf>, Stop> {
    let tfm = app
        .runtime_config
        .tfm
        .as_deref()
        .expect("the plan refuses apps without a tfm");
    let arch = app_arch(config.stores.arch.as_deref(), &app.deps);
    let stores = config.stores.resolve(&arch, tfm);
    report.diagnostics.extend(
        stores
            .iter()
            .filter(|s| !s.probe_dir.is_dir())
            .map(|s| missing_level(s, &arch, tfm)),
    );
    let pool = match config.store_check.jobs {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| {
                    Stop::one(
                        Status::Invalid,
                        Diagnostic::error(codes::INVALID_OPTION, format!("--jobs {n}: {e}")),
                    )
                })?,
        ),
        None => None,
    };
    let cache = config
        .store_check
        .cache
        .dir()
        .map(|d| digestcache::DigestCache::open(&d));
    observer.hashing_started(plan.removals().iter().map(|(_, size)| 2 * size).sum());
    let stage = store_check::Stage {
        pool: pool.as_ref(),
        cache: cache.as_ref(),
        observer: Some(observer),
    };
    let checked = store_check::verify_plan(&app.dir, plan, union, &stores, &stage);
    observer.hashing_finished();
    if let Some(Err(e)) = cache.as_ref().map(|c| c.save()) {
        report.diagnostics.push(Diagnostic::warning(
            codes::CACHE_NOT_WRITTEN,
            format!("cannot write the digest cache: {e}; the next run will hash the store again (--cache DIR or --no-cache)"),
        ));
    }
    report.set_store_verification(&stores, &checked);
    if !checked.errors.is_empty() {
        return Err(Stop(Status::Refused, checked.errors));
    }
    Ok(checked
        .verdicts
        .into_iter()
        .filter_map(|((_, path), verdict)| match verdict {
            store_check::Verdict::Served {
                store_path, how, ..
            } if how != crate::report::Match::InStore => Some((path, store_path)),
            _ => None,
        })
        .collect())
}

/// A store without the `{arch}/{tfm}` folder serves nothing to this app: a warning, with a hint
/// when a `DOTNET_SHARED_STORE` entry names that level (the host appends it itself).
fn missing_level(store: &Store, arch: &str, tfm: &str) -> Diagnostic {
    let level = Path::new(arch).join(tfm);
    let hint = match store.given.parent().and_then(Path::parent) {
        Some(root) if store.origin != StoreOrigin::Option && store.given.ends_with(&level) => format!(
            "; DOTNET_SHARED_STORE takes the store root and the host appends {arch}/{tfm}, so set it to {}",
            root.display()
        ),
        _ => String::new(),
    };
    Diagnostic::warning(
        codes::STORE_WITHOUT_LEVEL,
        format!(
            "this store has no {arch}/{tfm} folder ({} does not exist), so it serves nothing to this app{hint}",
            store.probe_dir.display()
        ),
    )
    .in_file(&store.given)
}

/// What `--check` found, named: the first files still there and the entries that lack names.
fn not_trimmed(config: &TrimConfig, plan: &RemovalPlan) -> Diagnostic {
    const SHOWN: usize = 3;
    let removals = plan.removals();
    let mut problems = Vec::new();
    if !removals.is_empty() {
        let first: Vec<&str> = removals.iter().take(SHOWN).map(|(p, _)| *p).collect();
        problems.push(format!(
            "{} file(s) the manifests' packages bring are still in the folder ({}{})",
            removals.len(),
            first.join(", "),
            if removals.len() > SHOWN { ", ..." } else { "" }
        ));
    }
    if !plan.deps_edits.is_empty() {
        let first: Vec<String> = plan
            .deps_edits
            .iter()
            .take(SHOWN)
            .map(|e| match &e.current {
                None => format!("{} has no runtimeStoreManifestName", e.library_key),
                Some(now) => format!(
                    "{} names `{now}` where the manifests need `{}`",
                    e.library_key, e.manifest_names
                ),
            })
            .collect();
        problems.push(format!(
            "{} deps.json entr{} lack manifest names ({}{})",
            plan.deps_edits.len(),
            if plan.deps_edits.len() == 1 {
                "y"
            } else {
                "ies"
            },
            first.join("; "),
            if plan.deps_edits.len() > SHOWN {
                "; ..."
            } else {
                ""
            }
        ));
    }
    Diagnostic::error(
        codes::NOT_TRIMMED,
        format!(
            "the folder is not trimmed as the manifests ask: {}; run trim-publish without --check to trim it",
            problems.join("; ")
        ),
    )
    .in_file(&config.publish_dir)
}

fn apply_plan(
    config: &TrimConfig,
    plan: &RemovalPlan,
    app: &PublishedApp,
    store_copies: &HashMap<String, PathBuf>,
    report: &mut Report,
) -> Result<Status, Stop> {
    let deps = apply::DepsDocument {
        path: &app.deps.path,
        text: &app.deps.text,
        encoding: app.deps_encoding,
    };
    let (applied, result) = apply::apply(
        &app.dir,
        plan,
        &deps,
        config.backup.as_deref(),
        store_copies,
    );
    report.set_applied(&applied);
    result.map(|()| Status::Trimmed).map_err(|e| {
        let status = if e.changed_nothing() {
            Status::Invalid
        } else {
            Status::Failed
        };
        Stop::one(status, e.to_diagnostic())
    })
}

/// `trim-publish restore BACKUP_DIR [--to DIR]`: puts back what a `--backup` trim moved out,
/// into its publish folder or `to`.
pub fn restore(
    backup: &Path,
    to: Option<&Path>,
    observer: &dyn Observer,
) -> Result<apply::Restored, Diagnostic> {
    apply::restore(backup, to, &|dir| observer.waiting_for_lock(dir)).map_err(|e| e.to_diagnostic())
}
