#!/usr/bin/env bash
# Finds a Chromium for the browser tests, installing Debian's `chromium` package when it is
# missing, and prints its absolute path as the last line of stdout (progress goes to stderr).
#
#   CHROMIUM_BIN="$(bash scripts/ensure-chromium.sh | tail -n 1)"
#
# CHROMIUM_BIN=/path/to/chromium pins an explicit binary: it is used as is, never replaced.
# Installing needs root (apt-get), as on the CI machine; elsewhere install chromium yourself.
set -euo pipefail

fail() {
  echo "ensure-chromium: $*" >&2
  exit 1
}

# `chromium --version` prints e.g. "Chromium 139.0.7258.154 built on Debian ...".
works() {
  [[ -x "$1" ]] && "$1" --version >/dev/null 2>&1
}

absolute() {
  (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")")
}

if [[ -n "${CHROMIUM_BIN:-}" ]]; then
  works "$CHROMIUM_BIN" || fail "CHROMIUM_BIN=$CHROMIUM_BIN does not run (--version failed); unset it or point it at a Chromium"
  absolute "$CHROMIUM_BIN"
  exit 0
fi

if found="$(command -v chromium 2>/dev/null)" && works "$found"; then
  absolute "$found"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "chromium is not on PATH and apt-get is not available to install it"
[[ "$(id -u)" == "0" ]] || fail "chromium is not on PATH; installing it needs root: apt-get install -y chromium"

echo "ensure-chromium: installing Debian's chromium with apt-get (takes a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2 || fail "apt-get update failed"
apt-get install -y chromium >&2 || fail "apt-get install -y chromium failed"

found="$(command -v chromium 2>/dev/null)" || fail "apt-get installed chromium but it is not on PATH"
works "$found" || fail "$found does not run (--version failed)"
absolute "$found"
