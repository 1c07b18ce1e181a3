# all.tcl — runs every test/*.test file, each in its own tclsh process (a
# crash in one file cannot hide the others), and ends with the line
# "N passed, M failed".
#
#   tclsh test/all.tcl                  all files
#   tclsh test/all.tcl migrate rollback only files whose name matches a glob
#   tclsh test/all.tcl -wrap "valgrind --error-exitcode=99 ..." ...
#
# A file that exits non-zero without reporting a failure (a crash, a
# valgrind error) counts as one failure.

set dir [file dirname [file normalize [info script]]]
set wrap {}
set globs {}
for {set i 0} {$i < [llength $argv]} {incr i} {
  set a [lindex $argv $i]
  if {$a eq "-wrap"} { incr i; set wrap [lindex $argv $i] } else { lappend globs $a }
}
if {![llength $globs]} { set globs * }

set files {}
foreach f [lsort [glob -directory $dir *.test]] {
  foreach g $globs {
    if {[string match $g [file rootname [file tail $f]]]} { lappend files $f; break }
  }
}

set passed 0; set failed 0; set bad {}
set t0 [clock milliseconds]
foreach f $files {
  set name [file rootname [file tail $f]]
  set t1 [clock milliseconds]
  set rc [catch {exec {*}$wrap [info nameofexecutable] $f 2>@1} out opts]
  set ms [expr {[clock milliseconds] - $t1}]
  set p 0; set n 0
  if {[regexp -line {^\S+: (\d+) passed, (\d+) failed$} $out -> p n]} {
    incr passed $p; incr failed $n
    if {$rc && $n == 0} { incr failed; set n 1 }
  } else {
    incr failed; set n 1
  }
  if {$n} {
    lappend bad $name
    puts $out
  }
  puts [format "%-20s %4d passed %3d failed %6d ms" $name $p $n $ms]
}
puts ""
puts "[llength $files] files in [expr {([clock milliseconds] - $t0)/1000.0}] s"
if {[llength $bad]} { puts "failing files: $bad" }
puts "$passed passed, $failed failed"
exit [expr {$failed ? 1 : 0}]
