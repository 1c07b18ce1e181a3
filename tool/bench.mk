# bench.mk — `make bench` and `make bench-quick` (included by the Makefile).
#
#   make bench        everything: N = 10..10000, all peers (dbmate, knex,
#                     Alembic, sqitch) installed first by tool/bench-deps.sh;
#                     writes tool/bench/RESULTS.md and tool/bench/apply.svg
#                     (under 15 minutes on 2 cores)
#   make bench-quick  N <= 1000, no peer that needs a build; writes
#                     build/bench/RESULTS-quick.md (under 2 minutes)
#   make bench-profile  callgrind instruction counts of one migrate() at
#                     N = 1000 (build/bench/callgrind.*)
#
# The in-process driver (tool/bench/driver.c) links libmigrate.a with the
# system SQLite, which keeps memory statistics (SQLITE_DEFAULT_MEMSTATUS=1).
# sqlite-migrate is built when its source exists; without it the bench says
# so and carries on.

BENCH_DRIVER = build/bench/bench-driver
BENCH_CLI = $(if $(wildcard tool/sqlite-migrate.c),sqlite-migrate)

$(BENCH_DRIVER): tool/bench/driver.c libmigrate.a ext/migrate.h
	@mkdir -p build/bench
	$(CC) $(WARN) -D_POSIX_C_SOURCE=200809L $(CFLAGS) -Iext -o $@ \
	  tool/bench/driver.c libmigrate.a $(SQLITE_LIBS)

bench: libmigrate.so libmigrate.a $(BENCH_CLI) $(BENCH_DRIVER)
	sh tool/bench-deps.sh
	$(TCLSH) tool/bench/bench.tcl

bench-quick: libmigrate.so libmigrate.a $(BENCH_CLI) $(BENCH_DRIVER)
	sh tool/bench-deps.sh --quick
	$(TCLSH) tool/bench/bench.tcl -quick

bench-profile: $(BENCH_DRIVER)
	@mkdir -p build/bench/tmp
	valgrind --tool=callgrind --callgrind-out-file=build/bench/callgrind.out \
	  --toggle-collect=migrateExec $(BENCH_DRIVER) one 1000 build/bench/tmp
	callgrind_annotate --inclusive=yes build/bench/callgrind.out | head -60

.PHONY: bench bench-quick bench-profile
