# bench.tcl — `make bench` / `make bench-quick`: libmigrate against the
# physical limit and the peers, in one run on one machine, on tmpfs and on
# the machine's own disk.
#
# USAGE (from the repository root; `make bench` builds what it needs first)
#   tclsh tool/bench/bench.tcl ?-quick? ?-out FILE.md? ?-chart FILE.svg?
#                              ?-tools {limit sqlite-migrate ...}? ?-ns {10 1000}?
#                              ?-profiles {tmpfs disk wal}?
#     full:   tmpfs N = 10 100 1000 10000 (peers up to 1000); disk and WAL
#             N = 10 200 1000; every peer installed; about 35 minutes
#     -quick: tmpfs N = 10 100 1000, disk and WAL N = 200 1000, peers only
#             up to N = 200 and none that needs a build (no knex, Alembic,
#             sqitch); a few minutes
#   -tools / -ns / -profiles restrict a run (for trying things).
#   Prints the tables and writes them (markdown) to -out, the charts (SVG,
#   gnuplot) to -chart and, for the disk, to the same name with -disk
#   before .svg.  Defaults: tool/bench/RESULTS.md, tool/bench/apply.svg
#   (full); build/bench/RESULTS-quick.md, build/bench/apply-quick.svg (quick).
#
# HOW IT WORKS
#   tool/bench/gen.tcl writes the workload once per N in every tool's format.
#   Profiles (where the database files live):
#     tmpfs   a fresh folder on /dev/shm ($BENCH_DIR instead when set): no
#             sync reaches a device, so the times are the work each tool does
#     disk    build/bench/disk ($BENCH_DISK_DIR instead), on the machine's
#             own disk, default journal mode (rollback journal) and
#             default synchronous setting
#     wal     the same folder, each fresh database switched to WAL
#             (PRAGMA journal_mode=WAL, which persists in the file) before
#             the tool first opens it
#   At each N the tools run in rounds (every tool once per round, so that
#   the machine's load falls on all alike); each repetition starts from a
#   fresh folder and database and runs, as whole processes (through
#   `bench-driver run`: wall time around fork and wait, CPU time = user +
#   system of the process and everything it waited for, output discarded):
#     apply  every migration on the fresh database
#     noop   the same command again, nothing pending
#     down   roll back everything
#   After apply the database must hold N tables t_*, after down none: a tool
#   that fails a command or this check is reported as failed and gets no row.
#   After the timed repetitions, one more repetition of each tool runs
#   under `strace -f --seccomp-bpf -c -e trace=fsync,fdatasync` (Debian
#   strace; only those two calls stop the process, so it costs nothing
#   elsewhere): the syncs column is its fsync + fdatasync count, whole
#   process, every child included, counted the same way for every tool.
#   The projected device time is median CPU ms + 5 ms × syncs: the order of
#   an SD card's or eMMC's sync, where the sync count decides the time.
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
#   On disk, at N = 200 and 1000, every command of sqlite-migrate that
#   writes (up, up again, down, refresh, reset, --each up on 3 databases)
#   also has its syncs counted, next to the limit's.
#   In-process figures (tmpfs) come from build/bench/bench-driver
#   (driver.c), which prints RESULT lines; memory from its `mem` mode and
#   /usr/bin/time.
#   Repetitions: 5 at N <= 1000 (peers: 5 at N <= 200, 3 at 1000), 3 at
#   10000, 7 in-process up to 1000 (3 of everything in quick mode), fewer when the
#   first one shows they would not fit a time budget per tool and N (75 s;
#   8 s in quick mode); the runs column says how many ran.  At N = 10000,
#   limit-each and any tool whose apply at N = 1000 took over 5 s are left
#   out (said in the output).  Times are reported as median and min–max; the
#   ratio is median over the limit's median (same profile, N and operation).

