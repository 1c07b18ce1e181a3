#!/bin/sh
# deb.sh — builds libmigrate's Debian packages into build/deb/ (`make deb`,
# which first checks that tool/debian/changelog carries MIGRATE_VERSION).
#
#   sh tool/deb.sh                          build, then lintian
#   DEB_BUILD_OPTIONS=nocheck sh tool/deb.sh   without running the test suite
#   LINTIAN=no sh tool/deb.sh               without lintian
#
# How: installs the build tools when missing (tool/install-deps.sh: the
# Build-Depends of tool/debian/control plus build-essential, debhelper,
# dpkg-dev and lintian); copies the source (the files git lists, tracked or
# new and not ignored; without git: ext sql test tool Makefile README.md)
# into a scratch folder outside the tree, libmigrate-VERSION/, with
# tool/debian/ as its debian/ (the repository keeps no top-level debian/;
# outside the tree, the tests in the build do not see this checkout's git);
# runs
# `dpkg-buildpackage -b` there (binary packages only, unsigned; as root or
# not: Rules-Requires-Root is no); moves the .deb, .buildinfo and .changes
# files to build/deb/; runs lintian on the .changes and fails on any error
# (warnings are listed, with their reasons, in tool/debian/README.md).
set -e
cd "$(dirname "$0")/.."
ver=$(sed -n 's/^.define MIGRATE_VERSION "\([^"]*\)".*/\1/p' ext/migrate.h)
[ -n "$ver" ] || { echo "deb: no MIGRATE_VERSION in ext/migrate.h" >&2; exit 1; }
out=build/deb
scratch=$(mktemp -d "${TMPDIR:-/tmp}/libmigrate-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/libmigrate-$ver

tools="build-essential debhelper dpkg-dev libsqlite3-dev scdoc"
case " $DEB_BUILD_OPTIONS " in *" nocheck "*) ;; *) tools="$tools tcl libsqlite3-tcl sqlite3" ;; esac
[ "${LINTIAN:-yes}" = no ] || tools="$tools lintian"
# shellcheck disable=SC2086
sh tool/install-deps.sh --only $tools

rm -rf "$out"
mkdir -p "$out" "$src"
if files=$(git ls-files --cached --others --exclude-standard 2>/dev/null) && [ -n "$files" ]; then
  echo "$files" | while IFS= read -r f; do
    [ -e "$f" ] || continue          # deleted, not yet committed
    mkdir -p "$src/$(dirname "$f")" && cp -a "$f" "$src/$f"
  done
else
  cp -a ext sql test tool Makefile README.md "$src/"
fi
cp -a tool/debian "$src/debian"
echo "deb: dpkg-buildpackage in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b --no-sign) > "$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log" >&2
  echo "deb: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
  exit 1
fi
mv "$scratch"/*.deb "$scratch"/*.buildinfo "$scratch"/*.changes "$out/"
for d in "$out"/*.deb; do
  echo "== $d"
  dpkg-deb -c "$d" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +/, ""); print "   " $0 }' | grep -v '/$'
done

if [ "${LINTIAN:-yes}" != no ]; then
  echo "deb: lintian $out/*.changes"
  # --fail-on error: warnings are reported (and explained in
  # tool/debian/README.md) but do not fail the build.
  rc=0
  lintian --fail-on error --info --no-tag-display-limit "$out"/*.changes \
    > "$out/lintian.txt" 2>&1 || rc=$?
  cat "$out/lintian.txt"
  echo "deb: lintian: $(grep -c '^E:' "$out/lintian.txt" || true) errors," \
       "$(grep -c '^W:' "$out/lintian.txt" || true) warnings," \
       "$(grep -c '^I:' "$out/lintian.txt" || true) info (all in $out/lintian.txt)"
  [ "$rc" = 0 ] || { echo "deb: lintian found errors (exit $rc)" >&2; exit 1; }
fi
ls -l "$out"/*.deb
