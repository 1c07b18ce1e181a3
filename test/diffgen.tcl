# diffgen.tcl — the property test of migration_diff(): random schemas and
# random rows, and the check that a generated migration really turns one
# schema into the other, and back.
#
# Usage (after sourcing tester.tcl, which gives open_db):
#   source [file join $::testdir diffgen.tcl]
#   set r [dg_run_pairs SEED COUNT]   ;# -> {run N passed P failures {...}}
#   tclsh test/diffgen.tcl SEED COUNT  ;# standalone (make check-diff)
#
# How it works:
#   dg_schema makes a random schema (SQL text) from a small pool of names
#   so that two random schemas overlap: tables t1..t4 with an id key
#   (rowid, AUTOINCREMENT, WITHOUT ROWID or STRICT, or a rowid that is not
#   the id), integer-valued columns i1..i3, text-valued columns s1..s3, a
#   foreign-key column r1, a generated
#   column g1; random types (from sets that keep each kind's values exactly
#   as they are stored), NOT NULL with a default, DEFAULT, UNIQUE, CHECK,
#   COLLATE, table constraints; indexes (plain, UNIQUE, partial,
#   expression, several columns with DESC and COLLATE); views (one or two
#   tables); triggers (their bodies using another table).  dg_fill inserts rows
#   whose values satisfy every constraint the generator can write (distinct
#   per column, non-negative, short), foreign-key columns hold NULL.
#   dg_pair runs one pair (A, B): A with rows in a database (foreign_keys
#   ON), up = migration_diff(B) and down = migration_diff(B,'down') defined
#   as a migration and applied by migrate(); the schema must equal B's
#   (normalized pragmas: table_xinfo, index_list + index_xinfo,
#   foreign_key_list, table_list flags, the table's definition items as a
#   sorted set, view and trigger SQL without whitespace or quotes), every
#   row of a table on both sides must be there with the same values in the
#   columns on both sides, and migration_diff(B) must now be ''.  Then
#   rollback(): the schema must equal A's, rows of tables that lived
#   through both scripts keep the values of the columns that did, and
#   migration_diff(A) must be ''.

set ::dg_tables {t1 t2 t3 t4}

proc dg_pick {list} { lindex $list [expr {int(rand()*[llength $list])}] }
proc dg_chance {p} { expr {rand() < $p} }

# Random subset of LIST (order kept), at least MIN elements.
proc dg_subset {list p {min 0}} {
  set out {}
  foreach x $list { if {[dg_chance $p]} { lappend out $x } }
  while {[llength $out] < $min} {
    set x [dg_pick $list]
    if {$x ni $out} { lappend out $x }
  }
  set r {}
  foreach x $list { if {$x in $out} { lappend r $x } }
  return $r
}

# One column definition.  KIND is the first letter of its name.
proc dg_coldef {col strict tables self} {
  set kind [string index $col 0]
  switch $kind {
    i { set types [expr {$strict ? {INTEGER INT ANY} : {INTEGER INT BIGINT NUMERIC {} ANY}}] }
    s { set types [expr {$strict ? {TEXT ANY} : {TEXT VARCHAR(20) CLOB {} ANY}}] }
    r { set types [expr {$strict ? {INTEGER} : {INTEGER INT}}] }
    g { set types [expr {$strict ? {INTEGER} : {INTEGER INT}}] }
  }
  set def "$col [dg_pick $types]"
  switch $kind {
    i {
      if {[dg_chance 0.25]} { append def " NOT NULL DEFAULT [expr {int(rand()*10)}]" } \
      elseif {[dg_chance 0.25]} { append def " DEFAULT [expr {int(rand()*10)}]" }
      if {![string match *DEFAULT* $def] && [dg_chance 0.15]} { append def " UNIQUE" }
      if {[dg_chance 0.2]} { append def " CHECK ($col >= 0)" }
    }
    s {
      if {[dg_chance 0.2]} { append def " NOT NULL DEFAULT 'd'" } \
      elseif {[dg_chance 0.2]} { append def " DEFAULT 'x'" }
      if {[dg_chance 0.2]} { append def " COLLATE [dg_pick {NOCASE RTRIM BINARY}]" }
      if {![string match *DEFAULT* $def] && [dg_chance 0.15]} { append def " UNIQUE" }
      if {[dg_chance 0.2]} { append def " CHECK (length($col) < 50)" }
    }
    r {
      set parent [dg_pick $tables]
      append def " REFERENCES ${parent}(id)"
      if {[dg_chance 0.3]} { append def " ON DELETE [dg_pick {CASCADE {SET NULL} RESTRICT}]" }
    }
    g {
      append def " GENERATED ALWAYS AS (id * [expr {2 + int(rand()*3)}]) [dg_pick {VIRTUAL STORED}]"
    }
  }
  return $def
}

