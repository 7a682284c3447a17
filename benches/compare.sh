#!/usr/bin/env bash
# Times store verification against its peers on the same tree in one run:
#   - the reference: BLAKE3 of both trees with the blake3 crate, read() + update, N threads
#     (benches/hash_baseline.rs), as performance-facts.md measured it
#   - trim-publish --dry-run --store, no digest cache (reads both trees, hashes the publish side)
#   - trim-publish --dry-run --store, warm digest cache (reads the publish side only)
#   - b3sum over both trees (BLAKE3, its defaults: mmap, multithreaded)
#   - fclones group over both trees (the closest peer: size, prefix, suffix, then full hashes)
# The tree (benches/common/tree.rs: 3,000 files, 1.5 GiB, log-normal sizes, plus an identical
# store) is generated once. Pages are pinned with `vmtouch -l` so "warm" means warm on this VM,
# which reclaims idle page cache within seconds. Installs what it needs: b3sum and fclones from
# crates.io (into target/bench-tools), vmtouch and hyperfine from Debian.
#
# Usage: benches/compare.sh [TREE_DIR] [JOBS]   (defaults: target/bench-tree, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
tree="${1:-target/bench-tree}"
jobs="${2:-2}"
tools="$PWD/target/bench-tools"
export PATH="$tools/bin:$PATH"

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
for pkg in vmtouch hyperfine; do
  command -v "$pkg" >/dev/null || {
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null
  }
done
command -v b3sum >/dev/null || cargo install --locked --quiet --root "$tools" b3sum
command -v fclones >/dev/null || cargo install --locked --quiet --root "$tools" fclones

cargo build --release --quiet
cargo bench --quiet --bench gen_tree -- "$tree" >/dev/null
cargo bench --quiet --bench hash_baseline --no-run 2>/dev/null
baseline=$(ls -t target/release/deps/hash_baseline-* | grep -v '\.d$' | head -1)
bin="$PWD/target/release/trim-publish"
cache="$tree/digest-cache-compare"
rm -rf "$cache"
"$bin" -q -n --store "$tree/store" -m "$tree/manifest.xml" --cache "$cache" "$tree/publish"

# Pin both trees in memory for the duration of the measurements.
vmtouch -q -l -d -P "$tree/vmtouch.pid" "$tree/publish" "$tree/store"
trap 'kill "$(cat "$tree/vmtouch.pid")" 2>/dev/null || true' EXIT
sleep 2

echo "tree: $(find "$tree/publish" -type f | wc -l) files, $(du -sh --apparent-size "$tree/publish" | cut -f1) per side; $jobs threads; $(nproc) cores"
files=$(find "$tree/publish" "$tree/store" -type f ! -name '*.json' ! -name '*.xml' | sort)
printf '%s\n' $files > "$tree/all-files.txt"
hyperfine --style basic --warmup 2 --runs 10 --export-markdown "$tree/compare.md" \
  -n "BLAKE3 both trees (blake3 crate, read)" "$baseline $tree/all-files.txt $jobs" \
  -n "trim-publish --store (no cache)" "$bin -q -n -j $jobs --no-cache --store $tree/store -m $tree/manifest.xml $tree/publish" \
  -n "trim-publish --store (warm cache)" "$bin -q -n -j $jobs --cache $cache --store $tree/store -m $tree/manifest.xml $tree/publish" \
  -n "b3sum both trees" "xargs -a $tree/all-files.txt b3sum --num-threads $jobs > /dev/null" \
  -n "fclones group both trees" "fclones group --threads default:$jobs $tree/publish $tree/store > /dev/null 2>&1"
cat "$tree/compare.md"
