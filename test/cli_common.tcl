# cli_common.tcl — what the tests of the sqlite-migrate tool share, in the
# way SQLite's ext/fts5/test/fts5_common.tcl serves FTS5's tests.  A test
# of the CLI (test/cli*.test, and firmware.test for `embed`) starts with
#
#   source [file join [file dirname [info script]] cli_common.tcl]
#
# which sources tester.tcl, clears $DATABASE_PATH (so no test can reach the
# caller's database by accident), and defines:
#
#   cli ARGS...        runs the tool: {exit-code output}, stdout and stderr
#                      together ($MIGRATE_CLI, default ./sqlite-migrate)
#   fresh_dir NAME     a fresh, empty folder under the scratch folder
#   q FILE SQL         the rows of SQL on database FILE, without the extension
#   user_tables FILE   the tables of FILE that are neither libmigrate's nor
#                      SQLite's
#   snap FILE          a picture of FILE: tester.tcl's db_snapshot, plus the
#                      rows of migrations_hooks and migrations_history when
#                      they exist; equal pictures = nothing changed
#   bytes FILE         the whole file, as bytes
#   js J PATH          json_extract(J, PATH);  jvalid J: json_valid(J)
#                      (through `jdb`, an in-memory connection)

source [file join [file dirname [info script]] tester.tcl]
unset -nocomplain env(DATABASE_PATH)

set ::cli [expr {[info exists env(MIGRATE_CLI)] ? $env(MIGRATE_CLI) : [file join $::topdir sqlite-migrate]}]

proc cli {args} {
  set rc [catch {exec $::cli {*}$args 2>@1} out opts]
  if {$rc} {
    # Tcl appends this line when the child exits non-zero: not the CLI's
    regsub {\n?child process exited abnormally$} $out {} out
    set code 1
    if {[lindex [dict get $opts -errorcode] 0] eq "CHILDSTATUS"} {
      set code [lindex [dict get $opts -errorcode] 2]
    }
    return [list $code $out]
  }
  return [list 0 $out]
}

proc fresh_dir {name} {
  set d [tmpfile $name]
  file delete -force $d
  file mkdir $d
  return $d
}

proc q {file sql} {
  sqlite3 tdb $file
  set r [tdb eval $sql]
  tdb close
  return $r
}

proc user_tables {file} {
  q $file {SELECT name FROM sqlite_schema WHERE type='table'
    AND name NOT LIKE 'migrations\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
    ORDER BY name}
}

proc snap {file} {
  sqlite3 sdb $file
  set r [db_snapshot sdb]
  foreach t {migrations_hooks migrations_history} {
    if {[sdb exists {SELECT 1 FROM sqlite_schema WHERE name=$t}]} {
      lappend r [sdb eval "SELECT * FROM $t ORDER BY rowid"]
    }
  }
  sdb close
  return $r
}

proc bytes {file} {
  set fd [open $file rb]
  set r [read $fd]
  close $fd
  return $r
}

sqlite3 jdb :memory:
proc js {j path} { jdb onecolumn {SELECT json_extract($j, $path)} }
proc jvalid {j} { jdb onecolumn {SELECT json_valid($j)} }
