#!/bin/sh
# End-to-end tests through the newsdex command.  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

# --- the seed round trip: an untitled plain-text article with "(search)"
# markers, on the seed-shaped fixture and, when present, the real seed.
# seed_roundtrip LABEL DB FILE ID "MARKED1|MARKED2|MARKED3" PHRASE HEADLINE QUERY HIGHLIGHTED
seed_roundtrip() { l=$1; db=$2; f=$3; id=$4; marked=$5; phrase=$6; head=$7; q=$8; hl=$9
  check "$l: add" 0 "$ND" add --db "$db" "$f"
  check "$l: show" 0 "$ND" show --db "$db" "$id"
  has "$l: marked terms listed" "^marked: $(echo "$marked" | sed 's/|/; /g')$" out
  hasnt "$l: no marker survives" "(search)" out
  check "$l: show json" 0 "$ND" show --db "$db" --json "$id"
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["marked"]==sys.argv[2].split("|"), d["marked"]; assert "(search)" not in d["body"]' "$T/out" "$marked"; then ok "$l: marked exactly"; else bad "$l: marked exactly"; fi
  check "$l: phrase finds it" 0 "$ND" search --db "$db" "\"$phrase\""
  has "$l: phrase hit" "$id" out
  check "$l: untitled hit has a headline" 0 "$ND" search --db "$db" --json "\"$phrase\""
  if python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hits"][0]; assert h["title"] is None and h["headline"].replace("\u00a0", " ").startswith(sys.argv[2]), h' "$T/out" "$head"; then ok "$l: headline from the first sentence"; else bad "$l: headline from the first sentence"; fi
  check "$l: search word not indexed" 0 "$ND" search --db "$db" --json 'search'
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["total"]==0, d' "$T/out"; then ok "$l: search finds nothing"; else bad "$l: search finds nothing"; fi
  check "$l: plain marks when not a terminal" 0 "$ND" search --db "$db" "$q"
  has "$l: plain highlight" "\[$hl\]" out
  if grep -q "$(printf '\033')" "$T/out"; then bad "$l: no escape codes off a terminal"; else ok "$l: no escape codes off a terminal"; fi
}
DB="$T/db"
seed_roundtrip "seed fixture" "$DB" "$SEED_FIXTURE" "$SEED_FIXTURE_ID" "ANFA|Pieter van der Aa|cod war" \
  "van der Aa" "ANFA failed Tuesday to settle" 'ANFA patrol "Icelandic fishing"' ANFA
if have_data "the real seed's round trip" "$REAL_SEED"; then
  seed_roundtrip "real seed" "$T/realdb" "$REAL_SEED" "$REAL_SEED_ID" "NATO|Jaap de Hoop Scheffer|Iraq war" \
    "Hoop Scheffer" "NATO failed Wednesday to overcome" 'NATO training "Iraqi forces"' NATO
fi

# --- JSON Lines, bad input, zstd, folders
cat > "$T/good.jsonl" <<'J'
{"id": "g1", "title": "Harbour reopens", "date": "2004-07-14", "source": "Test Ledger", "url": "https://example.org/g1", "body": "The harbour reopened after the storm.", "section": "local"}
{"id": "g2", "title": "Council votes", "date": "2004-07-20T10:00:00Z", "source": "Test Wire", "body": "The council voted on harbour fees."}
J
printf '%s\n' '{"id": "b1", "body": "unterminated' '{"id": "b2", "date": "2004-01-01"}' \
  '{"id": "b3", "date": "2004-02-30", "body": "bad date"}' '{"id": "b4", "body": 42}' '[1, 2]' \
  '{"id": "ok5", "title": "Fine one", "body": "a good line among bad ones"}' > "$T/bad.jsonl"
