# libmigrate — build, test and demo.
#
#   make            libmigrate.so, libmigrate.a, sqlite-migrate
#   make demo       build, then migrate sql/examples/ in the sqlite3 shell
#   make test       the Tcl test suite (test/all.tcl)
#   make test-asan  the suite with an ASan+UBSan build of the extension
#   make test-valgrind  the suite under valgrind
#
# Dependencies (a C compiler, libsqlite3-dev, sqlite3, tcl, libsqlite3-tcl)
# are installed by tool/install-deps.sh when a target needs one that is
# missing.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c99 -Wall -Wextra -Werror
SQLITE_LIBS ?= -lsqlite3
TCLSH   ?= tclsh

EXT_SRC = ext/migrate.c ext/func.c ext/run.c ext/plan.c ext/guard.c \
          ext/store.c ext/checksum.c ext/vtab_scripts.c ext/vtab_status.c \
          ext/api.c ext/hooks.c ext/vtab.c ext/undo.c
EXT_SRC += $(wildcard ext/diff.c)
ifeq ($(wildcard ext/diff.c),)
  WARN += -DMIGRATE_OMIT_DIFF
endif
EXT_HDR = ext/migrate.h ext/migrateInt.h
GEN_SRC = build/storage_sql.c build/hooks_sql.c
CORE_OBJ = $(patsubst ext/%.c,build/core/%.o,$(EXT_SRC)) build/core/storage_sql.o \
           build/core/hooks_sql.o

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

libmigrate.so: $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) build/.flags
	$(CC) $(WARN) $(CFLAGS) -fPIC -shared -Iext -o $@ $(EXT_SRC) $(GEN_SRC)

# Objects are rebuilt when the compiler or its flags change (for example
# -DMIGRATE_OMIT_DIFF going away when ext/diff.c appears).
build/.flags: FORCE
	@mkdir -p build
	@echo '$(CC) $(WARN) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(WARN) $(CFLAGS)' > $@

build/core/%.o: ext/%.c $(EXT_HDR) build/.flags
	@mkdir -p build/core
	$(CC) $(WARN) $(CFLAGS) -DSQLITE_CORE -Iext -c -o $@ $<

build/core/%_sql.o: build/%_sql.c $(EXT_HDR) build/.flags
	@mkdir -p build/core
	$(CC) $(WARN) $(CFLAGS) -DSQLITE_CORE -Iext -c -o $@ $<

libmigrate.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $(CORE_OBJ)

# The CLI: tool/cli/*.c (the map of its files is in tool/cli/cli.h).
CLI_SRC = $(sort $(wildcard tool/cli/*.c))

sqlite-migrate: $(CLI_SRC) tool/cli/cli.h libmigrate.a ext/migrate.h
	$(CC) $(WARN) $(CFLAGS) -Iext -o $@ $(CLI_SRC) libmigrate.a $(SQLITE_LIBS)

deps:
	@sh tool/install-deps.sh

test: all
	$(TCLSH) test/all.tcl

demo: all
	sh tool/demo.sh

acceptance: all
	$(TCLSH) ../shared/acceptance/run.tcl

clean:
	rm -rf build libmigrate.so libmigrate.a sqlite-migrate

FORCE:

.PHONY: all deps test demo acceptance clean FORCE

# Further targets (firmware, faults, bench, ...) live in tool/*.mk.
-include $(wildcard tool/*.mk)
