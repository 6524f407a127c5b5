#!/bin/sh
# Build the Python binding (python/) against the library of build folder $1
# into $1/python, warnings being errors; its log in $1/python-build.log.
# $PYTHON: the interpreter (default /usr/bin/python3).  Exit status 0 when built.
B=$1
if [ -z "$PYTHON" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
mkdir -p "$B"
(cd "$(dirname "$0")/../python" && NEWSDEX_BUILD="$B" NEWSDEX_CFLAGS=-Werror PYTHONDONTWRITEBYTECODE=1 \
  "$PYTHON" setup.py build --build-base "$B/python-tmp" --build-lib "$B/python") >"$B/python-build.log" 2>&1