printf '{"id": "b6", "body": "bad \377 utf8"}\n' >> "$T/bad.jsonl"
check "add jsonl" 0 "$ND" add --db "$DB" "$T/good.jsonl"
check "bad input exit 3" 3 "$ND" add --db "$DB" "$T/bad.jsonl" "$T/missing.jsonl"
for n in 1 2 3 4 5 7; do has "bad line $n reported" "bad.jsonl:$n:" err; done
has "missing file reported" "missing.jsonl" err
hasnt "good line not reported" "bad.jsonl:6:" err
check "good line of bad file indexed" 0 "$ND" show --db "$DB" ok5
check "bad lines not indexed" 5 "$ND" show --db "$DB" b3
check "extra field kept" 0 "$ND" show --db "$DB" --json g1
has "extra section" "local" out
mkdir -p "$T/folder/sub"
printf 'Storm Warning Issued\n\nForecasters warned of a storm near the harbour.\n' > "$T/folder/sub/w.txt"
printf '{"id": "z1", "title": "Compressed", "body": "zstandard compressed harbour article"}\n' | zstd -q -o "$T/folder/c.jsonl.zst"
echo "ignored" > "$T/folder/notes.md"
check "add folder" 0 "$ND" add --db "$DB" "$T/folder"
check "txt title" 0 "$ND" show --db "$DB" --json w
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["title"]=="Storm Warning Issued", d' "$T/out"; then ok "txt headline is title"; else bad "txt headline is title"; fi
check "zst article" 0 "$ND" show --db "$DB" z1

# --- searching
check "json search" 0 "$ND" search --db "$DB" --json --limit 2 'harbour'
if python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["total"]==4, d["total"]
assert len(d["hits"])==2
for h in d["hits"]:
    for k in ("id","score","title","date","source","url","snippet"): assert k in h, k
    assert "<mark>" in h["snippet"], h["snippet"]
' "$T/out"; then ok "json fields and paging"; else bad "json fields and paging"; fi
check "offset" 0 "$ND" search --db "$DB" --json --limit 2 --offset 3 'harbour'
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["hits"])==1, d' "$T/out"; then ok "last page"; else bad "last page"; fi
check "fields and dates" 0 "$ND" search --db "$DB" --json 'title:harbour date:2004-07-01..2004-07-31 -storm'
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["total"]==0, d' "$T/out"; then ok "title/date/not"; else bad "title/date/not"; fi
check "date sort" 0 "$ND" search --db "$DB" --json --sort date 'harbour date:2004'
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [h["id"] for h in d["hits"]]==["g2","g1"], d' "$T/out"; then ok "newest first"; else bad "newest first"; fi
check "bad query exit 2" 2 "$ND" search --db "$DB" 'harbour AND (storm'
has "bad query says where" "\^" err

# --- delete, optimize, stats, locking
check "delete" 0 "$ND" delete --db "$DB" g1
check "deleted is gone" 5 "$ND" show --db "$DB" g1
check "delete unknown" 5 "$ND" delete --db "$DB" no-such-id
check "optimize" 0 "$ND" optimize --db "$DB"
check "stats" 0 "$ND" stats --db "$DB" --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["articles"]==5 and d["segments"]==1 and d["deleted"]==0, d' "$T/out"; then ok "stats after optimize"; else bad "stats after optimize"; fi
if command -v flock >/dev/null; then
  flock "$DB/LOCK" sleep 3 &
  sleep 0.5
  check "second writer refused" 4 "$ND" add --db "$DB" "$T/good.jsonl"
  check "readers still work" 0 "$ND" search --db "$DB" harbour
  wait
fi
check "missing archive" 5 "$ND" search --db "$T/nowhere" harbour

# --- help, example, install
for c in add search show delete stats optimize; do check "help $c" 0 "$ND" $c --help; done
check "example program" 0 "$PWD/$BUILD/examples/embed" "$T/embed"
has "example finds" "2 hits" out
if make -s install PREFIX="$T/prefix" BUILD="$BUILD" >"$T/out" 2>"$T/err" &&
   cc $SAN examples/embed.c -I"$T/prefix/include" "$T/prefix/lib/libnewsdex.a" \
      $(PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig" pkg-config --static --libs-only-l newsdex | sed 's/-lnewsdex//') -o "$T/embed2" &&
   [ -f "$T/prefix/share/man/man1/newsdex.1" ] && "$T/embed2" "$T/embed2db" >"$T/out"; then ok "make install + pkg-config"; else bad "make install + pkg-config"; fi
case "$SAN" in
  *sanitize*) skipped "make install: the Python module" "a sanitizer build's extension needs the sanitizer runtime";;
  *) pymod=$(find "$T/prefix" -path '*/newsdex/__init__.py' | head -1)
     if [ -n "$pymod" ] && PYTHONPATH=$(dirname "$(dirname "$pymod")") /usr/bin/python3 -c \
          'import newsdex, sys; ix = newsdex.open(sys.argv[1]); sys.exit(not len(ix))' "$T/embed2db"; then
       ok "make install: the Python module imports and reads an archive"
     else bad "make install: the Python module imports and reads an archive"; fi;;
esac

result
