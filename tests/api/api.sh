#!/bin/sh
# API tests of `newsdex serve` through real HTTP on loopback.
# Ends with "N passed, N failed".
BUILD=${BUILD:-build}
exec python3 tests/api/test_api.py "$PWD/$BUILD/newsdex" "${NEWSDEX_FIXTURES:-$BUILD/fixtures}"
