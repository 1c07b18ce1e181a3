# seeds.tcl — writes the hand-written seeds of test/fuzz/corpus/ (files
# named seed-*): one input per feature of fuzz_migrate.c's grammar, spelled
# out step by step, so the fuzzer starts from every feature instead of
# having to find each by chance.
#
#   tclsh test/fuzz/seeds.tcl [DIR [KNOWN]]
#                     (default test/fuzz/corpus and test/fuzz/known: the
#                     inputs of bugs not fixed yet, kept out of the corpus
#                     so that `make check-faults` measures the rest)
#   build/faults/fuzz_migrate DIR/seed-notx-half   (replays one; add
#                                        FUZZ_TRACE=1 to see every step)
#
# Each proc below returns the bytes one step of fuzz_migrate.c consumes,
# in the order its decoder reads them (see step(), makeScript(), body(),
# bodyNoTx(), makeHook() there).  A separator byte (S) picks how statements
# are joined: 0 newline, 2 newline+BOM, 3 a comment, 4 a line comment,
# 5 newline+VT, 7 BOM BOM, 15 a VT where a token starts (an error).

set S 0

# The set-up byte: foreign keys on (1/0), ON DELETE action 0-7 (CASCADE,
# SET NULL, SET DEFAULT, RESTRICT, NO ACTION, NO ACTION deferred, CASCADE
# deferred, none), 000_legacy 0 baselined, 1 marked, 2 pending, 3 none.
proc setup {fk action legacy} {
  list [expr {$fk | ($action << 1) | ($legacy << 4)}]
}

# Names: 0 001_a, 1 002_b, 2 10_c, 3 2_d, 4 003_it's, 5 004_"q", 6 005_e,
# 7 V1__x, 8 V10__y, 9 20241201000000_z, 10 006_f, 11 x.

# The bytes a plain script body of template t consumes (body() in C),
# with separator s and extra choice c where the template takes one.
proc body {t down s {c 0}} {
  switch -- $t {
    0 - 2 - 3 - 4 - 5 - 9 - 12 - 16 - 17 - 18 - 26 - 27 - 28 {
      if {$t in {12 26 27} && !$down} { return [list $s $s] }
      if {$t == 28 && $down} { return [list $s] }
      return [list $s]
    }
    1 - 10 - 24 - 25 { if {$down} { return [list $s] } ; return [list $s $s] }
    6 { if {$down} { return {} } ; return [list $s $c $s $s] }
    7 { if {$down} { return {} } ; return [list $s] }
    8 { if {$down} { return [list $s] } ; return [list $s $s] }
    11 { return {} }
    13 - 14 { if {$down} { return {} } ; return [list $s $s $s $s] }
    15 { if {$down} { return {} } ; return [list $c $s $s $s $s] }
    19 - 20 { return [list $c $s] }
    21 { if {$c % 6 == 5} { return [list $c $s $s] } ; return [list $c $s] }
    22 { return [list $c $s $s] }
    23 {
      if {$down} { return [list $c $s] }
      if {$c % 8 in {1 6}} { return [list $c $s $s] }
      return [list $c $s $s $s]
    }
    29 { return [list $s $s] }
  }
  error "body: template $t not spelled out here"
}

# A no-transaction body (bodyNoTx() in C), template t.
proc bodynotx {t down s {c 0}} {
  if {$down} { if {$t & 1} { return [list $s] } ; return {} }
  switch -- [expr {$t % 12}] {
    0 - 7 { return [list $s $s] }
    1 - 2 - 3 - 5 - 8 - 9 - 10 { return [list $s] }
    4 - 11 { return [list $s $s $s] }
    6 { return [list $c $s] }
  }
}