set quick 0
set out ""
set chart ""
set only ""
set ns ""
set profiles ""
for {set i 0} {$i < [llength $argv]} {incr i} {
  set k [lindex $argv $i]
  switch -- $k {
    -quick { set quick 1 }
    -out   { set out [lindex $argv [incr i]] }
    -chart { set chart [lindex $argv [incr i]] }
    -tools { set only [lindex $argv [incr i]] }
    -ns    { set ns [lindex $argv [incr i]] }
    -profiles { set profiles [lindex $argv [incr i]] }
    default { puts stderr "bench.tcl: unknown option $k"; exit 2 }
  }
}
if {$out eq ""} {
  set out [expr {$quick ? "build/bench/RESULTS-quick.md" : "tool/bench/RESULTS.md"}]
}
if {$chart eq ""} {
  set chart [expr {$quick ? "build/bench/apply-quick.svg" : "tool/bench/apply.svg"}]
}
set chartDisk [file rootname $chart]-disk.svg

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
source [file join [file dirname [info script]] common.tcl]

# The machine's own disk: $BENCH_DISK_DIR, else build/bench/disk.
if {[info exists env(BENCH_DISK_DIR)] && $env(BENCH_DISK_DIR) ne ""} {
  set D [file normalize $env(BENCH_DISK_DIR)]
} else {
  set D $B/disk
}

set NS [expr {$quick ? {10 100 1000} : {10 100 1000 10000}}]
set NS_DISK [expr {$quick ? {200 1000} : {10 200 1000}}]
if {$ns ne ""} { set NS $ns; set NS_DISK $ns }
# Profiles: name, folder of the databases, journal mode, N values.
set PROFILES [list tmpfs $W delete $NS disk $D delete $NS_DISK wal $D wal $NS_DISK]
if {$profiles ne ""} {
  set keep {}
  foreach {name dir jm pns} $PROFILES {
    if {[lsearch $profiles $name] >= 0} { lappend keep $name $dir $jm $pns }
  }
  set PROFILES $keep
}
set PEER_MAX_N [expr {$quick ? 200 : 1000}]
# Time budget (ms) of one tool at one N: repetitions beyond it are dropped
# (at least one always runs; the runs column shows how many did).
set BUDGET [expr {$quick ? 8000 : 75000}]
set env(BENCH_BUDGET_MS) [expr {$quick ? 8000 : 60000}]
# A sync on the storage of the devices this is for (SD card, eMMC): the
# projected device time is CPU time + SYNC_MS per sync.
set SYNC_MS 5.0

set T0 [clock milliseconds]
proc elapsed {} { format %.0fs [expr {([clock milliseconds]-$::T0)/1000.0}] }

# ---- which tools are here -------------------------------------------------
set notes {}          ;# lines for the "not measured" section


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
# R(tool,op,N) = list of wall times in ms on tmpfs (and the in-process
# figures); WALL / CPU (profile,tool,op,N) = lists of ms, every profile;
# SYNC(profile,tool,op,N) = fsync + fdatasync calls of one run.
array set R {}
array set WALL {}
array set CPU {}
array set SYNC {}
array set CMDSYNC {}
array set FS {}
proc record {tool op n times} { set ::R($tool,$op,$n) $times }

# ---- running one command ----------------------------------------------------
# What run_timed measures: "time" (wall and CPU ms) or "syncs" (the same
# command under strace, counting fsync + fdatasync).
set MEASURE time
set STRACE [expr {[have strace] ? [auto_execok strace] : ""}]

# Runs argv (a list) in directory dir with env pairs, stdin from file stdin
# (or none), output to a log, through `bench-driver run`.  Returns
# {wall-ms cpu-ms syncs} (syncs 0 when timing; times 0 when counting
# syncs); raises an error holding the log's tail on failure.
proc run_timed {dir envpairs argv {stdin ""}} {
  set log $::B/last-command.log
  set saved {}
  foreach {k v} $envpairs {
    if {[info exists ::env($k)]} { lappend saved $k $::env($k) } else { lappend saved $k "" }
    set ::env($k) $v
  }
  set here [pwd]
  cd $dir
  set st $::B/strace.txt
  set pre {}
  if {$::MEASURE eq "syncs"} {
    file delete $st
    set pre [list {*}$::STRACE -f --seccomp-bpf -c -e trace=fsync,fdatasync -o $st --]
  }
  set rc [catch {exec $::DRIVER run [expr {$stdin eq "" ? "-" : $stdin}] $log \
                   {*}$pre {*}$argv} out]
  cd $here
  foreach {k v} $saved { if {$v eq ""} { unset -nocomplain ::env($k) } else { set ::env($k) $v } }
  if {$rc || [lindex $out 0] ne "RUN" || [lindex $out 3] != 0} {
    set fd [open $log]; set text [read $fd]; close $fd
    error "[lrange $argv 0 2]: [string range [string trim $text] end-300 end] $out"
  }
  if {$::MEASURE eq "syncs"} {
    set n 0
    if {[file exists $st]} {
      set fd [open $st]
      foreach line [split [read $fd] \n] {
        if {[regexp {^\s*[0-9.]+\s+[0-9.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)$} $line -> c]} {
          incr n $c
        }
      }
      close $fd
    }
    return [list 0 0 $n]
  }
  list [lindex $out 1] [lindex $out 2] 0
}

