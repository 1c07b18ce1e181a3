#!/bin/sh
# check-bindings.sh — `make check-bindings`: libmigrate.so inside SQLite
# engines built the way language bindings build them, running the
# acceptance suite and the whole test suite in each.  Exits non-zero on any
# failure or crash.
#
#   sh tool/bindings/check-bindings.sh [BUILD...]     (default: bs3 omit)
#
# Builds (each from better-sqlite3 12's amalgamation, `npm pack`ed into
# build/bindings/, with tclsqlite.c from SQLite's full source tree, the
# one test/faults/build-testfixture.sh fetches):
#   bs3   better-sqlite3's own compile options, read from its
#         deps/defines.gypi: SQLITE_OMIT_PROGRESS_CALLBACK,
#         SQLITE_OMIT_DEPRECATED, SQLITE_OMIT_SHARED_CACHE, SQLITE_DQS=0,
#         SQLITE_DEFAULT_FOREIGN_KEYS=1, SQLITE_USE_URI=0,
#         SQLITE_DEFAULT_MEMSTATUS=0, ...  All but SQLITE_OMIT_TCL_VARIABLE,
#         which makes `$name` in SQL a syntax error: every Tcl test binds
#         its values that way (it changes no API entry).
#   omit  SQLITE_OMIT_INCRBLOB, SQLITE_OMIT_COMPLETE, SQLITE_OMIT_AUTHORIZATION
#         (the other entries of the API table libmigrate calls that a build
#         can leave NULL).
# The acceptance suite is the project's contract check, kept beside the
# repository (ACCEPTANCE, default ../shared/acceptance/run.tcl); a clone
# without it runs the test suite only and says "acceptance skipped".
# Each run first checks that tclsh really runs the reduced engine (its
# version and compile options), so a silent fall-back to the system's
# SQLite cannot pass.  The differences the suites see are documented in
# tool/bindings/README.md; the tests that expect them ask the engine's
# compile options (test/tester.tcl: has_option).
set -e
cd "$(dirname "$0")/../.."
B=build/bindings
builds=${*:-bs3 omit}
ACCEPTANCE=${ACCEPTANCE:-../shared/acceptance/run.tcl}
mkdir -p $B

# better-sqlite3 12's amalgamation and defines.gypi.
bs3=$B/better-sqlite3/package
if [ ! -f $bs3/deps/defines.gypi ]; then
  command -v npm >/dev/null 2>&1 || { echo "check-bindings: needs npm (to npm pack better-sqlite3@12)" >&2; exit 1; }
  rm -rf $B/better-sqlite3 && mkdir -p $B/better-sqlite3
  (cd $B/better-sqlite3 && npm pack --silent better-sqlite3@12 >/dev/null && tar xzf better-sqlite3-*.tgz)
fi
amalg=$bs3/deps/sqlite3

# tclsqlite.c from SQLite's full source (Debian's source package).
tclc=$B/tclsqlite.c
if [ ! -f $tclc ]; then
  if [ -f build/sqlite-src/tree/src/tclsqlite.c ]; then
    cp build/sqlite-src/tree/src/tclsqlite.c $tclc
  else
    orig=$(ls build/sqlite-src/dl/sqlite3_*.orig.tar.* 2>/dev/null | head -1 || true)
    if [ -z "$orig" ]; then
      sh test/faults/build-testfixture.sh build/sqlite-src >/dev/null
      cp build/sqlite-src/tree/src/tclsqlite.c $tclc
    else
      tar -xOf "$orig" --wildcards '*/src/tclsqlite.c' > $tclc.tmp && mv $tclc.tmp $tclc
    fi
  fi
fi
[ -f /usr/include/tcl8.6/tcl.h ] || sh tool/install-deps.sh tcl-dev

defines_of() {
  case $1 in
    bs3)  sed -n "s/^ *'\([A-Z_0-9]*\(=[^']*\)\{0,1\}\)',$/-D\1/p" $bs3/deps/defines.gypi \
            | grep -v '^-DSQLITE_OMIT_TCL_VARIABLE$' ;;
    omit) echo -DSQLITE_OMIT_INCRBLOB -DSQLITE_OMIT_COMPLETE -DSQLITE_OMIT_AUTHORIZATION ;;
    *)    echo "check-bindings: unknown build $1" >&2; return 1 ;;
  esac
}
# compile options (as PRAGMA compile_options names them) a build must show
expect_of() {
  case $1 in
    bs3)  echo OMIT_PROGRESS_CALLBACK OMIT_DEPRECATED OMIT_SHARED_CACHE DQS=0 DEFAULT_FOREIGN_KEYS DEFAULT_MEMSTATUS=0 ;;
    omit) echo OMIT_INCRBLOB OMIT_COMPLETE OMIT_AUTHORIZATION ;;
  esac
}

status=0
summary=""
for b in $builds; do
  defs=$(defines_of $b | tr '\n' ' ')
  t0=$(date +%s)
  sh tool/bindings/sqlite-tcl.sh $B/$b $amalg $tclc $defs
  t1=$(date +%s)
  export TCLLIBPATH="$PWD/$B/$b"
  # The engine really is the reduced one.
  probe=$B/$b/probe.tcl
  cat > $probe <<EOF
package require sqlite3
sqlite3 db :memory:
set opts [db eval {PRAGMA compile_options}]
set miss {}
foreach o {$(expect_of $b)} { if {\$o ni \$opts} { lappend miss \$o } }
puts "[db eval {SELECT sqlite_version()}] [join [lsearch -all -inline -regexp \$opts {^(OMIT_|DQS|DEFAULT_FOREIGN|USE_URI|DEFAULT_MEMSTATUS)}] { }]"
if {[llength \$miss]} { puts "missing: \$miss"; exit 1 }
EOF
  echo "== $b: $(tclsh $probe)" || { echo "check-bindings: $b: tclsh does not run the reduced engine" >&2; exit 1; }
  tclsh $probe >/dev/null
  if [ -f "$ACCEPTANCE" ]; then
    acc=$(tclsh "$ACCEPTANCE" > $B/$b/acceptance.log 2>&1 && echo ok || echo FAIL)
  else
    acc=skip
    echo "acceptance skipped: no $ACCEPTANCE" > $B/$b/acceptance.log
  fi
  acc_line=$(tail -1 $B/$b/acceptance.log)
  t2=$(date +%s)
  suite=$(tclsh test/all.tcl > $B/$b/test.log 2>&1 && echo ok || echo FAIL)
  suite_line=$(tail -1 $B/$b/test.log)
  t3=$(date +%s)
  [ $acc != FAIL ] && [ $suite = ok ] || status=1
  line=$(printf '%-5s build %3ss  acceptance %-4s (%s) %3ss  test suite %-4s (%s) %3ss' \
    $b $((t1-t0)) $acc "$acc_line" $((t2-t1)) $suite "$suite_line" $((t3-t2)))
  echo "$line"
  [ $acc != FAIL ] || grep -E '^(FAIL|not ok|!)' $B/$b/acceptance.log | head -20
  [ $suite = ok ] || grep -E '^(! |failing files)' $B/$b/test.log | head -20
  summary="$summary$line
"
done
echo
echo "check-bindings (logs in $B/BUILD/):"
printf '%s' "$summary"
exit $status
