#!/bin/sh
# check-cc.sh CC CFLAGS LIBS — can this machine build libmigrate?  The probe
# of plain `make` (Makefile rule build/.cc-ok), which installs nothing.
#
#   sh tool/check-cc.sh cc '-O2 -g' '-lsqlite3'
#
# Compiles and links a one-line program that includes <sqlite3.h> and calls
# sqlite3_libversion(), with the build's own compiler, flags and libraries.
# Exit 0 when that works.  Otherwise it prints what is missing and names
# `make deps` (which installs a compiler and libsqlite3-dev with apt-get),
# and exits 1: a missing compiler or header is one clear line, not a wall of
# compiler errors from the middle of the build.
cc=$1 cflags=$2 libs=$3
fail() {
  echo "make: $1." >&2
  echo "make: run \`make deps\` first (it installs gcc, libsqlite3-dev and the rest with apt-get), or see README.md." >&2
  exit 1
}

# The compiler: the first word of CC (CC may be "ccache gcc" or "gcc -m32").
# shellcheck disable=SC2086  # split on purpose: CC may hold flags
set -- $cc
[ $# -gt 0 ] || fail "CC is empty"
command -v "$1" >/dev/null 2>&1 || fail "no C compiler: '$1' (CC) is not installed"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/probe.c" <<'EOF'
#include <stdio.h>
#include <sqlite3.h>
int main(void){ puts(sqlite3_libversion()); return 0; }
EOF
# shellcheck disable=SC2086
if ! $cc $cflags -o "$tmp/probe" "$tmp/probe.c" $libs > "$tmp/log" 2>&1; then
  sed -n '1,5s/^/    /p' "$tmp/log" >&2
  if grep -q 'sqlite3.h' "$tmp/log"; then
    fail "'$cc' cannot find sqlite3.h (Debian package libsqlite3-dev)"
  elif grep -q 'lsqlite3\|sqlite3_libversion' "$tmp/log"; then
    fail "'$cc' cannot link SQLite ($libs; Debian package libsqlite3-dev)"
  fi
  fail "'$cc' cannot compile and link a C program against SQLite"
fi
exit 0
