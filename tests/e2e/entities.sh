#!/bin/sh
# One name per person and per country, on the whole of the real news
# corpus (skipped without it): in the top 30 people and places of the
# facets of 20 broad queries, no person's value begins with a title word
# (so no "President Trump" beside "Donald Trump") and no two places are
# names of one country.  Prints what it found; the bare surnames that end
# another listed person are counted for information.  With the seed beside
# the corpus, show --links picks the editors' three topics at k = 3.
# Ends with "N passed, N failed[, N skipped]".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-entities-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

NEWS="$TEST_DATA/news"
if have_data "entities on the news corpus" "$NEWS/news-abp-part-00.jsonl.zst" "$NEWS/news-reuters21578.jsonl.zst"; then
  seed=; [ -f "$REAL_SEED" ] && seed=$REAL_SEED
  check "index the news corpus" 0 "$ND" add --db "$T/db" --quiet "$NEWS"/news-*.jsonl.zst $seed
  : >"$T/facets"
  for q in trump obama iraq election nato china brexit clinton bush immigration russia syria economy congress \
           '"supreme court"' healthcare iran korea police climate; do
    "$ND" search --db "$T/db" --json --limit 0 --facets people,places --facet-limit 30 "$q" >>"$T/facets" 2>"$T/err" ||
      bad "search $q"
  done
  if python3 - "$T/facets" >"$T/out" 2>&1 <<'P'
import json, sys
text = open(sys.argv[1]).read()
dec, docs, at = json.JSONDecoder(), [], 0
while at < len(text):
    while at < len(text) and text[at].isspace(): at += 1
    if at >= len(text): break
    d, at = dec.raw_decode(text, at)
    docs.append(d)
TITLES = {"President", "Pres.", "Vice", "Sen.", "Senator", "Rep.", "Representative", "Gov.", "Governor", "Mr.",
          "Mrs.", "Ms.", "Dr.", "Gen.", "Adm.", "Lt.", "Col.", "Capt.", "Sgt.", "Prof.", "Rev.", "Secretary",
          "Secretary-General", "Minister", "Prime", "Premier", "Chancellor", "Judge", "Justice", "Mayor", "Speaker",
          "King", "Queen", "Prince", "Pope", "Sheriff", "Ambassador", "Congressman", "Congresswoman", "Chairman"}
COUNTRIES = [{"United States", "U.S.", "US", "USA", "U.S.A.", "America", "United States of America"},
             {"United Kingdom", "U.K.", "UK", "Britain", "Great Britain"},
             {"Russia", "Russian Federation"}, {"South Korea", "Korea, Republic of", "Republic of Korea"},
             {"North Korea", "Korea, Democratic People's Republic of"}, {"Iran", "Iran, Islamic Republic of"},
             {"Syria", "Syrian Arab Republic"}]
titled, twins, surnames = [], [], []
for d in docs:
    people = [c["value"] for c in d["facets"]["people"]]
    places = [c["value"] for c in d["facets"]["places"]]
    for v in people:
        w = v.split()
        if w and w[0] in TITLES:
            titled.append((d["query"], v))
        if len(w) == 1 and any(o != v and o.split()[-1] == v for o in people):
            surnames.append((d["query"], v))
    for g in COUNTRIES:
        both = sorted(g & set(places))
        if len(both) > 1:
            twins.append((d["query"], both))
print("queries %d, people values %d, places values %d" % (len(docs), sum(len(d["facets"]["people"]) for d in docs),
      sum(len(d["facets"]["places"]) for d in docs)))
print("people values beginning with a title: %d %s" % (len(titled), titled[:10]))
print("places that are one country: %d %s" % (len(twins), twins[:10]))
print("bare surnames ending another person listed (information): %d %s" % (len(surnames), surnames[:10]))
for d in docs[:3]:
    print("%s: %s" % (d["query"], ", ".join("%s (%d)" % (c["value"], c["count"]) for c in d["facets"]["people"][:8])))
sys.exit(1 if titled or twins or len(docs) != 20 else 0)
P
  then ok "one name per person and per country in 20 queries' facets"; cat "$T/out"
  else bad "one name per person and per country in 20 queries' facets"; fi
  # the seed's editors' three topics at k = 3, with the whole corpus beside it
  if [ -n "$seed" ]; then
    check "seed: show --links" 0 "$ND" show --db "$T/db" --links "$REAL_SEED_ID"
    n=0; for t in "NATO" "Jaap de Hoop Scheffer" "Iraq war"; do grep -qF "$t (search)" "$T/out" && n=$((n + 1)); done
    if [ "$n" -eq 3 ]; then ok "seed: the editors' three topics at k=3 with the whole corpus"
    else bad "seed: $n of the editors' three topics at k=3 with the whole corpus"; fi
  else
    skipped "seed with the whole corpus" "$REAL_SEED not found"
  fi
fi
result
