# faultlib.tcl — shared helpers of the fault-simulation scripts in
# test/faults/*.tf, which run under SQLite's own testfixture (built by
# test/faults/build-testfixture.sh), NOT under stock tclsh.
#
# USAGE (from a .tf script; test/faults/run.tcl sets the environment):
#   source [file join [file dirname [info script]] faultlib.tcl]
#   mig_fault_case oom-migrate-delete {oom*} delete {define_all db} \
#       {db eval {SELECT migrate()}} 5
#   mig_figures_and_finish
#
# Environment:
#   SQLITE_TESTDIR     test/ folder of SQLite's source tree (tester.tcl,
#                      malloc_common.tcl)
#   MIGRATE_FAULT_EXT  the extension built against that tree's headers
#
# HOW IT WORKS
#   mig_fault_case builds the starting database once (in the given journal
#   mode), saves it with faultsim_save_and_close, runs the body once without
#   faults to learn the "after" picture, then hands the body to
#   do_faultsim_test.  After every injected fault the -test script checks:
#     - the call succeeded with the right result, or failed with an error of
#       the injected kind (out of memory / disk I/O error / disk is full);
#     - the connection is back in autocommit mode (or still in the user's
#       own transaction, with the user's own write intact);
#     - PRAGMA integrity_check is ok, on that connection and on a fresh one;
#     - the database is exactly the "before" or exactly the "after" picture
#       (user schema and data, ledger, definitions): all or nothing;
#     - migrations_history: per name, successful up and down runs alternate,
#       starting with up;
#     - no leak: after closing, sqlite3_memory_used is back to the value it
#       had before the trial opened its connection.
#   Every trial is counted in ::FIG(kind,tried|hit|survived|failed); the
#   figures are printed as "FIGURE kind tried hit survived failed" lines for
#   test/faults/run.tcl to add up.

set testdir $env(SQLITE_TESTDIR)
source $testdir/tester.tcl
source $testdir/malloc_common.tcl
# count every failure instead of giving up after 1000; print failures only
set ::cmdlinearg(maxerror) 1000000000
set ::cmdlinearg(verbose) 0
set ::mig_ext $env(MIGRATE_FAULT_EXT)

# The 5-migration batch used everywhere: table creation with data, an index,
# ALTER TABLE, a view, and a table rebuild under foreign keys with a trigger.
set ::MIGS {
  001_users {
    CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    INSERT INTO users(name) VALUES('ann'),('bob'),('cy');
  } {DROP TABLE users;}
  002_posts {
    CREATE TABLE posts(id INTEGER PRIMARY KEY,
                       user_id INTEGER REFERENCES users(id), body TEXT);
    CREATE INDEX posts_user ON posts(user_id);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<60)
    INSERT INTO posts(user_id, body)
      SELECT 1 + i%3, printf('post %d %.300c', i, 'x') FROM c;
  } {DROP TABLE posts;}
  003_email {
    ALTER TABLE users ADD COLUMN email TEXT;
    UPDATE users SET email = name || '@example.org';
  } {ALTER TABLE users DROP COLUMN email;}
  004_view {
    CREATE VIEW user_posts AS
      SELECT u.name, p.body FROM users u JOIN posts p ON p.user_id=u.id;
  } {DROP VIEW user_posts;}
  005_rebuild {
    CREATE TABLE posts_new(id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        body TEXT NOT NULL DEFAULT '');
    INSERT INTO posts_new SELECT id, user_id, body FROM posts;
    DROP VIEW user_posts;
    DROP TABLE posts;
    ALTER TABLE posts_new RENAME TO posts;
    CREATE INDEX posts_user ON posts(user_id);
    CREATE VIEW user_posts AS
      SELECT u.name, p.body FROM users u JOIN posts p ON p.user_id=u.id;
    CREATE TRIGGER users_del AFTER DELETE ON users BEGIN
      DELETE FROM posts WHERE user_id=old.id;
    END;
  } {DROP TRIGGER users_del;}
}

# Loads the extension into connection D.
proc mig_load {{d db}} {
  $d enable_load_extension 1
  $d eval {SELECT load_extension($::mig_ext)}
  $d enable_load_extension 0
}

# Opens D on FILE with the extension loaded.
proc mig_open {{d db} {file test.db}} {
  catch {$d close}
  sqlite3 $d $file
  mig_load $d
  return $d
}

