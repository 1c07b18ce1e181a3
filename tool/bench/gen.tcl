# gen.tcl — the benchmark workload, written in every tool's own format.
#
# USAGE (sourced by tool/bench/bench.tcl)
#   gen_workload DIR N
#     writes into DIR (created) the same N migrations as:
#       up1.sql / down1.sql     the whole workload in one transaction (the limit)
#       upE.sql / downE.sql     one transaction per migration
#       migrations/             dbmate style NAME.sql (-- migrate:up/down);
#                               read by both dbmate and sqlite-migrate
#       defs.sql                INSERT OR REPLACE INTO migrations(...) for the
#                               sqlite3 shell (.read), when no sqlite-migrate
#                               binary is there to print it (`sql`)
#       knex/                   knexfile.js + migrations/NAME.js
#       alembic/                alembic.ini, env.py, versions/rNNNNN.py
#       sqitch/                 sqitch.conf, sqitch.plan, deploy/, revert/
#
# HOW IT WORKS
#   Migration i (1-based): CREATE TABLE t_i(id INTEGER PRIMARY KEY, a TEXT,
#   b INTEGER); one INSERT of 10 rows; CREATE INDEX t_i_b ON t_i(b).  Down:
#   DROP TABLE t_i.  Names are "%05d_t%d" (zero-padded, so every tool's
#   ordering — natural, bytewise or plan order — agrees).  The same SQL text
#   is used everywhere; only the wrapping differs.  The same text is built by
#   tool/bench/driver.c for the in-process measurements.

proc wl_name {i} { format %05d_t%d $i $i }

proc wl_up_stmts {i} {
  set rows {}
  for {set j 1} {$j <= 10} {incr j} { lappend rows "('row $j', $j)" }
  list \
    "CREATE TABLE t_$i\(id INTEGER PRIMARY KEY, a TEXT, b INTEGER);" \
    "INSERT INTO t_$i\(a, b) VALUES [join $rows {, }];" \
    "CREATE INDEX t_${i}_b ON t_$i\(b);"
}
proc wl_up {i} { return "[join [wl_up_stmts $i] \n]\n" }
proc wl_down {i} { return "DROP TABLE t_$i;\n" }

proc wl_write {path text} {
  file mkdir [file dirname $path]
  set fd [open $path w]
  fconfigure $fd -translation lf
  puts -nonewline $fd $text
  close $fd
}

# SQL string literal.
proc wl_q {s} { return "'[string map {' ''} $s]'" }
# JavaScript / Python string literal (double-quoted; our SQL has no " or \).
proc wl_dq {s} { return "\"[string map {\n \\n} $s]\"" }

proc gen_workload {dir n} {
  file delete -force $dir
  file mkdir $dir
  set up1 "BEGIN;\n"; set down1 "BEGIN;\n"; set upE ""; set downE ""
  set defs ""
  for {set i 1} {$i <= $n} {incr i} {
    append up1 [wl_up $i]
    append upE "BEGIN;\n[wl_up $i]COMMIT;\n"
    append defs "INSERT OR REPLACE INTO migrations(name, up, down) VALUES\
                 ([wl_q [wl_name $i]], [wl_q [wl_up $i]], [wl_q [wl_down $i]]);\n"
  }
  for {set i $n} {$i >= 1} {incr i -1} {
    append down1 [wl_down $i]
    append downE "BEGIN;\n[wl_down $i]COMMIT;\n"
  }
  append up1 "COMMIT;\n"; append down1 "COMMIT;\n"
  wl_write $dir/up1.sql $up1
  wl_write $dir/down1.sql $down1
  wl_write $dir/upE.sql $upE
  wl_write $dir/downE.sql $downE
  wl_write $dir/defs.sql $defs

  # dbmate / sqlite-migrate
  for {set i 1} {$i <= $n} {incr i} {
    wl_write $dir/migrations/[wl_name $i].sql \
      "-- migrate:up\n[wl_up $i]\n-- migrate:down\n[wl_down $i]"
  }

  # knex (better-sqlite3 runs one statement per call: one raw() each)
  wl_write $dir/knex/knexfile.js [join {
    "module.exports = {"
    "  client: 'better-sqlite3',"
    "  connection: { filename: process.env.BENCH_DB },"
    "  useNullAsDefault: true,"
    "  migrations: { directory: __dirname + '/migrations', loadExtensions: ['.js'] }"
    "};" ""} \n]
  for {set i 1} {$i <= $n} {incr i} {
    set body ""
    foreach s [wl_up_stmts $i] { append body "  await knex.raw([wl_dq $s]);\n" }
    wl_write $dir/knex/migrations/[wl_name $i].js \
      "exports.up = async function(knex) {\n$body};\nexports.down =\
       async function(knex) {\n  await knex.raw([wl_dq [string trim [wl_down $i]]]);\n};\n"
  }

  # Alembic: the env.py `alembic init` writes, without logging set-up.
  wl_write $dir/alembic/alembic.ini [join {
    "[alembic]"
    "script_location = %(here)s"
    ""} \n]
  wl_write $dir/alembic/script.py.mako ""
  wl_write $dir/alembic/env.py [join {
    "import os"
    "from alembic import context"
    "from sqlalchemy import create_engine, pool"
    "engine = create_engine('sqlite:///' + os.environ['BENCH_DB'], poolclass=pool.NullPool)"
    "with engine.connect() as connection:"
    "    context.configure(connection=connection)"
    "    with context.begin_transaction():"
    "        context.run_migrations()"
    ""} \n]
  for {set i 1} {$i <= $n} {incr i} {
    set prev [expr {$i == 1 ? "None" : "'[format r%05d [expr {$i-1}]]'"}]
    set body ""
    foreach s [wl_up_stmts $i] { append body "    op.execute([wl_dq $s])\n" }
    wl_write $dir/alembic/versions/[format r%05d $i].py [join [list \
      "from alembic import op" \
      "revision = '[format r%05d $i]'" \
      "down_revision = $prev" \
      "branch_labels = None" \
      "depends_on = None" \
      "def upgrade():" \
      [string trimright $body \n] \
      "def downgrade():" \
      "    op.execute([wl_dq [string trim [wl_down $i]]])" \
      ""] \n]
  }

  # sqitch: plan + deploy/revert scripts (each in its own transaction, as
  # `sqitch add` templates for SQLite write them).
  wl_write $dir/sqitch/sqitch.conf [join {
    "\[core\]"
    "\tengine = sqlite"
    "\tplan_file = sqitch.plan"
    "\ttop_dir = ."
    ""} \n]
  set plan "%syntax-version=1.0.0\n%project=bench\n\n"
  for {set i 1} {$i <= $n} {incr i} {
    set c [format t%05d $i]
    append plan "$c 2024-01-01T00:00:00Z Bench <bench@example.invalid> # migration $i\n"
    wl_write $dir/sqitch/deploy/$c.sql "BEGIN;\n[wl_up $i]COMMIT;\n"
    wl_write $dir/sqitch/revert/$c.sql "BEGIN;\n[wl_down $i]COMMIT;\n"
    wl_write $dir/sqitch/verify/$c.sql ""
  }
  wl_write $dir/sqitch/sqitch.plan $plan
}