# A random schema model: a dict with "tables" (an ordered dict table ->
# {mode defs extras}: defs the items of CREATE TABLE, extras its indexes and
# triggers) and "views" (CREATE VIEW statements).  dg_render makes the SQL.
proc dg_model {} {
  set tables [dg_subset $::dg_tables 0.6 1]
  set model [dict create tables {} views {}]
  foreach t $tables {
    set mode [dg_pick {rowid rowid autoinc norowid strict noipk}]
    set cols [dg_subset {i1 i2 i3 s1 s2 s3 r1 g1} 0.45 1]
    if {[dg_chance 0.2]} {
      # a different column order: ADD COLUMN cannot do it
      set cols [lsort -command {apply {{a b} {expr {rand() < 0.5 ? -1 : 1}}}} $cols]
    }
    set defs [list [expr {$mode eq "autoinc" ? "id INTEGER PRIMARY KEY AUTOINCREMENT"
                        : $mode eq "noipk" ? "id INT PRIMARY KEY" : "id INTEGER PRIMARY KEY"}]]
    # (a column with a default gets no UNIQUE: added to a table with rows,
    # every row would hold the same value)
    set uniq {}
    foreach c $cols {
      set d [dg_coldef $c [expr {$mode eq "strict"}] $tables $t]
      lappend defs $d
      if {[string match {[is]*} $c] && ![string match *DEFAULT* $d]} { lappend uniq $c }
    }
    set plain [lmap c $cols { if {[string match {[is]*} $c]} { set c } else continue }]
    if {[llength $uniq] >= 2 && [dg_chance 0.2]} {
      lappend defs "UNIQUE ([lindex $uniq 0], [lindex $uniq 1])"
    }
    if {[dg_chance 0.15]} { lappend defs "CHECK (id > 0)" }
    set extras {}
    foreach n {1 2} {
      if {![llength $plain] || ![dg_chance 0.35]} continue
      lappend extras [dg_index $t $n [dg_pick $plain] $uniq]
    }
    if {[llength $plain] && [dg_chance 0.3]} {
      set c [dg_pick $plain]
      set t2 [dg_pick $tables]
      lappend extras "CREATE TRIGGER ${t}_tr AFTER UPDATE OF $c ON $t BEGIN SELECT new.$c; DELETE FROM $t2 WHERE 0; END"
    }
    dict set model tables $t [list $mode $defs $extras]
  }
  foreach v {v1 v2} {
    if {[dg_chance 0.4]} { dict lappend model views [dg_view $model $v] }
  }
  return $model
}

# An index statement on column C of table T.
proc dg_index {t n c uniq} {
  set u [expr {$c in $uniq && [dg_chance 0.3] ? "UNIQUE " : ""}]
  switch [dg_pick {plain plain partial expr multi}] {
    plain   { return "CREATE ${u}INDEX ${t}_x$n ON ${t}($c)" }
    multi   {
      set coll [expr {[string index $c 0] eq "s" ? " COLLATE NOCASE" : ""}]
      return "CREATE ${u}INDEX ${t}_x$n ON ${t}($c$coll DESC, id)"
    }
    partial { return "CREATE ${u}INDEX ${t}_x$n ON ${t}($c) WHERE $c IS NOT NULL" }
    expr    {
      set e [expr {[string index $c 0] eq "i" ? "$c + 1" : "lower($c)"}]
      return "CREATE ${u}INDEX ${t}_x$n ON ${t}($e)"
    }
  }
}

# The column names of a table's defs.
proc dg_defcols {defs} {
  lmap d $defs { if {[regexp {^([isrg]\d) } $d -> c]} { set c } else continue }
}

