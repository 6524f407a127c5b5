#!/bin/sh
# Archives of segment format 7 (postings blocks in Stream VByte) stay
# readable: tests/fixtures/format7/archive.tar.zst was written by newsdex
# 0.1 at format 7 from the articles tests/fixtures/format7/gen.py prints.
# The old archive, the same articles indexed now (bit-packed postings) and
# the old archive after `optimize` (its postings rewritten packed) must
# answer every query alike (tests/old_format.sh).  Ends with "N passed, N
# failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-format7-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

. tests/old_format.sh

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
old_format tests/fixtures/format7 7 250 "$T/queries"
# a common word's postings fill blocks of 128 in at least one of the old
# archive's two segments, so both codecs' full blocks are read
"$ND" search --db "$T/old" --limit 0 council > "$T/out" 2>&1
total=$(sed -n 's/^\([0-9][0-9]*\) hits.*/\1/p' "$T/out" | head -1)
[ "${total:-0}" -gt 256 ] && ok "a common word spans full blocks ($total matches)" || bad "a common word spans full blocks"
result
