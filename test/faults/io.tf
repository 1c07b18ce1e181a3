# io.tf — I/O errors at every file operation (do_faultsim_test -faults
# ioerr-transient, ioerr-persistent, disk full: full, and errors of the
# WAL's shared memory: shmerr-transient, shmerr-persistent) in every operation of cases.tcl, in
# rollback-journal and WAL mode.  Runs under SQLite's testfixture:
#   make check-faults        (or test/faults/run.tcl, which sets the env)
# Optional env: FAULT_MODES (default "delete wal"), FAULT_CASES (glob).
source [file join [file dirname [info script]] cases.tcl]
mig_all_cases {ioerr* full shmerr*} [expr {[info exists env(FAULT_MODES)] ? $env(FAULT_MODES) : {delete wal}}] \
  [expr {[info exists env(FAULT_CASES)] ? $env(FAULT_CASES) : {*}}]
mig_figures_and_finish
