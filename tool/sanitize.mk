# sanitize.mk — the Tcl suite under AddressSanitizer+UBSan and under valgrind.
#
# Included by the main Makefile (-include tool/*.mk).
#
#   make test-asan        build build/asan/libmigrate.so with
#                         -fsanitize=address,undefined and run every
#                         test/*.test against it (tclsh with the ASan runtime
#                         preloaded; leak detection on; any UBSan report
#                         aborts the file, so it counts as a failure;
#                         test/oom.test runs a sanitized test/faults/ctest_oom.c)
#   make test-valgrind    run every test/*.test under valgrind (memcheck,
#                         definite leaks are errors, exit code 99 on error;
#                         installs the valgrind package when it is missing)
#   TEST_FILES='atomic txn' make test-asan   only some files (globs)
#
# How it works: test/tester.tcl loads the extension from $MIGRATE_EXT, so
# the sanitizer build is just a second .so pointed at by that variable.
# Stock tclsh is not instrumented, so the ASan runtime must come first:
# LD_PRELOAD of the compiler's libasan.so.  Each test file runs through
# tool/asan-boot.tcl: leak detection on in the test process, off in the
# programs it starts (gcc and ld never free before exit); no suppressions
# are needed, so none can hide a libmigrate leak.  test/all.tcl runs each
# file in its own process and counts a file that exits non-zero as failed,
# so a sanitizer or valgrind report anywhere fails the run.

ASAN_CC    ?= gcc
ASAN_FLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined -O1 -g
ASAN_RT    ?= $(shell $(ASAN_CC) -print-file-name=libasan.so)
TEST_FILES ?=
VALGRIND   ?= valgrind --error-exitcode=99 --leak-check=full \
              --errors-for-leak-kinds=definite -q

# Built under a temporary name, then renamed: a run in progress elsewhere
# never loads a half-written file.
build/asan/libmigrate.so: $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) tool/sanitize.mk
	@mkdir -p build/asan
	$(ASAN_CC) $(WARN) $(ASAN_FLAGS) -fPIC -shared -Iext -o $@.$$$$.tmp \
	  $(EXT_SRC) $(GEN_SRC) && mv -f $@.$$$$.tmp $@

# test/faults/ctest_oom.c with the extension built in, sanitized too: oom.test
# runs it instead of build/ctest_oom when MIGRATE_CTEST_OOM names it.
build/asan/ctest_oom: test/faults/ctest_oom.c $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) tool/sanitize.mk
	@mkdir -p build/asan
	$(ASAN_CC) $(WARN) $(ASAN_FLAGS) -D_DEFAULT_SOURCE -DSQLITE_CORE -Iext \
	  -o $@.$$$$.tmp test/faults/ctest_oom.c $(EXT_SRC) $(GEN_SRC) $(SQLITE_LIBS) \
	  && mv -f $@.$$$$.tmp $@

# Each run tests its own copy of the build (several people may run this
# target at once in one tree), removed at the end.
## test-asan: the test suite against an ASan+UBSan build (TEST_FILES=globs)
test-asan: build/asan/libmigrate.so build/asan/ctest_oom all
	@d=$(CURDIR)/build/asan/run.$$$$; mkdir -p $$d && \
	cp build/asan/libmigrate.so $$d/libmigrate.so && \
	cp build/asan/ctest_oom $$d/ctest_oom && \
	MIGRATE_EXT=$$d/libmigrate MIGRATE_CTEST_OOM=$$d/ctest_oom \
	LD_PRELOAD=$(ASAN_RT) \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87 \
	  $(TCLSH) test/all.tcl -wrap "$(TCLSH) $(CURDIR)/tool/asan-boot.tcl" \
	  $(TEST_FILES); rc=$$?; rm -rf $$d; exit $$rc

## test-valgrind: the test suite under valgrind (TEST_FILES=globs)
test-valgrind: all
	@sh tool/install-deps.sh valgrind
	$(TCLSH) test/all.tcl -wrap "$(VALGRIND)" $(TEST_FILES)

.PHONY: test-asan test-valgrind
