# bench.mk — `make bench`, `make bench-quick` and `make bench-profile`
# (included by the Makefile).
#
#   make bench        everything: tmpfs N = 10..10000, disk (rollback journal
#                     and WAL) N = 10, 200, 1000, all peers (dbmate, knex,
#                     Alembic, sqitch) installed first by
#                     tool/bench/bench-deps.sh, sync counts (strace);
#                     writes tool/bench/RESULTS.md, tool/bench/apply.svg and
#                     tool/bench/apply-disk.svg (about 35 minutes on 2 cores)
#   make bench-quick  tmpfs N <= 1000, disk N = 200, 1000, no peer that
#                     needs a build; writes build/bench/RESULTS-quick.md
#                     (a few minutes)
#   make bench-profile  callgrind instruction counts at N = 1000: one
#                     migrate() against the same SQL in one sqlite3_exec(),
#                     one migrate_reset() against the down SQL in one
#                     sqlite3_exec(), and a no-op migrate_boot_v2() against
#                     a no-op SELECT migrate(); their ratios
#
# The in-process driver (tool/bench/driver.c) links libmigrate.a with the
# system SQLite, which keeps memory statistics (SQLITE_DEFAULT_MEMSTATUS=1);
# it also runs every whole-process command of the bench (`run` mode: wall
# and CPU time).  sqlite-migrate is built when its source exists; without
# it the bench says so and carries on.

BENCH_DRIVER = build/bench/bench-driver
BENCH_CLI = $(if $(wildcard tool/cli/sqlite-migrate.c),sqlite-migrate)

$(BENCH_DRIVER): tool/bench/driver.c libmigrate.a ext/migrate.h
	@mkdir -p build/bench
	$(CC) $(WARN) -D_POSIX_C_SOURCE=200809L $(CFLAGS) -Iext -o $@ \
	  tool/bench/driver.c libmigrate.a $(SQLITE_LIBS)

## bench: tmpfs and disk (journal, WAL), N up to 10000, all peers, sync counts; tool/bench/RESULTS.md (~35 min)
bench: libmigrate.so libmigrate.a $(BENCH_CLI) $(BENCH_DRIVER)
	sh tool/bench/bench-deps.sh
	$(TCLSH) tool/bench/bench.tcl

## bench-quick: tmpfs N <= 1000, disk N = 200, 1000, peers that need no build; build/bench/RESULTS-quick.md (a few min)
bench-quick: libmigrate.so libmigrate.a $(BENCH_CLI) $(BENCH_DRIVER)
	sh tool/bench/bench-deps.sh --quick
	$(TCLSH) tool/bench/bench.tcl -quick

# Instructions of the call alone (--toggle-collect), N = BENCH_PROFILE_N.
BENCH_PROFILE_N ?= 1000
BENCH_CG = valgrind -q --tool=callgrind
BENCH_IR = callgrind_annotate $(1) | awk '/PROGRAM TOTALS/{gsub(",","",$$1); print $$1}'

## bench-profile: callgrind instructions: migrate() and migrate_reset() vs sqlite3_exec(), no-op boot_v2 vs migrate()
bench-profile: $(BENCH_DRIVER)
	@mkdir -p build/bench/tmp
	@rm -f build/bench/tmp/one.db build/bench/tmp/one-limit.db
	$(BENCH_CG) --callgrind-out-file=build/bench/callgrind.out \
	  --toggle-collect=migrateExec $(BENCH_DRIVER) one $(BENCH_PROFILE_N) build/bench/tmp migrate
	$(BENCH_CG) --callgrind-out-file=build/bench/callgrind-limit.out \
	  --toggle-collect=sqlite3_exec $(BENCH_DRIVER) one $(BENCH_PROFILE_N) build/bench/tmp limit
	$(BENCH_CG) --callgrind-out-file=build/bench/callgrind-reset.out \
	  --toggle-collect='oneCall*' $(BENCH_DRIVER) one $(BENCH_PROFILE_N) build/bench/tmp reset
	$(BENCH_CG) --callgrind-out-file=build/bench/callgrind-limitdown.out \
	  --toggle-collect='oneCall*' $(BENCH_DRIVER) one $(BENCH_PROFILE_N) build/bench/tmp limitdown
	$(BENCH_CG) --callgrind-out-file=build/bench/callgrind-noop.out \
	  --toggle-collect='oneCall*' $(BENCH_DRIVER) one $(BENCH_PROFILE_N) build/bench/tmp noop
	$(BENCH_CG) --callgrind-out-file=build/bench/callgrind-bootv2.out \
	  --toggle-collect='oneBoot*' $(BENCH_DRIVER) one $(BENCH_PROFILE_N) build/bench/tmp bootv2
	@ratio() { echo "scale=3; $$1/$$2" | bc; }; \
	 m=$$($(call BENCH_IR,build/bench/callgrind.out)); \
	 l=$$($(call BENCH_IR,build/bench/callgrind-limit.out)); \
	 r=$$($(call BENCH_IR,build/bench/callgrind-reset.out)); \
	 d=$$($(call BENCH_IR,build/bench/callgrind-limitdown.out)); \
	 n=$$($(call BENCH_IR,build/bench/callgrind-noop.out)); \
	 b=$$($(call BENCH_IR,build/bench/callgrind-bootv2.out)); \
	 echo "instructions, N=$(BENCH_PROFILE_N):"; \
	 echo "  apply:   migrate() $$m, limit (one sqlite3_exec) $$l, ratio $$(ratio $$m $$l) (target 1.08)"; \
	 echo "  reset:   migrate_reset() $$r, limit (one sqlite3_exec) $$d, ratio $$(ratio $$r $$d) (target 1.10)"; \
	 echo "  no-op:   migrate_boot_v2() $$b, SELECT migrate() $$n, ratio $$(ratio $$b $$n) (target 1.5)"
	callgrind_annotate --inclusive=yes build/bench/callgrind.out | head -40

.PHONY: bench bench-quick bench-profile
