# bench.tcl — `make bench` / `make bench-quick`: libmigrate against the
# physical limit and the peers, in one run on one machine.
#
# USAGE (from the repository root; `make bench` builds what it needs first)
#   tclsh tool/bench/bench.tcl ?-quick? ?-out FILE.md? ?-chart FILE.svg?
#                              ?-tools {limit sqlite-migrate ...}? ?-ns {10 1000}?
#     full:   N = 10 100 1000 10000 (peers up to 1000), every peer installed
#     -quick: N = 10 100 1000, peers only up to N = 100 and none that needs
#             a build (no knex); about a minute
#   -tools / -ns restrict a run to some tools / some N (for trying things).
#   Prints the tables and writes them (markdown) to -out, the chart (SVG,
#   gnuplot) to -chart.  Defaults: tool/bench/RESULTS.md, tool/bench/apply.svg
#   (full); build/bench/RESULTS-quick.md, build/bench/apply-quick.svg (quick).
#
# HOW IT WORKS
#   tool/bench/gen.tcl writes the workload once per N in every tool's format.
#   At each N the tools run in rounds (every tool once per round, so that
#   the machine's load falls on all alike); each repetition starts from a
#   fresh folder and database and times, as whole processes (clock
#   microseconds around exec, output discarded):
#     apply  every migration on the fresh database
#     noop   the same command again, nothing pending
#     down   roll back everything
#   After apply the database must hold N tables t_*, after down none: a tool
#   that fails a command or this check is reported as failed and gets no row.
#   Tools:
#     limit           sqlite3 shell, whole workload in one transaction (down:
#                     the down scripts, newest first, in one transaction;
#                     noop: the shell opening the database and reading its
#                     schema, the floor of any whole-process no-op)
#     limit-each      sqlite3 shell, one transaction per migration
#     sqlite-migrate  `sqlite-migrate -d DIR --db FILE up`, again, `reset`
#     shell+ext       sqlite3 shell: .load ./libmigrate, .read defs.sql (the
#                     `sqlite-migrate sql` output), SELECT migrate();
#                     down: SELECT migrate_reset()
#     dbmate, knex, alembic, sqitch   each with its own CLI and files; the
#                     roll-back-everything of dbmate is `dbmate rollback` N
#                     times (it has no other way)
#   In-process figures come from build/bench/bench-driver (driver.c), which
#   prints RESULT lines; memory from its `mem` mode and /usr/bin/time.
#   Repetitions: 5 at N <= 1000 (peers: 5 at N <= 100, 3 at 1000), 3 at
#   10000, 7 in-process up to 1000 (3 of everything in quick mode), fewer when the
#   first one shows they would not fit a time budget per tool and N (75 s;
#   8 s in quick mode); the runs column says how many ran.  At N = 10000,
#   limit-each and any tool whose apply at N = 1000 took over 5 s are left
#   out (said in the output).  Times are reported as median and min–max; the
#   ratio is median over the limit's median (same N, same operation).

set quick 0
set out ""
set chart ""
set only ""
set ns ""
for {set i 0} {$i < [llength $argv]} {incr i} {
  set k [lindex $argv $i]
  switch -- $k {
    -quick { set quick 1 }
    -out   { set out [lindex $argv [incr i]] }
    -chart { set chart [lindex $argv [incr i]] }
    -tools { set only [lindex $argv [incr i]] }
    -ns    { set ns [lindex $argv [incr i]] }
    default { puts stderr "bench.tcl: unknown option $k"; exit 2 }
  }
}
if {$out eq ""} {
  set out [expr {$quick ? "build/bench/RESULTS-quick.md" : "tool/bench/RESULTS.md"}]
}
if {$chart eq ""} {
  set chart [expr {$quick ? "build/bench/apply-quick.svg" : "tool/bench/apply.svg"}]
}

set ROOT [pwd]
set B $ROOT/build/bench
# Where workloads and databases live: $BENCH_DIR, else a fresh folder on
# /dev/shm (tmpfs: no fsync, so the figures are the work each tool does and
# not the disk, which other jobs on this machine share), else build/bench.
if {[info exists env(BENCH_DIR)] && $env(BENCH_DIR) ne ""} {
  set W [file normalize $env(BENCH_DIR)]
  set W_TEMP 0
} elseif {[file writable /dev/shm]} {
  set W /dev/shm/libmigrate-bench.[pid]
  set W_TEMP 1
} else {
  set W $B
  set W_TEMP 0
}
file mkdir $W
set DRIVER $B/bench-driver
set NODE $ROOT/build/bench-deps/node/node_modules
source [file join [file dirname [info script]] gen.tcl]

