# run.tcl — the driver of `make check-faults` and `make fuzz`: runs every
# fault part, collects the figures and prints them as a table.
#
# USAGE (from the repository root; the make targets build what it needs)
#   tclsh test/faults/run.tcl ?-only "oom io crash regress heaplimit heapc oomc kill conc fuzz"? \
#       ?-jobs 2? ?-kills 2000? ?-kill-seconds 240? ?-fuzz-seconds 60?
#
# Parts:
#   oom    test/faults/oom.tf under testfixture (one job per journal mode)
#   io     test/faults/io.tf under testfixture  (one job per journal mode)
#   crash  test/faults/crash.tf under testfixture
#   regress test/faults/regress.tf under testfixture (the bugs found)
#   heaplimit test/faults/heaplimit.tcl under stock tclsh (OOM through
#          PRAGMA hard_heap_limit, one child process per limit)
#   kill   build/faults/killer   (SIGKILL loop)
#   conc   build/faults/conc     (8 processes x 200 iterations)
#   heapc  build/faults/heapc    (OOM in migrate_boot()/migrate_run() via
#          sqlite3_hard_heap_limit64, system SQLite)
#   oomc   build/ctest_oom       (every single allocation of a call made to
#          fail by a counting allocator, SQL and C API, system SQLite)
#   fuzz   build/faults/fuzz_migrate (libFuzzer), bounded by -fuzz-seconds
# Each part prints "FIGURE kind tried hit survived failed" lines (and the
# testfixture ones "FAILURE case kind category count example" lines); a part
# also fails when its exit status is not 0.  Logs: build/faults/logs/.
# Exit status: 0 only if every part ran and nothing failed.

set top [file normalize [file join [file dirname [info script]] .. ..]]
cd $top
array set opt {-only {oom io crash regress heaplimit heapc oomc kill conc fuzz} -jobs 2 -kills 2000
               -kill-seconds 240 -fuzz-seconds 60}
array set opt $argv
set tree   [file join $top build sqlite-src tree]
set tf     [file join $tree testfixture]
set ext    [file join $top build faults libmigrate.so]
set logdir [file join $top build faults logs]
file mkdir $logdir

# job list: name dir command-list
set jobs {}
proc job {name cmd} {
  global jobs logdir
  set dir [file join $logdir $name.d]
  file delete -force $dir
  file mkdir $dir
  lappend jobs [list $name $dir $cmd]
}
set env(SQLITE_TESTDIR) [file join $tree test]
set env(MIGRATE_FAULT_EXT) $ext
foreach part $opt(-only) {
  switch -- $part {
    oom - io {
      foreach mode {delete wal} {
        job $part-$mode [list env FAULT_MODES=$mode $tf [file join $top test faults $part.tf]]
      }
    }
    crash { job crash [list $tf [file join $top test faults crash.tf]] }
    regress { job regress [list $tf [file join $top test faults regress.tf]] }
    heaplimit {
      job heaplimit [list env MIGRATE_EXT=[file join $top libmigrate] \
        [info nameofexecutable] [file join $top test faults heaplimit.tcl]]
    }
    kill  {
      job kill [list [file join $top build faults killer] . $opt(-kills) $opt(-kill-seconds)]
    }
    conc  { job conc [list [file join $top build faults conc] . 8 200 20000] }
    heapc { job heapc [list [file join $top build faults heapc] .] }
    oomc  { job oomc [list [file join $top build ctest_oom]] }
    fuzz  {
      set corpus [file join $top build faults fuzz-corpus]
      file mkdir $corpus
      job fuzz [list [file join $top build faults fuzz_migrate] \
        -max_total_time=$opt(-fuzz-seconds) -max_len=1024 -print_final_stats=1 \
        -artifact_prefix=[file join $top build faults]/ \
        $corpus [file join $top test fuzz corpus]]
    }
    default { puts stderr "run.tcl: unknown part $part"; exit 2 }
  }
}

