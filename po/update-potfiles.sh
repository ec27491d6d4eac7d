#!/bin/sh
# Rewrites po/POTFILES: every source file with translatable strings. Run from anywhere, then
#   ninja -C _build posteingang-pot && ninja -C _build posteingang-update-po
# and translate the new entries in po/de.po.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cd "$(dirname "$0")/.."
{
  ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml
  grep -rlE --include='*.c' '(^|[^A-Za-z0-9_])(N?_|C_|NC_|ngettext|g_dngettext)[[:space:]]*\(' src
  grep -rl --include='*.ui' 'translatable="yes"' ui
} | LC_ALL=C sort -u > po/POTFILES