# A view named V on the tables of MODEL.
proc dg_view {model v} {
  set tables [dict keys [dict get $model tables]]
  set t [dg_pick $tables]
  set cols [dg_defcols [lindex [dict get $model tables $t] 1]]
  set c [expr {[llength $cols] ? [dg_pick $cols] : "id"}]
  if {[dg_chance 0.3] && [llength $tables] > 1} {
    set t2 [dg_pick $tables]
    return "CREATE VIEW $v AS SELECT a.id, a.$c FROM $t a JOIN $t2 b ON a.id = b.id"
  }
  return "CREATE VIEW $v AS SELECT id, $c FROM $t WHERE id > 0"
}

# Drops from MODEL every view, index or trigger that mentions word W
# (of table T, or anywhere when T is "").
proc dg_forget {model t w} {
  set views {}
  foreach v [dict get $model views] {
    if {![regexp "\\m$w\\M" $v]} { lappend views $v }
  }
  dict set model views $views
  dict for {t2 ti} [dict get $model tables] {
    if {$t ne "" && $t2 ne $t} continue
    lassign $ti mode defs extras
    set extras [lmap x $extras { if {[regexp "\\m$w\\M" $x]} continue; set x }]
    set defs [lmap d $defs {
      if {[regexp {^(UNIQUE|CHECK)} $d] && [regexp "\\m$w\\M" $d]} continue; set d
    }]
    dict set model tables $t2 [list $mode $defs $extras]
  }
  return $model
}

# MODEL changed in one to three small ways, as a schema evolves.
proc dg_mutate {model} {
  set n [expr {1 + int(rand()*3)}]
  for {set k 0} {$k < $n} {incr k} {
    set tables [dict keys [dict get $model tables]]
    set t [dg_pick $tables]
    lassign [dict get $model tables $t] mode defs extras
    set cols [dg_defcols $defs]
    switch [dg_pick {addcol addcol dropcol dropcol changecol index view droptable addtable rowid}] {
      addcol {
        set free [lmap c {i1 i2 i3 s1 s2 s3 r1 g1} { if {$c in $cols} continue; set c }]
        if {![llength $free]} continue
        set c [dg_pick $free]
        set d [dg_coldef $c [expr {$mode eq "strict"}] $tables $t]
        # after the last column definition (table constraints stay last)
        set i [llength $cols]
        set defs [linsert $defs [expr {$i + 1}] $d]
        dict set model tables $t [list $mode $defs $extras]
      }
      dropcol {
        if {[llength $cols] < 2} continue
        set c [dg_pick $cols]
        set defs [lmap d $defs { if {[string match "$c *" $d]} continue; set d }]
        dict set model tables $t [list $mode $defs $extras]
        set model [dg_forget $model $t $c]
      }
      changecol {
        if {![llength $cols]} continue
        set c [dg_pick $cols]
        set defs [lmap d $defs {
          if {[string match "$c *" $d]} { dg_coldef $c [expr {$mode eq "strict"}] $tables $t } else { set d }
        }]
        # a changed column may have gained a default: drop unique things on it
        dict set model tables $t [list $mode $defs $extras]
        set model [dg_forget $model $t $c]
        lassign [dict get $model tables $t] mode defs extras
        set defs [lmap d $defs {
          if {[string match "$c *" $d]} { regsub { UNIQUE} $d {} } else { set d }
        }]
        dict set model tables $t [list $mode $defs $extras]
      }
      index {
        set plain [lmap c $cols { if {[string match {[is]*} $c]} { set c } else continue }]
        if {![llength $plain]} continue
        set extras [lmap x $extras { if {[string match "*INDEX ${t}_x1 *" $x]} continue; set x }]
        lappend extras [dg_index $t 1 [dg_pick $plain] {}]
        dict set model tables $t [list $mode $defs $extras]
      }
      view {
        dict set model views [list [dg_view $model v1]]
      }
      droptable {
        if {[llength $tables] < 2} continue
        dict unset model tables $t
        set model [dg_forget $model "" $t]
      }
      addtable {
        set m2 [dg_model]
        dict for {t2 ti} [dict get $m2 tables] {
          if {$t2 ni $tables} { dict set model tables $t2 $ti; break }
        }
      }
      rowid {
        if {$mode in {rowid noipk}} { set mode norowid } elseif {$mode eq "norowid"} { set mode rowid }
        dict set model tables $t [list $mode $defs $extras]
      }
    }
  }
  return $model
}

