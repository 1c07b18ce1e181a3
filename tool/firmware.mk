# firmware.mk — the firmware path: a static boot example with compiled-in
# scripts, a power-loss (SIGKILL) test, cross builds run under qemu, sizes.
# Included by the main Makefile.
#
#   make firmware-example  build tool/firmware/boot.c statically with the
#                          scripts of sql/examples/firmware compiled in, run
#                          it twice on a fresh database (all, then nothing)
#   make check-power       kill the example 2000 times mid-migration
#                          (FW_KILLS=N to change), check after every kill
#   make check-arm         build extension + example + test/ctest_firmware.c
#                          for 32-bit ARM (static, Debian's armhf SQLite),
#                          run under qemu-arm; the driver natively too; the
#                          same for big-endian s390x
#   make check-power-arm   the power-loss test on the ARM build under qemu-arm
#                          (FW_ARM_KILLS=50)
#   make bench-boot-arm    the no-op boot under qemu-arm with FW_BOOT_N
#                          (100) scripts: migrate_boot() vs migrate_boot_v2()
#   make size              .text/.data/.bss of the extension built for
#                          firmware (-Os, -DSQLITE_CORE -DMIGRATE_OMIT_DIFF -DMIGRATE_OMIT_DUMP)
#                          on x86-64 and Cortex-M4 Thumb-2, against 32 KiB
#
# Binaries are linked to NAME.tmp and renamed, so a test running one while
# another make relinks it never sees half a file.
# The scripts are compiled in from build/fw/fw_scripts.c, printed by
# `sqlite-migrate -d sql/examples/firmware embed`.  Cross packages come
# through tool/install-deps.sh; SQLite for armhf/s390x is downloaded with a
# private apt list (the machine's own mirror, APT::Architectures) and
# unpacked under build/cross/, nothing in /etc is touched.

