#!/bin/sh
# Runs every test program and end-to-end, API and browser script; sums their
# "N passed, N failed" lines into one final line of the same form.
BUILD=${1:-build}
pass=0; fail=0; log=$(mktemp)
for t in "$BUILD"/tests/test_* tests/e2e/*.sh tests/api/*.sh tests/browser/*.sh; do
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
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$f" -ne 0 ] && cat "$log"
  echo "   $line"
  pass=$((pass + p)); fail=$((fail + f))
done
rm -f "$log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
