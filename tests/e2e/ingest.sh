#!/bin/sh
# End-to-end tests of reading the way Unix tools do: `newsdex add -`
# (standard input, plain or compressed), files without a known ending
# (split's batch-000) recognised by content, --format, .jsonl.gz and .json,
# bad inputs (binary garbage, a truncated gzip, a bad array element),
# title-only articles and "empty article", the progress bar (terminal,
# pipe, --quiet), and search --limit 0 on the command line and over HTTP.
# Every input is written here.  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-ingest-XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$T"' EXIT
. tests/lib.sh

# hits DB QUERY: the total of a search (--json), or "error".
hits() { "$ND" search --db "$1" --json --limit 0 -- "$2" 2>/dev/null |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null || echo error; }
# same NAME GOT WANT
same() { if [ "$2" = "$3" ]; then ok "$1"; else echo "  got '$2', expected '$3'"; bad "$1"; fi; }

cat > "$T/a.jsonl" <<'J'
{"id": "s1", "title": "Harbour Reopens After Storm", "date": "2004-03-01", "body": "The harbour reopened on Monday after the storm."}
{"id": "s2", "title": "Council Votes On Bridge", "date": "2004-03-02", "body": "The council voted for the bridge over the river."}
{"id": "s3", "title": "Lighthouse Keeper Retires", "date": "2005-01-09"}
{"id": "s4", "date": "2005-01-10"}
{"id": "s5", "title": "Ferry Timetable Changes", "date": "2005-02-11", "body": "The ferry will leave the harbour an hour earlier."}
J
zstd -q -c "$T/a.jsonl" > "$T/a.jsonl.zst"
gzip -c "$T/a.jsonl" > "$T/a.jsonl.gz"

# ---- standard input -------------------------------------------------------
D="$T/db1"
: > "$T/in"
cp "$T/a.jsonl" "$T/in"
check "jsonl on stdin: exit 3 (one empty article)" 3 "$ND" add --db "$D" -
has "stdin named in the report" '^(stdin):4: empty article$' err
has "summary counts stdin" "added 4 articles (1 rejected) from 1 files" err
same "stdin articles searchable" "$(hits "$D" harbour)" 2
cp "$T/a.jsonl.zst" "$T/in"
check "cat x.jsonl.zst | add -" 3 "$ND" add --db "$D" -
has "zstd stdin read" "added 4 articles" err
rm "$T/in"
if zstd -dc "$T/a.jsonl.zst" | "$ND" add --db "$T/db2" - >"$T/out" 2>"$T/err"; then st=0; else st=$?; fi
same "zstd -dc | add -: exit 3" "$st" 3
has "piped stdin read" "added 4 articles" err
same "piped articles searchable" "$(hits "$T/db2" council)" 1
cp "$T/a.jsonl.gz" "$T/in"
check "gzip on stdin" 3 "$ND" add --db "$T/db3" -
has "gzip stdin read" "added 4 articles" err
printf 'Tide Tables Printed\n\nThe tide tables for the harbour were printed.\n' > "$T/in"
check "plain text on stdin: one article" 0 "$ND" add --db "$T/db3" -
same "text from stdin searchable by title" "$(hits "$T/db3" 'title:tide')" 1
head -c 4096 /dev/urandom > "$T/in"
printf '\200' | cat - "$T/in" > "$T/in2"; mv "$T/in2" "$T/in"   # not a magic number
check "binary garbage on stdin: exit 3" 3 "$ND" add --db "$T/db3" -
has "garbage named and explained" '^(stdin): binary data' err
has "nothing added from garbage" "added 0 articles (1 rejected)" err
rm -f "$T/in"
check "stdin twice is a usage error" 2 "$ND" add --db "$T/db3" - -

# ---- files without a known ending (split) -----------------------------------
mkdir "$T/split"
(cd "$T/split" && split -l 2 -d -a 3 ../a.jsonl batch-)
check "split's batch files read as JSON Lines" 3 "$ND" add --db "$T/db4" "$T/split/batch-000" "$T/split/batch-001" "$T/split/batch-002"
has "line numbers within a batch file" "batch-001:2: empty article" err
same "batch articles searchable" "$(hits "$T/db4" ferry)" 1
printf 'Bridge Opens To Traffic\n\nThe new bridge opened this morning.\n' > "$T/note"
cp "$T/a.jsonl.zst" "$T/zpart"
cp "$T/a.jsonl.gz" "$T/gpart"
check "text, zstd and gzip without endings" 3 "$ND" add --db "$T/db5" "$T/note" "$T/zpart" "$T/gpart"
has "three inputs, 9 articles" "added 9 articles (2 rejected) from 3 files" err
check "text file without ending shown by its name" 0 "$ND" show --db "$T/db5" note
has "its title" "Bridge Opens To Traffic" out
head -c 3000 /dev/urandom > "$T/junk"; printf '\200' | cat - "$T/junk" > "$T/garbage"
check "binary garbage file: exit 3" 3 "$ND" add --db "$T/db5" "$T/garbage"
has "garbage file named" "garbage: binary data" err

