#!/bin/sh
# End-to-end tests of the key-topic links: show --links/--html/--json/-k and
# eval-links, with the seed-shaped fixture indexed among the invented
# articles (and the real seed among real ones when the data is there).
# Ends with "N passed, N failed[, N skipped]".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-links-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

# How many of the editors' topics (a "|"-separated list) carry " (search)"
# in the output?
editors() { n=0; old_ifs=$IFS; IFS='|'
  for t in $1; do grep -qF "$t (search)" "$T/out" && n=$((n + 1)); done; IFS=$old_ifs; echo $n; }

# seed_links LABEL DB ID "T1|T2|T3" FIRST K3_MIN: show --links with k = 3
# and 5 and the JSON spans of a seed-shaped article in an archive.
seed_links() { l=$1; db=$2; id=$3; marked=$4; first=$5; k3min=$6
  check "$l: show --links" 0 "$ND" show --db "$db" --links "$id"
  n=$(editors "$marked"); if [ "$n" -ge "$k3min" ]; then ok "$l: k=3: $n of the editors' 3 topics"; else bad "$l: k=3: only $n of the editors' 3 topics"; fi
  m=$(grep -o "(search)" "$T/out" | wc -l)
  if [ "$m" -eq 3 ]; then ok "$l: k=3: three markers"; else bad "$l: k=3: $m markers"; fi
  has "$l: first mention marked, as the seed has it" "^$first (search)" out
  check "$l: show -k 5" 0 "$ND" show --db "$db" -k 5 "$id"
  n=$(editors "$marked"); if [ "$n" -ge $((k3min + 1)) ]; then ok "$l: k=5: $n of the editors' 3 topics"; else bad "$l: k=5: only $n of the editors' 3 topics"; fi
  # JSON spans: real substrings of the body, typed, scored, best 3
  check "$l: show --json --links" 0 "$ND" show --db "$db" --json --links "$id"
  if python3 - "$T/out" "$first" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["body"].encode("utf-8")
L = d["links"]
assert len(L) == 3, L
assert [l["start"] for l in L] == sorted(l["start"] for l in L), L
for l in L:
    span = b[l["start"]:l["end"]].decode("utf-8")
    assert span and span in l["text"] or l["text"].endswith(span) or span.endswith(l["text"].split()[-1]), (span, l)
    assert l["type"] in ("person", "organisation", "place", "other"), l
    assert isinstance(l["score"], float) and l["mentions"] >= 1 and l["articles"] >= 1, l
first = sys.argv[2]
assert L[0]["text"] == first and L[0]["start"] == 0 and L[0]["end"] == len(first.encode()), L[0]
P
  then ok "$l: json spans"; else bad "$l: json spans"; fi
}

# The seed-shaped fixture among the invented articles: its editors' three
# topics are "ANFA", "Pieter van der Aa" and "cod war" (a phrase no other
# article has, so the archive gives it no weight).
DB="$T/db"
ID=$SEED_FIXTURE_ID
check "build archive" 0 "$ND" add --db "$DB" "$FIXTURES/news.jsonl" "$SEED_FIXTURE"
seed_links "seed fixture" "$DB" "$ID" "ANFA|Pieter van der Aa|cod war" ANFA 1
# The real seed among real articles: NATO, Jaap de Hoop Scheffer, Iraq war.
if have_data "the real seed's links" "$REAL_SEED" "$TEST_DATA/news/sample-1000.jsonl" "$TEST_DATA/news/news-bbc.jsonl.zst"; then
  check "build real archive" 0 "$ND" add --db "$T/realdb" "$TEST_DATA/news/sample-1000.jsonl" \
        "$TEST_DATA/news/news-bbc.jsonl.zst" "$REAL_SEED"
  seed_links "real seed" "$T/realdb" "$REAL_SEED_ID" "NATO|Jaap de Hoop Scheffer|Iraq war" NATO 2
  check "eval real seed k=5" 0 "$ND" eval-links --db "$T/realdb" -k 5 "$REAL_SEED"
  has "real seed all found" "$REAL_SEED_ID: 3 of 3 marked terms found" out
  has "real seed recall 1" "lenient: .*R 1.000" out
fi

# HTML: links to the search page, escaped
check "show --html" 0 "$ND" show --db "$DB" --html "$ID"
has "html ANFA link" '<p><a href="/search?q=ANFA">ANFA</a>' out
has "html phrase link" 'href="/search?q=%22' out
cat > "$T/esc.jsonl" <<'J'
{"id": "esc1", "title": "Tom & Jerry <Show>", "body": "Mayor Ann Lee met Tom Reed at the Kent & Hale Company. Lee said Reed said \"yes\" & <b>no</b>.\n\nLee left."}
J
check "add escaping article" 0 "$ND" add --db "$DB" "$T/esc.jsonl"
check "show --html escapes" 0 "$ND" show --db "$DB" --html -k 2 esc1
has "html title escaped" "<h1>Tom &amp; Jerry &lt;Show&gt;</h1>" out
has "html body escaped" "&quot;yes&quot; &amp; &lt;b&gt;no&lt;/b&gt;." out
has "html phrase address" '<a href="/search?q=%22Ann+Lee%22">Ann Lee</a>' out
has "two paragraphs" "<p>Lee left.</p>" out

# usage errors and failures
check "k 0 refused" 2 "$ND" show --db "$DB" -k 0 "$ID"
has "k message" "topics wants a whole number from 1 to 100" err
check "json and html refused" 2 "$ND" show --db "$DB" --json --html "$ID"
check "unknown id" 5 "$ND" show --db "$DB" --links no-such-id
check "k needs a value" 2 "$ND" show --db "$DB" "$ID" -k

# eval-links
check "eval seed fixture k=5" 0 "$ND" eval-links --db "$DB" -k 5 "$SEED_FIXTURE"
has "seed fixture found" "$ID: [23] of 3 marked terms found" out
has "summary line" "marked articles: 1, k = 5" out
has "speed line" "^linking: 1 articles" out
check "eval without archive" 0 "$ND" eval-links --summary "$SEED_FIXTURE"
has "text only noted" "no archive: text only" out
FOX="$TEST_DATA/linking/fox-dev.jsonl"
if have_data "eval-links on fox-dev" "$FOX"; then
  check "eval fox-dev" 0 "$ND" eval-links --db "$DB" "$FOX"
  has "fox-dev articles" "marked articles: 12, k = 3" out
  has "per-article listing" "^  misses:" out
  has "fox speed line" "^linking: 12 articles" out
fi
printf '%s\n' '{"id": "x", "text": "no body here"}' '[1,2]' > "$T/bad.jsonl"
check "eval bad input" 1 "$ND" eval-links "$T/bad.jsonl" "$SEED_FIXTURE"
has "bad record named" "bad.jsonl:1: no \"body_with_markers\"" err
has "bad line named" "bad.jsonl:2: not a JSON object" err
check "eval no files" 2 "$ND" eval-links --db "$DB"
check "eval missing archive" 5 "$ND" eval-links --db "$T/none" "$SEED_FIXTURE"
KP="$TEST_DATA/keyphrases/kpcrowd500n.jsonl"
if have_data "eval-links on key phrases" "$KP"; then
  grep -m 3 '"body_missing": false' "$KP" > "$T/kp.jsonl"
  check "eval key phrases" 0 "$ND" eval-links --summary "$T/kp.jsonl"
  has "kp at 10" "@10 lenient:" out
fi

result
