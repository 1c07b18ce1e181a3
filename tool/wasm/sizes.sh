#!/bin/sh
# sizes.sh — prints what `make wasm` built: the size of sqlite3.wasm
# without and with libmigrate (bytes, and gzip -9 bytes: what a server
# sends compressed), the difference, and how long the build took.
#
#   sh tool/wasm/sizes.sh PLAIN.wasm WITH.wasm TREE [SECONDS_FILE]
#
# Both .wasm files come from the same ext/wasm build at -Oz, wasm-strip
# and wasm-opt; they differ only by tool/wasm/extra_init.c and
# libmigrate.a.  TREE is SQLite's source tree they were built from;
# SECONDS_FILE holds the wall-clock seconds of the last
# build of WITH.wasm (written by tool/wasm.mk).
set -e
plain=$1
with=$2
tree=$3
secs=$4
bytes() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
p=$(bytes "$plain"); pg=$(gz "$plain")
w=$(bytes "$with"); wg=$(gz "$with")
echo "== sqlite3.wasm (SQLite $(cat "$tree/VERSION"), ext/wasm build, emcc $(emcc --version | sed -n '1s/.* \([0-9][0-9.]*\) .*/\1/p') -Oz)"
printf '  %-22s %9d bytes   gzip -9 %8d bytes   %s\n' "without libmigrate" "$p" "$pg" "$plain"
printf '  %-22s %9d bytes   gzip -9 %8d bytes   %s\n' "with libmigrate" "$w" "$wg" "$with"
awk -v p="$p" -v w="$w" -v pg="$pg" -v wg="$wg" 'BEGIN {
  printf "  %-22s %9d bytes (+%.1f%%) gzip -9 %8d bytes (+%.1f%%)\n",
         "libmigrate adds", w - p, 100 * (w - p) / p, wg - pg, 100 * (wg - pg) / pg }'
if [ -n "$secs" ] && [ -f "$secs" ]; then
  echo "  build of SQLite + libmigrate (ext/wasm: ES module, Node and vanilla builds, -j2): $(cat "$secs") s"
fi