# --format overrides recognition (and names stdin's format).
check "--format txt on JSON Lines" 0 "$ND" add --db "$T/db6" --format txt "$T/split/batch-000"
has "one article" "added 1 articles (0 rejected)" err
check "show it" 0 "$ND" show --db "$T/db6" batch-000
has "the JSON is its text" '"id": "s2"' out
printf 'line one\nline two\n' > "$T/in"
check "--format jsonl on text" 3 "$ND" add --db "$T/db6" --format jsonl -
has "each line invalid JSON" '^(stdin):2: invalid JSON' err
rm "$T/in"
check "--format bad value" 2 "$ND" add --db "$T/db6" --format csv "$T/note"
has "bad format named" "--format is 'jsonl', 'json' or 'txt'" err

# ---- .jsonl.gz, truncated gzip ---------------------------------------------------
check ".jsonl.gz file" 3 "$ND" add --db "$T/db7" "$T/a.jsonl.gz"
has ".jsonl.gz read" "added 4 articles" err
python3 - "$T" <<'P'
import gzip, sys
t = sys.argv[1]
lines = "".join('{"id": "g%d", "title": "Gale Report %d", "body": "Gale force winds %s."}\n' % (i, i, "x" * (i % 50)) for i in range(2000))
data = gzip.compress(lines.encode())
open(t + "/cut.jsonl.gz", "wb").write(data[: len(data) // 2])
P
check "truncated gzip: exit 3" 3 "$ND" add --db "$T/db8" "$T/cut.jsonl.gz"
has "truncation named with file and line" 'cut.jsonl.gz:[0-9][0-9]*: truncated gzip stream' err
n=$(hits "$T/db8" gale)
if [ "$n" != error ] && [ "$n" -gt 100 ] && [ "$n" -lt 2000 ]; then ok "records before the cut kept ($n)"; else bad "records before the cut kept ($n)"; fi

# ---- .json arrays ----------------------------------------------------------------------
cat > "$T/arr.json" <<'J'
[
  {"id": "j1", "title": "Snow Closes Schools", "body": "Snow closed the schools."},
  {"id": "j2", "title": "Bad Body", "body": ["not", "text"]},
  {"id": "j3", "title": "Market Day Moves", "body": "Market day moves to Friday."},
  {"id": "j4"}
]
J
check "JSON array with bad elements: exit 3" 3 "$ND" add --db "$T/db9" "$T/arr.json"
has "bad element reported with its index" 'arr.json:\[1\]: body is not a string' err
has "empty element reported" 'arr.json:\[3\]: empty article' err
same "good elements indexed" "$(hits "$T/db9" 'snow OR market')" 2
cp "$T/arr.json" "$T/in"
check "JSON array on stdin" 3 "$ND" add --db "$T/db9" -
has "stdin element index" '(stdin):\[1\]: body is not a string' err
rm "$T/in"

# ---- title-only articles ------------------------------------------------------------------
same "title-only article found by a title word" "$(hits "$D" keeper)" 1
check "title-only article shown" 0 "$ND" show --db "$D" s3
has "its title shown" "Lighthouse Keeper Retires" out
check "title-only hit listed" 0 "$ND" search --db "$D" keeper
has "its title is the snippet, marked" "Lighthouse \[Keeper\] Retires" out
check "title-only article linked" 0 "$ND" show --db "$D" --links s3
check "nothing at all: empty article" 3 "$ND" add --db "$D" "$T/split/batch-001"
has "empty article named" "batch-001:2: empty article" err

# ---- search --limit 0 ---------------------------------------------------------------------
check "--limit 0" 0 "$ND" search --db "$D" --limit 0 harbour
if [ "$(cat "$T/out")" = "2 hits" ]; then ok "--limit 0 prints the count alone"; else bad "--limit 0 prints the count alone"; fi
check "--limit 0 --json" 0 "$ND" search --db "$D" --json --limit 0 harbour
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["total"] == 2 and d["hits"] == [] and d["limit"] == 0 and d["total_exact"] else 1)' "$T/out"
then ok "--json: total, no hits"; else bad "--json: total, no hits"; fi
check "--limit 0 with facets" 0 "$ND" search --db "$D" --limit 0 --facets source harbour
has "facets still printed" "^source:" out
check "--limit 0 --count lower-bound counts exactly" 0 "$ND" search --db "$D" --json --limit 0 --count lower-bound 'harbour OR council'
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["total"] == 3 and d["hits"] == [] else 1)' "$T/out"
then ok "exact total"; else bad "exact total"; fi
printf 'harbour\ncouncil\n' > "$T/in"
check "--batch --limit 0" 0 "$ND" search --db "$D" --batch --limit 0
if [ "$(printf '2\t\n1\t')" = "$(cat "$T/out")" ]; then ok "batch totals without ids"; else bad "batch totals without ids"; fi
rm "$T/in"

