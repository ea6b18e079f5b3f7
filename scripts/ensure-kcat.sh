#!/usr/bin/env bash
# Finds kcat (librdkafka's command-line producer and consumer), installing Debian's `kcat` package
# when it is missing, and prints its absolute path as the last line of stdout (progress goes to
# stderr). `npm run bench:e2e` produces its traffic with it; its test uses it too.
#
#   KCAT_BIN="$(bash scripts/ensure-kcat.sh | tail -n 1)"
#
# KCAT_BIN=/path/to/kcat pins an explicit binary: it is used as is, never replaced.
# Installing needs root (apt-get), as on the CI machine; elsewhere install kcat yourself.
set -euo pipefail

fail() {
  echo "ensure-kcat: $*" >&2
  exit 1
}

works() {
  [[ -x "$1" ]] && "$1" -V >/dev/null 2>&1
}

absolute() {
  (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")")
}

if [[ -n "${KCAT_BIN:-}" ]]; then
  works "$KCAT_BIN" || fail "KCAT_BIN=$KCAT_BIN does not run (-V failed); unset it or point it at a kcat"
  absolute "$KCAT_BIN"
  exit 0
fi

if found="$(command -v kcat 2>/dev/null)" && works "$found"; then
  absolute "$found"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "kcat is not on PATH and apt-get is not available to install it"
[[ "$(id -u)" == "0" ]] || fail "kcat is not on PATH; installing it needs root: apt-get install -y kcat"

echo "ensure-kcat: installing Debian's kcat with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y kcat >&2 || { apt-get update >&2 && apt-get install -y kcat >&2; } ||
  fail "apt-get install -y kcat failed"

found="$(command -v kcat 2>/dev/null)" || fail "apt-get installed kcat but it is not on PATH"
works "$found" || fail "$found does not run (-V failed)"
absolute "$found"
