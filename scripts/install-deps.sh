#!/bin/sh
# Installs the Debian packages newsdex needs to build and test.
# Run as root (or with sudo).  Safe to run again: installed packages are skipped.
set -e
PKGS="build-essential pkg-config libutf8proc-dev libstemmer-dev libzstd-dev zstd libjansson-dev
      libxxhash-dev libroaring-dev libstreamvbyte-dev zlib1g-dev
      python3 python3-dev python3-setuptools python3-pytest
      clang libclang-rt-14-dev
      libsqlite3-dev libxapian-dev g++ gnuplot-nox default-jdk-headless liblucene8-java
      wamerican iso-codes tzdata
      libmicrohttpd-dev chromium wrk valgrind
      postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-rum libpq-dev"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
# Node.js and npm run the browser tests; a Node.js installed some other way
# (with its own npm) is fine.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