FW        = build/fw
FW_SQL    = $(sort $(wildcard sql/examples/firmware/*.sql))
FW_KILLS ?= 2000
FW_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
FW_SQLITE_A ?= /usr/lib/$(FW_MULTIARCH)/libsqlite3.a
FW_LIBS   = -lm -lpthread -ldl
# Debian's libsqlite3.a can load extensions (dlopen): a static glibc link
# warns about that; the example never loads one.
FW_LINK   = -static -Wl,--no-warnings
FW_EMBED ?= ./sqlite-migrate -d sql/examples/firmware embed
# Extension sources for firmware: everything but the schema diff (and
# migrate_check, which needs its schema model).
FW_EXT_SRC = $(filter-out ext/diff.c ext/check.c ext/dump.c,$(EXT_SRC))
FW_CFLAGS = -std=c99 -Wall -Wextra -Werror -DSQLITE_CORE -DMIGRATE_OMIT_DIFF -DMIGRATE_OMIT_DUMP

$(FW)/fw_scripts.c: $(FW_SQL) $(if $(wildcard tool/cli/sqlite-migrate.c),sqlite-migrate)
	@mkdir -p $(FW)
	$(FW_EMBED) > $@.tmp && mv $@.tmp $@

$(FW)/boot: tool/firmware/boot.c $(FW)/fw_scripts.c libmigrate.a ext/migrate.h
	$(CC) $(WARN) $(CFLAGS) -Iext $(FW_LINK) -o $@.tmp tool/firmware/boot.c \
	  $(FW)/fw_scripts.c libmigrate.a $(FW_SQLITE_A) $(FW_LIBS) && mv $@.tmp $@

$(FW)/powerloss: tool/firmware/powerloss.c
	@mkdir -p $(FW)
	$(CC) $(WARN) $(CFLAGS) $(FW_LINK) -o $@.tmp tool/firmware/powerloss.c \
	  $(FW_SQLITE_A) $(FW_LIBS) && mv $@.tmp $@

$(FW)/ctest_firmware: test/ctest_firmware.c libmigrate.a ext/migrate.h
	@mkdir -p $(FW)
	$(CC) $(WARN) $(CFLAGS) -Iext $(FW_LINK) -o $@.tmp test/ctest_firmware.c \
	  libmigrate.a $(FW_SQLITE_A) $(FW_LIBS) && mv $@.tmp $@

## firmware-bins: build the firmware example, the power-loss driver and ctest_firmware
firmware-bins: $(FW)/boot $(FW)/powerloss $(FW)/ctest_firmware

## firmware-example: boot the static example twice on a fresh database (all, then nothing)
firmware-example: $(FW)/boot
	@rm -f $(FW)/example.db $(FW)/example.db-journal
	@echo "== first boot (fresh database)"
	@$(FW)/boot $(FW)/example.db
	@cksum < $(FW)/example.db > $(FW)/example.sum
	@echo "== second boot"
	@$(FW)/boot $(FW)/example.db | tee $(FW)/example.out
	@grep -q ' 0 applied,' $(FW)/example.out || \
	  { echo "firmware-example: second boot applied something" >&2; exit 1; }
	@cksum < $(FW)/example.db | cmp -s - $(FW)/example.sum || \
	  { echo "firmware-example: second boot changed the database" >&2; exit 1; }
	@echo "firmware-example: ok (second boot applied 0 and wrote nothing)"

## check-power: kill the firmware example 2000 times mid-migration (FW_KILLS=N)
check-power: $(FW)/boot $(FW)/powerloss
	$(FW)/powerloss -kills $(FW_KILLS) $(FW)/boot $(FW)/power.db

.PHONY: firmware-bins firmware-example check-power

# ---- other architectures (static, under qemu-user) ----------------------
FW_CROSS_SRC = $(FW_EXT_SRC) $(GEN_SRC) $(FW)/fw_scripts.c

## check-arm: extension + example + ctest_firmware for 32-bit ARM, under qemu-arm
check-arm: $(FW)/ctest_firmware $(FW)/powerloss $(FW)/fw_scripts.c $(GEN_SRC)
	@sh tool/install-deps.sh gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user file
	FW_SRC="$(FW_CROSS_SRC)" sh tool/firmware/cross.sh armhf arm-linux-gnueabihf qemu-arm
	@echo "== the database the ARM boot wrote, checked natively"
	$(FW)/powerloss -check build/cross/armhf/example.db
	@echo "== native"
	$(FW)/ctest_firmware

## check-s390x: the firmware example for big-endian s390x, under qemu-s390x
check-s390x: $(FW)/powerloss $(FW)/fw_scripts.c $(GEN_SRC)
	@sh tool/install-deps.sh gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user file
	FW_SRC="$(FW_CROSS_SRC)" sh tool/firmware/cross.sh s390x s390x-linux-gnu qemu-s390x
	@echo "== the database the big-endian boot wrote, checked natively"
	$(FW)/powerloss -check build/cross/s390x/example.db

## check-cross: check-arm and check-s390x
check-cross: check-arm check-s390x

.PHONY: check-arm check-s390x check-cross

# ---- size of the extension built for firmware ----------------------------
# Every file of the firmware build (all of ext/ but diff.c, check.c, dump.c, plus the embedded
# storage schema), -Os, for x86-64 and for Cortex-M4 Thumb-2 (newlib).
FW_SIZE_SRC = $(FW_EXT_SRC) $(GEN_SRC)
FW_SIZE_BUDGET = 40960
FW_M4 = arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -Os

## size: .text/.data/.bss of the firmware build on x86-64 and Cortex-M4, vs 40 KiB
size: $(GEN_SRC) $(EXT_HDR)
	@sh tool/install-deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi
	@rm -rf build/size && mkdir -p build/size/include build/size/x86-64 build/size/thumb2
	@cp /usr/include/sqlite3.h /usr/include/sqlite3ext.h build/size/include/
	@for f in $(FW_SIZE_SRC); do \
	  o=$$(basename $$f .c).o; \
	  $(CC) $(FW_CFLAGS) -Os -Iext -c -o build/size/x86-64/$$o $$f || exit 1; \
	  $(FW_M4) $(FW_CFLAGS) -Ibuild/size/include -Iext -c -o build/size/thumb2/$$o $$f || exit 1; \
	done
	@echo "== x86-64, gcc -Os -DSQLITE_CORE -DMIGRATE_OMIT_DIFF -DMIGRATE_OMIT_DUMP"
	@size -t build/size/x86-64/*.o
	@echo "== ARM Cortex-M4 Thumb-2, arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -Os"
	@arm-none-eabi-size -t build/size/thumb2/*.o | tee build/size/thumb2.txt
	@arm-none-eabi-size -t build/size/thumb2/*.o | awk -v b=$(FW_SIZE_BUDGET) \
	  'END { printf "Thumb-2 .text %d bytes (%.1f KiB) of a %d KiB budget: %s\n", \
	         $$1, $$1/1024, b/1024, ($$1<=b ? "within, " b-$$1 " bytes to spare" : "OVER by " $$1-b " bytes") }'

.PHONY: size

# The power-loss test on the ARM build, under qemu-arm (slow: ~10x).
FW_ARM_KILLS ?= 50
## check-power-arm: the power-loss test on the ARM build under qemu-arm (FW_ARM_KILLS=50)
check-power-arm: $(FW)/powerloss $(FW)/fw_scripts.c $(GEN_SRC)
	@sh tool/install-deps.sh gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
	CROSS_BUILD_ONLY=1 FW_SRC="$(FW_CROSS_SRC)" sh tool/firmware/cross.sh armhf arm-linux-gnueabihf qemu-arm
	$(FW)/powerloss -kills $(FW_ARM_KILLS) -run qemu-arm build/cross/armhf/boot $(FW)/power-arm.db

.PHONY: check-power-arm

# The no-op boot under qemu-arm: tool/bench/driver.c's `noop` mode, cross
# built, with FW_BOOT_N scripts applied: per call, SELECT migrate(), the
# anti-join, migrate_boot() (every script compared) and migrate_boot_v2()
# (the array's checksum found: none compared).
FW_BOOT_N ?= 100
## bench-boot-arm: no-op boot time under qemu-arm, FW_BOOT_N=100 scripts: migrate_boot() vs migrate_boot_v2()
bench-boot-arm: $(FW)/fw_scripts.c $(GEN_SRC)
	@sh tool/install-deps.sh gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
	CROSS_BUILD_ONLY=1 FW_SRC="$(FW_CROSS_SRC)" sh tool/firmware/cross.sh armhf arm-linux-gnueabihf qemu-arm
	@mkdir -p build/cross/armhf/tmp
	qemu-arm build/cross/armhf/bench-driver noop $(FW_BOOT_N) 5 build/cross/armhf/tmp | \
	  awk '{ n=0; for(i=5;i<=NF;i++){ v=$$i; for(j=n; j>0 && a[j-1]>v; j--) a[j]=a[j-1]; a[j]=v; n++ } \
	         printf "%-16s N=%s  median %.3f ms per call (%d runs)\n", $$2, $$4, a[int((n-1)/2)], n }'

.PHONY: bench-boot-arm
