# bindings.mk — libmigrate where applications live: reduced SQLite builds as
# language bindings compile them, the npm and Python packages, and the Go
# and Rust examples.  Included by the main Makefile (tool/*.mk).  None of
# these run in `make test`: they fetch from npm or Debian, or take minutes.
#
#   make check-bindings   the acceptance suite and the test suite inside
#                         SQLite built with better-sqlite3's options, and
#                         with OMIT_INCRBLOB/_COMPLETE/_AUTHORIZATION
#   make check-node       the npm package under Node 20 + better-sqlite3 12
#                         and Node 22 + node:sqlite
#   make check-python     the Python package in a fresh venv, offline
#   make check-examples   the Go and Rust examples, offline
#
# Details: tool/bindings/README.md, tool/npm/README.md,
# tool/python/README.md, tool/examples/README.md.

## check-bindings: acceptance + test suite in SQLite built as better-sqlite3 builds it, and with OMIT_INCRBLOB/COMPLETE/AUTHORIZATION (npm, ~6 min)
check-bindings: all
	sh tool/bindings/check-bindings.sh

.PHONY: check-bindings

## check-node: the npm package (tool/npm): Node 20 + better-sqlite3 12, Node 22 + node:sqlite, README examples, TypeScript (npm)
check-node: all
	sh tool/npm/test/check-node.sh

.PHONY: check-node

## check-python: the Python package (tool/python) in a fresh venv, offline: install, wheel tag, README example, 4 processes at once
check-python: all
	sh tool/python/tests/check-python.sh

.PHONY: check-python

## check-examples: build and run the Go and Rust examples and the "Use it from…" snippets (shell, C, Go, Rust), offline
check-examples: all
	sh tool/examples/check-examples.sh

.PHONY: check-examples

# test/ctest_nullapi.c with ext/*.c compiled as for libmigrate.so (no
# SQLITE_CORE): run by test/nullapi.test in make test.
build/ctest_nullapi: test/ctest_nullapi.c $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) build/.flags
	$(CC) $(WARN) -O1 -g -Iext -o $@ test/ctest_nullapi.c $(EXT_SRC) $(GEN_SRC) $(SQLITE_LIBS)
