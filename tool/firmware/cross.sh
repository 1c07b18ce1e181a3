#!/bin/sh
# cross.sh ARCH TRIPLE QEMU — builds libmigrate, the firmware example and
# the C test driver (test/ctest_firmware.c) for another architecture,
# statically, and runs them under qemu-user.  Called by `make check-arm`
# (armhf arm-linux-gnueabihf qemu-arm) and `make check-s390x` (big-endian).
#
#   FW_SRC="ext/*.c build/storage_sql.c build/fw/fw_scripts.c" \
#     sh tool/firmware/cross.sh armhf arm-linux-gnueabihf qemu-arm
#
# FW_SRC: the extension's C files (without diff.c) followed by the generated
# storage and scripts files; the last one is the scripts file.  Output under
# build/cross/ARCH/: libmigrate.a, boot, ctest_firmware, bench-driver
# (tool/bench/driver.c), example.db.
# Prints the driver's results and both boots; exits non-zero on any failure.
# CROSS_BUILD_ONLY=1: build, run nothing.
# The SQLite for the target comes from tool/firmware/cross-sqlite.sh.
set -e
arch=$1 triple=$2 qemu=$3
[ -n "$qemu" ] && [ -n "$FW_SRC" ] || { echo "usage: FW_SRC=... $0 ARCH TRIPLE QEMU" >&2; exit 2; }
cc=$triple-gcc
out=build/cross/$arch
sh tool/firmware/cross-sqlite.sh "$arch" "$out" >/dev/null
sqlite_a=$(ls "$out"/usr/lib/*/libsqlite3.a)
cflags="-std=c99 -Wall -Wextra -Werror -O2 -DSQLITE_CORE -DMIGRATE_OMIT_DIFF -DMIGRATE_OMIT_DUMP -I$out/usr/include -Iext"
libs="$sqlite_a -lm -lpthread -ldl"

mkdir -p "$out/obj"
scripts=""
objs=""
for src in $FW_SRC; do
  case $src in
    */fw_scripts.c) scripts=$src; continue ;;
  esac
  o=$out/obj/$(basename "$src" .c).o
  $cc $cflags -c -o "$o" "$src"
  objs="$objs $o"
done
rm -f "$out/libmigrate.a"
$triple-ar rcs "$out/libmigrate.a" $objs
$cc $cflags -static -Wl,--no-warnings -o "$out/boot" tool/firmware/boot.c "$scripts" "$out/libmigrate.a" $libs
$cc $cflags -static -Wl,--no-warnings -o "$out/ctest_firmware" test/ctest_firmware.c "$out/libmigrate.a" $libs
# the bench driver, for the boot timings under qemu (make bench-boot-arm)
$cc $cflags -D_POSIX_C_SOURCE=200809L -static -Wl,--no-warnings -o "$out/bench-driver" tool/bench/driver.c "$out/libmigrate.a" $libs
[ -z "$CROSS_BUILD_ONLY" ] || exit 0
echo "== $arch: $(file -b "$out/ctest_firmware" | cut -d, -f1-3)"
fail=0
$qemu "$out/ctest_firmware" || fail=1
rm -f "$out/example.db" "$out/example.db-journal"
echo "== $arch: first boot"
$qemu "$out/boot" "$out/example.db"
echo "== $arch: second boot"
$qemu "$out/boot" "$out/example.db" | tee "$out/boot2.out"
grep -q ' 0 applied,' "$out/boot2.out"
if [ $fail = 1 ]; then echo "== $arch: ctest_firmware FAILED"; exit 1; fi
echo "== $arch: ok"
