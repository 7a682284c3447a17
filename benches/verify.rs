//! Store verification on the generated tree (benches/common/tree.rs: 3,000 files, 1.5 GiB, and
//! a byte-identical store): a dry run with `--store`, with no digest cache (every byte of both
//! trees is read and hashed) and with a warm one (only the publish side is read).
//!
//! `cargo bench --bench verify`. The tree is generated once into target/bench-tree. Warm page
//! cache: criterion's warm-up reads it, but this VM reclaims idle pages, so benches/compare.sh
//! (which pins pages with vmtouch) gives the figures recorded in the README.

#[path = "common/tree.rs"]
mod tree;

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trim_publish::host::store::StoreSelection;
use trim_publish::inputs::ManifestSources;
use trim_publish::trim::{CacheChoice, StoreCheckOptions, Unobserved};
use trim_publish::{Status, TrimConfig};

fn config(dir: &Path, cache: CacheChoice) -> TrimConfig {
    TrimConfig {
        publish_dir: dir.join("publish"),
        sources: ManifestSources {
            manifests: vec![dir.join("manifest.xml")],
            ..Default::default()
        },
        deps_file: None,
        allow_version_mismatch: false,
        keep: Vec::new(),
        dry_run: true,
        check: false,
        backup: None,
        stores: StoreSelection {
            dirs: vec![dir.join("store")],
            ..Default::default()
        },
        store_check: StoreCheckOptions {
            cache,
            ..Default::default()
        },
    }
}

fn verify(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-tree");
    tree::ensure(&dir, tree::FILES, tree::TOTAL).expect("benchmark tree");
    let cache_dir = dir.join("digest-cache");
    let warm = config(&dir, CacheChoice::Dir(cache_dir.clone()));
    let report = trim_publish::run(&warm, &Unobserved);
    assert_eq!(report.status, Status::DryRun, "{:?}", report.diagnostics);
    assert_eq!(report.totals.files_removed, tree::FILES);

    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(2 * tree::TOTAL));
    group.bench_function("3000-files-1.5GiB/no-cache", |b| {
        let cold = config(&dir, CacheChoice::Off);
        b.iter(|| assert_eq!(trim_publish::run(&cold, &Unobserved).status, Status::DryRun))
    });
    group.bench_function("3000-files-1.5GiB/warm-cache", |b| {
        b.iter(|| assert_eq!(trim_publish::run(&warm, &Unobserved).status, Status::DryRun))
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
