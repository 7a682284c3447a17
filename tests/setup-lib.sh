# Shared by tests/e2e/setup.sh and tests/sdk/setup.sh (sourced, not run). The caller sets
# LOG_TAG before sourcing. Everything logs to stderr: the scripts' stdout is their one result.

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }

require_linux_x64() { # WHAT
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    log "$1 is linux-x64 only; this is $(uname -s)-$(uname -m)"
    exit 2
  fi
}

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Sets PY to a Python with pip, installing one when there is none. `pip download` is all the
# scripts use: it works where PEP 668 blocks `pip install`.
find_python() {
  PY=""
  for c in python3 python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -m pip --version >/dev/null 2>&1; then PY="$c"; return; fi
  done
  apt_install python3 python3-pip
  PY=python3
}

check_sha256() { # FILE EXPECTED
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  [ "$got" = "$2" ] || { log "sha256 of $1 is $got, expected $2"; exit 1; }
}
