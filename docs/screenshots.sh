#!/usr/bin/env bash
# The README's screenshots, from a real run: `liftoff demo` in a 200x60 tmux
# pane -> `tmux capture-pane -e` (the screen with its colours) -> `aha` (ANSI
# to HTML) -> headless Chromium `--screenshot` -> assets/screenshot-*.png.
#
# Usage: docs/screenshots.sh [SHOT...]   (default: commander war-room alarm fail-closed)
#   commander, war-room: `liftoff demo --speed 4` on that layout, once the page
#     alert and the entropy both hold the gate;
#   alarm: `liftoff demo --speed 10 --layout war-room` once the entropy-floor
#     guard has raised its ALARM (the guard's `for` runs on the demo's clock);
#   fail-closed: `liftoff run` on tests/fixtures/cockpit.toml with none of its
#     sources up: the rollup by source.
# Env:   LIFTOFF=path/to/liftoff               (default: the release build)
#
# A documentation tool, not a test. Needs tmux, aha, chromium and
# fonts-dejavu-core (Debian packages; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

layouts=("$@")
[ ${#layouts[@]} -gt 0 ] || layouts=(commander war-room alarm fail-closed)

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v aha >/dev/null 2>&1 || need+=(aha)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

bin="${LIFTOFF:-${CARGO_TARGET_DIR:-target}/release/liftoff}"
if [ ! -x "$bin" ]; then
  echo "== cargo build --release"
  cargo build --release --locked
fi

work="$(mktemp -d)"
socket="liftoff-shot-$$"
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

# The terminal: 200x60 cells of DejaVu Sans Mono at 14px, each cell 8x16
# pixels. The font's own cell is 8.43x16.3: letter spacing and line height
# pull cells a hair together, so the big letters' blocks and the box-drawing
# lines overlap instead of leaving anti-aliased seams between them.
cols=200 rows=60
width=$(( cols * 8 + 20 ))
height=$(( rows * 16 + 20 ))

css='
body { margin: 0; background: #0d1117; }
pre { margin: 0; padding: 10px; color: #d0d7de; background: #0d1117;
      font: 14px/16px "DejaVu Sans Mono", monospace; letter-spacing: -0.43px; }
'

# The dark theme speaks ANSI colour names (tmux writes them as `38;5;N`).
# Map every colour to 24-bit through one calm palette before aha: aha's own
# mapping of the 16 colours is harsh, and it loses "bright" after a `49`.
sgr_to_rgb='
my @pal = qw(0d1117 f85149 3fb950 d29922 58a6ff bc8cff 39c5cf d0d7de
             7d8590 ff7b72 56d364 e3b341 79c0ff d2a8ff 56d4dd ffffff);
sub rgb { join ";", map { hex } unpack "(A2)3", $pal[$_[0]] }
sub x256 {
  my $n = shift;
  return rgb($n) if $n < 16;
  if ($n < 232) { $n -= 16; return join ";", map { $_ ? 55 + 40 * $_ : 0 } int($n / 36), int($n / 6) % 6, $n % 6 }
  my $g = 8 + 10 * ($n - 232); "$g;$g;$g";
}
s{\e\[([0-9;]*)m}{
  my @p = split /;/, $1; @p = (0) unless @p; my @o;
  while (@p) {
    my $c = shift @p;
    if (($c == 38 || $c == 48) && @p && $p[0] == 5) { shift @p; push @o, $c, 2, x256(shift @p) }
    elsif (($c == 38 || $c == 48) && @p && $p[0] == 2) { push @o, $c, splice(@p, 0, 4) }
    elsif ($c >= 30 && $c <= 37) { push @o, 38, 2, rgb($c - 30) }
    elsif ($c >= 90 && $c <= 97) { push @o, 38, 2, rgb($c - 82) }
    elsif ($c >= 40 && $c <= 47) { push @o, 48, 2, rgb($c - 40) }
    elsif ($c >= 100 && $c <= 107) { push @o, 48, 2, rgb($c - 92) }
    else { push @o, $c }
  }
  "\e[" . join(";", @o) . "m"
}ge;
'

# The moment to show, per shot. commander / war-room: the story's page alert
# is firing and the policy's entropy has fallen under its warn level, so both
# hold the gate (NO-GO); the world runs at 4x so that moment comes ~25 s in,
# with history behind it. alarm: the guard's band is up. fail-closed: the
# banner has rolled the dead sources up.
moment() {
  case "$1" in
    alarm) grep -q 'a answers · K K kills' <<<"$2" ;;
    fail-closed) grep -q 'sources down:' <<<"$2" ;;
    *) grep -q ' holding: .*no-page-alerts.*entropy' <<<"$2" ;;
  esac
}

# The command each shot runs in the pane.
command_for() {
  case "$1" in
    alarm) echo "'$bin' demo --speed 10 --layout war-room" ;;
    fail-closed)
      mkdir -p "$work/fail-closed"
      cp tests/fixtures/cockpit.toml "$work/fail-closed/liftoff.toml"
      echo "'$bin' run '$work/fail-closed/liftoff.toml' --layout commander" ;;
    *) echo "'$bin' demo --speed 4 --layout '$1'" ;;
  esac
}

shoot() {
  local layout="$1" out="assets/screenshot-$1.png"
  socket="liftoff-shot-$$-$layout"   # a fresh server per shot
  mkdir -p "$work/config"
  tmux -L "$socket" new-session -d -x "$cols" -y "$rows" \
    "cd '$work' && env -u NO_COLOR XDG_CONFIG_HOME='$work/config' $(command_for "$layout")"
  local deadline=$((SECONDS + 120)) screen=""
  until moment "$layout" "$screen"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "the demo never reached the moment to show; screen:" >&2
      echo "$screen" >&2
      exit 1
    fi
    sleep 0.2
    screen="$(tmux -L "$socket" capture-pane -p 2>/dev/null || true)"
  done
  tmux -L "$socket" capture-pane -e -N -p >"$work/$layout.ans"
  stop_server
  {
    printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>%s</style></head><body><pre>' "$css"
    perl -pe "$sgr_to_rgb" <"$work/$layout.ans" | aha --no-header
    printf '</pre></body></html>\n'
  } >"$work/$layout.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$(mktemp -d -p "$work")" \
    --screenshot="$PWD/$out" --window-size="$width,$height" \
    "file://$work/$layout.html" >"$work/chromium.log" 2>&1 ||
    { cat "$work/chromium.log" >&2; exit 1; }
  echo "$out: $(du -k "$out" | cut -f1) KB"
}

for layout in "${layouts[@]}"; do
  shoot "$layout"
done
