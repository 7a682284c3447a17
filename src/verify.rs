//! `trim-publish verify`: would the host start the app in this folder with these stores? The
//! host's start-up resolution (hostpolicy), simulated on top of [`crate::host`], so that it
//! looks exactly where the trim removed files.
//!
//! May touch: reads the publish folder and the stores.

use std::path::PathBuf;

use crate::diagnostic::{codes, Diagnostic};
use crate::formats::manifest;
use crate::host::resolve;
use crate::host::rid::{self, RidModel};
use crate::host::store::{app_arch, arch_from_rid, StoreSelection};
use crate::inputs;
use crate::report::{VerifyReport, VerifyStatus};

/// A `verify` request: would the host start the app in this folder with these stores?
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    pub publish_dir: PathBuf,
    pub deps_file: Option<PathBuf>,
    pub stores: StoreSelection,
    /// The target machine's RID for choosing `runtimeTargets`; this machine's by default.
    pub rid: Option<String>,
}

/// Simulates the host's start-up resolution of the app in `config.publish_dir`.
pub fn verify_app(config: &VerifyConfig) -> VerifyReport {
    let mut report = VerifyReport::new(&config.publish_dir);
    let app = match inputs::read_published_app(&config.publish_dir, config.deps_file.as_deref()) {
        Ok(app) => app,
        Err(e) => {
            report.finish(VerifyStatus::Invalid, vec![e]);
            return report;
        }
    };
    let deps_name = manifest::file_name(&app.deps.path);
    let app_name = deps_name
        .strip_suffix(".deps.json")
        .unwrap_or(&deps_name)
        .to_string();
    // The machine the app will run on: --rid; a RID-specific app's own RID; else this machine.
    let rid = config
        .rid
        .clone()
        .or_else(|| {
            app.deps
                .runtime_target
                .split_once('/')
                .map(|(_, r)| r.to_string())
        })
        .unwrap_or_else(rid::machine_rid);
    let model = RidModel::for_app(
        app.runtime_config.framework_major,
        app.runtime_config.use_rid_graph,
    );
    let chain = rid::fallback_chain(&rid, model);
    let arch = app_arch(
        config
            .stores
            .arch
            .as_deref()
            .or_else(|| arch_from_rid(&rid)),
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
                        codes::NO_STORE_PROBED,
                        "the app is self-contained or its runtimeconfig has no tfm, so the host probes no store; only the app folder counts",
                    )
                    .in_file(&app.runtime_config_path),
                );
            }
            Vec::new()
        }
    };
    let assets = resolve::host_assets(&app.deps, &chain, &app_name);
    let resolutions = resolve::resolve(&app.dir, &assets, &stores);
    report.rid_model = Some(model);
    report.rid_fallback = chain;
    report.record(&app, &rid, &stores, &assets, &resolutions, notes);
    report
}
