# faults.mk — `make check-faults` and `make fuzz`: libmigrate under SQLite's
# own fault simulation, power loss, process kills, concurrent runners and a
# libFuzzer harness.  Included by the main Makefile (tool/*.mk).
#
#   make check-faults          everything below, then a table of figures;
#                              exits non-zero on any failure (~10-20 min)
#   make check-faults FAULTS_ONLY="oom io"   a subset (oom io crash regress heaplimit heapc oomc kill conc fuzz)
#   make fuzz [FUZZ_SECONDS=600]            the fuzzer alone, bounded
#   make faults-testfixture    only fetch + build SQLite's testfixture
#   make check-oom             only the out-of-memory parts (below)
#
# Out of memory: four drivers, all in test/faults/, each a different way
# to make an allocation fail:
#   driver          how                                  run by
#   oom.tf          SQLite's fault injector, every        check-faults, check-oom
#                   allocation in turn (testfixture)      (part oom)
#   ctest_oom.c     a counting allocator fails allocation  make test (-quick, from
#                   N of a call, SQL and C API             test/oom.test);
#                                                          check-faults, check-oom
#                                                          (part oomc, whole)
#   heaplimit.tcl   PRAGMA hard_heap_limit scan, stock     make test (test/oom.test);
#                   tclsh                                  check-faults, check-oom
#                                                          (part heaplimit)
#   heapc.c         sqlite3_hard_heap_limit64 around       check-faults, check-oom
#                   migrate_boot() / migrate_run()         (part heapc)
#   make test-asan runs test/oom.test with a sanitized ctest_oom.
#
# How: test/faults/build-testfixture.sh fetches SQLite's full source tree
# (Debian's source package, through a private apt sources list derived from
# this machine's own) into build/sqlite-src/ and builds testfixture there.
# The extension is rebuilt against that tree's headers as
# build/faults/libmigrate.so and loaded into testfixture by the scripts of
# test/faults/.  The kill and concurrency drivers (test/faults/*.c) link
# libmigrate.a with the system SQLite.  test/faults/run.tcl runs every
# part, collects the FIGURE lines and prints the table.

FAULTS_DIR   = build/faults
SQLITE_TREE  = build/sqlite-src/tree
TESTFIXTURE  = $(SQLITE_TREE)/testfixture
FUZZ_SECONDS ?= 600
FAULTS_ONLY  ?= oom io crash regress heaplimit heapc oomc kill conc fuzz
FUZZ_CC      ?= clang

$(TESTFIXTURE): test/faults/build-testfixture.sh
	sh test/faults/build-testfixture.sh build/sqlite-src

## faults-testfixture: fetch SQLite's source and build its testfixture only
faults-testfixture: $(TESTFIXTURE)

# The extension against the downloaded tree's sqlite3.h/sqlite3ext.h (its
# sqlite3_module has more fields than 3.40.1's, hence the -Wno-).
$(FAULTS_DIR)/libmigrate.so: $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) $(TESTFIXTURE)
	@mkdir -p $(FAULTS_DIR)
	$(CC) $(WARN) -Wno-missing-field-initializers -O1 -g -fPIC -shared \
	  -I$(SQLITE_TREE) -Iext -o $@ $(EXT_SRC) $(GEN_SRC)

$(FAULTS_DIR)/killer: test/faults/killer.c test/faults/drv.h libmigrate.a ext/migrate.h
	@mkdir -p $(FAULTS_DIR)
	$(CC) $(WARN) -D_DEFAULT_SOURCE -O2 -g -Iext -o $@ test/faults/killer.c libmigrate.a $(SQLITE_LIBS)

$(FAULTS_DIR)/conc: test/faults/conc.c test/faults/drv.h libmigrate.a ext/migrate.h
	@mkdir -p $(FAULTS_DIR)
	$(CC) $(WARN) -D_DEFAULT_SOURCE -O2 -g -Iext -o $@ test/faults/conc.c libmigrate.a $(SQLITE_LIBS)

$(FAULTS_DIR)/heapc: test/faults/heapc.c test/faults/drv.h libmigrate.a ext/migrate.h
	@mkdir -p $(FAULTS_DIR)
	$(CC) $(WARN) -D_DEFAULT_SOURCE -O2 -g -Iext -o $@ test/faults/heapc.c libmigrate.a $(SQLITE_LIBS)

# libFuzzer + ASan + UBSan (needs libclang-rt-14-dev).
$(FAULTS_DIR)/fuzz_migrate: test/fuzz/fuzz_migrate.c $(EXT_SRC) $(EXT_HDR) $(GEN_SRC)
	@mkdir -p $(FAULTS_DIR)
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || sh tool/install-deps.sh clang
	@sh tool/install-deps.sh libclang-rt-14-dev
	$(FUZZ_CC) -std=c99 -Wall -Wextra -Werror -g -O1 -DSQLITE_CORE \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Iext -o $@ test/fuzz/fuzz_migrate.c $(EXT_SRC) $(GEN_SRC) $(SQLITE_LIBS)

FAULTS_DEPS = $(TESTFIXTURE) $(FAULTS_DIR)/libmigrate.so $(FAULTS_DIR)/killer \
              $(FAULTS_DIR)/conc $(FAULTS_DIR)/heapc $(FAULTS_DIR)/fuzz_migrate \
              build/ctest_oom libmigrate.a

## check-faults: all fault simulation (FAULTS_ONLY="oom io ..." for some parts), then a table
check-faults: $(FAULTS_DEPS) libmigrate.so
	$(TCLSH) test/faults/run.tcl -only "$(FAULTS_ONLY)"

## fuzz: the libFuzzer harness alone, FUZZ_SECONDS (default 600)
fuzz: $(FAULTS_DIR)/fuzz_migrate
	$(TCLSH) test/faults/run.tcl -only fuzz -fuzz-seconds $(FUZZ_SECONDS)

## check-oom: only the out-of-memory parts of check-faults (oom oomc heaplimit heapc)
check-oom: $(TESTFIXTURE) $(FAULTS_DIR)/libmigrate.so $(FAULTS_DIR)/heapc build/ctest_oom libmigrate.so
	$(TCLSH) test/faults/run.tcl -only "oom oomc heaplimit heapc"

.PHONY: check-faults check-oom fuzz faults-testfixture

# The out-of-memory regression driver of `make test` (test/oom.test runs
# it): every allocation of a call made to fail, with the system SQLite.
build/ctest_oom: test/faults/ctest_oom.c libmigrate.a ext/migrate.h
	@mkdir -p build
	$(CC) $(WARN) -D_DEFAULT_SOURCE -O1 -g -Iext -o $@ test/faults/ctest_oom.c libmigrate.a $(SQLITE_LIBS)
