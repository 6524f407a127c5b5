#!/bin/sh
# Archives of segment format 8 (written forms of key topics and aliases
# kept as they are in the dictionary, keyword terms with positions) stay
# readable: tests/fixtures/format8/archive.tar.zst was written by newsdex at
# format 8 from the articles tests/fixtures/format8/gen.py prints, names in
# mixed case among them.  The old archive, the same articles indexed now
# and both after `optimize` must answer every query alike, facets of key
# topics with their written forms included (tests/old_format.sh).  Ends
# with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-format8-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh
. tests/old_format.sh

# Topic fields (whole names, prefixes, presence), sources, words, phrases.
cat > "$T/queries" <<'Q'
topic:"AT&T Harbour Systems"
person:"Douglas MacArthur-Vane"
person:"j howard mckellen" OR org:"u.n. water panel"
place:"Gdańsk Bay"
org:*
topic:mount*
person:kowalczyk
source:"valley news" harbour
harbour
"harbour systems"
"said on monday"
Q
old_format tests/fixtures/format8 8 200 "$T/queries" --facets people,organisations,places,topics,source --facet-limit 50
# the facets name topics by their written forms, which format 9 codes
"$ND" search --db "$T/opt" --json --facets topics --facet-limit 100 harbour > "$T/out" 2>&1
for form in "AT&T Harbour Systems" "Douglas MacArthur-Vane" "U.N. Water Panel" "Zoë Kowalczyk" "McAllister & Sons"; do
  grep -q "$form" "$T/out" && ok "a facet reads \"$form\"" || bad "a facet reads \"$form\""
done
result
