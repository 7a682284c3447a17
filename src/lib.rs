//! trim-publish: trim a .NET publish folder against runtime package store target manifests.
//!
//! The crate follows the data flow: [`inputs`] reads manifests, the project, deps.json,
//! runtimeconfig and a folder snapshot; [`plan`] decides (pure); [`apply`] is the only module that
//! deletes or writes; [`report`] renders the outcome. [`run`] wires them for the CLI, tests and
//! benchmarks.

pub mod apply;
pub mod cli;
pub mod deps;
pub mod depsedit;
pub mod diagnostic;
pub mod digestcache;
pub mod host;
pub mod inputs;
pub mod inventory;
mod jsonspan;
pub mod lock;
pub mod manifest;
pub mod manifestgen;
pub mod metadata;
pub mod nuget;
pub mod plan;
pub mod project;
pub mod report;

pub mod runtimeconfig;

pub mod text;
pub mod verify;
pub mod xml;

use std::path::PathBuf;

use diagnostic::{Diagnostic, ToDiagnostic};
use host::{resolve, store};
use inputs::ManifestSources;
use plan::{KeepRules, PlanInput, PlanOptions};
use report::Report;

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
    pub stores: StoreOptions,
}

/// Which runtime package stores to verify against.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// `--store`: store roots (or `{arch}/{tfm}` folders), probed first, in order.
    pub dirs: Vec<PathBuf>,
    /// `--store-from-env`: also `DOTNET_SHARED_STORE` and `{dotnet root}/store`, as the host.
    pub from_env: bool,
    /// `--arch`; else the deps.json RID, else this machine.
    pub arch: Option<String>,
    /// `--jobs`: threads for hashing; rayon's default (one per core) when absent.
    pub jobs: Option<usize>,
    /// Where store digests are cached.
    pub cache: CacheChoice,
    /// Show a progress bar while hashing (the CLI sets it when stderr is a terminal).
    pub progress: bool,
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

impl StoreOptions {
    pub fn is_enabled(&self) -> bool {
        !self.dirs.is_empty() || self.from_env
    }

    /// The stores in the host's probe order, for an app of `arch` and `tfm`.
    pub fn resolve(&self, arch: &str, tfm: &str) -> Vec<store::Store> {
        let mut stores: Vec<store::Store> = self
            .dirs
            .iter()
            .map(|d| {
                store::resolve_store(
                    d,
                    arch,
                    tfm,
                    store::StoreOrigin::Option,
                    &|p: &std::path::Path| p.is_dir(),
                )
            })
            .collect();
        if self.from_env {
            let cwd = std::env::current_dir().unwrap_or_default();
            stores.extend(store::stores_from_env(
                std::env::var_os("DOTNET_SHARED_STORE").as_deref(),
                store::dotnet_root_from_path(std::env::var_os("PATH").as_deref()).as_deref(),
                &cwd,
                arch,
                tfm,
            ));
        }
        stores
    }
}

/// The architecture folder of the store: `--arch`, else the RID of a RID-specific deps.json,
/// else this machine's.
pub fn app_arch(requested: Option<&str>, deps: &deps::DepsFile) -> String {
    requested
        .map(str::to_string)
        .or_else(|| {
            deps.runtime_target
                .split_once('/')
                .and_then(|(_, rid)| store::arch_from_rid(rid))
                .map(str::to_string)
        })
        .unwrap_or_else(|| store::machine_arch().to_string())
}

/// How a run ended. The one place outcomes map to exit codes.
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
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Trimmed | Status::DryRun | Status::AlreadyTrimmed | Status::NothingToTrim => 0,
            Status::Refused => 1,
            Status::Invalid => 2,
            Status::Failed => 3,
            Status::NotTrimmed => 4,
        }
    }
}

