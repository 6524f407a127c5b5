#!/bin/sh
# Installs the Debian packages newsdex needs to build and test.
# Run as root (or with sudo).  Safe to run again: installed packages are skipped.
set -e
PKGS="build-essential pkg-config libutf8proc-dev libstemmer-dev libzstd-dev zstd libjansson-dev
      libxxhash-dev libroaring-dev libstreamvbyte-dev python3
      clang libclang-rt-14-dev
      libsqlite3-dev libxapian-dev g++ gnuplot-nox
      wamerican iso-codes tzdata"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
