#!/usr/bin/env bash
# Counts the instructions of DepsFile::parse and plan() on generated apps of 2,500 to 20,000
# packages (4 assets each) with callgrind, and prints instructions per asset: equal figures at
# every size mean the cost is linear in the number of assets. Instruction counts are repeatable
# on a shared VM, unlike wall time. Needs valgrind (Debian package `valgrind`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found: apt-get install valgrind" >&2; exit 2; }
CARGO_PROFILE_BENCH_STRIP=false CARGO_PROFILE_BENCH_DEBUG=1 \
  cargo bench --bench plan_once --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="plan_once" and m.get("executable"): print(m["executable"])' > /tmp/plan_once.path
bin=$(cat /tmp/plan_once.path)
printf '%8s %8s %14s %10s %14s %10s\n' packages assets parse-instr per-asset plan-instr per-asset
for n in 2500 5000 10000 20000; do
  count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$1" "$bin" "$n" 2>&1 \
      | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  parse=$(count 'trim_publish::formats::deps::DepsFile::parse*')
  plan=$(count 'trim_publish::trim::plan::plan*')
  assets=$((n * 4))
  printf '%8d %8d %14d %10d %14d %10d\n' "$n" "$assets" "$parse" $((parse / assets)) "$plan" $((plan / assets))
done