set NS [expr {$quick ? {10 100 1000} : {10 100 1000 10000}}]
if {$ns ne ""} { set NS $ns }
set PEER_MAX_N [expr {$quick ? 100 : 1000}]
# Time budget (ms) of one tool at one N: repetitions beyond it are dropped
# (at least one always runs; the runs column shows how many did).
set BUDGET [expr {$quick ? 8000 : 75000}]
set env(BENCH_BUDGET_MS) [expr {$quick ? 8000 : 60000}]

set T0 [clock milliseconds]
proc say {msg} { puts $msg; flush stdout }
proc elapsed {} { format %.0fs [expr {([clock milliseconds]-$::T0)/1000.0}] }

# ---- which tools are here -------------------------------------------------
set notes {}          ;# lines for the "not measured" section
proc note {msg} { lappend ::notes $msg; say "NOTE: $msg" }

proc have {cmd} { expr {[auto_execok $cmd] ne ""} }

set tools {limit limit-each}
if {[file executable $ROOT/sqlite-migrate]} {
  lappend tools sqlite-migrate
} else {
  note "sqlite-migrate: not built (no ./sqlite-migrate binary): no row"
}
lappend tools shell+ext
set DBMATE $NODE/@dbmate/linux-x64/bin/dbmate
if {[file executable $DBMATE]} { lappend tools dbmate } else {
  note "dbmate: not installed (tool/bench/bench-deps.sh could not install @dbmate/linux-x64): no row"
}
if {!$quick} {
  if {[file exists $NODE/knex/bin/cli.js] && [file exists $NODE/better-sqlite3/package.json]} {
    lappend tools knex
  } else {
    note "knex: not installed (tool/bench/bench-deps.sh could not build knex + better-sqlite3): no row"
  }
} else {
  note "knex: left out of bench-quick (better-sqlite3 needs a build)"
}
if {$quick} {
  note "alembic, sqitch: left out of bench-quick (seconds per run; see make bench)"
} else {
  if {[have alembic]} { lappend tools alembic } else {
    note "alembic: not installed (Debian alembic / python3-alembic): no row"
  }
  if {[have sqitch]} { lappend tools sqitch } else {
    note "sqitch: not installed (Debian sqitch / libdbd-sqlite3-perl): no row"
  }
}
set PEERS {dbmate knex alembic sqitch}
if {$only ne ""} {
  set keep {}
  foreach t $tools { if {[lsearch $only $t] >= 0} { lappend keep $t } }
  set tools $keep
}

# ---- results ----------------------------------------------------------------
# R(tool,op,N) = list of times in ms
array set R {}
proc record {tool op n times} { set ::R($tool,$op,$n) $times }

proc median {l} {
  set l [lsort -real $l]
  set k [llength $l]
  if {$k % 2} { return [lindex $l [expr {$k/2}]] }
  expr {([lindex $l [expr {$k/2-1}]] + [lindex $l [expr {$k/2}]]) / 2.0}
}
proc fmt_ms {x} {
  if {$x >= 100} { return [format %.0f $x] }
  if {$x >= 10} { return [format %.1f $x] }
  if {$x >= 1} { return [format %.2f $x] }
  return [format %.3f $x]
}

# ---- running one command ----------------------------------------------------
# Runs argv (a list) in directory dir with env pairs; stdout/stderr to a log.
# Returns elapsed ms; raises an error holding the log's tail on failure.
proc run_timed {dir envpairs argv {stdin ""}} {
  set log $::B/last-command.log
  set saved {}
  foreach {k v} $envpairs {
    if {[info exists ::env($k)]} { lappend saved $k $::env($k) } else { lappend saved $k "" }
    set ::env($k) $v
  }
  set here [pwd]
  cd $dir
  set redir [list >$log]
  if {$stdin ne ""} { lappend redir <$stdin }
  lappend redir 2>@1
  set t0 [clock microseconds]
  set rc [catch {exec {*}$argv {*}$redir} msg]
  set t1 [clock microseconds]
  cd $here
  foreach {k v} $saved { if {$v eq ""} { unset -nocomplain ::env($k) } else { set ::env($k) $v } }
  if {$rc} {
    set fd [open $log]; set text [read $fd]; close $fd
    error "[lrange $argv 0 2]: [string range [string trim $text] end-300 end] $msg"
  }
  expr {($t1 - $t0) / 1000.0}
}

