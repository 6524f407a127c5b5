#!/bin/sh
# The command's main paths under valgrind memcheck: no invalid reads or
# writes, no uninitialised values that matter, no definite leaks.  Skipped
# (with the reason) when valgrind is missing or the build uses sanitizers,
# which do not mix with it.  Ends with "N passed, N failed[, N skipped]".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-vg-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
if ! command -v valgrind >/dev/null 2>&1; then
  echo "SKIP valgrind: valgrind is not installed"; echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
case "$SAN" in *sanitize*)
  echo "SKIP valgrind: a sanitizer build cannot run under valgrind"; echo "0 passed, 0 failed, 1 skipped"; exit 0;;
esac
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
# vg NAME EXPECTED_EXIT ARGS...: the command under valgrind
vg() { name=$1; want=$2; shift 2; $VG "$ND" "$@" >"$T/out" 2>"$T/err"; got=$?
       if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); echo "ok   $name"
       else fail=$((fail + 1)); echo "FAIL $name (exit $got, expected $want)"; head -c 3000 "$T/err"; fi; }

DB="$T/db"
printf '{"id":"bad1","body":"ok"}\n{"id":"bad2"}\n{not json\n' > "$T/bad.jsonl"
vg "add samples (the seed-shaped article among them)" 0 add --db "$DB" --buffer-mb 1 samples/
vg "add with rejected lines" 3 add --db "$DB" "$T/bad.jsonl"
vg "ranked search with snippets" 0 search --db "$DB" --json 'anfa OR iceland'
vg "phrase, field, prefix, date" 0 search --db "$DB" '"cod war" title:harbour patrol* date:2004'
vg "bad query" 2 search --db "$DB" '"unclosed'
printf '%s\n' harbour 'ferry OR storm' '"cod war"' 'title:council' 'patrol*' 'anfa -iceland' > "$T/queries"
vg "batch, lower-bound count" 0 search --db "$DB" --batch --count lower-bound --limit 3 < "$T/queries"
vg "show with links" 0 show --db "$DB" --links 001_anfa_patrol
vg "delete" 0 delete --db "$DB" bad1
vg "optimize" 0 optimize --db "$DB"
vg "check" 0 check --db "$DB"
vg "stats" 0 stats --db "$DB"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
