# Shared by the shell tests that start shakedown processes: a scratch folder ($work), the
# background processes to kill on exit ($pids), and a bounded wait for a line in a file.
# Source it after `set -euo pipefail`; set `lib_name` (for messages) and optionally `scale`.
# KEEP_WORK=1 in the environment keeps the scratch folder (peer and conform logs) for inspection.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

# Polls every 50 ms for up to ${scale:-1} * 20 s; prints the file when the line never comes.
wait_for_line() {  # FILE PATTERN
  local tries
  tries=$(awk -v s="${scale:-1}" 'BEGIN { printf "%d", s * 400 }')
  for _ in $(seq "$tries"); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "${lib_name:-test}: no '$2' in $1" >&2
  cat "$1" >&2 || true
  return 1
}
