# libmigrate — build, test and demo.
#
#   make            libmigrate.so, libmigrate.a, sqlite-migrate
#   make test       the Tcl test suite (test/all.tcl); `make check` too
#   make help       every target, one line each, from this file and
#                   tool/*.mk
#   make install    PREFIX=/usr/local DESTDIR=: see tool/install.mk (also
#                   uninstall, man, deb); make check-fresh: tool/fresh.mk
#
# Every target has a line "## TARGET: what it does" above its rule:
# `make help` prints those lines, and test/make.test fails when a target
# has none (or a line names no target).
#
# Options: OMIT_DIFF=1 builds without the schema diff (ext/diff.c,
# migration_diff()); ACCEPTANCE=PATH names the acceptance suite (below).
#
# Dependencies (a C compiler, libsqlite3-dev, sqlite3, tcl, libsqlite3-tcl,
# scdoc for the man pages) are installed by tool/install-deps.sh, through
# apt-get: `make deps` installs them all; `make demo` and `make test` install
# what they need first.  Plain `make` and `make install` install nothing: a
# missing compiler or sqlite3.h stops them with a message naming `make deps`.

CC      ?= cc
CFLAGS  ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
WARN     = -std=c99 -Wall -Wextra -Werror
SQLITE_LIBS ?= -lsqlite3
TCLSH   ?= tclsh

OMIT_DIFF ?=
EXT_SRC = ext/migrate.c ext/func.c ext/run.c ext/plan.c ext/guard.c \
          ext/store.c ext/checksum.c ext/vtab_scripts.c ext/vtab_status.c \
          ext/api.c ext/hooks.c ext/vtab.c ext/undo.c ext/lex.c ext/ops.c ext/util.c \
          ext/dump.c
# check.c (migrate_check) needs diff.c's schema model: it goes with it.
ifeq ($(OMIT_DIFF),1)
  WARN += -DMIGRATE_OMIT_DIFF
else
  EXT_SRC += ext/diff.c ext/check.c
endif
EXT_HDR = ext/migrate.h ext/migrateInt.h
GEN_SRC = build/storage_sql.c build/hooks_sql.c build/lock_sql.c build/boot_sql.c
CORE_OBJ = $(patsubst ext/%.c,build/core/%.o,$(EXT_SRC)) build/core/storage_sql.o \
           build/core/hooks_sql.o build/core/lock_sql.o build/core/boot_sql.o

# The library version, from its one place: MIGRATE_VERSION in ext/migrate.h
# (read by libmigrate.pc, the man pages and the Debian changelog check).
MIGRATE_VERSION := $(shell sed -n 's/^.define MIGRATE_VERSION "\([^"]*\)".*/\1/p' ext/migrate.h)

## all: build libmigrate.so, libmigrate.a and sqlite-migrate (the default; installs nothing)
all: libmigrate.so libmigrate.a sqlite-migrate

# Plain `make` installs nothing: this probe compiles and links a program
# against sqlite3.h and SQLITE_LIBS once (again when the compiler or flags
# change) and, when it cannot, stops with a message naming `make deps`.
build/.cc-ok: build/.flags tool/check-cc.sh
	@sh tool/check-cc.sh '$(CC)' '$(CPPFLAGS) $(CFLAGS)' '$(LDFLAGS) $(SQLITE_LIBS)'
	@touch $@

# sql/storage.sql embedded as the C string migrateStorageSql.
build/storage_sql.c: sql/storage.sql tool/sql2c.sh | build/.cc-ok
	@mkdir -p build
	sh tool/sql2c.sh migrateStorageSql < sql/storage.sql > $@.tmp && mv $@.tmp $@

build/hooks_sql.c: sql/hooks.sql tool/sql2c.sh | build/.cc-ok
	@mkdir -p build
	sh tool/sql2c.sh migrateHooksSql < sql/hooks.sql > $@.tmp && mv $@.tmp $@

build/lock_sql.c: sql/lock.sql tool/sql2c.sh | build/.cc-ok
	@mkdir -p build
	sh tool/sql2c.sh migrateLockSql < sql/lock.sql > $@.tmp && mv $@.tmp $@