# define: op 0 (INSERT), 1 (OR REPLACE), 2 (OR IGNORE); name n; template
# t, table k; w: bits 0-2 zero = no-transaction up, 8 = down made the
# same way, 16 = that down is no-transaction too, 0x20 = a verify query
# (choice v), 0xc0 = repeatable.  p: the prefix byte (plainPrefix:
# 0 BOM, 1 comment, 2 line comment, 3 newline+VT, 4+ none; notxPrefix: 0
# BOM+marker, 1 marker+CR LF, 2 not a marker, 3 space first, 4+ marker).
proc define {op n t k w {s 0} {c 0} {p 4} {v 0}} {
  set notx [expr {($w & 7) == 0}]
  set b [list $op $n $t $k $w $p]
  if {$notx} { lappend b {*}[bodynotx $t 0 $s $c] } else { lappend b {*}[body $t 0 $s $c] }
  lappend b $p
  set dnotx [expr {($w & 8) && $notx && ($w & 16)}]
  if {$dnotx} { lappend b {*}[bodynotx $t 1 $s $c] } else { lappend b {*}[body $t 1 $s $c] }
  if {$w & 0x20} { lappend b $v }
  return $b
}

proc migrate {} { list 4 0 }
proc migrate_to {n} { list 6 $n }
proc rollback {{n 1}} { list 7 $n }
proc rollback_to {n} { list 8 $n }
proc reset {} { list 9 0 }
proc refresh {} { list 10 0 }
proc dry_run {} { list 11 0 }
proc repair {} { list 12 0 }
proc status {} { list 13 0 }
proc begin {} { list 14 0 }
proc commit {} { list 14 1 }
proc rollback_txn {} { list 14 0 }
proc baseline {n} { list 18 $n }
proc mark {n} { list 19 $n }
proc uw {} { list 20 1 }
proc user_pragma {i} { list 21 $i }
proc diff {i} { list 22 $i }
# migrate_run() from C: call kind e (0 migrate ... 9 mark), name a
# (10, 11: migrate_boot() of one or two, see the seed "boot")
proc capi {e a} { list 23 $a $e }

# A hook through migration_hooks: event e (0 before_migrate, 1
# after_migrate, 2 before_each, 3 after_each, 4 before_rollback, 5
# after_rollback), kind (0 fails, 1 nested call c, 2 COMMIT, 3 writes
# migrations, 4 plants a hook, 5 PRAGMA c, 6 reads, 7 edits verify,
# 8 OR ROLLBACK, 9+ just logs).
proc hook {e kind {c 0} {s 0}} {
  # w: w%6 is the event, (w>>3)%12 the kind
  for {set w 0} {$w < 256} {incr w} {
    if {$w % 6 == $e && ($w >> 3) % 12 == $kind} break
  }
  set b [list 16 1 $w 4]
  switch -- $kind {
    0 - 2 - 3 - 4 - 6 - 7 { lappend b $s }
    1 - 5 { lappend b $c $s }
    8 { lappend b $s $s $s }
  }
  return $b
}
# The same hook planted straight into migrations_hooks.
proc plant_hook {e kind {c 0} {s 0}} {
  set b [hook $e $kind $c $s]
  lreplace $b 0 1 17 0
}
# Damage past the tables: 2 verify COMMIT, 3 blob verify, 5 a claim; on
# name n (a%8 is the kind, a%12 the name: n%4 must equal kind%4).
proc damage {kind n} {
  for {set a 0} {$a < 256} {incr a} {
    if {$a % 8 == $kind && $a % 12 == $n} { return [list 17 $a] }
  }
  error "damage: kind $kind cannot name $n"
}

proc write {dir name steps} {
  set bytes {}
  foreach step $steps { lappend bytes {*}$step }
  file mkdir $dir
  set f [open [file join $dir $name] wb]
  puts -nonewline $f [binary format c* $bytes]
  close $f
}
proc seed {name args} { write $::dir seed-$name $args }
proc known {name args} { write $::known $name $args }

set here [file dirname [info script]]
set dir [expr {[llength $argv] ? [lindex $argv 0] : [file join $here corpus]}]
set known [expr {[llength $argv] > 1 ? [lindex $argv 1] : [file join $here known]}]

# w of define: P a plain up and down, N a no-transaction up (plain down),
# NN both no-transaction, V|x a verify query, R a repeatable one.
set P 9; set N 0; set NN 0x18; set V 0x20; set R 0xc0

# BOM + transaction control inside an up script (refused before it runs),
# with BOM and VT separators; a down saved with a BOM before DROP TABLE.
seed bom-commit [setup 0 0 3] \
  [define 0 0 0 0 $P 2 0 0] [migrate] \
  [define 0 1 6 1 $P 2 1 0] [migrate] [dry_run] \
  [define 1 1 1 1 $P 7 0 0] [migrate] [rollback 2]
