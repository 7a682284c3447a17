#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently, from PyPI and Debian only:
#   - the real .NET Core 3.1.23 host (dotnet muxer, hostfxr, hostpolicy, Microsoft.NETCore.App)
#     from the PyPI wheel dotnetcore2==3.1.23 (downloaded, checked, unpacked; never imported);
#   - the Mono C# compiler `mcs` (Debian mono-mcs) for the fixture assemblies;
#   - gcc for the fixture's native library (Debian gcc, usually present).
# PREFIX defaults to $XDG_CACHE_HOME/trim-publish/dotnet-3.1 (else ~/.cache/...). Logs go to
# stderr; the only line on stdout is the path of `dotnet`. A run with everything present takes
# well under a second.
set -euo pipefail

cache_home="${XDG_CACHE_HOME:-$HOME/.cache}"
PREFIX="${1:-$cache_home/trim-publish/dotnet-3.1}"
VERSION="3.1.23"
WHEEL="dotnetcore2-${VERSION}-py3-none-manylinux1_x86_64.whl"
WHEEL_SHA256="5f076ddc39da0c685e7de20ecb91ee81185928918ec86fbeb3bffc55dd867ab5"

LOG_TAG=e2e-setup
# shellcheck source=tests/setup-lib.sh
. "$(dirname "$0")/../setup-lib.sh"
require_linux_x64 "the host wheel"

host_ok() {
  [ -x "$PREFIX/dotnet" ] && "$PREFIX/dotnet" --list-runtimes 2>/dev/null | grep -q "^Microsoft.NETCore.App ${VERSION} "
}

if host_ok; then
  log ".NET host ${VERSION} present in $PREFIX"
else
  find_python
  work="$(mktemp -d "${TMPDIR:-/tmp}/trim-publish-e2e.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "pip download dotnetcore2==${VERSION}"
  # --platform/--only-binary fetch the linux-x64 wheel whatever this Python is; --no-deps skips
  # its Python dependencies. `pip download` works where PEP 668 blocks `pip install`.
  "$PY" -m pip download --disable-pip-version-check --quiet --no-deps --only-binary=:all: \
    --platform manylinux1_x86_64 --python-version 3.11 "dotnetcore2==${VERSION}" -d "$work" >&2
  check_sha256 "$work/$WHEEL" "$WHEEL_SHA256"
  "$PY" -m zipfile -e "$work/$WHEEL" "$work/x"
  mkdir -p "$(dirname "$PREFIX")"
  rm -rf "$PREFIX.tmp.$$"
  mv "$work/x/dotnetcore2/bin" "$PREFIX.tmp.$$"
  chmod 0755 "$PREFIX.tmp.$$/dotnet"
  find "$PREFIX.tmp.$$" -name '*.so' -exec chmod 0755 {} +
  # A store inside the dotnet root would be probed implicitly and could mask failures.
  rm -rf "$PREFIX.tmp.$$/store"
  rm -rf "$PREFIX"
  mv "$PREFIX.tmp.$$" "$PREFIX"
  host_ok || { log "the unpacked host does not list Microsoft.NETCore.App ${VERSION}"; exit 1; }
  log "installed the .NET ${VERSION} host in $PREFIX"
fi

command -v mcs >/dev/null 2>&1 || apt_install mono-mcs
command -v gcc >/dev/null 2>&1 || apt_install gcc libc6-dev
for tool in mcs gcc; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool is still missing"; exit 1; }
done
if [ -d "$PREFIX/store" ]; then
  log "WARNING: $PREFIX/store exists; the host probes it implicitly"
fi
printf '%s\n' "$PREFIX/dotnet"
