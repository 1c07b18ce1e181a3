# check.mk — the longer proofs of issue 18 (check, dump, squash).
#
#   make check-squash                 100 generated migrations squashed at
#                                     50; a database at every version 0-100
#                                     migrated with the squashed folder
#   make check-squash SQUASH_N=200 SQUASH_K=120
#
# `make test` runs the same proof on 20 migrations squashed at 10
# (test/cli_check.test); this target prints its FIGURE line (versions
# tried, failures, time).

SQUASH_N ?= 100
SQUASH_K ?= 50

## check-squash: squash 50 of 100 generated migrations; up at every version 0-100 must match
check-squash: all
	$(TCLSH) test/squash_proof.tcl $(SQUASH_N) $(SQUASH_K)

.PHONY: check-squash