build/boot_sql.c: sql/boot.sql tool/sql2c.sh | build/.cc-ok
	@mkdir -p build
	sh tool/sql2c.sh migrateBootSql < sql/boot.sql > $@.tmp && mv $@.tmp $@

## libmigrate.so: the loadable extension (.load ./libmigrate)
libmigrate.so: $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) build/.flags | build/.cc-ok
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -Iext $(LDFLAGS) -o $@ $(EXT_SRC) $(GEN_SRC)

# Objects are rebuilt when the compiler or its flags change (for example
# OMIT_DIFF=1 adding -DMIGRATE_OMIT_DIFF).
BUILD_FLAGS = $(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(SQLITE_LIBS)
build/.flags: FORCE
	@mkdir -p build
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@

build/core/%.o: ext/%.c $(EXT_HDR) build/.flags | build/.cc-ok
	@mkdir -p build/core
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -DSQLITE_CORE -Iext -c -o $@ $<

build/core/%_sql.o: build/%_sql.c $(EXT_HDR) build/.flags | build/.cc-ok
	@mkdir -p build/core
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -DSQLITE_CORE -Iext -c -o $@ $<

## libmigrate.a: the static library (-DSQLITE_CORE) for programs and firmware
libmigrate.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $(CORE_OBJ)

# The CLI: tool/cli/*.c (the map of its files is in tool/cli/cli.h).
CLI_SRC = $(sort $(wildcard tool/cli/*.c))

## sqlite-migrate: the command-line tool (tool/cli/)
sqlite-migrate: $(CLI_SRC) tool/cli/cli.h libmigrate.a ext/migrate.h | build/.cc-ok
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Iext $(LDFLAGS) -o $@ $(CLI_SRC) libmigrate.a $(SQLITE_LIBS)

## deps: install (apt-get) what the targets here need: compiler, SQLite, Tcl, scdoc, pkg-config
deps:
	@sh tool/install-deps.sh scdoc pkg-config

# demo and test keep the README's promise on a fresh machine: they install
# what they need first, then build (a second make, so that with -j the
# install is over before anything compiles).
## test: the Tcl test suite, test/*.test (about 35 s; installs what it needs first)
test:
	@sh tool/install-deps.sh
	@$(MAKE) --no-print-directory all
	$(TCLSH) test/all.tcl

## check: the test suite (the same as make test)
check: test

## demo: build, then migrate sql/examples/ in the sqlite3 shell (installs what it needs first)
demo:
	@sh tool/install-deps.sh
	@$(MAKE) --no-print-directory all
	sh tool/demo.sh

# The black-box acceptance suite is the project's shared contract, kept
# outside this repository (next to it when checked out as a worktree of
# the project); ACCEPTANCE=PATH names another copy of its run.tcl.
ACCEPTANCE ?= ../shared/acceptance/run.tcl

## acceptance: the black-box acceptance suite, outside this repository (ACCEPTANCE=PATH)
acceptance: all
	@test -f "$(ACCEPTANCE)" || { echo "acceptance: no suite at $(ACCEPTANCE): it is not part of this repository; give ACCEPTANCE=PATH/TO/run.tcl" >&2; exit 2; }
	$(TCLSH) $(ACCEPTANCE)

## help: list every target of Makefile and tool/*.mk, one line each
help:
	@awk 'FNR==1 { printf "%s%s\n", (NR>1 ? "\n" : ""), FILENAME } \
	  /^## [^ :]+: / { t = $$2; sub(/:$$/, "", t); d = $$0; \
	    sub(/^## [^ :]+: /, "", d); printf "  %-19s %s\n", t, d }' \
	  Makefile $(sort $(wildcard tool/*.mk))

## clean: remove everything built (build/ and the three products)
clean:
	rm -rf build libmigrate.so libmigrate.a sqlite-migrate

FORCE:

.PHONY: all deps test check demo acceptance help clean FORCE

# Further targets (firmware, faults, bench, ...) live in tool/*.mk.
-include $(wildcard tool/*.mk)
