#!/bin/sh
# End-to-end tests of `newsdex search --batch`: every line must equal what a
# single `newsdex search --json` run gives for that query (total and ids in
# rank order).  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-batch-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

DB="$T/db"
: > "$T/in"
check "index samples" 0 "$ND" add --db "$DB" samples/

# The queries: words, AND, OR, NOT, phrases, prefixes, fields, dates, no hits.
cat > "$T/queries" <<'Q'
harbour
harbour storm
storm OR council
council -harbour
"harbour reopened"
harb*
title:council
harbour date:2004
zzzznothing
Q

# The expected lines, one single run per query.
: > "$T/expected"
while IFS= read -r q; do
  "$ND" search --db "$DB" --json --limit 3 -- "$q" > "$T/one.json" 2>>"$T/err"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d\t%s" % (d["total"], ",".join(h["id"] for h in d["hits"])))' "$T/one.json" >> "$T/expected"
done < "$T/queries"
if [ "$(wc -l < "$T/expected")" -eq 9 ] && [ "$(cut -f1 "$T/expected" | sort -u | wc -l)" -gt 3 ]; then
  ok "single runs give varied totals"
else bad "single runs give varied totals"; fi

cp "$T/queries" "$T/in"
check "batch runs" 0 "$ND" search --db "$DB" --batch --limit 3
if cmp -s "$T/out" "$T/expected"; then ok "batch equals single runs"
else diff "$T/expected" "$T/out"; bad "batch equals single runs"; fi
if [ -s "$T/err" ]; then bad "no timings unless asked"; else ok "no timings unless asked"; fi
if tail -1 "$T/out" | grep -qx "$(printf '0\t')"; then ok "no hits: empty after the tab"; else bad "no hits: empty after the tab"; fi

# --timings: one "#qt_ns N" per query, in order, on stderr only.
check "batch with timings" 0 "$ND" search --db "$DB" --batch --limit 3 --timings
if cmp -s "$T/out" "$T/expected"; then ok "timings leave stdout alone"; else bad "timings leave stdout alone"; fi
if [ "$(grep -c '^#qt_ns [1-9][0-9]*$' "$T/err")" -eq 9 ] && [ "$(wc -l < "$T/err")" -eq 9 ]; then
  ok "one timing per query"; else bad "one timing per query"; fi

# A bad query gets an error line; the others still run; exit status 2.
printf 'harbour\n(storm\nharbour storm\nx*\n\n' > "$T/in"
check "bad query exit 2" 2 "$ND" search --db "$DB" --batch --limit 3 --timings
if [ "$(wc -l < "$T/out")" -eq 5 ]; then ok "one line per query"; else bad "one line per query"; fi
if sed -n 1p "$T/out" | cmp -s - "$(sed -n 1p "$T/expected" > "$T/l1"; echo "$T/l1")"; then ok "line before the error"; else bad "line before the error"; fi
if sed -n 2p "$T/out" | grep -q "^error	unbalanced \"(\" at 0"; then ok "error line names the problem"; else bad "error line names the problem"; fi
if sed -n 3p "$T/out" | cmp -s - "$(sed -n 2p "$T/expected" > "$T/l2"; echo "$T/l2")"; then ok "line after the error"; else bad "line after the error"; fi
if sed -n 4p "$T/out" | grep -q "^error	prefix \"x\*\" at 0 is too short"; then ok "short prefix is an error line"; else bad "short prefix is an error line"; fi
if sed -n 5p "$T/out" | grep -q "^error	empty query"; then ok "empty line is an empty query"; else bad "empty line is an empty query"; fi
if [ "$(grep -c '^#qt_ns ' "$T/err")" -eq 5 ]; then ok "failed queries are timed too"; else bad "failed queries are timed too"; fi

# --count lower-bound: same ids; a total between the hits shown and the exact one.
cp "$T/queries" "$T/in"
check "lower-bound count" 0 "$ND" search --db "$DB" --batch --limit 3 --count lower-bound
if python3 - "$T/out" "$T/expected" <<'P'
import sys
got = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
exp = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
assert len(got) == len(exp), (got, exp)
for (gt, gi), (et, ei) in zip(got, exp):
    assert gi == ei, (gi, ei)
    n = len(gi.split(",")) if gi else 0
    assert n <= int(gt) <= int(et), (gt, et, gi)
P
then ok "lower-bound totals bounded, same ids"; else bad "lower-bound totals bounded, same ids"; fi

# An empty stdin is an empty batch.
: > "$T/in"
check "empty batch" 0 "$ND" search --db "$DB" --batch --limit 3
if [ -s "$T/out" ]; then bad "empty batch prints nothing"; else ok "empty batch prints nothing"; fi

# Usage errors.
check "batch with a QUERY" 2 "$ND" search --db "$DB" --batch harbour
has "says no QUERY" "give no QUERY" err
check "batch with json" 2 "$ND" search --db "$DB" --batch --json
check "timings without batch" 2 "$ND" search --db "$DB" --timings harbour
has "says timings needs batch" "needs --batch" err
check "bad count" 2 "$ND" search --db "$DB" --batch --count maybe
has "names the count values" "'exact' or 'lower-bound'" err
check "count in a single search" 0 "$ND" search --db "$DB" --json --count exact harbour
has "json total_exact" '"total_exact": true' out
check "missing archive" 5 "$ND" search --db "$T/nowhere" --batch

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
