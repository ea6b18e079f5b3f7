#!/usr/bin/env bash
# Type-checks the Rego policies in strict mode (Rego v1, the default of OPA 1.x) and runs their
# unit tests with the pinned OPA CLI.
#
#   bash scripts/test-policies.sh [DIR]      (default: policies, from the repository root)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
src="${1:-policies}"

[[ -d "$src" ]] || { echo "test-policies: no policy directory $src" >&2; exit 66; }
# `opa test` exits 0 when it finds no tests at all; a policy without tests is not a passing one.
if ! find "$src" -name '*_test.rego' | grep -q .; then
  echo "test-policies: no Rego tests (*_test.rego) under $src" >&2
  exit 1
fi

opa="$(bash "$root/scripts/ensure-opa.sh" | tail -n 1)"

"$opa" check --strict "$src"
"$opa" test --verbose "$src"
