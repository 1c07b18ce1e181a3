#!/bin/bash
# check.sh — proves that libmigrate migrates a replicated SQLite cluster:
# three dqlite nodes on 127.0.0.1, libmigrate loaded into each by the preload
# shim, `SELECT migrate()` / `SELECT rollback()` sent through the real
# `dqlite` shell, and the leader killed (SIGKILL) after or during each batch.
#
# USAGE
#   make check-dqlite                     (builds the shim, installs dqlite)
#   bash tool/dqlite/check.sh             (when the shim is already built)
#
# Environment (all optional):
#   DQLITE_PRELOAD   the shim (default build/dqlite/libmigrate-preload.so)
#   DQLITE_RUN       scratch folder, wiped first (default build/dqlite/run)
#   DQLITE_PORT      base port: nodes use PORT+1..3 for replication and
#                    PORT+11..13 for dqlite-demo's HTTP API (default 29300)
#   DQLITE_KILL_AT   when to kill the leader during the long batch, as
#                    fractions of the batch's measured dry-run time, one round
#                    per fraction (default "0.5 1.0": while the scripts run,
#                    then while the batch commits and replicates)
#   DQLITE_NBIG      migrations in the long batch (default 15, 10,000 rows each;
#                    the `dqlite` shell gives every command 2 s, so the batch
#                    must fit in that on the machine at hand)
#   MIGRATE_EXT      libmigrate.so for the local-file baseline (./libmigrate)
#
# WHAT IT CHECKS (each check prints "ok" or "FAIL"; exit status 1 on any FAIL)
#   1. 50 migrations defined and applied by one `SELECT migrate()`; the leader
#      is killed; the new leader shows 50 applied in one batch and the same
#      schema as the same batch applied to a local file; the node restarts.
#   2. A long batch (15 migrations of 10,000 rows each); the leader is killed
#      while `SELECT migrate()` runs; the new leader holds the batch whole
#      (ledger, tables, every row) or not at all, never part of it, and a
#      second `SELECT migrate()` completes it.
#   3. `SELECT rollback()` reverts that batch; the leader is killed; the new
#      leader shows it reverted (ledger, tables, history).  Then step 2 again
#      for each further DQLITE_KILL_AT fraction (by default once more, aimed
#      at the commit; it lands during the scripts, the commit or just after,
#      and the outcome is printed).
#   3b. An application's own requests (tool/dqlite/client.py, autocommit):
#      EXEC "SELECT 1 WHERE migrate() IS NULL" applies a table rebuild that
#      fails inside the shell's BEGIN (dqlite turns foreign keys on), and
#      the new leader has it after a kill; a bare QUERY "SELECT migrate()" is
#      run and what happens is reported (the hazard the README describes).
#   4. Catch-up: leaders are killed and restarted until every node has served
#      the final state as leader (so each restarted node caught up).
#   5. Every socket the nodes listen on is bound to 127.0.0.1.
#
# HOW IT WORKS
#   Nodes are `dqlite-demo --api 127.0.0.1:A --db 127.0.0.1:D` with
#   LD_PRELOAD set to the shim; the second and third join the first.  Each
#   SQL command is one `dqlite -s <all three> migr "<sql>"` process: the shell
#   finds the leader and wraps the command in BEGIN ... COMMIT, so the
#   writes of migrate() reach dqlite's replication on COMMIT (the EXEC path).
#   The shell splits its argument on ';', so every script here is a single
#   statement.  Every process this script starts is recorded by PID and
#   stopped by a trap on every exit path (TERM, then KILL after 5 s).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
PRELOAD=${DQLITE_PRELOAD:-$top/build/dqlite/libmigrate-preload.so}
RUN=${DQLITE_RUN:-$top/build/dqlite/run}
PORT=${DQLITE_PORT:-29300}
KILL_AT=${DQLITE_KILL_AT:-0.5 1.0}
EXT=${MIGRATE_EXT:-$top/libmigrate}
DB=migr                      # the dqlite database name
NBIG=${DQLITE_NBIG:-15}      # migrations in the long batch
NROWS=10000                  # rows each of them inserts
# Sent before each long-batch call, in the same connection: dqlite 1.11's
# VFS fails a write transaction that outgrows the page cache (SQLite spills
# pages into the WAL; reading them back gives SQLITE_IOERR_SHORT_READ,
# "disk I/O error"), and the default cache is 2 MB.  See the README.
CACHE="PRAGMA cache_size=-262144"

