#!/usr/bin/env bash
# Builds the TrimPublish NuGet package:
#
#   bash integrations/nuget/pack.sh OUTDIR     ->  OUTDIR/TrimPublish.<version>.nupkg
#
# The version is Cargo.toml's. The package holds build/TrimPublish.targets (imported by NuGet
# into every project that references the package), the linux-x64 executable in
# tools/linux-x64/, a README and the license. The executable is a static musl build, so it runs
# on every Linux x64 (glibc of any age, Alpine). Needs cargo and python3; nothing from .NET.
#
# TRIM_PUBLISH_TARGET=triple builds for another Rust target; TRIM_PUBLISH_EXE=path packs that
# executable instead of building one.
set -euo pipefail

out="${1:?usage: bash integrations/nuget/pack.sh OUTDIR}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's/^version *= *"\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
[ -n "$version" ] || { echo "pack.sh: no version in $root/Cargo.toml" >&2; exit 1; }

exe="${TRIM_PUBLISH_EXE:-}"
if [ -z "$exe" ]; then
  target="${TRIM_PUBLISH_TARGET:-x86_64-unknown-linux-musl}"
  if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$target"; then
    echo "pack.sh: adding the Rust target $target" >&2
    rustup target add "$target" >&2
  fi
  echo "pack.sh: building trim-publish $version for $target" >&2
  cargo build --release --locked --quiet --target "$target" --manifest-path "$root/Cargo.toml"
  exe="${CARGO_TARGET_DIR:-$root/target}/$target/release/trim-publish"
fi
[ -x "$exe" ] || { echo "pack.sh: $exe is not an executable" >&2; exit 1; }

mkdir -p "$out"
python3 "$here/nupkg.py" \
  --version "$version" \
  --nuspec "$here/TrimPublish.nuspec" \
  --file "build/TrimPublish.targets=$root/integrations/msbuild/build/TrimPublish.targets" \
  --file "tools/linux-x64/trim-publish=$exe" \
  --file "README.md=$here/README.md" \
  --file "LICENSE.txt=$root/LICENSE" \
  --out "$out/TrimPublish.$version.nupkg"
echo "$out/TrimPublish.$version.nupkg"
