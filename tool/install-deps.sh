#!/bin/sh
# install-deps.sh — installs what `make`, `make test` and `make demo` need on
# a Debian/Ubuntu machine: a C compiler, make, libsqlite3-dev, the sqlite3
# shell, tclsh and the Tcl SQLite binding (libsqlite3-tcl).
#
#   sh tool/install-deps.sh            install whatever is missing
#   sh tool/install-deps.sh --check    exit 0 if nothing is missing
#   sh tool/install-deps.sh PKG...     also make sure Debian packages PKG are there
#
# Uses apt-get (as root, or through sudo).  Idempotent: installs nothing when
# everything is present.
set -e

missing=""
need() { missing="$missing $1"; }

command -v cc >/dev/null 2>&1 || need gcc
command -v make >/dev/null 2>&1 || need make
[ -f /usr/include/sqlite3.h ] || need libsqlite3-dev
command -v sqlite3 >/dev/null 2>&1 || need sqlite3
command -v tclsh >/dev/null 2>&1 || need tcl
if command -v tclsh >/dev/null 2>&1; then
  # A script file, not standard input: tclsh reading a script from stdin
  # exits 0 even when a command in it fails, so that probe always passed.
  probe=$(mktemp) && printf 'package require sqlite3\n' > "$probe"
  tclsh "$probe" >/dev/null 2>&1 || need libsqlite3-tcl
  rm -f "$probe"
else
  need libsqlite3-tcl
fi

check=0
for a in "$@"; do
  case "$a" in
    --check) check=1 ;;
    *) dpkg -s "$a" >/dev/null 2>&1 || need "$a" ;;
  esac
done

if [ -z "$missing" ]; then
  exit 0
fi
if [ $check = 1 ]; then
  echo "missing:$missing" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: need root (or sudo) to install:$missing" >&2; exit 1
  fi
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