# Number of workload tables t_* in db.
proc count_tables {db} {
  if {![file exists $db]} { return 0 }
  string trim [exec sqlite3 $db "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name GLOB 't_*'"]
}

# Runs operation op (apply|noop|down) of tool at N, in run folder rd with
# database db, workload folder wl.  Returns ms.
proc tool_op {tool op n wl rd db} {
  global ROOT DBMATE NODE
  switch -- $tool {
    limit {
      switch $op {
        apply { return [run_timed $rd {} [list sqlite3 -batch $db] $wl/up1.sql] }
        noop  { return [run_timed $rd {} [list sqlite3 -batch $db "SELECT count(*) FROM sqlite_schema"]] }
        down  { return [run_timed $rd {} [list sqlite3 -batch $db] $wl/down1.sql] }
      }
    }
    limit-each {
      switch $op {
        apply { return [run_timed $rd {} [list sqlite3 -batch $db] $wl/upE.sql] }
        noop  { return [run_timed $rd {} [list sqlite3 -batch $db "SELECT count(*) FROM sqlite_schema"]] }
        down  { return [run_timed $rd {} [list sqlite3 -batch $db] $wl/downE.sql] }
      }
    }
    sqlite-migrate {
      set cmd [list $ROOT/sqlite-migrate -d $wl/migrations --db $db]
      switch $op {
        apply - noop { return [run_timed $rd {} [concat $cmd up]] }
        down { return [run_timed $rd {} [concat $cmd reset]] }
      }
    }
    shell+ext {
      switch $op {
        apply - noop { return [run_timed $rd {} [list sqlite3 -batch $db] $wl/shell-up.sql] }
        down { return [run_timed $rd {} [list sqlite3 -batch $db] $wl/shell-down.sql] }
      }
    }
    dbmate {
      set cmd [list $DBMATE --url sqlite:$db -d $wl/migrations --no-dump-schema]
      switch $op {
        apply - noop { return [run_timed $rd {} [concat $cmd up]] }
        down {
          set t 0
          for {set i 0} {$i < $n} {incr i} {
            set t [expr {$t + [run_timed $rd {} [concat $cmd rollback]]}]
          }
          return $t
        }
      }
    }
    knex {
      set cmd [list node $NODE/knex/bin/cli.js --knexfile $wl/knex/knexfile.js]
      switch $op {
        apply - noop { return [run_timed $wl/knex [list BENCH_DB $db] [concat $cmd migrate:latest]] }
        down { return [run_timed $wl/knex [list BENCH_DB $db] [concat $cmd migrate:rollback --all]] }
      }
    }
    alembic {
      set cmd [list alembic -c $wl/alembic/alembic.ini]
      switch $op {
        apply - noop { return [run_timed $rd [list BENCH_DB $db] [concat $cmd upgrade head]] }
        down { return [run_timed $rd [list BENCH_DB $db] [concat $cmd downgrade base]] }
      }
    }
    sqitch {
      set env [list SQITCH_FULLNAME Bench SQITCH_EMAIL bench@example.invalid]
      switch $op {
        apply - noop { return [run_timed $wl/sqitch $env [list sqitch deploy db:sqlite:$db]] }
        down { return [run_timed $wl/sqitch $env [list sqitch revert -y db:sqlite:$db]] }
      }
    }
  }
  error "unknown tool $tool"
}

