#!/bin/sh
# HTTP load test of `newsdex serve` with wrk: requests/s and p99 latency at
# 1, 8 and 64 connections, over an archive of every article in
# ../shared/data/news (indexed first, into a temporary folder, unless
# NEWSDEX_BENCH_DB names an existing archive).  Only loopback is used.
# Usage: sh bench/load.sh [BUILD]      (DURATION=10 seconds per run)
set -e
BUILD=${1:-build}
ND="$PWD/$BUILD/newsdex"
SHARED=${ND_SHARED:-../shared}
DURATION=${DURATION:-10}
T=$(mktemp -d /tmp/nd-load-XXXXXX)
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DB=${NEWSDEX_BENCH_DB:-$T/db}
if [ ! -d "$DB" ]; then
  echo "indexing $SHARED/data/news ..."
  "$ND" add --db "$DB" "$SHARED/data/news" >/dev/null
fi
"$ND" stats --db "$DB" | head -3
"$ND" serve --db "$DB" --port 0 2>"$T/log" &
PID=$!
for _ in $(seq 100); do grep -q 'http://' "$T/log" && break; sleep 0.1; done
URL=$(sed -n 's|.*\(http://[^ ]*/\).*|\1|p' "$T/log" | head -1)
[ -n "$URL" ] || { cat "$T/log"; exit 1; }
# A mix of searches as the page sends them (hits, facets, histogram).
cat > "$T/mix.lua" <<'LUA'
local qs = { "nato", "president%20trump", "%22health%20care%22", "iraq%20OR%20syria", "climate%20change",
             "election%20date:2016", "title:market", "oil%20prices", "supreme%20court", "econom*" }
local i = 0
request = function()
  i = i + 1
  local q = qs[(i % #qs) + 1]
  return wrk.format("GET", "/api/search?q=" .. q .. "&limit=10&facets=topic,source,year&histogram=month")
end
LUA
printf '| connections | requests/s | p50 | p99 |\n|---:|---:|---:|---:|\n'
for c in 1 8 64; do
  th=$c; [ "$th" -gt 2 ] && th=2
  wrk -t"$th" -c"$c" -d"${DURATION}s" --latency -s "$T/mix.lua" "$URL" > "$T/wrk.$c"
  rps=$(awk '/Requests\/sec/ {print $2}' "$T/wrk.$c")
  p50=$(awk '$1 == "50%" {print $2}' "$T/wrk.$c")
  p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.$c")
  errs=$(grep -E 'Non-2xx|Socket errors' "$T/wrk.$c" || true)
  printf '| %s | %s | %s | %s |\n' "$c" "$rps" "$p50" "$p99"
  [ -z "$errs" ] || echo "  ($errs)"
done
