#!/bin/sh
# install-deps.sh — installs what `make`, `make test` and `make demo` need on
# a Debian/Ubuntu machine: a C compiler, make, libsqlite3-dev, the sqlite3
# shell, tclsh and the Tcl SQLite binding (libsqlite3-tcl).
#
#   sh tool/install-deps.sh            install whatever is missing
#   sh tool/install-deps.sh --check    exit 0 if nothing is missing
#   sh tool/install-deps.sh PKG...     also make sure Debian packages PKG are there
#   sh tool/install-deps.sh --only PKG...   only PKG (e.g. scdoc for `make man`)
#
# Uses apt-get (as root, or through sudo).  Idempotent: installs nothing when
# everything is present.
#
# Every probe here must fail when its thing is missing (check-fresh proves it
# on a bare Debian): tclsh runs a script FILE (reading stdin it exits 0 even
# when `package require` fails), and a package counts as present only when
# dpkg says "installed" (`dpkg -s` exits 0 for a removed package whose
# configuration files are still there).
set -e

missing=""
need() { missing="$missing $1"; }
# Exit 0 when Debian package $1 is installed (not merely known to dpkg).
installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

check=0 only=0
for a in "$@"; do
  case "$a" in
    --check) check=1 ;;
    --only) only=1 ;;
    *) installed "$a" || need "$a" ;;
  esac
done

if [ $only = 0 ]; then
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
fi

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
