# Helpers of the shell tests (sourced from the project root after T, the
# test's scratch folder, is made).  Each script ends with
#   echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/out" ] && head -c 2000 "$T/out"; [ -f "$T/err" ] && head -c 2000 "$T/err"; }
# check NAME EXPECTED_EXIT COMMAND...: runs it (stdin from $T/in when that
# file exists), output in $T/out and $T/err
check() { name=$1; want=$2; shift 2
          if [ -f "$T/in" ]; then "$@" <"$T/in" >"$T/out" 2>"$T/err"; else "$@" >"$T/out" 2>"$T/err"; fi; got=$?
          if [ "$got" -eq "$want" ]; then ok "$name"; else echo "  exit $got, expected $want"; bad "$name"; fi; }
# has / hasnt NAME PATTERN FILE: FILE ($T/FILE) has / has not a line matching
has()   { if grep -q -- "$2" "$T/$3"; then ok "$1"; else echo "  no \"$2\" in $3"; bad "$1"; fi; }
hasnt() { if grep -q -- "$2" "$T/$3"; then echo "  unexpected \"$2\" in $3"; bad "$1"; else ok "$1"; fi; }
