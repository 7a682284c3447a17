//! Planning cost: parsing deps.json and computing the removal plan.
//!
//! - the largest real deps.json of `../shared/corpus` (skipped with a notice when absent),
//!   trimmed against a manifest of every other package;
//! - generated deps.json files with 2,500 to 20,000 packages (4 assets each), to show the cost is
//!   linear in the number of assets.
//!
//! `cargo bench --bench plan`; figures are recorded in the README.

use std::hint::black_box;
use std::path::{Path, PathBuf};

mod common;

use common::{generated_deps, inputs_for};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use trim_publish::formats::deps::DepsFile;
use trim_publish::formats::runtimeconfig::RuntimeConfig;
use trim_publish::trim::plan::{plan, PlanInput, PlanOptions};

fn bench_case(c: &mut Criterion, group_name: &str, label: &str, text: &str) {
    let path = Path::new("App.deps.json");
    let deps = DepsFile::parse(path, text.as_bytes()).unwrap();
    let (union, inventory) = inputs_for(&deps);
    let rc = RuntimeConfig {
        tfm: Some("net6.0".into()),
        ..Default::default()
    };
    let options = PlanOptions::default();
    let assets: usize = deps.libraries.iter().map(|l| l.assets.len()).sum();
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Elements(assets as u64));
    group.bench_with_input(BenchmarkId::new("parse+plan", label), text, |b, text| {
        b.iter(|| {
            let deps = DepsFile::parse(path, black_box(text.as_bytes())).unwrap();
            black_box(plan(&PlanInput {
                union: &union,
                deps: &deps,
                runtime_config: &rc,
                runtime_config_path: Path::new("App.runtimeconfig.json"),
                inventory: &inventory,
                options: &options,
            }))
        })
    });
    group.bench_with_input(BenchmarkId::new("plan", label), &deps, |b, deps| {
        b.iter(|| {
            black_box(plan(&PlanInput {
                union: &union,
                deps,
                runtime_config: &rc,
                runtime_config_path: Path::new("App.runtimeconfig.json"),
                inventory: &inventory,
                options: &options,
            }))
        })
    });
    group.finish();
}

/// The largest corpus deps.json overall (a self-contained app: refused early) and the largest
/// framework-dependent one (planned in full). File names say which is which (`-scd-`, `-fdd-`).
fn largest_corpus_deps() -> Vec<PathBuf> {
    let dir = std::env::var_os("TRIM_PUBLISH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let Ok(entries) = std::fs::read_dir(dir.join("deps")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
    let fdd = files
        .iter()
        .find(|p| p.to_string_lossy().contains("-fdd-"))
        .cloned();
    files.truncate(1);
    files.extend(fdd);
    files
}

fn corpus(c: &mut Criterion) {
    let files = largest_corpus_deps();
    if files.is_empty() {
        eprintln!("notice: ../shared/corpus is absent; skipping the corpus benchmark");
    }
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        bench_case(c, "corpus", &name, &text);
    }
}

fn generated(c: &mut Criterion) {
    for n in [2_500, 5_000, 10_000, 20_000] {
        let text = generated_deps(n);
        bench_case(c, "generated", &format!("{n}-packages"), &text);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = corpus, generated
}
criterion_main!(benches);
