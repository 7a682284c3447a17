#!/usr/bin/env bash
# `manifest --from-apps` on a generated fleet of 500 apps of 300 packages each (a pool of 600
# shared packages, one 4-5 KiB file each): wall time and peak memory (GNU time).
# Usage: benches/fleet.sh [DIR] [APPS] [PACKAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/fleet}"; apps="${2:-500}"; packages="${3:-300}"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet
if [ ! -d "$dir/app$((apps - 1))" ]; then
  rm -rf "$dir"
  cargo bench --quiet --bench gen_fleet -- "$dir" "$apps" "$packages"
fi
/usr/bin/time -f "manifest --from-apps, $apps apps: %e s wall, %M KiB max RSS (exit %x)" \
  target/release/trim-publish manifest -q --min-apps 2 --format json --from-apps "$dir"/app* > "$dir/report.json" 2> "$dir/time.txt" || true
tail -1 "$dir/time.txt"
python3 -c "import json,sys; g=json.load(open(sys.argv[1]))['groups'][0]; print(f\"{len(g['packages'])} packages chosen; fleet {g['bytesBefore']/2**20:.0f} MiB before, {g['bytesAfter']/2**20:.0f} MiB after\")" "$dir/report.json"
