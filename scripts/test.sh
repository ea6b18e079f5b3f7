#!/usr/bin/env bash
# The whole test suite: installs what it needs (the pinned OPA CLI, Kafka jars, Chromium, promtool
# and Prometheus, kcat), checks formatting, lint and types, runs every vitest test, and ends with the
# totals alone on a line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
step() { printf '\n== %s\n' "$*"; }

step "OPA CLI (pinned)"
if ! OPA_BIN=$(bash scripts/ensure-opa.sh | tail -n 1) || [ ! -x "$OPA_BIN" ]; then
  echo "error: could not install the pinned OPA CLI; tests that need it will fail" >&2
  status=1
fi
export OPA_BIN

step "Kafka broker jars (pinned, from Maven Central)"
bash scripts/kafka.sh install || status=1

step "format and lint (biome)"
npx --no-install biome ci . || status=1

step "types (tsc) and build (dist/, used by the bin tests)"
npx --no-install tsc -p tsconfig.json --noEmit || status=1
npx --no-install tsc -p tsconfig.build.json || status=1

step "Chromium (for the pages' browser tests)"
if ! CHROMIUM_BIN=$(bash scripts/ensure-chromium.sh | tail -n 1) || [ ! -x "$CHROMIUM_BIN" ]; then
  echo "error: could not find or install chromium; the browser tests will fail" >&2
  status=1
fi
export CHROMIUM_BIN

step "Prometheus and promtool (for the alert rule and monitoring tests)"
if ! PROMTOOL_BIN=$(bash scripts/ensure-prometheus.sh | tail -n 1) || [ ! -x "$PROMTOOL_BIN" ]; then
  echo "error: could not find or install promtool; the alert rule tests will fail" >&2
  status=1
fi
export PROMTOOL_BIN
if ! PROMETHEUS_BIN=$(bash scripts/ensure-prometheus.sh prometheus | tail -n 1) || [ ! -x "$PROMETHEUS_BIN" ]; then
  echo "error: could not find or install prometheus; the tests against a real Prometheus will fail" >&2
  status=1
fi
export PROMETHEUS_BIN

step "kcat (the bench's producer; its test)"
if ! KCAT_BIN=$(bash scripts/ensure-kcat.sh | tail -n 1) || [ ! -x "$KCAT_BIN" ]; then
  echo "error: could not find or install kcat; the kcat producer's test will fail" >&2
  status=1
fi
export KCAT_BIN

step "tests (vitest)"
results=.vitest-results.json
rm -f "$results"
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=1

if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    // A file that failed outside its tests (it did not load, or a beforeAll failed and its tests
    // ended up "skipped") counts once.
    const hookFailures = r.testResults.filter((s) => s.status === "failed" && !s.assertionResults.some((a) => a.status === "failed")).length;
    const failed = r.numFailedTests + hookFailures;
    console.log(`${r.numPassedTests} passed, ${failed} failed`);
  ' "$results"
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
