# tester.tcl — a small test harness in the style of SQLite's test/tester.tcl,
# for stock tclsh with the Debian Tcl binding (package libsqlite3-tcl).
#
# Usage, in a test/NAME.test file:
#
#   source [file join [file dirname [info script]] tester.tcl]
#   reset_db                                 ;# fresh test.db as `db`, extension loaded
#   do_execsql_test name-1.1 { SELECT 1 } {1}
#   do_catchsql_test name-1.2 { SELECT rollback(-1) } {1 {rollback: n must be ...}}
#   do_test name-1.3 { some tcl } {expected result}
#   finish_test
#
# Expected results are compared as strings after list normalisation (so
# whitespace and newlines in the expected list do not matter).  An expected
# result of the form {/REGEXP/} is matched as a regular expression, and
# {*GLOB*} style patterns are matched with `string match` when given with
# do_test_glob.
#
# Environment:
#   MIGRATE_EXT   path of the extension without suffix (default ./libmigrate)
#   MIGRATE_CLI   path of the sqlite-migrate binary (default ./sqlite-migrate;
#                 read by cli_common.tcl, which the CLI's tests source)
#   TESTTMP       scratch folder (default build/testtmp/<file>.<pid>)
#   TEST_ONLY     glob of test names to run (default *)

package require sqlite3

set ::testdir [file normalize [file dirname [info script]]]
set ::topdir  [file dirname $::testdir]
set ::ext [expr {[info exists env(MIGRATE_EXT)] ? $env(MIGRATE_EXT) : [file join $::topdir libmigrate]}]
set ::testname [file rootname [file tail [info script]]]
if {[info exists ::argv0] && [file extension $::argv0] eq ".test"} {
  set ::testname [file rootname [file tail $::argv0]]
}
# One scratch folder per process, so suites run at the same time (several
# engineers, CI) cannot trip over each other's files; removed when the file
# passes, kept for a look when it fails.
set ::tmpdir [expr {[info exists env(TESTTMP)] ? $env(TESTTMP) : [file join $::topdir build testtmp $::testname.[pid]]}]
file delete -force $::tmpdir
file mkdir $::tmpdir
set ::only [expr {[info exists env(TEST_ONLY)] ? $env(TEST_ONLY) : "*"}]
set ::nPass 0
set ::nFail 0
set ::failList {}

# True when the SQLite under test was compiled with OPTION (as PRAGMA
# compile_options names it, e.g. OMIT_PROGRESS_CALLBACK): the few
# expectations that differ in a reduced build (make check-bindings,
# tool/bindings/README.md) ask this.
sqlite3 ::optdb :memory:
set ::sqlite_options [::optdb eval {PRAGMA compile_options}]
::optdb close
proc has_option {opt} { expr {$opt in $::sqlite_options} }

# For the files that test the schema diff, called first.  A SQLite built
# without the authorizer (SQLITE_OMIT_AUTHORIZATION) cannot fence the
# desired schema in, so migration_diff() and migrate_generate() refuse
# every call there with one documented error: the file checks that error
# (database unchanged) and ends instead of failing each of its tests.
proc diff_needs_authorizer {} {
  if {![has_option OMIT_AUTHORIZATION]} return
  reset_db
  db eval {CREATE TABLE t(a); INSERT INTO t VALUES(1)}
  set ::noauth_snap [db_snapshot]
  foreach {n f sql} {
    1 migration_diff   {SELECT migration_diff('CREATE TABLE t(a)')}
    2 migration_diff   {SELECT migration_diff('', 'down')}
    3 migrate_generate {SELECT migrate_generate('1_t', 'CREATE TABLE t(a)')}
  } {
    do_catchsql_test $::testname-noauth.$n $sql \
      [list 1 "$f: this SQLite was built without the authorizer (SQLITE_OMIT_AUTHORIZATION)"]
  }
  do_test $::testname-noauth.4 { expr {[db_snapshot] eq $::noauth_snap} } 1
  finish_test
}

# Path of a scratch file.
proc tmpfile {name} { file join $::tmpdir $name }

# Opens connection NAME on FILE with the extension loaded.
proc open_db {name file args} {
  catch {$name close}
  sqlite3 $name $file {*}$args
  $name enable_load_extension 1
  $name eval {SELECT load_extension($::ext)}
  $name enable_load_extension 0
  return $name
}

# Deletes FILE and its journals.
proc forcedelete {args} {
  foreach f $args {
    file delete -force $f $f-journal $f-wal $f-shm
  }
}

# A fresh test.db as `db`, with the extension loaded.
proc reset_db {} {
  catch {db close}
  forcedelete [tmpfile test.db]
  open_db db [tmpfile test.db]
}

proc test_match {result expected} {
  if {[regexp {^/(.*)/$} $expected -> re]} {
    return [regexp -- $re $result]
  }
  if {[catch {list {*}$expected} norm]} { set norm $expected }
  if {[catch {list {*}$result} rnorm]} { set rnorm $result }
  return [expr {$rnorm eq $norm}]
}

proc test_report {name ok result expected} {
  if {$ok} {
    incr ::nPass
  } else {
    incr ::nFail
    lappend ::failList $name
    puts "! $name failed"
    puts "    expected: \[$expected\]"
    puts "    got:      \[$result\]"
  }
}

# do_test NAME SCRIPT EXPECTED: SCRIPT runs at global level.
proc do_test {name script expected} {
  if {![string match $::only $name]} return
  if {[catch {uplevel #0 $script} result opts]} {
    set result "TCL ERROR: $result"
  }
  test_report $name [test_match $result $expected] $result $expected
}

# do_execsql_test NAME SQL EXPECTED: the rows of SQL on `db`.
proc do_execsql_test {name sql expected} {
  do_test $name [list db eval $sql] $expected
}

# do_catchsql_test NAME SQL EXPECTED: {0 rows} or {1 message}.
proc do_catchsql_test {name sql expected} {
  do_test $name [list catchsql $sql] $expected
}

proc execsql {sql {d db}} { uplevel #0 [list $d eval $sql] }
proc catchsql {sql {d db}} {
  set rc [catch {uplevel #0 [list $d eval $sql]} msg]
  list $rc $msg
}

# A picture of the database: schema, ledger, scripts, integrity.  Used to
# show that a failed call left everything exactly as it was.
proc db_snapshot {{d db}} {
  set r [$d eval {PRAGMA integrity_check}]
  lappend r [$d eval {SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name}]
  foreach t {migrations_scripts migrations_ledger} {
    set type [$d onecolumn {SELECT type FROM sqlite_schema WHERE name=$t}]
    if {$type eq "table"} {
      lappend r [$d eval "SELECT * FROM $t ORDER BY rowid"]
    } elseif {$type ne ""} {
      # a view planted by a test (SQLite >= 3.49 gives views no rowid)
      lappend r [$d eval "SELECT * FROM $t"]
    }
  }
  return $r
}

# Writes TEXT to FILE (binary-safe: no newline translation).
proc write_file {file text} {
  set fd [open $file w]
  fconfigure $fd -translation binary
  puts -nonewline $fd $text
  close $fd
}

proc finish_test {} {
  catch {db close}
  catch {db2 close}
  if {$::nFail == 0 && ![info exists ::env(TESTTMP)]} {
    catch {file delete -force $::tmpdir}
  }
  puts "$::testname: $::nPass passed, $::nFail failed"
  if {$::nFail} { puts "$::testname failures: $::failList" }
  exit [expr {$::nFail ? 1 : 0}]
}