/// Runs a trim: read, plan, then (unless refused or a dry run) apply. Always returns a report;
/// its status carries the exit code.
pub fn run(config: &TrimConfig) -> Report {
    let mut report = Report::new(config);
    let keep = match KeepRules::new(&config.keep) {
        Ok(k) => k,
        Err(e) => {
            report.fail(
                Status::Invalid,
                vec![Diagnostic::error(
                    "TP0001",
                    format!("invalid --keep glob: {e}"),
                )],
            );
            return report;
        }
    };
    // Read every input, collecting errors from manifests and the folder together.
    // One trim per folder at a time; a second run waits and then sees what the first did.
    let _lock = match lock::FolderLock::acquire(&config.publish_dir, || {
        eprintln!(
            "waiting: another trim-publish is working on {}",
            config.publish_dir.display()
        )
    }) {
        Ok(l) => l,
        Err(e) => {
            report.fail(
                Status::Invalid,
                vec![
                    Diagnostic::error("TP1301", format!("cannot lock the publish folder: {e}"))
                        .in_file(&config.publish_dir),
                ],
            );
            return report;
        }
    };
    // The two are independent: read them side by side.
    let (manifests, app) = rayon::join(
        || inputs::read_manifests(&config.sources),
        || inputs::read_published_app(&config.publish_dir, config.deps_file.as_deref()),
    );
    let (union, app) = match (manifests, app) {
        (Ok((union, warnings)), Ok(app)) => {
            report.diagnostics.extend(warnings);
            (union, app)
        }
        (m, a) => {
            let mut errors = m.err().unwrap_or_default();
            errors.extend(a.err());
            report.fail(Status::Invalid, errors);
            return report;
        }
    };
    report.set_inputs(&union, &app);

    let options = PlanOptions {
        allow_version_mismatch: config.allow_version_mismatch,
        keep,
    };
    let plan = plan::plan(&PlanInput {
        union: &union,
        deps: &app.deps,
        runtime_config: &app.runtime_config,
        runtime_config_path: &app.runtime_config_path,
        inventory: &app.inventory,
        options: &options,
    });
    report.set_plan(&plan, &union);
    if plan.is_blocked() {
        let invalid = plan.errors.iter().any(|e| !e.is_refusal());
        let mut errors: Vec<Diagnostic> = plan.errors.iter().map(|e| e.to_diagnostic()).collect();
        errors.extend(
            plan.mismatches
                .iter()
                .filter(|m| !m.allowed)
                .map(|m| m.to_diagnostic()),
        );
        report.fail(
            if invalid {
                Status::Invalid
            } else {
                Status::Refused
            },
            errors,
        );
        return report;
    }
    if plan.packages.is_empty() {
        report.finish(Status::NothingToTrim);
        return report;
    }
    if plan.is_noop() {
        report.finish(Status::AlreadyTrimmed);
        return report;
    }
    if config.stores.is_enabled() {
        let tfm = app
            .runtime_config
            .tfm
            .as_deref()
            .expect("the plan refuses apps without a tfm");
        let arch = app_arch(config.stores.arch.as_deref(), &app.deps);
        let stores = config.stores.resolve(&arch, tfm);
        for s in &stores {
            if !s.probe_dir.is_dir() {
                report.diagnostics.push(
                    Diagnostic::warning(
                        "TP4004",
                        format!(
                            "this store has no {arch}/{tfm} folder ({} does not exist), so it serves nothing to this app{}",
                            s.probe_dir.display(),
                            // A DOTNET_SHARED_STORE entry given at the level the host appends.
                            match s.given.parent().and_then(|p| p.parent()) {
                                Some(root) if s.origin != store::StoreOrigin::Option
                                    && s.given.ends_with(std::path::Path::new(&arch).join(tfm)) =>
                                    format!("; DOTNET_SHARED_STORE takes the store root and the host appends {arch}/{tfm}, so set it to {}", root.display()),
                                _ => String::new(),
                            }
                        ),
                    )
                    .in_file(&s.given),
                );
            }
        }
        let pool = match config.stores.jobs {
            Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
                Ok(p) => Some(p),
                Err(e) => {
                    report.fail(
                        Status::Invalid,
                        vec![Diagnostic::error("TP0001", format!("--jobs {n}: {e}"))],
                    );
                    return report;
                }
            },
            None => None,
        };
        let cache = config
            .stores
            .cache
            .dir()
            .map(|d| digestcache::DigestCache::open(&d));
        // Long runs on a terminal get a progress bar on stderr; pipelines and short runs do not.
        let to_hash: u64 = plan.removals().iter().map(|(_, size)| 2 * size).sum();
        let progress = (config.stores.progress && to_hash >= 256 << 20).then(|| {
            let bar = indicatif::ProgressBar::new(to_hash);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "verifying {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
                )
                .expect("a valid template"),
            );
            bar
        });
        let stage = verify::Stage {
            pool: pool.as_ref(),
            cache: cache.as_ref(),
            progress: progress.as_ref(),
        };
        let checked = verify::verify_plan(&app.dir, &plan, &union, &stores, &stage);
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        if let Some(cache) = &cache {
            if let Err(e) = cache.save() {
                report.diagnostics.push(Diagnostic::warning(
                    "TP4005",
                    format!("cannot write the digest cache: {e}; the next run will hash the store again (--cache DIR or --no-cache)"),
                ));
            }
        }
        report.set_store_verification(&stores, &checked);
        if !checked.errors.is_empty() {
            report.fail(Status::Refused, checked.errors);
            return report;
        }
    }
    if config.check {
        report.fail(
            Status::NotTrimmed,
            vec![Diagnostic::error(
                "TP2008",
                format!(
                    "the folder is not trimmed as the manifests ask: {} file(s) still to remove, {} deps.json entries without their runtimeStoreManifestName; run trim-publish without --check to trim it",
                    plan.removals().len(),
                    plan.deps_edits.len()
                ),
            )
            .in_file(&config.publish_dir)],
        );
        return report;
    }
    if config.dry_run {
        report.finish(Status::DryRun);
        return report;
    }
    let (applied, result) = apply::apply(
        &app.dir,
        &plan,
        &apply::DepsDocument {
            path: &app.deps.path,
            text: &app.deps.text,
            bom: app.deps_bom,
        },
        config.backup.as_deref(),
    );
    report.set_applied(&applied);
    match result {
        Ok(()) => report.finish(Status::Trimmed),
        Err(e) => {
            let status = if e.changed_nothing() {
                Status::Invalid
            } else {
                Status::Failed
            };
            report.fail(status, vec![e.to_diagnostic()])
        }
    }
    report
}