# ---- the workload -----------------------------------------------------------
file mkdir $B
set failed {}   ;# tools that failed: no more rows for them
foreach n $NS {
  set wl $W/wl/$n
  say "[elapsed] generating workload N=$n"
  gen_workload $wl $n
  if {[file exists $NODE]} { file link -symbolic $wl/knex/node_modules $NODE }
  set defs $wl/defs.sql
  if {[file executable $ROOT/sqlite-migrate]} {
    if {[catch {exec $ROOT/sqlite-migrate -d $wl/migrations sql > $wl/defs-cli.sql} msg]} {
      note "sqlite-migrate sql failed ($msg); shell+ext reads tool/bench/gen.tcl's defs.sql"
    } else {
      set defs $wl/defs-cli.sql
    }
  }
  set fd [open $wl/shell-up.sql w]
  puts $fd ".load $ROOT/libmigrate\n.read $defs\nSELECT migrate();"
  close $fd
  set fd [open $wl/shell-down.sql w]
  puts $fd ".load $ROOT/libmigrate\nSELECT migrate_reset();"
  close $fd

  # Which tools run at this N, and how many repetitions each wants.
  set active {}
  foreach tool $tools {
    if {[lsearch $failed $tool] >= 0} continue
    if {[lsearch $PEERS $tool] >= 0 && $n > $PEER_MAX_N} continue
    if {$tool eq "limit-each" && ($n > 1000 || ($quick && $n > 100))} {
      note "limit-each at N=$n: left out (one transaction per migration; keeps the run short; see the smaller N)"
      continue
    }
    if {$n > 1000 && [info exists R($tool,apply,1000)] && [median $R($tool,apply,1000)] > 5000} {
      note "$tool at N=$n: left out (apply at N=1000 already took [fmt_ms [median $R($tool,apply,1000)]] ms)"
      continue
    }
    lappend active $tool
    set nrep($tool) [expr {$quick ? 3 : $n <= 100 ? 5 : $n <= 1000 && [lsearch $PEERS $tool] < 0 ? 5 : 3}]
    foreach op {apply noop down} { set times($tool,$op) {} }
  }
  # Rounds: every tool once per round, so that the load of the machine
  # (shared with other work) falls on all tools alike.
  for {set r 0} {$r < 5} {incr r} {
    foreach tool $active {
      if {$r >= $nrep($tool) || [lsearch $failed $tool] >= 0} continue
      set rd $W/run/$tool-$n
      file delete -force $rd
      file mkdir $rd
      set db $rd/bench.db
      set t_rep 0
      if {[catch {
        foreach op {apply noop down} {
          set t [tool_op $tool $op $n $wl $rd $db]
          lappend times($tool,$op) $t
          set t_rep [expr {$t_rep + $t}]
          set want [expr {$op eq "down" ? 0 : $n}]
          set got [count_tables $db]
          if {$got != $want} { error "after $op: $got workload tables, expected $want" }
        }
      } msg]} {
        note "$tool failed at N=$n: $msg (no row from here on)"
        lappend failed $tool
        continue
      }
      # Time budget per tool and N: fewer repetitions for the slow ones.
      if {$r == 0} {
        set fit [expr {int($BUDGET / max($t_rep, 1.0))}]
        if {$fit < $nrep($tool)} { set nrep($tool) [expr {max(1, $fit)}] }
      }
    }
  }
  foreach tool $active {
    if {[lsearch $failed $tool] >= 0} continue
    foreach op {apply noop down} { record $tool $op $n $times($tool,$op) }
    say [format "%s %-15s N=%-5d apply %8s  noop %7s  down %8s ms  (%d runs)" \
      [elapsed] $tool $n [fmt_ms [median $times($tool,apply)]] \
      [fmt_ms [median $times($tool,noop)]] [fmt_ms [median $times($tool,down)]] \
      [llength $times($tool,apply)]]
  }

  # In-process figures.
  set reps [expr {$quick ? 3 : $n <= 1000 ? 7 : 3}]
  file mkdir $W/tmp
  foreach mode {apply noop} {
    set extra {}
    if {$mode eq "apply" && ($n > 1000 || ($quick && $n > 100))} {
      set extra noeach
      note "inproc-limit-each at N=$n: left out (one synced transaction per migration)"
    }
    if {[catch {exec $DRIVER $mode $n $reps $W/tmp {*}$extra 2>@1} text]} {
      note "bench-driver $mode $n failed: $text"
      continue
    }
    foreach line [split $text \n] {
      if {[lindex $line 0] eq "RESULT"} {
        record [lindex $line 1] [lindex $line 2] [lindex $line 3] [lrange $line 4 end]
      }
    }
  }
  say [format "%s in-process      N=%-5d migrate() %s ms, one transaction %s ms; no-op %s ms, anti-join %s ms" \
    [elapsed] $n [fmt_ms [median $R(inproc-migrate,apply,$n)]] \
    [fmt_ms [median $R(inproc-limit,apply,$n)]] \
    [fmt_ms [median $R(inproc-migrate,noop-call,$n)]] \
    [fmt_ms [median $R(inproc-antijoin,noop-call,$n)]]]
}

