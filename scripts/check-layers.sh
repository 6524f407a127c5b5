#!/bin/sh
# check-layers.sh -- the layers of src/ include downwards only.
#
# The folders of src/, bottom to top (README.md, "Tour of the code"); the
# server and the command are one layer, the program (the command starts
# the server, the server uses the command's helpers):
LAYERS="util text ingest codec link index query present api es server:cli"
#
# A file under src/X may include its own folder, a folder of a lower layer,
# and include/newsdex.h; never a folder of a higher layer.  A folder of
# src/ not in the list fails too: place it first.  Prints each offending
# line as FILE:LINE: INCLUDE, then "N passed, N failed" (tests/run.sh adds
# it up).  Run from the top of the checkout, or give it as $1.
cd "${1:-$(dirname "$0")/..}" || exit 1

rank() { # rank of folder $1 in LAYERS, or nothing
  r=0
  for l in $LAYERS; do
    case ":$l:" in *":$1:"*) echo $r; return;; esac
    r=$((r + 1))
  done
}

pass=0; fail=0
for dir in src/*/; do
  x=$(basename "$dir")
  rx=$(rank "$x")
  if [ -z "$rx" ]; then
    echo "src/$x: not in the layer order of scripts/check-layers.sh"; fail=$((fail + 1)); continue
  fi
  for f in "$dir"*.c "$dir"*.h; do
    [ -e "$f" ] || continue
    bad=0
    # includes that name a folder: "../Y/..." (or "Y/..." from the top)
    for hit in $(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$f" | sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1:\2/'); do
      line=${hit%%:*}; inc=${hit#*:}
      y=${inc#../}; y=${y%%/*}
      ry=$(rank "$y")
      if [ -z "$ry" ]; then
        echo "$f:$line: includes \"$inc\": not a folder of src/"; bad=1
      elif [ "$ry" -gt "$rx" ]; then
        echo "$f:$line: includes \"$inc\": src/$y is above src/$x"; bad=1
      fi
    done
    if [ "$bad" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
