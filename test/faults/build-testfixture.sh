#!/bin/sh
# build-testfixture.sh — fetches SQLite's full source tree (Debian's source
# package for sqlite3, whose .orig tarball holds test/tester.tcl,
# malloc_common.tcl, the crash VFS test6.c and test_vfs.c) and builds
# SQLite's own Tcl test harness, testfixture, into build/sqlite-src/.
#
#   sh test/faults/build-testfixture.sh [BUILD_DIR]
#
# Prints the path of the built testfixture on its last line. Idempotent:
# does nothing when BUILD_DIR/testfixture already exists.
#
# How: a private apt sources list (a deb-src line for the newer suite,
# SUITE=sid by default, trixie as fallback) built from THIS machine's own
# apt sources, so no host name is written anywhere and /etc is untouched;
# `apt-get source --download-only` with Dir::* options pointing at the
# cache; then ./configure --with-tcl && make testfixture (make -j2).
set -e
B=${1:-build/sqlite-src}
mkdir -p "$B"
B=$(cd "$B" && pwd)
if [ -x "$B/tree/testfixture" ]; then echo "$B/tree/testfixture"; exit 0; fi

command -v tclsh >/dev/null 2>&1 || { echo "build-testfixture: need tclsh" >&2; exit 1; }
[ -f /usr/lib/tcl8.6/tclConfig.sh ] || sh "$(dirname "$0")/../../tool/install-deps.sh" tcl-dev

uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || { echo "build-testfixture: no apt source found on this machine" >&2; exit 1; }

cd "$B"
mkdir -p lists/partial cache dl
O="-o Dir::Etc::SourceList=$B/L -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$B/lists \
 -o Dir::Cache=$B/cache -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
orig=$(ls dl/sqlite3_*.orig.tar.* 2>/dev/null | head -1 || true)
if [ -z "$orig" ]; then
  for suite in ${SUITE:-sid trixie}; do
    echo "deb-src $uri $suite main" > L
    # shellcheck disable=SC2086
    if apt-get $O update >apt.log 2>&1 && (cd dl && apt-get $O source --download-only sqlite3 >>../apt.log 2>&1); then
      break
    fi
  done
  orig=$(ls dl/sqlite3_*.orig.tar.* 2>/dev/null | head -1 || true)
  [ -n "$orig" ] || { echo "build-testfixture: download failed, see $B/apt.log" >&2; exit 1; }
fi
if [ ! -f tree/configure ]; then
  rm -rf tree tree.tmp && mkdir tree.tmp
  tar -xf "$orig" -C tree.tmp
  mv "tree.tmp/$(ls tree.tmp | head -1)" tree && rm -rf tree.tmp
fi
cd tree
[ -f Makefile ] || ./configure --with-tcl=/usr/lib/tcl8.6 >configure.log 2>&1 \
  || ./configure --with-tcl=/usr/lib/tcl8.6 --enable-all >configure.log 2>&1
make -j2 sqlite3.c >make.log 2>&1
make -j2 testfixture >>make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
echo "$B/tree/testfixture"
