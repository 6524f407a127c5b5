#!/bin/sh
# End-to-end tests through the newsdex command.  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
SHARED=${ND_SHARED:-../shared}
SEED="$SHARED/seed/000_be9abb58446af4f7.txt"
T=$(mktemp -d /tmp/nd-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

DB="$T/db"
# --- the seed round trip
check "add seed" 0 "$ND" add --db "$DB" "$SEED"
check "show seed" 0 "$ND" show --db "$DB" 000_be9abb58446af4f7
has "seed marked NATO" "NATO" out
has "seed marked Scheffer" "Jaap de Hoop Scheffer" out
has "seed marked Iraq war" "Iraq war" out
hasnt "no marker survives" "(search)" out
check "show seed json" 0 "$ND" show --db "$DB" --json 000_be9abb58446af4f7
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["marked"]==["NATO","Jaap de Hoop Scheffer","Iraq war"], d["marked"]; assert "(search)" not in d["body"]' "$T/out"; then ok "seed marked exactly"; else bad "seed marked exactly"; fi
check "phrase finds seed" 0 "$ND" search --db "$DB" '"Hoop Scheffer"'
has "phrase hit" "000_be9abb58446af4f7" out
check "untitled hit has a headline" 0 "$ND" search --db "$DB" --json '"Hoop Scheffer"'
if python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hits"][0]; assert h["title"] is None and h["headline"].replace("\u00a0", " ").startswith("NATO failed Wednesday to overcome"), h' "$T/out"; then ok "headline from the first sentence"; else bad "headline from the first sentence"; fi
check "search word not indexed" 0 "$ND" search --db "$DB" --json 'search'
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["total"]==0, d' "$T/out"; then ok "search finds nothing"; else bad "search finds nothing"; fi
check "plain marks when not a terminal" 0 "$ND" search --db "$DB" 'NATO training "Iraqi forces"'
has "plain highlight" "\[NATO\]" out
if grep -q "$(printf '\033')" "$T/out"; then bad "no escape codes off a terminal"; else ok "no escape codes off a terminal"; fi

# --- JSON Lines, bad input, zstd, folders
cat > "$T/good.jsonl" <<'J'
{"id": "g1", "title": "Harbour reopens", "date": "2004-07-14", "source": "Test Ledger", "url": "https://example.org/g1", "body": "The harbour reopened after the storm.", "section": "local"}
{"id": "g2", "title": "Council votes", "date": "2004-07-20T10:00:00Z", "source": "Test Wire", "body": "The council voted on harbour fees."}
J
printf '%s\n' '{"id": "b1", "body": "unterminated' '{"id": "b2", "title": "no body"}' \
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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
