#!/usr/bin/env bash
# Is a real run linear in the packages it trims? Times a dry run and a real run (which rewrites
# deps.json for every trimmed package) on generated apps of 20,000 and 80,000 packages, half of
# them listed by the manifest. Each app folder holds the files of its first package, so the run
# removes something and rewrites every trimmed package's deps.json entry.
# Usage: benches/realrun.sh [DIR]. The real run should stay within a small factor of the dry run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/realrun}"
cargo build --release --quiet
bin=target/release/trim-publish
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
printf '%-10s %-12s %-12s %s\n' packages "dry run (s)" "real run (s)" ratio
for n in 20000 80000; do
  rm -rf "$dir/$n"
  cargo bench --quiet --bench gen_limits -- "$dir/$n" "$n" >/dev/null 2>&1
  mkdir -p "$dir/$n/publish/de" "$dir/$n/publish/fr" "$dir/$n/publish/runtimes/linux-x64/native"
  for f in Pkg0.dll de/Pkg0.resources.dll fr/Pkg0.resources.dll runtimes/linux-x64/native/libpkg0.so; do
    echo "$f" > "$dir/$n/publish/$f"
  done
  dry=$(seconds "$bin" -q --no-cache -n -m "$dir/$n/manifest.xml" "$dir/$n/publish")
  real=$(seconds "$bin" -q --no-cache -m "$dir/$n/manifest.xml" "$dir/$n/publish")
  grep -q runtimeStoreManifestName "$dir/$n/publish/App.deps.json" || { echo "the real run did not trim" >&2; exit 1; }
  printf '%-10s %-12.2f %-12.2f %.2f\n' "$n" "$dry" "$real" "$(echo "$real / $dry" | bc -l)"
done