# Adds two {wall cpu syncs} results.
proc add3 {a b} {
  lmap x $a y $b { expr {$x + $y} }
}

# Number of workload tables t_* in db.
proc count_tables {db} {
  if {![file exists $db]} { return 0 }
  string trim [exec sqlite3 $db "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name GLOB 't_*'"]
}

# Runs operation op (apply|noop|down) of tool at N, in run folder rd with
# database db, workload folder wl.  Returns {wall-ms cpu-ms syncs}.
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
          set t {0 0 0}
          for {set i 0} {$i < $n} {incr i} {
            set t [add3 $t [run_timed $rd {} [concat $cmd rollback]]]
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
if {$STRACE eq ""} {
  note "strace missing (Debian strace; sh tool/install-deps.sh strace): no sync counts"
}
set failed {}   ;# profile:tool pairs that failed: no more rows for them

# Writes the workload of N into $W/wl/N once (every profile reads it there).
proc workload {n} {
  global W ROOT NODE
  set wl $W/wl/$n
  if {[file exists $wl/shell-down.sql]} { return $wl }
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
  return $wl
}

# A fresh run folder for tool at N in the profile's folder pdir; in WAL
# mode its database is created in WAL mode first.  Returns the database.
proc fresh_run {pdir jm tool n} {
  set rd $pdir/run/$tool-$n
  file delete -force $rd
  file mkdir $rd
  set db $rd/bench.db
  if {$jm eq "wal"} { exec sqlite3 $db "PRAGMA journal_mode=WAL" }
  return $db
}

# One repetition of apply, noop, down: returns {op {wall cpu syncs} ...};
# raises an error if a command fails or leaves the wrong number of tables.
proc one_rep {tool n wl pdir jm} {
  set db [fresh_run $pdir $jm $tool $n]
  set rd [file dirname $db]
  set res {}
  foreach op {apply noop down} {
    lappend res $op [tool_op $tool $op $n $wl $rd $db]
    set want [expr {$op eq "down" ? 0 : $n}]
    set got [count_tables $db]
    if {$got != $want} { error "after $op: $got workload tables, expected $want" }
  }
  return $res
}

foreach {prof pdir jm pns} $PROFILES {
  file mkdir $pdir
  if {$jm eq "wal" && [catch {
    file mkdir $pdir/probe; file delete $pdir/probe/p.db
    exec sqlite3 $pdir/probe/p.db "PRAGMA journal_mode=WAL"
  } msg]} {
    note "profile $prof: cannot switch a database to WAL in $pdir ($msg): no rows"
    continue
  }
  set FS($prof) [string trim [exec sh -c "df -T $pdir | awk 'NR==2{print \$2}'"]]
  say "[elapsed] profile $prof: $pdir ($FS($prof)), journal mode $jm"
foreach n $pns {
  set wl [workload $n]

  # Which tools run at this N, and how many repetitions each wants.
  set active {}
  foreach tool $tools {
    if {[lsearch $failed $prof:$tool] >= 0} continue
    if {[lsearch $PEERS $tool] >= 0 && $n > $PEER_MAX_N} continue
    if {$tool eq "limit-each" && ($n > 1000 || ($quick && $n > 200))} {
      note "limit-each at N=$n: left out (one transaction per migration; keeps the run short; see the smaller N)"
      continue
    }
    if {$n > 1000 && [info exists R($tool,apply,1000)] && [median $R($tool,apply,1000)] > 5000} {
      note "$tool at N=$n: left out (apply at N=1000 already took [fmt_ms [median $R($tool,apply,1000)]] ms)"
      continue
    }
    lappend active $tool
    set nrep($tool) [expr {$quick ? 3 : $n <= 200 ? 5 : $n <= 1000 && [lsearch $PEERS $tool] < 0 ? 5 : 3}]
    foreach op {apply noop down} { set times($tool,$op) {}; set cpus($tool,$op) {} }
  }
  # Rounds: every tool once per round, so that the load of the machine
  # (shared with other work) falls on all tools alike.
  set MEASURE time
  for {set r 0} {$r < 5} {incr r} {
    foreach tool $active {
      if {$r >= $nrep($tool) || [lsearch $failed $prof:$tool] >= 0} continue
      if {[catch {one_rep $tool $n $wl $pdir $jm} res]} {
        note "$tool failed at N=$n ($prof): $res (no row from here on)"
        lappend failed $prof:$tool
        continue
      }
      set t_rep 0
      foreach {op m} $res {
        lappend times($tool,$op) [lindex $m 0]
        lappend cpus($tool,$op) [lindex $m 1]
        set t_rep [expr {$t_rep + [lindex $m 0]}]
      }
      # Time budget per tool and N: fewer repetitions for the slow ones.
      if {$r == 0} {
        set fit [expr {int($BUDGET / max($t_rep, 1.0))}]
        if {$fit < $nrep($tool)} { set nrep($tool) [expr {max(1, $fit)}] }
      }
    }
  }
  # One more repetition under strace: the sync counts.
  if {$STRACE ne ""} {
    set MEASURE syncs
    foreach tool $active {
      if {[lsearch $failed $prof:$tool] >= 0} continue
      if {[catch {one_rep $tool $n $wl $pdir $jm} res]} {
        note "$tool: counting syncs failed at N=$n ($prof): $res"
        continue
      }
      foreach {op m} $res { set SYNC($prof,$tool,$op,$n) [lindex $m 2] }
    }
    set MEASURE time
  }
  foreach tool $active {
    if {[lsearch $failed $prof:$tool] >= 0} continue
    foreach op {apply noop down} {
      set WALL($prof,$tool,$op,$n) $times($tool,$op)
      set CPU($prof,$tool,$op,$n) $cpus($tool,$op)
      if {$prof eq "tmpfs"} { record $tool $op $n $times($tool,$op) }
    }
    set sy [lmap op {apply noop down} {
      expr {[info exists SYNC($prof,$tool,$op,$n)] ? $SYNC($prof,$tool,$op,$n) : "-"}
    }]
    say [format "%s %-5s %-15s N=%-5d apply %8s  noop %7s  down %8s ms  syncs %s  (%d runs)" \
      [elapsed] $prof $tool $n [fmt_ms [median $times($tool,apply)]] \
      [fmt_ms [median $times($tool,noop)]] [fmt_ms [median $times($tool,down)]] \
      [join $sy /] [llength $times($tool,apply)]]
  }
  file delete -force $pdir/run

  if {$prof ne "tmpfs"} continue
  # In-process figures (tmpfs only).
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
  say [format "%s in-process      N=%-5d migrate() %s ms, one transaction %s ms; no-op %s ms, anti-join %s ms, boot_v2 %s ms" \
    [elapsed] $n [fmt_ms [median $R(inproc-migrate,apply,$n)]] \
    [fmt_ms [median $R(inproc-limit,apply,$n)]] \
    [fmt_ms [median $R(inproc-migrate,noop-call,$n)]] \
    [fmt_ms [median $R(inproc-antijoin,noop-call,$n)]] \
    [fmt_ms [median $R(inproc-bootv2,noop-call,$n)]]]
}
}

# ---- syncs of every sqlite-migrate command, on disk ---------------------------
# At N = 200 and 1000 (when the disk profiles ran them), rollback journal
# and WAL: each command of sqlite-migrate that writes, counted as above,
# next to the limit (one transaction of the same SQL through the shell).
# CMDSYNC(profile,what,N) = syncs.
if {$STRACE ne "" && [lsearch $tools sqlite-migrate] >= 0} {
  set MEASURE syncs
  foreach {prof pdir jm pns} $PROFILES {
    if {$prof eq "tmpfs"} continue
    foreach n {200 1000} {
      if {[lsearch $pns $n] < 0} continue
      set wl [workload $n]
      if {[catch {
        set db [fresh_run $pdir $jm cmds $n]
        set rd [file dirname $db]
        set cli [list $ROOT/sqlite-migrate -d $wl/migrations --db $db]
        foreach {what argv} {up up up-noop up down down up2 up refresh refresh reset reset} {
          set CMDSYNC($prof,$what,$n) [lindex [run_timed $rd {} [concat $cli $argv]] 2]
        }
        # --each on 3 fresh databases (per database)
        foreach i {1 2 3} {
          if {$jm eq "wal"} { exec sqlite3 $rd/f$i.db "PRAGMA journal_mode=WAL" } else { close [open $rd/f$i.db w] }
        }
        set CMDSYNC($prof,each-up,$n) [expr {[lindex [run_timed $rd {} \
          [list $ROOT/sqlite-migrate -d $wl/migrations --each $rd/f*.db -j 1 up]] 2] / 3.0}]
        set CMDSYNC($prof,each-noop,$n) [expr {[lindex [run_timed $rd {} \
          [list $ROOT/sqlite-migrate -d $wl/migrations --each $rd/f*.db -j 1 up]] 2] / 3.0}]
        set db [fresh_run $pdir $jm cmds-limit $n]
        set rd [file dirname $db]
        set CMDSYNC($prof,limit-apply,$n) [lindex [run_timed $rd {} [list sqlite3 -batch $db] $wl/up1.sql] 2]
        set CMDSYNC($prof,limit-down,$n) [lindex [run_timed $rd {} [list sqlite3 -batch $db] $wl/down1.sql] 2]
      } msg]} { note "counting the syncs of every command failed ($prof, N=$n): $msg" }
      file delete -force $pdir/run
    }
  }
  set MEASURE time
}

# ---- memory -------------------------------------------------------------------
array set MEM {}
set nMem [expr {$quick ? 10 : 100}]
file mkdir $W/tmp
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
  if {[lsearch $tools sqlite-migrate] >= 0 && [lsearch $failed tmpfs:sqlite-migrate] < 0} {
    if {[catch {peak_rss [list $ROOT/sqlite-migrate -d [workload $nRss]/migrations --db @DB@ up] ""} kb]} {
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
  set wl [workload $CG_N]
  set rd $W/run/cg
  if {[catch {
    set CG(inproc-migrate) [cg_count [list $DRIVER one $CG_N $W/tmp migrate] "" migrateExec]
    set CG(inproc-limit) [cg_count [list $DRIVER one $CG_N $W/tmp limit] "" sqlite3_exec]
    set CG(inproc-reset) [cg_count [list $DRIVER one $CG_N $W/tmp reset] "" oneCall*]
    set CG(inproc-limitdown) [cg_count [list $DRIVER one $CG_N $W/tmp limitdown] "" oneCall*]
    # the no-op start-up: SELECT migrate(), migrate_boot(), migrate_boot_v2()
    # (up to N = 1000: the set-up, N migrations applied under valgrind,
    # would take minutes at 10000; the wall-time table has that N)
    foreach n $NS {
      if {$n > 1000} continue
      set CG(noop-migrate,$n) [cg_count [list $DRIVER one $n $W/tmp noop] "" oneCall*]
      set CG(noop-boot,$n) [cg_count [list $DRIVER one $n $W/tmp boot] "" oneBoot*]
      set CG(noop-bootv2,$n) [cg_count [list $DRIVER one $n $W/tmp bootv2] "" oneBoot*]
    }
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

# ---- save the figures, then the report (tool/bench/report.tcl) ----------------
set ELAPSED [elapsed]
set saved [file join $B [expr {$quick ? "results-quick.tcl" : "results.tcl"}]]
set fd [open $saved w]
foreach v {quick out chart chartDisk tools NS PROFILES SYNC_MS CG_N nMem nRss notes ELAPSED B W} {
  puts $fd [list set $v [set $v]]
}
foreach a {R WALL CPU SYNC CMDSYNC CG MEM FS} {
  puts $fd [list array set $a [array get $a]]
}
close $fd
source [file join [file dirname [info script]] report.tcl]
if {$W_TEMP} { file delete -force $W }
say "figures saved in $saved ([elapsed])"
