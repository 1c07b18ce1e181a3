#!/bin/sh
# fetch-sqlite-src.sh — downloads SQLite's full source tree (the .orig
# tarball of Debian's source package for sqlite3: src/, test/, tool/,
# ext/wasm/ ...) into a cache folder and prints the tarball's path.
#
#   sh tool/fetch-sqlite-src.sh [CACHE_DIR]      (default build/sqlite-src)
#
# Idempotent: prints the cached tarball when CACHE_DIR/dl already holds one.
# The layout (CACHE_DIR/dl, lists, cache, L, apt.log) is the one
# test/faults/build-testfixture.sh uses, so both share one download.
#
# How: a private apt sources list with one deb-src line for the newer suite
# (SUITE="sid trixie" by default, tried in turn) built from THIS machine's
# own apt sources, so no host name is written anywhere and /etc is
# untouched; `apt-get source --download-only` with Dir::* options pointing
# at the cache.  Nothing fetched here is committed: CACHE_DIR is ignored.
set -e
B=${1:-build/sqlite-src}
mkdir -p "$B"
B=$(cd "$B" && pwd)
# The first .orig tarball in CACHE_DIR/dl, or nothing.
cached() {
  for f in "$B"/dl/sqlite3_*.orig.tar.*; do
    if [ -f "$f" ]; then echo "$f"; return; fi
  done
}
orig=$(cached)
if [ -n "$orig" ]; then echo "$orig"; exit 0; fi

uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || { echo "fetch-sqlite-src: no apt source found on this machine" >&2; exit 1; }

mkdir -p "$B/lists/partial" "$B/cache" "$B/dl"
O="-o Dir::Etc::SourceList=$B/L -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$B/lists \
 -o Dir::Cache=$B/cache -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
for suite in ${SUITE:-sid trixie}; do
  echo "deb-src $uri $suite main" > "$B/L"
  # shellcheck disable=SC2086
  if apt-get $O update >"$B/apt.log" 2>&1 \
     && (cd "$B/dl" && apt-get $O source --download-only sqlite3 >>"$B/apt.log" 2>&1); then
    break
  fi
done
orig=$(cached)
[ -n "$orig" ] || { echo "fetch-sqlite-src: download failed, see $B/apt.log" >&2; exit 1; }
echo "$orig"
