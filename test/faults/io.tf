# io.tf — I/O errors at every file operation (do_faultsim_test -faults
# ioerr-transient, ioerr-persistent, and disk full: full) in every operation of cases.tcl, in
# rollback-journal and WAL mode.  Runs under SQLite's testfixture:
#   make check-faults        (or tool/faults/run.tcl, which sets the env)
# Optional env: FAULT_MODES (default "delete wal"), FAULT_CASES (glob).
source [file join [file dirname [info script]] cases.tcl]
mig_all_cases {ioerr* full} [expr {[info exists env(FAULT_MODES)] ? $env(FAULT_MODES) : {delete wal}}] \
  [expr {[info exists env(FAULT_CASES)] ? $env(FAULT_CASES) : {*}}]
mig_figures_and_finish
