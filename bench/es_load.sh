#!/bin/sh
# The Elasticsearch API's overhead: the same searches through newsdex's own
# /api/search and through /{index}/_search (query_string with the same
# query, AND as default operator, so that both run the same newsdex query),
# with wrk on loopback: requests/s and p99 at 1 and 8 connections, and the
# ratio.  Both return 10 hits with their fields and a highlighted
# snippet of the body (/api/search always makes snippets; the ES request
# asks for a body highlight).  Two ES forms: "fields" asks for the _source
# fields that /api/search returns (title, date, source, url: the same
# answer), "full" for the whole _source (ES's default: every body too).  The archive holds every
# article of ../shared/data/news (indexed first unless NEWSDEX_BENCH_DB names
# one).  Usage: sh bench/es_load.sh [BUILD]     (DURATION=10 seconds a run)
set -e
BUILD=${1:-build}
ND="$PWD/$BUILD/newsdex"
SHARED=${ND_SHARED:-../shared}
DURATION=${DURATION:-10}
T=$(mktemp -d /tmp/nd-esload-XXXXXX)
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/root"
DB=${NEWSDEX_BENCH_DB:-$T/root/news}
if [ ! -d "$DB" ]; then
  echo "indexing $SHARED/data/news ..."
  "$ND" add --db "$DB" --quiet "$SHARED"/data/news/*.zst >/dev/null
fi
[ "$DB" = "$T/root/news" ] || ln -s "$(cd "$DB" && pwd)" "$T/root/news"
"$ND" serve --root "$T/root" --port 0 2>"$T/log" &
PID=$!
for _ in $(seq 100); do grep -q 'http://' "$T/log" && break; sleep 0.1; done
URL=$(sed -n 's|.*\(http://[^ ]*/\).*|\1|p' "$T/log" | head -1)
[ -n "$URL" ] || { cat "$T/log"; exit 1; }
# The queries, in newsdex's language (also valid Lucene syntax).
QUERIES='nato|president trump|"health care"|iraq OR syria|climate change|title:market|oil prices|supreme court|econom*|election date:2016'
for kind in fields full; do
  python3 - "$kind" "$QUERIES" > "$T/$kind.lua" <<'PY'
import json, sys, urllib.parse
kind, qs = sys.argv[1], sys.argv[2].split("|")
api, es = [], []
for q in qs:
    api.append("/api/search?index=news&versions=all&limit=10&q=" + urllib.parse.quote(q))
    body = {"query": {"query_string": {"query": q, "default_operator": "AND"}}, "size": 10,
            "highlight": {"fields": {"body": {}}}}
    if kind == "fields":
        body["_source"] = ["title", "date", "source", "url"]
    es.append(json.dumps(body))
lua = lambda xs: "{" + ",".join(json.dumps(x) for x in xs) + "}"
print("local api = " + lua(api))
print("local es = " + lua(es))
print("""local i = 0
local mode = os.getenv("MODE")
request = function()
  i = i + 1
  if mode == "api" then return wrk.format("GET", api[(i % #api) + 1]) end
  return wrk.format("POST", "/news/_search", {["Content-Type"] = "application/json"}, es[(i % #es) + 1])
end""")
PY
done
run() { # MODE KIND CONNECTIONS -> "rps p99"
  th=$3; [ "$th" -gt 2 ] && th=2
  MODE=$1 wrk -t"$th" -c"$3" -d"${DURATION}s" --latency -s "$T/$2.lua" "$URL" > "$T/wrk"
  if grep -qE 'Non-2xx|Socket errors' "$T/wrk"; then grep -E 'Non-2xx|Socket errors' "$T/wrk" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$T/wrk") $(awk '$1 == "99%" {print $2}' "$T/wrk")"
}
printf '| requests | connections | /api/search req/s (p99) | /_search req/s (p99) | ES / api req/s |\n|---|---:|---:|---:|---:|\n'
for kind in fields full; do
  for c in 1 8; do
    # interleaved: api, es, api, es; the better of each pair
    a1=$(run api $kind $c); e1=$(run es $kind $c); a2=$(run api $kind $c); e2=$(run es $kind $c)
    python3 - "$kind" "$c" "$a1" "$a2" "$e1" "$e2" <<'PY'
import sys
kind, c = sys.argv[1], sys.argv[2]
best = lambda a, b: max((a.split(), b.split()), key=lambda x: float(x[0]))
a = best(sys.argv[3], sys.argv[4]); e = best(sys.argv[5], sys.argv[6])
label = "10 hits, fields + highlight" if kind == "fields" else "10 hits, whole _source + highlight"
print(f"| {label} | {c} | {float(a[0]):.0f} ({a[1]}) | {float(e[0]):.0f} ({e[1]}) | {float(e[0]) / float(a[0]):.2f} |")
PY
  done
done
