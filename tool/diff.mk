# diff.mk — targets of the schema diff (ext/diff.c, migration_diff()).
#
#   make check-diff                 property test on 2,000 random schema pairs
#   make check-diff DIFF_PAIRS=10000 DIFF_SEED=7   more pairs, another seed
#
# `make test` runs a few hundred pairs (test/diff_property.test) plus the
# unit tests (test/diff.test) and the real schemas (test/diff_real.test);
# this target runs the long property test, then those files.

DIFF_PAIRS ?= 2000
DIFF_SEED  ?= 1000

check-diff: libmigrate.so
	$(TCLSH) test/diffgen.tcl $(DIFF_SEED) $(DIFF_PAIRS)
	$(TCLSH) test/all.tcl 'diff*'

.PHONY: check-diff
