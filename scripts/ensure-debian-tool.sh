#!/usr/bin/env bash
# Finds a command-line tool, installing its Debian package when it is missing, and prints its
# absolute path as the last line of stdout (progress goes to stderr). The ensure-*.sh scripts of
# single tools call it:
#
#   bash scripts/ensure-debian-tool.sh TOOL PACKAGE VERSION_FLAG PIN_VAR
#
# e.g. `chromium chromium --version CHROMIUM_BIN`. The environment variable PIN_VAR, when set,
# pins an explicit binary: it is used as is, never replaced. "Works" means `TOOL VERSION_FLAG`
# exits 0. Installing needs root (apt-get), as on the CI machine; elsewhere install it yourself.
set -euo pipefail

[[ $# -eq 4 ]] || {
  echo "usage: ensure-debian-tool.sh TOOL PACKAGE VERSION_FLAG PIN_VAR" >&2
  exit 2
}
tool="$1" package="$2" version_flag="$3" pin_var="$4"

fail() {
  echo "ensure-$tool: $*" >&2
  exit 1
}

# shellcheck source=lib/tool-paths.sh
source "$(dirname "$0")/lib/tool-paths.sh"
print_pinned "$tool" "$pin_var" "$version_flag"

if found="$(command -v "$tool" 2>/dev/null)" && works "$found" "$version_flag"; then
  absolute "$found"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "$tool is not on PATH and apt-get is not available to install it"
[[ "$(id -u)" == "0" ]] || fail "$tool is not on PATH; installing it needs root: apt-get install -y $package"

echo "ensure-$tool: installing Debian's $package with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2 || fail "apt-get update failed"
apt-get install -y "$package" >&2 || fail "apt-get install -y $package failed"

found="$(command -v "$tool" 2>/dev/null)" || fail "apt-get installed $package but $tool is not on PATH"
works "$found" "$version_flag" || fail "$found does not run ($version_flag failed)"
absolute "$found"
