#!/usr/bin/env bash
# Single-request latency of pages on a running desk: signs in, requests each path RUNS times one
# after the other (after one warm-up) and prints the median, p90 and worst time and the status.
# For pages too heavy to load-test with wrk, or to check a page at 1,000,000 tickets:
#
#   RUNS=20 bench/pages.sh http://127.0.0.1:18080 morgan.reyes@msp.example tierdesk-demo \
#       "/reports/sla?from=2026-11-01&until=2026-12-01" "/problems/suggestions"
set -euo pipefail
base="$1" email="$2" password="$3"
shift 3
runs="${RUNS:-20}"
jar="$(mktemp)"
trap 'rm -f "$jar"' EXIT

token=$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null \
  --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
  --data-urlencode "password=$password" "$base/login"
grep -q tierdesk_session "$jar" || { echo "sign-in failed" >&2; exit 1; }

printf '| %s | %s | %s | %s | %s |\n| --- | --- | --- | --- | --- |\n' page status median p90 worst
for path in "$@"; do
  curl -s -b "$jar" -o /dev/null "$base$path"
  times=()
  status=""
  for _ in $(seq 1 "$runs"); do
    read -r code seconds < <(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}\n' "$base$path")
    status="$code"
    times+=("$seconds")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v path="$path" -v status="$status" '
    { t[NR] = $1 * 1000 }
    END {
      median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      p90 = t[int(NR * 0.9 + 0.999)]
      printf "| `%s` | %s | %.1f ms | %.1f ms | %.1f ms |\n", path, status, median, p90, t[NR]
    }'
done
