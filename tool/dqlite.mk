# dqlite.mk — libmigrate in a replicated SQLite cluster (dqlite).
#
#   make check-dqlite    install dqlite (Debian: libdqlite-dev, go-dqlite),
#                        build the preload shim, start three dqlite-demo nodes
#                        on 127.0.0.1 with it, run tool/dqlite/check.sh
#                        (migrate/rollback through the `dqlite` shell, leader
#                        killed after and during batches); exits non-zero on
#                        any failed check.  About a minute; not part of
#                        `make test`.  Options: see tool/dqlite/check.sh
#                        (DQLITE_PORT, DQLITE_KILL_AT, DQLITE_NBIG, ...).
#   make dqlite-preload  only build build/dqlite/libmigrate-preload.so
#
# The shim (tool/dqlite/dqlite-preload.c) is libmigrate compiled with -DSQLITE_CORE
# plus a wrapper of sqlite3_open_v2() that registers it; it links the system
# libsqlite3, the one dqlite-demo and libdqlite use.

# go-dqlite: dqlite-demo and the dqlite shell; the check also uses curl
# (node readiness), python3 (tool/dqlite/client.py) and ss (iproute2).
DQLITE_PKGS = libdqlite-dev go-dqlite curl python3 iproute2
DQLITE_PRELOAD = build/dqlite/libmigrate-preload.so

build/.deps-dqlite: tool/install-deps.sh
	@mkdir -p build
	@sh tool/install-deps.sh --check $(DQLITE_PKGS) 2>/dev/null \
	  || sh tool/install-deps.sh $(DQLITE_PKGS)
	@touch $@

$(DQLITE_PRELOAD): tool/dqlite/dqlite-preload.c $(EXT_SRC) $(EXT_HDR) $(GEN_SRC) | build/.cc-ok
	@mkdir -p build/dqlite
	$(CC) $(WARN) $(CFLAGS) -fPIC -shared -DSQLITE_CORE -Iext -o $@ \
	  tool/dqlite/dqlite-preload.c $(EXT_SRC) $(GEN_SRC) $(SQLITE_LIBS) -lpthread -ldl

## dqlite-preload: build the dqlite shim build/dqlite/libmigrate-preload.so
dqlite-preload: $(DQLITE_PRELOAD)

## check-dqlite: libmigrate in a three-node dqlite cluster, leader killed (about a minute)
check-dqlite: build/.deps-dqlite $(DQLITE_PRELOAD) libmigrate.so
	bash tool/dqlite/check.sh

.PHONY: dqlite-preload check-dqlite
