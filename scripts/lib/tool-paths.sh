# Sourced by the ensure-*.sh scripts: how they judge and print a tool's path. Expects `fail`.

# works PATH FLAG: the file runs and `PATH FLAG` (e.g. --version) exits 0.
works() {
  [[ -x "$1" ]] && "$1" "$2" >/dev/null 2>&1
}

absolute() {
  (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")")
}

# print_pinned TOOL PIN_VAR FLAG: when PIN_VAR is set, print its binary and exit (it must work).
print_pinned() {
  local pinned="${!2:-}"
  [[ -n "$pinned" ]] || return 0
  works "$pinned" "$3" || fail "$2=$pinned does not run ($3 failed); unset it or point it at a $1"
  absolute "$pinned"
  exit 0
}
