#!/usr/bin/env bash
# Compiles the Rego policies to an OPA Wasm bundle with the pinned OPA CLI.
#
#   bash scripts/build-policies.sh [--src DIR] [--out FILE] [--entrypoint PATH]...
#
# Defaults: --src policies --out policies/bundle.tar.gz --entrypoint authz/decision.
# Relative paths are taken from the repository root, which is also the working directory of
# `opa build`: the Rego files are stored in the bundle under the path given to it, so building
# from the root with `policies` is what makes the committed bundle byte-for-byte reproducible
# (test/policy/bundle-staleness.test.ts rebuilds it with this script and compares).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"

src="policies"
out="policies/bundle.tar.gz"
entrypoints=()

usage() {
  echo "usage: $0 [--src DIR] [--out FILE] [--entrypoint PATH]..." >&2
  exit 64
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --src) [[ $# -ge 2 ]] || usage; src="$2"; shift 2 ;;
    --out) [[ $# -ge 2 ]] || usage; out="$2"; shift 2 ;;
    --entrypoint | -e) [[ $# -ge 2 ]] || usage; entrypoints+=("$2"); shift 2 ;;
    *) usage ;;
  esac
done
[[ ${#entrypoints[@]} -gt 0 ]] || entrypoints=("authz/decision")

[[ -d "$src" ]] || { echo "build-policies: no policy directory $src" >&2; exit 66; }
if ! find "$src" -name '*.rego' ! -name '*_test.rego' | grep -q .; then
  echo "build-policies: no Rego sources (*.rego other than *_test.rego) under $src" >&2
  exit 66
fi

opa="$(bash "$root/scripts/ensure-opa.sh" | tail -n 1)"

entrypoint_flags=()
for entrypoint in "${entrypoints[@]}"; do entrypoint_flags+=(--entrypoint "$entrypoint"); done

# Tests are not compiled into the Wasm (only what the entrypoints reach is), but they would be
# shipped as sources in the bundle: leave them out. The tar entries carry no timestamps
# (OPA writes mtime 0), so the output only depends on the sources and the OPA version.
"$opa" build --target wasm "${entrypoint_flags[@]}" --ignore '*_test.rego' "$src" --output "$out"
echo "build-policies: wrote $out (entrypoints: ${entrypoints[*]})" >&2