# ---- memory -------------------------------------------------------------------
array set MEM {}
set nMem [expr {$quick ? 10 : 100}]
if {[catch {exec $DRIVER mem $W/tmp $nMem 2>@1} text]} {
  note "bench-driver mem failed: $text"
} else {
  foreach line [split $text \n] {
    if {[lindex $line 0] eq "MEM"} { set MEM([lindex $line 1]) [lindex $line 2] }
  }
}
set nRss [lindex $NS end]
proc peak_rss {argv stdin} {
  set rd $::W/run/rss
  file delete -force $rd; file mkdir $rd
  set cmd [list /usr/bin/time -f "RSS %M" {*}[string map [list @DB@ $rd/bench.db] $argv]]
  set err $rd/time.txt
  if {$stdin ne ""} { catch {exec {*}$cmd >/dev/null < $stdin 2>$err} } else {
    catch {exec {*}$cmd >/dev/null 2>$err}
  }
  set fd [open $err]; set text [read $fd]; close $fd
  if {![regexp {RSS (\d+)} $text -> kb]} { error "no RSS: $text" }
  return $kb
}
if {[file executable /usr/bin/time]} {
  if {[lsearch $tools sqlite-migrate] >= 0 && [lsearch $failed sqlite-migrate] < 0} {
    if {[catch {peak_rss [list $ROOT/sqlite-migrate -d $W/wl/$nRss/migrations --db @DB@ up] ""} kb]} {
      note "peak RSS of sqlite-migrate up failed: $kb"
    } else { set MEM(rss-sqlite-migrate) $kb }
  }
  if {![catch {peak_rss [list sqlite3 -batch @DB@] $W/wl/$nRss/up1.sql} kb]} {
    set MEM(rss-limit) $kb
  }
  if {![catch {peak_rss [list sqlite3 -batch @DB@] $W/wl/$nRss/shell-up.sql} kb]} {
    set MEM(rss-shell+ext) $kb
  }
} else {
  note "/usr/bin/time missing (Debian package time): no peak RSS"
}

# ---- instruction counts (full mode) --------------------------------------------
# Wall times on a shared machine swing by tens of percent; callgrind's
# instruction counts do not.  N = 1000, each libmigrate path next to its limit.
array set CG {}
set CG_N 1000
proc cg_count {argv {stdin ""} {toggle ""}} {
  set cmd [list valgrind --tool=callgrind --callgrind-out-file=$::W/cg.out]
  if {$toggle ne ""} { lappend cmd --toggle-collect=$toggle }
  set err $::W/cg.err
  if {$stdin ne ""} { catch {exec {*}$cmd {*}$argv >/dev/null < $stdin 2>$err} } else {
    catch {exec {*}$cmd {*}$argv >/dev/null 2>$err}
  }
  set fd [open $err]; set text [read $fd]; close $fd
  if {![regexp {I\s+refs:\s+([0-9,]+)} $text -> ir]} { error "callgrind: $text" }
  string map {, ""} $ir
}
if {!$quick && [have valgrind] && [lsearch $NS $CG_N] >= 0} {
  say "[elapsed] callgrind instruction counts at N=$CG_N"
  set wl $W/wl/$CG_N
  set rd $W/run/cg
  if {[catch {
    set CG(inproc-migrate) [cg_count [list $DRIVER one $CG_N $W/tmp migrate] "" migrateExec]
    set CG(inproc-limit) [cg_count [list $DRIVER one $CG_N $W/tmp limit] "" sqlite3_exec]
    set CG(inproc-reset) [cg_count [list $DRIVER one $CG_N $W/tmp reset] "" oneCall]
    set CG(inproc-limitdown) [cg_count [list $DRIVER one $CG_N $W/tmp limitdown] "" oneCall]
    file delete -force $rd; file mkdir $rd
    set CG(shell-up) [cg_count [list sqlite3 -batch $rd/s.db] $wl/up1.sql]
    set CG(shell-noop) [cg_count [list sqlite3 -batch $rd/s.db "SELECT count(*) FROM sqlite_schema"]]
    set CG(shell-down) [cg_count [list sqlite3 -batch $rd/s.db] $wl/down1.sql]
    if {[lsearch $tools sqlite-migrate] >= 0} {
      set cli [list $ROOT/sqlite-migrate -d $wl/migrations --db $rd/m.db]
      set CG(cli-up) [cg_count [concat $cli up]]
      set CG(cli-noop) [cg_count [concat $cli up]]
      set CG(cli-down) [cg_count [concat $cli reset]]
    }
  } msg]} { note "callgrind failed: $msg" }
}

