"""test_libmigrate.py — the installed Python package, run by make
check-python with the venv's python from outside the source tree.  Ends
with the line "N passed, M failed"."""
import os
import sqlite3
import sys
import tempfile

import libmigrate

passed = failed = 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
    else:
        failed += 1
        print("! %s failed\n    expected: %r\n    got:      %r" % (name, want, got))


def error_of(fn):
    try:
        fn()
    except Exception as e:  # the type and the exact text are what is tested
        return "%s: %s" % (type(e).__name__, e)
    return None


tmp = tempfile.mkdtemp()


def connect(name):
    conn = sqlite3.connect(os.path.join(tmp, name), isolation_level=None)
    libmigrate.load(conn)
    return conn


def one(conn, sql, *args):
    return conn.execute(sql, args).fetchone()[0]


# loadable_path(): absolute, the installed module, named for its entry point
p = libmigrate.loadable_path()
check("path-absolute", os.path.isabs(p), True)
check("path-file", os.path.isfile(p), True)
check("path-name", os.path.basename(p), "libmigrate.so")
check("path-installed", p.startswith(sys.prefix + os.sep), True)

# load(): loads, and leaves extension loading disabled
conn = connect("a.db")
check("loaded", one(conn, "SELECT migrate()"), 0)
check("disabled-after", error_of(lambda: conn.load_extension(p)),
      "OperationalError: not authorized")

# ... also when loading fails
c2 = sqlite3.connect(":memory:")
real = libmigrate.loadable_path
libmigrate.loadable_path = lambda: os.path.join(tmp, "libnothing.so")
err = error_of(lambda: libmigrate.load(c2))
libmigrate.loadable_path = real
check("load-fails", err is not None and err.startswith("OperationalError: "), True)
check("disabled-after-failure", error_of(lambda: c2.load_extension(p)),
      "OperationalError: not authorized")

# load() of something else
for bad in (None, "app.db", 42):
    check("load-%r" % (bad,), error_of(lambda: libmigrate.load(bad)),
          "TypeError: libmigrate.load(conn): conn must be a sqlite3.Connection, not %s"
          % type(bad).__name__)

# every SQL function through Python's sqlite3
define = "INSERT INTO migrations(name, up, down) VALUES (?, ?, ?)"
conn.execute(define, ("1_a", "CREATE TABLE a(x);", "DROP TABLE a;"))
conn.execute(define, ("2_b", "CREATE TABLE b(x);", "DROP TABLE b;"))
check("dry-run", one(conn, "SELECT migrate_dry_run()"), 2)
check("migrate-target", one(conn, "SELECT migrate('1_a')"), 1)
check("migrate", one(conn, "SELECT migrate()"), 1)
check("status", conn.execute("SELECT name, state, batch FROM migration_status").fetchall(),
      [("1_a", "applied", 1), ("2_b", "applied", 2)])
check("version", one(conn, "SELECT migrate_version()"), "2_b")
check("rollback_to", one(conn, "SELECT rollback_to('1_a')"), 1)
check("refresh", one(conn, "SELECT migrate_refresh()"), 2)
conn.execute("UPDATE migrations SET up = 'CREATE TABLE a(x, y);' WHERE name = '1_a'")
check("drift", error_of(lambda: one(conn, "SELECT migrate()")),
      "OperationalError: migrate: 1_a was edited after it was applied (its checksum differs "
      "from the ledger's); restore its up script or accept the edit with SELECT migrate_repair()")
check("repair", one(conn, "SELECT migrate_repair()"), 1)
check("rollback", one(conn, "SELECT rollback(1)"), 2)
check("reset", one(conn, "SELECT migrate_reset()"), 0)
check("checksum", one(conn, "SELECT migration_checksum('a')"), "af63dc4c8601ec8c")
check("history", one(conn, "SELECT count(*) FROM migrations_history WHERE ok = 1"), 9)

# a failing migration: the exact error, nothing applied
conn = connect("b.db")
conn.execute(define, ("1_ok", "CREATE TABLE ok(x);", "DROP TABLE ok;"))
conn.execute(define, ("2_bad", "CREATE TABLE fine(x);\nCRATE TABLE t(x);", ""))
check("failing", error_of(lambda: one(conn, "SELECT migrate()")),
      'OperationalError: migrate: 2_bad failed: near "CRATE": syntax error (line 2)')
check("failing-nothing", one(conn, "SELECT count(*) FROM sqlite_schema WHERE name IN ('ok','fine')"), 0)

# the schema diff
conn.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)")
want = "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT);"
check("diff", one(conn, "SELECT migration_diff(?)", want),
      'ALTER TABLE "users" ADD COLUMN email TEXT;\n')
check("generate", one(conn, "SELECT migrate_generate('3_email', ?)", want), 1)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
