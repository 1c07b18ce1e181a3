# heaplimit.tcl — out of memory inside migrate() through PRAGMA
# hard_heap_limit, with STOCK tclsh and the system SQLite (no testfixture):
# each trial is a child tclsh that sets the limit (it can only be lowered,
# hence a process per trial) and calls migrate() on three pending
# migrations; the child reports the result and whether the connection is
# still inside a transaction, then the parent checks the file: integrity
# ok, the batch all there or absent.
#
# One scan, two callers:
#   test/oom.test (make test) sources this file and calls heaplimit_scan;
#   tclsh test/faults/heaplimit.tcl (make check-faults, part "heaplimit")
#     runs it alone and prints its FIGURE line (make first: uses
#     ./libmigrate.so).
# Env HEAPLIMIT_FROM / HEAPLIMIT_TO / HEAPLIMIT_STEP (bytes) set the scan
# (default 120000 .. 320000 step 2000: about 100 children, a few seconds).

# Runs the scan; returns {tried hit-out-of-memory bad}, bad a list of
# "L=LIMIT: what went wrong".
proc heaplimit_scan {} {
  set from [expr {[info exists ::env(HEAPLIMIT_FROM)] ? $::env(HEAPLIMIT_FROM) : 120000}]
  set to   [expr {[info exists ::env(HEAPLIMIT_TO)]   ? $::env(HEAPLIMIT_TO)   : 320000}]
  set step [expr {[info exists ::env(HEAPLIMIT_STEP)] ? $::env(HEAPLIMIT_STEP) : 2000}]

  set child [tmpfile child.tcl]
  write_file $child {
    package require sqlite3
    lassign $argv L file ext
    sqlite3 db $file
    db enable_load_extension 1
    db eval {SELECT load_extension($ext)}
    foreach {n u d} {
      001_users {CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);
                 INSERT INTO users(name) VALUES('a'),('b');} {DROP TABLE users;}
      002_posts {CREATE TABLE posts(id INTEGER PRIMARY KEY, u REFERENCES users(id));
                 CREATE INDEX pu ON posts(u);} {DROP TABLE posts;}
      003_v     {CREATE VIEW v AS SELECT * FROM users;} {DROP VIEW v;}
    } { db eval {INSERT INTO migrations(name, up, down) VALUES($n, $u, $d)} }
    if {[catch {db eval "PRAGMA hard_heap_limit=$L"}]} { puts skip; exit }
    set rc [catch {db eval {SELECT migrate()}} res]
    # BEGIN fails "within a transaction" only if the call left its own
    # transaction open.  Tcl's cached statements are freed first: just under
    # the limit, preparing BEGIN can itself run out of memory (SQLite 3.53),
    # which is then reported as such rather than taken for an open
    # transaction.
    db cache flush
    if {[catch {db eval BEGIN} berr]} {
      set intxn [expr {[string match "*within a transaction*" $berr] ? 1 : "BEGIN: $berr"}]
    } else {
      set intxn 0
    }
    puts [list $rc $res $intxn]
  }

  set nOom 0
  set nTried 0
  set bad {}
  for {set L $from} {$L <= $to} {incr L $step} {
    set f [tmpfile hl.db]
    forcedelete $f
    set out [lindex [split [string trim [exec [info nameofexecutable] $child $L $f $::ext]] \n] end]
    if {$out eq "skip"} continue
    lassign $out rc res intxn
    incr nTried
    if {$rc} { incr nOom }
    set why {}
    if {$rc && $res ne "out of memory"} { lappend why "error: $res" }
    if {!$rc && $res ne 3} { lappend why "result: $res" }
    if {$intxn eq "1"} { lappend why "connection left inside the call's transaction" }
    if {$intxn ni {0 1}} { lappend why "cannot tell: $intxn" }
    open_db hdb $f
    set ic [hdb eval {PRAGMA integrity_check}]
    if {$ic ne "ok"} { lappend why "integrity_check: $ic" }
    set n [hdb eval {SELECT count(*) FROM migrations_ledger}]
    set t [hdb eval {SELECT count(*) FROM sqlite_schema WHERE name IN ('users','posts','v')}]
    if {!(($n==0 && $t==0) || ($n==3 && $t==3))} { lappend why "half-applied: ledger $n, objects $t" }
    hdb close
    if {[llength $why]} { lappend bad "L=$L: [join $why {; }]" }
  }
  list $nTried $nOom $bad
}

if {[file normalize $::argv0] eq [file normalize [info script]]} {
  if {![info exists env(TESTTMP)]} {
    set env(TESTTMP) [file join [file dirname [file normalize [info script]]] .. .. build faults heaplimit-tmp]
  }
  source [file join [file dirname [info script]] .. tester.tcl]
  lassign [heaplimit_scan] nTried nOom bad
  puts [list FIGURE heaplimit $nTried $nOom [expr {$nTried-[llength $bad]}] [llength $bad]]
  do_test heaplimit-1 { expr {$nOom > 0} } 1
  do_test heaplimit-2 { lrange $bad 0 2 } {}
  finish_test
}
