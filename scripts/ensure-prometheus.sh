#!/usr/bin/env bash
# Finds promtool (and the Prometheus server of the same package) for the alert rule tests,
# installing Debian's `prometheus` package when either is missing, and prints the absolute path
# of promtool as the last line of stdout (progress goes to stderr). With the argument
# `prometheus`, prints the server's path instead.
#
#   PROMTOOL_BIN="$(bash scripts/ensure-prometheus.sh | tail -n 1)"
#   PROMETHEUS_BIN="$(bash scripts/ensure-prometheus.sh prometheus | tail -n 1)"
#
# PROMTOOL_BIN=/path/to/promtool (or PROMETHEUS_BIN=/path/to/prometheus) pins an explicit binary:
# it is used as is, never replaced. Installing needs root (apt-get), as on the CI machine;
# elsewhere install prometheus yourself. The package's own prometheus service (and the node
# exporter it recommends) is stopped and disabled after an install: the tests start their own
# servers, and docker-compose.yml publishes 9090.
set -euo pipefail

fail() {
  echo "ensure-prometheus: $*" >&2
  exit 1
}

want="${1:-promtool}"
case "$want" in
  promtool) pin_var=PROMTOOL_BIN ;;
  prometheus) pin_var=PROMETHEUS_BIN ;;
  *) fail "usage: ensure-prometheus.sh [promtool|prometheus]" ;;
esac

# `promtool --version` and `prometheus --version` print e.g. "promtool, version 2.42.0+ds (...)".
# shellcheck source=lib/tool-paths.sh
source "$(dirname "$0")/lib/tool-paths.sh"
print_pinned "$want" "$pin_var" --version

found() {
  local path
  path="$(command -v "$1" 2>/dev/null)" && works "$path" --version && printf '%s\n' "$path"
}

if path="$(found "$want")" && found promtool >/dev/null && found prometheus >/dev/null; then
  absolute "$path"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "$want is not on PATH and apt-get is not available to install it"
[[ "$(id -u)" == "0" ]] || fail "$want is not on PATH; installing it needs root: apt-get install -y prometheus"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
# Only the services this install brings are stopped below, never ones that were there before.
new_services=()
for service in prometheus prometheus-node-exporter; do
  installed "$service" || new_services+=("$service")
done

echo "ensure-prometheus: installing Debian's prometheus with apt-get (takes a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2 || fail "apt-get update failed"
apt-get install -y prometheus >&2 || fail "apt-get install -y prometheus failed"

# The package starts its services where an init system lets it (a container's policy-rc.d
# usually does not): stop them, and keep them from starting at boot.
for service in "${new_services[@]}"; do
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now "$service" >&2 2>/dev/null || true
  elif [[ -x "/etc/init.d/$service" ]]; then
    "/etc/init.d/$service" stop >&2 2>/dev/null || true
    update-rc.d "$service" disable >&2 2>/dev/null || true
  fi
done

path="$(found "$want")" || fail "apt-get installed prometheus but $want is not on PATH or does not run"
absolute "$path"
