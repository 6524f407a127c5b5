#!/bin/sh
# The benchmark's adapters (bench/fts5.c, bench/xapian.cc) stay compiling
# and honest: known answers on a small fixture, the subset's errors, and
# agreement of the three engines' totals on the AND and phrase queries drawn
# from the invented articles (and from sample-1000.jsonl when the
# third-party data is there), and ranking quality on Cranfield (third-party,
# skipped when absent).  Ends with "N passed, N failed[, N skipped]".
BUILD=${BUILD:-build}
T=$(mktemp -d /tmp/nd-bench-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

: > "$T/in"
check "adapters build" 0 make -s BUILD="$BUILD" "$BUILD/bench/fts5" "$BUILD/bench/xapian"
ND="$PWD/$BUILD/newsdex"

# A fixture of our own: a replaced article, dates, a phrase, a prefix.
cat > "$T/fix.jsonl" <<'J'
{"id": "f1", "title": "Harbour pilots strike", "date": "2004-07-14", "body": "The harbour pilots went on strike over pay."}
{"id": "f2", "title": "Ferry timetable", "date": "2004-08-02", "body": "A new ferry timetable starts in the harbour next week."}
{"id": "f3", "title": null, "date": null, "body": "Pilots of the mountain rescue trained all winter."}
{"id": "f1", "title": "Harbour pilots return", "date": "2004-07-15", "body": "The harbour pilots returned to work after talks."}
J
cat > "$T/fixq" <<'Q'
harbour
pilots
strike
harbour pilots
"harbour pilots"
"pilots harbour"
timet*
harbour date:2004-07-01..2004-07-31
pilots OR ferry
mountain OR nothingatall
Q
printf '2\n2\n0\n1\n1\n0\n1\n1\n3\n1\n' > "$T/want"
for e in newsdex fts5 xapian; do
  if [ $e = newsdex ]; then
    check "$e builds the fixture" 0 "$ND" add --db "$T/fix-$e" "$T/fix.jsonl"
    run() { "$ND" search --db "$T/fix-$e" --batch "$@"; }
  else
    check "$e builds the fixture" 0 "$BUILD/bench/$e" build "$T/fix-$e" "$T/fix.jsonl"
    run() { "$BUILD/bench/$e" search "$T/fix-$e" "$@"; }
  fi
  cp "$T/fixq" "$T/in"
  check "$e searches the fixture" 0 run --limit 10
  if cut -f1 "$T/out" | cmp -s - "$T/want"; then ok "$e: known totals"
  else cut -f1 "$T/out" | paste "$T/fixq" "$T/want" - ; bad "$e: known totals"; fi
  if sed -n 8p "$T/out" | grep -qx "$(printf '1\tf1')"; then ok "$e: date range and replaced article"; else bad "$e: date range and replaced article"; fi
  check "$e: timings" 0 run --limit 2 --timings --count lower-bound
  if [ "$(grep -c '^#qt_ns [0-9][0-9]*$' "$T/err")" -eq 10 ]; then ok "$e: one timing per query"; else bad "$e: one timing per query"; fi
  if awk -F'\t' '{ n = ($2 == "") ? 0 : split($2, a, ","); if (n > 2 || $1 < n) bad = 1 } END { exit bad }' "$T/out"; then
    ok "$e: at most --limit ids, total at least that"; else bad "$e: at most --limit ids, total at least that"; fi
done

# The peers' own errors.
for e in fts5 xapian; do
  P="$BUILD/bench/$e"
  printf 'harbour\n(harbour OR pilots)\nharbour date:2004-13-01..2004-12-31\n"harbour"\nharbour\n' > "$T/in"
  check "$e: query outside the subset: exit 2" 2 "$P" search "$T/fix-$e" --limit 3
  if [ "$(grep -c '^error	' "$T/out")" -eq 3 ] && [ "$(wc -l < "$T/out")" -eq 5 ]; then ok "$e: error lines, batch goes on"; else bad "$e: error lines, batch goes on"; fi
  if sed -n 2p "$T/out" | grep -q "outside the benchmark subset"; then ok "$e: says what is outside"; else bad "$e: says what is outside"; fi
  : > "$T/in"
  check "$e: no --limit" 2 "$P" search "$T/fix-$e"
  check "$e: bad --count" 2 "$P" search "$T/fix-$e" --limit 3 --count maybe
  check "$e: no overwriting" 1 "$P" build "$T/fix-$e" "$T/fix.jsonl"
  if grep -q "exists already" "$T/err"; then ok "$e: says it exists"; else bad "$e: says it exists"; fi
  check "$e: missing index" 1 "$P" search "$T/nowhere" --limit 3
  check "$e: bad input reported" 3 "$P" build "$T/bad-$e" "$T/missing.jsonl" "$T/fix.jsonl"
  if grep -q "missing.jsonl" "$T/err"; then ok "$e: names the bad file"; else bad "$e: names the bad file"; fi
done

# The three engines agree on articles (tolerance: bench/run.py).
# agree NAME FILE
agree() {
  if python3 bench/run.py --build "$BUILD" --agree-only "$2" --per-class 15 > "$T/agree" 2>&1; then
    ok "engines agree on $1"
  else cat "$T/agree"; bad "engines agree on $1"; fi
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/agree")
  if [ "${line%% passed*}" -ge 30 ] 2>/dev/null; then ok "$1: at least 30 queries compared ($line)"; else bad "$1: at least 30 queries compared"; fi
}
agree "the invented articles" "$FIXTURES/news.jsonl"
SAMPLE="$TEST_DATA/news/sample-1000.jsonl"
if have_data "engines agree on sample-1000" "$SAMPLE"; then agree sample-1000 "$SAMPLE"; fi

# Ranking quality: the measures on a worked example, then newsdex at least
# as good as both peers on Cranfield in nDCG@10 and MAP.
check "quality measures: worked example" 0 python3 bench/quality.py --self-test
CRAN="$TEST_DATA/relevance/cranfield"
if have_data "ranking quality on Cranfield" "$CRAN/docs.jsonl"; then
  check "quality: Cranfield runs" 0 python3 bench/quality.py --build "$BUILD" --data "$CRAN"
  cat "$T/out"
  nd=$(grep '^| newsdex |' "$T/out" | cut -d'|' -f3,4)
  for e in FTS5 Xapian; do
    peer=$(grep "^| $e |" "$T/out" | cut -d'|' -f3,4)
    if [ -n "$nd" ] && [ -n "$peer" ] && awk -v a="$nd" -v b="$peer" 'BEGIN { split(a, x, "|"); split(b, y, "|"); exit !(x[1] + 0 >= y[1] + 0 && x[2] + 0 >= y[2] + 0) }'; then
      ok "nDCG@10 and MAP at least $e's"
    else bad "nDCG@10 and MAP at least $e's (newsdex $nd, $e $peer)"; fi
  done
fi

result