HOST=127.0.0.1
SERVERS="$HOST:$((PORT+1)),$HOST:$((PORT+2)),$HOST:$((PORT+3))"
declare -a PID=("" "" "" "")  # node PIDs, index 1..3 ("" when not running)
OTHER_PIDS=""                # other background processes (dqlite shells)
nfail=0
npass=0
kills=0

# ---- process handling -------------------------------------------------

now_ms() { date +%s%3N; }

# Stops PID $1: SIGTERM, then SIGKILL if it is still there after 5 s.
stop_pid() {
  local p=$1 i
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}

cleanup() {
  local i p
  for p in $OTHER_PIDS; do stop_pid "$p"; done
  for i in 1 2 3; do stop_pid "${PID[$i]}"; PID[$i]=""; done
}
trap cleanup EXIT
trap 'echo "check-dqlite: interrupted" >&2; exit 130' INT TERM HUP

die() { echo "check-dqlite: $*" >&2; exit 1; }

# Starts node $1 (1..3); nodes 2 and 3 join node 1 (a restarted node finds
# the cluster in its data folder).
start_node() {
  local i=$1 join=""
  [ "$i" = 1 ] || join="--join $HOST:$((PORT+1))"
  # shellcheck disable=SC2086
  LD_PRELOAD=$PRELOAD dqlite-demo --api "$HOST:$((PORT+10+i))" \
    --db "$HOST:$((PORT+i))" --dir "$RUN/data" $join \
    >>"$RUN/node$i.log" 2>&1 &
  PID[$i]=$!
}

# SIGKILLs node $1 and reaps it.
kill_node() {
  local i=$1
  kill -KILL "${PID[$i]}" 2>/dev/null
  wait "${PID[$i]}" 2>/dev/null
  PID[$i]=""
  kills=$((kills+1))
}

