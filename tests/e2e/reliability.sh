#!/bin/sh
# Reliability through the command and the crash/full-disk programs:
# `newsdex check` on sound and damaged archives, the crash test in its
# bounded form (25 SIGKILLs; the long form is
# "$BUILD/tests/crash_test --kills 200"), and a full disk (an 8 MiB tmpfs,
# skipped with the reason printed when it cannot be mounted).
# Ends with "N passed, N failed".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-rel-XXXXXX)
MNT=""
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
. tests/lib.sh

# --- newsdex check
DB="$T/db"
N=$(wc -l < "$FIXTURES/news.jsonl")
check "add" 0 "$ND" add --db "$DB" --buffer-mb 1 "$FIXTURES/news.jsonl"
check "check a sound archive" 0 "$ND" check --db "$DB"
has "summary line" "checked [0-9]* segments, [0-9]* terms, [0-9]* postings" out
has "articles counted" " $N articles (0 deleted)" out
has "verdict" "no problems found" out
check "check --json" 0 "$ND" check --db "$DB" --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and d["problems"]==0 and d["articles"]==int(sys.argv[2]) and d["details"]==[], d' "$T/out" "$N"; then ok "json fields"; else bad "json fields"; fi
check "delete" 0 "$ND" delete --db "$DB" "fx:00001"
check "check after a delete" 0 "$ND" check --db "$DB"
has "deleted counted" "(1 deleted)" out
# Damage one byte in the middle of a stored-articles file.
STO=$(ls "$DB"/*.sto | head -1)
STO_NAME=$(basename "$STO")
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=0x20; open(p,"wb").write(b)' "$STO"
check "check a damaged archive" 1 "$ND" check --db "$DB"
has "problem names the file" "problem: $STO_NAME: checksum mismatch" out
has "error line" "error: [0-9]* problems\? found" err
check "damaged, json" 1 "$ND" check --db "$DB" --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is False and d["problems"]>=1 and any(sys.argv[2] in x for x in d["details"]), d' "$T/out" "$STO_NAME"; then ok "json details"; else bad "json details"; fi
# A damaged manifest.
printf 'x' >>"$DB/MANIFEST"
check "check a damaged manifest" 1 "$ND" check --db "$DB"
has "manifest named" "problem: .*MANIFEST: damaged" out
check "no archive" 5 "$ND" check --db "$T/none"
check "check --help" 0 "$ND" check --help
has "help mentions exit status" "Exit status 1 when a problem is found" out
check "check: unknown option" 2 "$ND" check --db "$DB" --frobnicate

# --- crash test, bounded form
check "crash test: 25 kills" 0 "$PWD/$BUILD/tests/crash_test" --kills 25
cat "$T/err" | tail -3
has "crash test: 25 passed" "^25 passed, 0 failed" out

# --- full disk on an 8 MiB tmpfs
mkdir -p "$T/mnt"
if mount -t tmpfs -o size=8m tmpfs "$T/mnt" 2>"$T/mnterr"; then
  MNT="$T/mnt"
  check "full disk" 0 "$PWD/$BUILD/tests/nospace_test" "$MNT"
  grep -E "committed|FAIL" "$T/err"
  umount "$MNT" && MNT=""
else
  skipped "full disk" "cannot mount an 8 MiB tmpfs here ($(head -1 "$T/mnterr")); needs root in a system that allows mounts"
fi

# --- a million tiny articles in one commit, then a prefix matching 50,000 terms
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "{\"id\":\"t%d\",\"body\":\"w%d tiny\"}\n", i, i % 50000 }' > "$T/tiny.jsonl"
check "a million tiny articles" 0 "$ND" add --db "$T/tiny" "$T/tiny.jsonl"
has "all of them added" "added 1000000 articles" err
check "tiny archive checks clean" 0 "$ND" check --db "$T/tiny"
check "one word, 20 articles" 0 "$ND" search --db "$T/tiny" --json w123
has "20 hits" '"total": 20' out
check "prefix over 4096 terms refused" 2 "$ND" search --db "$T/tiny" 'w1*'
has "limit named" "more than 4096 terms" err
rm -rf "$T/tiny" "$T/tiny.jsonl"

result
