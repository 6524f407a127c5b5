#!/bin/sh
# Runs every test program and end-to-end, API, ES-client, Python and browser script;
# sums their "N passed, N failed[, N skipped]" lines into one final line of
# the same form.  Tests on third-party data find it at $NEWSDEX_TEST_DATA
# (default ../shared/data) and count what they could not run as skipped.
BUILD=${1:-build}
export NEWSDEX_TEST_DATA="${NEWSDEX_TEST_DATA:-../shared/data}"
export NEWSDEX_FIXTURES="${NEWSDEX_FIXTURES:-$BUILD/fixtures}"
pass=0; fail=0; skip=0; log=$(mktemp)
for t in scripts/check-layers.sh "$BUILD"/tests/test_* tests/e2e/*.sh tests/api/*.sh tests/es/*.sh tests/python/*.sh tests/postgres/*.sh tests/browser/*.sh; do
  [ -e "$t" ] || continue
  case "$t" in *.d) continue;; esac
  echo "== $t"
  if [ "${t%.sh}" != "$t" ]; then BUILD="$BUILD" sh "$t" >"$log" 2>&1; else "$t" >"$log" 2>&1; fi
  rc=$?
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    cat "$log"; echo "   (no result line; exit $rc): counted as 1 failure"; fail=$((fail + 1)); continue
  fi
  p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  s=0
  case "$line" in *skipped*) s=${line#*failed, }; s=${s%% skipped*};; esac
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$f" -ne 0 ] && cat "$log"
  grep -E '^ *SKIP ' "$log"
  echo "   $line"
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
rm -f "$log"
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" -eq 0 ]