# Defines the first N migrations of ::MIGS on D.
proc define_all {{d db} {n 5}} {
  set i 0
  foreach {name up down} $::MIGS {
    if {[incr i]>$n} break
    $d eval {INSERT OR REPLACE INTO migrations(name, up, down)
             VALUES($name, $up, $down)}
  }
}

# A picture of everything a call may change, except migrations_history and
# times: user schema and data, the ledger, the definitions.
proc mig_state {{d db}} {
  set r {}
  lappend r [$d eval {SELECT type, name, tbl_name, sql FROM sqlite_schema
                      WHERE name NOT LIKE 'migrations_%' ORDER BY name}]
  foreach t {users posts note} {
    if {[$d exists {SELECT 1 FROM sqlite_schema WHERE type='table' AND name=$t}]} {
      lappend r $t [$d eval "SELECT * FROM $t ORDER BY rowid"]
    }
  }
  set tabs [$d eval {SELECT name FROM sqlite_schema
                     WHERE name LIKE 'migrations_%' ORDER BY name}]
  lappend r $tabs
  if {"migrations_ledger" in $tabs} {
    lappend r [$d eval {SELECT name, batch, checksum, down
                        FROM migrations_ledger ORDER BY name}]
  }
  if {"migrations_scripts" in $tabs} {
    lappend r [$d eval {SELECT name, checksum, down_checksum, up, down
                        FROM migrations_scripts ORDER BY name}]
  }
  return $r
}

# Error unless migrations_history shows, per name, ok up/down runs
# strictly alternating and starting with up; and unless the ledger holds
# exactly the names whose last ok run is up.
proc mig_check_history {{d db}} {
  if {![$d exists {SELECT 1 FROM sqlite_schema WHERE name='migrations_history'}]} {
    return
  }
  array set last {}
  array set rep {}
  $d eval {SELECT name, direction FROM migrations_history
           WHERE ok=1 AND direction IN ('up','down','repair') ORDER BY id} {
    if {$direction eq "repair"} {
      # migrate_repair() may forget a missing migration's ledger row
      set rep($name) 1
      continue
    }
    set prev [expr {[info exists last($name)] ? $last($name) : "down"}]
    if {$prev eq $direction && ![info exists rep($name)]} {
      error "history: $name ran $direction twice in a row"
    }
    unset -nocomplain rep($name)
    set last($name) $direction
  }
  set up {}
  foreach n [lsort [array names last]] {
    if {$last($n) eq "up" && ![info exists rep($n)]} { lappend up $n }
  }
  set led [$d eval {SELECT name FROM migrations_ledger
                    WHERE name NOT IN (SELECT name FROM migrations_history
                                       WHERE direction='repair')
                    ORDER BY name}]
  if {$led ne $up} {
    error "history says applied {$up}, ledger says {$led}"
  }
}

# Figures.
proc mig_count {kind what} {
  if {![info exists ::FIG($kind,$what)]} { set ::FIG($kind,$what) 0 }
  incr ::FIG($kind,$what)
}

