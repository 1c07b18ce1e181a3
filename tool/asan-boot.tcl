# asan-boot.tcl — runs one test file for `make test-asan` (tool/sanitize.mk).
#
# Usage (what test/all.tcl runs under -wrap):
#   tclsh tool/asan-boot.tcl TCLSH FILE.test
#
# The test process itself runs with the ASan runtime preloaded and leak
# detection on, so a leak or memory error of the extension fails the file.
# Programs the test starts (the C compiler and linker in the firmware and
# CLI tests, helper tclsh processes in txn.test) inherit LD_PRELOAD so that
# a helper tclsh can still load the ASan build, but they run with leak
# detection off: the compiler and linker never free before exit, and their
# reports would be noise.  Memory errors are still reported in them.
lassign $argv tclsh file
if {[info exists env(ASAN_OPTIONS)]} {
  set opts [regsub {(^|:)detect_leaks=[^:]*} $env(ASAN_OPTIONS) {}]
  set env(ASAN_OPTIONS) [string trim "$opts:detect_leaks=0" :]
} else {
  set env(ASAN_OPTIONS) detect_leaks=0
}
set ::argv0 $file
set ::argv {}
set ::argc 0
source $file
