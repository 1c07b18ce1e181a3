#!/bin/sh
# sqlite-tcl.sh — builds a reduced SQLite with its Tcl binding as one
# tclsh-loadable library, so that the test suite and the acceptance suite
# (both `package require sqlite3` in stock tclsh) run libmigrate.so inside
# an engine compiled with the OMIT options a binding uses.
#
#   sh tool/bindings/sqlite-tcl.sh OUT AMALGAMATION_DIR TCLSQLITE_C -DOPT...
#
# Writes OUT/libtclsqlite3.so (the amalgamation and tclsqlite.c compiled
# together with the same options) and OUT/pkgIndex.tcl announcing it as
# package sqlite3 of the amalgamation's version, which is newer than
# Debian's 3.40.1: with TCLLIBPATH=OUT, `package require sqlite3` loads it.
#
# Why not LD_LIBRARY_PATH with a libsqlite3.so: Debian's Tcl binding links
# sqlite3_progress_handler, sqlite3_complete, the blob functions... and a
# library built without them cannot be loaded by it.  tclsqlite.c guards
# those commands with the same OMIT macros, so compiling it together with
# the amalgamation gives a binding that matches the reduced engine.
set -e
[ $# -ge 3 ] || { echo "usage: sqlite-tcl.sh OUT AMALGAMATION_DIR TCLSQLITE_C -DOPT..." >&2; exit 2; }
out=$1 amalg=$2 tclc=$3
shift 3
[ -f "$amalg/sqlite3.c" ] || { echo "sqlite-tcl: no $amalg/sqlite3.c" >&2; exit 1; }
[ -f "$tclc" ] || { echo "sqlite-tcl: no $tclc" >&2; exit 1; }
tclinc=/usr/include/tcl8.6
[ -f $tclinc/tcl.h ] || { echo "sqlite-tcl: no $tclinc/tcl.h (Debian package tcl-dev)" >&2; exit 1; }
CC=${CC:-cc}
mkdir -p "$out"
stamp="$*"
if [ -f "$out/libtclsqlite3.so" ] && [ "$(cat "$out/options" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
version=$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$amalg/sqlite3.h")
# -O1: the library runs a test suite, not a benchmark; it builds in ~30 s.
# shellcheck disable=SC2068
$CC -O1 -g0 -fPIC -shared -w -DUSE_TCL_STUBS -I$tclinc -I"$amalg" $@ \
  -o "$out/libtclsqlite3.so.tmp" "$tclc" "$amalg/sqlite3.c" -ltclstub8.6 -lm
mv "$out/libtclsqlite3.so.tmp" "$out/libtclsqlite3.so"
printf 'package ifneeded sqlite3 %s [list load [file join $dir libtclsqlite3.so] Sqlite3]\n' \
  "$version" > "$out/pkgIndex.tcl"
echo "$stamp" > "$out/options"
