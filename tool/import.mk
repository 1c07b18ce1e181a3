# import.mk — `make check-import` and `make bench-fleet` (included by the
# Makefile).
#
#   make check-import  test/cli_import.test against the REAL peer tools:
#                      dbmate (npm @dbmate/linux-x64, installed under
#                      build/npm when npm is there) and sqitch (Debian
#                      packages sqitch + libdbd-sqlite3-perl, installed with
#                      apt-get when missing and root).  A tool that cannot
#                      be installed is reported "skipped" (not passed).
#                      Covers the external-migration import too: Go and
#                      Python migrations of goose and dbmate projects
#                      (goose cannot be installed here: its ledger is
#                      hand-made in its documented schema, as in `make
#                      test`).  `make test` runs the same file with
#                      hand-made ledgers only.
#   make bench-fleet   tool/bench/fleet-bench.sh: `sqlite-migrate --each` on
#                      1,000 small databases (FLEET_N, FLEET_J to change).

DBMATE_BIN = build/npm/node_modules/@dbmate/linux-x64/bin/dbmate

$(DBMATE_BIN):
	-@command -v npm >/dev/null 2>&1 && \
	  npm install --prefix build/npm @dbmate/linux-x64 >build/npm-install.log 2>&1 || \
	  echo "check-import: could not install dbmate (see build/npm-install.log)"

# sqitch needs DBD::SQLite, which its package only offers among alternatives
# (libdbd-pg-perl | libdbd-sqlite3-perl | ...): probe both, then install
# through install-deps.sh (apt-get update first, root or sudo).
## check-import-deps: install dbmate (npm) and sqitch (apt) for check-import
check-import-deps: $(DBMATE_BIN)
	-@{ command -v sqitch && perl -MDBD::SQLite -e 1; } >/dev/null 2>&1 || \
	  sh tool/install-deps.sh sqitch libdbd-sqlite3-perl >/dev/null 2>&1 || \
	  echo "check-import: could not install sqitch"

## check-import: test/cli_import.test against the real dbmate and sqitch
check-import: sqlite-migrate libmigrate.so check-import-deps
	MIGRATE_REAL_TOOLS=1 $(TCLSH) test/cli_import.test

## bench-fleet: time sqlite-migrate --each on 1,000 small databases (FLEET_N, FLEET_J)
bench-fleet: sqlite-migrate
	sh tool/bench/fleet-bench.sh

.PHONY: check-import check-import-deps bench-fleet
