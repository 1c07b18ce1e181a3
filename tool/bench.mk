# bench.mk — `make bench` and `make bench-quick` (included by the Makefile).
#
#   make bench        everything: N = 10..10000, all peers (dbmate, knex,
#                     Alembic, sqitch) installed first by tool/bench/bench-deps.sh;
#                     writes tool/bench/RESULTS.md and tool/bench/apply.svg
#                     (under 15 minutes on 2 cores)
#   make bench-quick  N <= 1000, no peer that needs a build; writes
#                     build/bench/RESULTS-quick.md (under 2 minutes)
#   make bench-profile  callgrind instruction counts of one migrate() at
#                     N = 1000 against the same SQL in one sqlite3_exec()
#                     (build/bench/callgrind*.out), and their ratio
#
# The in-process driver (tool/bench/driver.c) links libmigrate.a with the
# system SQLite, which keeps memory statistics (SQLITE_DEFAULT_MEMSTATUS=1).
# sqlite-migrate is built when its source exists; without it the bench says
# so and carries on.

BENCH_DRIVER = build/bench/bench-driver
BENCH_CLI = $(if $(wildcard tool/cli/sqlite-migrate.c),sqlite-migrate)

$(BENCH_DRIVER): tool/bench/driver.c libmigrate.a ext/migrate.h
	@mkdir -p build/bench
	$(CC) $(WARN) -D_POSIX_C_SOURCE=200809L $(CFLAGS) -Iext -o $@ \
	  tool/bench/driver.c libmigrate.a $(SQLITE_LIBS)

## bench: everything: N = 10..10000, all peers; writes tool/bench/RESULTS.md (<15 min)
bench: libmigrate.so libmigrate.a $(BENCH_CLI) $(BENCH_DRIVER)
	sh tool/bench/bench-deps.sh
	$(TCLSH) tool/bench/bench.tcl

## bench-quick: N <= 1000, peers that need no build; build/bench/RESULTS-quick.md (<2 min)
bench-quick: libmigrate.so libmigrate.a $(BENCH_CLI) $(BENCH_DRIVER)
	sh tool/bench/bench-deps.sh --quick
	$(TCLSH) tool/bench/bench.tcl -quick

## bench-profile: callgrind instructions of one migrate() vs the same SQL in sqlite3_exec()
bench-profile: $(BENCH_DRIVER)
	@mkdir -p build/bench/tmp
	@rm -f build/bench/tmp/one.db build/bench/tmp/one-limit.db
	valgrind -q --tool=callgrind --callgrind-out-file=build/bench/callgrind.out \
	  --toggle-collect=migrateExec $(BENCH_DRIVER) one 1000 build/bench/tmp migrate
	valgrind -q --tool=callgrind --callgrind-out-file=build/bench/callgrind-limit.out \
	  --toggle-collect=sqlite3_exec $(BENCH_DRIVER) one 1000 build/bench/tmp limit
	@m=$$(callgrind_annotate build/bench/callgrind.out | awk '/PROGRAM TOTALS/{gsub(",","",$$1); print $$1}'); \
	 l=$$(callgrind_annotate build/bench/callgrind-limit.out | awk '/PROGRAM TOTALS/{gsub(",","",$$1); print $$1}'); \
	 echo "instructions, N=1000: migrate() $$m, limit (one sqlite3_exec) $$l, ratio $$(echo "scale=3; $$m/$$l" | bc)"
	callgrind_annotate --inclusive=yes build/bench/callgrind.out | head -40

.PHONY: bench bench-quick bench-profile