# ---- limit=0 over HTTP ----------------------------------------------------------------------
"$ND" serve --db "$D" --port 0 > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
port=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.out" "$T/serve.err" | head -1)
  [ -n "$port" ] && break
  sleep 0.25
done
if [ -n "$port" ]; then ok "server started on port $port"; else bad "server started"; fi
python3 - "$port" > "$T/out" 2>&1 <<'P'
import json, sys, urllib.request, urllib.error
base = "http://127.0.0.1:%s" % sys.argv[1]
def get(path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
st, d = get("/api/search?q=harbour&limit=0&histogram=year&facets=source")
print("status", st)
print("total", d.get("total"))
print("hits", len(d.get("hits", [1])))
print("limit", d.get("limit"))
print("buckets", ",".join("%s=%s" % (b.get("value"), b.get("count")) for b in d.get("histogram", {}).get("buckets", [])))
print("facets", "source" in d.get("facets", {}))
st, d = get("/api/search?q=harbour&limit=1")
print("one", st, len(d.get("hits", [])))
st, d = get("/api/search?q=harbour&limit=-1")
print("negative", st)
P
has "API limit=0: 200" "^status 200$" out
has "API limit=0: total" "^total 2$" out
has "API limit=0: no hits" "^hits 0$" out
has "API limit=0: limit echoed" "^limit 0$" out
has "API limit=0: histogram" "^buckets 2004=1,2005=1$" out
has "API limit=0: facets" "^facets True$" out
has "API limit=1 still one hit" "^one 200 1$" out
has "API negative limit refused" "^negative 400$" out
kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; SERVER=

# ---- progress: a terminal, a pipe, --quiet ----------------------------------------------------
check "no progress on a pipe" 3 "$ND" add --db "$T/db10" "$T/a.jsonl"
if grep -q "articles/s" "$T/err" && ! grep -q "$(printf '\r')" "$T/err"; then ok "only the summary on a pipe"; else bad "only the summary on a pipe"; fi
check "--quiet" 0 "$ND" add --db "$T/db10" --quiet "$T/note"
if [ ! -s "$T/err" ]; then ok "--quiet: nothing on stderr"; else bad "--quiet: nothing on stderr"; fi
check "--quiet keeps rejections" 3 "$ND" add --db "$T/db10" --quiet "$T/a.jsonl"
if [ "$(cat "$T/err")" = "$T/a.jsonl:4: empty article" ]; then ok "--quiet: only the rejection"; else bad "--quiet: only the rejection"; fi
if command -v script >/dev/null 2>&1; then
  python3 - "$T" <<'P'
import sys
t = sys.argv[1]
with open(t + "/many.jsonl", "w") as f:
    for i in range(30000):
        f.write('{"id": "m%d", "title": "Item %d", "body": "Harbour note number %d about boats and tides."}\n' % (i, i, i))
P
  script -qec "$ND add --db $T/db11 --threads 1 $T/many.jsonl" /dev/null > "$T/tty" 2>&1
  tr '\r' '\n' < "$T/tty" > "$T/out"
  has "terminal: a bar with share read" '^\[[#.]*\] *[0-9]*%  [0-9]* articles  [0-9.]*/[0-9.]* MB  [0-9]* articles/s' out
  has "terminal: the summary" "added 30000 articles" out
  script -qec "$ND add --db $T/db12 --quiet $T/many.jsonl" /dev/null > "$T/tty" 2>&1
  if [ ! -s "$T/tty" ]; then ok "terminal --quiet: nothing"; else bad "terminal --quiet: nothing"; fi
  script -qec "sh -c 'cat $T/many.jsonl | $ND add --db $T/db13 -'" /dev/null > "$T/tty" 2>&1
  tr '\r' '\n' < "$T/tty" > "$T/out"
  hasnt "terminal, size unknown: no share" '%' out
  has "terminal, size unknown: counts" '^[0-9]* articles, [0-9.]* MB, [0-9]* articles/s' out
else
  echo "skip: no script(1) for the terminal tests"
fi

echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]
