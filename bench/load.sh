#!/usr/bin/env bash
# Load test on loopback against a release build: every queue page, a search, a ticket page, the
# ticket's SLA page and ticket creation through the web form, each with wrk at each connection
# count, signed in as the demo manager, jobs off. Prints one Markdown table, and the server's
# largest resident memory seen during the runs.
#
#   bench/load.sh [--url DATABASE_URL] [--data-dir DIR] [--tickets N] [--connections "8 32"]
#                 [--seconds S] [--search WORD]
#
# Without --url the desk is SQLite in --data-dir (a fresh temporary folder by default). The
# desk is seeded with `seed-demo --tickets N` only when it holds fewer than N tickets, so a
# second run against the same database measures at once. Defaults: 100,000 tickets, 8 and 32
# connections, 10 s a run, the word "printer".
set -euo pipefail
cd "$(dirname "$0")/.."
url="" data_dir="" tickets=100000 connections="8 32" seconds=10 word="printer"
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    --tickets) tickets="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --search) word="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
port="${PORT:-18080}"
work="$(mktemp -d)"
if [ -z "$data_dir" ]; then data_dir="$work/data"; fi
mkdir -p "$data_dir"
trap 'kill "$server" "$sampler" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/tierdesk
export DATA_DIR="$data_dir" BIND="127.0.0.1:$port" RUST_LOG=warn JOBS_INTERVAL_SECONDS=0
if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi

held() {
  if [ -n "$url" ]; then
    psql "$url" -Atc "SELECT count(*) FROM tickets" 2>/dev/null || echo 0
  elif [ -f "$data_dir/tierdesk.db" ]; then
    sqlite3 "$data_dir/tierdesk.db" "SELECT count(*) FROM tickets" 2>/dev/null || echo 0
  else
    echo 0
  fi
}
if [ "$(held)" -lt "$tickets" ]; then
  start=$(date +%s)
  "$bin" seed-demo --tickets "$tickets" >/dev/null
  echo "seeded $tickets tickets in $(( $(date +%s) - start )) s"
fi

"$bin" > "$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

jar="$work/cookies"
csrf() { curl -fs -b "$jar" -c "$jar" "$base$1" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$(csrf /login)" \
  --data-urlencode "email=morgan.reyes@msp.example" --data-urlencode "password=tierdesk-demo" \
  "$base/login"
cookie=$(awk '$6 == "tierdesk_session" { print $6 "=" $7 }' "$jar")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }

ticket=$(curl -fs -b "$jar" "$base/tickets?queue=all" | sed -n 's/.*href="\/tickets\/\([0-9][0-9]*\)".*/\1/p' | head -1)
[ -n "$ticket" ] || { echo "no open ticket to measure" >&2; exit 1; }
form=$(curl -fs -b "$jar" -c "$jar" "$base/tickets/new")
token=$(echo "$form" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
requester=$(echo "$form" | sed -n 's/.*<option value="\(contact:[0-9][0-9]*\)".*/\1/p' | head -1)
# The session cookie is issued anew with the form; its CSRF token goes with that cookie.
form_cookie=$(awk '$6 == "tierdesk_session" { print $6 "=" $7 }' "$jar")
cat > "$work/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$form_cookie"
wrk.body = "csrf_token=$token&kind=incident&requester=${requester/:/%3A}&details_confirmed=on"
  .. "&identity_check=not_validated&identity_evidence=&channel=phone"
  .. "&subject=Printer+jams+on+every+page&description=Floor+2+printer+jams+since+9%3A40."
  .. "&impact=low&urgency=medium"
LUA

# The server's largest resident set, sampled every half second while the runs go on.
( peak=0; while kill -0 "$server" 2>/dev/null; do
    rss=$(ps -o rss= -p "$server" 2>/dev/null | tr -d ' ' || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss && echo "$peak" > "$work/peak"
    sleep 0.5
  done ) &
sampler=$!

# wrk prints latencies as 812.00us, 3.41ms or 1.20s: in milliseconds, one decimal.
ms() { awk -v v="$1" 'BEGIN {
  if (v ~ /us$/) printf "%.1f", v / 1000; else if (v ~ /ms$/) printf "%.1f", v + 0;
  else if (v ~ /s$/) printf "%.1f", v * 1000; else printf "%s", v }'; }

run() { # label, connections, path, [lua script]
  local label="$1" c="$2" path="$3" script="${4:-}" out
  if [ -n "$script" ]; then
    out=$(wrk -t2 -c"$c" -d"${seconds}s" --latency -s "$script" "$base$path")
  else
    out=$(wrk -t2 -c"$c" -d"${seconds}s" --latency -H "Cookie: $cookie" "$base$path")
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%d", $2 }')
  p50=$(ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$c" "$rps" "$p50" "$p99" "${errors:-none}"
}

backend=$([ -n "$url" ] && echo PostgreSQL || echo SQLite)
echo
echo "$backend, $(held) tickets, ${seconds} s a run, wrk with 2 threads"
echo
printf '| %s | %s | %s | %s | %s | %s |\n| --- | --- | --- | --- | --- | --- |\n' \
  "page" "connections" "req/s" "p50 ms" "p99 ms" "errors"
for c in $connections; do
  for queue in all mine untriaged tier-tier1 tier-tier2 tier-tier3 tier-onsite pending at-risk \
      awaiting-closure service-requests; do
    run "queue $queue" "$c" "/tickets?queue=$queue"
  done
  run "search \"$word\" in all open" "$c" "/tickets?queue=all&q=$word"
  run "a ticket page" "$c" "/tickets/$ticket"
  run "the ticket's SLA page" "$c" "/tickets/$ticket/sla"
  run "new ticket (web form POST)" "$c" "/tickets" "$work/create.lua"
done
echo
echo "largest resident memory of the server: $(( $(cat "$work/peak" 2>/dev/null || echo 0) / 1024 )) MB"
