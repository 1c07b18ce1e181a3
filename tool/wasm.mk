# wasm.mk — libmigrate in the browser: SQLite's own WebAssembly build
# (ext/wasm of SQLite's source tree) with libmigrate compiled in and
# registered for every connection, a JS wrapper (ES modules), an example
# page, and a check in headless Chromium and in Node.  Included by the main
# Makefile.  tool/wasm/README.md tells the whole story.
#
#   make wasm            build build/wasm/dist/ (sqlite3.wasm + JS) and print
#                        the .wasm size with and without libmigrate
#   make check-browser   serve build/wasm/dist on 127.0.0.1, drive Debian's
#                        headless Chromium through the example (Playwright),
#                        then run the same checks under Node
#   make check-wasm-node only the Node half (no browser needed)
#
# Dependencies come through tool/install-deps.sh (emscripten, wabt,
# binaryen, tcl; chromium for the browser check); playwright-core comes from
# npm into build/wasm/npm (it drives /usr/bin/chromium, downloads no
# browser).  SQLite's source is fetched at build time (tool/fetch-sqlite-src.sh)
# into build/, never committed.

WASM        = build/wasm
WASM_TREE   = $(WASM)/sqlite
WASM_DIST   = $(WASM)/dist
WASM_PLAIN  = $(WASM)/plain
WASM_OBJ    = $(WASM)/obj
# The OMITs and THREADSAFE=0 are those of ext/wasm's build (its
# GNUmakefile and api/sqlite3-wasm.c): libmigrate sees the same API.
WASM_SQLITE_OPT = -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_DEPRECATED \
  -DSQLITE_OMIT_UTF16 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_SHARED_CACHE
WASM_CFLAGS = -std=c99 -Wall -Wextra -Werror -Oz -DSQLITE_CORE \
  $(filter -DMIGRATE_OMIT_DIFF,$(WARN)) $(WASM_SQLITE_OPT) -I$(WASM_TREE) -Iext
# Every C file of libmigrate: the Makefile's EXT_SRC and GEN_SRC (the SQL
# of sql/ made into C in build/), so a file added there is added here.
WASM_LIB_OBJ = $(patsubst ext/%.c,$(WASM_OBJ)/%.o,$(EXT_SRC)) \
  $(patsubst build/%.c,$(WASM_OBJ)/%.o,$(GEN_SRC))
WASM_JS     = tool/wasm/migrate.mjs tool/wasm/migrate-core.mjs \
  tool/wasm/migrate-worker.mjs tool/wasm/migrate-node.mjs
WASM_EXAMPLE = tool/wasm/example/index.html tool/wasm/example/app.mjs
PLAYWRIGHT_VERSION ?= 1.60.0

$(WASM)/.deps: tool/install-deps.sh
	@mkdir -p $(WASM)
	@sh tool/install-deps.sh emscripten wabt binaryen tcl xz-utils
	@command -v node >/dev/null 2>&1 || sh tool/install-deps.sh nodejs
	@touch $@

# SQLite's tree, configured for emscripten, amalgamation made.
# (rm -rf build/wasm/sqlite to unpack and configure it again)
$(WASM_TREE)/.ready: | $(WASM)/.deps
	sh tool/wasm/build.sh tree $(WASM_TREE)

$(WASM_OBJ)/%.o: ext/%.c $(EXT_HDR) $(WASM_TREE)/.ready
	@mkdir -p $(WASM_OBJ)
	emcc $(WASM_CFLAGS) -c -o $@ $<

$(WASM_OBJ)/%_sql.o: build/%_sql.c $(EXT_HDR) $(WASM_TREE)/.ready
	@mkdir -p $(WASM_OBJ)
	emcc $(WASM_CFLAGS) -c -o $@ $<

$(WASM)/libmigrate.a: $(WASM_LIB_OBJ)
	rm -f $@
	emar rcs $@ $(WASM_LIB_OBJ)

# SQLite + libmigrate: the build a web developer ships.
$(WASM_DIST)/sqlite3.wasm: $(WASM_TREE)/.ready tool/wasm/build.sh tool/wasm/compat.sh \
                           tool/wasm/extra_init.c $(WASM)/libmigrate.a
	@date +%s > $(WASM)/build-start
	sh tool/wasm/build.sh sqlite $(WASM_TREE) $(WASM_DIST) \
	  tool/wasm/extra_init.c $(WASM)/libmigrate.a
	@echo $$(( $$(date +%s) - $$(cat $(WASM)/build-start) )) > $(WASM)/build-seconds

# Stock SQLite, same flags, only for the size comparison.  Both builds run
# in the same tree: never at the same time (order-only prerequisite).
$(WASM_PLAIN)/sqlite3.wasm: $(WASM_TREE)/.ready tool/wasm/build.sh tool/wasm/compat.sh \
                            | $(WASM_DIST)/sqlite3.wasm
	sh tool/wasm/build.sh sqlite $(WASM_TREE) $(WASM_PLAIN)

$(WASM_DIST)/.files: $(WASM_JS) $(WASM_EXAMPLE) $(WASM_DIST)/sqlite3.wasm
	@mkdir -p $(WASM_DIST)/example
	cp $(WASM_JS) $(WASM_DIST)/
	cp $(WASM_EXAMPLE) $(WASM_DIST)/example/
	@touch $@

## wasm: build SQLite's WebAssembly build with libmigrate (build/wasm/dist) and print its size
wasm: $(WASM_DIST)/.files $(WASM_PLAIN)/sqlite3.wasm
	@sh tool/wasm/sizes.sh $(WASM_PLAIN)/sqlite3.wasm $(WASM_DIST)/sqlite3.wasm \
	  $(WASM_TREE) $(WASM)/build-seconds

$(WASM)/npm/node_modules/playwright-core/package.json: | $(WASM)/.deps
	@mkdir -p $(WASM)/npm
	@command -v npm >/dev/null 2>&1 || sh tool/install-deps.sh npm
	cd $(WASM)/npm && npm install --no-save --no-audit --no-fund \
	  playwright-core@$(PLAYWRIGHT_VERSION) >/dev/null

## check-wasm-node: the browser check's scenario under Node, on the same sqlite3.wasm
check-wasm-node: $(WASM_DIST)/.files
	node tool/wasm/check-node.mjs $(WASM_DIST)

## check-browser: the example in headless Chromium (OPFS, reload, batches, rollback, errors), then under Node
check-browser: $(WASM_DIST)/.files $(WASM)/npm/node_modules/playwright-core/package.json
	@sh tool/install-deps.sh chromium
	node tool/wasm/check-browser.mjs $(WASM_DIST) $(WASM)/npm
	node tool/wasm/check-node.mjs $(WASM_DIST)

.PHONY: wasm check-wasm-node check-browser