# ---- report -------------------------------------------------------------------
set md {}
proc md {line} { lappend ::md $line }
proc ratio {tool op n base} {
  if {![info exists ::R($tool,$op,$n)] || ![info exists ::R($base,$op,$n)]} { return "" }
  format %.2f× [expr {[median $::R($tool,$op,$n)] / [median $::R($base,$op,$n)]}]
}
proc cell {tool op n} {
  if {![info exists ::R($tool,$op,$n)]} { return [list "" ""] }
  set l $::R($tool,$op,$n)
  list [fmt_ms [median $l]] "[fmt_ms [tcl::mathfunc::min {*}$l]]–[fmt_ms [tcl::mathfunc::max {*}$l]]"
}

set sqlitever [exec sqlite3 -version]
set cpu [lindex [split [exec sh -c {grep -m1 'model name' /proc/cpuinfo || echo unknown}] :] end]
md "# libmigrate benchmark results"
md ""
md "Generated by `make [expr {$quick ? "bench-quick" : "bench"}]` (tool/bench/bench.tcl) on\
    [clock format [clock seconds] -gmt 1 -format {%Y-%m-%d %H:%M UTC}];\
    [string trim $cpu], [exec nproc] cores (shared with other work: expect noise,\
    read min–max), SQLite [lindex $sqlitever 0] (shell and library), database files\
    on [string trim [exec sh -c "df -T $W | awk 'NR==2{print \$2}'"]] ($W), default journal mode and\
    synchronous setting. Total bench time [elapsed]."
md ""
md "Workload: N migrations; migration i = `CREATE TABLE t_i(id INTEGER PRIMARY KEY, a TEXT, b INTEGER)`,\
    one 10-row INSERT, `CREATE INDEX t_i_b ON t_i(b)`; down = `DROP TABLE t_i`. Whole-process\
    wall time in ms (process start included); **apply** = fresh database, **noop** = the same\
    command again with nothing pending, **down** = roll back everything. × limit = median over\
    the `limit` row's median (same N and operation; for noop the limit is the shell opening the\
    database and reading its schema)."
md ""
md "!\[apply time against N\]([file tail $chart])"
md ""
md "| tool | N | operation | median ms | min–max ms | runs | × limit |"
md "|---|---:|---|---:|---:|---:|---:|"
foreach n $NS {
  foreach tool $tools {
    foreach op {apply noop down} {
      if {![info exists R($tool,$op,$n)]} continue
      lassign [cell $tool $op $n] med rng
      md "| $tool | $n | $op | $med | $rng | [llength $R($tool,$op,$n)] | [ratio $tool $op $n limit] |"
    }
  }
}
md ""
md "### In-process (C driver, tool/bench/driver.c, linked with libmigrate.a)"
md ""
md "`inproc-limit`: the whole workload through one `sqlite3_exec()` in one transaction;\
    `inproc-limit-each`: one transaction per migration; `inproc-migrate`: `SELECT migrate()`\
    on a database whose scripts were defined (and committed) beforehand, untimed;\
    down = `SELECT migrate_reset()`. × limit is over `inproc-limit`."
