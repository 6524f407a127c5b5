#!/bin/sh
# From a fresh clone to a working search: install dependencies, build,
# index the samples, search.
set -e
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
make -j2
DB=${DB:-demo.ndx}
build/newsdex add --db "$DB" samples/
if [ -f ../shared/data/news/sample-1000.jsonl ]; then
  build/newsdex add --db "$DB" ../shared/data/news/sample-1000.jsonl
fi
build/newsdex stats --db "$DB"
echo
echo '$ build/newsdex search --db '"$DB"' --limit 3 "harbour OR storm"'
build/newsdex search --db "$DB" --limit 3 'harbour OR storm'
