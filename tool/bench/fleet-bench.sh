#!/bin/sh
# fleet-bench.sh — times `sqlite-migrate --each` on a fleet of small
# databases (default 1,000), and prints total time and time per database.
#
# USAGE
#   sh tool/bench/fleet-bench.sh            (or: make bench-fleet)
#   FLEET_N=1000 FLEET_J=2 FLEET_DIR=build/fleet sh tool/bench/fleet-bench.sh
#
# HOW IT WORKS
#   Makes FLEET_N empty database files and a folder of 5 migrations (tables,
#   an index, seed rows), then times three runs of the fleet command with
#   -j FLEET_J (default: the tool's default, the number of cores):
#     up      every database migrated (5 migrations, one batch each)
#     up      again: every database already current (the per-boot cost)
#     status  the whole fleet's state
#   Each line: "fleet-bench: <run>: N databases in T s = M ms per database".
#   Exits non-zero if any run reports a failure.  Everything lives under
#   FLEET_DIR (default build/fleet, removed first).
set -e
CLI=${CLI:-./sqlite-migrate}
N=${FLEET_N:-1000}
DIR=${FLEET_DIR:-build/fleet}
J=${FLEET_J:+-j $FLEET_J}
[ -x "$CLI" ] || { echo "fleet-bench: $CLI not built (make sqlite-migrate)" >&2; exit 1; }
rm -rf "$DIR"
mkdir -p "$DIR/db" "$DIR/migrations"
M="$DIR/migrations"
printf -- '-- migrate:up\nCREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n-- migrate:down\nDROP TABLE users;\n' > "$M/001_users.sql"
printf -- '-- migrate:up\nCREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);\n-- migrate:down\nDROP TABLE posts;\n' > "$M/002_posts.sql"
printf -- '-- migrate:up\nCREATE INDEX posts_user ON posts(user_id);\n-- migrate:down\nDROP INDEX posts_user;\n' > "$M/003_index.sql"
printf -- "-- migrate:up\nINSERT INTO users(name) VALUES('a'),('b'),('c');\n-- migrate:down\nDELETE FROM users;\n" > "$M/004_seed.sql"
printf -- '-- migrate:up\nALTER TABLE users ADD COLUMN email TEXT;\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n' > "$M/005_email.sql"
i=1
while [ "$i" -le "$N" ]; do
  : > "$DIR/db/$(printf 'db%05d' "$i").db"
  i=$((i+1))
done

now_ms() { date +%s%3N; }
run() {
  label=$1; shift
  t0=$(now_ms)
  "$CLI" -d "$M" --each "$DIR/db/*.db" $J "$@" > "$DIR/$label.out" 2>&1
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    tail -3 "$DIR/$label.out" >&2
    echo "fleet-bench: $label: failed (exit $rc)" >&2
    exit 1
  fi
  t1=$(now_ms)
  ms=$((t1-t0))
  summary=$(tail -1 "$DIR/$label.out")
  awk -v l="$label" -v n="$N" -v ms="$ms" -v s="$summary" 'BEGIN {
    printf "fleet-bench: %-12s %d databases in %.2f s = %.2f ms per database  [%s]\n",
           l, n, ms/1000, ms/n, s }'
}
set +e
run up "up"
run up-current "up"
run status "status"
