# common.tcl — the helpers tool/bench/bench.tcl and tool/bench/report.tcl
# share: printing, notes for the "not measured" section, medians and the
# format of a time.

proc say {msg} { puts $msg; flush stdout }
# A line for the report's "not measured in this run" section (printed too,
# once).
proc note {msg} {
  if {[lsearch -exact $::notes $msg] >= 0} return
  lappend ::notes $msg
  say "NOTE: $msg"
}
proc have {cmd} { expr {[auto_execok $cmd] ne ""} }

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