# transaction control after a VT inside a run of whitespace, and a VT where
# a token starts
seed vt [setup 0 0 3] [define 0 0 6 0 $P 5 0 3] [migrate] \
  [define 1 0 0 0 $P 15] [migrate]
# a no-transaction migration third of six (2_d), and the fourth (005_e)
# fails: the first three stay, the rest is undone
seed notx-3of6 [setup 1 0 3] \
  [define 0 0 0 0 $P] [define 0 1 0 1 $P] [define 0 3 0 2 $N] \
  [define 0 6 7 2 $P] [define 0 2 0 3 $P] [define 0 9 4 3 $P] [migrate] \
  [status] [define 1 6 11 2 $P] [migrate] [rollback] [reset]
# a no-transaction migration that fails half-way (its table and row stay)
seed notx-half [setup 0 0 3] \
  [define 0 0 0 0 $P] [define 0 1 4 1 $N] [define 0 2 0 2 $P] [migrate] \
  [repair] [migrate]
# no-transaction migrations: inside BEGIN, in a dry run, nested, VACUUM
# from SQL and from C, a down that is no-transaction too
seed notx-kinds [setup 1 0 3] \
  [define 0 0 1 0 $NN] [begin] [migrate] [commit] [dry_run] \
  [migrate] [rollback] [define 1 1 5 1 $N] [migrate] [capi 0 0] \
  [define 0 2 6 0 $N 0 0] [migrate] [rollback 3]
# hooks of all six events through migration_hooks, then migrate, rollback,
# refresh, reset
seed hooks-all [setup 0 0 3] \
  [hook 0 9] [hook 1 9] [hook 2 9] [hook 3 9] [hook 4 9] [hook 5 9] \
  [define 0 0 0 0 $P] [define 0 1 1 1 $P] [migrate] [rollback] [migrate] \
  [refresh] [reset]
# hooks that fail, nest, commit, write definitions, plant hooks, planted
# past the table
seed hooks-hostile [setup 0 0 3] \
  [define 0 0 0 0 $P] [hook 2 0] [migrate] [hook 3 1 0] [migrate] \
  [hook 0 4] [migrate] [plant_hook 1 2] [migrate] [hook 5 3] [rollback]
# verify queries: false, erroring, COMMIT, not read-only, nested, true;
# a blob planted past the table
seed verify [setup 0 0 3] \
  [define 0 3 0 0 [expr {$P|$V}] 0 0 4 0] [migrate] \
  [define 1 3 0 0 [expr {$P|$V}] 0 0 4 3] [migrate] \
  [define 1 3 0 0 [expr {$P|$V}] 0 0 4 5] [migrate] \
  [define 1 3 0 0 [expr {$P|$V}] 0 0 4 7] [migrate] \
  [define 1 3 0 0 [expr {$P|$V}] 0 0 4 9] [migrate] \
  [define 1 3 0 0 [expr {$P|$V}] 0 0 4 11] [damage 3 3] [migrate] \
  [define 1 3 0 0 [expr {$P|$V}] 0 0 4 11] [migrate]
# scripts calling migrate(), rollback(), the dry run ...
seed nested [setup 0 0 3] \
  [define 0 0 0 0 $P] [migrate] [define 0 1 20 1 $P 0 0] [migrate] \
  [define 1 1 20 1 $P 0 2] [migrate] [define 1 1 20 1 $P 0 7] [begin] \
  [migrate] [commit] [capi 0 1]
# scripts writing definitions and hooks through the tables and straight
# into migrations_scripts / migrations_hooks
seed defwrites [setup 0 0 3] \
  [define 0 0 21 0 $P 0 1] [define 0 1 0 1 $P] [migrate] [dry_run] \
  [define 1 0 22 0 $P 0 8] [migrate] \
  [define 1 0 22 0 $P 0 3] [migrate] [define 1 0 22 0 $P 0 2] [migrate] \
  [define 1 0 22 0 $P 0 4] [migrate] [status] [rollback]
