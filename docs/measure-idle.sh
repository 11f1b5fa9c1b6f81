#!/usr/bin/env bash
# CPU and memory of the cockpit left alone: `liftoff demo` in a 200x60 tmux
# pane, untouched for SECONDS_IDLE (default 60) seconds after its first frame.
# Prints the CPU it used over that window (utime+stime from /proc/PID/stat, as
# % of one core), its peak resident memory (VmHWM) and its resident memory at
# the end (VmRSS), plus the load average before and after.
#
# Usage: docs/measure-idle.sh [EXTRA DEMO ARGS...]   e.g. --layout war-room
# Env:   LIFTOFF=path/to/liftoff (default: the release build),
#        SECONDS_IDLE=60
# Linux only (/proc). The demo's simulated world runs inside the same
# process, so the figure includes its HTTP servers and the pollers.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${LIFTOFF:-${CARGO_TARGET_DIR:-target}/release/liftoff}"
idle="${SECONDS_IDLE:-60}"
[ -x "$bin" ] || { echo "no $bin: run cargo build --release (or set LIFTOFF)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 2; }

work="$(mktemp -d)"
socket="liftoff-idle-$$"
# Stops the private tmux server and removes its socket file (tmux leaves it).
stop_server() {
  local path
  path="$(tmux -L "$socket" display-message -p '#{socket_path}' 2>/dev/null || true)"
  tmux -L "$socket" kill-server >/dev/null 2>&1 || true
  [ -z "$path" ] || rm -f "$path"
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The pane's shell records its pid and execs the demo: that pid is liftoff's.
tmux -L "$socket" new-session -d -x 200 -y 60 \
  "echo \$\$ > '$work/pid'; exec env -u NO_COLOR XDG_CONFIG_HOME='$work/config' '$bin' demo $*"

deadline=$((SECONDS + 60))
until tmux -L "$socket" capture-pane -p 2>/dev/null | grep -q 'KILL SWITCH'; do
  [ $SECONDS -lt $deadline ] || { echo "no first frame within 60 s" >&2; exit 1; }
  sleep 0.1
done
pid="$(cat "$work/pid")"
hz="$(getconf CLK_TCK)"

# Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks; the
# command name (field 2) may hold spaces, so count from after its ')'.
ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }

t0="$(ticks)"; s0="$(date +%s.%N)"
sleep "$idle"   # the measurement window itself, not a wait for an event
t1="$(ticks)"; s1="$(date +%s.%N)"
hwm="$(kb VmHWM)"; rss="$(kb VmRSS)"
threads="$(kb Threads)"

awk -v t="$((t1 - t0))" -v hz="$hz" -v a="$s0" -v b="$s1" -v hwm="$hwm" -v rss="$rss" -v th="$threads" 'BEGIN {
  wall = b - a; cpu = t / hz
  printf "idle window: %.1f s wall, %.2f s CPU (%d ticks at %d Hz)\n", wall, cpu, t, hz
  printf "cpu: %.2f%% of one core\n", 100 * cpu / wall
  printf "peak rss (VmHWM): %.1f MiB; rss at end: %.1f MiB; threads: %d\n", hwm / 1024, rss / 1024, th
}'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
