#!/bin/sh
# End-to-end test of a search over three shards through the command, as a
# script would run one (docs/cli.md): each shard prints the query's figures
# (search --print-stats), stats-merge adds them up, each shard is searched
# with the sum (--stats), and the shards' hits merged by score must be the
# hits of one archive of all the articles, with the same scores.  Also:
# figures from stdin, malformed or another query's figures refused (exit
# 2, a message naming the line or the term), usage errors.  Ends with
# "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-shards-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

# The fixture articles, split over three shards by the id's digits.
python3 - "$FIXTURES/news.jsonl" "$T" <<'PY'
import json, sys
outs = [open("%s/part%d.jsonl" % (sys.argv[2], i), "w") for i in range(3)]
for line in open(sys.argv[1]):
    outs[int(json.loads(line)["id"].split(":")[1]) % 3].write(line)
PY
check "index the whole" 0 "$ND" add --quiet --db "$T/all" "$FIXTURES/news.jsonl"
for i in 0 1 2; do check "index shard $i" 0 "$ND" add --quiet --db "$T/s$i" "$T/part$i.jsonl"; done

# "score id" lines of a search --json, best first, 6 decimals
hits() { python3 -c 'import json,sys
for h in json.load(sys.stdin)["hits"]: print("%.6f %s" % (h["score"], h["id"]))'; }

# same_top WHOLE DIST: the same scores rank by rank, and the same ids above
# the last score (hits tied at the cut may be any of the tied ones).
same_top() { python3 - "$1" "$2" <<'PY'
import sys
a, b = ([l.split() for l in open(f)] for f in sys.argv[1:3])
cut = a[-1][0] if a else None
above = lambda l: sorted(i for s, i in l if s != cut)
sys.exit(0 if a and [s for s, _ in a] == [s for s, _ in b] and above(a) == above(b) else 1)
PY
}

# One distributed search: figures, sum, search each shard, merge.
distributed() { q=$1
  for i in 0 1 2; do "$ND" search --db "$T/s$i" --print-stats -- "$q" > "$T/st$i" || return 1; done
  "$ND" stats-merge "$T/st0" "$T/st1" "$T/st2" > "$T/sum" || return 1
  for i in 0 1 2; do
    "$ND" search --db "$T/s$i" --stats "$T/sum" --versions all --json --limit 10 -- "$q" | hits || return 1
  done | sort -k1,1gr -k2 | head -10 | sort -k1,1gr -k2 > "$T/dist"
}

n=0
for q in 'harbour' 'minister OR statement' '"told reporters" hollis' 'sanc* -france' 'title:france date:1990..2010' \
         'source:"harbour times" minister' 'place:ma* OR org:berg*'; do
  n=$((n + 1))
  if ! distributed "$q"; then bad "distributed search $n ($q)"; continue; fi
  "$ND" search --db "$T/all" --versions all --json --limit 10 -- "$q" | hits | sort -k1,1gr -k2 > "$T/whole"
  if same_top "$T/whole" "$T/dist"; then ok "three shards rank as one archive: $q"
  else diff "$T/whole" "$T/dist"; bad "three shards rank as one archive: $q"; fi
done

# Without the figures the scores differ (else the check above proves nothing).
q='minister OR statement'
for i in 0 1 2; do "$ND" search --db "$T/s$i" --versions all --json --limit 10 -- "$q" | hits; done |
  sort -k1,1gr -k2 | head -10 > "$T/own"
"$ND" search --db "$T/all" --versions all --json --limit 10 -- "$q" | hits | sort -k1,1gr -k2 > "$T/whole"
if same_top "$T/whole" "$T/own"; then bad "each shard's own figures score otherwise"; else ok "each shard's own figures score otherwise"; fi

# The sum is the whole archive's figures for the query.
distributed 'minister OR statement'
"$ND" search --db "$T/all" --print-stats 'minister OR statement' > "$T/whole.st"
if cmp -s "$T/sum" "$T/whole.st"; then ok "the sum is the whole's figures"; else diff "$T/sum" "$T/whole.st"; bad "the sum is the whole's figures"; fi
if head -1 "$T/sum" | grep -qx 'newsdex-stats 1' && tail -1 "$T/sum" | grep -qx 'end 2'; then ok "figures: header and end line"
else bad "figures: header and end line"; fi

# Figures from standard input; stats-merge reads - too.
cp "$T/sum" "$T/in"
check "--stats - reads stdin" 0 "$ND" search --db "$T/s0" --stats - --versions all --json --limit 10 -- 'minister OR statement'
"$ND" search --db "$T/s0" --stats "$T/sum" --versions all --json --limit 10 -- 'minister OR statement' > "$T/file.json"
if [ -n "$(hits < "$T/out")" ] && [ "$(hits < "$T/out")" = "$(hits < "$T/file.json")" ]; then ok "stdin and file alike"
else bad "stdin and file alike"; fi
cp "$T/st0" "$T/in"
check "stats-merge -" 0 "$ND" stats-merge - "$T/st1" "$T/st2"
if cmp -s "$T/out" "$T/sum"; then ok "stats-merge - is the same sum"; else bad "stats-merge - is the same sum"; fi
rm -f "$T/in"

# Refusals: another query's figures, malformed figures, usage.
check "another query's figures" 2 "$ND" search --db "$T/s1" --stats "$T/sum" -- 'harbour'
has "the missing term is named" 'no df for the term "harbour"' err
head -3 "$T/sum" > "$T/cut"
check "cut-short figures" 2 "$ND" search --db "$T/s1" --stats "$T/cut" -- 'minister OR statement'
has "the line is named" 'statistics given: line 4: the text ends before "body-len"' err
check "stats-merge of cut-short figures" 2 "$ND" stats-merge "$T/st0" "$T/cut"
has "stats-merge names the file and line" "$T/cut: line 4" err
sed 's/^newsdex-stats 1$/newsdex-stats 9/' "$T/st0" > "$T/v9"
check "another version" 2 "$ND" stats-merge "$T/v9"
has "the version is named" 'version "9": this build reads version 1' err
check "missing figures file" 1 "$ND" search --db "$T/s0" --stats "$T/nothing" harbour
has "the file is named" "cannot open $T/nothing" err
check "stats-merge needs a file" 2 "$ND" stats-merge
check "--print-stats and --stats" 2 "$ND" search --db "$T/s0" --print-stats --stats "$T/sum" harbour
check "--batch and --stats" 2 "$ND" search --db "$T/s0" --batch --stats "$T/sum"
check "--print-stats of a bad query" 2 "$ND" search --db "$T/s0" --print-stats 'harbour ('
has "with the caret" '\^' err
check "stats-merge --help" 0 "$ND" stats-merge --help
has "help names --print-stats" 'print-stats' out

result
