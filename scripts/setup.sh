#!/usr/bin/env bash
# Installs what docbuild needs to build every edition: Debian's libraries
# (Pango for WeasyPrint, HarfBuzz's subsetter for deterministic font
# subsets, FriBiDi for Pillow's Raqm layout of right-to-left cover titles,
# liblouis and its tables for the braille edition: the writer loads
# liblouis20 with ctypes, the check runs lou_translate) and the Python
# package itself with the test tools and the optional Dask executor
# (tests/test_dask.py runs a local Dask cluster). Idempotent; run as root or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfribidi0 liblouis20 liblouis-bin liblouis-data"
if ! dpkg -s $packages >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $packages
fi
python3 -m pip install -q -e '.[test,dask]'
