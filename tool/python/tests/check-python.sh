#!/bin/sh
# check-python.sh — `make check-python`: the Python package as a user gets
# it, offline.  In build/python/:
#   1. a fresh venv of Debian's /usr/bin/python3 (--system-site-packages, so
#      Debian's setuptools and wheel serve the build), then
#      pip install --no-build-isolation --no-index ./tool/python
#   2. pip wheel: the tag must be py3-none-manylinux_2_17_x86_64 and the
#      module inside must need no glibc newer than 2.14 (objdump -T)
#   3. the README example, extracted from tool/python/README.md, its output
#      compared with the block under it
#   4. the Python snippet of the "Use it from…" section, the same way, and
#      tests/test_libmigrate.py
#   5. the start-up idiom with 100 migrations: once (applies 100), again
#      (applies 0), then 4 processes at once on a fresh database: every
#      migration in the ledger and in the history exactly once
# Debian packages python3-venv, python3-pip, python3-setuptools and
# python3-wheel are installed first when missing (tool/install-deps.sh).
set -e
cd "$(dirname "$0")/../../.."
top=$PWD
B=$top/build/python
PY=/usr/bin/python3
sh tool/install-deps.sh python3-venv python3-pip python3-setuptools python3-wheel binutils
fails=0
ok() { echo "   ok: $*"; }
bad() { echo "   FAIL: $*"; fails=$((fails+1)); }
step() { t=$(date +%s%N); echo "== $*"; }
took() { echo "   ($(( ($(date +%s%N) - t) / 1000000 )) ms)"; }

step "fresh venv ($($PY --version)), pip install --no-build-isolation --no-index ./tool/python"
rm -rf "$B" && mkdir -p "$B"
$PY -m venv --system-site-packages "$B/venv"
V=$B/venv/bin/python
$V -m pip install --quiet --no-build-isolation --no-index ./tool/python
ok "installed $($V -m pip show libmigrate | sed -n 's/^Version: /libmigrate /p')"
took

step "pip wheel: tag and glibc needs"
$V -m pip wheel --quiet --no-build-isolation --no-index --no-deps -w "$B/dist" ./tool/python
whl=$(ls "$B"/dist/*.whl)
case $(basename "$whl") in
  libmigrate-*-py3-none-manylinux_2_17_x86_64.whl) ok "$(basename "$whl")" ;;
  *) bad "wheel tag: $(basename "$whl")" ;;
esac
mkdir -p "$B/whl" && (cd "$B/whl" && $PY -m zipfile -e "$whl" .)
so=$B/whl/libmigrate/libmigrate.so
glibc=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
case $glibc in
  GLIBC_2.2.5|GLIBC_2.3*|GLIBC_2.4|GLIBC_2.[5-9]|GLIBC_2.1[0-4]) ok "module needs $glibc at most" ;;
  *) bad "module needs $glibc (more than GLIBC_2.14: the manylinux_2_17 tag would lie)" ;;
esac
grep -q '^Tag: py3-none-manylinux_2_17_x86_64$' "$B"/whl/libmigrate-*.dist-info/WHEEL \
  && ok "WHEEL says Tag: py3-none-manylinux_2_17_x86_64" || bad "WHEEL file tag"
took

step "README example"
mkdir -p "$B/run"
sh tool/bindings/example.sh tool/python/README.md python-example code > "$B/run/example.py"
sh tool/bindings/example.sh tool/python/README.md python-example output > "$B/run/expected"
if (cd "$B/run" && $V example.py > got) && cmp -s "$B/run/got" "$B/run/expected"; then
  ok "prints what the README says"
else
  bad "README example"; diff "$B/run/expected" "$B/run/got" || true
fi
took

step "the \"Use it from…\" Python snippet"
mkdir -p "$B/use" && rm -f "$B/use/app.db"
sh tool/bindings/example.sh use-it-from use-python code > "$B/use/snippet.py"
sh tool/bindings/example.sh use-it-from use-python output > "$B/use/expected"
if (cd "$B/use" && $V snippet.py > got) && cmp -s "$B/use/got" "$B/use/expected"; then
  ok "prints what it says"
else
  bad "use-python snippet"; diff "$B/use/expected" "$B/use/got" || true
fi
took

step "tests/test_libmigrate.py"
if (cd "$B/run" && $V "$top/tool/python/tests/test_libmigrate.py" > test.log 2>&1); then
  ok "$(tail -1 "$B/run/test.log")"
else
  bad "test_libmigrate.py"; cat "$B/run/test.log"
fi
took

step "start-up idiom, 100 migrations"
S=$top/tool/python/tests/startup.py
first=$(cd "$B/run" && $V "$S" startup.db 100)
again=$(cd "$B/run" && $V "$S" startup.db 100)
case "$first|$again" in
  "applied 100 in "*"|applied 0 in "*) ok "first start: $first; next start: $again" ;;
  *) bad "start-up idiom: '$first' then '$again'" ;;
esac
took

step "4 processes starting at once, 100 migrations"
rm -f "$B/run/conc.db"
at=$($V -c 'import time; print(time.time() + 1.5)')
pids=""
for i in 1 2 3 4; do
  (cd "$B/run" && $V "$S" conc.db 100 "$at" > conc.$i.out 2>&1; echo $? > conc.$i.rc) &
  pids="$pids $!"
done
for p in $pids; do wait $p; done
sum=0
for i in 1 2 3 4; do
  out=$(cat "$B/run/conc.$i.out")
  [ "$(cat "$B/run/conc.$i.rc")" = 0 ] || bad "process $i: $out"
  echo "   process $i: $out"
  n=$(echo "$out" | sed -n 's/^applied \([0-9]*\) in .*/\1/p')
  sum=$((sum + ${n:-0}))
done
[ $sum = 100 ] && ok "the processes applied 100 in all" || bad "the processes applied $sum in all"
counts=$($PY - "$B/run/conc.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
q = lambda s: c.execute(s).fetchone()[0]
print(q("SELECT count(*) FROM migrations_ledger"),
      q("SELECT count(DISTINCT name) FROM migrations_ledger"),
      q("SELECT count(*) FROM migrations_history WHERE direction = 'up' AND ok = 1"),
      q("SELECT count(DISTINCT name) FROM migrations_history WHERE direction = 'up'"),
      q("SELECT count(*) FROM migrations_history WHERE ok = 0"),
      q("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name GLOB 't[0-9][0-9][0-9]'"),
      q("SELECT sum(n) FROM (" + " UNION ALL ".join(
          "SELECT count(*) AS n FROM t%03d" % i for i in range(1, 101)) + ")"))
EOF
)
[ "$counts" = "100 100 100 100 0 100 100" ] \
  && ok "ledger 100 rows (100 names), history 100 ups (100 names, no failure), 100 tables with 1 row each" \
  || bad "ledger rows, names; history ups, names, failures; tables; rows = $counts (want 100 100 100 100 0 100 100)"
took

echo
if [ $fails = 0 ]; then echo "check-python: all passed"; else echo "check-python: $fails failed"; fi
[ $fails = 0 ]
