# squash_proof.tcl — the squash round trip of issue 18: a generated set of
# N migrations (tables, added columns, indexes, seed rows, views; dbmate
# files and up/down pairs), squashed at its K-th migration by
# `sqlite-migrate squash`; then for a database left at every version 0..N
# by the unsquashed files, `up` with the squashed folder must end with the
# same schema and rows (migration_dump('rows')) as the unsquashed set gives
# and a clean `status --check`.  A database that applied only some of the
# first K is refused with the exact error and left as it was; it then
# proceeds as the error says (`-d DIR/squashed up TARGET`, then `up`).
#
# One proof, two callers:
#   test/cli_check.test (make test) sources this file and runs a small one;
#   tclsh test/squash_proof.tcl [N K] (make check-squash) runs it alone,
#     100 migrations squashed at 50 by default, and prints a FIGURE line.

# Writes migration i of the generated set into folder DIR.
proc squash_gen_one {dir i} {
  set name [format %03d_m%d $i $i]
  set j [expr {($i-1)/5*5+1}]
  switch [expr {$i % 5}] {
    1 { set up "CREATE TABLE t${i}(id INTEGER PRIMARY KEY, a TEXT);"
        set down "DROP TABLE t$i;" }
    2 { set up "ALTER TABLE t$j ADD COLUMN c$i INTEGER DEFAULT $i;"
        set down "ALTER TABLE t$j DROP COLUMN c$i;" }
    3 { set up "CREATE INDEX ix$i ON t${j}(a);"
        set down "DROP INDEX ix$i;" }
    4 { set up "INSERT INTO t${j}(a) VALUES('seed $i');"
        set down "DELETE FROM t$j WHERE a='seed $i';" }
    0 { set up "CREATE VIEW v$i AS SELECT a FROM t$j;"
        set down "DROP VIEW v$i;" }
  }
  if {$i % 2} {
    write_file [file join $dir $name.sql] \
        "-- migrate:up\n$up\n-- migrate:down\n$down\n"
  } else {
    write_file [file join $dir $name.up.sql] "$up\n"
    write_file [file join $dir $name.down.sql] "$down\n"
  }
  return $name
}

# migration_dump(PART) of database FILE.
proc squash_dump {file {part rows}} {
  open_db ddb $file
  set r [ddb onecolumn {SELECT migration_dump($part)}]
  ddb close
  return $r
}

# Runs the proof; returns {versions-tried failures}, failures a list of
# "v=VERSION: what went wrong".
proc squash_proof {n k} {
  set orig [fresh_dir proof_orig]
  set sq [fresh_dir proof_squashed]
  for {set i 1} {$i <= $n} {incr i} {
    set names($i) [squash_gen_one $orig $i]
    squash_gen_one $sq $i
  }
  set target $names($k)
  set bad {}
  lassign [cli -d $sq squash $target] rc out
  if {$rc} { return [list 0 [list "squash: $out"]] }

  # what the unsquashed files give
  set ref [tmpfile proof_ref.db]
  forcedelete $ref
  cli -d $orig --db $ref up
  set want [squash_dump $ref]

  for {set v 0} {$v <= $n} {incr v} {
    set f [tmpfile proof_$v.db]
    forcedelete $f
    set why {}
    if {$v > 0} { cli -d $orig --db $f up $names($v) }
    set s [expr {$v > 0 ? [snap $f] : ""}]
    lassign [cli -d $sq --db $f up] rc out
    if {$v > 0 && $v < $k} {
      set err "sqlite-migrate: migrate: ${target}_squashed replaces migrations of which only some are applied here: $names([expr {$v+1}]) is not; apply the replaced migrations up to $target first (migrate('$target') with their definitions, e.g. from the files they came from), then migrate again; nothing was done"
      # (the sync's "prune NAME (pending; replaced by the squash ...)"
      # lines come too: the definitions the squash replaces had been
      # removed when the engine refused, and were put back with the rest)
      set lines [split $out \n]
      if {$rc != 1 || [lindex $lines 0] ne $err
       || [llength [lsearch -all -not -glob [lrange $lines 1 end] "  prune *replaced by the squash*"]]} {
        lappend why "refusal: $rc $out"
      }
      if {[snap $f] ne $s} { lappend why "the refused up changed the database" }
      lassign [cli -d [file join $sq squashed] --prune --db $f up $target] rc out
      if {$rc} { lappend why "up to $target with the old files: $out" }
      lassign [cli -d $sq --db $f up] rc out
    }
    if {$rc} { lappend why "up: $out" }
    if {[squash_dump $f] ne $want} { lappend why "schema or rows differ" }
    lassign [cli -d $sq --db $f status --check] rc out
    if {$rc} { lappend why "status --check: $rc" }
    if {[llength $why]} { lappend bad "v=$v: [join $why {; }]" }
  }
  list [expr {$n+1}] $bad
}

if {[file normalize $::argv0] eq [file normalize [info script]]} {
  if {![info exists env(TESTTMP)]} {
    set env(TESTTMP) [file join [file dirname [file normalize [info script]]] .. build squash-proof]
  }
  source [file join [file dirname [info script]] cli_common.tcl]
  set ::testname squash_proof
  if {[llength $::argv] == 2} { lassign $::argv n k } else { lassign {100 50} n k }
  set t0 [clock milliseconds]
  lassign [squash_proof $n $k] nTried bad
  puts [list FIGURE squash $n $k $nTried [llength $bad] \
            [expr {[clock milliseconds]-$t0}]ms]
  do_test squash-proof-1 { lrange $bad 0 4 } {}
  finish_test
}
