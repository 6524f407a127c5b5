#!/bin/sh
# Archives of segment format 7 (postings blocks in Stream VByte) stay
# readable: tests/fixtures/format7/archive.tar.zst was written by newsdex
# 0.1 at format 7 from the articles tests/fixtures/format7/gen.py prints.
# The old archive, the same articles indexed now (format 8, bit-packed
# postings) and the old archive after `optimize` (its postings rewritten
# packed) must answer every query alike, scores and snippets included, and
# pass `newsdex check`: the old archive as the new one built alike, the
# optimized old one as the optimized new one.  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-format7-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

: > "$T/in"
zstd -dc tests/fixtures/format7/archive.tar.zst | tar -C "$T" -xf - && mv "$T/f7" "$T/old"
check "the old archive unpacks" 0 test -f "$T/old/s000001.meta"
magic() { head -c 8 "$1"; }
[ "$(magic "$T/old/s000001.meta")" = NDDXMET7 ] && ok "its segments are of format 7" || bad "its segments are of format 7"
check "the old archive passes check" 0 "$ND" check --db "$T/old"
python3 tests/fixtures/format7/gen.py > "$T/articles.jsonl"
# as the old archive was made: two adds of 250, so that each query is
# scored segment by segment alike (a different split can change the order
# in which a document's term scores are added, and so their last bits)
head -n 250 "$T/articles.jsonl" > "$T/a.jsonl"
tail -n +251 "$T/articles.jsonl" > "$T/b.jsonl"
check "the same articles indexed now" 0 sh -c "'$ND' add --db '$T/new' '$T/a.jsonl' && '$ND' add --db '$T/new' '$T/b.jsonl'"
newmeta=$(ls "$T/new"/s*.meta | head -1)
[ "$(magic "$newmeta")" = NDDXMET8 ] && ok "new segments are of format 8" || bad "new segments are of format 8"
cp -r "$T/old" "$T/opt"
cp -r "$T/new" "$T/newopt"
check "the old archive optimizes" 0 "$ND" optimize --db "$T/opt"
check "the new archive optimizes" 0 "$ND" optimize --db "$T/newopt"
optmeta=$(ls "$T/opt"/s*.meta)
[ "$(echo "$optmeta" | wc -l)" -eq 1 ] && [ "$(magic "$optmeta")" = NDDXMET8 ] && ok "optimize rewrote it at format 8" \
  || bad "optimize rewrote it at format 8"
check "the optimized archive passes check" 0 "$ND" check --db "$T/opt"

# Words of every frequency (the common ones have full blocks of 128 in each
# segment), ANDs, ORs, exclusions, phrases, prefixes, fields, dates.
cat > "$T/queries" <<'Q'
council
minister
winter
week
council minister
council minister court
storm OR flood OR fire
council -minister
"council minister"
"fire smoke"
"minister court budget"
mi*
title:council
council date:2004-03..2004-08
source:"valley news" fire
Q
same=0; differ=0; hits=0
while IFS= read -r q; do
  for db in old new opt newopt; do
    for sort in relevance date; do
      "$ND" search --db "$T/$db" --json --versions all --limit 50 --sort $sort -- "$q" 2>&1 |
        grep -v '"took_ms"' > "$T/$db.$sort.out"
    done
  done
  for sort in relevance date; do
    if cmp -s "$T/old.$sort.out" "$T/new.$sort.out" && cmp -s "$T/opt.$sort.out" "$T/newopt.$sort.out"; then
      same=$((same + 1))
    else
      differ=$((differ + 1)); echo "  differs: $q (--sort $sort)"
    fi
  done
  grep -q '"score"' "$T/old.relevance.out" && hits=$((hits + 1))
done < "$T/queries"
[ "$differ" -eq 0 ] && [ "$same" -eq 30 ] && ok "old and new, before and after optimize, answer alike ($same query runs)" \
  || bad "old and new, before and after optimize, answer alike ($differ of 30 differ)"
[ "$hits" -eq 15 ] && ok "every query has hits" || bad "every query has hits ($hits of 15)"
# a common word's postings fill blocks of 128 in at least one of the old
# archive's two segments, so both codecs' full blocks are read
"$ND" search --db "$T/old" --limit 0 council > "$T/out" 2>&1
total=$(sed -n 's/^\([0-9][0-9]*\) hits.*/\1/p' "$T/out" | head -1)
[ "${total:-0}" -gt 256 ] && ok "a common word spans full blocks ($total matches)" || bad "a common word spans full blocks"
result
