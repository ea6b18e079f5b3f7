#!/usr/bin/env bash
# Finds a Chromium for the browser tests, installing Debian's `chromium` package when it is
# missing (takes a minute), and prints its absolute path as the last line of stdout (progress
# goes to stderr).
#
#   CHROMIUM_BIN="$(bash scripts/ensure-chromium.sh | tail -n 1)"
#
# CHROMIUM_BIN=/path/to/chromium pins an explicit binary: it is used as is, never replaced.
# Installing needs root (apt-get), as on the CI machine; elsewhere install chromium yourself.
# `chromium --version` prints e.g. "Chromium 139.0.7258.154 built on Debian ...".
set -euo pipefail
exec bash "$(dirname "$0")/ensure-debian-tool.sh" chromium chromium --version CHROMIUM_BIN
