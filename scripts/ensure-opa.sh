#!/usr/bin/env bash
# Finds the pinned OPA CLI, installing it with `go install` when it is missing or the wrong
# version, and prints its absolute path as the last line of stdout (progress goes to stderr).
#
#   OPA="$(bash scripts/ensure-opa.sh | tail -n 1)"
#
# OPA_BIN=/path/to/opa pins an explicit binary: it must be the pinned version (never replaced).
# The same lookup is implemented for TypeScript in src/policy/opa-cli.ts; keep them in step.
set -euo pipefail

readonly OPA_VERSION="1.22.2"
readonly OPA_MODULE="github.com/open-policy-agent/opa@v${OPA_VERSION}"

fail() {
  echo "ensure-opa: $*" >&2
  exit 1
}

# `opa version` prints "Version: 1.22.2" on its first line.
version_of() {
  "$1" version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1
}

is_pinned() {
  [[ -x "$1" ]] && [[ "$(version_of "$1")" == "$OPA_VERSION" ]]
}

absolute() {
  (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")")
}

go_bin_dir() {
  local gobin
  gobin="$(go env GOBIN)"
  if [[ -n "$gobin" ]]; then echo "$gobin"; else echo "$(go env GOPATH)/bin"; fi
}

if [[ -n "${OPA_BIN:-}" ]]; then
  is_pinned "$OPA_BIN" || fail "OPA_BIN=$OPA_BIN is not OPA v$OPA_VERSION (found: '$(version_of "$OPA_BIN")'); unset OPA_BIN or point it at v$OPA_VERSION"
  absolute "$OPA_BIN"
  exit 0
fi

candidates=()
if on_path="$(command -v opa 2>/dev/null)"; then candidates+=("$on_path"); fi
if command -v go >/dev/null 2>&1; then candidates+=("$(go_bin_dir)/opa"); fi

for candidate in "${candidates[@]}"; do
  if is_pinned "$candidate"; then
    absolute "$candidate"
    exit 0
  fi
done

command -v go >/dev/null 2>&1 || fail "OPA v$OPA_VERSION not found on PATH and Go is not installed to build it (need: go install $OPA_MODULE)"

echo "ensure-opa: installing OPA v$OPA_VERSION with: go install $OPA_MODULE (takes a few minutes)" >&2
go install "$OPA_MODULE" >&2 || fail "go install $OPA_MODULE failed"

installed="$(go_bin_dir)/opa"
is_pinned "$installed" || fail "go install finished but $installed is not OPA v$OPA_VERSION (found: '$(version_of "$installed")')"
absolute "$installed"
