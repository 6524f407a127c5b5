# Helper of tests/e2e/format*.sh (sourced after tests/lib.sh): an archive
# written at an older segment format stays readable.
#   old_format FIXTURE_DIR VERSION HALF QUERIES [SEARCH_OPTION...]
# unpacks FIXTURE_DIR/archive.tar.zst (an archive made by an older newsdex
# from the articles FIXTURE_DIR/gen.py prints, in two adds of HALF) into
# $T/old, indexes the same articles again into $T/new alike, optimizes a
# copy of each, and checks that the four answer every query of the file
# QUERIES alike (by relevance and by date; scores, snippets, facets and all
# of the JSON but the time taken) and pass `newsdex check`: the old archive
# as the new one built alike, the optimized old one as the optimized new
# one.  New and optimized segments must be of the current format.
CURRENT_FORMAT=NDDXMET9
magic() { head -c 8 "$1"; }
old_format() {
  fix=$1 ver=$2 half=$3 queries=$4
  shift 4
  : > "$T/in"
  zstd -dc "$fix/archive.tar.zst" | tar -C "$T" -xf - && mv "$T/f$ver" "$T/old"
  check "the old archive unpacks" 0 test -f "$T/old/s000001.meta"
  [ "$(magic "$T/old/s000001.meta")" = "NDDXMET$ver" ] && ok "its segments are of format $ver" \
    || bad "its segments are of format $ver"
  check "the old archive passes check" 0 "$ND" check --db "$T/old"
  python3 "$fix/gen.py" > "$T/articles.jsonl"
  # as the old archive was made: two adds, so that each query is scored
  # segment by segment alike (a different split can change the order in
  # which a document's term scores are added, and so their last bits)
  head -n "$half" "$T/articles.jsonl" > "$T/a.jsonl"
  tail -n +"$((half + 1))" "$T/articles.jsonl" > "$T/b.jsonl"
  check "the same articles indexed now" 0 sh -c "'$ND' add --db '$T/new' '$T/a.jsonl' && '$ND' add --db '$T/new' '$T/b.jsonl'"
  newmeta=$(ls "$T/new"/s*.meta | head -1)
  [ "$(magic "$newmeta")" = "$CURRENT_FORMAT" ] && ok "new segments are of the current format" \
    || bad "new segments are of the current format"
  cp -r "$T/old" "$T/opt"
  cp -r "$T/new" "$T/newopt"
  check "the old archive optimizes" 0 "$ND" optimize --db "$T/opt"
  check "the new archive optimizes" 0 "$ND" optimize --db "$T/newopt"
  optmeta=$(ls "$T/opt"/s*.meta)
  [ "$(echo "$optmeta" | wc -l)" -eq 1 ] && [ "$(magic "$optmeta")" = "$CURRENT_FORMAT" ] \
    && ok "optimize rewrote it at the current format" || bad "optimize rewrote it at the current format"
  check "the optimized archive passes check" 0 "$ND" check --db "$T/opt"
  same=0; differ=0; hits=0; nq=0
  while IFS= read -r q; do
    nq=$((nq + 1))
    for db in old new opt newopt; do
      for sort in relevance date; do
        "$ND" search --db "$T/$db" --json --versions all --limit 50 --sort $sort "$@" -- "$q" 2>&1 |
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
  done < "$queries"
  [ "$differ" -eq 0 ] && [ "$same" -eq $((2 * nq)) ] \
    && ok "old and new, before and after optimize, answer alike ($same query runs)" \
    || bad "old and new, before and after optimize, answer alike ($differ of $((2 * nq)) differ)"
  [ "$hits" -eq "$nq" ] && ok "every query has hits" || bad "every query has hits ($hits of $nq)"
}
