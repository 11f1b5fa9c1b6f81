#!/usr/bin/env bash
# Whole-process measurement: `liftoff check` on a playbook of 30 scrape
# sources, each served by a loopback exporter that answers after 200 ms.
# Prints the wall time of each run, against the sum (30 x 200 ms = 6 s) and
# the slowest source (200 ms).
# Usage: docs/measure-check-concurrency.sh [path/to/liftoff] [runs]
set -euo pipefail
BIN=${1:-target/release/liftoff}
RUNS=${2:-10}
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
cat > "$DIR/slow.py" <<'PY'
import http.server, socketserver, time, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.2)
        body = b"# TYPE ready gauge\nready 1\n"
        self.send_response(200); self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 30 connections arrive at once
s = S(("127.0.0.1", 0), H); print(s.server_address[1], flush=True); s.serve_forever()
PY
python3 "$DIR/slow.py" > "$DIR/port" & SERVER=$!
while [ ! -s "$DIR/port" ]; do :; done
PORT=$(cat "$DIR/port")
{ echo '[release]'; echo 'name = "30 slow sources"'; echo
  for i in $(seq 0 29); do
    printf '[source.s%d]\nkind = "scrape"\nurl = "http://127.0.0.1:%s/metrics?i=%d"\ntimeout = "5s"\n\n' "$i" "$PORT" "$i"
    printf '[[check]]\nid = "c%d"\nsource = "s%d"\nquery = "ready"\npass = "value == 1.0"\n\n' "$i" "$i"
  done; } > "$DIR/pb.toml"
"$BIN" check "$DIR/pb.toml" > /dev/null || { echo "check did not say GO"; exit 1; }
for r in $(seq 1 "$RUNS"); do
  s=$(date +%s%N); "$BIN" check "$DIR/pb.toml" > /dev/null; e=$(date +%s%N)
  echo "run $r: $(( (e - s) / 1000000 )) ms"
done
echo "sum of the sources: 6000 ms; slowest source: 200 ms"