# The -test script of every fault case (see the header).  Globals set by
# mig_fault_case: ::mc_ok (result of a clean run), ::mc_before, ::mc_after,
# ::mc_txn (1: body runs inside the user's transaction), ::mc_kind.
proc mig_fault_test {testrc testresult testnfail} {
  set kind $::mc_kind
  upvar 2 iFail iFail
  mig_count $kind tried
  if {$testnfail>0} { mig_count $kind hit }
  set err {}
  switch -glob -- $kind {
    oom*   { set re {out of memory} }
    ioerr* - shmerr* { set re {disk I/O error} }
    full*  { set re {database or disk is full|disk I/O error} }
    crash* { set re {.} }
  }
  if {$testrc==0} {
    if {$testresult ne $::mc_ok} {
      lappend err "succeeded with \[$testresult\], expected \[$::mc_ok\]"
    }
  } elseif {![regexp -- $re $testresult]} {
    lappend err "wrong error kind: \[$testresult\]"
  }
  if {[catch {
    set ac [sqlite3_get_autocommit db]
    if {$::mc_txn && !$ac} {
      # still in the user's own transaction: the user's row must be there
      if {[db eval {SELECT count(*) FROM note WHERE x='mine'}]!=1} {
        lappend err "the user's own write was lost inside the transaction"
      }
      db eval COMMIT
    } elseif {!$ac} {
      lappend err "connection left inside a transaction"
      catch {db eval ROLLBACK}
    }
    set ic [db eval {PRAGMA integrity_check}]
    if {$ic ne "ok"} { lappend err "integrity_check: $ic" }
    set s [mig_state db]
    set okstates [list $::mc_before $::mc_after]
    if {$::mc_txn} { lappend okstates $::mc_before0 }
    if {$s ni $okstates} {
      lappend err "half-done: the database is neither before nor after: $s"
    }
    if {$testrc==0 && $s ne $::mc_after} {
      lappend err "call succeeded but the database is not in the after state"
    }
    mig_check_history db
    db close
    set leak [expr {[sqlite3_memory_used] - $::mc_mem0}]
    if {$leak != 0} { lappend err "leak: $leak bytes still in use after close" }
    # a fresh connection sees the same (hot journal rolled back, if any)
    mig_open db
    set ic [db eval {PRAGMA integrity_check}]
    if {$ic ne "ok"} { lappend err "reopened integrity_check: $ic" }
    if {[mig_state db] ne $s} { lappend err "reopened: the database changed" }
    mig_check_history db
    db close
  } msg]} {
    lappend err "check failed: $msg"
  }
  if {[llength $err]} {
    mig_count $kind failed
    foreach e $err {
      # category: the message up to its first colon or bracket
      regexp {^[^:\[]*} $e cat
      set key [list $::mc_name $kind [string trim $cat]]
      if {![info exists ::FAILCAT($key)]} {
        set ::FAILCAT($key) 0
        set ::FAILEX($key) [list fault-point $iFail nfail $testnfail rc $testrc result $testresult error $e]
      }
      incr ::FAILCAT($key)
    }
    error [join $err "; "]
  }
  mig_count $kind survived
}

# Runs one fault case.
#   name     test name prefix
#   faults   do_faultsim_test -faults patterns (oom*, ioerr*, full)
#   mode     journal mode: delete or wal
#   prep     Tcl run once on a fresh `db` (extension loaded) to make the
#            starting database
#   body     Tcl run under fault injection
#   ok       the body's result when no fault is injected
#   txn      1: the body runs inside the user's BEGIN ... (with a row of its
#            own in table note)
proc mig_fault_case {name faults mode prep body ok {txn 0}} {
  catch {db close}
  forcedelete test.db
  mig_open db
  db eval "PRAGMA journal_mode=$mode"
  db eval {CREATE TABLE note(x)}
  uplevel #0 $prep
  set ::mc_before [mig_state db]
  set ::mc_before0 $::mc_before
  faultsim_save_and_close

  # a clean run gives the after picture
  set pre "faultsim_restore_and_reopen; mig_load db"
  if {$txn} { append pre {; db eval {BEGIN; INSERT INTO note VALUES('mine')}} }
  eval $pre
  if {$txn} { set ::mc_before [mig_state db] }
  set rc [catch {uplevel #0 $body} res]
  if {$rc || $res ne $ok} {
    do_test $name-clean [list list $rc $res] [list 0 $ok]
    return
  }
  if {$txn} { db eval COMMIT }
  set ::mc_after [mig_state db]
  db close
  set ::mc_txn $txn
  set ::mc_name $name
  set ::mc_ok $ok

  set ::mc_prep "catch {db close}; set ::mc_mem0 \[sqlite3_memory_used\]; $pre"
  foreach f $faults {
    foreach kind [lsort [array names ::FAULTSIM $f]] {
      set ::mc_kind $kind
      do_faultsim_test $name -faults $kind -prep $::mc_prep -body $body -test {
        mig_fault_test $testrc $testresult $testnfail
      }
      catch {db close}
    }
  }
}

# Prints the figures and ends the script through SQLite's finish_test
# (which also reports leaks over the whole run).
proc mig_figures_and_finish {} {
  set kinds {}
  foreach k [array names ::FIG *,tried] { lappend kinds [lindex [split $k ,] 0] }
  foreach kind [lsort -unique $kinds] {
    set l [list FIGURE $kind]
    foreach w {tried hit survived failed} {
      lappend l [expr {[info exists ::FIG($kind,$w)] ? $::FIG($kind,$w) : 0}]
    }
    puts $l
  }
  foreach key [lsort [array names ::FAILCAT]] {
    puts [list FAILURE {*}$key $::FAILCAT($key) [string range $::FAILEX($key) 0 600]]
  }
  finish_test
}
