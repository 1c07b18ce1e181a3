"""startup.py — the start-up idiom with many migrations, as an application
would run it at every start; make check-python runs it once alone, again
(nothing pending), then in 4 processes at once on a fresh database.

    python startup.py DB N [START_AT]

Defines migrations m001..mN (each creates a table and inserts a row),
waits until the clock reaches START_AT (seconds since the epoch, so that
several processes begin together), registers them all with INSERT OR
REPLACE, calls migrate() and prints "applied K in T ms".
"""
import sqlite3
import sys
import time

import libmigrate

db, n = sys.argv[1], int(sys.argv[2])
start_at = float(sys.argv[3]) if len(sys.argv) > 3 else 0
migrations = [
    ("m%03d" % i,
     "CREATE TABLE t%03d(id INTEGER PRIMARY KEY, v TEXT);\n"
     "INSERT INTO t%03d(v) VALUES('row of migration %d');" % (i, i, i),
     "DROP TABLE t%03d;" % i)
    for i in range(1, n + 1)
]
while time.time() < start_at:
    time.sleep(0.001)
t0 = time.monotonic()
conn = sqlite3.connect(db, isolation_level=None, timeout=60)
libmigrate.load(conn)
conn.execute("BEGIN IMMEDIATE")
conn.executemany("INSERT OR REPLACE INTO migrations(name, up, down) VALUES (?, ?, ?)", migrations)
conn.execute("COMMIT")
applied = conn.execute("SELECT migrate()").fetchone()[0]
conn.close()
print("applied %d in %.0f ms" % (applied, (time.monotonic() - t0) * 1000))
