# diff.mk — targets of the schema diff (ext/diff.c, migration_diff()).
#
#   make check-diff                 property test on 2,000 random schema pairs
#   make check-diff DIFF_PAIRS=10000 DIFF_SEED=7   more pairs, another seed
#
# `make test` runs a few hundred pairs (test/diff_property.test) plus the
# unit tests (test/diff.test) and the real schemas (test/diff_real.test);
# this target runs the long property test, then those files.  It tests its
# own copy of the extension (build/diff/libmigrate.so, same sources and
# flags), so a rebuild of ./libmigrate.so meanwhile cannot disturb a long
# run.

DIFF_PAIRS ?= 2000
DIFF_SEED  ?= 1000

build/diff/libmigrate.so: $(EXT_SRC) $(EXT_HDR) $(GEN_SRC)
	@mkdir -p build/diff
	$(CC) $(WARN) $(CFLAGS) -fPIC -shared -Iext -o $@.tmp $(EXT_SRC) $(GEN_SRC)
	mv $@.tmp $@

## check-diff: schema-diff property test on 2,000 random pairs, then test/diff*.test
check-diff: build/diff/libmigrate.so
	MIGRATE_EXT=$(CURDIR)/build/diff/libmigrate \
	  $(TCLSH) test/diffgen.tcl $(DIFF_SEED) $(DIFF_PAIRS)
	MIGRATE_EXT=$(CURDIR)/build/diff/libmigrate \
	  $(TCLSH) test/all.tcl 'diff*'

.PHONY: check-diff
