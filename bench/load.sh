#!/usr/bin/env bash
# Load test on loopback: seeds a SQLite desk with N generated tickets (default 100,000),
# starts the release binary, signs in as the demo manager, and drives the busiest queue page
# and a ticket page with wrk. Bounded in time; stops the server when done.
#
#   bench/load.sh [tickets] [seconds]        CONNECTIONS="8 32" by default
set -euo pipefail
cd "$(dirname "$0")/.."
tickets="${1:-100000}"
seconds="${2:-20}"
port="${PORT:-18080}"
dir="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
bin=target/release/tierdesk
export DATA_DIR="$dir" BIND="127.0.0.1:$port" RUST_LOG=warn
start=$(date +%s.%N)
"$bin" seed-demo --tickets "$tickets"
echo "seeded in $(echo "$(date +%s.%N) - $start" | bc) s"

"$bin" > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

jar="$dir/cookies"
token=$(curl -fs -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null \
  --data-urlencode "csrf_token=$token" --data-urlencode "email=morgan.reyes@msp.example" \
  --data-urlencode "password=tierdesk-demo" "http://127.0.0.1:$port/login"
cookie=$(awk '$6 == "tierdesk_session" { print $6 "=" $7 }' "$jar")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }

ticket=$(curl -fs -b "$jar" "http://127.0.0.1:$port/tickets?queue=all" | sed -n 's/.*href="\/tickets\/\([0-9]*\)".*/\1/p' | head -1)
for connections in ${CONNECTIONS:-8 32}; do
  for path in "/tickets?queue=all" "/tickets?queue=at-risk" "/tickets/$ticket"; do
    echo "== GET $path ($seconds s, 2 threads, $connections connections)"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" \
      | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
  done
done
echo "resident memory after the run: $(ps -o rss= -p "$server") KiB"
