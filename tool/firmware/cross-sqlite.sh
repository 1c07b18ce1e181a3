#!/bin/sh
# cross-sqlite.sh ARCH DEST — puts Debian's SQLite for another architecture
# (headers + static libsqlite3.a) into DEST, for cross-building the firmware
# example (make check-arm).
#
#   sh tool/firmware/cross-sqlite.sh armhf build/cross/armhf
#   -> build/cross/armhf/usr/include/sqlite3.h
#      build/cross/armhf/usr/lib/arm-linux-gnueabihf/libsqlite3.a
#
# How: a private apt list (same mirror and suite as the machine's own apt
# sources, APT::Architectures set to ARCH, state and cache under DEST/apt) so
# nothing under /etc is changed and no `dpkg --add-architecture` is needed;
# `apt-get download` of libsqlite3-dev:ARCH and libsqlite3-0:ARCH, then
# `dpkg -x`.  Idempotent: does nothing when DEST already holds libsqlite3.a.
set -e
arch=$1
dest=$2
[ -n "$arch" ] && [ -n "$dest" ] || { echo "usage: $0 ARCH DEST" >&2; exit 2; }
if ls "$dest"/usr/lib/*/libsqlite3.a >/dev/null 2>&1; then exit 0; fi

uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || { echo "cross-sqlite: no apt mirror found in /etc/apt" >&2; exit 1; }
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
[ -n "$suite" ] || suite=bookworm

mkdir -p "$dest/apt/lists/partial" "$dest/apt/cache/archives/partial"
dest=$(cd "$dest" && pwd)
echo "deb $uri $suite main" > "$dest/apt/sources.list"
O="-o Dir::Etc::SourceList=$dest/apt/sources.list -o Dir::Etc::SourceParts=/dev/null \
 -o Dir::State::Lists=$dest/apt/lists -o Dir::Cache=$dest/apt/cache \
 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
 -o APT::Architectures::=$arch -o APT::Architecture=$arch -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $O -qq update
cd "$dest/apt/cache"
# shellcheck disable=SC2086
apt-get $O -qq download "libsqlite3-dev:$arch" "libsqlite3-0:$arch"
for deb in libsqlite3-dev_*"_$arch.deb" libsqlite3-0_*"_$arch.deb"; do
  dpkg -x "$deb" "$dest"
done
ls "$dest"/usr/lib/*/libsqlite3.a
