//! Writes the benchmark tree (publish folder, store, manifest) to a folder:
//! `cargo bench --bench gen_tree -- DIR` (used by benches/compare.sh).

#[path = "common/tree.rs"]
mod tree;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "target/bench-tree".to_string());
    let dir = std::path::Path::new(&dir);
    let start = std::time::Instant::now();
    tree::ensure(dir, tree::FILES, tree::TOTAL).expect("writing the benchmark tree");
    eprintln!(
        "benchmark tree ready in {} ({:.1?})",
        dir.display(),
        start.elapsed()
    );
}
