#!/bin/sh
# demo.sh — the main job, end to end, in the stock sqlite3 shell: load the
# extension, define the example migrations of sql/examples/blog.sql, migrate,
# show migration_status, roll back the batch, show it again.  `make demo`.
set -e
cd "$(dirname "$0")/.."
mkdir -p build
db=build/demo.db
rm -f "$db" "$db-journal" "$db-wal"
echo "== sqlite3 $db, .load ./libmigrate, .read sql/examples/blog.sql"
sqlite3 "$db" <<'SQL'
.load ./libmigrate
PRAGMA foreign_keys=ON;
.read sql/examples/blog.sql
.mode box
SELECT migrate() AS applied;
SELECT name, state, batch, applied_at, duration_ms FROM migration_status;
SELECT migrate() AS "applied (second call: nothing to do)";
SELECT email, name FROM users;
SELECT rollback() AS reverted;
SELECT name, state, batch FROM migration_status;
SELECT name, direction, batch, ok FROM migrations_history ORDER BY id;
SQL
echo "== demo database left at $db"
