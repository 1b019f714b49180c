#!/usr/bin/env bash
# Alert load on loopback: starts the release binary on a fresh demo desk (SQLite, or
# PostgreSQL when DATABASE_URL is set), makes an alerts token and a catch-all mapping through
# the pages as the demo manager, fires alerts with wrk for the given seconds rotating among
# 10 dedup keys, then checks that exactly 10 tickets were opened and every alert was counted.
#
#   bench/alerts.sh [seconds] [connections]      (defaults 60 and 32)
#   DATABASE_URL=postgres://…/empty_db bench/alerts.sh   (an empty database)
#
# wrk (not wrk2) has no fixed rate: it sends as fast as the server answers, and the rate
# reached is what it reports.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
connections="${2:-32}"
port="${PORT:-18081}"
dir="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
bin=target/release/tierdesk
export DATA_DIR="$dir" BIND="127.0.0.1:$port" RUST_LOG=warn JOBS_INTERVAL_SECONDS=0
"$bin" seed-demo >/dev/null
"$bin" > "$dir/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

jar="$dir/cookies"
csrf() { curl -fs -b "$jar" -c "$jar" "$base$1" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$(csrf /login)" \
  --data-urlencode "email=morgan.reyes@msp.example" --data-urlencode "password=tierdesk-demo" "$base/login"

page=$(curl -fs -b "$jar" -c "$jar" "$base/admin/alert-sources")
contact=$(echo "$page" | sed -n 's/.*<option value="\([0-9][0-9]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$(csrf /admin/alert-sources)" \
  -d source_pattern=bench -d host_pattern='web-*' -d contact_id="$contact" \
  -d critical_impact=high -d critical_urgency=high -d warning_impact=medium -d warning_urgency=medium \
  -d info_impact=low -d info_urgency=low -d solve_on_recovery=on -d flap_minutes=30 "$base/admin/alert-sources"
token=$(curl -fs -b "$jar" -c "$jar" --data-urlencode "csrf_token=$(csrf /account/tokens)" \
  -d name=bench -d scope=alerts "$base/account/tokens" | sed -n 's/.*id="issued-token"[^>]*value="\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "no token issued" >&2; exit 1; }

echo "== POST /api/v1/alerts for $seconds s, 2 threads, $connections connections, 10 dedup keys"
ALERT_TOKEN="$token" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/alerts.lua "$base" \
  | grep -E "Requests/sec|50%|90%|99%|requests in|Non-2xx|Socket errors"

kill "$server"; wait "$server" 2>/dev/null || true
db="$dir/tierdesk.db"
if [ -z "${DATABASE_URL:-}" ]; then
  sqlite3 "$db" "SELECT 'alerts stored: ' || count(*) FROM alerts WHERE source = 'bench';
    SELECT 'tickets opened: ' || count(DISTINCT ticket_id) FROM alerts WHERE source = 'bench';
    SELECT 'firings counted on the threads: ' || sum(firing_count) FROM alert_threads
      WHERE dedup_key IN (SELECT dedup_key FROM alerts WHERE source = 'bench');"
else
  psql "$DATABASE_URL" -At -c "SELECT 'alerts stored: ' || count(*) FROM alerts WHERE source = 'bench'" \
    -c "SELECT 'tickets opened: ' || count(DISTINCT ticket_id) FROM alerts WHERE source = 'bench'" \
    -c "SELECT 'firings counted on the threads: ' || sum(firing_count) FROM alert_threads WHERE dedup_key IN (SELECT dedup_key FROM alerts WHERE source = 'bench')"
fi
