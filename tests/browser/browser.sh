#!/bin/sh
# Browser tests of the web page: Playwright (npm playwright-core) driving
# Debian's chromium headless.  Screenshots go to $BUILD/test-output/.
# Ends with "N passed, N failed".
BUILD=${BUILD:-build}
DIR=tests/browser
if [ ! -d "$DIR/node_modules/playwright-core" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "cannot install playwright-core (npm ci in $DIR)"; echo "0 passed, 1 failed"; exit 1; }
fi
mkdir -p "$BUILD/test-output"
exec node "$DIR/test_page.mjs" "$PWD/$BUILD/newsdex" "$PWD/${NEWSDEX_FIXTURES:-$BUILD/fixtures}" "$PWD/$BUILD/test-output"