# a table rebuild with foreign keys on, CASCADE, inside BEGIN (refused)
# and in autocommit (children kept); rename-first; the child rebuilt
seed fk-rebuild [setup 1 0 3] \
  [define 0 0 13 0 $P] [begin] [uw] [migrate] [commit] [migrate] \
  [define 0 1 14 1 $P] [migrate] [define 0 2 15 2 $P 0 1] [begin] [migrate] \
  [commit]
foreach {i act} {1 setnull 2 setdefault 3 restrict 4 noaction 5 deferred 6 cascdeferred} {
  seed fk-rebuild-$act [setup 1 $i 3] [define 0 0 13 0 $P] [begin] [uw] \
    [migrate] [commit] [user_pragma 3] [migrate]
}
# PRAGMAs inside scripts (template 19: choice c, +16 puts it before the
# log line), then a failure in the same call
seed pragmas [setup 1 0 3] \
  [define 0 0 19 0 $P 0 2] [define 0 1 19 1 $P 0 3] [define 0 2 7 0 $P] \
  [migrate] [define 1 2 19 0 $P 0 6] [migrate] [rollback]
# baseline and mark: 000_legacy baselined; refresh, reset and the
# rollbacks never run it
seed baseline [setup 1 0 0] \
  [define 0 0 0 0 $P] [define 0 1 1 1 $P] [migrate] [refresh] [reset] \
  [migrate] [rollback 3] [rollback_to 0] [baseline 1]
seed mark [setup 0 0 1] [define 0 0 0 0 $P] [define 0 1 1 1 $P] \
  [mark 1] [migrate] [refresh] [reset]
# 000_legacy pending: applied for real, then its down drops the tables
seed legacy-pending [setup 0 0 2] [migrate] [rollback] [migrate]
# the user's rows inside BEGIN around a failing call
seed user-rows [setup 1 0 3] [begin] [uw] [define 0 0 8 0 $P] [migrate] \
  [uw] [commit] [begin] [uw] [define 1 0 0 0 $P] [migrate] [commit]
# conflict clauses: OR FAIL, RAISE(ABORT), ON CONFLICT REPLACE
seed conflicts [setup 0 0 3] [define 0 0 23 0 $P 0 3] [migrate] \
  [define 1 0 23 0 $P 0 4] [migrate] [define 1 0 23 0 $P 0 6] [migrate] \
  [rollback]
# migrate_run() from C with a progress callback, every call kind
seed capi [setup 0 0 3] [define 0 0 0 0 $P] [define 0 1 1 1 $P] \
  [capi 0 0] [capi 2 1] [capi 1 1] [capi 5 0] [capi 6 0] [capi 4 0] \
  [capi 8 1] [capi 7 0]
# migrate_boot() of one migration, then of two (001_a and 002_b: t=0 and
# t=4 plain), then rollback
seed boot [setup 0 0 3] [list 23 0 10 0 9 4 0 4 0] \
  [list 23 0 11 0 9 4 0 4 0 4 0x19 4 0 4 0] [rollback 2] [status]
# migration_diff() with process-wide PRAGMAs
seed diff [setup 0 0 3] [diff 0] [diff 1] [diff 2] [diff 3] [status]
# a claim left by a crash, then repair
seed claim [setup 0 0 3] [define 0 1 0 0 $P] [damage 5 1] [migrate] \
  [repair] [migrate]
# repeatable migrations next to versioned ones
seed repeatable [setup 0 0 3] [define 0 0 0 0 $P] \
  [define 0 7 11 0 [expr {$P|$R}]] [migrate] \
  [define 1 7 29 0 [expr {$P|$R}]] [migrate] [refresh] [reset]

# Bugs found and not fixed yet (test/fuzz_regress.test): a script that
# rolls the whole transaction back (OR ROLLBACK, ON CONFLICT ROLLBACK,
# RAISE(ROLLBACK)) inside the caller's BEGIN; PRAGMA journal_mode=OFF in a
# script.  (test/fuzz/known/generate, migrate_generate() from a
# no-transaction script, is the fuzzer's own input, minimized; the fixed
# refresh bug's input is test/fuzz/corpus/regress-refresh.)
known or-rollback [setup 0 0 3] [begin] [uw] [define 0 0 23 0 $P 0 0] \
  [migrate] [commit]
known journal-off [setup 0 0 3] [define 0 0 19 0 $P 0 30] \
  [define 0 1 7 0 $P] [migrate]