# Node index (1..3) of replication address $1.
node_of() { echo $(( ${1##*:} - PORT )); }

# ---- talking to the cluster --------------------------------------------

# q SQL: runs SQL through the dqlite shell; prints its output (stdout and
# stderr); returns the shell's exit status.
q() { dqlite -s "$SERVERS" "$DB" "$1" 2>&1; }

# client exec|query SQL: one autocommit request through client.py.
client() { python3 "$top/tool/dqlite/client.py" "$SERVERS" "$DB" "$1" "$2"; }

# qq SQL: like q, but a failure is fatal.
qq() {
  local out
  out=$(q "$1") || die "dqlite shell failed on: ${1:0:200}
$out"
  printf '%s\n' "$out"
}

# check NAME WANT GOT
check() {
  if [ "$2" = "$3" ]; then
    echo "ok    $1"; npass=$((npass+1))
  else
    echo "FAIL  $1"; echo "      want: $2"; echo "      got:  $3"
    nfail=$((nfail+1))
  fi
}

# Prints the leader's replication address once a leader answers queries,
# waiting up to 60 s; $1 (optional) is an address that must not be it.
wait_leader() {
  local not=${1:-} i l
  for i in $(seq 1 300); do
    l=$(q .leader)
    if [ $? = 0 ] && [ -n "$l" ] && [ "$l" != "$not" ] \
       && [ "$(q 'SELECT 1')" = 1 ]; then
      echo "$l"; return 0
    fi
    sleep 0.2
  done
  die "no leader after 60 s (logs in $RUN)"
}

# Waits until node $1 serves its replication port and its demo API (which
# answers only after the node has rejoined and reached the leader).
wait_node() {
  local i=$1 n
  for n in $(seq 1 300); do
    kill -0 "${PID[$i]}" 2>/dev/null || die "node $i exited (see $RUN/node$i.log)"
    if dqlite -s "$HOST:$((PORT+i))" "$DB" ".describe $HOST:$((PORT+i))" \
         >/dev/null 2>&1 \
       && curl -s --max-time 2 "http://$HOST:$((PORT+10+i))/x" >/dev/null 2>&1
    then
      return 0
    fi
    sleep 0.2
  done
  die "node $i not up after 60 s (see $RUN/node$i.log)"
}

# Kills the leader, waits for a new one; sets LEADER, KILLED (node index)
# and prints the failover time.
failover() {
  local t0 t1 old=$LEADER
  KILLED=$(node_of "$old")
  t0=$(now_ms)
  kill_node "$KILLED"
  LEADER=$(wait_leader "$old") || exit 1
  t1=$(now_ms)
  echo "      killed leader node $KILLED ($old); new leader node" \
       "$(node_of "$LEADER") after $((t1-t0)) ms"
}

# Restarts the node killed by the last failover and waits for it.
restart_killed() {
  local t0 t1
  t0=$(now_ms)
  start_node "$KILLED"
  wait_node "$KILLED"
  t1=$(now_ms)
  echo "      restarted node $KILLED, back in $((t1-t0)) ms"
}

# ---- the migrations ----------------------------------------------------

# The 50 migrations of scenario 1, as one INSERT: a table every third
# migration, then a column added to it, then an index on that column.
small_insert() {
  local i v="" up down
  for i in $(seq 1 50); do
    case $((i % 3)) in
      1) up="CREATE TABLE t_$i(id INTEGER PRIMARY KEY, v TEXT)"
         down="DROP TABLE t_$i" ;;
      2) up="ALTER TABLE t_$((i-1)) ADD COLUMN c_$i TEXT DEFAULT ''x''"
         down="ALTER TABLE t_$((i-1)) DROP COLUMN c_$i" ;;
      0) up="CREATE INDEX ix_$i ON t_$((i-2))(c_$((i-1)))"
         down="DROP INDEX ix_$i" ;;
    esac
    v="$v${v:+,}('$(printf %03d "$i")_m$i','$up','$down')"
  done
  echo "INSERT INTO migrations(name, up, down) VALUES $v"
}

# The long batch: NBIG migrations, each creating a table of NROWS rows.
big_insert() {
  local i n v=""
  for i in $(seq 1 $NBIG); do
    n=$(printf %02d "$i")
    v="$v${v:+,}('big_$n','CREATE TABLE big_$n AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<$NROWS) SELECT x AS id, hex(randomblob(16)) AS pad FROM c','DROP TABLE big_$n')"
  done
  echo "INSERT INTO migrations(name, up, down) VALUES $v"
}

# SQL: total rows in the big tables.
big_rows_sql() {
  local i e=""
  for i in $(seq 1 $NBIG); do
    e="$e${e:+ + }(SELECT count(*) FROM big_$(printf %02d "$i"))"
  done
  echo "SELECT $e"
}

SCHEMA_SQL="SELECT group_concat(type || ':' || name || ':' || sql, ' / ') FROM (SELECT * FROM sqlite_master WHERE name GLOB 't_*' OR name GLOB 'ix_*' ORDER BY name)"
STATE_SQL="SELECT state, count(*), min(batch), max(batch) FROM migration_status GROUP BY state ORDER BY state"

# ---- preflight -----------------------------------------------------------

command -v dqlite >/dev/null && command -v dqlite-demo >/dev/null \
  || die "dqlite / dqlite-demo not found (Debian package go-dqlite)"
command -v sqlite3 >/dev/null || die "sqlite3 shell not found"
command -v curl >/dev/null || die "curl not found"
command -v python3 >/dev/null || die "python3 not found"
[ -f "$PRELOAD" ] || die "shim $PRELOAD not built (make check-dqlite)"
[ -f "$EXT.so" ] || die "$EXT.so not built (make libmigrate.so)"
for p in 1 2 3 11 12 13; do
  if ss -ltnH "sport = :$((PORT+p))" 2>/dev/null | grep -q .; then
    die "port $((PORT+p)) is in use; set DQLITE_PORT to a free range"
  fi
done
rm -rf "$RUN"
mkdir -p "$RUN/data"

# ---- local baseline ----------------------------------------------------
# The same batches on a local WAL file with the stock sqlite3 shell.  Each
# timing is one whole shell process, as each cluster timing is one whole
# `dqlite` shell process.

local_sql() {
  sqlite3 "$RUN/local.db" -cmd ".load $EXT" -cmd "PRAGMA journal_mode=WAL" \
    "$1" | sed 1d
}
rm -f "$RUN/local.db"
local_sql "$(small_insert)" >/dev/null
t0=$(now_ms); got=$(local_sql "SELECT migrate()"); t1=$(now_ms)
[ "$got" = 50 ] || die "local baseline: migrate() gave [$got]"
LOCAL_SMALL=$((t1-t0))
LOCAL_SCHEMA=$(local_sql "$SCHEMA_SQL")
local_sql "$(big_insert)" >/dev/null
t0=$(now_ms); got=$(local_sql "SELECT migrate()"); t1=$(now_ms)
[ "$got" = $NBIG ] || die "local baseline: long batch gave [$got]"
LOCAL_BIG=$((t1-t0))
t0=$(now_ms); local_sql "SELECT 1" >/dev/null; t1=$(now_ms)
LOCAL_NOOP=$((t1-t0))

# ---- start the cluster ---------------------------------------------------

echo "== starting three dqlite-demo nodes on $HOST (ports $((PORT+1))-$((PORT+3)), API $((PORT+11))-$((PORT+13)))"
T0=$(now_ms)
start_node 1
wait_node 1
start_node 2
start_node 3
wait_node 2
wait_node 3
for n in $(seq 1 300); do
  [ "$(q .cluster | grep -c '|voter$')" = 3 ] && break
  [ "$n" = 300 ] && die "three voters not reached after 60 s"
  sleep 0.2
done
LEADER=$(wait_leader) || exit 1
T1=$(now_ms)
CLUSTER_START=$((T1-T0))
echo "      cluster of 3 voters up in $CLUSTER_START ms; leader node $(node_of "$LEADER")"
check "libmigrate loaded in the leader (migrate_version() answers)" null "$(q 'SELECT typeof(migrate_version())')"

# ---- 1. fifty migrations, then the leader dies ---------------------------

echo "== 1. 50 migrations in one batch, then the leader is killed"
qq "$(small_insert)" >/dev/null
check "50 migrations defined, all pending" "pending|50|<nil>|<nil>" "$(q "$STATE_SQL")"
t0=$(now_ms); got=$(q "SELECT 1"); t1=$(now_ms); CLUSTER_NOOP=$((t1-t0))
t0=$(now_ms); got=$(q "SELECT migrate()"); t1=$(now_ms)
CLUSTER_SMALL=$((t1-t0))
check "SELECT migrate() applies 50" 50 "$got"
failover
check "new leader: 50 applied, one batch" "applied|50|1|1" "$(q "$STATE_SQL")"
check "new leader: 50 ledger rows" 50 "$(q 'SELECT count(*) FROM migrations_ledger')"
check "new leader: schema equals the local file's" "$LOCAL_SCHEMA" "$(q "$SCHEMA_SQL")"
check "new leader: migrate() has nothing to do" 0 "$(q 'SELECT migrate()')"
restart_killed

# ---- timing: the 50-migration batch, five times each way ---------------
# Fresh databases each round (dqlite serves many), medians reported.  Each
# sample is one whole shell process: `dqlite` (connect, find the leader,
# BEGIN, SELECT migrate(), COMMIT replicated to a quorum) against `sqlite3`
# (open, .load, SELECT migrate() on a local WAL file).

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
c_small="" l_small="" c_noop="" l_noop=""
for r in 1 2 3 4 5; do
  dqlite -s "$SERVERS" "time$r" "$(small_insert)" >/dev/null 2>&1 \
    || die "timing: cannot define in time$r"
  t0=$(now_ms); got=$(dqlite -s "$SERVERS" "time$r" "SELECT migrate()" 2>&1); t1=$(now_ms)
  [ "$got" = 50 ] || die "timing: cluster migrate() gave [$got]"
  c_small="$c_small $((t1-t0))"
  t0=$(now_ms); dqlite -s "$SERVERS" "time$r" "SELECT 1" >/dev/null 2>&1; t1=$(now_ms)
  c_noop="$c_noop $((t1-t0))"
  f="$RUN/time$r.db"; rm -f "$f"
  sqlite3 "$f" -cmd ".load $EXT" -cmd "PRAGMA journal_mode=WAL" "$(small_insert)" >/dev/null
  t0=$(now_ms); got=$(sqlite3 "$f" -cmd ".load $EXT" "SELECT migrate()"); t1=$(now_ms)
  [ "$got" = 50 ] || die "timing: local migrate() gave [$got]"
  l_small="$l_small $((t1-t0))"
  t0=$(now_ms); sqlite3 "$f" -cmd ".load $EXT" "SELECT 1" >/dev/null; t1=$(now_ms)
  l_noop="$l_noop $((t1-t0))"
done
echo "== timing: 50 migrations, 5 fresh databases each way (ms):"
echo "      cluster:$c_small (SELECT 1:$c_noop); local file:$l_small (SELECT 1:$l_noop)"
TIMING="cluster $(echo "$c_small" | median) ms (SELECT 1: $(echo "$c_noop" | median) ms), local file $(echo "$l_small" | median) ms (SELECT 1: $(echo "$l_noop" | median) ms)"

# ---- 2. the leader dies during a long batch ---------------------------

qq "$(big_insert)" >/dev/null
OUTCOMES=""
CLUSTER_BIG=""
DRYS=""

# long_batch FRACTION: the long batch, its leader killed FRACTION of the
# batch's dry-run time after `SELECT migrate()` was sent (below 1: while the
# scripts run; a little above 1: while the batch commits and replicates).
long_batch() {
  local frac=$1 t0 t1 got dry delay bg bgrc running n t b h h0
  t0=$(now_ms); got=$(q "$CACHE;SELECT migrate_dry_run()"); t1=$(now_ms)
  dry=$((t1-t0)); DRYS="$DRYS${DRYS:+, }$dry ms"
  check "migrate_dry_run() through the cluster: $NBIG would apply ($dry ms)" $NBIG "$got"
  check "dry run left nothing" "applied|50|1|1 pending|$NBIG|<nil>|<nil>" "$(q "$STATE_SQL" | tr '\n' ' ' | sed 's/ $//')"
  h0=$(q "SELECT coalesce(max(id), 0) FROM migrations_history")
  delay=$(awk -v d="$dry" -v f="$frac" 'BEGIN{printf "%.3f", d*f/1000}')
  LEADER=$(wait_leader) || exit 1
  dqlite -s "$SERVERS" "$DB" "$CACHE;SELECT migrate()" >"$RUN/batch.out" 2>&1 &
  bg=$!
  OTHER_PIDS="$OTHER_PIDS $bg"
  sleep "$delay"
  running=no; kill -0 "$bg" 2>/dev/null && running=yes
  failover
  wait "$bg"; bgrc=$?
  echo "      the batch's shell: exit $bgrc, still running at the kill: $running, said: $(head -1 "$RUN/batch.out" | cut -c1-120)"
  n=$(q "SELECT count(*) FROM migrations_ledger WHERE name GLOB 'big_*'")
  t=$(q "SELECT count(*) FROM sqlite_master WHERE name GLOB 'big_*'")
  b=$(q "SELECT count(DISTINCT batch) FROM migrations_ledger WHERE name GLOB 'big_*'")
  h=$(q "SELECT count(*) FROM migrations_history WHERE id > $h0 AND direction='up' AND ok=1")
  if [ "$n" = $NBIG ]; then
    echo "      outcome: the batch committed before the leader died"
    check "new leader: whole batch recorded (ledger, batches, tables, history)" "$NBIG 1 $NBIG $NBIG" "$n $b $t $h"
    check "new leader: every row there" $((NBIG*NROWS)) "$(q "$(big_rows_sql)")"
    check "new leader: migrate() then has nothing to do" 0 "$(q 'SELECT migrate()')"
    OUTCOMES="$OUTCOMES${OUTCOMES:+, }kill at ${frac}x: committed"
  elif [ "$n" = 0 ]; then
    echo "      outcome: the batch died with the leader"
    check "new leader: nothing of the batch (ledger, batches, tables, history)" "0 0 0 0" "$n $b $t $h"
    check "new leader: $NBIG pending" "pending|$NBIG|<nil>|<nil>" "$(q "$STATE_SQL" | grep '^pending')"
    t0=$(now_ms); got=$(q "$CACHE;SELECT migrate()"); t1=$(now_ms)
    CLUSTER_BIG="$CLUSTER_BIG${CLUSTER_BIG:+, }$((t1-t0)) ms"
    check "new leader: migrate() completes the batch" $NBIG "$got"
    OUTCOMES="$OUTCOMES${OUTCOMES:+, }kill at ${frac}x: absent"
  else
    check "new leader: batch whole or absent, never half" "0 or $NBIG ledger rows" "$n ledger rows, $t tables"
    OUTCOMES="$OUTCOMES${OUTCOMES:+, }kill at ${frac}x: HALF"
  fi
  check "after completion: $NBIG recorded in one batch" "$NBIG 1" \
    "$(q "SELECT count(*), count(DISTINCT batch) FROM migrations_ledger WHERE name GLOB 'big_*'" | tr '|' ' ')"
  check "after completion: every row there" $((NBIG*NROWS)) "$(q "$(big_rows_sql)")"
  restart_killed
}

set -- $KILL_AT
echo "== 2. long batch ($NBIG migrations x $NROWS rows), leader killed at ${1}x its dry-run time"
long_batch "$1"
shift

# ---- 3. rollback through the cluster, then the leader dies ---------------

echo "== 3. SELECT rollback() through the cluster, then the leader is killed"
t0=$(now_ms); got=$(q "$CACHE;SELECT rollback()"); t1=$(now_ms)
CLUSTER_ROLLBACK=$((t1-t0))
check "SELECT rollback() reverts the long batch" $NBIG "$got"
failover
check "new leader: 50 applied, $NBIG pending" "applied|50|1|1 pending|$NBIG|<nil>|<nil>" "$(q "$STATE_SQL" | tr '\n' ' ' | sed 's/ $//')"
check "new leader: no big table left" 0 "$(q "SELECT count(*) FROM sqlite_master WHERE name GLOB 'big_*'")"
check "new leader: $NBIG downs in the history" $NBIG "$(q "SELECT count(*) FROM migrations_history WHERE name GLOB 'big_*' AND direction='down' AND ok=1")"
check "new leader: schema of batch 1 untouched" "$LOCAL_SCHEMA" "$(q "$SCHEMA_SQL")"
restart_killed

for f in "$@"; do
  echo "== 2b. the long batch again, leader killed at ${f}x its dry-run time"
  long_batch "$f"
done

# ---- 3b. an application's requests: EXEC in autocommit vs QUERY ---------
# client.py sends single EXEC_SQL / QUERY_SQL requests in autocommit mode,
# as go-dqlite's db.Exec() / db.Query() do outside a transaction.  (The
# definitions go through it too: the shell would split them at each ';'.)

echo "== 3b. an application's own requests (autocommit, tool/dqlite/client.py)"
check "client EXEC defines 060_parent and 061_rebuild_parent" "" "$(client exec "INSERT INTO migrations(name, up, down) VALUES ('060_parent', 'CREATE TABLE p(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE ch(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p(id)); INSERT INTO p VALUES(1, ''a''); INSERT INTO ch VALUES(1, 1);', 'DROP TABLE ch; DROP TABLE p;'), ('061_rebuild_parent', 'CREATE TABLE p_new(id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT ''''); INSERT INTO p_new SELECT * FROM p; DROP TABLE p; ALTER TABLE p_new RENAME TO p;', '')" 2>&1)"
check "client EXEC 'SELECT 1 WHERE migrate(target) IS NULL' applies 060_parent" "" \
  "$(client exec "SELECT 1 WHERE migrate('060_parent') IS NULL" 2>&1)"
check "shell (inside BEGIN, foreign keys on): the table rebuild fails cleanly" \
  "Error: exec: migrate: 061_rebuild_parent failed: FOREIGN KEY constraint failed (line 1)" \
  "$(q "WITH r(n) AS (SELECT migrate()) SELECT 1 FROM r WHERE n IS NULL" | head -1)"
check "client EXEC in autocommit: the rebuild runs (enforcement suspended, checked, restored)" "" \
  "$(client exec "SELECT 1 WHERE migrate() IS NULL" 2>&1)"
LEADER=$(wait_leader) || exit 1
failover
check "new leader: both applied, p rebuilt, its child row still joins" \
  "060_parent|applied 061_rebuild_parent|applied / CREATE TABLE \"p\"(id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT '') / 1" \
  "$(q "SELECT name || '|' || state FROM migration_status WHERE name GLOB '06*'" | tr '\n' ' ' | sed 's/ $//') / $(q "SELECT sql FROM sqlite_master WHERE name='p'") / $(q 'SELECT count(*) FROM ch JOIN p ON p.id=ch.pid')"
check "new leader: foreign keys still on, and clean" "1|" \
  "$(client query 'PRAGMA foreign_keys' 2>&1)|$(client query 'PRAGMA foreign_key_check' 2>&1)"
restart_killed

# The hazard the README warns about: a bare QUERY request runs migrate()
# outside any transaction that dqlite commits, so nothing is replicated.
# Observed and reported, not asserted: it is dqlite's behaviour.
check "client EXEC defines 070_query_path" "" "$(client exec "INSERT INTO migrations(name, up, down) VALUES ('070_query_path', 'CREATE TABLE qp(x)', 'DROP TABLE qp')" 2>&1)"
LEADER=$(wait_leader) || exit 1
KILLED=$(node_of "$LEADER")
said=$(client query "SELECT migrate('070_query_path')" 2>&1)
next=$(client query "SELECT count(*) FROM migrations_ledger" 2>&1)
sleep 1
if kill -0 "${PID[$KILLED]}" 2>/dev/null; then died=no; else
  died=yes; wait "${PID[$KILLED]}" 2>/dev/null; PID[$KILLED]=""; kills=$((kills+1))
fi
LEADER=$(wait_leader) || exit 1
st=$(q "SELECT state FROM migration_status WHERE name='070_query_path'")
echo "      observed: QUERY 'SELECT migrate(...)' answered [$said]; the next request got [$next];"
echo "      leader died: $died [$(grep -h -o "vfsFileShmLock: Assertion.*" "$RUN"/node*.log 2>/dev/null | head -1)]; 070_query_path is now $st"
QUERY_HAZARD="answered [$said], leader died: $died, the migration then: $st"
[ "$died" = yes ] && restart_killed
check "shell: migrate() then applies what is pending" "$([ "$st" = applied ] && echo 0 || echo 1)" "$(q 'SELECT migrate()')"
check "070_query_path applied" applied "$(q "SELECT state FROM migration_status WHERE name='070_query_path'")"

# ---- 4. every node caught up: each serves the final state as leader -----

echo "== 4. catch-up: kill leaders until every node has served the final state"
FINAL=$(q "$STATE_SQL" | tr '\n' ' ')
served=" $(node_of "$LEADER") "
rounds=0
while [ "$(echo $served | wc -w)" -lt 3 ] && [ $rounds -lt 10 ]; do
  failover
  got=$(q "$STATE_SQL" | tr '\n' ' ')
  check "node $(node_of "$LEADER") as leader: same migration state" "$FINAL" "$got"
  check "node $(node_of "$LEADER") as leader: same schema" "$LOCAL_SCHEMA" "$(q "$SCHEMA_SQL")"
  case "$served" in *" $(node_of "$LEADER") "*) ;; *) served="$served$(node_of "$LEADER") ";; esac
  restart_killed
  rounds=$((rounds+1))
done
check "every node served the final state as leader" "3" "$(echo $served | wc -w)"

# ---- 5. loopback only ---------------------------------------------------

echo "== 5. sockets"
bad=""
for i in 1 2 3; do
  [ -n "${PID[$i]}" ] || continue
  bad="$bad$(ss -ltnpH 2>/dev/null | grep "pid=${PID[$i]}," | awk '{print $4}' | grep -v "^$HOST:")"
done
nsock=$(for i in 1 2 3; do ss -ltnpH 2>/dev/null | grep "pid=${PID[$i]},"; done | wc -l)
check "nodes listen on 127.0.0.1 only ($nsock sockets)" "" "$bad"

# ---- summary ------------------------------------------------------------

echo "== numbers"
echo "      cluster start (3 voters, leader answers): $CLUSTER_START ms"
echo "      50 migrations, medians of 5: $TIMING"
echo "      long batch ($NBIG x $NROWS rows): local file migrate $LOCAL_BIG ms; cluster dry runs $DRYS${CLUSTER_BIG:+; cluster migrate $CLUSTER_BIG}"
echo "      leader killed during the long batch: $OUTCOMES"
echo "      rollback of the long batch through the cluster: $CLUSTER_ROLLBACK ms"
echo "      bare QUERY 'SELECT migrate()' (the hazard): $QUERY_HAZARD"
echo "      leader kills survived: $kills"
echo "== check-dqlite: $npass passed, $nfail failed"
[ $nfail = 0 ]