# The SQL of MODEL and its info: dict table -> {columns}.
proc dg_render {model} {
  set sql ""
  set info {}
  dict for {t ti} [dict get $model tables] {
    lassign $ti mode defs extras
    set opts [expr {$mode eq "norowid" ? " WITHOUT ROWID" : $mode eq "strict" ? " STRICT" : ""}]
    append sql "CREATE TABLE $t ([join $defs {, }])$opts;\n"
    foreach x $extras { append sql "$x;\n" }
    dict set info $t [list [dg_defcols $defs] $mode]
  }
  foreach v [dict get $model views] { append sql "$v;\n" }
  return [list $sql $info]
}

# A random schema: {sql info}.
proc dg_schema {} { dg_render [dg_model] }

# Fills the tables of INFO in database D with 0..5 rows each.
proc dg_fill {d info} {
  dict for {t ti} $info {
    lassign $ti cols mode
    set n [expr {int(rand()*6)}]
    set ins [lmap c $cols { if {[string match {[isr]*} $c]} { set c } else continue }]
    for {set row 1} {$row <= $n} {incr row} {
      set names [list id]
      set vals [list $row]
      if {$mode eq "noipk"} {
        # a rowid that is not the id: a rebuild must carry it over
        lappend names rowid
        lappend vals [expr {$row * 3 + 1}]
      }
      foreach c $ins {
        lappend names $c
        switch [string index $c 0] {
          i { lappend vals [expr {$row * 10 + [string index $c 1]}] }
          s { lappend vals "'s${row}_$c'" }
          r { lappend vals NULL }
        }
      }
      $d eval "INSERT INTO ${t}([join $names ,]) VALUES([join $vals ,])"
    }
  }
}

# Text normalized for comparison: lower case, no comments, whitespace or
# quotes.
proc dg_norm {sql} {
  regsub -all -- {--[^\n]*} $sql "" sql
  regsub -all -- {/\*.*?\*/} $sql "" sql
  string map {"\"" "" "`" "" "\[" "" "\]" ""} [regsub -all {\s+} [string tolower $sql] ""]
}

# The items of a CREATE TABLE body as a sorted list, plus the options.
proc dg_table_items {sql} {
  set s [dg_norm $sql]
  set i [string first ( $s]
  set depth 0; set item ""; set items {}; set q ""
  for {set k [expr {$i+1}]} {$k < [string length $s]} {incr k} {
    set ch [string index $s $k]
    if {$q ne ""} {
      append item $ch
      if {$ch eq $q} { set q "" }
      continue
    }
    if {$ch eq "'"} { set q ' ; append item $ch; continue }
    if {$ch eq "("} { incr depth }
    if {$ch eq ")"} {
      if {$depth == 0} { lappend items $item; break }
      incr depth -1
    }
    if {$ch eq "," && $depth == 0} { lappend items $item; set item ""; continue }
    append item $ch
  }
  list [lsort $items] [string range $s [expr {$k+1}] end]
}

# A normalized picture of the schema of D (main; storage left out).
proc dg_schema_of {d} {
  set r {}
  foreach {type name tbl sql} [$d eval {
    SELECT type, name, tbl_name, sql FROM sqlite_schema
    WHERE name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE 'migrations_%'
    ORDER BY type, lower(name)
  }] {
    set name [string tolower $name]
    switch $type {
      table {
        lappend r table $name [dg_table_items $sql]
        lappend r [$d eval {SELECT name, upper(type), "notnull", dflt_value, pk, hidden
                            FROM pragma_table_xinfo($name) ORDER BY cid}]
        lappend r [$d eval {SELECT wr, strict FROM pragma_table_list($name) WHERE schema='main'}]
        lappend r [$d eval {SELECT "table", "from", "to", on_update, on_delete, "match", seq
                            FROM pragma_foreign_key_list($name) ORDER BY id, seq}]
        foreach {iname u origin partial} [$d eval {
          SELECT name, "unique", origin, partial FROM pragma_index_list($name) ORDER BY name
        }] {
          set shown [expr {$origin eq "c" ? [string tolower $iname] : $origin}]
          lappend r index $shown $u $partial [$d eval {
            SELECT seqno, cid, name, "desc", coll, "key" FROM pragma_index_xinfo($iname)
          }]
        }
      }
      index {
        if {$sql ne ""} { lappend r idxsql $name [string tolower $tbl] [dg_norm $sql] }
      }
      default {
        lappend r $type $name [string tolower $tbl] [dg_norm $sql]
      }
    }
  }
  return $r
}

# The rows of every table of D: dict table -> list of {col value ...}
# (sorted), generated columns left out, the rowid in (as _rowid_) for
# rowid tables without an INTEGER PRIMARY KEY.
proc dg_rows {d} {
  set out {}
  foreach t [$d eval {
    SELECT name FROM sqlite_schema WHERE type='table'
    AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'migrations_%'
  }] {
    set cols [$d eval {SELECT name FROM pragma_table_xinfo($t) WHERE hidden=0 ORDER BY cid}]
    if {[dg_plain_rowid $d $t]
        && "_rowid_" ni $cols} {
      set cols [linsert $cols 0 _rowid_]
    }
    set rows {}
    set flat [$d eval "SELECT [join [lmap c $cols {set _ "quote(\"$c\")"}] ,] FROM \"$t\""]
    set n [llength $cols]
    for {set k 0} {$k < [llength $flat]} {incr k $n} {
      set row {}
      foreach c $cols v [lrange $flat $k [expr {$k+$n-1}]] { lappend row [string tolower $c] $v }
      lappend rows $row
    }
    dict set out [string tolower $t] [lsort $rows]
  }
  return $out
}

