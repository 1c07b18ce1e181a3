# libmigrate — build, test and demo.
#
#   make            libmigrate.so, libmigrate.a, sqlite-migrate
#   make test       the Tcl test suite (test/all.tcl); `make check` too
#   make help       every target, one line each, from this file and
#                   tool/*.mk
#
# Every target has a line "## TARGET: what it does" above its rule:
# `make help` prints those lines, and test/make.test fails when a target
# has none (or a line names no target).
#
# Options: OMIT_DIFF=1 builds without the schema diff (ext/diff.c,
# migration_diff()); ACCEPTANCE=PATH names the acceptance suite (below).
#
# Dependencies (a C compiler, libsqlite3-dev, sqlite3, tcl, libsqlite3-tcl)
# are installed by tool/install-deps.sh when a target needs one that is
# missing.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c99 -Wall -Wextra -Werror
SQLITE_LIBS ?= -lsqlite3
TCLSH   ?= tclsh

OMIT_DIFF ?=
EXT_SRC = ext/migrate.c ext/func.c ext/run.c ext/plan.c ext/guard.c \
          ext/store.c ext/checksum.c ext/vtab_scripts.c ext/vtab_status.c \
          ext/api.c ext/hooks.c ext/vtab.c ext/undo.c ext/lex.c ext/ops.c ext/util.c
ifeq ($(OMIT_DIFF),1)
  WARN += -DMIGRATE_OMIT_DIFF
else
  EXT_SRC += ext/diff.c
endif
EXT_HDR = ext/migrate.h ext/migrateInt.h
GEN_SRC = build/storage_sql.c build/hooks_sql.c build/lock_sql.c build/boot_sql.c
CORE_OBJ = $(patsubst ext/%.c,build/core/%.o,$(EXT_SRC)) build/core/storage_sql.o \
           build/core/hooks_sql.o build/core/lock_sql.o build/core/boot_sql.o

## all: build libmigrate.so, libmigrate.a and sqlite-migrate (the default)
all: libmigrate.so libmigrate.a sqlite-migrate

# Installs the toolchain and SQLite headers once, when something is missing.
build/.deps: tool/install-deps.sh
	@mkdir -p build
	@sh tool/install-deps.sh --check 2>/dev/null || sh tool/install-deps.sh
	@touch $@

# sql/storage.sql embedded as the C string migrateStorageSql.
build/storage_sql.c: sql/storage.sql tool/sql2c.sh | build/.deps
	@mkdir -p build
	sh tool/sql2c.sh migrateStorageSql < sql/storage.sql > $@.tmp && mv $@.tmp $@

build/hooks_sql.c: sql/hooks.sql tool/sql2c.sh | build/.deps
	@mkdir -p build
	sh tool/sql2c.sh migrateHooksSql < sql/hooks.sql > $@.tmp && mv $@.tmp $@

build/lock_sql.c: sql/lock.sql tool/sql2c.sh | build/.deps
	@mkdir -p build
	sh tool/sql2c.sh migrateLockSql < sql/lock.sql > $@.tmp && mv $@.tmp $@

build/boot_sql.c: sql/boot.sql tool/sql2c.sh | build/.deps
	@mkdir -p build
	sh tool/sql2c.sh migrateBootSql < sql/boot.sql > $@.tmp && mv $@.tmp $@

## libmigrate.so: the loadable extension (.load ./libmigrate)
libmigrate.so: $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) build/.flags
	$(CC) $(WARN) $(CFLAGS) -fPIC -shared -Iext -o $@ $(EXT_SRC) $(GEN_SRC)

# Objects are rebuilt when the compiler or its flags change (for example
# OMIT_DIFF=1 adding -DMIGRATE_OMIT_DIFF).
build/.flags: FORCE
	@mkdir -p build
	@echo '$(CC) $(WARN) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(WARN) $(CFLAGS)' > $@

build/core/%.o: ext/%.c $(EXT_HDR) build/.flags
	@mkdir -p build/core
	$(CC) $(WARN) $(CFLAGS) -DSQLITE_CORE -Iext -c -o $@ $<

build/core/%_sql.o: build/%_sql.c $(EXT_HDR) build/.flags
	@mkdir -p build/core
	$(CC) $(WARN) $(CFLAGS) -DSQLITE_CORE -Iext -c -o $@ $<

## libmigrate.a: the static library (-DSQLITE_CORE) for programs and firmware
libmigrate.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $(CORE_OBJ)

# The CLI: tool/cli/*.c (the map of its files is in tool/cli/cli.h).
CLI_SRC = $(sort $(wildcard tool/cli/*.c))

## sqlite-migrate: the command-line tool (tool/cli/)
sqlite-migrate: $(CLI_SRC) tool/cli/cli.h libmigrate.a ext/migrate.h
	$(CC) $(WARN) $(CFLAGS) -Iext -o $@ $(CLI_SRC) libmigrate.a $(SQLITE_LIBS)

## deps: install the toolchain, SQLite headers and Tcl (tool/install-deps.sh)
deps:
	@sh tool/install-deps.sh

## test: the Tcl test suite, test/*.test (about 35 s)
test: all
	$(TCLSH) test/all.tcl

## check: the test suite (the same as make test)
check: test

## demo: build, then migrate sql/examples/ in the sqlite3 shell
demo: all
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
