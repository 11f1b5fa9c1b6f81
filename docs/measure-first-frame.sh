#!/usr/bin/env bash
# Time from start to first frame of `liftoff demo`, seen from outside: a tmux
# pane (200x60) already running a shell is told to exec the binary, and the
# pane is polled with `capture-pane` until the cockpit shows
#   first frame:  the kill switch panel's title ("KILL SWITCH"), drawn in the
#                 very first frame, before any source has answered;
#   data frame:   a status line on which no source says "never" (every source
#                 has answered at least once).
# Resolution: one poll (a `tmux capture-pane` round trip, printed below).
#
# Usage: docs/measure-first-frame.sh [RUNS] [EXTRA DEMO ARGS...]  (RUNS=10)
# Env:   LIFTOFF=path/to/liftoff (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"; shift || true
bin="${LIFTOFF:-${CARGO_TARGET_DIR:-target}/release/liftoff}"
[ -x "$bin" ] || { echo "no $bin: run cargo build --release (or set LIFTOFF)" >&2; exit 2; }

work="$(mktemp -d)"
socket=""
# Stops the private tmux server and removes its socket file (tmux leaves it).
stop_server() {
  local path
  path="$(tmux -L "$socket" display-message -p '#{socket_path}' 2>/dev/null || true)"
  tmux -L "$socket" kill-server >/dev/null 2>&1 || true
  [ -z "$path" ] || rm -f "$path"
}
cleanup() {
  [ -z "$socket" ] || stop_server
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
first=() data=() polls=0 poll_ms=0
for i in $(seq "$runs"); do
  socket="liftoff-ff-$$-$i"   # a fresh server each run
  tmux -L "$socket" new-session -d -x 200 -y 60 "sh"
  # Wait for the shell prompt so that the shell's own start is not counted.
  until [ -n "$(tmux -L "$socket" capture-pane -p | tr -d '[:space:]')" ]; do sleep 0.01; done
  tmux -L "$socket" send-keys \
    "exec env -u NO_COLOR XDG_CONFIG_HOME='$work/config' '$bin' demo $*" Enter
  t0="$(now_ms)"; f=""; d=""
  while [ -z "$d" ]; do
    screen="$(tmux -L "$socket" capture-pane -p)"
    t="$(now_ms)"; polls=$((polls + 1))
    if [ -z "$f" ] && grep -q 'KILL SWITCH' <<<"$screen"; then f=$((t - t0)); fi
    if [ -n "$f" ] && tail -n 1 <<<"$screen" | grep -q 'ops ' &&
       ! tail -n 1 <<<"$screen" | grep -q 'never'; then d=$((t - t0)); fi
    [ $((t - t0)) -lt 60000 ] || { echo "no frame within 60 s" >&2; exit 1; }
  done
  poll_ms=$((poll_ms + t - t0))
  first+=("$f"); data+=("$d")
  echo "run $i: first frame ${f} ms, every source answered ${d} ms"
  stop_server
  socket=""
done

stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
  printf "min %d ms, median %d ms, max %d ms", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
echo "first frame:           $(stats "${first[@]}")"
echo "every source answered: $(stats "${data[@]}")"
echo "resolution: one poll, on average $((poll_ms / polls)) ms here"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
