#!/bin/sh
# Bulk loading through the Elasticsearch API against `newsdex add`: every
# article of ../shared/data/news loaded into a new index with the
# OpenSearch JavaScript client's bulk helper (bench/es_bulk.mjs, the
# helper's defaults: 5 MB requests, 5 in flight), and the same files added
# by `newsdex add` (both cores, default buffer), ROUNDS times interleaved;
# the best of each, articles/s, and the ratio.  Both end with every article
# committed and searchable; the index's article count is checked.
# Needs node and the tests' npm packages (cd tests/es && npm ci).
# Usage: sh bench/es_bulk.sh [BUILD]
set -e
BUILD=${1:-build}
ND="$PWD/$BUILD/newsdex"
SHARED=${ND_SHARED:-../shared}
ROUNDS=${ROUNDS:-2}
FILES=$(ls "$SHARED"/data/news/news-*.jsonl.zst)
[ -d tests/es/node_modules ] || (cd tests/es && npm ci --no-audit --no-fund >/dev/null)
T=$(mktemp -d /tmp/nd-esbulk-XXXXXX)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$T"' EXIT
head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/token"
N=$(zstd -dc $FILES | grep -c .)
best_add=0 best_bulk=0
for r in $(seq "$ROUNDS"); do
  rm -rf "$T/add" "$T/root"; mkdir "$T/root"
  s=$(date +%s.%N)
  "$ND" add --db "$T/add" --quiet $FILES >/dev/null
  e=$(date +%s.%N)
  add=$(awk -v n="$N" -v s="$s" -v e="$e" 'BEGIN { print n / (e - s) }')
  "$ND" serve --root "$T/root" --port 0 --write-token "$T/token" 2>"$T/log" &
  PID=$!
  for _ in $(seq 100); do grep -q 'http://' "$T/log" && break; sleep 0.1; done
  URL=$(sed -n 's|.*\(http://[^ ]*\)/.*|\1|p' "$T/log" | head -1)
  out=$(node bench/es_bulk.mjs "$URL" "$(cat "$T/token")" news $FILES)
  count=$(curl -s "$URL/news/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  [ "$count" = "$N" ] || { echo "the index holds $count articles, not $N: $out" >&2; exit 1; }
  bulk=$(echo "$out" | sed -n 's/.*"per_second":\([0-9]*\).*/\1/p')
  printf 'round %s: newsdex add %.0f articles/s, _bulk (OpenSearch bulk helper) %s articles/s\n' "$r" "$add" "$bulk"
  best_add=$(awk -v a="$add" -v b="$best_add" 'BEGIN { print (a > b ? a : b) }')
  best_bulk=$(awk -v a="$bulk" -v b="$best_bulk" 'BEGIN { print (a > b ? a : b) }')
done
printf '\n| %s articles | articles/s (best of %s) |\n|---|---:|\n' "$N" "$ROUNDS"
printf '| `newsdex add` | %.0f |\n| `_bulk` with the OpenSearch bulk helper | %.0f |\n' "$best_add" "$best_bulk"
printf '| _bulk / add | %.2f |\n' "$(awk -v a="$best_bulk" -v b="$best_add" 'BEGIN { print a / b }')"
