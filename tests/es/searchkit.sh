#!/bin/sh
# The Searchkit demo page (examples/searchkit/), bundled with esbuild into
# $BUILD/searchkit-demo, in chromium (Playwright) against newsdex's
# Elasticsearch-compatible API (test_searchkit.mjs says what it proves).
# Screenshots go to $BUILD/test-output/.  Ends with "N passed, N failed".
BUILD=${BUILD:-build}
DIR=tests/es
if [ ! -d "$DIR/node_modules/searchkit" ] || [ ! -d "$DIR/node_modules/playwright-core" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "cannot install the npm packages (npm ci in $DIR)"; echo "0 passed, 1 failed"; exit 1; }
fi
BUILD="$BUILD" exec node "$DIR/test_searchkit.mjs"