md ""
md "| tool | N | operation | median ms | min–max ms | runs | × limit |"
md "|---|---:|---|---:|---:|---:|---:|"
foreach n $NS {
  foreach tool {inproc-limit inproc-limit-each inproc-migrate} {
    foreach op {apply down} {
      if {![info exists R($tool,$op,$n)]} continue
      lassign [cell $tool $op $n] med rng
      md "| $tool | $n | $op | $med | $rng | [llength $R($tool,$op,$n)] | [ratio $tool $op $n inproc-limit] |"
    }
  }
}
md ""
md "### Scaling: time per migration (median ms / N)"
md ""
md "| N | limit (shell) | sqlite-migrate up | inproc-limit | inproc migrate() | migrate() ÷ inproc-limit |"
md "|---:|---:|---:|---:|---:|---:|"
proc per {tool op n} {
  if {![info exists ::R($tool,$op,$n)]} { return "" }
  format %.4f [expr {[median $::R($tool,$op,$n)] / $n}]
}
foreach n $NS {
  md "| $n | [per limit apply $n] | [per sqlite-migrate apply $n] | [per inproc-limit apply $n] | [per inproc-migrate apply $n] | [ratio inproc-migrate apply $n inproc-limit] |"
}
md ""
md "### No-op start-up check, in-process (per call: prepare + step + finalize)"
md ""
md "| N applied | SELECT migrate() ms | anti-join ms | ratio | migrate_boot() with N scripts ms |"
md "|---:|---:|---:|---:|---:|"
foreach n $NS {
  if {![info exists R(inproc-migrate,noop-call,$n)]} continue
  set a [median $R(inproc-migrate,noop-call,$n)]
  set b [median $R(inproc-antijoin,noop-call,$n)]
  set c [median $R(inproc-boot,noop-call,$n)]
  md "| $n | [format %.4f $a] | [format %.4f $b] | [format %.2f× [expr {$a/$b}]] | [format %.3f $c] |"
}
md ""
md "### Memory"
md ""
proc kib {b} { format "%.0f KiB" [expr {$b/1024.0}] }
if {[info exists MEM(migrate-peak-above-baseline)]} {
  md "- Peak SQLite heap above baseline (`sqlite3_memory_highwater`) applying $nMem migrations\
      of [kib $MEM(largest-script)] each (CREATE TABLE + 1000 INSERTs of a 1000-byte literal),\
      next to the same scripts through one `sqlite3_exec()` in one transaction (script text\
      outside SQLite's heap, so that column is page cache and parsing only):"
  md ""
  md "  | page cache | migrate() | one transaction | migrate() − one transaction |"
  md "  |---|---:|---:|---:|"
  foreach {sfx label} {"" "default (2000 KiB)" "-cache64k" "cache_size=-64 (64 KiB)"} {
    set a $MEM(migrate-peak-above-baseline$sfx)
    set b $MEM(limit-peak-above-baseline$sfx)
    md "  | $label | [kib $a] | [kib $b] | [kib [expr {$a-$b}]] |"
  }
  md ""
  md "  Target: ≤ 2 × largest script + 256 KiB = [kib [expr {2*$MEM(largest-script) + 262144}]];\
      checked below with the 64 KiB page cache, so that the figure is the runner's own memory."
}
foreach {k label} {rss-sqlite-migrate "`sqlite-migrate up`" rss-shell+ext "sqlite3 shell + .load + .read + migrate()" rss-limit "sqlite3 shell, one transaction (the limit)"} {
  if {[info exists MEM($k)]} {
    md "- Peak RSS at N = $nRss, $label: **[format %.1f [expr {$MEM($k)/1024.0}]] MiB**"
  }
}
md ""

if {[array size CG]} {
  md "### Instruction counts (callgrind, N = $CG_N)"
  md ""
  md "Stable where wall times on a shared machine are not. In-process rows count only the call\
      (`--toggle-collect`); whole-process rows count everything the process does."
  md ""
  md "| what | libmigrate | limit | ratio |"
  md "|---|---:|---:|---:|"
  foreach {label a b} {
    "in-process apply: migrate() vs one sqlite3_exec" inproc-migrate inproc-limit
    "in-process roll back all: migrate_reset() vs one sqlite3_exec" inproc-reset inproc-limitdown
    "whole process apply: sqlite-migrate up vs sqlite3 shell" cli-up shell-up
    "whole process no-op: sqlite-migrate up vs shell reading the schema" cli-noop shell-noop
    "whole process roll back all: sqlite-migrate reset vs shell down script" cli-down shell-down
  } {
    if {![info exists CG($a)] || ![info exists CG($b)]} continue
    md "| $label | [format %.1f [expr {$CG($a)/1e6}]] M | [format %.1f [expr {$CG($b)/1e6}]] M | [format %.2f× [expr {double($CG($a))/$CG($b)}]] |"
  }
  md ""
}

