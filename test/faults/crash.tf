# crash.tf — power loss at every sync point (SQLite's crash VFS, crashsql)
# during a 5-migration batch (migrate()) and a 5-migration rollback
# (rollback()), in rollback-journal and WAL mode.  Runs under testfixture:
#   make check-faults FAULTS_ONLY=crash   (test/faults/run.tcl sets the env)
#
# crashsql runs the call in a child testfixture whose crash VFS "loses
# power" at the Nth sync of the named file (unsynced sectors are left
# garbled, as on a real disk).  N runs from 1 until the call completes
# without reaching a sync N.  After every crash the database is reopened
# (which rolls back a hot journal / recovers the WAL) and must be intact
# and exactly before or after the call: the batch fully applied and
# recorded, or absent.  Each crash point runs with CRASH_SEEDS seeds
# (default 8) for different garbling.
# Optional env: FAULT_MODES (default "delete wal"), CRASH_SEEDS.
source [file join [file dirname [info script]] faultlib.tcl]
set modes [expr {[info exists env(FAULT_MODES)] ? $env(FAULT_MODES) : {delete wal}}]
set nseed [expr {[info exists env(CRASH_SEEDS)] ? $env(CRASH_SEEDS) : 8}]

proc crash_case {name mode prep sql ok} {
  global nseed
  catch {db close}
  forcedelete test.db
  mig_open db
  db eval "PRAGMA journal_mode=$mode"
  uplevel #0 $prep
  set before [mig_state db]
  # the crash VFS treats a copied WAL as unsynced: start from a checkpointed,
  # empty WAL so the saved state is the database file alone
  db eval {PRAGMA wal_checkpoint(TRUNCATE)}
  faultsim_save_and_close
  faultsim_restore_and_reopen
  mig_load db
  set res [db eval $sql]
  if {$res ne $ok} {
    do_test $name-clean [list set {} $res] $ok
    return
  }
  set after [mig_state db]
  db close
  set kind crash-$mode
  set files [expr {$mode eq "wal" ? {test.db-wal test.db} : {test.db-journal test.db}}]
  # small autocheckpoint: WAL checkpoints (syncs of test.db) happen mid-call
  set body "db enable_load_extension 1; db eval {SELECT load_extension('$::mig_ext')}
            db eval {PRAGMA wal_autocheckpoint=4}"
  foreach f $files {
    for {set d 1} {$d < 1000} {incr d} {
      set crashed 0
      for {set seed 1} {$seed <= $nseed} {incr seed} {
        faultsim_restore
        set r [crashsql -delay $d -file $f -seed [expr {$d*7+$seed}] -tclbody $body $sql]
        if {[lindex $r 0]==0} break
        set crashed 1
        mig_count $kind tried
        mig_count $kind hit
        set err {}
        if {[lindex $r 1] ne "child process exited abnormally"} {
          lappend err "child: $r"
        }
        if {[catch {
          mig_open db
          set ic [db eval {PRAGMA integrity_check}]
          if {$ic ne "ok"} { lappend err "integrity_check: $ic" }
          set s [mig_state db]
          if {$s ne $before && $s ne $after} {
            lappend err "half-done after power loss: $s"
            if {[info exists ::env(CRASH_DEBUG)]} {
              for {set i 0} {[string index $s $i] eq [string index $before $i]} {incr i} {}
              puts "DIFF at $i: before=[string range $before [expr $i-100] [expr $i+300]]"
              puts "DIFF got=[string range $s [expr $i-100] [expr $i+300]]"
            }
          }
          mig_check_history db
          db close
        } msg]} { lappend err "check failed: $msg" }
        set tn $name-$f.$d.$seed
        if {[llength $err]} {
          mig_count $kind failed
          set key [list $name $kind [lindex [split [lindex $err 0] :] 0]]
          if {![info exists ::FAILCAT($key)]} {
            set ::FAILCAT($key) 0
            set ::FAILEX($key) [list sync $f delay $d seed $seed error $err]
          }
          incr ::FAILCAT($key)
          do_test $tn [list set {} [join $err "; "]] ok
        } else {
          mig_count $kind survived
          do_test $tn {set {} ok} ok
        }
      }
      if {!$crashed} break
    }
  }
}

set sql_migrate {SELECT migrate();}
set sql_rollback {SELECT rollback();}
foreach mode $modes {
  crash_case migrate-$mode $mode {define_all db} $sql_migrate 5
  crash_case rollback-$mode $mode {define_all db; db eval {SELECT migrate()}} \
    $sql_rollback 5
}
mig_figures_and_finish
