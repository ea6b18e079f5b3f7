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
exec bash "$(dirname "$0")/ensure-debian-tool.sh" kcat kcat -V KCAT_BIN