# Targets.
md "### Targets (issue 5)"
md ""
md "| target | measured | goal | status |"
md "|---|---:|---:|---|"
proc target {what measured goal {fmt %.2f}} {
  if {$measured eq ""} { md "| $what | not measured | $goal | — |"; return }
  if {$measured <= $goal} { set st met } elseif {$measured <= $goal*1.1} { set st "within 10%" } else { set st "**missed**" }
  md "| $what | [format $fmt $measured] | [format $fmt $goal] | $st |"
}
proc rnum {tool op n base} {
  if {![info exists ::R($tool,$op,$n)] || ![info exists ::R($base,$op,$n)]} { return "" }
  expr {[median $::R($tool,$op,$n)] / [median $::R($base,$op,$n)]}
}
proc mnum {tool op n} {
  if {![info exists ::R($tool,$op,$n)]} { return "" }
  median $::R($tool,$op,$n)
}
target "apply N=1000: sqlite-migrate up ÷ limit (×)" [rnum sqlite-migrate apply 1000 limit] 1.2
target "apply N=1000: in-process migrate() ÷ one transaction (×)" [rnum inproc-migrate apply 1000 inproc-limit] 1.1
target "roll back all N=1000: sqlite-migrate reset ÷ limit down (×)" [rnum sqlite-migrate down 1000 limit] 1.2
target "roll back all N=1000: in-process migrate_reset() ÷ one transaction (×)" [rnum inproc-migrate down 1000 inproc-limit] 1.2
target "no-op N=1000: sqlite-migrate up, whole process (ms)" [mnum sqlite-migrate noop 1000] 50 %.1f
proc cgtarget {what a b goal} {
  if {![info exists ::CG($a)] || ![info exists ::CG($b)]} return
  target "$what (callgrind instructions, ×)" [expr {double($::CG($a))/$::CG($b)}] $goal
}
cgtarget "apply N=$CG_N: sqlite-migrate up ÷ sqlite3 shell one transaction" cli-up shell-up 1.2
cgtarget "apply N=$CG_N: in-process migrate() ÷ one sqlite3_exec" inproc-migrate inproc-limit 1.1
cgtarget "roll back all N=$CG_N: sqlite-migrate reset ÷ shell down script" cli-down shell-down 1.2
cgtarget "roll back all N=$CG_N: in-process migrate_reset() ÷ one sqlite3_exec" inproc-reset inproc-limitdown 1.2
set nN [lindex $NS end]
target "no-op N=$nN: SELECT migrate() ÷ anti-join (×)" [rnum inproc-migrate noop-call $nN inproc-antijoin] 1.5
if {[info exists MEM(migrate-peak-above-baseline)]} {
  target "peak heap, $nMem × 1 MB scripts, 64 KiB page cache (KiB)" [expr {$MEM(migrate-peak-above-baseline-cache64k)/1024.0}] \
    [expr {(2*$MEM(largest-script)+262144)/1024.0}] %.0f
} else { target "peak heap, $nMem × 1 MB scripts (KiB)" "" "2×script+256" }
if {[info exists MEM(rss-sqlite-migrate)]} {
  target "peak RSS sqlite-migrate up N=$nRss (MiB)" [expr {$MEM(rss-sqlite-migrate)/1024.0}] 32 %.1f
} else { target "peak RSS sqlite-migrate up N=$nRss (MiB)" "" 32 %.1f }
md ""
if {[llength $notes]} {
  md "### Not measured in this run"
  md ""
  foreach n $notes { md "- $n" }
  md ""
}

# ---- chart ---------------------------------------------------------------------
set dat $B/apply.dat
set fd [open $dat w]
set plots {}
set idx 0
foreach tool [concat $tools {inproc-limit inproc-migrate}] {
  set rows {}
  foreach n $NS {
    if {[info exists R($tool,apply,$n)]} { lappend rows "$n [median $R($tool,apply,$n)]" }
  }
  if {![llength $rows]} continue
  puts $fd "# $tool\n[join $rows \n]\n\n"
  lappend plots "'$dat' index $idx using 1:2 with linespoints title '$tool'"
  incr idx
}
close $fd
if {[have gnuplot]} {
  set gp $B/apply.gp
  set fd [open $gp w]
  puts $fd "set terminal svg size 900,560 dynamic font 'sans,12'"
  puts $fd "set output '[file normalize $chart]'"
  puts $fd "set title 'Apply N migrations to a fresh database (median wall time)'"
  puts $fd "set xlabel 'N (migrations)'; set ylabel 'ms'"
  puts $fd "set logscale xy; set grid; set key outside right top"
  puts $fd "plot [join $plots ", \\\n  "]"
  close $fd
  file delete $chart
  catch {exec gnuplot $gp 2>@1} msg
  if {![file exists $chart]} { note "gnuplot failed: $msg" }
} else {
  note "gnuplot missing (Debian gnuplot-nox): no chart"
}

file mkdir [file dirname $out]
set fd [open $out w]
puts $fd [join $md \n]
close $fd
if {$W_TEMP} { file delete -force $W }
say ""
say [join $md \n]
say "written: $out, $chart ([elapsed])"
