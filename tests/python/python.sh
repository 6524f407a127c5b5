#!/bin/sh
# Tests of the Python binding (python/): builds the extension against the
# library of $BUILD into $BUILD/python (warnings are errors), runs pytest
# on tests/python/ with it and ends with "N passed, N failed[, N skipped]".
# $PYTHON: the interpreter (default /usr/bin/python3, which has pytest).
# Under sanitizers ($SAN set) the extension would need the sanitizer's
# runtime preloaded into Python: skipped.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case "$BUILD" in /*) B=$BUILD;; *) B=$PWD/$BUILD;; esac

skip() { echo "SKIP python: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

[ -z "$SAN" ] || skip "not run under sanitizers"
if nm "$B/libnewsdex.a" 2>/dev/null | grep -q __asan_; then skip "$BUILD/libnewsdex.a is built with a sanitizer"; fi
if [ -z "$PYTHON" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
"$PYTHON" -c 'import setuptools, pytest, sysconfig, os, sys
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null ||
  skip "$PYTHON lacks setuptools, pytest or its C headers (python3-dev)"

if ! PYTHON="$PYTHON" sh tests/python_build.sh "$B"; then
  cat "$B/python-build.log"
  echo "FAIL: building the extension"
  echo "0 passed, 1 failed"
  exit 1
fi

xml=$B/python-junit.xml
rm -f "$xml"
PYTHONPATH="$B/python" NEWSDEX_CLI="$B/newsdex" PYTHONDONTWRITEBYTECODE=1 \
  "$PYTHON" -m pytest -q -rs -p no:cacheprovider --junitxml="$xml" tests/python
rc=$?
"$PYTHON" - "$xml" "$rc" <<'PY'
import sys
import xml.etree.ElementTree as ET
path, rc = sys.argv[1], int(sys.argv[2])
try:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    n = lambda k: sum(int(s.get(k, 0)) for s in suites)
    tests, failed, skipped = n("tests"), n("failures") + n("errors"), n("skipped")
except (OSError, ET.ParseError):
    tests, failed, skipped = 0, 0, 0
if rc not in (0, 1, 5) and failed == 0:
    failed = 1  # pytest itself failed (usage, collection or internal error)
line = "%d passed, %d failed" % (tests - failed - skipped, failed)
print(line + (", %d skipped" % skipped if skipped else ""))
sys.exit(1 if failed else 0)
PY
