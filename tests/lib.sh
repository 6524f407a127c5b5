# Helpers of the shell tests (sourced from the project root after T, the
# test's scratch folder, is made).  Each script ends with
#   result
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
# Test data (the rules of tests/unit/testdata.h): invented fixtures, always
# there, in $FIXTURES; third-party articles, maybe absent, in $TEST_DATA.
FIXTURES=${NEWSDEX_FIXTURES:-${BUILD:-build}/fixtures}
TEST_DATA=${NEWSDEX_TEST_DATA:-../shared/data}
SEED_FIXTURE=samples/txt/001_anfa_patrol.txt
SEED_FIXTURE_ID=001_anfa_patrol
REAL_SEED="$TEST_DATA/../seed/000_be9abb58446af4f7.txt"
REAL_SEED_ID=000_be9abb58446af4f7
skip=0
# skipped WHAT WHY: counts a check that could not run
skipped() { skip=$((skip + 1)); echo "SKIP $1: $2"; }
# have_data NAME FILE...: true when every FILE exists, else a skip of NAME
have_data() { name=$1; shift
              for f in "$@"; do [ -e "$f" ] || { skipped "$name" "$f not found (third-party data; set NEWSDEX_TEST_DATA to its folder)"; return 1; }; done; }
# The closing line and status of a script.
result() { if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
           [ "$fail" -eq 0 ]; }
