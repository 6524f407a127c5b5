#!/bin/sh
# End-to-end tests of the key-topic links: show --links/--html/--json/-k and
# eval-links, with the seed article indexed among a few thousand corpus
# articles.  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
SHARED=${ND_SHARED:-../shared}
SEED="$SHARED/seed/000_be9abb58446af4f7.txt"
FOX="$SHARED/data/linking/fox-dev.jsonl"
T=$(mktemp -d /tmp/nd-links-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

DB="$T/db"
ID=000_be9abb58446af4f7
check "build archive" 0 "$ND" add --db "$DB" "$SHARED/data/news/sample-1000.jsonl" \
      "$SHARED/data/news/news-bbc.jsonl.zst" "$SEED"
# How many of the editors' three topics carry " (search)" in the output?
editors() { n=0
  for t in "NATO (search)" "Jaap de Hoop Scheffer (search)" "Iraq war (search)"; do
    grep -qF "$t" "$T/out" && n=$((n + 1)); done; echo $n; }
check "show --links" 0 "$ND" show --db "$DB" --links "$ID"
n=$(editors); if [ "$n" -ge 2 ]; then ok "k=3: $n of the editors' 3 topics"; else bad "k=3: only $n of the editors' 3 topics"; fi
m=$(grep -o "(search)" "$T/out" | wc -l)
if [ "$m" -eq 3 ]; then ok "k=3: three markers"; else bad "k=3: $m markers"; fi
has "first mention marked, as the seed has it" "^NATO (search)" out
check "show -k 5" 0 "$ND" show --db "$DB" -k 5 "$ID"
n=$(editors); if [ "$n" -eq 3 ]; then ok "k=5: all 3 editors' topics"; else bad "k=5: only $n of the editors' 3 topics"; fi

# JSON spans: real substrings of the body, typed, scored, best 3
check "show --json --links" 0 "$ND" show --db "$DB" --json --links "$ID"
if python3 - "$T/out" <<'P'
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
assert L[0]["text"] == "NATO" and L[0]["start"] == 0 and L[0]["end"] == 4, L[0]
P
then ok "json spans"; else bad "json spans"; fi

# HTML: links to the search page, escaped
check "show --html" 0 "$ND" show --db "$DB" --html "$ID"
has "html NATO link" '<p><a href="/search?q=NATO">NATO</a>' out
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
check "eval seed k=5" 0 "$ND" eval-links --db "$DB" -k 5 "$SEED"
has "seed all found" "$ID: 3 of 3 marked terms found" out
has "seed recall 1" "lenient: .*R 1.000" out
check "eval fox-dev" 0 "$ND" eval-links --db "$DB" "$FOX"
has "fox-dev articles" "marked articles: 12, k = 3" out
has "per-article listing" "^  misses:" out
has "speed line" "^linking: 12 articles" out
check "eval without archive" 0 "$ND" eval-links --summary "$FOX"
has "text only noted" "no archive: text only" out
printf '%s\n' '{"id": "x", "text": "no body here"}' '[1,2]' > "$T/bad.jsonl"
check "eval bad input" 1 "$ND" eval-links "$T/bad.jsonl" "$SEED"
has "bad record named" "bad.jsonl:1: no \"body_with_markers\"" err
has "bad line named" "bad.jsonl:2: not a JSON object" err
check "eval no files" 2 "$ND" eval-links --db "$DB"
check "eval missing archive" 5 "$ND" eval-links --db "$T/none" "$SEED"
grep -m 3 '"body_missing": false' "$SHARED/data/keyphrases/kpcrowd500n.jsonl" > "$T/kp.jsonl"
check "eval key phrases" 0 "$ND" eval-links --summary "$T/kp.jsonl"
has "kp at 10" "@10 lenient:" out

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