# Projects ROWS onto the columns in KEEP (a list).
proc dg_project {rows keep} {
  lsort [lmap row $rows {
    set p {}
    foreach {c v} $row { if {$c in $keep} { lappend p [list $c $v] } }
    lsort $p
  }]
}

# True if table T of D is a rowid table whose rowid is not a column (no
# INTEGER PRIMARY KEY): its rowid is data a rebuild must keep.
proc dg_plain_rowid {d t} {
  $d onecolumn {
    SELECT (SELECT wr FROM pragma_table_list($t) WHERE schema='main') = 0
       AND NOT ((SELECT count(*) FROM pragma_table_info($t) WHERE pk > 0) = 1
                AND EXISTS (SELECT 1 FROM pragma_table_info($t)
                            WHERE pk > 0 AND upper(type) = 'INTEGER'))
  }
}

# Columns of table T of database D (lower case; _rowid_ for a rowid table).
proc dg_cols_of {d t} {
  set cols [$d eval {SELECT lower(name) FROM pragma_table_xinfo($t) WHERE hidden=0}]
  if {[dg_plain_rowid $d $t]
      && "_rowid_" ni $cols} {
    lappend cols _rowid_
  }
  return $cols
}

# Checks that rows of tables in BEFORE survive in AFTER for the columns in
# both (and in LIVED, a dict table -> columns that lived through, if given).
proc dg_check_rows {before after {lived -}} {
  dict for {t rows} $before {
    if {![dict exists $after $t]} continue
    set arows [dict get $after $t]
    if {![llength $rows] && ![llength $arows]} continue
    set ca [lmap {c v} [lindex $arows 0] {set c}]
    set cb [lmap {c v} [lindex $rows 0] {set c}]
    if {![llength $rows]} { return "table $t: rows appeared" }
    if {[llength $rows] != [llength $arows]} {
      if {$lived eq "-" || [dict exists $lived $t]} {
        return "table $t: [llength $rows] rows before, [llength $arows] after"
      }
      continue
    }
    set keep {}
    foreach c $cb {
      if {$c in $ca && ($lived eq "-" || ([dict exists $lived $t] && $c in [dict get $lived $t]))} {
        lappend keep $c
      }
    }
    if {[dg_project $rows $keep] ne [dg_project $arows $keep]} {
      return "table $t: values differ in columns $keep"
    }
  }
  return ""
}

