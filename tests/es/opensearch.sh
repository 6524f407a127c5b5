#!/bin/sh
# newsdex's Elasticsearch-compatible API through the OpenSearch JavaScript
# client (test_opensearch.mjs says what it proves).  Ends with
# "N passed, N failed[, N skipped]".
BUILD=${BUILD:-build}
DIR=tests/es
if [ ! -d "$DIR/node_modules/@opensearch-project/opensearch" ]; then
  (cd "$DIR" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "cannot install the npm packages (npm ci in $DIR)"; echo "0 passed, 1 failed"; exit 1; }
fi
BUILD="$BUILD" exec node "$DIR/test_opensearch.mjs"