set t0 [clock seconds]
set running 0
set results {}
proc start {j} {
  global running
  lassign $j name dir cmd
  set log [file join $dir log]
  set fd [open "|[list sh -c {cd "$0" && exec "$@" > log 2>&1} $dir {*}$cmd]" r]
  fconfigure $fd -blocking 0
  fileevent $fd readable [list finished $fd $name $dir [clock seconds]]
  incr running
  puts "check-faults: started $name"
  flush stdout
}
proc finished {fd name dir t} {
  global running results done
  if {![eof $fd]} { read $fd; return }
  fconfigure $fd -blocking 1
  set rc [catch {close $fd} msg opts]
  set status 0
  if {$rc} {
    set ec [dict get $opts -errorcode]
    set status [expr {[lindex $ec 0] eq "CHILDSTATUS" ? [lindex $ec 2] : 1}]
  }
  set secs [expr {[clock seconds]-$t}]
  lappend results [list $name $dir $status $secs]
  puts "check-faults: finished $name in ${secs}s (exit $status)"
  flush stdout
  incr running -1
  set done 1
}
foreach j $jobs {
  while {$running >= $opt(-jobs)} { vwait done }
  start $j
}
while {$running > 0} { vwait done }

# ---- collect ---------------------------------------------------------------
array set fig {}
set kinds {}
set failures {}
set notes {}
set bad {}
foreach r [lsort -index 0 $results] {
  lassign $r name dir status secs
  set log [file join $dir log]
  set text ""
  if {[file exists $log]} { set f [open $log]; set text [read $f]; close $f }
  set nfig 0
  foreach line [split $text \n] {
    if {[string match "FIGURE *" $line]} {
      lassign $line - kind tried hit ok failed
      if {$kind ni $kinds} { lappend kinds $kind }
      foreach w {tried hit ok failed} {
        if {![info exists fig($kind,$w)]} { set fig($kind,$w) 0 }
        incr fig($kind,$w) [set $w]
      }
      incr nfig
    } elseif {[string match "FAILURE *" $line]} {
      lappend failures [lrange $line 1 end]
    } elseif {[string match "NOTE *" $line]} {
      lappend notes [string range $line 5 end]
    }
  }
  if {$name eq "fuzz"} {
    set execs 0
    regexp {stat::number_of_executed_units: *([0-9]+)} $text -> execs
    set crashed [expr {$status!=0 || [regexp {ERROR: |INVARIANT VIOLATED|deadly signal} $text]}]
    lappend kinds fuzz
    set fig(fuzz,tried) $execs
    set fig(fuzz,hit) $execs
    set fig(fuzz,ok) [expr {$crashed ? $execs-1 : $execs}]
    set fig(fuzz,failed) $crashed
    incr nfig
    if {$crashed} {
      lappend failures [list fuzz fuzz crash 1 "see $log and build/faults/crash-*"]
    }
  }
  if {$status != 0 || $nfig == 0} {
    lappend bad "$name (exit $status, log $log)"
  }
}

puts ""
puts "check-faults: figures ([expr {[clock seconds]-$t0}]s; logs in build/faults/logs/)"
set fmt "%-18s %10s %10s %10s %8s"
puts [format $fmt kind tried "fault hit" survived failed]
puts [string repeat - 60]
set tot(tried) 0; set tot(hit) 0; set tot(ok) 0; set tot(failed) 0
foreach kind $kinds {
  puts [format $fmt $kind $fig($kind,tried) $fig($kind,hit) $fig($kind,ok) $fig($kind,failed)]
  foreach w {tried hit ok failed} { incr tot($w) $fig($kind,$w) }
}
puts [string repeat - 60]
puts [format $fmt total $tot(tried) $tot(hit) $tot(ok) $tot(failed)]
puts "  tried: fault points / crash points / kills / operations / fuzz executions"
puts "  fault hit: trials in which the fault actually happened (kills: inside a call)"

if {[llength $failures]} {
  puts ""
  puts "failures by case and kind (count, then the first example):"
  foreach f [lsort $failures] {
    lassign $f case kind cat count example
    puts [format "  %-22s %-17s %6d  %s" $case $kind $count $cat]
    puts "      e.g. [string range [string map {\n { }} $example] 0 300]"
  }
}
if {[llength $notes]} {
  puts ""
  puts "notes:"
  foreach n $notes { puts "  $n" }
}
foreach b $bad { puts "FAILED PART: $b" }
if {$tot(failed) > 0 || [llength $bad]} {
  puts "check-faults: FAILED"
  exit 1
}
puts "check-faults: all survived"
exit 0