/// A `verify` request: would the host start the app in this folder with these stores?
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    pub publish_dir: PathBuf,
    pub deps_file: Option<PathBuf>,
    pub stores: StoreOptions,
    /// The target machine's RID for choosing `runtimeTargets`; this machine's by default.
    pub rid: Option<String>,
}

/// Simulates the host's start-up resolution of the app in `config.publish_dir`.
pub fn verify_app(config: &VerifyConfig) -> report::VerifyReport {
    let mut report = report::VerifyReport::new(config);
    let app = match inputs::read_published_app(&config.publish_dir, config.deps_file.as_deref()) {
        Ok(app) => app,
        Err(e) => {
            report.finish(report::VerifyStatus::Invalid, vec![e]);
            return report;
        }
    };
    let deps_name = manifest::file_name(&app.deps.path);
    let app_name = deps_name
        .strip_suffix(".deps.json")
        .unwrap_or(&deps_name)
        .to_string();
    let rid = config.rid.clone().unwrap_or_else(resolve::machine_rid);
    let arch = app_arch(
        config
            .stores
            .arch
            .as_deref()
            .or_else(|| store::arch_from_rid(&rid)),
        &app.deps,
    );
    let mut notes = Vec::new();
    let probes_stores = app.runtime_config.tfm.is_some() && !app.runtime_config.self_contained;
    let stores = match (&app.runtime_config.tfm, probes_stores) {
        (Some(tfm), true) => config.stores.resolve(&arch, tfm),
        _ => {
            if config.stores.is_enabled() {
                notes.push(
                    Diagnostic::warning(
                        "TP5005",
                        "the app is self-contained or its runtimeconfig has no tfm, so the host probes no store; only the app folder counts",
                    )
                    .in_file(&app.runtime_config_path),
                );
            }
            Vec::new()
        }
    };
    let assets = resolve::host_assets(&app.deps, &resolve::rid_fallback(&rid), &app_name);
    let resolutions = resolve::resolve(&app.dir, &assets, &stores);
    report.record(&app, &rid, &stores, &assets, &resolutions, notes);
    report
}

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
        exit_code: 2,
        ..Default::default()
    };
    match request {
        ManifestRequest::FromStore { dir, arch, tfm } => {
            let level = match manifestgen::store_level(dir, arch.as_deref(), tfm.as_deref()) {
                Ok(l) => l,
                Err(e) => return fail(Diagnostic::error("TP6002", e).in_file(dir)),
            };
            let (packages, diagnostics) = manifestgen::from_store(&level);
            if packages.is_empty() {
                return fail(
                    Diagnostic::error(
                        "TP6002",
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
            let deps = match std::fs::read(deps_file)
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
                        exit_code: 2,
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

/// `trim-publish restore BACKUP_DIR`.
pub fn restore_backup(backup: &std::path::Path) -> Result<apply::Restored, Diagnostic> {
    apply::restore(backup).map_err(|e| e.to_diagnostic())
}
