#!/usr/bin/env bash
# Resource limits: time and peak memory (GNU time's maximum resident set size) of a dry run on a
# ~50 MB deps.json (82,000 packages, 328,000 assets) with a manifest of 100,000 packages, and of
# verify on the same folder. Usage: benches/limits.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/limits}"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet
cargo bench --quiet --bench gen_limits -- "$dir" 82000
bin=target/release/trim-publish
for run in "trim (dry run)|$bin -q -n -m $dir/manifest.xml $dir/publish" \
           "verify, every asset missing|$bin verify -q $dir/publish"; do
  name="${run%%|*}"; cmd="${run#*|}"
  /usr/bin/time -f "$name: %e s wall, %M KiB max RSS (exit %x)" $cmd >/dev/null 2>"$dir/time.txt" || true
  tail -1 "$dir/time.txt"
done