# Runs one pair; returns "" on success or a description of the failure.
proc dg_pair {seed} {
  expr {srand($seed)}
  set mA [dg_model]
  # half the pairs: B is A evolved a little (ADD/DROP COLUMN, small
  # changes); the other half: two unrelated schemas over the same names
  set mB [expr {$seed % 2 ? [dg_mutate $mA] : [dg_model]}]
  lassign [dg_render $mA] sqlA infoA
  lassign [dg_render $mB] sqlB infoB
  catch {dga close}; catch {dgb close}
  open_db dga :memory:
  sqlite3 dgb :memory:
  set fail ""
  try {
    dga eval {PRAGMA foreign_keys=ON}
    dga eval $sqlA
    dg_fill dga $infoA
    dgb eval $sqlB
    set schemaA [dg_schema_of dga]
    set schemaB [dg_schema_of dgb]
    set rowsA [dg_rows dga]
    set up [dga onecolumn {SELECT migration_diff($sqlB)}]
    set down [dga onecolumn {SELECT migration_diff($sqlB, 'down')}]
    foreach {k pat} {rebuild {-- rebuild} add {ADD COLUMN} dropcol {DROP COLUMN}
                     droptable {DROP TABLE} index {CREATE*INDEX} view {CREATE VIEW}
                     trigger {CREATE TRIGGER} autoinc {sqlite_sequence}} {
      if {[string match "*$pat*" $up$down]} { incr ::dg_stats($k) }
    }
    set nrows 0
    dict for {t rs} [dg_rows dga] { incr nrows [llength $rs] }
    incr ::dg_stats(rows) $nrows
    dga eval {INSERT INTO migrations(name, up, down) VALUES('1_diff', $up, $down)}
    if {[catch {dga eval {SELECT migrate()}} msg]} {
      return "migrate failed: $msg\nUP:\n$up"
    }
    if {[dg_schema_of dga] ne $schemaB} {
      return "schema after up differs from B\nUP:\n$up\nGOT: [dg_schema_of dga]\nWANT: $schemaB"
    }
    set rowsB [dg_rows dga]
    set e [dg_check_rows $rowsA $rowsB]
    if {$e ne ""} { return "data after up: $e\nUP:\n$up" }
    set again [dga onecolumn {SELECT migration_diff($sqlB)}]
    if {$again ne ""} { return "not idempotent after up:\n$again\nUP:\n$up" }
    if {[dga onecolumn {PRAGMA foreign_keys}] != 1} { return "foreign_keys not restored" }
    if {[catch {dga eval {SELECT rollback()}} msg]} {
      return "rollback failed: $msg\nDOWN:\n$down"
    }
    if {[dg_schema_of dga] ne $schemaA} {
      return "schema after down differs from A\nDOWN:\n$down\nGOT: [dg_schema_of dga]\nWANT: $schemaA"
    }
    # columns that lived through both scripts
    set lived {}
    dict for {t rows} $rowsA {
      if {[dict exists $rowsB $t]} {
        set cb [dg_cols_of dgb $t]
        dict set lived $t [lmap c [dg_cols_of dga $t] { if {$c in $cb} { set c } else continue }]
      }
    }
    set e [dg_check_rows $rowsA [dg_rows dga] $lived]
    if {$e ne ""} { return "data after down: $e\nDOWN:\n$down" }
    set again [dga onecolumn {SELECT migration_diff($sqlA)}]
    if {$again ne ""} { return "not idempotent after down:\n$again" }
  } on error {msg} {
    set fail "error: $msg"
  } finally {
    catch {dga close}; catch {dgb close}
  }
  if {$fail ne ""} { return "$fail\nA:\n$sqlA\nB:\n$sqlB" }
  return ""
}

# Runs COUNT pairs from SEED; returns {run N passed P failures {seed msg ...}}.
proc dg_run_pairs {seed count {verbose 0}} {
  set passed 0
  set failures {}
  for {set i 0} {$i < $count} {incr i} {
    set s [expr {$seed + $i}]
    set e [dg_pair $s]
    if {$e eq ""} {
      incr passed
    } else {
      lappend failures $s $e
      if {$verbose} { puts "pair $s FAILED: $e\n" }
    }
  }
  list run $count passed $passed failures $failures
}

# Standalone: tclsh test/diffgen.tcl SEED COUNT
if {[info exists ::argv0] && [file tail $::argv0] eq "diffgen.tcl"} {
  source [file join [file dirname [info script]] tester.tcl]
  set seed [expr {[llength $::argv] > 0 ? [lindex $::argv 0] : 1}]
  set count [expr {[llength $::argv] > 1 ? [lindex $::argv 1] : 2000}]
  set t0 [clock milliseconds]
  set r [dg_run_pairs $seed $count 1]
  set ms [expr {[clock milliseconds] - $t0}]
  puts "scripts (up or down) that: [lmap k [lsort [array names ::dg_stats]] {set _ "$k=$::dg_stats($k)"}]"
  puts "diff property test: seed $seed, [dict get $r run] pairs run, [dict get $r passed] passed, [expr {[llength [dict get $r failures]]/2}] failed ([expr {$ms/1000.0}] s)"
  exit [expr {[dict get $r run] == [dict get $r passed] ? 0 : 1}]
}
